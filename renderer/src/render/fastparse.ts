/**
 * A fast reader for the YAML the templates produce, giving exactly the values of the `yaml` library's
 * `parseAllDocuments(text)` + `toJS()` (YAML 1.2 core schema), or `undefined` when the text uses anything outside the
 * small subset it knows for certain; the caller then parses with the library, which also words any error.
 *
 * Why: template output is block mappings and lists of plain keys, with every inserted value a JSON literal (the
 * {{yaml}} helper), so the library's full document tree is most of the cost of a render. The subset: `---`
 * separators, comment and blank lines, block mappings with plain keys (a letter or `_` first, then letters, digits
 * and `_ . / -`), block lists (also at the indentation of their key), and single-line values: JSON-style flow
 * collections and strings, single-quoted strings, flow collections of plain words, and plain scalars resolved as
 * the core schema does (null, booleans, decimal integers and floats, else strings), and literal block scalars (`|`,
 * `|-`: a check script, an Alloy configuration). Anchors, aliases, tags, folded or keep-chomped block scalars,
 * multi-line plain scalars or flow collections, tabs, duplicate keys, octal/hex/inf/nan: the library's job.
 * renderer/test/render/fastparse.test.ts compares the two on every template output of the repository and on
 * tricky inputs.
 */

class Unsupported extends Error {}

const fail = (): never => {
  throw new Unsupported();
};

const blockKey = /^([A-Za-z_][\w./-]*):(?: +|$)/;
const flowWord = /^-?[A-Za-z0-9_][\w./=+-]*/;
const coreNull = /^(?:~|[Nn]ull|NULL)?$/;
const coreBool = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const coreInt = /^[-+]?[0-9]+$/;
const coreFloatExp = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const coreFloat = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
/** Other core-schema forms (octal, hex, inf, nan) are rare enough to leave to the library. */
const coreOther = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const reservedKeys = new Set(['__proto__', 'null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE']);

/** A plain scalar as the core schema resolves it. */
function resolvePlain(s: string): unknown {
  if (coreNull.test(s)) return null;
  if (coreBool.test(s)) return s[0] === 't' || s[0] === 'T';
  if (coreInt.test(s)) return parseInt(s, 10);
  if (coreFloatExp.test(s) || coreFloat.test(s)) return parseFloat(s);
  if (coreOther.test(s)) fail();
  return s;
}

interface Line {
  indent: number;
  /** Text after the indentation, without a trailing comment-free remainder trimmed. */
  text: string;
}

