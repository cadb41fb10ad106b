/**
 * The rendered tree once per distinct line, for the secret scan. Rendered manifests repeat themselves: 250 apps in
 * five clusters are 10 MB of text but 1.5 MB of distinct lines (labels, probes, security contexts, the same keys in
 * every app). gitleaks' cost grows with the bytes it reads, so scanning each distinct piece once and placing every
 * finding at each place that piece occurs gives the same findings for about a seventh of the work.
 *
 * The unit is a line, except that a block scalar (`key: |`, `- >-`, …) is kept whole with its header: a secret that
 * spans lines (a private key) then still reaches the scanner in one piece. Files that do not start with the render's
 * generated header (hand-written ones, or anything else) are kept whole, as one unit each. Pure: texts in, chunks
 * and a locator out.
 */

export interface DistinctText {
  /** The distinct units joined into chunks of about `chunkBytes`, each ending at a unit's end. */
  chunks: string[];
  /** Every place of line `line` (1-based) of chunk `chunk`: file and line, in the order the files were given. */
  locate: (chunk: number, line: number) => { file: string; line: number }[];
}

interface Unit {
  text: string;
  /** Number of lines of `text`. */
  lines: number;
  /** Where the unit occurs, flat for speed (hundreds of thousands of places): file number, first line, file, line, … */
  at: number[];
}

/** `key: |`, `key: >-`, `- |2`, … : a line that opens a block scalar. */
const blockHeader = /(?:^|:\s|-\s)[|>][-+0-9]*\s*(?:#.*)?$/;
const indentOf = (line: string) => line.length - line.trimStart().length;
/** Whether `line` may open a block scalar: the cheap test first, most lines end otherwise. */
const opensBlock = (line: string) => {
  const last = line.trimEnd().at(-1);
  return (
    (last === '|' || last === '>' || last === '-' || last === '+' || (last !== undefined && last >= '0' && last <= '9') || line.includes('#')) &&
    blockHeader.test(line) &&
    !line.trimStart().startsWith('#')
  );
};

/**
 * The distinct units of `files` (path → text), generated files (those starting with `generatedMarker`) cut into
 * lines and block scalars (a header and its more-indented lines), every other file kept whole.
 */
export function distinctText(files: ReadonlyMap<string, string>, generatedMarker: string, chunkBytes = 256 * 1024): DistinctText {
  const units = new Map<string, Unit>();
  const names: string[] = [];
  const add = (key: string, text: string, lines: number, file: number, line: number) => {
    let unit = units.get(key);
    if (!unit) units.set(key, (unit = { text, lines, at: [] }));
    unit.at.push(file, line);
  };
  for (const [name, text] of files) {
    const file = names.push(name) - 1;
    if (!text.startsWith(generatedMarker)) {
      const body = text.endsWith('\n') ? text.slice(0, -1) : text;
      // The file's path makes the unit its own: two equal hand-written files are both scanned and both reported.
      add(`\u0000${name}\n${body}`, body, body.split('\n').length, file, 1);
      continue;
    }
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!opensBlock(line)) {
        add(line, line, 1, file, i + 1);
        continue;
      }
      const indent = indentOf(line);
      let end = i + 1;
      while (end < lines.length && (lines[end]!.trim() === '' || indentOf(lines[end]!) > indent)) end++;
      const block = lines.slice(i, end).join('\n');
      add(block, block, end - i, file, i + 1);
      i = end - 1;
    }
  }
  const chunks: string[] = [];
  /** Per chunk: each unit's first line in the chunk, ascending, beside the unit. */
  const starts: { line: number; unit: Unit }[][] = [];
  let parts: string[] = [];
  let index: { line: number; unit: Unit }[] = [];
  let bytes = 0;
  let line = 1;
  const flush = () => {
    if (parts.length === 0) return;
    chunks.push(parts.join('\n') + '\n');
    starts.push(index);
    parts = [];
    index = [];
    bytes = 0;
    line = 1;
  };
  for (const unit of units.values()) {
    index.push({ line, unit });
    parts.push(unit.text);
    line += unit.lines;
    bytes += unit.text.length + 1;
    if (bytes >= chunkBytes) flush();
  }
  flush();
  const locate = (chunk: number, at: number) => {
    const index = starts[chunk] ?? [];
    let lo = 0;
    let hi = index.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (index[mid]!.line <= at) lo = mid;
      else hi = mid - 1;
    }
    const hit = index[lo];
    if (!hit || at < hit.line || at >= hit.line + hit.unit.lines) return [];
    const places: { file: string; line: number }[] = [];
    for (let k = 0; k < hit.unit.at.length; k += 2) places.push({ file: names[hit.unit.at[k]!]!, line: hit.unit.at[k + 1]! + (at - hit.line) });
    return places;
  };
  return { chunks, locate };
}
