/**
 * The one git edge of the renderer's commands (diff, release, promote, rollback, gate, status, the render check):
 * every `git` process runs here, through one runner, and every failure reads the same way: `git <args> failed:
 * <what git said>` (a `GitError`), or, for a revision that is not here, `<what> is not a commit in this repository;
 * fetch it first (a CI checkout needs fetch-depth: 0)`. Reading a revision never checks anything out: `git ls-tree`
 * for the paths and blob ids, and one `git cat-file --batch` for the contents, however many files there are.
 * What to do with what git says lives in the modules that call these.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RepoReader } from './fs.js';
import { ProgramNotFound, run } from './process.js';

class GitError extends Error {
  override name = 'GitError';
  /** What git printed when it failed (standard error, else standard output), trimmed; '' for errors before git ran. */
  readonly output: string;
  constructor(message: string, output = '') {
    super(message);
    this.output = output;
  }
}

/** Runs git in a checkout and returns its standard output as the bytes git wrote. */
async function gitBytes(root: string, args: string[], input?: string): Promise<Buffer> {
  let result;
  try {
    result = await run('git', args, { cwd: root, input, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } });
  } catch (err) {
    throw err instanceof ProgramNotFound ? new GitError("'git' was not found on PATH; install git and run again") : err;
  }
  if (result.code !== 0) {
    const output = (result.stderr || result.stdout || `exit ${result.code}`).trim();
    throw new GitError(`git ${args.join(' ')} failed: ${output}`, output);
  }
  return result.stdoutBytes;
}

/** Runs git in a checkout and returns its standard output. */
export async function git(root: string, args: string[], opts: { input?: string } = {}): Promise<string> {
  return (await gitBytes(root, args, opts.input)).toString('utf8');
}

/** Whether a git call succeeds (exit 0): for the questions git answers with its exit code. */
async function succeeds(root: string, args: string[]): Promise<boolean> {
  return git(root, args).then(
    () => true,
    () => false,
  );
}

/** What git printed for a failed call (see `GitError.output`), or the error's message for anything else. */
export function gitOutput(err: unknown): string {
  return err instanceof GitError ? err.output : String((err as Error)?.message ?? err);
}

// ---------------------------------------------------------------------------------------------------------------
// Revisions

/** The commit a ref names, or undefined when it names none. */
export async function commitOf(root: string, ref: string): Promise<string | undefined> {
  const out = await git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).catch(() => '');
  return out.trim() || undefined;
}

/**
 * The full commit id of a revision, or a GitError naming it: `label` says what the revision is to the person (a
 * flag: `--base 'x'`); by default the revision quoted.
 */
export async function resolveCommit(root: string, rev: string, label = `'${rev}'`): Promise<string> {
  const commit = await commitOf(root, rev);
  if (!commit) throw new GitError(`${label} is not a commit in this repository; fetch it first (a CI checkout needs fetch-depth: 0)`);
  return commit;
}
/** Reads files as they are at a git revision, through the RepoReader interface the renderer's loader uses. */
export function gitReader(root: string, rev: string): RepoReader {
  return {
    async read(file) {
      try {
        return await git(root, ['show', `${rev}:${file}`]);
      } catch (err) {
        if (/does not exist in|exists on disk, but not in/.test((err as Error).message)) return undefined;
        throw err;
      }
    },
    async list(dir) {
      const out = await git(root, ['ls-tree', `${rev}:${dir}`]).catch(() => '');
      return out
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [meta, name] = line.split('\t') as [string, string];
          return { name, isDir: meta.split(' ')[1] === 'tree' };
        })
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  };
}

/** Whether the commit is in the local object store (a shallow CI checkout may not have Argo CD's revision). */
export async function hasCommit(root: string, rev: string): Promise<boolean> {
  return succeeds(root, ['cat-file', '-e', `${rev}^{commit}`]);
}

/** Tries once to fetch one commit from origin; quietly false when that is not possible. */
export async function fetchCommit(root: string, rev: string): Promise<boolean> {
  await git(root, ['fetch', '--quiet', '--no-tags', '--depth=1', 'origin', rev]).catch(() => undefined);
  return hasCommit(root, rev);
}

/** Paths changed between two revisions (renames as delete + add). */
export async function changedFiles(root: string, base: string, head: string): Promise<string[]> {
  const out = await git(root, ['diff', '--name-only', '--no-renames', base, head]);
  return out.split('\n').filter(Boolean).sort();
}

/** Uncommitted changes (tracked or not), as `git status --porcelain` lines; [] when clean. */
export async function uncommitted(root: string): Promise<string[]> {
  return (await git(root, ['status', '--porcelain', '--untracked-files=all'])).split('\n').filter(Boolean);
}

/** Where the checkout is: its branch (undefined when HEAD is detached) and commit. */
export interface CheckedOut {
  branch: string | undefined;
  commit: string;
}

