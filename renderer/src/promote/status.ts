/**
 * `status --env <env>`: every app's Application in the environment's clusters, as Argo CD sees it; with `wait`,
 * polls until all are Synced and Healthy (at a revision, when given), printing progress as it changes.
 */
import { argocdConfig } from '../argocd/api.js';
import { applicationState, isReady, type ApplicationState } from '../argocd/application.js';
import { ArgocdError, createArgocdClient, type ArgocdClient, type ArgocdClientOptions } from '../argocd/client.js';
import { allowedHint, UsageError } from '../errors.js';
import { appApplication, clustersOf, environmentsOf, readClusterIndex } from '../cluster-index.js';
import { repoPaths } from '../paths.js';
import { resolveCommit } from './git.js';
import { diskReader, readCatalogue, readImages, readVersions } from './repo.js';
import { formatTable, shortRevision } from './table.js';

export interface StatusRow {
  cluster: string;
  app: string;
  application: string;
  /** undefined when Argo CD has no such Application. */
  state?: ApplicationState;
  /** What overlays/<env>/versions.yaml in this checkout says. */
  wanted?: string;
  ready: boolean;
}

export interface StatusOptions {
  root: string;
  env: string;
  wait?: boolean;
  revision?: string;
  /** Seconds; default 600. */
  timeoutSeconds?: number;
  /** Milliseconds between polls; default 5000. */
  intervalMs?: number;
  processEnv?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  argocd?: ArgocdClientOptions;
}

function formatStatus(rows: StatusRow[]): string {
  return formatTable(
    ['APPLICATION', 'SYNC', 'HEALTH', 'REVISION', 'VERSION', 'VERSIONS.YAML'],
    rows.map((r) => [r.application, r.state?.sync ?? 'NotFound', r.state?.health ?? '-', shortRevision(r.state?.revision), r.state?.version ?? '-', r.wanted ?? '-']),
  );
}

/** One line of progress: how many are ready and what the others are doing. */
function progressLine(rows: StatusRow[]): string {
  const waiting = rows.filter((r) => !r.ready);
  const ready = `${rows.length - waiting.length}/${rows.length} ready`;
  if (waiting.length === 0) return ready;
  const shown = waiting.slice(0, 4).map((r) => `${r.application} (${r.state ? `${r.state.sync}, ${r.state.health}, ${shortRevision(r.state.revision)}` : 'not found'})`);
  return `${ready}; waiting for ${shown.join(', ')}${waiting.length > 4 ? `, and ${waiting.length - 4} more` : ''}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Prints the table (and with `wait`, progress); returns when done, throws on timeout or an Argo CD error. */
export async function runStatus(opts: StatusOptions): Promise<StatusRow[]> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const processEnv = opts.processEnv ?? process.env;
  const reader = diskReader(opts.root);
  const index = await readClusterIndex(reader);
  const environments = environmentsOf(index);
  if (!environments.includes(opts.env)) throw new UsageError(`--env: unknown environment '${opts.env}'; ${allowedHint(opts.env, environments)}`);
  if (opts.revision !== undefined && !opts.wait) throw new UsageError('--revision is used with --wait');
  const revision = opts.revision === undefined || /^[0-9a-f]{7,40}$/.test(opts.revision) ? opts.revision : await resolveCommit(opts.root, opts.revision);

  const apps = await readCatalogue(reader);
  const images = await readImages(reader, apps);
  const { versions } = await readVersions(reader, opts.env);
  const clusters = clustersOf(index, opts.env);
  const targets: { cluster: string; app: string; application: string; client: ArgocdClient }[] = [];
  for (const cluster of clusters) {
    const config = argocdConfig(processEnv, cluster.name, opts.env);
    if (!config) {
      throw new Error(
        `no Argo CD is configured for cluster ${cluster.name}: set ARGOCD_SERVER and ARGOCD_AUTH_TOKEN ` +
          `(or ARGOCD_SERVER_${cluster.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')} and ARGOCD_AUTH_TOKEN_… for this cluster alone)`,
      );
    }
    const client = createArgocdClient(config, opts.argocd);
    for (const app of apps) {
      const application = appApplication(cluster, app);
      if (application !== undefined) {
        targets.push({ cluster: cluster.name, app, application, client });
      } else if (versions.has(app)) {
        throw new Error(`${repoPaths.clusterIndex} lists no Application of ${app} in cluster ${cluster.name}; run npm run render`);
      } // else: not deployed in this environment (no version there), so there is nothing to ask about
    }
  }

  let first = true;
  const poll = async (): Promise<StatusRow[]> => {
    const rows: StatusRow[] = [];
    for (const t of targets) {
      let state: ApplicationState | undefined;
      try {
        // The first look asks Argo CD to re-read git, so a just-merged commit shows without waiting for its poll.
        state = applicationState(await t.client.getApplication(t.application, first && opts.wait ? { refresh: 'normal' } : {}), images.get(t.app));
      } catch (err) {
        if (!(err instanceof ArgocdError && err.status === 404)) throw err;
      }
      rows.push({ cluster: t.cluster, app: t.app, application: t.application, state, wanted: versions.get(t.app), ready: !!state && isReady(state, revision) });
    }
    first = false;
    return rows;
  };

  if (!opts.wait) {
    const rows = await poll();
    log(formatStatus(rows));
    return rows;
  }

  const timeoutMs = (opts.timeoutSeconds ?? 600) * 1000;
  const intervalMs = opts.intervalMs ?? 5000;
  const started = Date.now();
  log(`Waiting up to ${timeoutMs / 1000} s for ${targets.length} Applications in ${opts.env} to be Synced and Healthy${revision ? ` at ${shortRevision(revision)}` : ''} …`);
  let last = '';
  for (;;) {
    const rows = await poll();
    const line = progressLine(rows);
    if (line !== last) log(`[${Math.round((Date.now() - started) / 1000)}s] ${line}`);
    last = line;
    if (rows.every((r) => r.ready)) {
      log(formatStatus(rows));
      return rows;
    }
    if (Date.now() + intervalMs > started + timeoutMs) {
      log(formatStatus(rows));
      const waiting = rows.filter((r) => !r.ready).map((r) => r.application);
      throw new Error(`timed out after ${timeoutMs / 1000} s; not yet Synced and Healthy${revision ? ` at ${shortRevision(revision)}` : ''}: ${waiting.join(', ')}`);
    }
    await sleep(intervalMs);
  }
}
