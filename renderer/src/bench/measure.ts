/**
 * Measures whole processes: wall time, CPU time (user + system) and peak memory (max RSS), through GNU time
 * (`/usr/bin/time -f`, Debian package `time`) when it is installed; without it only wall time is measured.
 */
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
  stdout: string;
  stderr: string;
}

const gnuTime = '/usr/bin/time';
export const hasGnuTime = (): boolean => existsSync(gnuTime);

/** Runs `command args` in `cwd` to completion and measures it. Output is captured (kustomize prints the objects). */
export async function measure(command: string, args: string[], cwd: string): Promise<Measurement> {
  const useTime = hasGnuTime();
  const dir = useTime ? mkdtempSync(path.join(os.tmpdir(), 'bench-time-')) : undefined;
  const report = dir ? path.join(dir, 'time.txt') : undefined;
  const [cmd, argv] = useTime ? [gnuTime, ['-f', '%e %U %S %M', '-o', report!, command, ...args]] : [command, args];
  const started = performance.now();
  // With GNU time the figures are its own, of the measured process alone; the runner's shell is outside them.
  const { code: exitCode, stdout, stderr } = await run(cmd, argv, { cwd });
  const wall = (performance.now() - started) / 1000;
  let cpuSeconds: number | null = null;
  let maxRssMiB: number | null = null;
  let wallSeconds = wall;
  if (report) {
    // GNU time writes "Command exited with non-zero status N" before the format line when the command fails.
    const line = readFileSync(report, 'utf8').trim().split('\n').pop() ?? '';
    const [e, u, s, m] = line.split(' ').map(Number);
    if ([e, u, s, m].every((x) => Number.isFinite(x))) {
      wallSeconds = e!;
      cpuSeconds = u! + s!;
      maxRssMiB = m! / 1024;
    }
    rmSync(dir!, { recursive: true, force: true });
  }
  return { wallSeconds, cpuSeconds, maxRssMiB, exitCode, stdout, stderr };
}

/** The median of measurements by wall time (the middle run, so its CPU and memory belong to the same run). */
export function median(runs: Measurement[]): Measurement {
  const sorted = [...runs].sort((a, b) => a.wallSeconds - b.wallSeconds);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