export async function checkedOut(root: string): Promise<CheckedOut> {
  const branch = (await git(root, ['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '')).trim() || undefined;
  return { branch, commit: (await git(root, ['rev-parse', 'HEAD'])).trim() };
}

/** Goes back to where the checkout was (a branch, or the detached commit). */
export async function checkOut(root: string, at: CheckedOut): Promise<void> {
  await git(root, at.branch ? ['switch', '--quiet', at.branch] : ['switch', '--quiet', '--detach', at.commit]);
}

/** Whether the checkout has a remote of that name. */
export async function hasRemote(root: string, remote: string): Promise<boolean> {
  return succeeds(root, ['remote', 'get-url', remote]);
}

/** The branch a remote's HEAD names (`git clone` records it as refs/remotes/<remote>/HEAD), if known here. */
export async function remoteDefaultBranch(root: string, remote: string): Promise<string | undefined> {
  const ref = (await git(root, ['symbolic-ref', '--quiet', '--short', `refs/remotes/${remote}/HEAD`]).catch(() => '')).trim();
  return ref.startsWith(`${remote}/`) ? ref.slice(remote.length + 1) : undefined;
}

export async function branchExists(root: string, branch: string): Promise<boolean> {
  return succeeds(root, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]);
}

/**
 * Creates `branch` at the current commit, carrying the working changes, and commits exactly the given paths
 * (added, changed or deleted). Returns the new commit id.
 */
export async function commitOnNewBranch(root: string, branch: string, paths: string[], message: string): Promise<string> {
  await git(root, ['switch', '--quiet', '-c', branch]);
  await git(root, ['add', '--all', '--', ...paths]);
  await git(root, ['commit', '--quiet', '--file=-'], { input: message });
  return (await git(root, ['rev-parse', 'HEAD'])).trim();
}

/** The tree and first parent of a commit (parent undefined for a root commit). */
export async function commitShape(root: string, commit: string): Promise<{ tree: string; parent: string | undefined }> {
  const [tree, parent] = (await git(root, ['show', '--no-patch', '--format=%T %P', commit])).trim().split(/\s+/);
  return { tree: tree!, parent: parent || undefined };
}

/**
 * The tree HEAD would have with the working changes under `paths` committed, without committing: staged, written
 * as a tree, then unstaged again (the working tree keeps the changes).
 */
export async function treeWithChanges(root: string, paths: string[]): Promise<string> {
  await git(root, ['add', '--all', '--', ...paths]);
  try {
    return (await git(root, ['write-tree'])).trim();
  } finally {
    await git(root, ['reset', '--quiet', '--', ...paths]);
  }
}

/** `git diff --stat` of one commit against its parent, limited to some paths. */
export async function diffStat(root: string, commit: string, paths: string[]): Promise<string> {
  return (await git(root, ['diff', '--stat=100', `${commit}^`, commit, '--', ...paths])).trimEnd();
}

/** Puts back the given paths as they are in HEAD and removes files under them that HEAD does not have. */
export async function restorePaths(root: string, paths: string[]): Promise<void> {
  await git(root, ['checkout', 'HEAD', '--', ...paths]).catch(() => undefined);
  await git(root, ['clean', '-fdq', '--', ...paths]).catch(() => undefined);
}

/**
 * Pushes a branch and sets it as the upstream. A refusal (a hook, permissions, a branch that moved there) throws
 * with `output`: what git and the remote said.
 */
export async function push(root: string, branch: string, remote: string): Promise<void> {
  await git(root, ['push', '--quiet', '--set-upstream', remote, `refs/heads/${branch}:refs/heads/${branch}`]);
}

/** The best common ancestor of two commits: what a pull request's changes are measured from. */
export async function mergeBase(root: string, a: string, b: string): Promise<string> {
  try {
    return (await git(root, ['merge-base', a, b])).trim();
  } catch {
    throw new GitError(`${a.slice(0, 12)} and ${b.slice(0, 12)} have no common history in this repository; fetch both with full history (a CI checkout needs fetch-depth: 0)`);
  }
}

/**
 * The commits on the first-parent line of `rev` that changed `file`, newest first. First parent only: those are
 * the states the branch itself was in (merges and direct commits), not the intermediate commits of merged branches.
 */
export async function fileHistory(root: string, rev: string, file: string): Promise<string[]> {
  return (await git(root, ['log', '--first-parent', '--format=%H', rev, '--', file])).split('\n').filter(Boolean);
}

/** The values of one trailer (`Key: value` at the end of a commit message) in the commits of `from..to`. */
export async function trailerValues(root: string, from: string, to: string, key: string): Promise<{ commit: string; value: string }[]> {
  // unfold: a value continued on the next line reads as one line, so no value can start a line of the gate's output.
  const out = await git(root, ['log', `--format=%H%x1f%(trailers:key=${key},valueonly,unfold,separator=%x1e)%x1d`, `${from}..${to}`]);
  return out
    .split('\x1d')
    .map((record) => record.trim().split('\x1f'))
    .filter((parts) => parts.length === 2)
    .flatMap(([commit, values]) => values!.split('\x1e').map((value) => ({ commit: commit!, value: value.replace(/\s+/g, ' ').trim() })))
    .filter((t) => t.value !== '');
}

/** Whether the files under `paths` are the same in the working tree as in `commit`, untracked files included. */
export async function sameAsCommit(root: string, commit: string, paths: string[]): Promise<boolean> {
  if (!(await succeeds(root, ['diff', '--quiet', commit, '--', ...paths]))) return false;
  return (await git(root, ['ls-files', '--others', '--exclude-standard', '--', ...paths])).trim() === '';
}

// ---------------------------------------------------------------------------------------------------------------
// Reading a revision's files

/** Git's id of a blob with these bytes, so working-tree files compare with committed ones without reading those. */
export function blobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** Every blob `git ls-tree -r` lists in a commit (under `paths` when given): path, mode and blob id. */
export async function lsTree(root: string, commit: string, paths: string[] = []): Promise<{ path: string; mode: string; id: string }[]> {
  const out = await gitBytes(root, ['ls-tree', '-r', '-z', '--full-tree', commit, '--', ...paths]);
  const entries: { path: string; mode: string; id: string }[] = [];
  for (const entry of out.toString('utf8').split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, id] = entry.slice(0, tab).split(' ');
    if (type === 'blob') entries.push({ path: entry.slice(tab + 1), mode: mode!, id: id! });
  }
  return entries;
}

/** The raw bytes of many blobs through one `git cat-file --batch`, by blob id. */
export async function readBlobBytes(root: string, ids: readonly string[]): Promise<Map<string, Buffer>> {
  const blobs = new Map<string, Buffer>();
  if (ids.length === 0) return blobs;
  const unique = [...new Set(ids)];
  const out = await gitBytes(root, ['cat-file', '--batch'], `${unique.join('\n')}\n`);
  let at = 0;
  // Byte offsets into raw bytes: the header gives each object's size in bytes, and each object is decoded on its own.
  while (at < out.length) {
    const eol = out.indexOf(0x0a, at);
    const header = out.toString('utf8', at, eol < 0 ? out.length : eol).split(' ');
    if (header[1] === 'missing') throw new GitError(`git cat-file --batch failed: object ${header[0]} is missing`);
    const size = Number(header[2]);
    const end = eol + 1 + size;
    if (eol < 0 || !Number.isSafeInteger(size) || out[end] !== 0x0a) throw new GitError(`git cat-file --batch failed: its output ends or drifts inside object ${header[0]}`);
    blobs.set(header[0]!, out.subarray(eol + 1, end));
    at = end + 1;
  }
  return blobs;
}

/** Contents of many blobs as text, through one `git cat-file --batch`. */
export async function readBlobs(root: string, ids: readonly string[]): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const [id, bytes] of await readBlobBytes(root, ids)) texts.set(id, bytes.toString('utf8'));
  return texts;
}

