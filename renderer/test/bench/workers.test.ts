// The worker-thread measurement's pure parts: how the plan is split by cluster, how the workers' results come back
// in plan order (and gather as the main thread's loop gathers them), and how the rounds are summed up and judged.
import { describe, expect, it } from 'vitest';
import { attach, detach, formatWorkers, inPlanOrder, splitByCluster, summarizeRounds, wholeRenderEstimates, type WorkersRound } from '../../src/bench/workers.js';
import type { Times } from '../../src/bench/floors.js';
import { gatherJobResults, type JobResult } from '../../src/render/job.js';
import type { TemplateJob } from '../../src/render/template.js';

const jobsOf = (...clusters: string[]) => clusters.map((cluster) => ({ cluster }));

describe('splitByCluster', () => {
  it('keeps each cluster whole in one share and every job index in plan order', () => {
    expect(splitByCluster(jobsOf('a', 'b', 'a', 'c', 'b', 'a'), 2)).toEqual([
      { clusters: ['a'], jobs: [0, 2, 5] },
      { clusters: ['b', 'c'], jobs: [1, 3, 4] },
    ]);
  });

  it('puts the largest cluster first onto the share with the fewest jobs', () => {
    const shares = splitByCluster(jobsOf(...'aaaaa'.split(''), ...'bbbb'.split(''), ...'ccc'.split(''), ...'dd'.split('')), 2);
    expect(shares.map((s) => s.clusters)).toEqual([
      ['a', 'd'],
      ['b', 'c'],
    ]);
    expect(shares.map((s) => s.jobs.length)).toEqual([7, 7]);
  });

  it('orders clusters of the same size by name, so the split is the same every run', () => {
    expect(splitByCluster(jobsOf('z', 'y', 'x'), 3).map((s) => s.clusters)).toEqual([['x'], ['y'], ['z']]);
  });

  it('makes no more shares than there are clusters, and none for no jobs', () => {
    expect(splitByCluster(jobsOf('a', 'a'), 4)).toEqual([{ clusters: ['a'], jobs: [0, 1] }]);
    expect(splitByCluster([], 2)).toEqual([]);
  });

  it('refuses a worker count below one', () => {
    expect(() => splitByCluster(jobsOf('a'), 0)).toThrow('workers must be a whole number ≥ 1 (got 0)');
  });
});

describe('inPlanOrder', () => {
  it('puts each share’s results back at their jobs’ places in the plan', () => {
    expect(
      inPlanOrder(5, [
        { jobs: [0, 2, 4], results: ['r0', 'r2', 'r4'] },
        { jobs: [1, 3], results: ['r1', 'r3'] },
      ]),
    ).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('throws when a job has no result, two results, or a share answers for fewer jobs than it had', () => {
    expect(() => inPlanOrder(3, [{ jobs: [0, 2], results: ['a', 'c'] }])).toThrow('job 1 has no result');
    expect(() =>
      inPlanOrder(2, [
        { jobs: [0, 1], results: ['a', 'b'] },
        { jobs: [1], results: ['b'] },
      ]),
    ).toThrow('job 1 has two results');
    expect(() => inPlanOrder(2, [{ jobs: [0, 1], results: ['a'] }])).toThrow('a worker sent 1 results for its 2 jobs');
  });
});

describe('detach and attach', () => {
  const job = (cluster: string, name: string): TemplateJob => ({
    cluster,
    environment: cluster,
    platform: 'p',
    folder: `clusters/${cluster}/apps/${name}`,
    template: 'deployment',
    context: { name },
    sources: [],
  });
  const resultOf = (j: TemplateJob, message?: string): JobResult => ({
    objects: [
      {
        object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: j.context.name as string } },
        job: j,
        templateFile: 'base/templates/x.hbs',
        content: `name: ${j.context.name as string}\n`,
      },
    ],
    problems: message ? [{ file: 'base/templates/x.hbs', message }] : [],
  });

  it('sends objects without their job, and joins them with the plan’s own job again', () => {
    const j = job('a', 'one');
    const detached = detach(resultOf(j));
    expect(detached.objects[0]).not.toHaveProperty('job');
    const attached = attach(detached, j);
    expect(attached).toEqual(resultOf(j));
    expect(attached.objects[0]!.job).toBe(j);
  });

  it('gathers results split across workers exactly as the main thread’s loop gathers them', () => {
    const jobs = [job('a', 'one'), job('b', 'two'), job('a', 'three'), job('b', 'four')];
    const single = gatherJobResults(jobs.map((j, i) => resultOf(j, i % 2 ? 'same fault' : undefined)));
    const shares = splitByCluster(jobs, 2);
    const sent = shares.map((s) => ({ jobs: s.jobs, results: s.jobs.map((i) => detach(resultOf(jobs[i]!, i % 2 ? 'same fault' : undefined))) }));
    const threaded = gatherJobResults(inPlanOrder(jobs.length, sent).map((r, i) => attach(r, jobs[i]!)));
    expect(threaded).toEqual(single);
    expect(threaded.objects.map((o) => o.object.metadata.name)).toEqual(['one', 'two', 'three', 'four']);
    expect(threaded.problems).toHaveLength(1);
  });
});

