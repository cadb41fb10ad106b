/**
 * The diff's side of git: which commits to compare, and the rendered tree (clusters/) of a commit or of the working
 * tree, read through the one git module (../git.ts) without checking anything out: `git ls-tree` per commit for
 * the blob ids, and one `git cat-file --batch` for the contents of the files that differ, on both sides.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoPaths } from '../paths.js';
import { blobId, commitOf, lsTree, mergeBase, readBlobs, resolveCommit } from '../git.js';
import type { RenderedTree, Side } from './types.js';

/** The head of a comparison: the files on disk, or a commit. */
export type Revision = { kind: 'worktree' } | { kind: 'commit'; commit: string };

/**
 * The base: the given ref as it is, or by default the merge base of HEAD with `main` (then `origin/main`),
 * which is what a pull request into main will change.
 */
export async function resolveBase(root: string, ref: string | undefined): Promise<Side & { commit: string }> {
  if (ref !== undefined) return { ref, commit: await resolveCommit(root, ref, `--base '${ref}'`) };
  const tried: string[] = [];
  for (const candidate of ['main', 'origin/main']) {
    tried.push(candidate);
    if (!(await commitOf(root, candidate))) continue;
    const commit = await mergeBase(root, 'HEAD', candidate).catch(() => '');
    if (commit) return { ref: candidate, commit, note: `merge base of HEAD and ${candidate}` };
  }
  throw new Error(`no base to compare with: tried the merge base of HEAD with ${tried.join(' and ')}; pass --base <ref>`);
}

/** The head: the working tree by default, or a commit. */
export async function resolveHead(root: string, ref: string | undefined): Promise<{ side: Side; revision: Revision }> {
  if (ref === undefined) return { side: { ref: 'working tree', commit: null }, revision: { kind: 'worktree' } };
  const commit = await resolveCommit(root, ref, `--head '${ref}'`);
  return { side: { ref, commit }, revision: { kind: 'commit', commit } };
}

interface Listing {
  /** path → blob id, every file under clusters/. */
  ids: Map<string, string>;
  /** Contents already in memory (the working tree's), by path. */
  texts: Map<string, string>;
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
