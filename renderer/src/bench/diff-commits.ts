/**
 * The diff between two commits, as pull-request CI runs it (`diff --base <sha> --head <sha>`): both revisions'
 * rendered files read from git, nothing checked out. The one-app change is committed on top of the base commit,
 * the diff between the two commits is timed, and the repository is put back on the base commit.
 */
import { utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Measurement } from './measure.js';

/** What the benchmark lends this part: its timed runner (node scripts, in the benchmark's repository) and git. */
export interface DiffCommitsBench {
  /** The benchmark's repository. */
  root: string;
  timed(label: string, args: string[], before?: (i: number) => void, okCodes?: number[], n?: number): Promise<Measurement[]>;
  git(args: string[]): string;
}

/**
 * Times `diff --base <base> --head <head>` for the one-app change already written and rendered in the working tree.
 * Exit 3 (differences) is the expected outcome; a diff that finds none would be measuring nothing, so it fails.
 */
export async function diffBetweenCommits(bench: DiffCommitsBench): Promise<{ runs: Measurement[]; command: string }> {
  const base = bench.git(['rev-parse', 'HEAD']).trim();
  // The diff renders the head commit by its own entry point (scripts/run.mjs), which needs renderer/src in the commit, as any
  // checkout has it. The benchmark keeps that folder empty (git keeps no empty folder): one marker file, dated before
  // the build, so that the entry point's freshness check still finds nothing newer than the compiled renderer.
  const marker = path.join(bench.root, 'renderer', 'src', '.bench-keep');
  writeFileSync(marker, '');
  utimesSync(marker, new Date(0), new Date(0));
  bench.git(['add', '-A']);
  bench.git(['commit', '-q', '-m', 'one-app change']);
  const head = bench.git(['rev-parse', 'HEAD']).trim();
  try {
    const args = [path.join('scripts', 'run.mjs'), 'diff', '--base', base, '--head', head];
    const runs = await bench.timed('diff between commits', args, undefined, [3]);
    return { runs, command: `run.mjs diff --base ${base.slice(0, 7)} --head ${head.slice(0, 7)}` };
  } finally {
    // Back on the base commit with the change left in the working tree, which the benchmark then puts back itself.
    bench.git(['reset', '-q', base]);
  }
}

/** The target: as fast as the working tree's diff; under 3 s at 250 apps and under 5 s at 1,000, for a one-app change. */
export function diffCommitsTarget(apps: number, seconds: number | undefined): { scenario: string; name: string; met: boolean | null; detail: string } | undefined {
  const limit = apps === 250 ? 3 : apps === 1000 ? 5 : undefined;
  if (limit === undefined) return undefined;
  return {
    scenario: 'diff-commits',
    name: `diff between commits, one-app change < ${limit} s`,
    met: seconds === undefined ? null : seconds < limit,
    detail: seconds === undefined ? 'not measured' : `${seconds.toFixed(2)} s (limit ${limit} s)`,
  };
}