describe('summarizeRounds', () => {
  const t = (wallSeconds: number, cpuSeconds = wallSeconds): Times => ({ wallSeconds, cpuSeconds });
  const phases = (render: number) => ({ start: 0.5, compile: 0.01, render, back: 0.2 });
  const round = (cold: number, threaded: number, load: [number, number]): WorkersRound => ({
    cpus: 2,
    loadAverage: { start: load[0], end: load[1] },
    jobs: 100,
    clusters: 5,
    prepare: t(0.3),
    finish: t(0.3),
    cold: t(cold),
    warm: t(cold / 3),
    threaded: [{ workers: 2, shares: [40, 60], times: t(threaded, threaded * 2), slowest: phases(threaded - 0.7), gatherSeconds: 0.01 }],
  });
  const rounds = [round(1.6, 3.0, [4, 4.2]), round(1.2, 2.0, [4.2, 4.4]), round(2.0, 2.5, [4.4, 4.6])];

  it('takes each figure from the middle round by wall time, with its CPU time and phases from that round', () => {
    const f = summarizeRounds(rounds);
    expect(f.cold).toEqual(t(1.6));
    expect(f.threaded[0]).toEqual({ workers: 2, shares: [40, 60], median: t(2.5, 5), slowest: phases(1.8), gatherSeconds: 0.01, speedup: 1.6 / 2.5 });
    expect(f.loadAverage).toEqual({ start: 4, end: 4.6 });
    expect(f.rounds).toBe(3);
  });

  it('estimates the whole render by swapping the cold main thread’s job stage for the worker threads’', () => {
    const [estimate] = wholeRenderEstimates(summarizeRounds(rounds), 5);
    expect(estimate!.threadedSeconds).toBeCloseTo(5.9);
    expect(estimate!.speedup).toBeCloseTo(5 / 5.9);
  });

  it('prints both figures, the speed-ups and the load average', () => {
    const lines = formatWorkers(summarizeRounds(rounds), 5).join('\n');
    expect(lines).toContain('load average 4.0 at the start, 4.6 at the end; medians of 3 rounds');
    expect(lines).toContain('job stage, main thread: 1.600 s wall / 1.60 s CPU cold');
    expect(lines).toContain('job stage, 2 worker threads (jobs 40 + 60): 2.500 s wall / 5.00 s CPU; 0.64× the cold main thread by wall time');
    expect(lines).toContain('whole render 5.00 s → 5.90 s estimated (0.85×)');
  });

  it('refuses to summarise no round', () => {
    expect(() => summarizeRounds([])).toThrow('no worker-thread round to summarise');
  });
});
