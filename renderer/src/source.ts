/**
 * YAML input files with their source positions, so that every later stage can point at file:line:col.
 */
import { LineCounter, parseDocument, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import jsYaml from 'js-yaml';
import type { Problem } from './errors.js';

export type DataPath = readonly (string | number)[];

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
  const markers = conflictMarkers(file, text);
  if (markers.length > 0) return { problems: markers };
  let value: unknown;
  try {
    value = jsYaml.load(text, loadOptions(file));
  } catch (err) {
    // Why not the `yaml` library's message here: it recurses without a limit, so a deep document overflows its
    // stack (one "Maximum call stack size exceeded" per bracket), or worse.
    if (err instanceof jsYaml.YAMLException && err.reason.startsWith('nesting exceeded maxDepth')) return { problems: [tooDeep(file, err.mark)] };
    const parsed = parseWithPositions(file, text);
    return parsed.source ? { source: parsed.source, problems: checkValues(parsed.source, text) } : parsed;
  }
  if (text.includes('*') && expandedSize(value) > maxExpandedValues) return { problems: [aliasBomb(file, text)] };
  let positions: ReturnType<typeof parseWithPositions>['positions'];
  const locate = (path: DataPath, key?: boolean) => {
    positions ??= parseWithPositions(file, text).positions;
    return positions ? locateIn(positions.doc, positions.lineCounter, path, key) : { line: 1, col: 1 };
  };
  const source = { file, value, locate };
  return { source, problems: checkValues(source, text) };
}

/**
 * Keys that are object structure in JavaScript, not data: written into an object, `__proto__` changes the
 * prototype of every object (one overlay would change every environment), and `constructor` and `prototype` shadow
 * what code expects to find. They are refused wherever they appear in an input file, so no key from a file can.
 */
export const reservedKeys: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
/** The reserved keys, quoted, for messages. */
export const reservedKeysList = [...reservedKeys].map((k) => `'${k}'`).join(', ');

/** Deepest nesting of an input file; real inputs need fewer than ten levels (Helm values included). */
const maxDepth = 100;

/**
 * What the schemas cannot see, anywhere in a file (free-form Helm values included): reserved keys, and numbers that
 * are not finite (`.inf`, `-.inf`, `.nan`), which JSON turns into null and no Kubernetes field accepts.
 */
function checkValues(source: Source<unknown>, text: string): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<object>();
  const visit = (value: unknown, path: (string | number)[]) => {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      const at = source.locate(path);
      const given = tokenAt(text, at) ?? String(value);
      problems.push({
        file: source.file,
        ...at,
        message: `'${path.join('.')}' is ${given}, which YAML reads as ${Number.isNaN(value) ? 'not-a-number' : 'infinity'}, not a finite number`,
        hint: `write a finite number, or quote it ('${given}') if you meant the text`,
      });
      return;
    }
    // Aliases share one object between places: each object is checked once.
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, [...path, i]));
      return;
    }
    for (const key of Object.keys(value)) {
      if (reservedKeys.has(key)) {
        problems.push({
          file: source.file,
          ...source.locate([...path, key], true),
          message: `the key '${key}' is not allowed${path.length > 0 ? ` (in '${path.join('.')}')` : ''}`,
          hint: `rename or remove it: ${reservedKeysList} are refused as keys anywhere in input files, because JavaScript reads them as object structure, not data`,
        });
      } else visit((value as Record<string, unknown>)[key], [...path, key]);
    }
  };
  visit(source.value, []);
  return problems;
}

/** The scalar as written at a position (`.inf`, `.NaN`), for messages that say what was given. */
function tokenAt(text: string, at: { line: number; col: number }): string | undefined {
  return /^[^\s,\]}#]+/.exec(text.split('\n')[at.line - 1]?.slice(at.col - 1) ?? '')?.[0];
}

/**
 * Lines a `git merge` left in the file (`<<<<<<< ours`, `=======`, `>>>>>>> theirs`): named as such, instead of the
 * parser's guesses at what the YAML around them meant.
 */
function conflictMarkers(file: string, text: string): Problem[] {
  if (!/^(<{7}|={7}|>{7})/m.test(text)) return [];
  const problems: Problem[] = [];
  text.split('\n').forEach((line, i) => {
    const marker = /^(<{7}|={7}|>{7})(?=\s|$)/.exec(line)?.[1];
    if (marker) {
      problems.push({
        file,
        line: i + 1,
        col: 1,
        message: `merge-conflict marker '${marker}': this file holds an unresolved merge conflict`,
        hint: 'resolve the conflict: keep the lines you want from each side and delete the marker lines (<<<<<<<, =======, >>>>>>>)',
      });
    }
  });
  return problems;
}

function tooDeep(file: string, mark: { line: number; column: number } | undefined): Problem {
  return {
    file,
    ...(mark ? { line: mark.line + 1, col: mark.column + 1 } : {}),
    message: `the YAML is nested more than ${maxDepth} levels deep here`,
    hint: 'input files need only a few levels of nesting; remove the extra brackets or indentation',
  };
}

/** js-yaml's options; `maxDepth` (js-yaml 4.1.1 and later) is missing from its type definitions. */
function loadOptions(file: string): jsYaml.LoadOptions {
  const options: jsYaml.LoadOptions & { maxDepth: number } = { schema: jsYaml.CORE_SCHEMA, filename: file, maxDepth };
  return options;
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

/**
 * The one YAML locator: the position of `path` in a parsed document. By default the position of the value at the
 * path; with `key`, of its key (or, for a list item, the item). When the path does not exist to the end, the
 * deepest part that does: its value, or with `key` its key, so a finding about a missing field points at its parent.
 */
export function locateIn(doc: Document, lc: LineCounter, path: DataPath, key = false): { line: number; col: number } {
  let node: unknown = doc.contents;
  let value: Node | undefined = doc.contents ?? undefined;
  let keyed: Node | undefined = doc.contents ?? undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
      if (!pair) break;
      keyed = (pair.key as Node | null) ?? keyed;
      node = pair.value;
      value = (pair.value as Node | null) ?? keyed;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (item === undefined) break;
      node = item;
      value = keyed = item;
    } else break;
  }
  const pos = lc.linePos((key ? keyed : value)?.range?.[0] ?? 0);
  return { line: pos.line, col: pos.col };
}
