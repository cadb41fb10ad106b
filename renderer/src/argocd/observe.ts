/**
 * What one cluster's Argo CD says about the platform's Applications, as plain data. The gate and the version matrix
 * judge this data; it is either asked for live or read back from a file written by a job that held the token, so
 * the job that judges a pull request never needs the token (docs/pull-requests.md, The pull request checks).
 */
import type { ArgocdConfig } from './api.js';
import { applicationState, type ApplicationState } from './application.js';
import { ArgocdError, createArgocdClient, type ArgocdClientOptions } from './client.js';

/** One app's Application: its state, or why it could not be read; neither means Argo CD has no such Application. */
interface Observed {
  application: string;
  state?: ApplicationState;
  error?: string;
}

export interface ClusterObservation {
  cluster: string;
  environment: string;
  /** The Argo CD asked; absent when none is configured for the cluster. */
  server?: string;
  /** App → what Argo CD said about its Application. */
  applications: Record<string, Observed>;
  /** What Argo CD said about the Application of the cluster's post-deploy tests, when the cluster has them. */
  postDeploy?: Observed;
}

/**
 * Asks a cluster's Argo CD for the Applications of `apps` (app → its Application, as clusters/index.json names it,
 * and its image repository path, to read the running tag).
 * A 404 is recorded as absent and other Argo CD errors as that Application's error, so one bad answer does not hide
 * the others; errors that are not Argo CD's (a bug) propagate.
 */
export async function observeCluster(
  config: ArgocdConfig | undefined,
  target: { cluster: string; environment: string },
  apps: ReadonlyMap<string, { application: string; image: string | undefined }>,
  opts: ArgocdClientOptions & { refresh?: boolean; postDeploy?: string } = {},
): Promise<ClusterObservation> {
  const observation: ClusterObservation = { ...target, applications: {} };
  if (!config) {
    // Nothing asked; the Application names still say what would have been.
    for (const [app, { application }] of apps) observation.applications[app] = { application };
    if (opts.postDeploy) observation.postDeploy = { application: opts.postDeploy };
    return observation;
  }
  observation.server = config.server;
  const client = createArgocdClient(config, opts);
  const observe = async (application: string, image: string | undefined): Promise<Observed> => {
    try {
      return { application, state: applicationState(await client.getApplication(application, opts.refresh ? { refresh: 'normal' } : {}), image) };
    } catch (err) {
      if (!(err instanceof ArgocdError)) throw err;
      return err.status === 404 ? { application } : { application, error: err.message };
    }
  };
  for (const [app, { application, image }] of [...apps].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    observation.applications[app] = await observe(application, image);
  }
  if (opts.postDeploy) observation.postDeploy = await observe(opts.postDeploy, undefined);
  return observation;
}

const isText = (v: unknown): v is string => typeof v === 'string';
const optionalText = (v: unknown) => v === undefined || isText(v);

/**
 * Reads observations back from a file (`npm run versions -- --live --format json` writes them under `live`).
 * The shape is checked field by field: the file crosses from one CI job to another.
 */
export function parseObservations(file: string, text: string): ClusterObservation[] {
  const fail = (why: string): never => {
    throw new Error(`${file}: not an Argo CD observation written by npm run versions -- --live --format json (${why})`);
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return fail(`invalid JSON: ${(err as Error).message}`);
  }
  const live = (data as { live?: unknown } | null)?.live;
  if (!Array.isArray(live)) return fail('no "live" list');
  return live.map((o: unknown, i) => {
    const c = o as Partial<ClusterObservation> | null;
    if (!c || !isText(c.cluster) || !isText(c.environment) || !optionalText(c.server) || typeof c.applications !== 'object' || c.applications === null) {
      return fail(`live[${i}] needs cluster, environment and applications`);
    }
    for (const [name, seen] of Object.entries(c.applications)) {
      if (!wellFormed(seen)) fail(`live[${i}].applications.${name} is malformed`);
    }
    if (c.postDeploy !== undefined && !wellFormed(c.postDeploy)) fail(`live[${i}].postDeploy is malformed`);
    return {
      cluster: c.cluster,
      environment: c.environment,
      ...(c.server ? { server: c.server } : {}),
      applications: c.applications as Record<string, Observed>,
      ...(c.postDeploy ? { postDeploy: c.postDeploy } : {}),
    };
  });
}

/** One observed Application as `versions --live --format json` writes it, checked field by field. */
function wellFormed(seen: unknown): boolean {
  const o = seen as Observed | null;
  if (!o || !isText(o.application) || !optionalText(o.error)) return false;
  const s = o.state;
  if (s === undefined) return true;
  const op = s.operation;
  return (
    isText(s.sync) &&
    isText(s.health) &&
    optionalText(s.revision) &&
    optionalText(s.version) &&
    (s.images === undefined || (Array.isArray(s.images) && s.images.every(isText))) &&
    (op === undefined || (isText(op.phase) && optionalText(op.revision) && optionalText(op.message) && Array.isArray(op.failed) && op.failed.every(isText)))
  );
}
