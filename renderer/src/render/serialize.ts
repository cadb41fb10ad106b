/**
 * A fast, deterministic YAML writer for plain JSON-like data that produces exactly the bytes of the repository's one
 * serializer setting (`stringify` of the `yaml` library with indent 2, no line folding, no aliases; see emit.ts).
 *
 * Why: rendering writes thousands of objects and the `yaml` library builds a full document tree for each before
 * writing it; for plain data (mappings of strings, numbers, booleans, null, lists) the layout is simple enough to
 * write directly. Whenever a value falls outside what this writer knows for certain (a multi-line string, a string
 * the library might quote or fold, a non-plain object, a non-finite number, …) it gives up and the caller uses the
 * library, so the output is the library's by construction. renderer/test/render/serialize.test.ts compares the two
 * over the whole rendered tree and a table of tricky strings.
 */

/** Thrown (internally) when the value needs the library. */
class NeedsLibrary extends Error {}

/**
 * A string that the library certainly writes as-is (plain) in a block mapping or sequence: a letter first, then
 * only letters, digits and `_ . / : @ -`, not ending with `:`, and not one of the YAML 1.2 core words that would
 * read back as null or a boolean in YAML 1.2 or 1.1. (Numbers start with a digit, sign or dot, so they never match.)
 */
const surelyPlain = /^[A-Za-z][\w./:@-]*$/;
/**
 * A digit first, then the same characters, holding a `/` or two dots: an image reference under a numbered registry
 * (`111111111111.dkr.ecr…/app:1.2.3`), a CIDR (`10.0.0.0/16`), a version (`1.8.3`). Every YAML 1.1 and 1.2 rule that
 * reads a plain scalar as a number, date or time (the `yaml` library's schema tests, anchored) allows neither a `/`
 * nor a second dot, so both readings are the string itself and the library writes it plain. (A thousand distinct
 * strings per 250 apps; asking the library costs two parses each.)
 */
const digitFirst = /^[0-9][\w./:@-]*$/;
const surelyPlainDigitFirst = (s: string): boolean => digitFirst.test(s) && (s.includes('/') || s.indexOf('.') !== s.lastIndexOf('.'));
// The YAML 1.1 words too: Kubernetes reads manifests as YAML 1.1, where they are booleans (see emit.ts).
const coreWords = new Set(['null', 'true', 'false', 'y', 'yes', 'n', 'no', 'on', 'off'].flatMap((w) => [w, w[0]!.toUpperCase() + w.slice(1), w.toUpperCase()]));

/**
 * Single-line strings without document markers, control characters or surrogates: the library's choice between
 * plain, single- and double-quoted style does not depend on where they stand (no folding with lineWidth 0), so it
 * is asked once per distinct string and remembered.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this pattern must exclude
const sameEverywhere = /^(?!%|---|\.\.\.)[^\n\r\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}\u2028\u2029\u0085]*$/u;

/** Whether the library writes `s` plain, and YAML 1.1 and 1.2 both read that plain scalar back as `s`. */
export function surelyPlainString(s: string): boolean {
  return s.length > 0 && !s.endsWith(':') && ((surelyPlain.test(s) && !coreWords.has(s)) || surelyPlainDigitFirst(s));
}

export type LibraryStringify = (value: unknown) => string;

/**
 * Creates a writer. `library` is the reference serializer (the repository's toYaml through the `yaml` library); it
 * decides the style of unusual strings, and writes whole values this writer does not handle.
 */
