/**
 * Stage 2, merge: the loaded files → one resolved model per cluster.
 * Settings layer defaults ← app ← environment ← cluster ← per-app overlay; each merged leaf remembers which file
 * set it, so a later problem (min above max) points at the line a person wrote. Rules that span files (an overlay
 * for an unknown app, a missing version, a call to an unknown app, a cycle) are checked here, all at once.
 */
import { allowedHint, RenderError, type Problem, type SourceLocation } from './errors.js';
import type { DataPath, Source } from './source.js';
import type { LoadedEnvironment, LoadedRepo } from './load.js';
import type { AddonSpec, AppSpec, ClusterSpec, EnvironmentSpec, PlatformSpec, Settings } from './model.js';
import { findPlaintextSecrets } from './secrets.js';

/** Settings after merging: every field the defaults file sets is present. */
export type MergedSettings = Required<Omit<Settings, 'writableRootFilesystem' | 'namespace'>> & Pick<Settings, 'writableRootFilesystem' | 'namespace'> & {
  autoscaling: Required<NonNullable<Settings['autoscaling']>>;
  disruptionBudget: Required<NonNullable<Settings['disruptionBudget']>>;
  probes: { readiness: Required<NonNullable<NonNullable<Settings['probes']>['readiness']>>; liveness: Required<NonNullable<NonNullable<Settings['probes']>['liveness']>> };
  rollout: Required<NonNullable<Settings['rollout']>>;
};

export interface ResolvedApp {
  name: string;
  spec: AppSpec;
  settings: MergedSettings;
  /** Where a merged setting came from. */
  settingAt(path: DataPath): SourceLocation;
  version: string;
  image: string;
  /** Apps that call this one (they get ingress rules). */
  callers: string[];
  /** Input files that shaped this app's objects, for the generated-file header. */
  sources: string[];
}

export interface ResolvedAddon {
  spec: AddonSpec;
  values: Record<string, unknown>;
  sources: string[];
}

export interface ResolvedCluster {
  name: string;
  environment: string;
  spec: ClusterSpec;
  env: EnvironmentSpec;
  envSource: Source<EnvironmentSpec>;
  clusterIndex: number;
  apps: ResolvedApp[];
  addons: ResolvedAddon[];
}

export interface ResolvedRepo {
  platform: PlatformSpec;
  clusters: ResolvedCluster[];
}

