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

/**
 * A location whose line and column are found only when read: locating parses the file again with positions, which a
 * render that finds nothing wrong should not pay for every app.
 */
export function lazyLocation(file: string, at: () => { line: number; col: number }): SourceLocation {
  let found: { line: number; col: number } | undefined;
  return {
    file,
    get line() {
      return (found ??= at()).line;
    },
    get col() {
      return (found ??= at()).col;
    },
  };
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

function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort((a, b) => cmp(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0) || cmp(a.message, b.message));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `file:line:col: error: message` followed by an indented `hint: …` line, like compilers print.
 * Why every part is cleaned here: messages quote input (values, file names) and end up on terminals, in CI logs and
 * in pull request comments; a control character could rewrite a terminal line or break out of a Markdown block, and
 * a huge value would flood the log. So each part is one line, without control characters, and bounded.
 */
export function formatProblem(p: Problem): string {
  const where = [oneLine(p.file, maxPart), p.line, p.line !== undefined ? p.col : undefined].filter((x) => x !== undefined).join(':');
  return `${where}: error: ${oneLine(p.message, maxPart)}` + (p.hint ? `\n  hint: ${oneLine(p.hint, maxPart)}` : '');
}

const maxPart = 600;
/** Longest excerpt of a file's content a message may quote. */
const maxExcerpt = 40;

/** Text as one printable line of at most `max` characters: control characters are escaped, the rest cut with "…". */
function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** Text from another process for a message: at most `maxLines` lines, each cleaned by oneLine. */
export function boundedLines(text: string, maxLines = 40): string {
  const lines = text.split('\n');
  const kept = lines.slice(0, maxLines).map((l) => oneLine(l, maxPart));
  return kept.join('\n') + (lines.length > maxLines ? `\n… ${lines.length - maxLines} more lines not shown` : '');
}

/** A short, single-line quote of a value read from a file, for messages (JSON form, so its type shows). */
export function excerpt(value: unknown): string {
  return oneLine(JSON.stringify(value) ?? String(value), maxExcerpt);
}

/** What the renderer was doing with a path, for messages about the file system. */
export type PathRole = 'input file' | 'input folder' | 'rendered file' | 'rendered folder';

/**
 * A file-system error as a problem that names the path, its role and what to do, instead of raw errno text.
 * Errors it does not know keep their code, so nothing is hidden.
 */
export function fileSystemProblem(file: string, role: PathRole, err: unknown): Problem {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'unknown';
  const writing = role.startsWith('rendered');
  const verb = writing ? 'write' : 'read';
  if (writing && code === 'EPERM')
    return {
      file,
      message: `operation not permitted: cannot write this ${role} (an immutable or append-only file refuses even root)`,
      hint: `lsattr ${file} shows the attribute; remove it (chattr -i ${file}, as root) and run the command again`,
    };
  if (writing && (code === 'EBUSY' || code === 'EXDEV'))
    return {
      file,
      message: `this ${role} is a mount point (${code}): it cannot be replaced`,
      hint: `unmount what is mounted there (findmnt ${file}) and run the command again`,
    };
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return {
        file,
        message: `permission denied: cannot ${verb} this ${role}`,
        hint: `give your user ${writing ? 'write' : 'read'} access (ls -l ${file}; chmod u+${writing ? 'w' : 'r'}) and run the command again`,
      };
    case 'ENOSPC':
    case 'EDQUOT':
      return {
        file,
        message: `no space left on the device while writing this ${role}`,
        hint: 'free disk space and run npm run render again; files already staged were removed and clusters/ is as it was',
      };
    case 'EROFS':
      return {
        file,
        message: `the file system is read-only: cannot ${verb} this ${role}`,
        hint: 'render in a writable checkout; `npm run render -- --check` and `npm run validate` write nothing and work here',
      };
    case 'EISDIR':
      return { file, message: `this ${role} is a folder`, hint: 'remove or rename the folder; a file is expected here' };
    case 'ENOTDIR':
    case 'EEXIST':
      return { file, message: `a parent of this ${role} is a file, not a folder`, hint: 'remove or rename the file that is in the way' };
    case 'ELOOP':
      return { file, message: `this ${role} is a loop of symbolic links`, hint: 'replace the links with the file itself' };
    default:
      return { file, message: `cannot ${verb} this ${role} (${code})`, hint: 'check the path and run the command again' };
  }
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

/**
 * A problem with no input file and line to point at (a git checkout, a remote, an API server), which the message
 * names instead. Printed like a located problem: the message, then an indented `hint: …` line saying what to do.
 */
export class HintedError extends Error {
  override name = 'HintedError';
  constructor(
    readonly reason: string,
    readonly hint?: string,
  ) {
    super(hint ? `${reason}\n  hint: ${hint}` : reason);
  }
}
