/**
 * The add-ons of one cluster and the chart values each gets. Which add-ons a cluster installs, and what their values
 * say about the cluster (its name, region, domain, the platform's autoscaler settings), are data in base/addons.yaml:
 * `clusterValues` and `cloudValues` carry placeholders such as `{{cluster.region}}`, filled here from the platform,
 * environment and cluster files. Code keeps only the mechanisms every add-on shares: IAM roles (`irsa`), the Secrets
 * a chart reads (`secrets`), and the order of the layers.
 */
import Handlebars from 'handlebars';
import type { Problem, SourceLocation } from '../errors.js';
import type { DataPath, Source } from '../source.js';
import type { AddonCapability, AddonCatalogue, AddonSpec, ClusterSpec, EnvironmentSpec, PlatformSpec } from '../model.js';
import { isPlainObject, mergeLayers, type Layer } from './layers.js';
import { alertmanagerConfig, alertmanagerSecret } from './alerting.js';

export interface ResolvedAddon {
  spec: AddonSpec;
  values: Record<string, unknown>;
  sources: string[];
}

/** What placeholders read: `platform.*`, `environment.*`, `cluster.*`, and `providers.<capability>.name|namespace`. */
export interface PlaceholderContext {
  platform: PlatformSpec;
  environment: EnvironmentSpec;
  cluster: ClusterSpec;
  /** The installed add-on that provides each capability. */
  providers: Partial<Record<AddonCapability, { name: string; namespace: string }>>;
  /** Alertmanager's route and receivers and the Secret of their credentials, where the environment declares alerting. */
  alerting?: { alertmanager: ReturnType<typeof alertmanagerConfig>; secretName: string };
}

export interface ClusterAddonsInput {
  catalogue: Source<AddonCatalogue>;
  platform: PlatformSpec;
  envSource: Source<EnvironmentSpec>;
  /** The environment as this cluster sees it (a standby's own data stores and secret store region). */
  environment: EnvironmentSpec;
  cluster: ClusterSpec;
  /** The cluster's position in the environment file's `clusters` list. */
  clusterPosition: number;
}

const placeholderHint =
  'placeholders read platform.<key> (base/platform.yaml), environment.<key> and cluster.<key> (overlays/<env>/environment.yaml), providers.<capability>.name|namespace, alerting.alertmanager.route|receivers and alerting.secretName';