interface Layer {
  source: Source<unknown>;
  base: DataPath;
  value: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep-merges layers left to right; lists and scalars replace, mappings merge. Remembers which layer set each leaf;
 * `origin` turns that into file:line:col only when asked (a problem needs it), because locating every leaf of every
 * app in every cluster would cost more than the merge itself.
 */
export function mergeLayers(layers: Layer[]): { value: Record<string, unknown>; origin: (path: DataPath) => SourceLocation | undefined } {
  const setBy = new Map<string, Layer>();
  const result: Record<string, unknown> = {};
  const walk = (target: Record<string, unknown>, value: Record<string, unknown>, layer: Layer, path: string) => {
    for (const key of Object.keys(value)) {
      const v = value[key];
      // NUL joins the keys: keys may hold dots (label and annotation names).
      const here = path ? `${path}\u0000${key}` : key;
      if (isPlainObject(v) && Object.keys(v).length > 0) {
        if (!isPlainObject(target[key])) target[key] = {};
        walk(target[key] as Record<string, unknown>, v, layer, here);
      } else {
        target[key] = isPlainObject(v) ? { ...(isPlainObject(target[key]) ? (target[key] as object) : {}) } : v;
        setBy.set(here, layer);
      }
    }
  };
  for (const layer of layers) if (isPlainObject(layer.value)) walk(result, layer.value, layer, '');
  const origin = (path: DataPath): SourceLocation | undefined => {
    const layer = setBy.get(path.join('\u0000'));
    return layer && { file: layer.source.file, ...layer.source.locate([...layer.base, ...path]) };
  };
  return { value: result, origin };
}

/** Resolves every cluster of every loaded environment. Throws one RenderError with every cross-file problem. */
export function resolveRepo(repo: LoadedRepo): ResolvedRepo {
  const platform = repo.platform;
  const problems: Problem[] = [];
  const appNames = [...repo.apps.keys()].sort();

  checkCallGraph(repo, appNames, problems);
  for (const source of [platform, repo.defaults, repo.addons, ...repo.apps.values()]) problems.push(...findPlaintextSecrets(source));

  const clusterOwners = new Map<string, string>();
  const clusters: ResolvedCluster[] = [];
  for (const env of [...repo.environments.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    problems.push(...findPlaintextSecrets(env.spec), ...findPlaintextSecrets(env.versions));
    for (const o of env.overrides.values()) problems.push(...findPlaintextSecrets(o));
    checkEnvironmentFiles(env, appNames, repo, problems);
    env.spec.value.clusters.forEach((cluster, clusterIndex) => {
      const where = () => ({ file: env.spec.file, ...env.spec.locate(['clusters', clusterIndex, 'name']) });
      if (cluster.name !== env.name && !cluster.name.startsWith(`${env.name}-`)) {
        problems.push({ ...where(), message: `cluster '${cluster.name}' does not belong to environment '${env.name}' by its name`, hint: `name it '${env.name}' or '${env.name}-<suffix>' (e.g. ${env.name}-dr), so a folder under clusters/ always says its environment` });
      }
      const owner = clusterOwners.get(cluster.name);
      if (owner) problems.push({ ...where(), message: `cluster '${cluster.name}' is already declared by environment '${owner}'`, hint: 'cluster names are unique across environments' });
      clusterOwners.set(cluster.name, env.name);
      clusters.push(resolveCluster(repo, platform.value, env, cluster, clusterIndex, appNames, problems));
    });
  }
  for (const name of appNames) {
    if ([...repo.environments.values()].some((env) => env.versions.value[name] !== undefined)) continue;
    const app = repo.apps.get(name)!;
    problems.push({
      file: app.file,
      line: 1,
      col: 1,
      message: `app '${name}' has no version in any environment, so it would be deployed nowhere`,
      hint: `a new app enters the promotion chain at its start: npm run release -- --app ${name} --version <release tag>`,
    });
  }
  if (problems.length > 0) throw new RenderError(problems);
  return { platform: platform.value, clusters };
}

function checkEnvironmentFiles(env: LoadedEnvironment, appNames: string[], repo: LoadedRepo, problems: Problem[]): void {
  for (const [app, source] of env.overrides) {
    if (!repo.apps.has(app)) {
      problems.push({ file: source.file, line: 1, col: 1, message: `overlay for app '${app}', which is not in the catalogue`, hint: `${allowedHint(app, appNames)}; add apps/${app}.yaml or remove this overlay` });
    }
  }
  for (const app of Object.keys(env.versions.value)) {
    if (!repo.apps.has(app)) {
      problems.push({ file: env.versions.file, ...env.versions.locate([app], true), message: `version for app '${app}', which is not in the catalogue`, hint: allowedHint(app, appNames) });
    }
  }
  const addonNames = repo.addons.value.addons.map((a) => a.name);
  for (const addon of Object.keys(env.spec.value.addons ?? {})) {
    if (!addonNames.includes(addon)) {
      problems.push({ file: env.spec.file, ...env.spec.locate(['addons', addon], true), message: `settings for add-on '${addon}', which is not in base/addons.yaml`, hint: allowedHint(addon, addonNames) });
    }
  }
  env.spec.value.clusters.forEach((cluster, i) => {
    for (const addon of Object.keys(cluster.addons ?? {})) {
      if (!addonNames.includes(addon)) {
        problems.push({ file: env.spec.file, ...env.spec.locate(['clusters', i, 'addons', addon], true), message: `settings for add-on '${addon}', which is not in base/addons.yaml`, hint: allowedHint(addon, addonNames) });
      }
    }
  });
}

function checkCallGraph(repo: LoadedRepo, appNames: string[], problems: Problem[]): void {
  for (const [name, app] of repo.apps) {
    app.value.calls.forEach((callee, i) => {
      if (!repo.apps.has(callee)) {
        problems.push({ file: app.file, ...app.locate(['calls', i]), message: `app '${name}' calls '${callee}', which is not in the catalogue`, hint: allowedHint(callee, appNames) });
      }
    });
  }
  // Why cycles matter: the call graph orders first rollouts and is the network policy; services that call each
  // other in a ring can neither start nor be reasoned about alone, so the platform keeps its call graph layered.
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      const key = [...cycle.slice(0, -1)].sort().join(',');
      if (reported.has(key)) return;
      reported.add(key);
      const from = repo.apps.get(cycle[cycle.length - 2]!)!;
      const index = from.value.calls.indexOf(name);
      problems.push({ file: from.file, ...from.locate(['calls', index]), message: `dependency cycle: ${cycle.join(' → ')}`, hint: 'the call graph must be layered; remove one of these calls' });
      return;
    }
    state.set(name, 'visiting');
    for (const callee of repo.apps.get(name)?.value.calls ?? []) if (repo.apps.has(callee)) visit(callee, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of appNames) visit(name, []);
}

function resolveCluster(
  repo: LoadedRepo,
  platform: PlatformSpec,
  env: LoadedEnvironment,
  cluster: ClusterSpec,
  clusterIndex: number,
  appNames: string[],
  problems: Problem[],
): ResolvedCluster {
  const e = env.spec.value;
  const apps: ResolvedApp[] = [];
  for (const name of appNames) {
    const app = repo.apps.get(name)!;
    const override = env.overrides.get(name);
    const layers: Layer[] = [
      { source: repo.defaults, base: [], value: repo.defaults.value },
      { source: app, base: ['settings'], value: app.value.settings },
      { source: env.spec, base: ['settings'], value: e.settings },
      { source: env.spec, base: ['clusters', clusterIndex, 'settings'], value: cluster.settings },
      ...(override ? [{ source: override, base: [], value: override.value }] : []),
    ];
    const { value, origin } = mergeLayers(layers);
    const settings = value as MergedSettings;
    const settingAt = (path: DataPath): SourceLocation => origin(path) ?? { file: repo.defaults.file };

    const a = settings.autoscaling;
    if (a.enabled && a.minReplicas > a.maxReplicas) {
      const max = settingAt(['autoscaling', 'maxReplicas']);
      problems.push({
        ...settingAt(['autoscaling', 'minReplicas']),
        message: `autoscaling.minReplicas (${a.minReplicas}) is above autoscaling.maxReplicas (${a.maxReplicas}) for app '${name}' in cluster '${cluster.name}'`,
        hint: `lower minReplicas or raise maxReplicas (maxReplicas is set at ${max.file}:${max.line ?? 1})`,
      });
    }

    const version = env.versions.value[name];
    // An app without a version in this environment is not deployed here (yet, or any more): no folder, no
    // Application. It enters at development and reaches the next environments by promotion (README, Add an app).
    if (version === undefined) continue;
    for (const callee of app.value.calls) {
      if (env.versions.value[callee] !== undefined || !repo.apps.has(callee) || clusterIndex !== 0) continue;
      problems.push({
        file: env.versions.file,
        ...env.versions.locate([name]),
        message: `app '${name}' calls '${callee}', which is not deployed in '${env.name}' (no version in ${env.versions.file})`,
        hint: `deploy ${callee} in ${env.name} first (npm run promote), or leave ${name} out of ${env.name} too`,
      });
    }
    if (e.pinnedVersions && version === 'latest' && clusterIndex === 0) {
      problems.push({ file: env.versions.file, ...env.versions.locate([name]), message: `image tag 'latest' is not allowed in ${env.name}: app '${name}'`, hint: `pin a release tag (e.g. 1.4.2); versions reach ${env.name} by npm run promote` });
    }
    const registry = cluster.imageRegistry ?? e.imageRegistry;
    apps.push({
      name,
      spec: app.value,
      settings,
      settingAt,
      version,
      image: `${registry}/${app.value.image}:${version}`,
      callers: appNames.filter((other) => env.versions.value[other] !== undefined && repo.apps.get(other)!.value.calls.includes(name)),
      sources: [app.file, repo.defaults.file, env.spec.file, env.versions.file, ...(override ? [override.file] : [])],
    });
  }

  const addons: ResolvedAddon[] = [];
  for (const addon of repo.addons.value.addons) {
    if (e.cloud === false && !addon.local) continue;
    if (e.addons?.[addon.name]?.enabled === false) continue;
    const { value } = mergeLayers([
      { source: repo.addons, base: [], value: addon.values ?? {} },
      { source: env.spec, base: [], value: clusterDerivedValues(addon.name, platform, e, cluster) },
      { source: env.spec, base: ['addons', addon.name, 'values'], value: e.addons?.[addon.name]?.values },
      { source: env.spec, base: ['clusters', clusterIndex, 'addons', addon.name, 'values'], value: cluster.addons?.[addon.name]?.values },
    ]);
    addons.push({ spec: addon, values: value, sources: [repo.addons.file, env.spec.file] });
  }

  return { name: cluster.name, environment: env.name, spec: cluster, env: e, envSource: env.spec, clusterIndex, apps, addons };
}

/**
 * Values every cluster needs that follow from facts declared elsewhere (its name, region, domain, the seed's
 * autoscaler settings), so nobody copies them into each overlay by hand.
 */
function clusterDerivedValues(addon: string, platform: PlatformSpec, env: EnvironmentSpec, cluster: ClusterSpec): Record<string, unknown> {
  const eksName = `${platform.name}-${cluster.name}`;
  switch (addon) {
    case 'cluster-autoscaler':
      return {
        awsRegion: cluster.region,
        autoDiscovery: { clusterName: eksName },
        extraArgs: {
          'scale-down-unneeded-time': platform.clusterAutoscaler.scaleDownUnneededTime,
          'scale-down-delay-after-add': platform.clusterAutoscaler.scaleDownDelayAfterAdd,
          'scale-down-utilization-threshold': platform.clusterAutoscaler.scaleDownUtilizationThreshold,
        },
      };
    case 'external-dns':
      return { domainFilters: [env.domain], txtOwnerId: cluster.name, env: [{ name: 'AWS_DEFAULT_REGION', value: cluster.region }] };
    case 'external-secrets':
      return env.secretStore.provider === 'aws-secrets-manager'
        ? { serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': env.secretStore.roleArn } } }
        : {};
    default:
      return {};
  }
}
