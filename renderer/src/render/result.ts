/**
 * What a render takes and gives back, in a module of its own: render.ts (the pipeline) and cache.ts (the wrapper
 * around it) both speak these types, and neither may import the other's module for them (no import cycle).
 */
import type { EmittedFile } from './emit.js';
import type { JobFunction } from './job.js';

export interface RenderOptions {
  /** Limit the render (and pruning) to these environments. Every environment is still loaded and checked. */
  envs?: string[];
  /** Wraps the job function (the job cache, cache.ts); without it every job runs as is. */
  wrapJob?: (run: JobFunction) => JobFunction;
}

export interface RenderResult {
  files: EmittedFile[];
  /** Clusters whose folders these files cover. */
  clusters: string[];
  /** Every cluster the inputs declare. */
  allClusters: string[];
  /** Files under clusters/ declared hand-written in base/exceptions.yaml. */
  handWritten: string[];
  /** What the render left out on purpose, one line per environment (calls waiting for their callee: call-graph.ts). */
  notes: string[];
}
