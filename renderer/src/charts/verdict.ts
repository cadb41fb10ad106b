/**
 * What one pulled chart archive is worth, judged against base/charts.lock.json: pure, so that `npm run charts` and
 * anything else that pulls the pinned charts (a rehearsal serving them on 127.0.0.1) say it the same way. The lock
 * holds the digests of the archives the charts' published repositories serve; an archive from a mirror (a folder
 * packaged from the release tags, say) has other bytes, so it is never "verified", whatever its digest.
 */
import { repoPaths } from '../paths.js';
import { chartKey, chartLabel, type ChartRef, type ChartsLock } from '../validate/charts-lock.js';

export type ChartOutcome =
  /** From the published repository, and the lock has this digest. */
  | { kind: 'verified'; digest: string }
  /** From the published repository; the lock had no digest and --update-lock recorded this one. */
  | { kind: 'recorded'; digest: string }
  /** From the published repository; the lock has no digest for it (a failure unless recording). */
  | { kind: 'unlocked'; digest: string }
  /** From the published repository, and the lock says another digest: a failure, never overwritten here. */
  | { kind: 'mismatch'; digest: string; locked: string }
  /** From a mirror: usable, but not the published archive, so not checked against the lock. */
  | { kind: 'mirror'; digest: string; mirror: string; locked?: string; why: string }
  | { kind: 'unreachable'; reason: string }
  | { kind: 'error'; message: string; hint: string };

/** Outcomes that make the command fail: the archive is not known to be the one reviewed, or there is none. */
export function failed(outcome: ChartOutcome): boolean {
  return outcome.kind === 'unlocked' || outcome.kind === 'mismatch' || outcome.kind === 'unreachable' || outcome.kind === 'error';
}

/** The outcome of an archive with `digest`, pulled from the chart's published repository. */
export function publishedOutcome(lock: ChartsLock, chart: ChartRef, digest: string, updateLock: boolean): ChartOutcome {
  const locked = lockedDigest(lock, chart);
  if (locked === digest) return { kind: 'verified', digest };
  if (locked !== undefined) return { kind: 'mismatch', digest, locked };
  return updateLock ? { kind: 'recorded', digest } : { kind: 'unlocked', digest };
}

/** The digest the lock records for `chart`, if any. */
export function lockedDigest(lock: ChartsLock, chart: ChartRef): string | undefined {
  return lock.entries.find((e) => chartKey(e) === chartKey(chart))?.digest;
}

/** One line per chart, as the command prints it; a second, indented line says what to do where there is something. */
export function outcomeLines(chart: ChartRef, outcome: ChartOutcome): string[] {
  const label = chartLabel(chart);
  switch (outcome.kind) {
    case 'verified':
      return [`  verified     ${label}: ${outcome.digest}, as ${repoPaths.chartsLock} records`];
    case 'recorded':
      return [`  recorded     ${label}: ${outcome.digest}, added to ${repoPaths.chartsLock}`];
    case 'unlocked':
      return [
        `  UNLOCKED     ${label}: ${outcome.digest}; ${repoPaths.chartsLock} has no digest for it`,
        `               hint: review the chart, then run this again with --update-lock to record it`,
      ];
    case 'mismatch':
      return [
        `  MISMATCH     ${label}: the archive is ${outcome.digest}, ${repoPaths.chartsLock} says ${outcome.locked}`,
        `               hint: the repository serves other bytes under the same version; find out why before trusting it (the lock is not changed)`,
      ];
    case 'mirror':
      return [
        `  MIRROR       ${label}: taken from the mirror ${outcome.mirror} (${outcome.why}): ${outcome.digest}, NOT checked against ${repoPaths.chartsLock} (${
          outcome.locked ? `which records the published archive, ${outcome.locked}` : 'which has no digest for it'
        })`,
      ];
    case 'unreachable':
      return [`  UNREACHABLE  ${label}: ${outcome.reason}`, `               hint: run this on a machine that reaches the chart repositories, or pass --mirror <url|folder>`];
    case 'error':
      return [`  ERROR        ${label}: ${outcome.message}`, `               hint: ${outcome.hint}`];
  }
}
