/**
 * Stage 1, load: files → typed, schema-checked inputs with source positions.
 * The only stage that reads; it reads through a RepoReader so tests can hand it an in-memory repository.
 */
import { validatorFor } from '../validators.js';
import type { TSchema } from '@sinclair/typebox';
import { repoPaths } from '../paths.js';
import { allowedHint, RenderError, UsageError, type Problem } from '../errors.js';
import { describeSchemaErrors } from '../schema-problems.js';
import { parseSource, reservedKeys, reservedKeysList, type Source } from '../source.js';
import { AddonCatalogue, AppSpec, defaultMaxInputFileBytes, dnsLabel, EnvironmentSpec, Exceptions, maxInputFileBytesCeiling, PlatformSpec, Settings, Versions } from '../model.js';
import type { RepoReader } from '../fs.js';

export interface LoadedEnvironment {
  name: string;
  spec: Source<EnvironmentSpec>;
  versions: Source<Versions>;
  /** Per-app overrides, by app name. */
  overrides: Map<string, Source<Settings>>;
}

export interface Template {
  file: string;
  text: string;
}

/** Everything the pipeline reads, checked one file at a time. Rules across files are the resolve stage's (resolve.ts). */
export interface LoadedRepo {
  platform: Source<PlatformSpec>;
  defaults: Source<Settings>;
  addons: Source<AddonCatalogue>;
  apps: Map<string, Source<AppSpec>>;
  environments: Map<string, LoadedEnvironment>;
  templates: Map<string, Template>;
  /** base/exceptions.yaml, when present: reviewed exceptions to the guard rails. */
  exceptions?: Source<Exceptions>;
}

/** Loads the repository: the loaded inputs, or every problem found in every file (then no repository). */
export async function loadRepo(reader: RepoReader, opts: { envs?: string[] } = {}): Promise<{ repo?: LoadedRepo; problems: Problem[] }> {
  const problems: Problem[] = [];
  // base/platform.yaml may raise the limit; it is itself read under the default.
  let maxBytes = defaultMaxInputFileBytes;
  /**
   * Reads one file; a file the reader refuses (a link out of the repository, no permission, not UTF-8) or one
   * above the size limit is one more problem.
   */
  const readText = async (file: string): Promise<string | undefined | null> => {
    let text: string | undefined;
    try {
      text = await reader.read(file);
    } catch (err) {
      if (!(err instanceof RenderError)) throw err;
      problems.push(...err.problems);
      return null;
    }
    const size = text === undefined ? 0 : Buffer.byteLength(text);
    if (size <= maxBytes) return text;
    problems.push({
      file,
      message: `this input file is ${bytes(size)}, above the limit of ${bytes(maxBytes)} for an input file`,
      hint: `split it or trim it; if a file this large is really needed, raise maxInputFileBytes in ${repoPaths.platform} (at most ${bytes(maxInputFileBytesCeiling)})`,
    });
    return null;
  };
  /** Lists a folder the loader reads; a YAML file it would pass over (`x.yml`, `x.YAML`) is refused, not ignored. */
  const list = async (dir: string, scanOnly = false) => {
    let entries: Awaited<ReturnType<RepoReader['list']>>;
    try {
      entries = await reader.list(dir);
    } catch (err) {
      // A folder listed only to find such files: what the reader refuses in it (a linked folder leading out of the
      // repository) is reported where that folder is read, with the files it holds.
      if (scanOnly && err instanceof RenderError) return [];
      throw err;
    }
    for (const entry of entries) {
      const yaml = /^(.+)\.(ya?ml)$/i.exec(entry.name);
      if (entry.isDir || !yaml || yaml[2] === 'yaml') continue;
      problems.push({
        file: `${dir}/${entry.name}`,
        message: `this input file ends in .${yaml[2]}, so nothing would read it: input files end in .yaml`,
        hint: `rename it: git mv ${dir}/${entry.name} ${dir}/${yaml[1]}.yaml`,
      });
    }
    return entries;
  };
  const read = async <T>(file: string, schema: TSchema, what: string, optional = false): Promise<Source<T> | undefined> => {
    const text = await readText(file);
    if (text === null) return undefined;
    if (text === undefined) {
      if (!optional) problems.push({ file, message: `${what} is missing`, hint: `create ${file}; see README.md` });
      return undefined;
    }
    return checkSource<T>(file, text, schema, problems);
  };

  const platform = await read<PlatformSpec>(repoPaths.platform, PlatformSpec, 'the platform file');
  maxBytes = platform?.value.maxInputFileBytes ?? defaultMaxInputFileBytes;
  await list(repoPaths.baseDir, true);
  const defaults = await read<Settings>(repoPaths.defaults, Settings, 'the platform defaults file');
  const addons = await read<AddonCatalogue>(repoPaths.addons, AddonCatalogue, 'the add-on catalogue');
  const exceptions = await read<Exceptions>(repoPaths.exceptions, Exceptions, 'the guard-rail exceptions', true);
  addons?.value.addons.forEach((addon, i) => checkName(addon.name, 'add-on', addons.file, problems, () => addons.locate(['addons', i, 'name'])));

  const apps = new Map<string, Source<AppSpec>>();
  for (const entry of await list(repoPaths.appsDir)) {
    if (entry.isDir || !entry.name.endsWith('.yaml')) continue;
    const name = entry.name.slice(0, -'.yaml'.length);
    const file = repoPaths.app(name);
    if (!checkName(name, 'app', file, problems)) continue;
    const app = await read<AppSpec>(file, AppSpec, `app ${name}`);
    if (!app) continue;
    if (app.value.name !== name) {
      problems.push({
        file,
        ...app.locate(['name']),
        message: `app name '${app.value.name}' does not match its file name '${name}'`,
        hint: `rename the file or set name: ${name}`,
      });
    }
    apps.set(name, app);
  }

  const templates = new Map<string, Template>();
  for (const entry of await reader.list(repoPaths.templatesDir)) {
    if (entry.isDir || !entry.name.endsWith('.hbs')) continue;
    const file = repoPaths.template(entry.name);
    templates.set(entry.name, { file, text: (await readText(file)) ?? '' });
  }

  const environments = new Map<string, LoadedEnvironment>();
  const envNames = (await list(repoPaths.overlaysDir)).filter((e) => e.isDir).map((e) => e.name);
  for (const wanted of opts.envs ?? []) {
    if (!envNames.includes(wanted)) {
      // What was asked for does not exist: a usage error (exit 2), not a problem in the inputs.
      throw new UsageError(`--env: unknown environment '${wanted}' (no folder ${repoPaths.overlayDir(wanted)}); ${allowedHint(wanted, envNames)}`);
    }
  }
  for (const env of envNames) {
    if (!checkName(env, 'environment', repoPaths.overlayDir(env), problems)) continue;
    await list(repoPaths.overlayDir(env), true);
    const spec = await read<EnvironmentSpec>(repoPaths.environment(env), EnvironmentSpec, `the settings of environment ${env}`);
    const versions = await read<Versions>(repoPaths.versions(env), Versions, `the versions of environment ${env}`);
    const overrides = new Map<string, Source<Settings>>();
    for (const entry of await list(repoPaths.appOverridesDir(env))) {
      if (entry.isDir || !entry.name.endsWith('.yaml')) continue;
      const app = entry.name.slice(0, -'.yaml'.length);
      const file = repoPaths.appOverride(env, app);
      if (!checkName(app, 'app', file, problems)) continue;
      const override = await read<Settings>(file, Settings, `override of ${app}`);
      if (override) overrides.set(app, override);
    }
    if (spec && spec.value.name !== env) {
      problems.push({ file: spec.file, ...spec.locate(['name']), message: `environment name '${spec.value.name}' does not match its folder '${env}'`, hint: `set name: ${env}` });
    }
    if (spec && versions) environments.set(env, { name: env, spec, versions, overrides });
  }

  if (problems.length > 0 || !defaults || !addons || !platform) return { problems };
  return { repo: { platform, defaults, addons, apps, environments, templates, ...(exceptions ? { exceptions } : {}) }, problems };
}

