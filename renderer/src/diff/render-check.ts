/**
 * The one place that decides whether the head's committed output is what its sources render. It runs the
 * head's own renderer (`scripts/run.mjs render --check`), so a head that changes the renderer is judged by its own
 * code. Swap this function to change how freshness is proven.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../process.js';
import { readCommitFiles, writeCommitFiles, type Revision } from './git.js';
import { boundedLines } from '../errors.js';
import { repoPaths } from '../paths.js';

/** Exit code of `render --check` when the committed output differs (ARCHITECTURE.md: 3 = differences). */
const stale = 3;

export type RenderCheck = (root: string, head: Revision) => Promise<void>;

/** Thrown when the head is stale; the message names the files and what to run. */
class StaleHeadError extends Error {
  override name = 'StaleHeadError';
  constructor(
    readonly files: string[],
    headLabel: string,
  ) {
    super(
      `the rendered output of ${headLabel} is stale: clusters/ is not what its sources render, so a diff of it would not show what will be deployed\n` +
        files.map((f) => `  ${f}`).join('\n') +
        `\nhint: run \`npm run render\` and commit the result, then run the diff again`,
    );
  }
}

async function checkIn(dir: string, headLabel: string): Promise<void> {
  const entry = headRenderEntry(dir);
  if (!entry) {
    throw new Error(`cannot check that ${headLabel} is rendered: it has no scripts/run.mjs; pass --no-render-check to compare the committed trees as they are`);
  }
  const result = await run(process.execPath, [...entry, '--check', '--quiet'], { cwd: dir });
  if (result.code === 0) return;
  if (result.code === stale) {
    // `render --check` lists the files as "  differs:    <path>" and "  not produced: <path>".
    const files = result.stderr
      .split('\n')
      .map((l) => /^\s+(differs|not produced):\s+(\S+)/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => `${m[1] === 'differs' ? 'differs:     ' : 'not produced:'} ${m[2]}`);
    throw new StaleHeadError(files, headLabel);
  }
  throw new Error(`the render check of ${headLabel} failed (exit ${result.code}); the head does not render:\n${boundedLines(result.stderr.trim())}`);
}

/**
 * How the head's own code renders: `scripts/run.mjs render`, or, in a commit from before the one entry point,
 * `scripts/render.mjs` (a diff against an older revision still checks that revision with its own renderer).
 */
function headRenderEntry(dir: string): string[] | undefined {
  if (existsSync(path.join(dir, 'scripts', 'run.mjs'))) return [path.join(dir, 'scripts', 'run.mjs'), 'render'];
  if (existsSync(path.join(dir, 'scripts', 'render.mjs'))) return [path.join(dir, 'scripts', 'render.mjs')];
  return undefined;
}

/** The newest modification time under `dir`: this checkout's compiled renderer is current when its stamp is newer (scripts/lib/run.mjs). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** What `exportHead` made: the folder, and whether it borrows this checkout's compiled renderer. */
export interface ExportedHead {
  dir: string;
  reusedRenderer: boolean;
}

/**
 * Writes a commit's files into `dir` from `git ls-tree` and one `git cat-file --batch` (not `git archive`: see
 * `readCommitFiles`), borrowing this checkout's node_modules. When the commit's renderer sources are this
 * checkout's (nothing differs or is untracked under them) and that compiled renderer (`dist/`) is current, it borrows it, with its
 * build stamp set newer than the files just written: `scripts/lib/run.mjs` rebuilds when a source is newer than the
 * stamp, and every written file is new, so without that every head commit would cost a full compile (about 10 s
 * here, 30 s on a busy machine) although its compiled code is byte for byte the same. A commit whose renderer
 * differs is compiled by its own code in `dir`: the cost of judging a head by its own renderer.
 */
export async function exportHead(root: string, commit: string, dir: string): Promise<ExportedHead> {
  writeCommitFiles(dir, await readCommitFiles(root, commit), commit.slice(0, 12));
  if (existsSync(path.join(root, 'node_modules')) && !existsSync(path.join(dir, 'node_modules'))) symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  const generated = path.join(root, '.cache', 'generated');
  if (existsSync(generated) && !existsSync(path.join(dir, '.cache', 'generated'))) {
    mkdirSync(path.join(dir, '.cache'), { recursive: true });
    symlinkSync(generated, path.join(dir, '.cache', 'generated'));
  }
  // The render cache's job results (cache.ts) are keyed by everything a job reads and by the renderer's fingerprint,
  // so this checkout's are valid for any commit: with them the head's check renders only the jobs the change touched,
  // instead of every job from cold (at 1,000 apps the difference between seconds and tens of seconds). Copied, not
  // linked: the check in `dir` writes its own results there and never into this checkout.
  const jobs = path.join(root, repoPaths.renderCacheDir);
  if (existsSync(jobs) && !existsSync(path.join(dir, repoPaths.renderCacheDir))) {
    cpSync(jobs, path.join(dir, repoPaths.renderCacheDir), { recursive: true, filter: (from) => !from.endsWith('inputs.json') });
  }
  const rendererPaths = ['renderer/src', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];
  const stamp = path.join(root, 'dist', '.build-stamp');
  const reusedRenderer =
    existsSync(stamp) &&
    statSync(stamp).mtimeMs >= newestMtime(path.join(root, 'renderer', 'src')) &&
    (await run('git', ['diff', '--quiet', commit, '--', ...rendererPaths], { cwd: root })).code === 0 &&
    (await run('git', ['ls-files', '--others', '--exclude-standard', '--', ...rendererPaths], { cwd: root })).stdout.trim() === '';
  if (reusedRenderer) {
    cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true, preserveTimestamps: true });
    const now = new Date(Date.now() + 1000);
    utimesSync(path.join(dir, 'dist', '.build-stamp'), now, now);
  }
  return { dir, reusedRenderer };
}

/**
 * Runs the head's render check. The working tree is checked in place. A commit is written into a temporary
 * folder (`exportHead`) and checked there by its own `scripts/run.mjs render`.
 */
export const checkHeadRendered: RenderCheck = async (root, head) => {
  if (head.kind === 'worktree') return checkIn(root, 'the working tree');
  const label = `commit ${head.commit.slice(0, 12)}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berrys-diff-head-'));
  try {
    await exportHead(root, head.commit, dir);
    await checkIn(dir, label);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
