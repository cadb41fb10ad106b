// The benchmark's own logic: what it measures alone (the floors, a time limit), how it adds up a sequence of
// commands, and how it judges and prints the figures against the targets.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatReport, latestReport, sequence, targetsFor, type BenchReport, type ScenarioResult } from '../../src/bench/cli.js';
import { largeValueFile, scannerFloor } from '../../src/bench/floors.js';
import { measure, type Measurement } from '../../src/bench/measure.js';

const m = (wallSeconds: number, cpuSeconds: number | null, maxRssMiB: number | null, exitCode = 0): Measurement => ({
  wallSeconds,
  cpuSeconds,
  maxRssMiB,
  exitCode,
  stdout: '',
  stderr: '',
});
const scenario = (id: string, wallSeconds: number, extra: Partial<ScenarioResult> = {}): ScenarioResult => ({
  id,
  name: id,
  command: id,
  available: true,
  runs: 1,
  wallSeconds,
  cpuSeconds: wallSeconds,
  maxRssMiB: 100,
  ...extra,
});

describe('sequence', () => {
  it('adds wall and CPU times, keeps the highest memory and the first failing exit code', () => {
    expect(sequence([m(1, 0.5, 80), m(2, 1, 120, 3), m(0.5, 0.25, 60)])).toEqual({ wallSeconds: 3.5, cpuSeconds: 1.75, maxRssMiB: 120, exitCode: 3, stdout: '', stderr: '' });
  });

  it('has no CPU time or memory when one command was measured without GNU time', () => {
    expect(sequence([m(1, 0.5, 80), m(2, null, null)])).toMatchObject({ cpuSeconds: null, maxRssMiB: null });
  });
});

describe('targetsFor', () => {
  it('judges the 250-app targets, the cdk8s ratio by wall time with the CPU ratio beside it', () => {
    const t = targetsFor(250, [scenario('full', 1.5), scenario('unchanged', 0.4), scenario('edit', 0.35), scenario('pr-check', 6), scenario('cdk8s', 6, { cpuSeconds: 4.5 })]);
    expect(t.map((x) => [x.name, x.met])).toEqual([
      ['full render < 1.5 s', false],
      ['full render ≥ 2× faster than cdk8s (medians)', true],
      ['nothing-changed render < 0.2 s', false],
      ['one-overlay-edit render < 0.4 s', true],
      ['pull-request check, one-app change < 5 s', false],
      ['cold full validate ≤ kubeconform alone + 25 %', null],
      ['secret scanner, 1 MiB value < 1 s (no figure in the issue: catches quadratic scanning)', null],
      ['serialiser ≤ 25 % of the full render (no figure in the issue)', null],
    ]);
    expect(t[1]!.detail).toBe('4.00× by wall time, 3.00× by CPU time');
    // A missed target says by how much.
    expect(t[2]!.detail).toBe('0.40 s (limit 0.2 s, 2.00× over)');
  });

  it('measures the 1,000-app growth against the earlier 250-app report and cold validation against kubeconform alone', () => {
    const previous = { scenarios: [scenario('full', 2)], machine: { loadAverage: { start: 0.5, end: 1 } } } as BenchReport;
    const t = targetsFor(1000, [scenario('full', 9, { maxRssMiB: 900 }), scenario('validate-cold', 5), scenario('kubeconform', 4)], previous);
    const byName = Object.fromEntries(t.map((x) => [x.name, x]));
    expect(byName['full render < 6 s']!.met).toBe(false);
    expect(byName['full render peak memory < 600 MB']).toMatchObject({ met: false, detail: '943.72 MB (limit 600 MB, 1.57× over)' });
    expect(byName['growth 250 → 1,000 apps ≤ 4.5×']).toMatchObject({ met: true, detail: "4.50× (250 apps: 2.00 s, from an earlier run's report, load 0.5)" });
    expect(byName['cold full validate ≤ kubeconform alone + 25 %']).toMatchObject({ met: true, detail: '5.00 s against 4.00 s × 1.25 = 5.00 s' });
    expect(byName['validate, one-app change < 2 s']).toMatchObject({ met: null, detail: 'not measured' });
  });
});

