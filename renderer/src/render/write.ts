/**
 * Stage 8, write: the only stage that changes files. It compares the emitted files with the rendered tree on disk,
 * writes what differs, prunes generated files that are no longer produced, and refuses (never touches) files under
 * clusters/ it did not generate unless base/exceptions.yaml declares them. Everything that can fail (render,
 * checks) has happened before this stage starts.
 *
 * All or nothing: every file, new or existing, is first written to a staged file next to its target
 * (`<name>.render-<pid>.tmp`); only when all are written are they renamed into place, each old file kept under a
 * second name (`.old`, a hard link) until every rename and removal has succeeded. A failure at any step puts the old
 * files back and removes everything staged, so clusters/ is either wholly old or wholly new. The write runs
 * synchronously and lets SIGINT or SIGTERM (whose handlers the render installs) in only before and after the
 * publish. SIGKILL can stop it anywhere, which leaves staged and `.old` files and a tree of old and new files; the
 * next render recognises those leftovers (and empty or truncated generated files written in place by earlier
 * versions) and repairs them without blaming anyone.
 */
import { linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { repoPaths } from '../paths.js';
import { generatedMarker, type EmittedFile } from './emit.js';
import { fileSystemProblem, RenderError, type Problem } from '../errors.js';

export interface WritePlan {
  write: EmittedFile[];
  remove: string[];
  unchanged: number;
  /** Files under clusters/ the renderer did not generate and base/exceptions.yaml does not declare. */
  foreign: Problem[];
}

/** A file staged by a render (this or an interrupted one), `<target>.render-<pid>.tmp`, or the old content it kept, `.old`. */
const stagedName = /\.render-\d+\.(tmp|old)$/;

/**
 * What an interrupted render can leave behind: a staged file, or a file that is empty or a cut-off start of the
 * generated header (renderers before staged writes created new files in place).
 */
function isLeftover(file: string, content: string): boolean {
  return stagedName.test(file) || generatedMarker.startsWith(content);
}

/**
 * Reads every file under clusters/ (repository-relative POSIX paths → content). A symbolic link is listed with
 * empty content and a marker, so that it counts as a file the renderer did not write (Argo CD would follow it).
 */
export async function readRenderedTree(root: string): Promise<Map<string, string>> {
  // Performance (bench helper): synchronous reads. Thousands of small files read through fs.promises cost several
  // thread-pool round trips each (open, stat, read, close); the synchronous calls are several times faster here,
  // and nothing else runs while the renderer reads its own output.
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(path.join(root, dir), { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new RenderError([fileSystemProblem(dir, 'rendered folder', err)]);
    }
    for (const e of entries) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.isFile()) {
        try {
          files.set(rel, readFileSync(path.join(root, rel), 'utf8'));
        } catch (err) {
          throw new RenderError([fileSystemProblem(rel, 'rendered file', err)]);
        }
      } else files.set(rel, symbolicLink);
    }
  };
  walk(repoPaths.clustersDir);
  return files;
}

/** Content recorded for anything under clusters/ that is not a plain file or folder (a link, a pipe). */
const symbolicLink = '\u0000not a regular file\u0000';

/** Whether a readRenderedTree entry is a regular file's text (not the mark of a link or another special file). */
export const isRegularText = (content: string): boolean => content !== symbolicLink;

function isGenerated(file: string, content: string): boolean {
  return file === repoPaths.clusterIndex || content.startsWith(generatedMarker);
}

export interface WriteScope {
  /** Clusters whose folders this render owns (a render of one environment leaves the others alone). */
  clusters: string[];
  /** Every cluster the inputs declare: folders under clusters/ named otherwise are not the renderer's. */
  allClusters?: string[];
  /** Files under clusters/ people write, declared in base/exceptions.yaml with a reason. */
  handWritten?: string[];
}

/**
 * Pure: what to write and remove, and which files under clusters/ nobody declared. Leftovers of an interrupted
 * render are rewritten when the render produces their path and removed otherwise.
 */
