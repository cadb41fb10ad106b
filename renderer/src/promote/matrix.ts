/**
 * The version matrix: which version of which app each environment of the chain runs according to git, and with
 * `live`, what each cluster's Argo CD actually runs. Pure functions build and format it; `runVersions` is the edge.
 */
import { promises as fsp } from 'node:fs';
import { argocdConfig } from '../argocd/api.js';
import { versionUnknownReason } from '../argocd/application.js';
import { observeCluster, type ClusterObservation } from '../argocd/observe.js';
import { appApplication, clustersOf, postDeployApplication, promotionChainOf, readClusterIndex } from '../cluster-index.js';
import type { ArgocdClientOptions } from '../argocd/client.js';
import { allowedHint } from '../errors.js';
import { UsageError } from '../errors.js';
import { diskReader, readCatalogue, readImages, readVersions } from './repo.js';
import { formatTable, shortRevision } from './table.js';
import type { Versions } from './versions.js';

interface MatrixRow {
  app: string;
  /** Environment → version; absent when the app is not deployed there. */
  versions: Partial<Record<string, string>>;
  /** The environments whose version differs from the environment before them in the chain. */
  differs: string[];
}

/** One Application's live state next to what git says. */
interface LiveRow {
  cluster: string;
  environment: string;
  app: string;
  application: string;
  git: string;
  /** What Argo CD reported; `problem` when it could not say or disagrees with git. */
  sync?: string;
  health?: string;
  revision?: string;
  live?: string;
  problem?: string;
}

export interface Matrix {
  environments: string[];
  rows: MatrixRow[];
  live?: ClusterObservation[];
  liveRows?: LiveRow[];
}

/** The matrix of versions in git: one row per app of the catalogue, neighbours compared along the chain. */
function versionMatrix(chain: readonly string[], apps: string[], versions: ReadonlyMap<string, Versions>): Matrix {
  const environments = [...chain];
  const rows = [...apps].sort().map((app) => {
    const row: MatrixRow = { app, versions: {}, differs: [] };
    environments.forEach((env, i) => {
      const version = versions.get(env)?.get(app);
      if (version !== undefined) row.versions[env] = version;
      if (i > 0 && version !== versions.get(environments[i - 1]!)?.get(app)) row.differs.push(env);
    });
    return row;
  });
  return { environments, rows };
}

/** Compares what Argo CD runs with git, per Application; a disagreement or an unreadable state is a problem. */
function liveRows(matrix: Matrix, observations: ClusterObservation[]): LiveRow[] {
  const out: LiveRow[] = [];
  for (const o of observations) {
    const env = o.environment as string;
    for (const row of matrix.rows) {
      const git = row.versions[env];
      if (git === undefined) continue;
      const seen = o.applications[row.app];
      const base = { cluster: o.cluster, environment: env, app: row.app, application: seen?.application ?? '-', git };
      if (!o.server) {
        out.push({ ...base, problem: 'no Argo CD configured' });
        continue;
      }
      if (!seen?.state) {
        out.push({ ...base, problem: seen?.error ?? 'no such Application' });
        continue;
      }
      const { sync, health, revision, version: live } = seen.state;
      const problems = [
        live !== undefined && live !== git ? `runs ${live}, git says ${git}` : undefined,
        live === undefined ? versionUnknownReason(seen.state) : undefined,
        sync !== 'Synced' ? sync : undefined,
        health !== 'Healthy' ? health : undefined,
      ].filter(Boolean);
      out.push({ ...base, sync, health, revision, live, problem: problems.length ? problems.join(', ') : undefined });
    }
  }
  return out;
}

const NOT_DEPLOYED = '—';

/** A plain-text table: `*` marks a version that differs from the environment before it, `—` not deployed there. */
function formatMatrixText(m: Matrix): string {
  const table = formatTable(
    ['APP', ...m.environments.map((e) => e.toUpperCase())],
    m.rows.map((r) => [r.app, ...m.environments.map((e) => `${r.versions[e] ?? NOT_DEPLOYED}${r.differs.includes(e) ? ' *' : ''}`)]),
  );
  const out = [table, '', `* differs from the environment before it · ${NOT_DEPLOYED} not deployed there`];
  if (m.liveRows) {
    out.push('', liveText(m));
  }
  return out.join('\n');
}

function liveText(m: Matrix): string {
  const rows = m.liveRows!;
  if (rows.length === 0) return 'Live: no cluster asked.';
  const table = formatTable(
    ['APPLICATION', 'GIT', 'LIVE', 'SYNC', 'HEALTH', 'REVISION', ''],
    rows.map((r) => [r.application, r.git, r.live ?? '-', r.sync ?? '-', r.health ?? '-', shortRevision(r.revision), r.problem ? `≠ ${r.problem}` : '']),
  );
  const off = rows.filter((r) => r.problem).length;
  return `${table}\n\n${off === 0 ? 'Live: every Application runs what git says, Synced and Healthy.' : `Live: ${off} of ${rows.length} Applications disagree with git or are not Synced and Healthy (≠).`}`;
}