/** The add-ons a cluster installs, each with its merged values, or the problems that stop it. */
export function resolveClusterAddons(input: ClusterAddonsInput): { addons: ResolvedAddon[]; problems: Problem[] } {
  const { catalogue, platform, envSource, environment: env, cluster, clusterPosition } = input;
  const problems: Problem[] = [];
  const cloud = env.cloud !== false;
  const wanted = catalogue.value.addons.map((spec, index) => ({ spec, index })).filter(({ spec }) => (cloud || spec.local) && env.addons?.[spec.name]?.enabled !== false);
  const providers: PlaceholderContext['providers'] = {};
  for (const { spec } of wanted) for (const c of (spec.provides ?? []) as AddonCapability[]) providers[c] ??= { name: spec.name, namespace: spec.namespace };
  // An add-on that serves another (a log collector) goes only where that other one runs. One pass decides: what
  // an add-on provides never depends on what it requires.
  const installed = wanted.filter(({ spec }) => ((spec.requires ?? []) as AddonCapability[]).every((c) => providers[c] !== undefined));
  const context: PlaceholderContext = {
    platform,
    environment: env,
    cluster,
    providers,
    ...(env.alerting ? { alerting: { alertmanager: alertmanagerConfig(env.alerting), secretName: alertmanagerSecret } } : {}),
  };

  const addons: ResolvedAddon[] = [];
  /** Placeholders that name nothing for this cluster → the add-ons and lines that use them. */
  const unset = new Map<string, { addon: string; where: SourceLocation }[]>();
  for (const { spec: addon, index } of installed) {
    if (addon.irsa && cloud && !env.awsAccountId) {
      problems.push({
        file: envSource.file,
        ...envSource.locate(['name']),
        message: `add-on '${addon.name}' calls AWS, but environment '${env.name}' has no awsAccountId for its IAM role`,
        hint: `add awsAccountId: '<12 digits>' (the role is arn:aws:iam::<awsAccountId>:role/${irsaRoleName(platform, cluster, addon.name)})`,
      });
    }
    const fromCatalogue = (key: 'clusterValues' | 'cloudValues' | readonly ['whenProvided', string]): Layer => {
      const base = ['addons', index, ...(typeof key === 'string' ? [key] : key)];
      const at = (path: DataPath) => ({ file: catalogue.file, ...catalogue.locate([...base, ...path]) });
      const value = typeof key === 'string' ? addon[key] : addon.whenProvided?.[key[1]];
      const missing = (placeholder: string, where: SourceLocation) => {
        const users = unset.get(placeholder) ?? [];
        if (!users.some((u) => u.addon === addon.name)) unset.set(placeholder, [...users, { addon: addon.name, where }]);
      };
      return { source: catalogue, base, value: fillPlaceholders(value ?? {}, context, at, problems, missing) };
    };
    const { value } = mergeLayers([
      { source: catalogue, base: ['addons', index, 'values'], value: addon.values ?? {} },
      ...(env.highAvailability ? [{ source: catalogue, base: ['addons', index, 'highAvailabilityValues'], value: addon.highAvailabilityValues }] : []),
      ...mechanismValues(addon, platform, env, cluster).map((value) => ({ source: envSource, base: [], value })),
      fromCatalogue('clusterValues'),
      ...(cloud ? [fromCatalogue('cloudValues')] : []),
      ...Object.keys(addon.whenProvided ?? {})
        .filter((c) => providers[c as AddonCapability] !== undefined)
        .map((c) => fromCatalogue(['whenProvided', c])),
      { source: envSource, base: ['addons', addon.name, 'values'], value: env.addons?.[addon.name]?.values },
      { source: envSource, base: ['clusters', clusterPosition, 'addons', addon.name, 'values'], value: cluster.addons?.[addon.name]?.values },
    ]);
    addons.push({ spec: addon, values: value, sources: [catalogue.file, envSource.file] });
  }
  for (const [placeholder, users] of unset) problems.push(unsetFact(placeholder, users, input));
  return { addons, problems };
}

/**
 * A fact the add-ons' values need that the cluster does not declare, once per fact: at the cluster or the environment
 * that should declare it (a person fixes the overlay, not the catalogue), else at the first placeholder.
 */
function unsetFact(placeholder: string, users: { addon: string; where: SourceLocation }[], input: ClusterAddonsInput): Problem {
  const { envSource, cluster, clusterPosition, environment } = input;
  const [scope, ...rest] = placeholder.split('.');
  const key = rest.join('.');
  const uses = users.map((u) => `${u.addon} (${u.where.file}:${u.where.line ?? 1})`).join(', ');
  const message = `the add-on values of ${uses} need ${placeholder}, which cluster '${cluster.name}' of environment '${environment.name}' does not set`;
  if (scope === 'cluster')
    return { file: envSource.file, ...envSource.locate(['clusters', clusterPosition, 'name']), message, hint: `add ${key}: … to cluster '${cluster.name}' in ${envSource.file}` };
  if (scope === 'environment') return { file: envSource.file, ...envSource.locate(['name']), message, hint: `add ${key}: … to ${envSource.file}` };
  if (scope === 'alerting')
    return { file: envSource.file, ...envSource.locate(['name']), message, hint: `add alerting: { receivers: [...] } to ${envSource.file} (docs/argocd.md, Add-ons)` };
  return { ...users[0]!.where, message, hint: placeholderHint };
}

/** The IAM role name of an add-on that calls AWS: one per cluster and add-on, so each gets only its own policy. */
function irsaRoleName(platform: PlatformSpec, cluster: ClusterSpec, addon: string): string {
  return `${platform.name}-${cluster.name}-${addon}`;
}