export function createYamlWriter(library: LibraryStringify): (value: unknown) => string {
  const valueMemo = new Map<string, string>();
  const keyMemo = new Map<string, string>();

  const scalarString = (s: string, key: boolean): string => {
    if (s.length <= 1000 && surelyPlainString(s)) return s;
    if (s.length > 1000 || !sameEverywhere.test(s)) throw new NeedsLibrary();
    const memo = key ? keyMemo : valueMemo;
    let out = memo.get(s);
    if (out === undefined) {
      // Ask the library for the string inside a one-entry mapping, in the position it will take.
      const text = key ? library({ [s]: 1 }) : library({ k: s });
      if (key) {
        if (!text.endsWith(': 1\n')) throw new NeedsLibrary();
        out = text.slice(0, -': 1\n'.length);
      } else {
        if (!text.startsWith('k: ') || !text.endsWith('\n')) throw new NeedsLibrary();
        out = text.slice('k: '.length, -1);
      }
      if (out.includes('\n')) throw new NeedsLibrary();
      memo.set(s, out);
    }
    return out;
  };

  const scalar = (v: unknown): string | undefined => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
        return scalarString(v, false);
      case 'number':
        if (!Number.isFinite(v)) throw new NeedsLibrary();
        return Object.is(v, -0) ? '-0' : JSON.stringify(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'object':
        return undefined;
      default:
        throw new NeedsLibrary();
    }
  };

  const isPlainObject = (v: object): v is Record<string, unknown> => {
    const proto = Object.getPrototypeOf(v) as unknown;
    return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
  };

  const pads: string[] = [''];
  const pad = (n: number): string => {
    while (pads.length <= n) pads.push(' '.repeat(pads.length));
    return pads[n]!;
  };

  /** Keys whose values the library writes (it leaves out undefined values of mappings). */
  const entriesOf = (o: Record<string, unknown>): string[] => {
    const keys = Object.keys(o);
    return keys.some((k) => o[k] === undefined) ? keys.filter((k) => o[k] !== undefined) : keys;
  };

  // `first` is what the first line starts with instead of its indentation (the "- " of a list item).
  const writeMap = (o: Record<string, unknown>, keys: string[], indent: number, first: string, out: string[]): void => {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const v = o[k];
      const head = (i === 0 ? first : pad(indent)) + scalarString(k, true) + ':';
      writeValueAfter(head, v, indent, out);
    }
  };

  const writeSeq = (a: unknown[], indent: number, first: string, out: string[]): void => {
    for (let i = 0; i < a.length; i++) {
      const head = (i === 0 ? first : pad(indent)) + '-';
      const v = a[i];
      if (v === undefined) throw new NeedsLibrary();
      const s = scalar(v);
      if (s !== undefined) {
        out.push(`${head} ${s}\n`);
        continue;
      }
      const inner = indent + 2;
      if (Array.isArray(v)) {
        if (v.length === 0) out.push(`${head} []\n`);
        else writeSeq(v, inner, head + ' ', out);
      } else if (isPlainObject(v as object)) {
        const keys = entriesOf(v as Record<string, unknown>);
        if (keys.length === 0) out.push(`${head} {}\n`);
        else writeMap(v as Record<string, unknown>, keys, inner, head + ' ', out);
      } else throw new NeedsLibrary();
    }
  };

  const writeValueAfter = (head: string, v: unknown, indent: number, out: string[]): void => {
    const s = scalar(v);
    if (s !== undefined) {
      out.push(`${head} ${s}\n`);
      return;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(`${head} []\n`);
      else {
        out.push(`${head}\n`);
        writeSeq(v, indent + 2, pad(indent + 2), out);
      }
    } else if (isPlainObject(v as object)) {
      const keys = entriesOf(v as Record<string, unknown>);
      if (keys.length === 0) out.push(`${head} {}\n`);
      else {
        out.push(`${head}\n`);
        writeMap(v as Record<string, unknown>, keys, indent + 2, pad(indent + 2), out);
      }
    } else throw new NeedsLibrary();
  };

  return (value: unknown): string => {
    try {
      if (value && typeof value === 'object' && !Array.isArray(value) && isPlainObject(value)) {
        const keys = entriesOf(value);
        if (keys.length > 0) {
          const out: string[] = [];
          writeMap(value, keys, 0, '', out);
          return out.join('');
        }
      } else if (Array.isArray(value) && value.length > 0) {
        const out: string[] = [];
        writeSeq(value, 0, '', out);
        return out.join('');
      }
    } catch (err) {
      if (!(err instanceof NeedsLibrary)) throw err;
    }
    return library(value);
  };
}
