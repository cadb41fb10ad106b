/**
 * clusters/index.json, the contract between the renderer and every command that reads its output: the promotion
 * chain and, per cluster, its facts (environment, role, region, API server, namespace, policies) and its folders
 * with the Argo CD Application that syncs each. Its schema is cluster-index-schema.ts; the renderer builds the index
 * here and every command reads it through `parseClusterIndex`/`readClusterIndex`, never by parsing the file itself
 * or by guessing names from paths.
 */
import { createRequire } from 'node:module';
import { checkClusterIndex, clusterIndexSchema } from './cluster-index-check.js';
import type { ClusterIndex, IndexCluster, IndexFolder } from './cluster-index-schema.js';
import { RenderError, allowedHint } from './errors.js';
import type { RepoReader } from './fs.js';
import type { ResolvedRepo } from './render/merge.js';
import { repoPaths } from './paths.js';
import type { PolicyCluster } from './policy/rule.js';

export type { ClusterIndex, IndexCluster };

const file = repoPaths.clusterIndex;
const renderHint = 'run npm run render (and commit the result) so that clusters/ holds the rendered output';

/**
 * The index of a resolved repository and its rendered Applications (folder path → Application name), with each
 * cluster's node-group capacity (render/capacity.ts) where it has node groups.
 */
export function buildClusterIndex(
  repo: ResolvedRepo,
  applications: { cluster: string; path: string; application: string }[],
  capacityOf: ReadonlyMap<string, NonNullable<IndexCluster['capacity']>> = new Map(),
): ClusterIndex {
  const clusters = [...repo.clusters]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((c): IndexCluster => {
      const folders = applications
        .filter((a) => a.cluster === c.name)
        .map(({ path, application }): IndexFolder => {
          const kind =
            path === repoPaths.argocdFolder(c.name)
              ? 'argocd'
              : path === repoPaths.platformFolder(c.name)
                ? 'platform'
                : path === repoPaths.postDeployFolder(c.name)
                  ? 'post-deploy'
                  : 'app';
          return { path, application, kind, ...(kind === 'app' ? { app: path.split('/').pop()! } : {}) };
        })
        .sort((a, b) => (a.path < b.path ? -1 : 1));
      const capacity = capacityOf.get(c.name) ?? [];
      const policy = clusterPolicyOf(c);
      return {
        name: policy.name,
        environment: policy.environment,
        role: policy.role,
        region: c.spec.region,
        apiServer: c.spec.apiServer,
        namespace: policy.namespace,
        highAvailability: policy.highAvailability,
        pinnedVersions: policy.pinnedVersions,
        folders,
        ...preconditionsOf(c),
        ...(capacity.length > 0 ? { capacity } : {}),
      };
    });
  return { generatedBy: 'npm run render: do not edit', promotionChain: repo.promotionChain, clusters };
}

/** What the index says of a cluster that the policy rules read (policy/rule.ts), known before the index is built. */
export function clusterPolicyOf(c: ResolvedRepo['clusters'][number]): PolicyCluster {
  return {
    name: c.name,
    environment: c.environment,
    role: c.spec.role,
    namespace: c.env.namespace,
    highAvailability: c.env.highAvailability ?? false,
    pinnedVersions: c.env.pinnedVersions,
  };
}

/** The cluster's declared preconditions (environment.yaml), for bootstrap; none where nothing is declared. */
function preconditionsOf(c: ResolvedRepo['clusters'][number]): Pick<IndexCluster, 'preconditions'> {
  const enforcement = c.env.networkPolicyEnforcement;
  if (enforcement === undefined) return {};
  const replication = c.spec.imageReplication;
  const to = c.spec.imageRegistry ?? c.env.imageRegistry;
  return {
    preconditions: { networkPolicyEnforcement: enforcement, ...(replication ? { imageReplication: { from: replication.from, to, mechanism: replication.mechanism } } : {}) },
  };
}

/** The file's text: the one serialization of the index. */
export function clusterIndexText(index: ClusterIndex): string {
  return JSON.stringify(index, null, 2) + '\n';
}

function fail(message: string): RenderError {
  return new RenderError([{ file, message, hint: renderHint }]);
}

/**
 * Where the index breaks its schema, for the message. Only a broken index pays for ajv (the inputs' validator
 * library), so reading a good one stays as cheap as JSON.parse.
 */
function firstSchemaError(value: unknown): string {
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const validate = new Ajv({ strict: false }).compile(clusterIndexSchema);
  validate(value);
  const error = validate.errors?.[0];
  return `${error?.instancePath || 'the index'} ${error?.message ?? 'is not valid'}`;
}

/** Parses the index; a RenderError naming the file and the first place it breaks the contract otherwise. */
export function parseClusterIndex(text: string): ClusterIndex {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw fail(`not valid JSON (${(e as Error).message})`);
  }
  if (checkClusterIndex(raw)) return raw as ClusterIndex;
  throw fail(`${firstSchemaError(raw)} (the index does not follow the contract of this renderer)`);
}

/** Reads and parses the index through a RepoReader (a checkout or a git revision). */
export async function readClusterIndex(reader: RepoReader): Promise<ClusterIndex> {
  const text = await reader.read(file);
  if (text === undefined) throw fail('the cluster index is missing');
  return parseClusterIndex(text);
}

/** Every environment that has a cluster, in promotion order, those outside the chain first (by name). */
export function environmentsOf(index: ClusterIndex): string[] {
  const all = [...new Set(index.clusters.map((c) => c.environment))];
  return all.sort(environmentOrder(index.promotionChain));
}

/** Orders environment names: those outside the chain first (by name), then the chain in order. */
export function environmentOrder(chain: readonly string[]): (a: string, b: string) => number {
  const rank = (e: string) => chain.indexOf(e);
  return (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The clusters of one environment; a RenderError listing the environments when there is none. */
export function clustersOf(index: ClusterIndex, environment: string): IndexCluster[] {
  const clusters = index.clusters.filter((c) => c.environment === environment);
  if (clusters.length === 0) throw new RenderError([{ file, message: `no cluster of environment '${environment}'`, hint: allowedHint(environment, environmentsOf(index)) }]);
  return clusters;
}

/** The cluster that serves an environment's traffic: its primary, else its first. */
export function primaryCluster(index: ClusterIndex, environment: string): IndexCluster {
  const clusters = clustersOf(index, environment);
  return clusters.find((c) => c.role === 'primary') ?? clusters[0]!;
}

/** The Argo CD Application that syncs an app's folder in a cluster, as the renderer named it. */
export function appApplication(cluster: IndexCluster, app: string): string | undefined {
  return cluster.folders.find((f) => f.kind === 'app' && f.app === app)?.application;
}

/** The Argo CD Application of a cluster's post-deploy tests (PostSync hooks), when it has them. */
export function postDeployApplication(cluster: IndexCluster): string | undefined {
  return cluster.folders.find((f) => f.kind === 'post-deploy')?.application;
}

/** The promotion chain as the promote, release and gate commands use it. */
export interface PromotionChain {
  /** In order: the first is where releases enter, the last is the end of the chain. */
  steps: readonly string[];
  /** Environments with clusters but outside the chain (`promotion: none`). */
  outside: readonly string[];
}

export function promotionChainOf(index: ClusterIndex): PromotionChain {
  return { steps: index.promotionChain, outside: environmentsOf(index).filter((e) => !index.promotionChain.includes(e)) };
}
