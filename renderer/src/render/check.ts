/**
 * Stage 5, check: the policy rules marked `atRender` (policy/rules.ts) over the rendered objects of each cluster, all
 * reported at once, before anything is written. A finding points at the input the object comes from (the job's
 * origin, else its app file or overlay; an image at its line of versions.yaml), since the output is not edited by
 * hand.
 */
import type { Problem, SourceLocation } from '../errors.js';
import type { DataPath } from '../source.js';
import { runPolicies, type Blame, type PolicyCluster, type PolicyObject } from '../policy/rule.js';
import { renderRules } from '../policy/rules.js';
import type { RenderedObject } from './parse.js';

/** The input a finding about `path` of a rendered object blames (see Blame). */
function inputOf(r: RenderedObject, path: DataPath, blame: Blame = 'field'): SourceLocation {
  const { job } = r;
  const source = (prefixes: string[]) => job.sources.find((s) => prefixes.some((p) => s.startsWith(p)));
  switch (blame) {
    case 'field':
      if (job.imageOrigin && path[path.length - 1] === 'image') return job.imageOrigin;
      return job.origin ?? { file: source(['apps/']) ?? job.sources[0] ?? r.templateFile };
    case 'application':
      return job.origin ?? { file: source(['overlays/']) ?? r.templateFile };
    case 'input':
      return { file: source(['apps/', 'overlays/']) ?? r.templateFile };
    case 'overlay':
      return { file: source(['overlays/']) ?? r.templateFile };
  }
}

function asPolicyObject(r: RenderedObject): PolicyObject {
  return { object: r.object, folder: r.job.folder, madeBy: r.templateFile, locate: (path, blame) => inputOf(r, path, blame) };
}

/**
 * Every problem the render's rules find in `clusters`' objects; one problem once, however many clusters share its
 * input. `changed`, when given, says which objects the per-object rules must see (the others passed them before).
 */
export function checkObjects(objects: readonly RenderedObject[], clusters: readonly PolicyCluster[], changed?: (r: RenderedObject) => boolean): Problem[] {
  const byCluster = new Map<string, PolicyObject[]>(clusters.map((c) => [c.name, []]));
  const unchanged = new Set<PolicyObject>();
  for (const r of objects) {
    const list = byCluster.get(r.job.cluster);
    if (!list) continue;
    const o = asPolicyObject(r);
    list.push(o);
    if (changed && !changed(r)) unchanged.add(o);
  }
  const problems = new Map<string, Problem>();
  for (const cluster of clusters) {
    for (const f of runPolicies(renderRules, { cluster, objects: byCluster.get(cluster.name)! }, (o) => !unchanged.has(o))) {
      const { rule: _rule, ...problem } = f;
      const key = JSON.stringify([problem.file, problem.line, problem.col, problem.message]);
      if (!problems.has(key)) problems.set(key, problem);
    }
  }
  return [...problems.values()];
}
