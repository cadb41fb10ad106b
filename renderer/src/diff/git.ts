/**
 * The git and file-system edge of the diff: which commits to compare, and the rendered tree (clusters/) of a
 * commit or of the working tree. Few git processes however many files there are: `git ls-tree` per commit for
 * the blob ids and one `git cat-file --batch` for the contents of the files that differ, on both sides.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoPaths } from '../paths.js';
import { ProgramNotFound, run as runProcess } from '../process.js';
import type { RenderedTree, Side } from './types.js';

/** The head of a comparison: the files on disk, or a commit. */
export type Revision = { kind: 'worktree' } | { kind: 'commit'; commit: string };

async function run(root: string, args: string[], input?: string): Promise<Buffer> {
  let result;
  try {
    result = await runProcess('git', args, { cwd: root, env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' }, input });
  } catch (e) {
    throw e instanceof ProgramNotFound ? new Error("'git' was not found on PATH; install git and run again") : e;
  }
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
  return result.stdoutBytes;
}

async function git(root: string, args: string[]): Promise<string> {
  return (await run(root, args)).toString('utf8').trim();
}

/** The commit a ref names, or undefined when it names none. */
async function commitOf(root: string, ref: string): Promise<string | undefined> {
  return git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).catch(() => undefined);
}

/**
 * The base: the given ref as it is, or by default the merge base of HEAD with `main` (then `origin/main`),
 * which is what a pull request into main will change.
 */
export async function resolveBase(root: string, ref: string | undefined): Promise<Side & { commit: string }> {
  if (ref !== undefined) {
    const commit = await commitOf(root, ref);
    if (!commit) throw new Error(`--base '${ref}' is not a commit in this repository; fetch it first (a CI checkout needs fetch-depth: 0)`);
    return { ref, commit };
  }
  const tried: string[] = [];
  for (const candidate of ['main', 'origin/main']) {
    tried.push(candidate);
    if (!(await commitOf(root, candidate))) continue;
    const commit = await git(root, ['merge-base', 'HEAD', candidate]).catch(() => '');
    if (commit) return { ref: candidate, commit, note: `merge base of HEAD and ${candidate}` };
  }
  throw new Error(`no base to compare with: tried the merge base of HEAD with ${tried.join(' and ')}; pass --base <ref>`);
}

/** The head: the working tree by default, or a commit. */
export async function resolveHead(root: string, ref: string | undefined): Promise<{ side: Side; revision: Revision }> {
  if (ref === undefined) return { side: { ref: 'working tree', commit: null }, revision: { kind: 'worktree' } };
  const commit = await commitOf(root, ref);
  if (!commit) throw new Error(`--head '${ref}' is not a commit in this repository; fetch it first (a CI checkout needs fetch-depth: 0)`);
  return { side: { ref, commit }, revision: { kind: 'commit', commit } };
}

/** Git's id of a blob with these bytes, so working-tree files compare with committed ones without reading those. */
function blobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

interface Listing {
  /** path → blob id, every file under clusters/. */
  ids: Map<string, string>;
  /** Contents already in memory (the working tree's), by path. */
  texts: Map<string, string>;
}

/** Every blob `git ls-tree -r` lists in a commit (under `paths` when given): path, mode and blob id. */
async function lsTree(root: string, commit: string, paths: string[] = []): Promise<{ path: string; mode: string; id: string }[]> {
  const out = await run(root, ['ls-tree', '-r', '-z', '--full-tree', commit, '--', ...paths]);
  const entries: { path: string; mode: string; id: string }[] = [];
  for (const entry of out.toString('utf8').split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, id] = entry.slice(0, tab).split(' ');
    if (type === 'blob') entries.push({ path: entry.slice(tab + 1), mode: mode!, id: id! });
  }
  return entries;
}

async function listCommit(root: string, commit: string): Promise<Listing> {
  const ids = new Map((await lsTree(root, commit, [repoPaths.clustersDir])).map((e) => [e.path, e.id] as const));
  return { ids, texts: new Map() };
}

function listWorktree(root: string): Listing {
  const ids = new Map<string, string>();
  const texts = new Map<string, string>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) {
        const bytes = readFileSync(path.join(root, child));
        ids.set(child, blobId(bytes));
        texts.set(child, bytes.toString('utf8'));
      }
    }
  };
  if (existsSync(path.join(root, repoPaths.clustersDir))) walk(repoPaths.clustersDir);
  return { ids, texts };
}

/** The raw bytes of many blobs through one `git cat-file --batch`, by blob id. */
async function readBlobBytes(root: string, ids: readonly string[]): Promise<Map<string, Buffer>> {
  const blobs = new Map<string, Buffer>();
  if (ids.length === 0) return blobs;
  const unique = [...new Set(ids)];
  const out = await run(root, ['cat-file', '--batch'], `${unique.join('\n')}\n`);
  let at = 0;
  // Byte offsets into raw bytes: the header gives each object's size in bytes, and each object is decoded on its own.
  while (at < out.length) {
    const eol = out.indexOf(0x0a, at);
    const header = out.toString('utf8', at, eol < 0 ? out.length : eol).split(' ');
    if (header[1] === 'missing') throw new Error(`git cat-file: object ${header[0]} is missing`);
    const size = Number(header[2]);
    const end = eol + 1 + size;
    if (eol < 0 || !Number.isSafeInteger(size) || out[end] !== 0x0a) throw new Error(`git cat-file: output ends or drifts inside object ${header[0]}`);
    blobs.set(header[0]!, out.subarray(eol + 1, end));
    at = end + 1;
  }
  return blobs;
}

/** Contents of many blobs as text, through one `git cat-file --batch`. */
async function readBlobs(root: string, ids: readonly string[]): Promise<Map<string, string>> {
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

const isManifest = (file: string) => /\.ya?ml$/.test(file);

/**
 * The rendered trees of base (a commit) and head. Files whose blob ids match on both sides are not read: both
 * sides get the same placeholder text (the blob id), which the comparison counts as unchanged without parsing.
 */
export async function loadTrees(root: string, baseCommit: string, head: Revision): Promise<{ base: RenderedTree; head: RenderedTree }> {
  const [baseList, headList] = await Promise.all([listCommit(root, baseCommit), head.kind === 'worktree' ? listWorktree(root) : listCommit(root, head.commit)]);
  const wanted = (list: Listing, other: Listing) =>
    [...list.ids].filter(([file, id]) => file === repoPaths.clusterIndex || (isManifest(file) && other.ids.get(file) !== id && !list.texts.has(file))).map(([, id]) => id);
  const blobs = await readBlobs(root, [...wanted(baseList, headList), ...wanted(headList, baseList)]);
  const tree = (list: Listing, other: Listing): RenderedTree => {
    const files = new Map<string, string>();
    let index: string | undefined;
    for (const [file, id] of list.ids) {
      const text = list.texts.get(file) ?? blobs.get(id);
      if (file === repoPaths.clusterIndex) index = text;
      else if (isManifest(file)) files.set(file, other.ids.get(file) === id ? `blob ${id}` : text!);
    }
    return { files, index };
  };
  return { base: tree(baseList, headList), head: tree(headList, baseList) };
}
