/**
 * The worker-thread measurement ("render clusters in worker threads when the machine has cores to spare, and
 * measure whether it pays on 2 cores"). A measurement, not a production path: on a repository on disk it loads,
 * merges and plans once, then times the job stage (template → parse → normalize → emit, job.ts) (a) on the main
 * thread and (b) split by cluster over N `node:worker_threads` workers, counting everything (b) costs: starting the
 * workers, importing and compiling in each, handing the jobs in and the results out by structured clone. Both
 * results must give the same files, byte for byte, or it throws. The benchmark (cli.ts) runs it in a child process
 * of its own, so its figures are its own.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Problem } from '../errors.js';
import { formatProblem } from '../errors.js';
import { diskReader } from '../fs.js';
import { checkObjects } from '../render/check.js';
import { clusterPolicyOf } from '../cluster-index.js';
import type { PolicyCluster } from '../policy/rule.js';
import { emitObjects, type EmittedFile } from '../render/emit.js';
import { gatherJobResults, renderJob, renderJobs, type EmittedObject, type JobResult } from '../render/job.js';
import { loadRepo, type Template } from '../render/load.js';
import { resolveRepo } from '../render/resolve.js';
import { sortObjects } from '../render/normalize.js';
import { planRepo } from '../render/plan.js';
import { compileTemplates, type TemplateJob } from '../render/template.js';
import { timer, type Times } from './floors.js';
import { median } from './measure.js';

/** One worker's share of the plan: whole clusters, and the plan index of each of their jobs, in plan order. */
export interface WorkerShare {
  clusters: string[];
  jobs: number[];
}

/**
 * Splits the plan's jobs by cluster into at most `workers` shares of whole clusters, balanced by job count: the
 * largest cluster first, each onto the share with the fewest jobs so far (ties: the earlier share; clusters of equal
 * size in name order, so the split is the same every run).
 */
export function splitByCluster(jobs: Pick<TemplateJob, 'cluster'>[], workers: number): WorkerShare[] {
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`workers must be a whole number ≥ 1 (got ${workers})`);
  const byCluster = new Map<string, number[]>();
  jobs.forEach((job, index) => {
    const indexes = byCluster.get(job.cluster) ?? [];
    indexes.push(index);
    byCluster.set(job.cluster, indexes);
  });
  const shares: WorkerShare[] = Array.from({ length: Math.min(workers, byCluster.size) }, () => ({ clusters: [], jobs: [] }));
  const largestFirst = [...byCluster].sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : a > b ? 1 : 0));
  for (const [cluster, indexes] of largestFirst) {
    const lightest = shares.reduce((min, share) => (share.jobs.length < min.jobs.length ? share : min));
    lightest.clusters.push(cluster);
    lightest.jobs.push(...indexes);
  }
  for (const share of shares) share.jobs.sort((a, b) => a - b);
  return shares;
}

/**
 * Puts each share's results (one per job, in the share's order) back in plan order, so that gathering them gives
 * what the main thread's loop gives. Throws when a job has no result or two: a lost job must not pass as a smaller
 * render.
 */
export function inPlanOrder<T>(count: number, shares: { jobs: number[]; results: T[] }[]): T[] {
  const ordered: T[] = new Array<T>(count);
  const seen = new Array<boolean>(count).fill(false);
  for (const share of shares) {
    if (share.results.length !== share.jobs.length) throw new Error(`a worker sent ${share.results.length} results for its ${share.jobs.length} jobs`);
    share.jobs.forEach((index, i) => {
      if (index < 0 || index >= count || seen[index]) throw new Error(`job ${index} has ${seen[index] ? 'two results' : 'no place in the plan'}`);
      seen[index] = true;
      ordered[index] = share.results[i]!;
    });
  }
  const missing = seen.indexOf(false);
  if (missing >= 0) throw new Error(`job ${missing} has no result`);
  return ordered;
}

/** What a worker is handed: the template sources (a compiled template is a function, which cannot be cloned) and its jobs. */
export interface WorkerInput {
  templates: Map<string, Template>;
  jobs: TemplateJob[];
}

/**
 * A job's result as a worker sends it back: the objects without their job. The main thread holds the jobs already;
 * sending each one back would clone every context again, and reattaching keeps objects pointing at the plan's own jobs.
 */