/** GitHub-flavoured Markdown, for pull request bodies and job summaries. */
export function formatMatrixMarkdown(m: Matrix): string {
  const out = [
    `| app | ${m.environments.join(' | ')} |`,
    `| --- | ${m.environments.map(() => '---').join(' | ')} |`,
    ...m.rows.map(
      (r) =>
        `| \`${r.app}\` | ${m.environments.map((e) => (r.versions[e] === undefined ? NOT_DEPLOYED : r.differs.includes(e) ? `**${r.versions[e]}**` : r.versions[e])).join(' | ')} |`,
    ),
    '',
    `**Bold**: differs from the environment before it · ${NOT_DEPLOYED}: not deployed there.`,
  ];
  if (m.liveRows) {
    out.push('', '| Application | git | live | sync | health | revision | |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const r of m.liveRows) {
      out.push(
        `| \`${r.application}\` | ${r.git} | ${r.live ?? '-'} | ${r.sync ?? '-'} | ${r.health ?? '-'} | ${shortRevision(r.revision)} | ${r.problem ? `⚠️ ${r.problem}` : '✓'} |`,
      );
    }
  }
  return out.join('\n');
}

/** JSON for scripts; `live` holds the observations in the form the gate reads back (`npm run gate -- --argocd-observations`). */
function formatMatrixJson(m: Matrix): string {
  return `${JSON.stringify({ environments: m.environments, apps: m.rows, ...(m.live ? { live: m.live, liveRows: m.liveRows } : {}) }, null, 2)}\n`;
}

export const matrixFormats = ['text', 'markdown', 'json'] as const;
type MatrixFormat = (typeof matrixFormats)[number];

function formatMatrix(m: Matrix, format: MatrixFormat): string {
  return format === 'json' ? formatMatrixJson(m) : format === 'markdown' ? formatMatrixMarkdown(m) : formatMatrixText(m);
}

/** Reads the checkout's versions files into the matrix. */
export async function readMatrix(root: string): Promise<Matrix> {
  const reader = diskReader(root);
  const chain = promotionChainOf(await readClusterIndex(reader)).steps;
  const versions = new Map<string, Versions>();
  for (const env of chain) versions.set(env, (await readVersions(reader, env)).versions);
  return versionMatrix(chain, await readCatalogue(reader), versions);
}

export interface VersionsOptions {
  root: string;
  format?: MatrixFormat;
  live?: boolean;
  /** With live: only this cluster. */
  cluster?: string;
  /** Write here instead of printing. */
  output?: string;
  processEnv?: NodeJS.ProcessEnv;
  argocd?: ArgocdClientOptions;
  log?: (text: string) => void;
}

/** `npm run versions`: prints (or writes) the matrix; with `live`, asks every cluster's Argo CD first. */
export async function runVersions(opts: VersionsOptions): Promise<Matrix> {
  const matrix = await readMatrix(opts.root);
  if (opts.cluster !== undefined && !opts.live) throw new UsageError('--cluster goes with --live');
  if (opts.live) {
    const reader = diskReader(opts.root);
    const images = await readImages(
      reader,
      matrix.rows.map((r) => r.app),
    );
    const index = await readClusterIndex(reader);
    const targets = matrix.environments.flatMap((environment) => clustersOf(index, environment).map((c) => ({ cluster: c.name, environment, index: c })));
    const chosen = opts.cluster === undefined ? targets : targets.filter((t) => t.cluster === opts.cluster);
    if (chosen.length === 0) {
      throw new UsageError(
        `--cluster: unknown cluster '${opts.cluster}'; ${allowedHint(
          opts.cluster!,
          targets.map((t) => t.cluster),
        )}`,
      );
    }
    matrix.live = [];
    for (const t of chosen) {
      // The apps the cluster deploys: those with an Application in the index.
      const deployed = new Map(
        matrix.rows.flatMap((r) => {
          const application = appApplication(t.index, r.app);
          return application === undefined ? [] : [[r.app, { application, image: images.get(r.app) }] as const];
        }),
      );
      const target = { cluster: t.cluster, environment: t.environment };
      // The post-deploy tests too: the gate, reading this observation from a file, judges their last run.
      const postDeploy = postDeployApplication(t.index);
      matrix.live.push(
        await observeCluster(argocdConfig(opts.processEnv ?? process.env, t.cluster, t.environment), target, deployed, { ...opts.argocd, ...(postDeploy ? { postDeploy } : {}) }),
      );
    }
    matrix.liveRows = liveRows(matrix, matrix.live);
  }
  const text = formatMatrix(matrix, opts.format ?? 'text');
  if (opts.output) await fsp.writeFile(opts.output, text.endsWith('\n') ? text : `${text}\n`);
  else (opts.log ?? ((t: string) => console.log(t)))(text.replace(/\n$/, ''));
  return matrix;
}
