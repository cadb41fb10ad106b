/**
 * The one command layer. Every `npm run` command is a `Command`: a name, its purpose, its options (parsed by
 * `node:util` parseArgs) and its exit codes, declared once. `runCommand` gives every command the same behaviour:
 * `--help` prints the usage, every option and the exit codes and exits 0; an unknown option, a missing or empty value,
 * or a value outside an option's choices is a usage error (exit 2, with the allowed ones); other errors print once as
 * `Error: …` and exit 1. Commands write through `Io`, never to the console directly, so tests capture every line.
 */
import { parseArgs } from 'node:util';
import { allowedHint, UsageError } from '../errors.js';

export { UsageError };

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** One-letter alias, e.g. 'h'. */
  short?: string;
  /** The value's placeholder in the usage, e.g. '<env>'. */
  value?: string;
  /** A comma-separated list that may also be repeated: `--env a,b --env c` → ['a', 'b', 'c']. */
  list?: boolean;
  /** The only values allowed; anything else is a usage error naming them. */
  choices?: readonly string[];
  /** Missing → usage error. */
  required?: boolean;
  /** One line for `--help`. */
  description: string;
}

type Options = Record<string, OptionSpec>;

/** The parsed options: booleans, strings, or string lists for `list: true`; absent when not given. */
export type Values<O extends Options> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : O[K] extends { list: true } ? string[] : string;
};

/** The one way commands write: whole lines to stdout (`out`) or stderr (`err`). */
export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Colour is allowed: stdout is a terminal and NO_COLOR is unset. */
  color: boolean;
  env: NodeJS.ProcessEnv;
}

export interface CommandContext {
  /** The repository the command works on. */
  root: string;
  io: Io;
  /** Positional arguments, for commands that declare `positionals`. */
  positionals: string[];
}

/** Exit codes every command shares; a command adds its own (e.g. 3 "changes found") in `exitCodes`. */
export const exitCodes = { ok: 0, error: 1, usage: 2 } as const;

export interface Command<O extends Options = Options> {
  /** The npm script name: `npm run <name>`. */
  name: string;
  /** One sentence: what the command is for (shown first by --help and in the README's command table). */
  purpose: string;
  options: O;
  /** Positional arguments, when the command takes any: placeholder and description. */
  positionals?: { value: string; description: string };
  /** Every exit code the command can return, with its meaning; 0, 1 and 2 included. */
  exitCodes: Record<number, string>;
  run(values: Values<O>, ctx: CommandContext): Promise<number>;
}

/** Declares a command; the identity function that lets TypeScript type `run`'s values from `options`. */
export function defineCommand<const O extends Options>(command: Command<O>): Command<O> {
  return command;
}

/** The standard exit codes' meanings, spread into each command's `exitCodes`. */
export const standardExitCodes = {
  1: 'error: the command could not do its work (the message says why)',
  2: 'usage: unknown option, environment or value, or a required option missing',
} as const;

const helpOption: OptionSpec = { type: 'boolean', short: 'h', description: 'print this help and exit 0' };

function optionText(name: string, spec: OptionSpec): string {
  const value = spec.type === 'string' ? ` ${spec.value ?? '<value>'}${spec.list ? `[,${spec.value ?? '<value>'}]` : ''}` : '';
  return `--${name}${value}`;
}

/** How a person starts the command: `npm test` for test, `npm run <name>` for the others. */
export function invocation(command: Command): string {
  return command.name === 'test' ? 'npm test' : `npm run ${command.name}`;
}

/** `usage: npm run diff -- [--base <ref>] …`: required options bare, optional ones in brackets. */
export function usageLine(command: Command): string {
  const parts = Object.entries(command.options).map(([name, spec]) => (spec.required ? optionText(name, spec) : `[${optionText(name, spec)}]`));
  if (command.positionals) parts.push(`[${command.positionals.value}...]`);
  return `usage: ${invocation(command)}${parts.length ? ` -- ${parts.join(' ')}` : ''}`;
}