export interface DetachedResult {
  objects: Omit<EmittedObject, 'job'>[];
  problems: Problem[];
}

/** A job's result without the job in its objects (what a worker sends). */
export function detach(result: JobResult): DetachedResult {
  return { objects: result.objects.map(({ object, templateFile, content }) => ({ object, templateFile, content })), problems: result.problems };
}

/** A worker's result joined again with the job it came from. */
export function attach(result: DetachedResult, job: TemplateJob): JobResult {
  return { objects: result.objects.map((o) => ({ ...o, job })), problems: result.problems };
}

/** A worker's answer: each job's result, and when it was ready (modules imported, jobs received), compiled and done. */
export interface WorkerReply {
  results: DetachedResult[];
  /** Epoch milliseconds (`performance.timeOrigin + performance.now()`, comparable across threads). */
  readyAt: number;
  compiledAt: number;
  renderedAt: number;
}

/** Where one worker's wall time went, in seconds. */
interface WorkerPhases {
  /** From `new Worker` until its module runs: the thread and its isolate start, the jobs are cloned in, the modules imported. */
  start: number;
  /** Compiling the templates in the worker. */
  compile: number;
  /** Its jobs through renderJob. */
  render: number;
  /** From its postMessage until the main thread has the results: cloning them out, and waiting for the main thread. */
  back: number;
}

/** Epoch milliseconds, comparable across threads (each has its own performance.timeOrigin). */
export const epochMs = (): number => performance.timeOrigin + performance.now();

/** Runs one share in a new worker thread (workers-thread.ts); resolves with its results and phases once it sends them. */
function runWorker(input: WorkerInput): Promise<{ results: DetachedResult[]; phases: WorkerPhases; receivedAt: number }> {
  return new Promise((resolve, reject) => {
    const spawnedAt = epochMs();
    // No execArgv from this process: the benchmark starts it with `--input-type=module -e`, which a worker refuses.
    const worker = new Worker(new URL('./workers-thread.js', import.meta.url), { workerData: input, execArgv: [] });
    worker.once('message', (reply: WorkerReply) => {
      const receivedAt = epochMs();
      const seconds = (from: number, to: number) => (to - from) / 1000;
      resolve({
        results: reply.results,
        receivedAt,
        phases: {
          start: seconds(spawnedAt, reply.readyAt),
          compile: seconds(reply.readyAt, reply.compiledAt),
          render: seconds(reply.compiledAt, reply.renderedAt),
          back: seconds(reply.renderedAt, receivedAt),
        },
      });
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`a render worker exited with ${code} before sending its results`));
    });
  });
}

/**
 * The job stage split by cluster over `workers` worker threads, gathered as renderJobs gathers it; with the phases
 * of the worker that answered last (the one the stage waited for) and the seconds spent gathering after it.
 */
async function renderJobsInWorkers(
  templates: Map<string, Template>,
  jobs: TemplateJob[],
  workers: number,
): Promise<{ result: JobResult; slowest: WorkerPhases; gatherSeconds: number }> {
  const shares = splitByCluster(jobs, workers);
  const answers = await Promise.all(shares.map((share) => runWorker({ templates, jobs: share.jobs.map((i) => jobs[i]!) })));
  const last = answers.reduce((a, b) => (b.receivedAt > a.receivedAt ? b : a));
  const ordered = inPlanOrder(
    jobs.length,
    shares.map((share, i) => ({ jobs: share.jobs, results: answers[i]!.results })),
  );
  const result = gatherJobResults(ordered.map((r, i) => attach(r, jobs[i]!)));
  return { result, slowest: last.phases, gatherSeconds: (epochMs() - last.receivedAt) / 1000 };
}

/** The figures a round measures and a summary of rounds gives alike (a summary: the medians). */
interface StageFigures {
  cpus: number;
  /** A round's at its start and end; a summary's at the first round's start and the last round's end. */
  loadAverage: { start: number; end: number };
  jobs: number;
  clusters: number;
  /** Load, merge, compile the templates, plan. */
  prepare: Times;
  /** Check, sort and emit the main thread's objects: the rest of the in-memory render. */
  finish: Times;
  /** The main thread's first run, as a render runs its jobs: once, in a process that has not run a template yet. */
  cold: Times;
  /** The main thread's second run in the same process (handlebars compiled, code optimised). */
  warm: Times;
}

