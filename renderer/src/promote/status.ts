/**
 * `status --env <env>`: every Application of the environment's clusters (the root, the platform folder, each app and
 * each add-on), as Argo CD sees it, with Argo CD's own reasons for anything not Synced and Healthy; with `wait`, polls
 * until all are Synced and Healthy (at a revision, when given), printing progress as it changes.
 *
 * Each Application is asked for within its rendered project, so that Argo CD tells an Application that does not exist
 * yet (404: keep waiting; the root creates it) from one the token may not read (403: waiting cannot help).
 */
import { argocdConfig, type ArgocdConfig } from '../argocd/api.js';
import { applicationState, isReady, notReadyReasons, type ApplicationState } from '../argocd/application.js';
import { ArgocdError, createArgocdClient, readHint, type ArgocdClient, type ArgocdClientOptions } from '../argocd/client.js';
import { readRenderedApplications } from '../argocd/rendered.js';
import { allowedHint, HintedError, UsageError } from '../errors.js';
import { clustersOf, environmentsOf, readClusterIndex } from '../cluster-index.js';
import { repoPaths } from '../paths.js';
import { resolveCommit } from '../git.js';
import { diskReader, readCatalogue, readImages, readVersions } from './repo.js';
import { formatTable, shortRevision } from './table.js';

export interface StatusRow {
  cluster: string;
  application: string;
  /** The project the Application is rendered in, and asked for in. */
  project: string;
  /** The app whose folder it syncs; undefined for the root, the platform folder and the add-ons. */
  app?: string;
  /** undefined when Argo CD could not show it: see `absent`. */
  state?: ApplicationState;
  /** `missing`: Argo CD has no such Application in its project (yet); `forbidden`: the token may not read it. */
  absent?: 'missing' | 'forbidden';
  /** Argo CD's own words for why it is not Synced and Healthy. */
  reasons: string[];
  /** What overlays/<env>/versions.yaml in this checkout says (apps only). */
  wanted?: string;
  ready: boolean;
}

/** The clock of `--wait`, a seam so that tests drive the waiting without sleeping. */
export interface WaitClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: WaitClock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

export interface StatusOptions {
  root: string;
  env: string;
  wait?: boolean;
  revision?: string;
  /** Seconds; default 600. */
  timeoutSeconds?: number;
  /** Milliseconds between polls; default 5000. */
  intervalMs?: number;
  /**
   * With `wait`: chart add-ons are listed, with Argo CD's reasons, but not waited for. For a cluster that cannot pull
   * charts (no chart repository reachable, as in the local end-to-end run); the log says how many were not awaited.
   */
  skipCharts?: boolean;
  clock?: WaitClock;
  processEnv?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  argocd?: ArgocdClientOptions;
}

/** What the table shows for the running version: the tag, or why there is none. */
function versionCell(r: StatusRow): string {
  if (r.app === undefined || !r.state) return '-';
  // Short for versionUnknownReason's two cases: Argo CD lists no image at all, or none of this app's.
  return r.state.version ?? (r.state.images?.length === 0 ? 'no images' : 'not found');
}

function formatStatus(rows: StatusRow[]): string {
  return formatTable(
    ['APPLICATION', 'SYNC', 'HEALTH', 'REVISION', 'VERSION', 'VERSIONS.YAML'],
    rows.map((r) => [r.application, r.state?.sync ?? absentWord(r), r.state?.health ?? '-', shortRevision(r.state?.revision), versionCell(r), r.wanted ?? '-']),
  );
}

const absentWord = (r: StatusRow) => (r.absent === 'forbidden' ? 'Forbidden' : 'Missing');

/** What a row is doing, for the progress line and the reasons. */
function stateText(r: StatusRow): string {
  return r.state ? `${r.state.sync}, ${r.state.health}, ${shortRevision(r.state.revision)}` : r.absent === 'forbidden' ? 'forbidden' : 'missing';
}