/** Parses every document of `text`; undefined when the text is outside the subset. */
export function fastParseAll(text: string): unknown[] | undefined {
  try {
    return parseAll(text);
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

function parseAll(text: string): unknown[] {
  if (text.includes('\t') || text.includes('\r') || text.charCodeAt(0) === 0xfeff) fail();
  const docs: Line[][] = [[]];
  const raws = text.split('\n');
  for (let r = 0; r < raws.length; r++) {
    const raw = raws[r]!;
    if (raw === '---') {
      docs.push([]);
      continue;
    }
    if (raw.startsWith('---') || raw.startsWith('...') || raw.startsWith('%')) fail();
    let indent = 0;
    while (raw.charCodeAt(indent) === 32) indent++;
    if (indent === raw.length || raw[indent] === '#') continue;
    let lineText = raw.slice(indent).trimEnd();
    const header = blockScalarHeader.exec(lineText);
    const prefix = header?.[1] ?? '';
    if (header && prefix !== '') {
      // The node the block belongs to starts at its key's column (`- key: |`), or at its list marker's (`- |`).
      const dashes = /^(?:- +)*/.exec(prefix)![0];
      const owner = indent + (prefix.length > dashes.length ? dashes.length : dashes.replace(/- +$/, '').length);
      const block = literalBlock(raws, r + 1, owner, header[2] === '|-');
      // The block's value, written as the JSON string the rest of the reader knows, on its header's line.
      lineText = prefix + JSON.stringify(block.value);
      r = block.end - 1;
    }
    docs[docs.length - 1]!.push({ indent, text: lineText });
  }
  return docs.map((lines) => {
    if (lines.length === 0) return null;
    const cursor = { lines, i: 0 };
    const value = parseBlock(cursor, lines[0]!.indent);
    if (cursor.i !== lines.length) fail();
    return value;
  });
}

/**
 * A literal block scalar's header at the end of a line: `key: |`, `- |`, `- key: |` (clip) or `|-` (strip). Keep
 * (`|+`), indentation indicators, folded scalars (`>`) and a comment after the header are the library's.
 */
const blockScalarHeader = /^((?:- +)*(?:[A-Za-z_][\w./-]*: +)?)(\|-?)$/;
// eslint-disable-next-line no-control-regex -- characters YAML treats specially in a block scalar, left to the library
const unusualInBlock = /[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]/;

/**
 * The value of a literal block scalar whose content starts at `raws[start]`, under a header line indented by
 * `parentIndent`, and the index of the first line after it. The content's indentation is its first non-empty line's
 * (more than the header's); empty lines are kept as line breaks; clip keeps one final line break, strip none.
 * A line of spaces only, a leading empty line or a line indented between the header and the content: the library's.
 */
function literalBlock(raws: string[], start: number, parentIndent: number, strip: boolean): { value: string; end: number } {
  let contentIndent = -1;
  const lines: string[] = [];
  let r = start;
  for (; r < raws.length; r++) {
    const raw = raws[r]!;
    if (raw === '') {
      if (contentIndent === -1) fail();
      lines.push('');
      continue;
    }
    let indent = 0;
    while (raw.charCodeAt(indent) === 32) indent++;
    if (indent === raw.length) fail();
    if (contentIndent === -1) {
      if (indent <= parentIndent) fail();
      contentIndent = indent;
    }
    if (indent < contentIndent) {
      if (indent > parentIndent) fail();
      break;
    }
    const line = raw.slice(contentIndent);
    if (unusualInBlock.test(line)) fail();
    lines.push(line);
  }
  // Trailing empty lines belong to no one under clip and strip; they stay in the text as blank lines.
  let end = r;
  while (lines.length > 0 && lines[lines.length - 1] === '') {
    lines.pop();
    end--;
  }
  if (lines.length === 0) fail();
  return { value: lines.join('\n') + (strip ? '' : '\n'), end };
}

interface Cursor {
  lines: Line[];
  i: number;
}

/** A block node starting at the current line, whose indentation is `indent`. */
function parseBlock(c: Cursor, indent: number): unknown {
  const line = c.lines[c.i]!;
  if (line.indent !== indent) fail();
  return isSeqItem(line.text) ? parseSeq(c, indent, undefined) : parseMap(c, indent, undefined);
}

function isSeqItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/**
 * A block mapping at `indent`. `firstText`, when given, is the first entry's text on a line that started with a
 * list marker (`- key: value`).
 */
function parseMap(c: Cursor, indent: number, firstText: string | undefined): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  let text = firstText;
  if (text === undefined) text = c.lines[c.i++]!.text;
  for (;;) {
    const m = blockKey.exec(text);
    if (!m) fail();
    const key = m![1]!;
    if (reservedKeys.has(key) || Object.prototype.hasOwnProperty.call(map, key)) fail();
    const rest = text.slice(m![0].length);
    if (rest === '' || rest[0] === '#') {
      const next = c.lines[c.i];
      if (next && next.indent > indent) map[key] = parseBlock(c, next.indent);
      else if (next && next.indent === indent && isSeqItem(next.text)) map[key] = parseSeq(c, indent, undefined);
      else map[key] = null;
    } else {
      map[key] = inlineValue(rest);
      const next = c.lines[c.i];
      if (next && next.indent > indent) fail();
    }
    const next = c.lines[c.i];
    if (!next || next.indent < indent) return map;
    if (next.indent > indent || isSeqItem(next.text)) fail();
    text = next.text;
    c.i++;
  }
}

/** A block list at `indent`; `firstText` as for parseMap (`- - a`). */
function parseSeq(c: Cursor, indent: number, firstText: string | undefined): unknown[] {
  const list: unknown[] = [];
  let text = firstText;
  if (text === undefined) text = c.lines[c.i++]!.text;
  for (;;) {
    if (!isSeqItem(text)) fail();
    let offset = 1;
    while (text.charCodeAt(offset) === 32) offset++;
    const rest = text.slice(offset);
    const column = indent + offset;
    if (rest === '' || rest[0] === '#') {
      const next = c.lines[c.i];
      list.push(next && next.indent > indent ? parseBlock(c, next.indent) : null);
    } else if (isSeqItem(rest)) {
      list.push(parseSeq(c, column, rest));
    } else if (blockKey.test(rest)) {
      list.push(parseMap(c, column, rest));
    } else {
      list.push(inlineValue(rest));
      const next = c.lines[c.i];
      if (next && next.indent > indent) fail();
    }
    const next = c.lines[c.i];
    if (!next || next.indent < indent) return list;
    if (next.indent > indent || !isSeqItem(next.text)) {
      // A mapping key at the list's indentation ends a list that was written at its key's indentation.
      if (next.indent === indent && !isSeqItem(next.text)) return list;
      fail();
    }
    text = next.text;
    c.i++;
  }
}

/** A value on the rest of a line: a flow collection, a quoted string or a plain scalar, then maybe a comment. */
function inlineValue(text: string): unknown {
  const ch = text[0]!;
  if (ch === '[' || ch === '{' || ch === '"' || ch === "'") {
    const p = { s: text, i: 0 };
    const value = flowValue(p);
    skipSpaces(p);
    if (p.i < text.length && !(text[p.i] === '#' && text[p.i - 1] === ' ')) fail();
    return value;
  }
  if ('&*!|>%@`,]}#'.includes(ch) || ((ch === '-' || ch === '?' || ch === ':') && (text.length === 1 || text[1] === ' '))) fail();
  const hash = text.indexOf(' #');
  const plain = (hash === -1 ? text : text.slice(0, hash)).trimEnd();
  if (plain.includes(': ') || plain.endsWith(':')) fail();
  return resolvePlain(plain);
}

interface FlowCursor {
  s: string;
  i: number;
}

function skipSpaces(p: FlowCursor): void {
  while (p.s.charCodeAt(p.i) === 32) p.i++;
}

function flowValue(p: FlowCursor): unknown {
  skipSpaces(p);
  const ch = p.s[p.i];
  if (ch === '[') {
    p.i++;
    const list: unknown[] = [];
    skipSpaces(p);
    if (p.s[p.i] === ']') {
      p.i++;
      return list;
    }
    for (;;) {
      list.push(flowValue(p));
      skipSpaces(p);
      const sep = p.s[p.i++];
      if (sep === ']') return list;
      if (sep !== ',') fail();
      skipSpaces(p);
      if (p.s[p.i] === ']') fail();
    }
  }
  if (ch === '{') {
    p.i++;
    const map: Record<string, unknown> = {};
    skipSpaces(p);
    if (p.s[p.i] === '}') {
      p.i++;
      return map;
    }
    for (;;) {
      skipSpaces(p);
      let key: string;
      if (p.s[p.i] === '"') {
        key = doubleQuoted(p);
        if (p.s[p.i] !== ':') fail();
        p.i++;
      } else {
        const word = flowWord.exec(p.s.slice(p.i));
        if (!word || !/^[A-Za-z_]/.test(word[0])) fail();
        key = word![0];
        p.i += key.length;
        if (p.s[p.i] !== ':' || p.s[p.i + 1] !== ' ') fail();
        p.i++;
      }
      if (reservedKeys.has(key) || Object.prototype.hasOwnProperty.call(map, key)) fail();
      map[key] = flowValue(p);
      skipSpaces(p);
      const sep = p.s[p.i++];
      if (sep === '}') return map;
      if (sep !== ',') fail();
      skipSpaces(p);
      if (p.s[p.i] === '}') fail();
    }
  }
  if (ch === '"') return doubleQuoted(p);
  if (ch === "'") {
    let out = '';
    let i = p.i + 1;
    for (;;) {
      const end = p.s.indexOf("'", i);
      if (end === -1) fail();
      out += p.s.slice(i, end);
      if (p.s[end + 1] === "'") {
        out += "'";
        i = end + 2;
      } else {
        p.i = end + 1;
        return out;
      }
    }
  }
  const word = flowWord.exec(p.s.slice(p.i));
  if (!word) fail();
  p.i += word![0].length;
  const next = p.s[p.i];
  if (next !== undefined && next !== ',' && next !== ']' && next !== '}' && next !== ' ') fail();
  return resolvePlain(word![0]);
}

/** A double-quoted string written with JSON's escapes (a subset of YAML's); anything else is the library's. */
function doubleQuoted(p: FlowCursor): string {
  let i = p.i + 1;
  for (;;) {
    const ch = p.s.charCodeAt(i);
    if (Number.isNaN(ch)) fail();
    if (ch === 34) break;
    if (ch === 92) {
      const e = p.s[i + 1];
      if (e === undefined || !'"\\/bfnrtu'.includes(e)) fail();
      i += 2;
    } else i++;
  }
  let value: string;
  try {
    value = JSON.parse(p.s.slice(p.i, i + 1)) as string;
  } catch {
    return fail();
  }
  p.i = i + 1;
  return value;
}