/** One round, in one fresh process: the job stage cold on the main thread, then in worker threads, then warm. */
export interface WorkersRound extends StageFigures {
  threaded: { workers: number; shares: number[]; times: Times; slowest: WorkerPhases; gatherSeconds: number }[];
}

/** The files and problems a job stage's result gives, as text to compare byte for byte. */
function outputOf(result: JobResult, clusters: readonly PolicyCluster[]): { files: EmittedFile[]; problems: string[] } {
  const problems = [...result.problems, ...checkObjects(result.objects, clusters)].map(formatProblem);
  const emitted = emitObjects(sortObjects(result.objects));
  return { files: emitted.files, problems: [...problems, ...emitted.problems.map(formatProblem)] };
}

/** Throws naming the first difference when the worker threads' output is not the main thread's, file for file. */
function assertSameOutput(single: ReturnType<typeof outputOf>, threaded: ReturnType<typeof outputOf>, workers: number): void {
  const where = `${workers} worker threads and the main thread`;
  if (single.problems.join('\n') !== threaded.problems.join('\n')) throw new Error(`${where} report different problems`);
  if (single.files.length !== threaded.files.length) throw new Error(`${where} make ${threaded.files.length} and ${single.files.length} files`);
  single.files.forEach((file, i) => {
    const other = threaded.files[i]!;
    if (file.path !== other.path || file.content !== other.content) throw new Error(`${where} differ at ${file.path} (worker output: ${other.path})`);
  });
}

/**
 * One round on the repository at `root`: the job stage on the main thread (cold), in 2 and
 * os.availableParallelism() worker threads, and on the main thread again (warm); throws unless every variant makes
 * the same files. The benchmark runs a round per process, so that every round has a cold main thread, as a render
 * has. @public called by name from a child process (bench/cli.ts callArgs), which knip cannot follow
 */
export async function workersRound(root: string): Promise<WorkersRound> {
  const loadStart = os.loadavg()[0]!;
  const prepareClock = timer();
  const load = await loadRepo(diskReader(root));
  const resolved = load.repo ? resolveRepo(load.repo).resolved : undefined;
  if (!load.repo || !resolved) throw new Error(`${root}: the repository does not load and merge without problems`);
  const { compiled } = compileTemplates(load.repo.templates);
  const jobs = planRepo(resolved);
  const prepare = prepareClock();
  const clusters = resolved.clusters.map(clusterPolicyOf);

  const coldClock = timer();
  const single = renderJobs(compiled, jobs, renderJob);
  const cold = coldClock();
  const finishClock = timer();
  const reference = outputOf(single, clusters);
  const finish = finishClock();
  const threaded: WorkersRound['threaded'] = [];
  for (const workers of [...new Set([2, os.availableParallelism()])]) {
    const clock = timer();
    const { result, slowest, gatherSeconds } = await renderJobsInWorkers(load.repo.templates, jobs, workers);
    const times = clock();
    assertSameOutput(reference, outputOf(result, clusters), workers);
    threaded.push({ workers, shares: splitByCluster(jobs, workers).map((s) => s.jobs.length), times, slowest, gatherSeconds });
  }
  const warmClock = timer();
  renderJobs(compiled, jobs, renderJob);
  const warm = warmClock();
  return {
    cpus: os.availableParallelism(),
    loadAverage: { start: loadStart, end: os.loadavg()[0]! },
    jobs: jobs.length,
    clusters: clusters.length,
    prepare,
    finish,
    cold,
    warm,
    threaded,
  };
}

/** The rounds' medians (each figure the middle round by wall time) and the worker threads' speed-ups. */
export interface WorkersFigures extends StageFigures {
  rounds: number;
  threaded: {
    workers: number;
    shares: number[];
    median: Times;
    /** The phases of the worker the median round waited for, and the gathering after it. */
    slowest: WorkerPhases;
    gatherSeconds: number;
    /** The cold main thread's median wall time over this one's: what a render would gain in its job stage. */
    speedup: number;
  }[];
}

