/**
 * Stages 3 to 7 for one job: template → parse → normalize → emit, as one pure function. Everything a job's output
 * depends on is its arguments (the compiled template and the job with its context), which is what lets the render
 * cache (cache.ts) memoise it by wrapping it, without the pipeline knowing.
 */
import { formatProblem, type Problem } from '../errors.js';
import type { RenderedObject } from './parse.js';
import { parseText } from './parse.js';
import { normalizeObject } from './normalize.js';
import { emitContent } from './emit.js';
import { runTemplate, type CompiledTemplate, type TemplateJob } from './template.js';
import { repoPaths } from '../paths.js';

/** A normalized object with its document in its folder's manifest (a comment naming it, then its YAML; emit.ts). */
export interface EmittedObject extends RenderedObject {
  content: string;
}

export interface JobResult {
  objects: EmittedObject[];
  problems: Problem[];
}

/** The shape of renderJob, and of every wrapper around it. `template` is undefined when the job names none that exists. */
export type JobFunction = (template: CompiledTemplate | undefined, job: TemplateJob) => JobResult;

/** One job's objects, normalized and emitted; or the problems of the first stage that failed. @public (render.ts reaches it through `stages()`) */
export const renderJob: JobFunction = (template, job) => {
  if (!template) {
    return {
      objects: [],
      problems: [{ file: repoPaths.template(job.template), message: `template '${job.template}' does not exist`, hint: `add ${repoPaths.template(job.template)}` }],
    };
  }
  const ran = runTemplate(template, job);
  if ('problem' in ran) return { objects: [], problems: [ran.problem] };
  const { objects, problems } = parseText(ran.text, job, template.file);
  if (problems.length > 0) return { objects: [], problems };
  return {
    objects: objects.map((r) => {
      const n = normalizeObject(r);
      return { ...n, content: emitContent(n) };
    }),
    problems: [],
  };
};

/**
 * Runs every job through `run` (renderJob or a wrapper around it) and gathers the results in job order.
 * @public (render.ts reaches it through `stages()`)
 */
export function renderJobs(compiled: Map<string, CompiledTemplate>, jobs: TemplateJob[], run: JobFunction): JobResult {
  return gatherJobResults(jobs.map((job) => run(compiled.get(job.template), job)));
}

/**
 * The objects of every job's result in the order given (the plan's job order) and every problem once: jobs that
 * share a template report its faults identically. Shared by renderJobs and the worker-thread measurement
 * (bench/workers.ts), so both gather the same way.
 */
export function gatherJobResults(results: JobResult[]): JobResult {
  const objects: EmittedObject[] = [];
  const problems = new Map<string, Problem>();
  for (const result of results) {
    objects.push(...result.objects);
    for (const p of result.problems) problems.set(formatProblem(p), p);
  }
  return { objects, problems: [...problems.values()] };
}
