/**
 * Measures whole processes: wall time, CPU time (user + system) and peak memory (max RSS), through GNU time
 * (`/usr/bin/time -f`, Debian package `time`) when it is installed; without it only wall time is measured.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../process.js';

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
 * Runs `command args` in `cwd` to completion through the process runner and measures it. Output is captured
 * (kustomize prints the objects). With `timeoutSeconds`, the process (GNU time and its child: they share a process
 * group) is killed at that limit.
 */
export async function measure(command: string, args: string[], cwd: string, timeoutSeconds?: number): Promise<Measurement> {
  const dir = hasGnuTime() ? mkdtempSync(path.join(os.tmpdir(), 'bench-time-')) : undefined;
  const report = dir ? path.join(dir, 'time.txt') : undefined;
  const [program, argv] = report ? [gnuTime, ['-f', '%e %U %S %M', '-o', report, command, ...args]] : [command, args];
  const started = performance.now();
  const result = await run(program, argv, { cwd, ...(timeoutSeconds === undefined ? {} : { timeLimitSeconds: timeoutSeconds }) });
  const wallSeconds = (performance.now() - started) / 1000;
  const figures = report ? gnuTimeFigures(report) : undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  return {
    wallSeconds: figures?.wallSeconds ?? wallSeconds,
    cpuSeconds: figures?.cpuSeconds ?? null,
    maxRssMiB: figures?.maxRssMiB ?? null,
    exitCode: result.code,
    ...(result.timedOut ? { timedOut: true } : {}),
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

/** GNU time's report: wall, CPU (user + system) and peak memory; undefined when it wrote none (the limit killed it). */
function gnuTimeFigures(report: string): { wallSeconds: number; cpuSeconds: number; maxRssMiB: number } | undefined {
  if (!existsSync(report)) return undefined;
  // GNU time writes "Command exited with non-zero status N" before the format line when the command fails.
  const line = readFileSync(report, 'utf8').trim().split('\n').pop() ?? '';
  const [e, u, s, m] = line.split(' ').map(Number);
  if (![e, u, s, m].every((x) => Number.isFinite(x))) return undefined;
  return { wallSeconds: e!, cpuSeconds: u! + s!, maxRssMiB: m! / 1024 };
}

/** The median of measurements by wall time (the middle run, so its CPU and memory belong to the same run). */
export function median<T extends { wallSeconds: number }>(runs: T[]): T {
  const sorted = [...runs].sort((a, b) => a.wallSeconds - b.wallSeconds);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/**
 * git in a benchmark repository: a fixed identity, no signing, no background gc (it would race a `git gc`); its output.
 * Synchronous, and so not through process.ts (which is asynchronous): its callers (the layout study's repositories,
 * commitOneAppChange's `git` callback) are synchronous step lists, and it measures nothing.
 */
export function benchGit(cwd: string, args: string[]): string {
  return execFileSync('git', ['-c', 'gc.auto=0', '-c', 'user.name=bench', '-c', 'user.email=bench@localhost', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
  });
}
