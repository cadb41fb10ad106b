/**
 * base/charts.lock.json: the sha256 of every pinned add-on chart archive. A chart repository can replace the
 * archive behind a version (or be made to); the lock makes that an error instead of a silent change in what the
 * clusters run. Pure: text in, entries and verdicts out; the validate command writes the file.
 */
import { repoPaths } from '../paths.js';
import { chartsLockSchema, checkChartsLock } from '../pin-files-check.js';
import { checkJsonFile } from '../schema-problems.js';

/** One chart, as an add-on Application names it. */
export interface ChartRef {
  repoURL: string;
  name: string;
  version: string;
}

export interface LockEntry extends ChartRef {
  /** `sha256:<64 hex>` of the .tgz archive the repository serves. */
  digest: string;
}

export interface ChartsLock {
  entries: LockEntry[];
}

/** How an entry is told apart: the same name and version in another repository is another chart. */
export function chartKey(c: ChartRef): string {
  return `${c.repoURL.replace(/\/+$/, '')} ${c.name} ${c.version}`;
}

/** "loki 6.45.2 from https://grafana.github.io/helm-charts", how findings name a chart. */
export function chartLabel(c: ChartRef): string {
  return `${c.name} ${c.version} from ${c.repoURL}`;
}

/** Where a hint sends the reader: the lock is written by a command, not by hand. */
const lockGuide = 'how npm run validate -- --update-lock writes the file (review the charts, then run it)';

/** Parses the lock; a missing file is an empty lock. A RenderError naming the file, line and field of a bad entry. */
export function parseChartsLock(text: string | undefined): ChartsLock {
  if (text === undefined) return { entries: [] };
  const { charts } = checkJsonFile<{ charts: LockEntry[] }>(repoPaths.chartsLock, text, checkChartsLock, chartsLockSchema, lockGuide);
  return { entries: charts.map(({ repoURL, name, version, digest }) => ({ repoURL, name, version, digest })) };
}

/** The lock as committed: entries sorted by name, version, repository; two-space JSON; a trailing newline. */
export function serializeChartsLock(lock: ChartsLock): string {
  const entries = [...new Map(lock.entries.map((e) => [chartKey(e), e])).values()].sort((a, b) => cmp(a.name, b.name) || cmp(a.version, b.version) || cmp(a.repoURL, b.repoURL));
  const body = {
    $comment:
      'sha256 of each pinned add-on chart archive. npm run validate refuses a chart whose archive differs; after reviewing a new or bumped chart, record it with npm run validate -- --update-lock.',
    charts: entries.map(({ repoURL, name, version, digest }) => ({ name, version, repoURL, digest })),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export type LockVerdict = { ok: true } | { ok: false; message: string; hint: string };

/** Whether `digest` is what the lock recorded for `chart`. */
export function checkDigest(lock: ChartsLock, chart: ChartRef, digest: string): LockVerdict {
  const entry = lock.entries.find((e) => chartKey(e) === chartKey(chart));
  if (!entry) {
    return {
      ok: false,
      message: `chart ${chartLabel(chart)} has no digest in ${repoPaths.chartsLock}`,
      hint: `review the chart, then record its digest with npm run validate -- --update-lock (pulled archive: ${digest})`,
    };
  }
  if (entry.digest !== digest) {
    return {
      ok: false,
      message: `chart ${chartLabel(chart)} does not match ${repoPaths.chartsLock}: the archive is ${digest}, the lock says ${entry.digest}`,
      hint: 'the repository serves a different archive under the same version; find out why before trusting it (npm run validate -- --update-lock records the new digest)',
    };
  }
  return { ok: true };
}

/**
 * The lock with `digests` recorded (added or replaced). Entries of charts not pulled this time stay: a run over one
 * environment, or without a repository, must not forget the others.
 */
export function updateLock(lock: ChartsLock, digests: ReadonlyArray<LockEntry>): ChartsLock {
  const byKey = new Map(lock.entries.map((e) => [chartKey(e), e]));
  for (const d of digests) byKey.set(chartKey(d), d);
  return { entries: [...byKey.values()] };
}
