/**
 * The one reader of rendered manifests (`clusters/<cluster>/<folder>/manifest.yaml`: the generated header, then one
 * document per object). validate, bootstrap, diff and the end-to-end dry run all read through here, so a document is
 * found, valued and located the same way everywhere. Parsing is pure; listing a cluster's files is the IO edge.
 *
 * Why two parsers behind one door: the renderer's output is read by render/fastparse.ts (the `yaml` library's exact
 * values, without its document tree), and the tree, which only line numbers and a document's own text need, is built
 * when someone asks for them. Anything fastparse does not know for certain (and every syntax error) goes through the
 * library, which words the error.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import jsyaml from 'js-yaml';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { fastParseAll } from './render/fastparse.js';
import type { UncheckedObject } from './kube.js';
import { repoPaths } from './paths.js';
import { locateIn, type DataPath } from './source.js';

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
  /** Line and column of the value at the deepest part of `path` that exists: where a wrong value is. */
  positionOf(path: DataPath): { line: number; col: number };
  /** The document's own text without the comments around it, ending in one newline: what is applied or printed. */
  readonly text: string;
}

/** A YAML syntax problem in a rendered file. */
export interface ParseProblem {
  file: string;
  line: number;
  col?: number;
  message: string;
}

/** The library's document trees of a text, with the line counter that places their nodes. */
interface Trees {
  documents: Document[];
  lineCounter: LineCounter;
}

function parseTrees(text: string, uniqueKeys: boolean): Trees {
  const lineCounter = new LineCounter();
  return { documents: parseAllDocuments(text, { lineCounter, uniqueKeys }) as Document[], lineCounter };
}

function syntaxProblem(file: string, doc: Document): ParseProblem | undefined {
  const e = doc.errors[0];
  if (!e) return undefined;
  const message = `not valid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
  return { file, line: e.linePos?.[0].line ?? 1, ...(e.linePos ? { col: e.linePos[0].col } : {}), message };
}

function documentText(text: string, doc: Document | undefined): string {
  const range = doc?.contents?.range;
  return range ? `${text.slice(range[0], range[1]).trimEnd()}\n` : doc ? String(doc) : '';
}

function asObject(value: unknown): UncheckedObject {
  return (typeof value === 'object' ? value : { value }) as UncheckedObject;
}

/** A document whose position and text come from `trees()` at `index`, built only when asked for. */
function manifestAt(file: string, text: string, object: unknown, index: number, trees: () => Trees): Manifest {
  const locate = (dataPath: DataPath, key: boolean) => {
    const { documents, lineCounter } = trees();
    const doc = documents[index];
    return doc ? locateIn(doc, lineCounter, dataPath, key) : { line: 1, col: 1 };
  };
  return {
    file,
    get line() {
      return locate([], true).line;
    },
    object: asObject(object),
    lineOf: (dataPath) => locate(dataPath, true).line,
    positionOf: (dataPath) => locate(dataPath, false),
    get text() {
      return documentText(text, trees().documents[index]);
    },
  };
}

/** Parses one rendered file into its documents (empty documents skipped) and YAML problems. */
export function parseManifestFile(file: string, text: string): { manifests: Manifest[]; problems: ParseProblem[] } {
  const fast = fastParseAll(text);
  if (fast) {
    let built: Trees | undefined;
    const trees = () => (built ??= parseTrees(text, false));
    const manifests: Manifest[] = [];
    fast.forEach((object, index) => {
      if (object !== null && object !== undefined) manifests.push(manifestAt(file, text, object, index, trees));
    });
    return { manifests, problems: [] };
  }
  const parsed = parseTrees(text, true);
  const manifests: Manifest[] = [];
  const problems: ParseProblem[] = [];
  parsed.documents.forEach((doc, index) => {
    const problem = syntaxProblem(file, doc);
    if (problem) return void problems.push(problem);
    const object = doc.toJS() as unknown;
    if (object !== null && object !== undefined) manifests.push(manifestAt(file, text, object, index, () => parsed));
  });
  return { manifests, problems };
}

/** A rendered file that is not valid YAML, with the place of the first error. */
export class ManifestSyntaxError extends Error {
  constructor(readonly problem: ParseProblem) {
    super(problem.message);
  }
}

/**
 * Only the values of every document of a file (empty documents as null), for a reader that needs no line numbers
 * (the diff reads every changed file on both sides); the first syntax error is thrown as a ManifestSyntaxError.
 *
 * Why js-yaml behind fastparse here: without a document tree to keep, js-yaml reads what fastparse leaves (block
 * scalars, mostly) about eight times faster than `yaml` (the 55 rendered files of clusters/: 21 ms against 166 ms;
 * fastparse, then js-yaml: see ARCHITECTURE.md), with the same values on every rendered file (YAML 1.2 core schema).
 */
export function readManifestValues(file: string, text: string): unknown[] {
  const fast = fastParseAll(text);
  if (fast) return fast;
  try {
    return jsyaml.loadAll(text, undefined, { schema: jsyaml.CORE_SCHEMA, filename: file });
  } catch (err) {
    if (!(err instanceof jsyaml.YAMLException)) throw err;
    const at = err.mark ? { line: err.mark.line + 1, col: err.mark.column + 1 } : { line: 1 };
    throw new ManifestSyntaxError({ file, ...at, message: `not valid YAML: ${err.reason}` });
  }
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
