/**
 * Stage 2, merge: the loaded files → one resolved model per cluster.
 * Settings layer defaults ← app ← environment ← cluster ← per-app overlay; each merged leaf remembers which file
 * set it, so a later problem (min above max) points at the line a person wrote. Rules that span files (an overlay
 * for an unknown app, a missing version, a call to an unknown app, a cycle) are checked here, all at once. The guard
 * rails over what it merged run after it (resolve.ts), so guards.ts may read the merged model without a cycle.
 */
import { allowedHint, lazyLocation, type Problem, type SourceLocation } from '../errors.js';
import type { DataPath, Source } from '../source.js';
import type { LoadedEnvironment, LoadedRepo } from './load.js';
import type { AddonCapability, AppSpec, ClusterSpec, EnvironmentSpec, PlatformSpec, Settings } from '../model.js';
import { resolvePromotionChain } from './chain.js';
import { checkCallGraph, resolveCalls, type EnvironmentCalls } from './call-graph.js';
import { mergeLayers, type Layer } from './layers.js';
import { resolveClusterAddons, type ResolvedAddon } from './addon-values.js';

/** Settings after merging: every field the defaults file sets is present. */
export type MergedSettings = Required<Omit<Settings, 'writableRootFilesystem' | 'namespace'>> &
  Pick<Settings, 'writableRootFilesystem' | 'namespace'> & {
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
  /** Where the version is set: the app's line of the environment's versions.yaml (the image-tag policy points there). */
  versionAt: SourceLocation;
  image: string;
  /** Apps deployed here that call this one (they get ingress rules). */
  callers: string[];
  /** Apps deployed here that this one calls (it gets their *_URL variables and egress rules): call-graph.ts. */
  calls: string[];
  /** Input files that shaped this app's objects, for the generated-file header. */
  sources: string[];
}

export interface ResolvedCluster {
  name: string;
  environment: string;
  /** The platform's name (base/platform.yaml `name`): every object of the cluster is labelled part of it. */
  platform: string;
  spec: ClusterSpec;
  env: EnvironmentSpec;
  envSource: Source<EnvironmentSpec>;
  /** The cluster's position in its environment file's `clusters` list (0: the primary); not clusters/index.json. */
  clusterPosition: number;
  apps: ResolvedApp[];
  addons: ResolvedAddon[];
}

export interface ResolvedRepo {
  platform: PlatformSpec;
  /** The environments versions move through, in order (each one's `promotesFrom` is the one before). */
  promotionChain: string[];
  clusters: ResolvedCluster[];
  /** What the render leaves out on purpose and says so (calls waiting for their callee), one line per environment. */
  notes: string[];
}

/** One app's merged settings in one cluster, deployed there or not: what the guard rails check (resolve.ts). */
export interface MergedAppSettings {
  app: Source<AppSpec>;
  cluster: string;
  settings: MergedSettings;
  settingAt(path: DataPath): SourceLocation;
}

/**
 * Merges every cluster of every loaded environment: the merged model, each app's settings per cluster (for the guard
 * rails) and every cross-file problem. The model is whole only when there are no problems (resolve.ts decides).
 */