/** One file of a commit: its path, git mode (`100644`, `100755`, `120000` for a link) and bytes. */
export interface CommittedFile {
  path: string;
  mode: string;
  bytes: Buffer;
}

/**
 * Every file of a commit (its whole tree, or the folders in `paths`; submodules left out) as git stores it: one
 * `git ls-tree` and one `git cat-file --batch`. Not `git archive`, whose export attributes (`export-ignore`,
 * `export-subst`) the commit itself controls, so an archive need not be the commit's files.
 */
export async function readCommitFiles(root: string, commit: string, paths: string[] = []): Promise<CommittedFile[]> {
  const entries = await lsTree(root, commit, paths);
  const blobs = await readBlobBytes(
    root,
    entries.map((e) => e.id),
  );
  return entries.map((e) => ({ path: e.path, mode: e.mode, bytes: blobs.get(e.id)! }));
}

/**
 * Writes a commit's files (`readCommitFiles`) under `dest`, byte for byte, executable bits kept. A path that git
 * itself would not check out (an empty, `.`, `..` or `.git` part) is refused before anything is written, and
 * symbolic links stay links, made last, so that no file is ever written through one (readers decide what a link
 * may point at: the renderer's refuses one that leads out of the repository).
 */
export function writeCommitFiles(dest: string, files: CommittedFile[], label: string): void {
  const unsafe = files.find((f) => f.path.split('/').some((part) => part === '' || part === '.' || part === '..' || part === '.git'));
  if (unsafe) throw new Error(`${label} holds a path git itself would not check out: ${JSON.stringify(unsafe.path)}`);
  const target = (file: CommittedFile) => {
    const at = path.join(dest, file.path);
    mkdirSync(path.dirname(at), { recursive: true });
    return at;
  };
  for (const file of files) if (file.mode !== '120000') writeFileSync(target(file), file.bytes, { mode: file.mode === '100755' ? 0o755 : 0o644 });
  for (const file of files) if (file.mode === '120000') symlinkSync(file.bytes.toString('utf8'), target(file));
}
