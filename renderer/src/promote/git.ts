/**
 * The git and process edge of release, promote and gate: every `git` call and the one call of the renderer.
 * Everything that decides lives in the pure modules next to this one.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

export class GitError extends Error {
  override name = 'GitError';
}

/** Runs git in a checkout and returns its standard output. */
export function git(root: string, args: string[], opts: { input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      { cwd: root, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } },
      (err, stdout, stderr) => {
        if (err) {
          const e = err as NodeJS.ErrnoException;
          if (e.code === 'ENOENT') reject(new GitError("'git' was not found on PATH; install git and run again"));
          else reject(new GitError(`git ${args.join(' ')} failed: ${(stderr || stdout || err.message).trim()}`));
        } else resolve(stdout);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** A file's text at a revision, or undefined when the file (not the revision) does not exist there. */
export async function showFile(root: string, rev: string, file: string): Promise<string | undefined> {
  try {
    return await git(root, ['show', `${rev}:${file}`]);
  } catch (err) {
    const text = (err as Error).message;
    if (/does not exist in|exists on disk, but not in/.test(text)) return undefined;
    throw err;
  }
}

/** Names in a folder at a revision (`git ls-tree`), sorted. */
export async function listFolder(root: string, rev: string, dir: string): Promise<string[]> {
  const out = await git(root, ['ls-tree', '--name-only', `${rev}:${dir}`]).catch(() => '');
  return out.split('\n').filter(Boolean).sort();
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

export async function currentBranch(root: string): Promise<string> {
  return (await git(root, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
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

/** `git diff --stat` of one commit against its parent, limited to some paths. */
export async function diffStat(root: string, commit: string, paths: string[]): Promise<string> {
  return (await git(root, ['diff', '--stat=100', `${commit}^`, commit, '--', ...paths])).trimEnd();
}

/** Puts back the given paths as they are in HEAD and removes files under them that HEAD does not have. */
export async function restorePaths(root: string, paths: string[]): Promise<void> {
  await git(root, ['checkout', 'HEAD', '--', ...paths]).catch(() => undefined);
  await git(root, ['clean', '-fdq', '--', ...paths]).catch(() => undefined);
}

export async function push(root: string, branch: string, remote = 'origin'): Promise<void> {
  await git(root, ['push', '--quiet', '--set-upstream', remote, `refs/heads/${branch}:refs/heads/${branch}`]);
}

/**
 * Renders the checkout at `root` the way a person would: `node <root>/scripts/render.mjs` in that folder, so the
 * code that renders is the checkout's own. Throws with the renderer's output when it fails.
 */
export function renderCheckout(root: string): Promise<void> {
  const script = path.join(root, 'scripts', 'render.mjs');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, '--quiet'], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve();
      const output = `${stderr}${stdout}`.trim();
      reject(new Error(`rendering ${root} failed (node scripts/render.mjs):\n${output || err.message}`));
    });
  });
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
