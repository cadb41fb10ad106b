/**
 * The one place that decides whether the head's committed output is what its sources render. A head is judged by
 * its own renderer: the working tree is checked in place (`scripts/run.mjs render --check`); a commit whose renderer
 * is this checkout's is rendered here in memory from its committed inputs and compared with its committed
 * clusters/, read from git without checking anything out; any other commit is written to a temporary folder and
 * checked there by its own `scripts/run.mjs render`. Swap this function to change how freshness is proven.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../process.js';
import { blobId, lsTree, readBlobBytes, readCommitFiles, sameAsCommit, writeCommitFiles } from '../git.js';
import type { Revision } from './git.js';
import { boundedLines, RenderError } from '../errors.js';
import { diskStore, memoryReader } from '../fs.js';
import { repoPaths } from '../paths.js';
import { RenderCache } from '../render/cache.js';
import { rendererFingerprint } from '../render/fingerprint.js';
import { renderRepository } from '../render/render.js';
import { planWrite } from '../render/write.js';

/** Exit code of `render --check` when the committed output differs (ARCHITECTURE.md: 3 = differences). */
const stale = 3;

export type RenderCheck = (root: string, head: Revision) => Promise<void>;

/** One line of the list of stale files, the same whichever way the head was checked. */
const staleLine = (kind: 'differs' | 'not produced' | "not the renderer's", file: string) => `${`${kind}:`.padEnd(13)} ${file}`;

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
      .map((m) => staleLine(m[1] as 'differs' | 'not produced', m[2]!));
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

/** What decides how a checkout renders: its renderer's sources, the libraries it pins and its compiler settings. */
const rendererPaths = ['renderer/src', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];

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
  const stamp = path.join(root, 'dist', '.build-stamp');
  const reusedRenderer = existsSync(stamp) && statSync(stamp).mtimeMs >= newestMtime(path.join(root, 'renderer', 'src')) && (await sameAsCommit(root, commit, rendererPaths));
  if (reusedRenderer) {
    cpSync(path.join(root, 'dist'), path.join(dir, 'dist'), { recursive: true, preserveTimestamps: true });
    const now = new Date(Date.now() + 1000);
    utimesSync(path.join(dir, 'dist', '.build-stamp'), now, now);
  }
  return { dir, reusedRenderer };
}

/** The folders the renderer reads its inputs from (render/load.ts); everything else in a commit is not an input. */
const inputFolders = [repoPaths.appsDir, repoPaths.baseDir, repoPaths.overlaysDir];

/**
 * Checks a commit whose renderer is the one running here, in memory: its input files and its committed clusters/
 * come from `git ls-tree` and `git cat-file --batch`, the render uses this checkout's job cache (read, never
 * written: its entries are keyed by everything a job reads, so they hold for any commit), and the comparison is
 * the render's own (`planWrite`). A produced file whose git blob id is the committed one is identical without
 * reading it; only the files that differ are read. Returns false, having decided nothing, for a commit this path
 * cannot judge exactly as the disk reader would (a symbolic link, an input that is not UTF-8): the exported copy
 * then gives the disk reader's own verdict and message.
 */
async function checkCommitHere(root: string, commit: string, headLabel: string): Promise<boolean> {
  const entries = await lsTree(root, commit, [...inputFolders, repoPaths.clustersDir]);
  if (entries.some((e) => e.mode === '120000')) return false;
  const isRendered = (file: string) => file.startsWith(`${repoPaths.clustersDir}/`);
  const inputs = entries.filter((e) => !isRendered(e.path));
  const bytes = await readBlobBytes(
    root,
    inputs.map((e) => e.id),
  );
  const texts: Record<string, string> = {};
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    for (const e of inputs) texts[e.path] = strict.decode(bytes.get(e.id)!);
  } catch {
    return false;
  }
  const cache = new RenderCache(diskStore(path.join(root, repoPaths.renderCacheDir)), rendererFingerprint());
  let result;
  try {
    result = await cache.render(renderRepository, memoryReader(texts), {});
  } catch (e) {
    if (e instanceof RenderError) throw new Error(`the render check of ${headLabel} failed; the head does not render:\n${boundedLines(e.message)}`);
    throw e;
  }
  const committed = new Map(entries.filter((e) => isRendered(e.path)).map((e) => [e.path, e.id] as const));
  const existing = new Map<string, string>();
  const unread: string[] = [];
  for (const file of result.files) {
    const id = committed.get(file.path);
    if (id === blobId(Buffer.from(file.content, 'utf8'))) existing.set(file.path, file.content);
    else if (id !== undefined) unread.push(file.path);
  }
  const produced = new Set(result.files.map((f) => f.path));
  for (const file of committed.keys()) if (!produced.has(file)) unread.push(file);
  const read = await readBlobBytes(
    root,
    unread.map((file) => committed.get(file)!),
  );
  for (const file of unread) existing.set(file, read.get(committed.get(file)!)!.toString('utf8'));
  const plan = planWrite(existing, result.files, result);
  const files = [
    ...plan.write.map((f) => staleLine('differs', f.path)),
    ...plan.remove.map((f) => staleLine('not produced', f)),
    ...plan.foreign.map((p) => staleLine("not the renderer's", p.file)),
  ];
  if (files.length > 0) throw new StaleHeadError(files, headLabel);
  return true;
}

/**
 * Runs the head's render check. The working tree is checked in place. A commit whose renderer is this checkout's is
 * checked here, in memory (`checkCommitHere`); any other is written into a temporary folder (`exportHead`) and
 * checked there by its own `scripts/run.mjs render`.
 */
export const checkHeadRendered: RenderCheck = async (root, head) => {
  if (head.kind === 'worktree') return checkIn(root, 'the working tree');
  const label = `commit ${head.commit.slice(0, 12)}`;
  if ((await sameAsCommit(root, head.commit, rendererPaths)) && (await checkCommitHere(root, head.commit, label))) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berrys-diff-head-'));
  try {
    await exportHead(root, head.commit, dir);
    await checkIn(dir, label);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
