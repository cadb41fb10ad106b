/**
 * Rendered manifests as the validation gate sees them: each document's object plus the way back to a line of its
 * file. Parsing is pure; listing files is the IO edge. (The clusters come from clusters/index.json, cluster-index.ts.)
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { fastParseAll } from '../render/fastparse.js';
import type { UncheckedObject } from '../kube.js';
import { repoPaths } from '../paths.js';
import { locateIn, type DataPath } from '../source.js';

export type { DataPath };

/** One document of a rendered file. */
export interface Manifest {
  /** Repository-relative POSIX path. */
  file: string;
  /** Line where the document's content starts (after the generated header comments). */
  line: number;
  object: UncheckedObject;
  /** The line of the deepest part of `path` that exists in the document (its key, or its item). */
  lineOf(path: DataPath): number;
}

/** A YAML syntax problem in a rendered file. */
export interface ParseProblem {
  file: string;
  line: number;
  message: string;
}

/** Parses one rendered file into its documents (empty documents skipped) and YAML problems. */
export function parseManifestFile(file: string, text: string): { manifests: Manifest[]; problems: ParseProblem[] } {
  // Performance: the renderer's output is read by fastparse.ts (the library's exact values, without its document
  // tree); the tree, which only line numbers need, is built when a finding asks for a line. Anything fastparse does
  // not know for certain (and every syntax error) goes through the library.
  const fast = fastParseAll(text);
  if (fast) {
    let documents: Document[] | undefined;
    let lineCounter: LineCounter | undefined;
    const locate = (index: number, dataPath: DataPath): number => {
      if (!documents) {
        lineCounter = new LineCounter();
        documents = parseAllDocuments(text, { lineCounter }) as Document[];
      }
      const doc = documents[index];
      return doc ? locateIn(doc, lineCounter!, dataPath, true).line : 1;
    };
    const manifests: Manifest[] = [];
    fast.forEach((object, index) => {
      if (object === null || object === undefined) return;
      manifests.push({
        file,
        get line() {
          return locate(index, []);
        },
        object: (typeof object === 'object' ? object : { value: object }) as UncheckedObject,
        lineOf: (dataPath) => locate(index, dataPath),
      });
    });
    return { manifests, problems: [] };
  }
  const lc = new LineCounter();
  const manifests: Manifest[] = [];
  const problems: ParseProblem[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: lc, uniqueKeys: true })) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      problems.push({ file, line: e.linePos?.[0].line ?? 1, message: `not valid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` });
      continue;
    }
    const object = doc.toJS() as unknown;
    if (object === null || object === undefined) continue;
    const lineOf = (dataPath: DataPath) => locateIn(doc, lc, dataPath, true).line;
    manifests.push({ file, line: lineOf([]), object: (typeof object === 'object' ? object : { value: object }) as UncheckedObject, lineOf });
  }
  return { manifests, problems };
}

/** Every YAML file under clusters/<cluster>/, repository-relative and sorted. */
export async function listClusterFiles(root: string, cluster: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path.join(root, rel), { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    for (const entry of entries) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) await walk(child);
      else if (/\.ya?ml$/.test(entry.name)) out.push(child);
    }
  };
  await walk(repoPaths.clusterDir(cluster));
  return out.sort();
}
