/**
 * The renderer's process runner: its commands start git, go, kubeconform, helm, gitleaks, tar and the renderer
 * itself here, on node:child_process spawn with an argument list, so no shell sits between: no quoting to get
 * wrong, and a long list of paths is no longer one `bash -c` string capped at 128 KiB (each argument still is).
 * zx stays for the end-to-end scripts in scripts/e2e, which it was chosen for: command lines as a person types them.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';

export interface RunOptions {
  cwd?: string;
  /** The whole environment of the child; default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Text written to the child's stdin (default: none, stdin is closed). */
  input?: string;
  /** Let the child print straight to this terminal instead of capturing its output. */
  inherit?: boolean;
  /**
   * Kill the child at this many seconds, with everything it started: the child leads its own process group and the
   * whole group gets SIGKILL (a wrapper such as GNU time would otherwise leave its command running).
   */
  timeLimitSeconds?: number;
}

export interface RunResult {
  /** The exit code; a child killed by a signal reports 128 + the signal number, as shells do. */
  code: number;
  stdout: string;
  /** stdout as bytes, for output that is not text or must be cut at byte offsets (git cat-file --batch). */
  stdoutBytes: Buffer;
  stderr: string;
  /** Set when `timeLimitSeconds` stopped the child. */
  timedOut?: true;
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
export function run(program: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  // spawn says ENOENT for a missing working folder too; say which it is.
  if (options.cwd !== undefined && !existsSync(options.cwd)) return Promise.reject(new Error(`cannot run ${program}: the folder ${options.cwd} does not exist`));
  return new Promise((resolve, reject) => {
    const child = spawn(program, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: options.inherit ? 'inherit' : [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: options.timeLimitSeconds !== undefined,
    });
    let timedOut = false;
    const timer =
      options.timeLimitSeconds === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            process.kill(-child.pid!, 'SIGKILL');
          }, options.timeLimitSeconds * 1000);
    // stdout as the bytes the program wrote: decoding chunk by chunk would split a character between two chunks.
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new ProgramNotFound(program) : err));
    // A child that exits before reading all its input closes the pipe: that is its answer, not an error here.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input);
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(stdout);
      // Killed by a signal: 128 + its number, as shells report it.
      const code = exitCode ?? 128 + (signal ? constants.signals[signal] : 0);
      resolve({ code, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(stderr).toString('utf8'), ...(timedOut ? { timedOut: true as const } : {}) });
    });
  });
}

/** Runs a program and returns its stdout; a non-zero exit throws an Error with the command and its stderr. */
export async function output(program: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(program, args, options);
  if (result.code !== 0) throw new Error(`${[program, ...args].join(' ')} exited with ${result.code}: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}