export function planWrite(existing: Map<string, string>, emitted: EmittedFile[], scope: WriteScope | string[]): WritePlan {
  const { clusters, allClusters, handWritten = [] } = Array.isArray(scope) ? { clusters: scope } : scope;
  const produced = new Set(emitted.map((f) => f.path));
  const declared = new Set(handWritten);
  const write: EmittedFile[] = [];
  const foreign: Problem[] = [];
  let unchanged = 0;
  const notOurs = (file: string, content: string) => content === symbolicLink || !(isGenerated(file, content) || isLeftover(file, content));
  for (const f of emitted) {
    const current = existing.get(f.path);
    if (current === f.content) unchanged++;
    else if (current !== undefined && notOurs(f.path, current)) {
      foreign.push({
        file: f.path,
        message: declared.has(f.path)
          ? 'a file declared hand-written in base/exceptions.yaml is at a path the renderer generates'
          : 'refusing to overwrite a file the renderer did not generate',
        hint: handWrittenHint,
      });
    } else write.push(f);
  }
  const owned = (file: string) => clusters.some((c) => file.startsWith(`${repoPaths.clusterDir(c)}/`));
  /** Outside every declared cluster's folder: checked for foreign files, but never pruned (a removed environment's
   * output is removed on purpose, by a person, since Argo CD would prune that whole cluster). */
  const unowned = (file: string) => allClusters !== undefined && file !== repoPaths.clusterIndex && !allClusters.some((c) => file.startsWith(`${repoPaths.clusterDir(c)}/`));
  const inScope = (file: string) => owned(file) || unowned(file);
  const remove: string[] = [];
  for (const [file, content] of existing) {
    if (produced.has(file) || !inScope(file)) continue;
    // A staged leftover goes wherever it is (clusters/index.json is staged next to itself, outside every cluster).
    if (!owned(file) && !notOurs(file, content) && !stagedName.test(file)) continue;
    if (notOurs(file, content)) {
      if (!declared.has(file) || content === symbolicLink)
        foreign.push({
          file,
          message: content === symbolicLink ? 'a symbolic link (or other special file) under clusters/' : 'a file under clusters/ that the renderer did not generate',
          hint: handWrittenHint,
        });
    } else remove.push(file);
  }
  for (const file of declared) {
    if (!existing.has(file) && inScope(file))
      foreign.push({
        file,
        message: 'declared hand-written in base/exceptions.yaml, but there is no such file',
        hint: 'remove the entry from handWritten: in base/exceptions.yaml, or add the file',
      });
  }
  return { write, remove: remove.sort(), unchanged, foreign };
}

const handWrittenHint =
  'only the renderer writes clusters/ (Argo CD applies every file there): move the file out, or declare it under handWritten: in base/exceptions.yaml with a reason (the platform owners review that file)';

/** Staged files of this process, removed by the interruption handler (see withInterruptCleanup). */
const stagedNow = new Set<string>();

/** Named points of a write where a test can stop the render (see stopAt). */
export type WritePoint = 'mid-stage' | 'before-publish' | 'after-first-rename' | 'mid-publish' | 'after-publish';

/** The test seam's environment variable: `<point>:<signal>`, for example `mid-publish:SIGKILL`. */
export const stopAtVariable = 'RENDER_TEST_STOP_AT';

/**
 * Test seam: a render started with RENDER_TEST_STOP_AT=<point>:<signal> sends itself that signal at that named point
 * of the write, so a test stops it exactly there instead of guessing when to kill it (a guess that a busy machine
 * turns into a kill after the render ended). Unset, as outside tests, it does nothing.
 */
function stopAt(point: WritePoint): void {
  const at = process.env[stopAtVariable];
  if (at?.startsWith(`${point}:`)) process.kill(process.pid, at.slice(point.length + 1));
}

/**
 * Lets the event loop poll, so that a SIGINT or SIGTERM that came during synchronous work is handled now. Two
 * immediates: called from an I/O callback, the first runs in the same loop iteration, before any poll; the second
 * runs after one.
 */
const handleSignals = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/**
 * The file-system calls a write makes. Tests replace them to fail one chosen call (write.test.ts), so that restoring
 * is proven on any machine; publish.test.ts makes the real kernel fail them (chattr +i, mounts) where it may.
 */
export interface WriteFs {
  mkdirSync: typeof mkdirSync;
  writeFileSync: typeof writeFileSync;
  linkSync: typeof linkSync;
  renameSync: typeof renameSync;
  rmSync: typeof rmSync;
}

const nodeWriteFs: WriteFs = { mkdirSync, writeFileSync, linkSync, renameSync, rmSync };

/**
 * Applies a plan, all or nothing: stage every file next to its target, then publish (rename every staged file into
 * place and set aside every file to remove, keeping a link to each old file), then drop the old files and prune
 * emptied folders. When any step fails, what was published is put back from the old files, and nothing staged or
 * kept is left: clusters/ is exactly as it was. A SIGINT or SIGTERM is handled between the phases: before the
 * publish (nothing changes) or after it (everything did), never in the middle.
 */
export async function applyWrite(root: string, plan: WritePlan, fs: WriteFs = nodeWriteFs): Promise<void> {
  const { staged, newFolders } = stage(fs, root, plan.write);
  stopAt('before-publish');
  await handleSignals();
  publish(fs, root, staged, plan.remove, newFolders);
  stopAt('after-publish');
  pruneEmptied(root, plan.remove);
  await handleSignals();
}

interface Staged {
  tmp: string;
  target: string;
}