export function mergeRepo(repo: LoadedRepo): { merged: ResolvedRepo; appSettings: MergedAppSettings[]; problems: Problem[] } {
  const platform = repo.platform;
  const problems: Problem[] = [];
  const appSettings: MergedAppSettings[] = [];
  const appNames = [...repo.apps.keys()].sort();

  checkCallGraph(repo, appNames, problems);

  const promotionChain = resolvePromotionChain([...repo.environments.values()], problems);
  const calls = resolveCalls(repo, appNames, promotionChain);
  problems.push(...calls.problems);

  const clusterOwners = new Map<string, string>();
  const clusters: ResolvedCluster[] = [];
  for (const env of [...repo.environments.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    checkEnvironmentFiles(env, appNames, repo, problems);
    env.spec.value.clusters.forEach((cluster, clusterPosition) => {
      const where = () => ({ file: env.spec.file, ...env.spec.locate(['clusters', clusterPosition, 'name']) });
      if (cluster.name !== env.name && !cluster.name.startsWith(`${env.name}-`)) {
        problems.push({
          ...where(),
          message: `cluster '${cluster.name}' does not belong to environment '${env.name}' by its name`,
          hint: `name it '${env.name}' or '${env.name}-<suffix>' (e.g. ${env.name}-dr), so a folder under clusters/ always says its environment`,
        });
      }
      const owner = clusterOwners.get(cluster.name);
      if (owner)
        problems.push({ ...where(), message: `cluster '${cluster.name}' is already declared by environment '${owner}'`, hint: 'cluster names are unique across environments' });
      clusterOwners.set(cluster.name, env.name);
      clusters.push(resolveCluster(repo, platform.value, env, cluster, clusterPosition, appNames, calls.byEnvironment.get(env.name)!, problems, appSettings));
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
  return { merged: { platform: platform.value, promotionChain, clusters, notes: calls.notes }, appSettings, problems };
}

function checkEnvironmentFiles(env: LoadedEnvironment, appNames: string[], repo: LoadedRepo, problems: Problem[]): void {
  for (const [app, source] of env.overrides) {
    if (!repo.apps.has(app)) {
      problems.push({
        file: source.file,
        line: 1,
        col: 1,
        message: `overlay for app '${app}', which is not in the catalogue`,
        hint: `${allowedHint(app, appNames)}; add apps/${app}.yaml or remove this overlay`,
      });
    }
  }
  for (const app of Object.keys(env.versions.value)) {
    if (!repo.apps.has(app)) {
      problems.push({
        file: env.versions.file,
        ...env.versions.locate([app], true),
        message: `version for app '${app}', which is not in the catalogue`,
        hint: allowedHint(app, appNames),
      });
    }
  }
  const addonNames = repo.addons.value.addons.map((a) => a.name);
  for (const addon of Object.keys(env.spec.value.addons ?? {})) {
    if (!addonNames.includes(addon)) {
      problems.push({
        file: env.spec.file,
        ...env.spec.locate(['addons', addon], true),
        message: `settings for add-on '${addon}', which is not in base/addons.yaml`,
        hint: allowedHint(addon, addonNames),
      });
    }
  }
  env.spec.value.clusters.forEach((cluster, i) => {
    for (const addon of Object.keys(cluster.addons ?? {})) {
      if (!addonNames.includes(addon)) {
        problems.push({
          file: env.spec.file,
          ...env.spec.locate(['clusters', i, 'addons', addon], true),
          message: `settings for add-on '${addon}', which is not in base/addons.yaml`,
          hint: allowedHint(addon, addonNames),
        });
      }
    }
  });
}

/** Where a cluster sits: its environment's files, and its place in the environment's `clusters` list. */
interface ClusterPlace {
  repo: LoadedRepo;
  env: LoadedEnvironment;
  cluster: ClusterSpec;
  /** The cluster's position in the environment file's `clusters` list (0: the primary). */
  clusterPosition: number;
}

function resolveCluster(
  repo: LoadedRepo,
  platform: PlatformSpec,
  env: LoadedEnvironment,
  cluster: ClusterSpec,
  clusterPosition: number,
  appNames: string[],
  graph: EnvironmentCalls,
  problems: Problem[],
  appSettings: MergedAppSettings[],
): ResolvedCluster {
  const place: ClusterPlace = { repo, env, cluster, clusterPosition };
  const apps: ResolvedApp[] = [];
  for (const name of appNames) {
    const merged = mergeAppSettings(place, name, problems);
    appSettings.push(merged);
    const app = deployedApp(place, name, merged, graph);
    if (app) apps.push(app);
  }
  const effective = effectiveEnvironment(env.spec.value, cluster);
  const { addons, problems: addonProblems } = resolveClusterAddons({ catalogue: repo.addons, platform, envSource: env.spec, environment: effective, cluster, clusterPosition });
  problems.push(...addonProblems);
  const resolved: ResolvedCluster = {
    name: cluster.name,
    environment: env.name,
    platform: platform.name,
    spec: cluster,
    env: effective,
    envSource: env.spec,
    clusterPosition,
    apps,
    addons,
  };
  checkCapabilities(place, resolved, problems);
  return resolved;
}

/** An app's settings in the cluster, merged from the layers, with where each came from; min above max is a problem. */
function mergeAppSettings({ repo, env, cluster, clusterPosition }: ClusterPlace, name: string, problems: Problem[]): MergedAppSettings {
  const app = repo.apps.get(name)!;
  const override = env.overrides.get(name);
  const layers: Layer[] = [
    { source: repo.defaults, base: [], value: repo.defaults.value },
    { source: app, base: ['settings'], value: app.value.settings },
    { source: env.spec, base: ['settings'], value: env.spec.value.settings },
    { source: env.spec, base: ['clusters', clusterPosition, 'settings'], value: cluster.settings },
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
  return { app, cluster: cluster.name, settings, settingAt };
}

/** The app as the cluster runs it, or undefined when its environment gives it no version. */
function deployedApp({ repo, env, cluster }: ClusterPlace, name: string, { app, settings, settingAt }: MergedAppSettings, graph: EnvironmentCalls): ResolvedApp | undefined {
  const e = env.spec.value;
  const version = env.versions.value[name];
  // An app without a version in this environment is not deployed here (yet, or any more): no folder, no
  // Application. It enters at the start of the chain and reaches the next environments by promotion (README, Add an app).
  if (version === undefined) return undefined;
  const override = env.overrides.get(name);
  const registry = cluster.imageRegistry ?? e.imageRegistry;
  return {
    name,
    spec: app.value,
    settings,
    settingAt,
    version,
    versionAt: lazyLocation(env.versions.file, () => env.versions.locate([name])),
    image: `${registry}/${app.value.image}:${version}`,
    callers: graph.callersOf.get(name) ?? [],
    calls: graph.callsOf.get(name) ?? [],
    sources: [app.file, repo.defaults.file, env.spec.file, env.versions.file, ...(override ? [override.file] : [])],
  };
}

/** What a cluster declares for itself (a standby in another region) replaces the environment's. */
function effectiveEnvironment(e: EnvironmentSpec, cluster: ClusterSpec): EnvironmentSpec {
  return {
    ...e,
    dataStores: cluster.dataStores ?? e.dataStores,
    secretStore: cluster.secretStore && e.secretStore.provider === 'aws-secrets-manager' ? { ...e.secretStore, ...cluster.secretStore } : e.secretStore,
  };
}

/** Every capability the cluster's settings need (a secret operator, certificates, metrics) has an add-on providing it. */
function checkCapabilities({ repo, env, cluster }: ClusterPlace, resolved: ResolvedCluster, problems: Problem[]): void {
  const e = env.spec.value;
  const needs = (capability: AddonCapability, why: string, at: DataPath | SourceLocation) => {
    if (providerOf(resolved, capability)) return;
    const providers = repo.addons.value.addons.filter((a) => a.provides?.includes(capability)).map((a) => a.name);
    problems.push({
      ...(Array.isArray(at) ? { file: env.spec.file, ...env.spec.locate(at) } : (at as SourceLocation)),
      message: `${why} in cluster '${cluster.name}', but none of its add-ons provides '${capability}'`,
      hint: providers.length > 0 ? `enable ${providers.join(' or ')} (base/addons.yaml)` : `add 'provides: [${capability}]' to the add-on that does it in base/addons.yaml`,
    });
  };
  if (e.secretStore.provider === 'aws-secrets-manager') needs('secrets', 'the secret store needs an operator to authenticate as', ['secretStore', 'provider']);
  if (e.ingress.clusterIssuer && e.ingress.acme) needs('certificates', `the ClusterIssuer '${e.ingress.clusterIssuer}' needs a certificate operator`, ['ingress', 'clusterIssuer']);
  const autoscaled = resolved.apps.find((a) => a.settings.autoscaling.enabled);
  if (autoscaled) needs('metrics', `the HorizontalPodAutoscaler of app '${autoscaled.name}' reads the resource metrics API`, autoscaled.settingAt(['autoscaling', 'enabled']));
}

/** The cluster's add-on that provides a capability (base/addons.yaml `provides`), if it installs one. */
export function providerOf(cluster: ResolvedCluster, capability: AddonCapability): ResolvedAddon | undefined {
  return cluster.addons.find((a) => a.spec.provides?.includes(capability));
}
