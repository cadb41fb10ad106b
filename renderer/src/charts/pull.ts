/**
 * `npm run charts -- pull <dir>`: every chart base/addons.yaml pins, downloaded from its published repository into
 * one folder, each archive judged against base/charts.lock.json (verdict.ts), and the folder indexed with the pinned
 * helm (`helm repo index`) so that it is a Helm chart repository as it stands: serve it over HTTP on 127.0.0.1 and
 * Argo CD (or helm) installs the pinned charts from it without the network.
 *
 * Only archives known to be the reviewed ones go into the folder: one whose digest differs from the lock, or that the
 * lock does not know (unless --update-lock records it), stays out. Where a published repository cannot be reached and
 * a mirror is given, the chart comes from the mirror and says so: a mirror's archives are not the published ones, so
 * they are never recorded in the lock and never reported as verified.
 */
import path from 'node:path';
import { RenderError, type Problem } from '../errors.js';
import { readRepoFile } from '../fs.js';
import { AddonCatalogue } from '../model.js';
import { repoPaths } from '../paths.js';
import { run } from '../process.js';
import { checkSource } from '../render/load.js';
import { cachePaths } from '../tools/layout.js';
import { chartKey, parseChartsLock, updateLock, type ChartRef, type ChartsLock } from '../validate/charts-lock.js';
import { archiveDigest, fetchChart, writeAtomically } from '../validate/charts-repo.js';
import { publishedOutcome, lockedDigest, type ChartOutcome } from './verdict.js';

export interface PullChartsOptions {
  root: string;
  /** The folder the archives and index.yaml go to (absolute, or relative to the working directory). */
  dir: string;
  /** A Helm repository URL, or a folder holding one (index.yaml and archives), used where a published one is unreachable. */
  mirror?: string;
  /** Record the digests of archives the lock does not know yet (never changes a digest it has). */
  updateLock?: boolean;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** The charts to pull; default: what base/addons.yaml pins (pinnedCharts). */
  charts?: ReadonlyArray<{ chart: ChartRef; addons: string[] }>;
}

export interface PulledChart {
  chart: ChartRef;
  /** The add-ons that pin it. */
  addons: string[];
  outcome: ChartOutcome;
  /** Where the archive was written, when it was. */
  file?: string;
}

export interface PullChartsResult {
  charts: PulledChart[];
  /** The lock with the recorded digests (equal to the committed one unless something was recorded). */
  lock: ChartsLock;
  /** The index.yaml written, when any archive is in the folder. */
  index?: string;
}

/** The charts base/addons.yaml pins, once each, with the add-ons that use them; problems of the file are a RenderError. */
export function pinnedCharts(root: string): Array<{ chart: ChartRef; addons: string[] }> {
  const problems: Problem[] = [];
  const text = readRepoFile(root, repoPaths.addons);
  if (text === undefined) throw new RenderError([{ file: repoPaths.addons, message: 'the add-on catalogue does not exist', hint: 'run this from the repository root' }]);
  const catalogue = checkSource<AddonCatalogue>(repoPaths.addons, text, AddonCatalogue, problems);
  if (!catalogue) throw new RenderError(problems);
  const byKey = new Map<string, { chart: ChartRef; addons: string[] }>();
  for (const addon of catalogue.value.addons) {
    const chart = { repoURL: addon.chart.repoURL, name: addon.chart.name, version: addon.chart.version };
    const entry = byKey.get(chartKey(chart)) ?? { chart, addons: [] };
    entry.addons.push(addon.name);
    byKey.set(chartKey(chart), entry);
  }
  return [...byKey.values()].sort((a, b) => (a.chart.name < b.chart.name ? -1 : a.chart.name > b.chart.name ? 1 : 0));
}

/** Pulls, judges and writes every pinned chart; see the module comment. Writes nothing in the repository itself. */
export async function pullCharts(options: PullChartsOptions): Promise<PullChartsResult> {
  const { root } = options;
  const dir = path.resolve(options.dir);
  const lock = parseChartsLock(readRepoFile(root, repoPaths.chartsLock));
  const charts: PulledChart[] = [];
  for (const { chart, addons } of options.charts ?? pinnedCharts(root)) {
    const published = await fetchChart(chart, { timeoutMs: options.timeoutMs });
    let outcome: ChartOutcome;
    let bytes: Uint8Array | undefined;
    if (published.status === 'fetched') {
      bytes = published.bytes;
      outcome = publishedOutcome(lock, chart, archiveDigest(bytes), options.updateLock ?? false);
    } else if (published.status === 'unreachable' && options.mirror) {
      const mirrored = await fetchChart(chart, { timeoutMs: options.timeoutMs, from: options.mirror });
      if (mirrored.status === 'fetched') {
        bytes = mirrored.bytes;
        outcome = { kind: 'mirror', digest: archiveDigest(bytes), mirror: options.mirror, why: published.reason, locked: lockedDigest(lock, chart) };
      } else {
        outcome = mirrored.status === 'unreachable' ? { kind: 'unreachable', reason: `${published.reason}; mirror: ${mirrored.reason}` } : { kind: 'error', ...mirrored };
      }
    } else {
      outcome = published.status === 'unreachable' ? { kind: 'unreachable', reason: published.reason } : { kind: 'error', message: published.message, hint: published.hint };
    }
    const keep = outcome.kind === 'verified' || outcome.kind === 'recorded' || outcome.kind === 'mirror';
    const file = keep && bytes ? path.join(dir, `${chart.name}-${chart.version}.tgz`) : undefined;
    if (file && bytes) await writeAtomically(file, bytes);
    charts.push({ chart, addons, outcome, ...(file ? { file } : {}) });
  }
  const recorded = charts.flatMap((c) => (c.outcome.kind === 'recorded' ? [{ ...c.chart, digest: c.outcome.digest }] : []));
  let index: string | undefined;
  if (charts.some((c) => c.file)) {
    // helm's own indexer, so the folder is exactly what `helm repo index` makes of it: the digests it lists are the
    // archives' own, and relative URLs work wherever the folder is served.
    const result = await run(path.join(root, cachePaths.tool('helm')), ['repo', 'index', dir], { cwd: root, env: options.env });
    if (result.code !== 0) throw new Error(`helm repo index ${dir} failed: ${result.stderr.trim()}`);
    index = path.join(dir, 'index.yaml');
  }
  return { charts, lock: updateLock(lock, recorded), ...(index ? { index } : {}) };
}