function stage(fs: WriteFs, root: string, files: EmittedFile[]): { staged: Staged[]; newFolders: string[] } {
  // Performance (bench helper): synchronous calls and one mkdir per folder, for the same reason as above.
  const staged: Staged[] = [];
  const made = new Set<string>();
  /** Folders this write created (the topmost of each mkdir), removed again if the write fails. */
  const newFolders: string[] = [];
  let current = '';
  try {
    for (const [i, f] of files.entries()) {
      current = f.path;
      const target = path.join(root, f.path);
      const dir = path.dirname(target);
      if (!made.has(dir)) {
        const first = fs.mkdirSync(dir, { recursive: true });
        if (first) newFolders.push(first);
        made.add(dir);
      }
      const tmp = `${target}.render-${process.pid}.tmp`;
      // Listed before it is written: a write that fails part-way (ENOSPC) has already created the file.
      stagedNow.add(tmp);
      staged.push({ tmp, target });
      fs.writeFileSync(tmp, f.content);
      if (i === Math.floor(files.length / 2)) stopAt('mid-stage');
    }
  } catch (err) {
    discard(fs, staged, newFolders);
    throw new RenderError([fileSystemProblem(current, 'rendered file', err)]);
  }
  return { staged, newFolders };
}

/** Removes staged files and the folders the write created. */
function discard(fs: WriteFs, staged: Staged[], newFolders: string[]): void {
  for (const { tmp } of staged) fs.rmSync(tmp, { force: true });
  stagedNow.clear();
  for (const dir of newFolders.reverse()) fs.rmSync(dir, { recursive: true, force: true });
}

/** A published step: `target` now holds the new content (or is gone); `old` is a link to its previous content. */
interface Published {
  target: string;
  old?: string;
}

function publish(fs: WriteFs, root: string, staged: Staged[], remove: string[], newFolders: string[]): void {
  const done: Published[] = [];
  const oldOf = (target: string) => `${target}.render-${process.pid}.old`;
  const relative = (target: string) => path.relative(root, target).split(path.sep).join('/');
  let current: Published | undefined;
  try {
    for (const [i, { tmp, target }] of staged.entries()) {
      current = { target, old: oldOf(target) };
      try {
        // A second name for the old content: the rename below replaces the target atomically, and this name is
        // what a failure restores.
        fs.linkSync(target, current.old!);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        current = { target };
      }
      fs.renameSync(tmp, target);
      stagedNow.delete(tmp);
      done.push(current);
      if (i === 0) stopAt('after-first-rename');
      if (i === Math.floor(staged.length / 2)) stopAt('mid-publish');
    }
    for (const file of remove) {
      const target = path.join(root, file);
      current = { target, old: oldOf(target) };
      fs.renameSync(target, current.old!);
      done.push(current);
    }
  } catch (err) {
    const failed = current ? relative(current.target) : '';
    // The old content of the step that failed is still at its target; only its extra name goes.
    if (current?.old && !done.includes(current)) fs.rmSync(current.old, { force: true });
    const problems = [fileSystemProblem(failed, 'rendered file', err), ...restore(fs, done.reverse(), relative)];
    discard(fs, staged, newFolders);
    throw new RenderError(problems);
  }
  for (const { old } of done) if (old) fs.rmSync(old, { force: true });
}

/** Puts back what a failed publish replaced; returns a problem for each file it could not restore. */
function restore(fs: WriteFs, done: Published[], relative: (target: string) => string): Problem[] {
  const problems: Problem[] = [];
  for (const { target, old } of done) {
    try {
      if (old) fs.renameSync(old, target);
      else fs.rmSync(target, { force: true });
    } catch (err) {
      problems.push({
        file: relative(target),
        message: `could not restore this rendered file after the failed write (${(err as NodeJS.ErrnoException).code ?? 'unknown error'})`,
        hint: old ? `its previous content is in ${relative(old)}; move it back, or run npm run render again` : 'remove it, or run npm run render again',
      });
    }
  }
  return problems;
}

/** Removes folders the removals emptied (an app taken out of the catalogue loses its folder). */
function pruneEmptied(root: string, removed: string[]): void {
  const dirs = [...new Set(removed.map((f) => path.posix.dirname(f)))].sort((a, b) => b.length - a.length);
  for (const dir of dirs) {
    for (let d = dir; d.startsWith(`${repoPaths.clustersDir}/`); d = path.posix.dirname(d)) {
      try {
        rmdirSync(path.join(root, d));
      } catch {
        break;
      }
    }
  }
}

/**
 * Runs `fn` with SIGINT and SIGTERM handlers that remove this process's staged files and exit with 128 + the
 * signal number, as a shell reports it. Without handlers Node dies on the spot, possibly half-way through a write;
 * with them a signal is handled only where applyWrite lets it in: after staging (nothing is published) or after the
 * publish (everything is).
 */
export async function withInterruptCleanup<T>(fn: () => Promise<T>, onInterrupt: (signal: string) => void = () => {}): Promise<T> {
  const handler = (signal: NodeJS.Signals) => {
    for (const tmp of stagedNow) rmSync(tmp, { force: true });
    stagedNow.clear();
    onInterrupt(signal);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  try {
    return await fn();
  } finally {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
}