/** Medians of the rounds (the figures of one fresh process each). */
export function summarizeRounds(rounds: WorkersRound[]): WorkersFigures {
  const first = rounds[0];
  if (!first) throw new Error('no worker-thread round to summarise');
  const cold = median(rounds.map((r) => r.cold));
  return {
    rounds: rounds.length,
    cpus: first.cpus,
    loadAverage: { start: first.loadAverage.start, end: rounds.at(-1)!.loadAverage.end },
    jobs: first.jobs,
    clusters: first.clusters,
    prepare: median(rounds.map((r) => r.prepare)),
    finish: median(rounds.map((r) => r.finish)),
    cold,
    warm: median(rounds.map((r) => r.warm)),
    threaded: first.threaded.map(({ workers, shares }) => {
      const m = median(rounds.map((r) => r.threaded.find((t) => t.workers === workers)!).map((t) => ({ ...t, wallSeconds: t.times.wallSeconds })));
      return { workers, shares, median: m.times, slowest: m.slowest, gatherSeconds: m.gatherSeconds, speedup: cold.wallSeconds / m.times.wallSeconds };
    }),
  };
}

/** How much faster the whole render would be with the job stage in worker threads, from a whole render's wall time. */
export interface WholeRenderEstimate {
  workers: number;
  /** The whole render's wall time as measured (a process, single thread). */
  singleSeconds: number;
  /** The same with the job stage's cold main-thread time replaced by the worker threads' time. */
  threadedSeconds: number;
  speedup: number;
}

/**
 * The whole render with its job stage in worker threads, estimated from a measured whole render (`fullSeconds`,
 * its own process): the cold main thread's median swapped for the worker threads' median.
 */
export function wholeRenderEstimates(figures: WorkersFigures, fullSeconds: number): WholeRenderEstimate[] {
  return figures.threaded.map((t) => {
    const threadedSeconds = fullSeconds - figures.cold.wallSeconds + t.median.wallSeconds;
    return { workers: t.workers, singleSeconds: fullSeconds, threadedSeconds, speedup: fullSeconds / threadedSeconds };
  });
}

/** The measurement in lines for the benchmark's output: both figures, the speed-ups, the load. */
export function formatWorkers(f: WorkersFigures, fullSeconds: number | undefined): string[] {
  const t = (x: Times) => `${x.wallSeconds.toFixed(3)} s wall / ${x.cpuSeconds.toFixed(2)} s CPU`;
  const lines = [
    `workers: ${f.jobs} jobs in ${f.clusters} clusters, ${f.cpus} CPUs, load average ${f.loadAverage.start.toFixed(1)} at the start, ${f.loadAverage.end.toFixed(1)} at the end; medians of ${f.rounds} rounds, one process each`,
    `workers: load + merge + plan ${t(f.prepare)}; check + sort + emit ${t(f.finish)}`,
    `workers: job stage, main thread: ${t(f.cold)} cold (as a render runs it), ${t(f.warm)} warm (a second run)`,
  ];
  const estimates = fullSeconds === undefined ? [] : wholeRenderEstimates(f, fullSeconds);
  for (const threaded of f.threaded) {
    const whole = estimates.find((e) => e.workers === threaded.workers);
    lines.push(
      `workers: job stage, ${threaded.workers} worker threads (jobs ${threaded.shares.join(' + ')}): ${t(threaded.median)}; ${threaded.speedup.toFixed(2)}× the cold main thread by wall time, ${(threaded.median.cpuSeconds / f.cold.cpuSeconds).toFixed(2)}× its CPU` +
        (whole ? `; whole render ${whole.singleSeconds.toFixed(2)} s → ${whole.threadedSeconds.toFixed(2)} s estimated (${whole.speedup.toFixed(2)}×)` : ''),
      `workers:   the worker waited for: start (thread, jobs cloned in, imports) ${threaded.slowest.start.toFixed(3)} s, compile ${threaded.slowest.compile.toFixed(3)} s, jobs ${threaded.slowest.render.toFixed(3)} s, results back ${threaded.slowest.back.toFixed(3)} s; then gathering ${threaded.gatherSeconds.toFixed(3)} s`,
    );
  }
  return lines;
}