/** One line of progress: how many are ready and what the others are doing. */
function progressLine(rows: StatusRow[]): string {
  const waiting = rows.filter((r) => !r.ready);
  const ready = `${rows.length - waiting.length}/${rows.length} ready`;
  if (waiting.length === 0) return ready;
  const shown = waiting.slice(0, 4).map((r) => `${r.application} (${stateText(r)})`);
  return `${ready}; waiting for ${shown.join(', ')}${waiting.length > 4 ? `, and ${waiting.length - 4} more` : ''}`;
}

/**
 * Who creates a missing Application: the cluster's root creates every other one when it syncs the argocd folder (its
 * state says whether it has got that far); the root itself is applied once by bootstrap.
 */
function creator(r: StatusRow, roots: ReadonlyMap<string, StatusRow>): string {
  const root = roots.get(r.cluster);
  if (!root || root.application === r.application) return `the root Application is applied once: npm run bootstrap -- --cluster ${r.cluster}`;
  return `the root Application ${root.application} creates it when it syncs ${repoPaths.argocdFolder(r.cluster)} (${root.application}: ${stateText(root)})`;
}

/** Argo CD's reasons for every row that is not Synced and Healthy, one line each. */
function reasonLines(rows: StatusRow[], roots: ReadonlyMap<string, StatusRow>): string[] {
  const off = rows.filter((r) => !r.state || r.state.sync !== 'Synced' || r.state.health !== 'Healthy');
  if (off.length === 0) return [];
  return [
    '',
    'Not Synced and Healthy, with what Argo CD says:',
    ...off.map((r) => {
      if (r.absent === 'missing') return `  ${r.application}: Argo CD has no such Application in project ${r.project}; ${creator(r, roots)}`;
      if (r.absent === 'forbidden') return `  ${r.application}: the token may not read Applications of project ${r.project}`;
      return `  ${r.application} (${r.state!.sync}, ${r.state!.health}): ${r.reasons.length ? r.reasons.join('; ') : 'Argo CD gives no reason'}`;
    }),
  ];
}

interface Target {
  cluster: string;
  application: string;
  project: string;
  app?: string;
  /** A chart's Application runs the chart's version, not a git revision. */
  chart: boolean;
  client: ArgocdClient;
  config: ArgocdConfig;
}

/** One error for every Application the token may not read, per cluster, with what to allow. */
function forbiddenError(rows: StatusRow[], targets: Target[]): HintedError {
  const forbidden = rows.filter((r) => r.absent === 'forbidden');
  const clusters = [...new Set(forbidden.map((r) => r.cluster))];
  const parts = clusters.map((cluster) => {
    const mine = forbidden.filter((r) => r.cluster === cluster);
    const config = targets.find((t) => t.cluster === cluster)!.config;
    return { cluster, config, names: mine.map((r) => r.application), projects: [...new Set(mine.map((r) => r.project))].sort() };
  });
  return new HintedError(
    parts
      .map(
        (p) =>
          `Argo CD at ${p.config.server} denied reading ${p.names.length} Application${p.names.length === 1 ? '' : 's'} of cluster ${p.cluster} (403 Forbidden, asked within their projects): ${p.names.join(', ')}`,
      )
      .join('\n'),
    parts.map((p) => readHint(p.config, p.projects)).join('\n  hint: '),
  );
}

/** What every look at Argo CD needs: the targets, each root's name, the versions and images, and the revision awaited. */
interface StatusContext {
  targets: Target[];
  rootNames: Map<string, string>;
  versions: Map<string, string>;
  images: Awaited<ReturnType<typeof readImages>>;
  revision?: string;
}

