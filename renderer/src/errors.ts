/**
 * One error type for the whole pipeline: a problem with a location and a hint.
 * Stages collect these and fail once with all of them (see RenderError).
 */

export interface SourceLocation {
  /** Repository-relative POSIX path. */
  file: string;
  /** 1-based line, when known. */
  line?: number;
  /** 1-based column, when known. */
  col?: number;
}

export interface Problem extends SourceLocation {
  message: string;
  hint?: string;
}

/** Thrown when one or more problems stop a stage; carries all of them, sorted by file and line. */
export class RenderError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    const sorted = sortProblems(problems);
    super(sorted.map(formatProblem).join('\n'));
    this.name = 'RenderError';
    this.problems = sorted;
  }
}

export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) =>
      cmp(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0) || cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `file:line:col: error: message` followed by an indented `hint: …` line, like compilers print. */
export function formatProblem(p: Problem): string {
  const where = [p.file, p.line, p.line !== undefined ? p.col : undefined].filter((x) => x !== undefined).join(':');
  return `${where}: error: ${p.message}` + (p.hint ? `\n  hint: ${p.hint}` : '');
}

/** Suggests the closest allowed word ("did you mean …") for typos, or undefined when nothing is close. */
export function closest(word: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** A hint listing allowed values, with a "did you mean" first when one is close. */
export function allowedHint(got: string, allowed: readonly string[]): string {
  const guess = closest(got, allowed);
  return (guess ? `did you mean '${guess}'? ` : '') + `allowed: ${allowed.join(', ')}`;
}

/**
 * A refusal caused by what the person asked for (an unknown option, environment or app, a missing flag): the
 * command layer (cli/command.ts) prints it with the usage line and exits 2. The one usage error of every command.
 */
export class UsageError extends Error {
  readonly usage = true;
  override name = 'UsageError';
}
