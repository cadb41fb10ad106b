/**
 * The diff between two commits, as pull-request CI runs it (`diff --base <sha> --head <sha>`): both revisions'
 * rendered files read from git, nothing checked out. The one-app change is committed on top of the base commit,
 * the diff between the two commits is timed, and the repository is put back on the base commit.
 */
import { rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoPaths } from '../paths.js';

/** What the benchmark lends this part: its repository and git there. */
export interface DiffCommitsBench {
  /** The benchmark's repository. */
  root: string;
  git(args: string[]): string;
}

/** One way the benchmark times the diff of the committed change: its scenario id and name, and the command. */
interface DiffCommitsPart {
  id: string;
  name: string;
  args: string[];
  command: string;
  /** Runs before each timed run. */
  before?: () => void;
}

/** The one-app change as a commit on top of the base commit, and the ways the benchmark times its diff. */
export interface CommittedChange {
  parts: DiffCommitsPart[];
  /** Back on the base commit with the change left in the working tree, which the benchmark then puts back itself. */
  undo(): void;
}

/**
 * Commits the one-app change already written and rendered in the working tree on top of the base commit. Exit 3
 * (differences) is the expected outcome of either diff; one that finds none would be measuring nothing, so it fails.
 */
export function commitOneAppChange(bench: DiffCommitsBench): CommittedChange {
  const base = bench.git(['rev-parse', 'HEAD']).trim();
  // A head whose renderer differs from this checkout's is checked by its own entry point (scripts/run.mjs), which
  // needs renderer/src in the commit, as any checkout has it. The benchmark keeps that folder empty (git keeps no
  // empty folder): one marker file, dated before the build, so that the entry point's freshness check still finds
  // nothing newer than the compiled renderer.
  const marker = path.join(bench.root, 'renderer', 'src', '.bench-keep');
  writeFileSync(marker, '');
  utimesSync(marker, new Date(0), new Date(0));
  bench.git(['add', '-A']);
  bench.git(['commit', '-q', '-m', 'one-app change']);
  const head = bench.git(['rev-parse', 'HEAD']).trim();
  const args = [path.join('scripts', 'run.mjs'), 'diff', '--base', base, '--head', head];
  const command = `run.mjs diff --base ${base.slice(0, 7)} --head ${head.slice(0, 7)}`;
  return {
    parts: [
      // The diff itself: both revisions' rendered files read from git, nothing rendered. The target is judged on it.
      {
        id: 'diff-commits',
        name: 'diff between commits, one-app change (the diff itself: --no-render-check)',
        args: [...args, '--no-render-check'],
        command: `${command} --no-render-check`,
      },
      // As it runs by default and in CI: the head's render check first (in memory, with this checkout's job cache).
      { id: 'diff-commits-checked', name: "diff between commits, one-app change, with the head's render check (the default), warm job cache", args, command },
      // What CI pays: a fresh runner has no job cache (the workflows keep none), so the head's check renders every job.
      {
        id: 'diff-commits-cold',
        name: "diff between commits, one-app change, with the head's render check, no job cache (CI's path: a fresh runner)",
        args,
        command: `rm -rf ${repoPaths.renderCacheDir}; ${command}`,
        before: () => rmSync(path.join(bench.root, repoPaths.renderCacheDir), { recursive: true, force: true }),
      },
    ],
    undo: () => bench.git(['reset', '-q', base]),
  };
}

/**
 * The target: under 3 s at 250 apps and under 5 s at 1,000, for a one-app change, judged on the diff itself; beside
 * it, what the diff costs with the head's render check, warm (a person's checkout) and cold (CI's fresh runner).
 */
export function diffCommitsTarget(apps: number, seconds: (id: string) => number | undefined): { scenario: string; name: string; met: boolean | null; detail: string } | undefined {
  const limit = apps === 250 ? 3 : apps === 1000 ? 5 : undefined;
  if (limit === undefined) return undefined;
  const diff = seconds('diff-commits');
  const [warm, cold] = [seconds('diff-commits-checked'), seconds('diff-commits-cold')];
  const figure = (s: number | undefined) => (s === undefined ? 'not measured' : `${s.toFixed(2)} s`);
  return {
    scenario: 'diff-commits',
    name: `diff between commits, one-app change < ${limit} s`,
    met: diff === undefined ? null : diff < limit,
    detail:
      diff === undefined
        ? 'not measured'
        : `${diff.toFixed(2)} s (limit ${limit} s); beside it, with the head's render check: ${figure(warm)} with a warm job cache, ${figure(cold)} without one (CI's path)`,
  };
}
