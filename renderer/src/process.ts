/**
 * The one process runner: every child process of the renderer and of scripts/ starts here, through zx (the
 * repository's chosen library for this). zx quotes every argument, so a path with spaces or `$` stays one argument
 * and nothing is interpreted by the shell it starts.
 *
 * Why a shell at all: zx always runs through one (bash). Its cost is a few milliseconds per process, and the one
 * limit it adds (Linux caps a single argument, the `bash -c` string, at 128 KiB) is respected by callers that pass
 * many paths (validate/kubeconform.ts batches its file list under it).
 */
import { $ } from 'zx/core';

export interface RunOptions {
  cwd?: string;
  /** The whole environment of the child; default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Text written to the child's stdin (default: none, stdin is closed). */
  input?: string;
  /** Let the child print straight to this terminal instead of capturing its output. */
  inherit?: boolean;
}

export interface RunResult {
  /** The exit code; a child killed by a signal reports 128 + the signal number, as shells do. */
  code: number;
  stdout: string;
  /** stdout as bytes, for output that is not text or must be cut at byte offsets (git cat-file --batch). */
  stdoutBytes: Buffer;
  stderr: string;
}

/** Thrown when the program is not installed (not on PATH, or the path does not exist). */
export class ProgramNotFound extends Error {
  override name = 'ProgramNotFound';
  constructor(readonly program: string) {
    super(`'${program}' was not found${program.includes('/') ? '' : ' on PATH'}`);
  }
}

/**
 * Runs `program args…` and resolves with its exit code and output, whatever the code: the caller decides what a
 * non-zero code means. Rejects with ProgramNotFound when the program does not exist.
 */
export async function run(program: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const child = $({
    cwd: options.cwd,
    env: options.env ?? process.env,
    input: options.input,
    stdio: options.inherit ? 'inherit' : [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    nothrow: true,
    quiet: true,
    verbose: false,
  })`${program} ${args}`;
  // stdout as the bytes the program wrote. zx decodes each chunk as UTF-8 on its own (a character split between two
  // chunks becomes two U+FFFD) and its buffer() re-encodes that text together with stderr, so byte counts drift on
  // non-ASCII output. The stream exists once $ returns: zx spawns the child synchronously.
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const result = await child;
  const stdoutBytes = Buffer.concat(chunks);
  const code = result.exitCode ?? 128;
  // bash's answer for a program it cannot find or execute: 127 and "command not found" / "No such file".
  if (code === 127 && /command not found|No such file or directory/.test(result.stderr)) throw new ProgramNotFound(program);
  return { code, stdout: options.inherit ? result.stdout : stdoutBytes.toString('utf8'), stdoutBytes, stderr: result.stderr };
}

/** Runs a program and returns its stdout; a non-zero exit throws an Error with the command and its stderr. */
export async function output(program: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(program, args, options);
  if (result.code !== 0) throw new Error(`${[program, ...args].join(' ')} exited with ${result.code}: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}