/** A size for messages: bytes, KiB or MiB, as the limits are set. */
function bytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const [value, unit] = n < 1024 * 1024 ? [n / 1024, 'KiB'] : [n / (1024 * 1024), 'MiB'];
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}

/** `at` locates the name only when it is refused: locating parses the file a second time, with positions. */
function checkName(name: string, what: string, file: string, problems: Problem[], at?: () => { line: number; col: number }): boolean {
  if (!dnsLabel.test(name)) {
    problems.push({
      file,
      ...at?.(),
      message: `${what} name '${name}' is not a valid DNS-1123 label`,
      hint: 'use lower-case letters, digits and "-" (at most 63 characters), starting and ending with a letter or digit',
    });
    return false;
  }
  // Names are keys elsewhere (versions.yaml, add-on settings): an app named 'constructor' found a version on every
  // object's prototype and was deployed everywhere without one.
  if (!reservedKeys.has(name)) return true;
  problems.push({ file, ...at?.(), message: `${what} name '${name}' is reserved`, hint: `choose another name: ${reservedKeysList} are never names or keys in input files` });
  return false;
}

/**
 * Parses and schema-checks one file (YAML, or JSON, which YAML reads), pushing every problem found. `guide` is where
 * a hint sends the reader for the file's form. Exported for tests of single files and for the JSON files the tools
 * read (renderer/pins.json, base/charts.lock.json).
 */
export function checkSource<T>(file: string, text: string, schema: TSchema, problems: Problem[], guide = 'the schema named on the first line of the file'): Source<T> | undefined {
  const parsed = parseSource(file, text);
  problems.push(...parsed.problems);
  if (!parsed.source) return undefined;
  const source = parsed.source;
  // Why an empty file is an error everywhere: a truncated save or a file emptied by mistake would otherwise pass as
  // "no settings" and silently drop what it held. A file with nothing to say is deleted, not emptied.
  if (source.value === undefined || source.value === null) {
    problems.push({
      file,
      line: 1,
      col: 1,
      message: 'the file is empty (or holds only comments)',
      hint: 'write its settings (see the schema named on its first line), or delete the file if it is an optional override',
    });
    return undefined;
  }
  const validate = validatorFor(schema);
  if (!validate(source.value)) {
    // A place the parse stage already refused (a reserved key, a number that is not finite) is not reported twice.
    const refused = new Set(parsed.problems.map((p) => `${p.line}:${p.col}`));
    problems.push(...describeSchemaErrors(source, validate.errors ?? [], guide).filter((p) => !refused.has(`${p.line}:${p.col}`)));
    return undefined;
  }
  return parsed.problems.length > 0 ? undefined : (source as Source<T>);
}
