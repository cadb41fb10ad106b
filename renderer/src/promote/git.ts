/**
 * The git and process edge of release, promote and gate: every `git` call and the one call of the renderer.
 * Everything that decides lives in the pure modules next to this one.
 */
import path from 'node:path';
import { ProgramNotFound, run } from '../process.js';

class GitError extends Error {
  override name = 'GitError';
  /** What git printed when it failed (standard error, else standard output), trimmed; '' for errors before git ran. */
  readonly output: string;
  constructor(message: string, output = '') {
    super(message);
    this.output = output;
  }
}

/** Runs git in a checkout and returns its standard output. */
export async function git(root: string, args: string[], opts: { input?: string } = {}): Promise<string> {
  let result;
  try {
    result = await run('git', args, { cwd: root, input: opts.input, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } });
  } catch (err) {
    throw err instanceof ProgramNotFound ? new GitError("'git' was not found on PATH; install git and run again") : err;
  }
  if (result.code !== 0) {
    const output = (result.stderr || result.stdout || `exit ${result.code}`).trim();
    throw new GitError(`git ${args.join(' ')} failed: ${output}`, output);
  }
  return result.stdout;
}

/** The full commit id of a revision, or a GitError naming it. */
export async function resolveCommit(root: string, rev: string): Promise<string> {
  try {
    return (await git(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`])).trim();
  } catch {
    throw new GitError(`'${rev}' is not a commit in ${root}; fetch it first (the checkout may be shallow: fetch-depth: 0)`);
  }
}

/** Whether the commit is in the local object store (a shallow CI checkout may not have Argo CD's revision). */
export async function hasCommit(root: string, rev: string): Promise<boolean> {
  return git(root, ['cat-file', '-e', `${rev}^{commit}`]).then(
    () => true,
    () => false,
  );
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
  return git(root, ['remote', 'get-url', remote]).then(
    () => true,
    () => false,
  );
}

/** The branch a remote's HEAD names (`git clone` records it as refs/remotes/<remote>/HEAD), if known here. */
export async function remoteDefaultBranch(root: string, remote: string): Promise<string | undefined> {
  const ref = (await git(root, ['symbolic-ref', '--quiet', '--short', `refs/remotes/${remote}/HEAD`]).catch(() => '')).trim();
  return ref.startsWith(`${remote}/`) ? ref.slice(remote.length + 1) : undefined;
}

export async function branchExists(root: string, branch: string): Promise<boolean> {
  return git(root, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]).then(
    () => true,
    () => false,
  );
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

/** What git printed for a failed call (see `GitError.output`), or the error's message for anything else. */
export function gitOutput(err: unknown): string {
  return err instanceof GitError ? err.output : String((err as Error)?.message ?? err);
}

/**
 * Renders the checkout at `root` the way a person would: `node <root>/scripts/run.mjs render` in that folder, so the
 * code that renders is the checkout's own. Throws with the renderer's output when it fails.
 */
export async function renderCheckout(root: string): Promise<void> {
  const result = await run(process.execPath, [path.join(root, 'scripts', 'run.mjs'), 'render', '--quiet'], { cwd: root });
  if (result.code === 0) return;
  const output = `${result.stderr}${result.stdout}`.trim();
  throw new Error(`rendering ${root} failed (node scripts/run.mjs render):\n${output || `exit ${result.code}`}`);
}

/** The best common ancestor of two commits: what a pull request's changes are measured from. */
export async function mergeBase(root: string, a: string, b: string): Promise<string> {
  try {
    return (await git(root, ['merge-base', a, b])).trim();
  } catch {
    throw new GitError(`${a.slice(0, 12)} and ${b.slice(0, 12)} have no common history in ${root}; fetch both with full history (fetch-depth: 0)`);
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
