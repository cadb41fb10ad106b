/** Test fixtures: the real repository's inputs, read once into memory, to be changed one file at a time. */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultRepoRoot } from '../../src/paths.js';
import { parseAllDocuments } from 'yaml';
import { renderRepository } from '../../src/render/render.js';
import { memoryReader } from '../../src/fs.js';
import { RenderError } from '../../src/errors.js';

const inputFolders = ['apps', 'base', 'overlays'];

function readTree(root: string, dir: string, into: Record<string, string>): void {
  for (const name of readdirSync(path.join(root, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(root, rel)).isDirectory()) readTree(root, rel, into);
    else into[rel] = readFileSync(path.join(root, rel), 'utf8');
  }
}

let cached: Record<string, string> | undefined;

/** A fresh copy of the real inputs (apps/, base/, overlays/) as `{ path: text }`. */
export function realInputs(): Record<string, string> {
  if (!cached) {
    cached = {};
    for (const dir of inputFolders) readTree(defaultRepoRoot, dir, cached);
  }
  return { ...cached };
}

/** Reads the committed rendered tree (clusters/). */
export function committedOutput(): Record<string, string> {
  return treeOf(defaultRepoRoot, 'clusters');
}

/** Every file under `dir` of the checkout at `root`, as `{ repository-relative path: text }`. */
export function treeOf(root: string, dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  readTree(root, dir, out);
  return out;
}

/** Writes `{ path: text }` into the checkout at `root`, creating folders. */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
}

/** The objects of a rendered manifest (one folder's file: one document per object), in file order. */
export function documentsOf(text: string): unknown[] {
  return parseAllDocuments(text).map((d) => d.toJS() as unknown);
}

/** Every rendered object of a tree with the manifest it is in: `{ file, object }`, in file and document order. */
export function renderedObjects(tree: Record<string, string>): { file: string; object: unknown }[] {
  return Object.entries(tree)
    .filter(([file]) => file.endsWith('.yaml'))
    .flatMap(([file, text]) => documentsOf(text).map((object) => ({ file, object })));
}

/** The message of the RenderError a render of the real inputs changed by `mutate` fails with; throws if it renders. */
export async function renderError(mutate: (files: Record<string, string>) => void): Promise<string> {
  const files = realInputs();
  mutate(files);
  try {
    await renderRepository(memoryReader(files));
  } catch (err) {
    if (err instanceof RenderError) return err.message;
    throw err;
  }
  throw new Error('expected the render to fail');
}
