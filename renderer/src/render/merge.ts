/**
 * Stage 2, merge: the loaded files → one resolved model per cluster.
 * Settings layer defaults ← app ← environment ← cluster ← per-app overlay; each merged leaf remembers which file
 * set it, so a later problem (min above max) points at the line a person wrote. Rules that span files (an overlay
 * for an unknown app, a missing version, a call to an unknown app, a cycle) are checked here, all at once.
 */
import { allowedHint, type Problem, type SourceLocation } from '../errors.js';
import type { DataPath, Source } from '../source.js';
import type { LoadedEnvironment, LoadedRepo } from './load.js';
import type { AddonCapability, AddonSpec, AppSpec, ClusterSpec, EnvironmentSpec, PlatformSpec, Settings } from '../model.js';
import { findPlaintextSecrets } from './secrets.js';
import { checkAppGuards, checkAppNames, checkSecretExceptions } from './guards.js';

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
  /** The environments versions move through, in order (each one's `promotesFrom` is the one before). */
  promotionChain: string[];
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
 * A mapping that holds keys from files: no prototype, so a key is only ever data (`__proto__` cannot reach
 * Object.prototype, and a missing key is never found on a prototype). The loader refuses the reserved keys too
 * (source.ts); this keeps the merge safe whatever its input.
 */
