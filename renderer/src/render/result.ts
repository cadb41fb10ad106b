/**
 * What a render takes and gives back, in a module of its own: render.ts (the pipeline) and cache.ts (the wrapper
 * around it) both speak these types, and neither may import the other's module for them (no import cycle).
 */
import type { EmittedFile } from './emit.js';
import type { JobFunction } from './job.js';
import type { RenderedObject } from './parse.js';
import type { PolicyCluster } from '../policy/rule.js';

export interface RenderOptions {
  /** Limit the render (and pruning) to these environments. Every environment is still loaded and checked. */
  envs?: string[];
  /** Wraps the job function (the job cache, cache.ts); without it every job runs as is. */
  wrapJob?: (run: JobFunction) => JobFunction;
  /**
   * Asked once every job ran, for every cluster: whether each job of the cluster returned exactly the objects (and
   * folders) of an earlier render that passed every check under the same policy (`cluster`). The policy rules skip
   * such a cluster: they are a function of its objects and its policy alone. The job cache answers it; without it
   * every cluster is checked.
   */
  passedBefore?: (cluster: PolicyCluster) => boolean;
  /**
   * Asked after passedBefore, for the objects of a cluster that is checked: whether this object came from a job
   * result stored by an earlier render that passed every check under the cluster's present policy. The per-object
   * rules skip it (they read one object and the policy); the spanning rules still see it.
   */
  checkedBefore?: (object: RenderedObject) => boolean;
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
