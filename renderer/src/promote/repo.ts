/**
 * What release, promote, gate and status need to know about a repository, read either from the working tree or
 * from a git revision through the same RepoReader interface the renderer's loader uses.
 */
import { parse } from 'yaml';
import { diskReader, type RepoReader } from '../fs.js';
import { repoPaths } from '../paths.js';
import { fileHistory, gitReader, readCommitFiles } from '../git.js';
import { parseVersions, type Versions } from './versions.js';
import { declaredCalls } from '../render/call-graph.js';
import type { AppSpec } from '../model.js';
import type { AppCalls } from './wiring.js';

export { diskReader };

/** The app catalogue: one `apps/<app>.yaml` per app. */
export async function readCatalogue(reader: RepoReader): Promise<string[]> {
  return (await reader.list(repoPaths.appsDir))
    .filter((e) => !e.isDir && e.name.endsWith('.yaml'))
    .map((e) => e.name.slice(0, -'.yaml'.length))
    .sort();
}

/** overlays/<env>/versions.yaml as a map, and its text (for editing); an empty map when the file is absent. */
export async function readVersions(reader: RepoReader, env: string): Promise<{ versions: Versions; text: string | undefined }> {
  const file = repoPaths.versions(env);
  const text = await reader.read(file);
  return { versions: text === undefined ? new Map() : parseVersions(file, text), text };
}

/** The image repository path of each app (apps/<app>.yaml `image`), to find its tag among an Application's images. */
export async function readImages(reader: RepoReader, apps: string[]): Promise<Map<string, string>> {
  const images = new Map<string, string>();
  for (const app of apps) {
    const text = await reader.read(repoPaths.app(app));
    const image = text === undefined ? undefined : (parse(text) as { image?: unknown } | null)?.image;
    if (typeof image === 'string') images.set(app, image);
  }
  return images;
}

/**
 * Each app's declared calls (apps/<app>.yaml `calls`) at a commit, read as the call graph reads them
 * (render/call-graph.ts): every catalogue file in one `git cat-file --batch`, which the gate can afford on every run.
 */
export async function readCalls(root: string, rev: string): Promise<AppCalls> {
  const calls: AppCalls = new Map();
  for (const file of await readCommitFiles(root, rev, [repoPaths.appsDir])) {
    const app = /^apps\/([^/]+)\.yaml$/.exec(file.path)?.[1];
    const declared = app === undefined ? undefined : (parse(file.bytes.toString('utf8')) as { calls?: unknown } | null)?.calls;
    if (app !== undefined && Array.isArray(declared)) calls.set(app, declaredCalls({ calls: declared } as Pick<AppSpec, 'calls'>));
  }
  return calls;
}

/** A version an environment had, with the newest commit whose versions.yaml held it. */
export interface PastVersion {
  version: string;
  commit: string;
}

/**
 * Every version each app had in overlays/<env>/versions.yaml on the first-parent history of `rev`, newest first,
 * each with the newest commit that held it: the evidence that the environment ran it (merging is deploying).
 */
export async function versionHistory(root: string, rev: string, env: string): Promise<Map<string, PastVersion[]>> {
  const history = new Map<string, PastVersion[]>();
  for (const commit of await fileHistory(root, rev, repoPaths.versions(env))) {
    let versions: Versions;
    try {
      versions = (await readVersions(gitReader(root, commit), env)).versions;
    } catch {
      continue; // a versions file that did not parse never rendered, so it deployed nothing
    }
    for (const [app, version] of versions) {
      const past = history.get(app) ?? [];
      if (!past.some((p) => p.version === version)) past.push({ version, commit });
      history.set(app, past);
    }
  }
  return history;
}
