/**
 * YAML input files with their source positions, so that every later stage can point at file:line:col.
 */
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document, type Node } from 'yaml';
import jsYaml from 'js-yaml';
import type { Problem } from './errors.js';

export type DataPath = (string | number)[];

/** A parsed input file: its plain value, and a way back from a data path to a line and column. */
export interface Source<T> {
  file: string;
  value: T;
  /** Line and column of the value at `path` (or of its key when `key` is true); the nearest parent when absent. */
  locate(path: DataPath, key?: boolean): { line: number; col: number };
}

/**
 * Parses one YAML file. Syntax errors come back as problems, never as exceptions.
 *
 * Why two parsers: js-yaml reads values about ten times faster than the `yaml` library, which matters when a
 * repository has thousands of input files; the `yaml` library keeps source positions and writes the better error
 * messages, so it parses a file again only when a position or an error is needed (a problem was found).
 */
export function parseSource(file: string, text: string): { source?: Source<unknown>; problems: Problem[] } {
  let value: unknown;
  try {
    value = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, filename: file });
  } catch {
    return parseWithPositions(file, text);
  }
  if (text.includes('*') && expandedSize(value) > maxExpandedValues) return { problems: [aliasBomb(file, text)] };
  let positions: ReturnType<typeof parseWithPositions>['positions'];
  const locate = (path: DataPath, key?: boolean) => {
    positions ??= parseWithPositions(file, text).positions;
    return positions ? locateIn(positions.doc, positions.lineCounter, path, key) : { line: 1, col: 1 };
  };
  return { source: { file, value, locate }, problems: [] };
}

/** The `yaml` library's parse: positions for every node, and its error messages. */
function parseWithPositions(file: string, text: string): { source?: Source<unknown>; problems: Problem[]; positions?: { doc: Document; lineCounter: LineCounter } } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const problems: Problem[] = doc.errors.map((e) => {
    const pos = e.linePos?.[0];
    return {
      file,
      line: pos?.line,
      col: pos?.col,
      message: `malformed YAML: ${firstLine(e.message)}`,
      hint: 'fix the YAML syntax (indentation, a missing ":" or an unclosed quote); a YAML-aware editor with the schema line shows it as you type',
    };
  });
  if (problems.length > 0) return { problems };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch {
    // The yaml library refuses documents whose aliases expand excessively (it throws a ReferenceError).
    return { problems: [aliasBomb(file, text)] };
  }
  const positions = { doc, lineCounter };
  return { source: { file, value, locate: (path, key) => locateIn(doc, lineCounter, path, key) }, problems: [], positions };
}

/**
 * Aliases let a few lines of YAML stand for billions of values (the "billion laughs" attack). js-yaml shares the
 * aliased object instead of copying it, so loading is cheap, but every later walk (merging, scanning, printing)
 * would expand it. The file is refused when its value, with aliases expanded, holds more values than any real input.
 */
const maxExpandedValues = 100_000;

/** Number of values in `value` with shared (aliased) parts counted at each place they appear; cycles count as infinite. */
function expandedSize(value: unknown): number {
  const sizes = new Map<object, number>();
  const visiting = new Set<object>();
  const size = (v: unknown): number => {
    if (v === null || typeof v !== 'object') return 1;
    const known = sizes.get(v);
    if (known !== undefined) return known;
    if (visiting.has(v)) return Infinity;
    visiting.add(v);
    let n = 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      n += size(child);
      if (n > maxExpandedValues) break;
    }
    visiting.delete(v);
    sizes.set(v, n);
    return n;
  };
  return size(value);
}

function aliasBomb(file: string, text: string): Problem {
  const alias = /(^|[\s,[{:-])\*[^\s,\]}]/m.exec(text);
  const offset = alias ? alias.index + alias[1]!.length : 0;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return {
    file,
    line,
    col: offset - before.lastIndexOf('\n'),
    message: `YAML aliases expand this file to more than ${maxExpandedValues.toLocaleString('en-US')} values`,
    hint: 'write the values out instead of nesting aliases (*name) of anchors (&name); input files never need more than a few aliases',
  };
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  // The yaml library appends " at line X, column Y"; the location is printed separately.
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

function locateIn(doc: Document, lc: LineCounter, path: DataPath, key = false): { line: number; col: number } {
  let node: unknown = doc.contents;
  let best: Node | undefined = doc.contents ?? undefined;
  let keyNode: Node | undefined;
  for (const segment of path) {
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value;
      best = (pair.value as Node | null) ?? keyNode;
    } else if (node && typeof node === 'object' && 'items' in node && Array.isArray((node as { items: unknown[] }).items)) {
      const item = (node as { items: unknown[] }).items[Number(segment)];
      if (item === undefined) break;
      node = item;
      best = item as Node;
    } else break;
  }
  const target = key && keyNode ? keyNode : best;
  const offset = target?.range?.[0] ?? 0;
  const pos = lc.linePos(offset);
  return { line: pos.line, col: pos.col };
}
