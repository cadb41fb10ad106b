/**
 * The layout study: the same rendered objects written as one file per folder (the layout the renderer
 * writes, `manifest.yaml`) and as one file per resource (the layout before it, `<kind>-<name>.yaml`), compared on
 * what a repository of rendered manifests pays for: how many files, how long writing them takes (the render's write
 * stage: stage every file, then rename it into place), how big the git repository gets, and what a reviewer sees in
 * `git diff` for a one-app change. Runs in its own process (bench/cli.ts `callArgs`), on the benchmark's tree.
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { generatedMarker } from '../render/emit.js';
import { readRenderedTree } from '../render/write.js';
import { benchGit, median } from './measure.js';
import { timer, type Times } from './floors.js';

export interface LayoutFigures {
  layout: 'one file per folder' | 'one file per resource';
  files: number;
  folders: number;
  bytes: number;
  /** The write stage alone (the median run by wall time): staging every file, then renaming it into place. */
  writeSeconds: number;
  writeCpuSeconds: number;
  /** `.git` after one commit of the tree and `git gc`: packed objects, in bytes. */
  gitPackBytes: number;
  /** The one-app change (one image tag in one cluster): files and lines `git diff --numstat` reports. */
  diffFiles: number;
  diffLines: number;
  /** The hunk headers git prints for that change: what tells a reviewer which object a hunk is in. */
  hunkHeaders: string[];
}

type Tree = Map<string, string>;

/** The per-folder tree → one file per resource, as the renderer named them before: `<kind>-<name>.yaml`, namespaced in platform/. */
export function perResource(tree: Tree): Tree {
  const out: Tree = new Map();
  for (const [file, content] of tree) {
    if (!file.endsWith('/manifest.yaml')) {
      out.set(file, content);
      continue;
    }
    const folder = file.slice(0, -'/manifest.yaml'.length);
    // The marker and cluster lines, then only the document's template as its sources: the per-resource files are
    // given the shortest honest header, so their bytes and pack size are a lower bound (the old header also named
    // the object's inputs; the folder's list would overstate them, most of all in argocd/).
    const header = content.split('\n').slice(0, 2).join('\n') + '\n';
    for (const doc of parseAllDocuments(content)) {
      const range = doc.contents?.range;
      const o = doc.toJS() as { kind: string; metadata: { name: string; namespace?: string } } | null;
      if (!range || !o) continue;
      const before = content.slice(0, range[0]).trimEnd();
      const template = /\(([^()]+)\)$/.exec(before.slice(before.lastIndexOf('\n') + 1))?.[1] ?? '';
      const name = folder.endsWith('/platform') && o.metadata.namespace ? `${o.metadata.namespace}-${o.metadata.name}` : o.metadata.name;
      out.set(`${folder}/${o.kind.toLowerCase()}-${name}.yaml`, `${header}# Sources: ${template}\n${content.slice(range[0], range[1]).trimEnd()}\n`);
    }
  }
  return out;
}

/** Writes `tree` under `dir` the way write.ts does (folders, staged files, renames); returns wall and CPU seconds. */
function timedWrite(dir: string, tree: Tree): Times {
  const clock = timer();
  const made = new Set<string>();
  const staged: [string, string][] = [];
  for (const [file, content] of tree) {
    const target = path.join(dir, file);
    const folder = path.dirname(target);
    if (!made.has(folder)) {
      mkdirSync(folder, { recursive: true });
      made.add(folder);
    }
    writeFileSync(`${target}.render-bench.tmp`, content);
    staged.push([`${target}.render-bench.tmp`, target]);
  }
  for (const [from, to] of staged) renameSync(from, to);
  return clock();
}

/** The one-app change both layouts get: the first Deployment image of the first app folder, with another tag. */
function changeOneImage(tree: Tree): Tree {
  const file = [...tree.keys()].sort().find((f) => f.includes('/apps/') && tree.get(f)!.includes('\nkind: Deployment\n'));
  if (!file) throw new Error('the rendered tree has no Deployment to change');
  const content = tree.get(file)!;
  const changed = content.replace(/(\n\s+image: [^\n:]+:)([^\n]+)/, '$1$2-bench');
  if (changed === content) throw new Error(`${file}: no image line to change`);
  return new Map([[file, changed]]);
}

function measureLayout(layout: LayoutFigures['layout'], tree: Tree, change: Tree, runs: number): LayoutFigures {
  const writes: Times[] = [];
  let dir = '';
  for (let i = 0; i < runs; i++) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = mkdtempSync(path.join(os.tmpdir(), 'berrys-layout-'));
    writes.push(timedWrite(dir, tree));
  }
  try {
    benchGit(dir, ['init', '-q', '-b', 'main']);
    benchGit(dir, ['add', '-A']);
    benchGit(dir, ['commit', '-q', '-m', 'rendered']);
    benchGit(dir, ['gc', '-q']);
    const packed = /size-pack: (\d+)/.exec(benchGit(dir, ['count-objects', '-v']))?.[1];
    for (const [file, content] of change) writeFileSync(path.join(dir, file), content);
    const numstat = benchGit(dir, ['diff', '--numstat']).trim().split('\n').filter(Boolean);
    const hunkHeaders = benchGit(dir, ['diff', '-U3'])
      .split('\n')
      .filter((l) => l.startsWith('@@'))
      .map((l) => l.replace(/^@@ [^@]+ @@ ?/, '') || '(none)');
    const folders = new Set([...tree.keys()].map((f) => path.dirname(f)));
    return {
      layout,
      files: tree.size,
      folders: folders.size,
      bytes: [...tree.values()].reduce((n, c) => n + Buffer.byteLength(c), 0),
      writeSeconds: median(writes).wallSeconds,
      writeCpuSeconds: median(writes).cpuSeconds,
      gitPackBytes: Number(packed ?? 0) * 1024,
      diffFiles: numstat.length,
      diffLines: numstat.reduce((n, l) => n + Number(l.split('\t')[0]) + Number(l.split('\t')[1]), 0),
      hunkHeaders,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Both layouts of the rendered tree under `root`, measured the same way.
 * @public called by name from a child process (bench/cli.ts callArgs), which knip cannot follow
 */
export async function layoutStudy(root: string, runs = 3): Promise<LayoutFigures[]> {
  const perFolder: Tree = new Map([...(await readRenderedTree(root))].filter(([f, c]) => f.endsWith('.yaml') && c.startsWith(generatedMarker)));
  const resources = perResource(perFolder);
  // The same edit in both layouts: made in the per-folder tree, then split like the rest.
  const folderChange = changeOneImage(perFolder);
  const edited = perResource(new Map([...perFolder, ...folderChange]));
  const resourceChange: Tree = new Map([...edited].filter(([file, content]) => resources.get(file) !== content));
  return [measureLayout('one file per folder', perFolder, folderChange, runs), measureLayout('one file per resource', resources, resourceChange, runs)];
}