/** `{ a: { b: value } }` for the dotted path "a.b". */
function atPath(dotted: string, value: unknown): Record<string, unknown> {
  return dotted
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

/**
 * The values of the mechanisms every add-on may declare: its IAM role (`irsa`, a values path) and the names of the
 * Secrets its chart reads (`secrets[].valuesPath`), which the platform folder creates.
 */
function mechanismValues(addon: AddonSpec, platform: PlatformSpec, env: EnvironmentSpec, cluster: ClusterSpec): Record<string, unknown>[] {
  const role =
    addon.irsa && env.cloud !== false && env.awsAccountId
      ? atPath(addon.irsa, { annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${env.awsAccountId}:role/${irsaRoleName(platform, cluster, addon.name)}` } })
      : {};
  return [role, ...(addon.secrets ?? []).map((s) => atPath(s.valuesPath, s.name))];
}

/** The value at a dotted path of the context, own keys only (keys from files are data, never a prototype's). */
function lookup(context: PlaceholderContext, parts: readonly string[]): unknown {
  let here: unknown = context;
  for (const part of parts) {
    if (typeof here !== 'object' || here === null || !Object.hasOwn(here, part)) return undefined;
    here = (here as Record<string, unknown>)[part];
  }
  return here;
}

type Piece = { text: string } | { path: string[]; original: string };

/**
 * A string's placeholders, parsed by Handlebars (the templating this repository chose) and limited to plain paths:
 * `{{cluster.region}}`, no helpers, blocks or parameters. Undefined when the string has none.
 */
function placeholders(text: string): Piece[] | { error: string } | undefined {
  if (!text.includes('{{')) return undefined;
  // The same catalogue strings are filled for every cluster that installs the add-on: parse each once.
  let parsed = parsedPlaceholders.get(text);
  if (parsed === undefined) parsedPlaceholders.set(text, (parsed = parsePlaceholders(text)));
  return parsed;
}

const parsedPlaceholders = new Map<string, Piece[] | { error: string }>();

function parsePlaceholders(text: string): Piece[] | { error: string } {
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(text);
  } catch (e) {
    return { error: (e as Error).message.split('\n')[0]! };
  }
  const pieces: Piece[] = [];
  for (const node of ast.body) {
    if (node.type === 'ContentStatement') {
      pieces.push({ text: (node as hbs.AST.ContentStatement).value });
      continue;
    }
    const m = node as hbs.AST.MustacheStatement;
    const path = m.path as hbs.AST.PathExpression;
    if (node.type !== 'MustacheStatement' || path.type !== 'PathExpression' || path.data || m.params.length > 0 || m.hash) {
      return { error: 'only plain paths such as {{cluster.region}} are allowed (no helpers, blocks or parameters)' };
    }
    pieces.push({ path: path.parts, original: path.original });
  }
  return pieces;
}

/**
 * Fills the placeholders in every string of `value`. A string that is one placeholder and nothing else takes the
 * value it names with its type (a number stays a number); in any other string each placeholder is replaced by its
 * text. A placeholder that names nothing goes to `missing`, which knows where the fact should be declared.
 */
export function fillPlaceholders(
  value: unknown,
  context: PlaceholderContext,
  at: (path: DataPath) => SourceLocation,
  problems: Problem[],
  missing: (placeholder: string, at: SourceLocation) => void,
  path: DataPath = [],
): unknown {
  if (Array.isArray(value)) return value.map((v, i) => fillPlaceholders(v, context, at, problems, missing, [...path, i]));
  if (isPlainObject(value)) {
    const out = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value)) out[key] = fillPlaceholders(value[key], context, at, problems, missing, [...path, key]);
    return out;
  }
  if (typeof value !== 'string') return value;
  const pieces = placeholders(value);
  if (pieces === undefined) return value;
  if ('error' in pieces) {
    problems.push({ ...at(path), message: `placeholder in ${JSON.stringify(value)}: ${pieces.error}`, hint: placeholderHint });
    return value;
  }
  const resolve = (piece: Extract<Piece, { path: string[] }>): unknown => {
    const found = lookup(context, piece.path);
    if (found === undefined) missing(piece.original, at(path));
    return found;
  };
  const only = pieces.length === 1 ? pieces[0]! : undefined;
  if (only && 'path' in only) return resolve(only) ?? value;
  return pieces
    .map((piece) => {
      if ('text' in piece) return piece.text;
      const found = resolve(piece);
      if (found !== undefined && typeof found === 'object') {
        problems.push({
          ...at(path),
          message: `placeholder {{${piece.original}}} inside text names a mapping or list, not a scalar`,
          hint: 'make the placeholder the whole value',
        });
      }
      return found === undefined ? `{{${piece.original}}}` : String(found);
    })
    .join('');
}