/** Prints the table (and with `wait`, progress); returns when done, throws on timeout or an Argo CD error. */
export async function runStatus(opts: StatusOptions): Promise<StatusRow[]> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const reader = diskReader(opts.root);
  const index = await readClusterIndex(reader);
  const revision = await checkedRevision(opts, environmentsOf(index));
  const apps = await readCatalogue(reader);
  const images = await readImages(reader, apps);
  const { versions } = await readVersions(reader, opts.env);
  const { targets, rootNames } = await collectTargets(opts, reader, clustersOf(index, opts.env), apps, versions);
  const ctx: StatusContext = { targets, rootNames, versions, images, revision };
  if (!opts.wait) {
    // Without waiting, one look and no refresh.
    const rows = await Promise.all(targets.map((t) => look(ctx, opts, t, false)));
    report(ctx, rows, log);
    return rows;
  }
  return waitUntilReady(ctx, opts, log);
}

/** The environment is known, `--revision` comes with `--wait`, and a revision that is not a commit id is resolved. */
async function checkedRevision(opts: StatusOptions, environments: string[]): Promise<string | undefined> {
  if (!environments.includes(opts.env)) throw new UsageError(`--env: unknown environment '${opts.env}'; ${allowedHint(opts.env, environments)}`);
  if (opts.revision !== undefined && !opts.wait) throw new UsageError('--revision is used with --wait');
  return opts.revision === undefined || /^[0-9a-f]{7,40}$/.test(opts.revision) ? opts.revision : await resolveCommit(opts.root, opts.revision);
}

/** Every rendered Application of the environment's clusters, with its cluster's Argo CD client, sorted by cluster and name. */
async function collectTargets(
  opts: StatusOptions,
  reader: ReturnType<typeof diskReader>,
  clusters: ReturnType<typeof clustersOf>,
  apps: string[],
  versions: Map<string, string>,
): Promise<{ targets: Target[]; rootNames: Map<string, string> }> {
  const processEnv = opts.processEnv ?? process.env;
  const targets: Target[] = [];
  const rootNames = new Map<string, string>();
  for (const cluster of clusters) {
    const config = argocdConfig(processEnv, cluster.name, opts.env);
    if (!config) {
      throw new Error(
        `no Argo CD is configured for cluster ${cluster.name}: set ARGOCD_SERVER and ARGOCD_AUTH_TOKEN ` +
          `(or ARGOCD_SERVER_${cluster.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')} and ARGOCD_AUTH_TOKEN_… for this cluster alone)`,
      );
    }
    const client = createArgocdClient(config, opts.argocd);
    const appOf = new Map(cluster.folders.flatMap((f) => (f.kind === 'app' && f.app !== undefined ? [[f.application, f.app] as const] : [])));
    for (const app of apps) {
      // else: not deployed in this environment (no version there), so there is no Application to ask about
      if (versions.has(app) && ![...appOf.values()].includes(app)) {
        throw new Error(`${repoPaths.clusterIndex} lists no Application of ${app} in cluster ${cluster.name}; run npm run render`);
      }
    }
    const root = cluster.folders.find((f) => f.kind === 'argocd');
    if (root) rootNames.set(cluster.name, root.application);
    for (const rendered of await readRenderedApplications(reader, cluster)) {
      targets.push({ cluster: cluster.name, application: rendered.name, project: rendered.project, app: appOf.get(rendered.name), chart: rendered.chart, client, config });
    }
  }
  targets.sort((a, b) => (a.cluster === b.cluster ? (a.application < b.application ? -1 : 1) : a.cluster < b.cluster ? -1 : 1));
  return { targets, rootNames };
}