/** The full `--help` text: purpose, usage, every option and every exit code. */
export function helpText(command: Command): string {
  const rows: [string, string][] = Object.entries({ ...command.options, help: helpOption }).map(([name, spec]) => [
    (spec.short ? `-${spec.short}, ` : '    ') + optionText(name, spec),
    spec.description + (spec.choices ? ` (one of: ${spec.choices.join(', ')})` : '') + (spec.required ? ' (required)' : ''),
  ]);
  if (command.positionals) rows.push([`    ${command.positionals.value}...`, command.positionals.description]);
  const width = Math.max(...rows.map(([left]) => left.length));
  const codes = Object.entries(command.exitCodes).map(([code, meaning]) => `  ${code}  ${meaning}`);
  return [
    `${invocation(command)}: ${command.purpose}`,
    '',
    usageLine(command),
    '',
    'options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    '',
    'exit codes:',
    ...codes,
  ].join('\n');
}

/** Turns parseArgs' complaints into our usage errors, naming the allowed options. */
function parseError(err: NodeJS.ErrnoException, options: Options): UsageError {
  const quoted = /'(-{1,2}[^' ]+)/.exec(err.message)?.[1] ?? '';
  const allowed = Object.keys(options).map((name) => `--${name}`);
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option '${quoted}'; ${allowedHint(quoted, allowed)}`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(err.message.includes('argument missing') ? `${quoted} needs a value` : `${quoted} takes no value`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument '${/'([^']*)'/.exec(err.message)?.[1] ?? ''}'; options start with --`);
    default:
      return new UsageError(err.message.split('\n')[0]!);
  }
}

/** Parses argv against the command's options; throws UsageError for anything the options do not allow. */
export function parseOptions<O extends Options>(command: Command<O>, argv: string[]): { help: boolean; values: Values<O>; positionals: string[] } {
  const config = Object.fromEntries(
    Object.entries({ ...command.options, help: helpOption }).map(([name, spec]) => [
      name,
      { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.list ? { multiple: true } : {}) },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: config, strict: true, allowPositionals: Boolean(command.positionals) });
  } catch (err) {
    throw parseError(err as NodeJS.ErrnoException, command.options);
  }
  const raw = parsed.values as Record<string, string | boolean | string[] | undefined>;
  // --help answers even when required options are missing: that is when people ask for it.
  if (raw.help === true) return { help: true, values: {}, positionals: [] };
  const values: Record<string, string | boolean | string[]> = {};
  for (const [name, spec] of Object.entries(command.options)) {
    let value = raw[name];
    // `--env=` or `--env ''` would silently mean "nothing"; an empty value is always a mistake.
    if (Array.isArray(value)) value = value.flatMap((v) => v.split(',')).filter(Boolean);
    if (value === '' || (Array.isArray(value) && value.length === 0)) throw new UsageError(`--${name} needs a value (got an empty one)`);
    if (value === undefined) {
      if (spec.required) throw new UsageError(`--${name} is required`);
      continue;
    }
    for (const one of Array.isArray(value) ? value : typeof value === 'string' ? [value] : []) {
      if (spec.choices && !spec.choices.includes(one)) throw new UsageError(`--${name}: unknown value '${one}'; ${allowedHint(one, spec.choices)}`);
    }
    values[name] = value;
  }
  return { help: false, values: values as Values<O>, positionals: parsed.positionals };
}

/**
 * Runs one command: parses, answers --help, runs, and turns errors into exit codes (usage 2 with the usage line,
 * anything else 1), printing each once.
 */
export async function runCommand<O extends Options>(command: Command<O>, argv: string[], ctx: { root: string; io: Io }): Promise<number> {
  try {
    const { help, values, positionals } = parseOptions(command, argv);
    if (help) {
      for (const line of helpText(command as unknown as Command).split('\n')) ctx.io.out(line);
      return exitCodes.ok;
    }
    return await command.run(values, { ...ctx, positionals });
  } catch (err) {
    ctx.io.err(`Error: ${(err as Error)?.message ?? String(err)}`);
    if (err instanceof UsageError) {
      ctx.io.err(usageLine(command as unknown as Command));
      ctx.io.err(`run \`${invocation(command as unknown as Command)} -- --help\` for every option and exit code`);
      return exitCodes.usage;
    }
    return exitCodes.error;
  }
}

/** The process's own output: console lines, colour when stdout is a terminal and NO_COLOR is unset. */
export function processIo(): Io {
  return {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
    env: process.env,
  };
}