function dataObject(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

/**
 * Deep-merges layers left to right; lists and scalars replace, mappings merge. Remembers which layer set each leaf;
 * `origin` turns that into file:line:col only when asked (a problem needs it), because locating every leaf of every
 * app in every cluster would cost more than the merge itself.
 */
export function mergeLayers(layers: Layer[]): { value: Record<string, unknown>; origin: (path: DataPath) => SourceLocation | undefined } {
  const setBy = new Map<string, Layer>();
  const result = dataObject();
  const walk = (target: Record<string, unknown>, value: Record<string, unknown>, layer: Layer, path: string) => {
    for (const key of Object.keys(value)) {
      const v = value[key];
      // NUL joins the keys: keys may hold dots (label and annotation names).
      const here = path ? `${path}\u0000${key}` : key;
      // Own keys only: in an object with a prototype, target['constructor'] would be a function found through it.
      const current = Object.hasOwn(target, key) ? target[key] : undefined;
      if (isPlainObject(v) && Object.keys(v).length > 0) {
        if (!isPlainObject(current)) target[key] = dataObject();
        walk(target[key] as Record<string, unknown>, v, layer, here);
      } else {
        target[key] = isPlainObject(v) ? Object.assign(dataObject(), isPlainObject(current) ? current : {}) : v;
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

/** Resolves every cluster of every loaded environment: the resolved model, or every cross-file problem (then none). */
export function resolveRepo(repo: LoadedRepo): { resolved?: ResolvedRepo; problems: Problem[] } {
  const platform = repo.platform;
  const problems: Problem[] = [];
  const appNames = [...repo.apps.keys()].sort();

  checkCallGraph(repo, appNames, problems);
  const allowed = repo.exceptions?.value.secrets ?? [];
  const inputs = [platform, repo.defaults, repo.addons, ...repo.apps.values(), ...[...repo.environments.values()].flatMap((e) => [e.spec, e.versions, ...e.overrides.values()])];
  for (const source of inputs) problems.push(...findPlaintextSecrets(source, allowed));
  if (repo.exceptions) problems.push(...checkSecretExceptions(repo.exceptions, inputs));
  for (const app of repo.apps.values()) problems.push(...checkAppNames(app, [...repo.environments.keys()].sort()));

  const clusterOwners = new Map<string, string>();
  const clusters: ResolvedCluster[] = [];
  for (const env of [...repo.environments.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    checkEnvironmentFiles(env, appNames, repo, problems);
    env.spec.value.clusters.forEach((cluster, clusterIndex) => {
      const where = () => ({ file: env.spec.file, ...env.spec.locate(['clusters', clusterIndex, 'name']) });
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
  const promotionChain = resolvePromotionChain([...repo.environments.values()], problems);
  if (problems.length > 0) return { problems };
  return { resolved: { platform: platform.value, promotionChain, clusters }, problems };
}

/**
 * The promotion chain from each environment's `promotesFrom`: one line from the one environment that names none
 * (where releases enter) to the end, every environment not marked `promotion: none` on it exactly once.
 */
function resolvePromotionChain(environments: LoadedEnvironment[], problems: Problem[]): string[] {
  const before = problems.length;
  const envs = [...environments].sort((a, b) => (a.name < b.name ? -1 : 1));
  const members = envs.filter((e) => e.spec.value.promotion !== 'none');
  const memberNames = members.map((e) => e.name);
  const at = (env: LoadedEnvironment, key: string) => ({ file: env.spec.file, ...env.spec.locate([key], true) });
  const fix = 'each environment in the chain names the one before it (promotesFrom: <env>), the first names none; `promotion: none` keeps one outside the chain';
  for (const env of envs.filter((e) => e.spec.value.promotion === 'none' && e.spec.value.promotesFrom !== undefined)) {
    problems.push({
      ...at(env, 'promotesFrom'),
      message: `environment '${env.name}' is outside the promotion chain (promotion: none) but promotes from '${env.spec.value.promotesFrom}'`,
      hint: 'remove one of the two',
    });
  }
  const next = new Map<string, LoadedEnvironment>();
  for (const env of members) {
    const from = env.spec.value.promotesFrom;
    if (from === undefined) continue;
    if (from === env.name) {
      problems.push({ ...at(env, 'promotesFrom'), message: `environment '${env.name}' promotes from itself`, hint: fix });
    } else if (!memberNames.includes(from)) {
      const outside = envs.some((e) => e.name === from);
      problems.push({
        ...at(env, 'promotesFrom'),
        message: outside
          ? `environment '${env.name}' promotes from '${from}', which is outside the promotion chain (promotion: none)`
          : `environment '${env.name}' promotes from '${from}', which is not an environment`,
        hint: allowedHint(
          from,
          memberNames.filter((n) => n !== env.name),
        ),
      });
    } else if (next.has(from)) {
      const other = next.get(from)!;
      problems.push({
        ...at(env, 'promotesFrom'),
        message: `environments '${other.name}' and '${env.name}' both promote from '${from}'; the promotion chain is one line`,
        hint: `make one of them promote from the other (${other.spec.file}:${at(other, 'promotesFrom').line})`,
      });
    } else next.set(from, env);
  }
  if (problems.length > before) return [];
  const firsts = members.filter((e) => e.spec.value.promotesFrom === undefined);
  if (firsts.length > 1) {
    for (const env of firsts.slice(1)) {
      problems.push({
        ...at(env, 'name'),
        message: `environments ${firsts.map((e) => `'${e.name}'`).join(' and ')} both start the promotion chain (neither names promotesFrom)`,
        hint: fix,
      });
    }
    return [];
  }
  const chain: string[] = [];
  for (let env = firsts[0]; env; env = next.get(env.name)) chain.push(env.name);
  const left = members.filter((e) => !chain.includes(e.name));
  if (left.length > 0) {
    // Every environment off the line has one predecessor and no two share one, so they form rings.
    const cycle: string[] = [left[0]!.name];
    for (let from = left[0]!.spec.value.promotesFrom!; !cycle.includes(from); from = envs.find((e) => e.name === from)!.spec.value.promotesFrom!) cycle.push(from);
    const env = left[0]!;
    problems.push({ ...at(env, 'promotesFrom'), message: `promotion cycle: ${[...cycle, cycle[0]].join(' ← ')}`, hint: fix });
    return [];
  }
  return chain;
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

function checkCallGraph(repo: LoadedRepo, appNames: string[], problems: Problem[]): void {
  for (const [name, app] of repo.apps) {
    app.value.calls.forEach((callee, i) => {
      if (!repo.apps.has(callee)) {
        problems.push({
          file: app.file,
          ...app.locate(['calls', i]),
          message: `app '${name}' calls '${callee}', which is not in the catalogue`,
          hint: allowedHint(callee, appNames),
        });
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
      problems.push({
        file: from.file,
        ...from.locate(['calls', index]),
        message: `dependency cycle: ${cycle.join(' → ')}`,
        hint: 'the call graph must be layered; remove one of these calls',
      });
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
  // Who calls whom among the apps deployed here, built once: filtering every app per app is quadratic at 1,000 apps.
  const callersOf = new Map<string, string[]>();
  for (const caller of appNames) {
    if (env.versions.value[caller] === undefined) continue;
    for (const callee of new Set(repo.apps.get(caller)!.value.calls)) callersOf.set(callee, [...(callersOf.get(callee) ?? []), caller]);
  }
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

    problems.push(...checkAppGuards(app, cluster.name, settings, settingAt));

    const version = env.versions.value[name];
    // An app without a version in this environment is not deployed here (yet, or any more): no folder, no
    // Application. It enters at the start of the chain and reaches the next environments by promotion (README, Add an app).
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
      problems.push({
        file: env.versions.file,
        ...env.versions.locate([name]),
        message: `image tag 'latest' is not allowed in ${env.name}: app '${name}'`,
        hint: `pin a release tag (e.g. 1.4.2); versions reach ${env.name} by npm run promote`,
      });
    }
    const registry = cluster.imageRegistry ?? e.imageRegistry;
    apps.push({
      name,
      spec: app.value,
      settings,
      settingAt,
      version,
      image: `${registry}/${app.value.image}:${version}`,
      callers: callersOf.get(name) ?? [],
      sources: [app.file, repo.defaults.file, env.spec.file, env.versions.file, ...(override ? [override.file] : [])],
    });
  }

  // What a cluster declares for itself (a standby in another region) replaces the environment's.
  const effective: EnvironmentSpec = {
    ...e,
    dataStores: cluster.dataStores ?? e.dataStores,
    secretStore: cluster.secretStore && e.secretStore.provider === 'aws-secrets-manager' ? { ...e.secretStore, ...cluster.secretStore } : e.secretStore,
  };
  const addons: ResolvedAddon[] = [];
  if (e.cloud !== false && !cluster.eksClusterName) {
    problems.push({
      file: env.spec.file,
      ...env.spec.locate(['clusters', clusterIndex, 'name']),
      message: `cluster '${cluster.name}' runs in the cloud but has no eksClusterName`,
      hint: `add eksClusterName: <the EKS cluster's name, as the infrastructure code creates it> (the autoscaler finds its node groups by it)`,
    });
  }
  for (const addon of repo.addons.value.addons) {
    if (e.cloud === false && !addon.local) continue;
    if (e.addons?.[addon.name]?.enabled === false) continue;
    if (addon.irsa && e.cloud !== false && !e.awsAccountId) {
      problems.push({
        file: env.spec.file,
        ...env.spec.locate(['name']),
        message: `add-on '${addon.name}' calls AWS, but environment '${env.name}' has no awsAccountId for its IAM role`,
        hint: `add awsAccountId: '<12 digits>' (the role is arn:aws:iam::<awsAccountId>:role/${irsaRoleName(platform, cluster, addon.name)})`,
      });
    }
    const { value } = mergeLayers([
      { source: repo.addons, base: [], value: addon.values ?? {} },
      ...(e.highAvailability ? [{ source: repo.addons, base: [], value: addon.highAvailabilityValues }] : []),
      ...clusterDerivedValues(addon, platform, effective, cluster).map((value) => ({ source: env.spec, base: [], value })),
      { source: env.spec, base: ['addons', addon.name, 'values'], value: e.addons?.[addon.name]?.values },
      { source: env.spec, base: ['clusters', clusterIndex, 'addons', addon.name, 'values'], value: cluster.addons?.[addon.name]?.values },
    ]);
    addons.push({ spec: addon, values: value, sources: [repo.addons.file, env.spec.file] });
  }

  const resolved: ResolvedCluster = { name: cluster.name, environment: env.name, spec: cluster, env: effective, envSource: env.spec, clusterIndex, apps, addons };
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
  const autoscaled = apps.find((a) => a.settings.autoscaling.enabled);
  if (autoscaled) needs('metrics', `the HorizontalPodAutoscaler of app '${autoscaled.name}' reads the resource metrics API`, autoscaled.settingAt(['autoscaling', 'enabled']));
  return resolved;
}

/** The cluster's add-on that provides a capability (base/addons.yaml `provides`), if it installs one. */
export function providerOf(cluster: ResolvedCluster, capability: AddonCapability): ResolvedAddon | undefined {
  return cluster.addons.find((a) => a.spec.provides?.includes(capability));
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
 * Values every cluster needs that follow from facts declared elsewhere (its name, region, domain, account, the seed's
 * autoscaler settings), so nobody copies them into each overlay by hand.
 */
function clusterDerivedValues(addon: AddonSpec, platform: PlatformSpec, env: EnvironmentSpec, cluster: ClusterSpec): Record<string, unknown>[] {
  // The EKS cluster's name is data (the environment file), as the infrastructure code names it; never derived here.
  const eksName = cluster.eksClusterName ?? cluster.name;
  const cloud = env.cloud !== false;
  const role =
    addon.irsa && cloud && env.awsAccountId
      ? atPath(addon.irsa, { annotations: { 'eks.amazonaws.com/role-arn': `arn:aws:iam::${env.awsAccountId}:role/${irsaRoleName(platform, cluster, addon.name)}` } })
      : {};
  const secretNames = (addon.secrets ?? []).map((s) => atPath(s.valuesPath, s.name));
  return [role, ...secretNames, capabilityValues(addon.provides ?? [], platform, env, cluster, eksName, cloud)];
}

function capabilityValues(
  provides: readonly string[],
  platform: PlatformSpec,
  env: EnvironmentSpec,
  cluster: ClusterSpec,
  eksName: string,
  cloud: boolean,
): Record<string, unknown> {
  // The value keys are those of the charts base/addons.yaml pins for these capabilities.
  switch (true) {
    case provides.includes('node-autoscaling'): {
      // The seed's settings reach the autoscaler only here, as its flags (base/platform.yaml).
      const ca = platform.clusterAutoscaler;
      return {
        awsRegion: cluster.region,
        autoDiscovery: { clusterName: eksName },
        image: { tag: ca.version },
        extraArgs: {
          'scale-down-unneeded-time': ca.scaleDownUnneededTime,
          'scale-down-delay-after-add': ca.scaleDownDelayAfterAdd,
          'scale-down-utilization-threshold': ca.scaleDownUtilizationThreshold,
        },
      };
    }
    case provides.includes('load-balancing'):
      // The VPC as data: the controller would otherwise ask the instance metadata service, which EKS nodes' hop limit blocks.
      return { clusterName: eksName, region: cluster.region, ...(cluster.infrastructure?.vpcId ? { vpcId: cluster.infrastructure.vpcId } : {}) };
    case provides.includes('dns'):
      return { domainFilters: [env.domain], txtOwnerId: cluster.name, env: [{ name: 'AWS_DEFAULT_REGION', value: cluster.region }] };
    case provides.includes('secrets'):
      return env.secretStore.provider === 'aws-secrets-manager' ? { serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': env.secretStore.roleArn } } } : {};
    case provides.includes('logs'):
      // Each cluster writes its own buckets in its own region, so a standby's logs do not cross regions.
      return cloud
        ? {
            loki: {
              storage: {
                bucketNames: { chunks: `${eksName}-loki-chunks`, ruler: `${eksName}-loki-ruler`, admin: `${eksName}-loki-admin` },
                s3: { region: cluster.region },
              },
            },
          }
        : {};
    default:
      return {};
  }
}