/** One Application as Argo CD sees it now; with `refresh`, Argo CD re-reads git first. */
async function look(ctx: StatusContext, opts: StatusOptions, t: Target, refresh: boolean): Promise<StatusRow> {
  const row: StatusRow = { cluster: t.cluster, application: t.application, project: t.project, app: t.app, reasons: [], wanted: t.app && ctx.versions.get(t.app), ready: false };
  try {
    const found = await t.client.getApplication(t.application, { project: t.project, ...(refresh ? { refresh: 'normal' as const } : {}) });
    row.state = applicationState(found, t.app && ctx.images.get(t.app));
    row.reasons = notReadyReasons(found);
    // A chart's Application is at the chart's version; the root being at the revision is what puts its spec there.
    row.ready = t.chart && opts.skipCharts ? true : isReady(row.state, t.chart ? undefined : ctx.revision);
  } catch (err) {
    // Asked within its project, Argo CD answers 404 only when it has no such Application and 403 only when the
    // token may not read that project's Applications (ArgocdClient.getApplication).
    if (!(err instanceof ArgocdError && (err.status === 404 || err.status === 403))) throw err;
    row.absent = err.status === 404 ? 'missing' : 'forbidden';
  }
  return row;
}

/** Each cluster's root row, by cluster. */
const rootsOf = (ctx: StatusContext, rows: StatusRow[]) => new Map(rows.filter((r) => ctx.rootNames.get(r.cluster) === r.application).map((r) => [r.cluster, r]));

/** Logs the table and the reasons; throws when the token may not read some Application. */
function report(ctx: StatusContext, rows: StatusRow[], log: (line: string) => void): void {
  log([formatStatus(rows), ...reasonLines(rows, rootsOf(ctx, rows))].join('\n'));
  if (rows.some((r) => r.absent === 'forbidden')) throw forbiddenError(rows, ctx.targets);
}

/** Polls until every row is ready, logging progress as it changes; throws on timeout or a forbidden Application. */
async function waitUntilReady(ctx: StatusContext, opts: StatusOptions, log: (line: string) => void): Promise<StatusRow[]> {
  const clock = opts.clock ?? realClock;
  const timeoutMs = (opts.timeoutSeconds ?? 600) * 1000;
  const intervalMs = opts.intervalMs ?? 5000;
  const started = clock.now();
  log(
    `Waiting up to ${timeoutMs / 1000} s for ${ctx.targets.length} Applications in ${opts.env} to be Synced and Healthy${ctx.revision ? ` at ${shortRevision(ctx.revision)}` : ''} …`,
  );
  const skipped = opts.skipCharts ? ctx.targets.filter((t) => t.chart).length : 0;
  if (skipped) log(`(--skip-charts: ${skipped} chart add-on Applications must exist but are not waited for)`);
  let last = '';
  for (let first = true; ; first = false) {
    // The first look asks Argo CD to re-read git, so a just-merged commit shows without waiting for its poll.
    const rows = await Promise.all(ctx.targets.map((t) => look(ctx, opts, t, first)));
    // Waiting cannot give the token a permission it lacks.
    if (rows.some((r) => r.absent === 'forbidden')) report(ctx, rows, log);
    const line = progressLine(rows);
    if (line !== last) log(`[${Math.round((clock.now() - started) / 1000)}s] ${line}`);
    last = line;
    if (rows.every((r) => r.ready)) {
      report(ctx, rows, log);
      return rows;
    }
    if (clock.now() + intervalMs > started + timeoutMs) {
      report(ctx, rows, log);
      throw timeoutError(ctx, rows, timeoutMs);
    }
    await clock.sleep(intervalMs);
  }
}

/** What did not become ready in time, and who creates each Application that never appeared. */
function timeoutError(ctx: StatusContext, rows: StatusRow[], timeoutMs: number): Error {
  const roots = rootsOf(ctx, rows);
  const missing = rows.filter((r) => r.absent === 'missing');
  const waiting = rows.filter((r) => !r.ready && !r.absent).map((r) => r.application);
  const at = ctx.revision ? ` at ${shortRevision(ctx.revision)}` : '';
  return new Error(
    [
      `timed out after ${timeoutMs / 1000} s`,
      ...(waiting.length ? [`not yet Synced and Healthy${at}: ${waiting.join(', ')}`] : []),
      ...missing.map((r) => `${r.application} never appeared in Argo CD; ${creator(r, roots)}`),
    ].join('; '),
  );
}