describe('latestReport', () => {
  it('finds the newest earlier report for that size whatever its --only, so the growth figure works with --only', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-reports-'));
    try {
      const write = (name: string, full: number, at: number) => {
        writeFileSync(path.join(dir, name), JSON.stringify({ apps: 250, scenarios: [scenario('full', full)] }));
        utimesSync(path.join(dir, name), at, at);
      };
      write('bench-250-apps.json', 3, 1000);
      write('bench-250-apps-render-cdk8s.json', 2, 2000);
      write('bench-1000-apps.json', 9, 3000);
      expect(latestReport(dir, 250)?.scenarios[0]?.wallSeconds).toBe(2);
      expect(latestReport(dir, 500)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('targetsFor, the floors', () => {
  it('compares the serialiser with the full render by CPU time when both have it, and catches a slow scanner', () => {
    const t = targetsFor(250, [scenario('full', 10, { cpuSeconds: 4 }), scenario('serializer', 5, { cpuSeconds: 1.2 }), scenario('scanner', 30)]);
    expect(t.find((x) => x.scenario === 'serializer')).toMatchObject({ met: false, detail: '30 % (1.20 s of 4.00 s, CPU time)' });
    expect(t.find((x) => x.scenario === 'scanner')).toMatchObject({ met: false, detail: '30.00 s (limit 1 s, 30.00× over)' });
  });
});

describe('formatReport', () => {
  it('prints each figure with its targets beside it, the machine load, and a peer that disagrees', () => {
    const scenarios = [scenario('full', 1.5), scenario('cdk8s', 3, { equal: false, differences: ['staging: only in this renderer: Service/x/y'] })];
    const report: BenchReport = {
      apps: 250,
      environments: 4,
      machine: { cpus: 2, memoryGiB: 24, node: 'v20', platform: 'Linux', kubectl: null, gnuTime: true, loadAverage: { start: 9.5, end: 10.25 } },
      renderedFiles: 100,
      scenarios,
      targets: targetsFor(250, scenarios),
    };
    const lines = formatReport(report);
    expect(lines[0]).toBe(
      '250 apps × 4 environments: 100 rendered files; 2 CPUs, 24 GiB, node v20; load average 9.5 at the start, 10.3 at the end (a load above 2 means shared CPUs: compare CPU times and ratios)',
    );
    expect(lines[3]).toMatch(/^full {2,}1\.500 {2,}1\.50 {2,}100 {2,}– {2}MISSED: full render < 1.5 s$/);
    expect(lines[4]).toMatch(/^cdk8s .* met: full render ≥ 2× faster than cdk8s \(medians\)$/);
    expect(lines).toContain('cdk8s: DIFFERENT objects:\n  staging: only in this renderer: Service/x/y');
    expect(lines).toContain("cdk8s takes 2.0× the full render's wall time, 2.0× its CPU time (above 1: the render is faster)");
    expect(lines).toContain('target MISSED: nothing-changed render < 0.2 s: not measured'.replace('MISSED', '?'));
  });
});

describe('floors', () => {
  it('builds a large value deterministically, of the asked size, with nothing the scanner calls a secret', () => {
    const text = largeValueFile(4096);
    expect(text).toBe(largeValueFile(4096));
    expect(text.split('\n')[1]!.length).toBe('  bundle: '.length + 4096);
    expect(scannerFloor(4096)).toMatchObject({ units: 4096 });
  });
});

describe('measure', () => {
  it('stops a command at its time limit and says so', async () => {
    // The command never ends by itself, so this test ends only if measure stops it.
    const r = await measure(process.execPath, ['-e', 'setInterval(() => {}, 1_000)'], process.cwd(), 1);
    expect(r.timedOut).toBe(true);
  });

  it('measures a command that finishes in time without marking it', async () => {
    const r = await measure(process.execPath, ['-e', 'console.log("ok")'], process.cwd(), 60);
    expect(r).toMatchObject({ exitCode: 0, stdout: 'ok\n' });
    expect(r.timedOut).toBeUndefined();
  });
});
