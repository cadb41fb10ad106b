/**
 * Measures whole processes: wall time, CPU time (user + system) and peak memory (max RSS), through GNU time
 * (`/usr/bin/time -f`, Debian package `time`) when it is installed; without it only wall time is measured.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Measurement {
  wallSeconds: number;
  /** User + system CPU seconds; null without GNU time. */
  cpuSeconds: number | null;
  /** Peak resident memory in MiB; null without GNU time. */
  maxRssMiB: number | null;
  exitCode: number;
  /** Whether the time limit stopped it (then the figures are the limit's, not the command's). */
  timedOut?: boolean;
  stdout: string;
  stderr: string;
}

const gnuTime = '/usr/bin/time';
export const hasGnuTime = (): boolean => existsSync(gnuTime);

/**
 * Runs `command args` in `cwd` to completion and measures it. Output is captured (kustomize prints the objects).
 * With `timeoutSeconds`, the process (GNU time and its child: they share a process group) is killed at that limit.
 */
export async function measure(command: string, args: string[], cwd: string, timeoutSeconds?: number): Promise<Measurement> {
  const useTime = hasGnuTime();
  const dir = useTime ? mkdtempSync(path.join(os.tmpdir(), 'bench-time-')) : undefined;
  const report = dir ? path.join(dir, 'time.txt') : undefined;
  const [cmd, argv] = useTime ? [gnuTime, ['-f', '%e %U %S %M', '-o', report!, command, ...args]] : [command, args];
  const started = performance.now();
  const child = spawn(cmd, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: timeoutSeconds !== undefined });
  let timedOut = false;
  const timer =
    timeoutSeconds === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          process.kill(-child.pid!, 'SIGKILL');
        }, timeoutSeconds * 1000);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
  clearTimeout(timer);
  const wall = (performance.now() - started) / 1000;
  let cpuSeconds: number | null = null;
  let maxRssMiB: number | null = null;
  let wallSeconds = wall;
  if (report && existsSync(report)) {
    // GNU time writes "Command exited with non-zero status N" before the format line when the command fails.
    const line = readFileSync(report, 'utf8').trim().split('\n').pop() ?? '';
    const [e, u, s, m] = line.split(' ').map(Number);
    if ([e, u, s, m].every((x) => Number.isFinite(x))) {
      wallSeconds = e!;
      cpuSeconds = u! + s!;
      maxRssMiB = m! / 1024;
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  return {
    wallSeconds,
    cpuSeconds,
    maxRssMiB,
    exitCode,
    ...(timedOut ? { timedOut } : {}),
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

/** The median of measurements by wall time (the middle run, so its CPU and memory belong to the same run). */
export function median<T extends { wallSeconds: number }>(runs: T[]): T {
  const sorted = [...runs].sort((a, b) => a.wallSeconds - b.wallSeconds);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** git in a benchmark repository: a fixed identity, no signing, no background gc (it would race a `git gc`); its output. */
export function benchGit(cwd: string, args: string[]): string {
  return execFileSync('git', ['-c', 'gc.auto=0', '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
  });
}
