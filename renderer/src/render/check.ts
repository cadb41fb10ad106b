/**
 * Stage 5, check: rules over the rendered objects of each cluster, all reported at once.
 * Duplicates; every rendered folder synced by exactly one Application and every Application pointing at a
 * non-empty folder; every Application inside what its AppProject allows.
 */
import type { Problem } from '../errors.js';
import type { RenderedObject } from './parse.js';
import { projectPermits, type AppProjectSpec, type ApplicationSpec } from './argocd-rules.js';
import { checkKubernetesRules } from './kube-rules.js';

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
}

function resourceKey(o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): string {
  return `${groupOf(o.apiVersion)}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export function checkObjects(objects: RenderedObject[], clusters: string[]): Problem[] {
  const problems: Problem[] = checkKubernetesRules(objects);
  for (const cluster of clusters) {
    const mine = objects.filter((o) => o.job.cluster === cluster);
    const seen = new Map<string, RenderedObject>();
    for (const r of mine) {
      const key = resourceKey(r.object);
      const first = seen.get(key);
      if (first) {
        const o = r.object;
        problems.push({
          file: r.job.sources.find((s) => s.startsWith('apps/') || s.startsWith('overlays/')) ?? r.templateFile,
          message: `duplicate resource ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name} in cluster '${cluster}' (from ${first.templateFile} and ${r.templateFile})`,
          hint: 'two inputs produce the same kind, namespace and name; rename one of them',
        });
      } else seen.set(key, r);
    }

    const folders = new Set(mine.map((r) => r.job.folder));
    const applications = mine.filter((r) => r.object.kind === 'Application');
    const projects = new Map(mine.filter((r) => r.object.kind === 'AppProject').map((r) => [r.object.metadata.name, r.object.spec as AppProjectSpec]));
    const byPath = new Map<string, RenderedObject[]>();
    for (const a of applications) {
      const spec = a.object.spec as ApplicationSpec;
      const where = a.job.origin ?? { file: a.job.sources.find((s) => s.startsWith('overlays/')) ?? a.templateFile };
      if (spec.source.path !== undefined) {
        byPath.set(spec.source.path, [...(byPath.get(spec.source.path) ?? []), a]);
        if (!folders.has(spec.source.path)) {
          problems.push({
            ...where,
            message: `Application '${a.object.metadata.name}' syncs '${spec.source.path}', which the render leaves empty`,
            hint: 'every Application must point at a rendered, non-empty folder',
          });
        }
      }
      const project = projects.get(spec.project);
      const verdict = project ? projectPermits(project, spec) : `project '${spec.project}' is not rendered for cluster '${cluster}'`;
      if (verdict !== true) {
        problems.push({
          ...where,
          message: `Application '${a.object.metadata.name}' is outside its project: ${verdict}`,
          hint: `an app may only deploy to the namespaces of its environment's project '${spec.project}'; remove the namespace override or change the project`,
        });
      }
    }
    for (const [path, apps] of byPath) {
      if (apps.length > 1) {
        problems.push({
          file: apps[1]!.job.sources.find((s) => s.startsWith('overlays/')) ?? apps[1]!.templateFile,
          message: `two Applications sync the same folder '${path}': ${apps.map((a) => a.object.metadata.name).join(', ')}`,
          hint: 'each rendered folder is synced by exactly one Application',
        });
      }
    }
    for (const folder of [...folders].sort()) {
      if (!byPath.has(folder))
        problems.push({ file: folder, message: `folder '${folder}' is rendered but no Application syncs it`, hint: 'add the folder to the plan stage so an Application syncs it' });
    }
  }
  return problems;
}
