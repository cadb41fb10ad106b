/**
 * The benchmark's second anchor: the TypeScript peer, cdk8s, given the same data as kustomize (generate.ts,
 * anchorModel) and synthesising plain `ApiObject`s, an App per cluster and a Chart per rendered folder, in one
 * process. For the apps this is what a cdk8s user writes for this catalogue without cdk8s-plus: a loop over the apps
 * that copies each base object and sets the cluster's image, replicas, environment and resources. The Argo CD and
 * platform folders' objects are handed over as rendered, one `ApiObject` each, so that cdk8s makes and writes every
 * object the render makes (its synthesis cost for them is counted; the logic that derives them is not). The
 * benchmark runs `synthesizeFile` as its own process (cdk8s's own start-up counted, as ours is) and compares every
 * object it writes with the render's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import type { AnchorModel } from './generate.js';

/**
 * Builds the cdk8s apps for the model and writes them to `outdir`: an App per cluster (`outdir/<cluster>/`) with a
 * Chart per app and per other folder, written as one file per chart, as the render writes one manifest per folder
 * (README, Performance: the layout study), so both pay for the same number of files.
 */
export function synthesize(model: AnchorModel, outdir: string): void {
  for (const cluster of model.clusters) {
    const app = new App({ outdir: path.join(outdir, cluster.name), yamlOutputType: YamlOutputType.FILE_PER_CHART });
    for (const { app: name, deployment, perCluster } of cluster.apps) {
      const chart = new Chart(app, name, { namespace: cluster.namespace, disableResourceNameHashes: true });
      for (const base of model.bases[name] ?? []) {
        const o = structuredClone(base) as Record<string, unknown> & { kind: string; apiVersion: string; metadata: Record<string, unknown> };
        if (o.kind === 'Deployment' && deployment) {
          const spec = o.spec as { replicas?: number; template: { spec: { containers: Record<string, unknown>[] } } };
          const container = spec.template.spec.containers.find((c) => c.name === deployment.container)!;
          Object.assign(container, { image: deployment.image, env: deployment.env, resources: deployment.resources });
          if (deployment.replicas !== undefined) spec.replicas = deployment.replicas;
          else delete spec.replicas;
        }
        const { apiVersion, kind, metadata, ...rest } = o;
        new ApiObject(chart, kind, { apiVersion, kind, metadata, ...rest });
      }
      for (const extra of perCluster) {
        const { apiVersion, kind, metadata, ...rest } = extra;
        new ApiObject(chart, kind, { apiVersion, kind, metadata: metadata as Record<string, unknown>, ...rest });
      }
    }
    for (const folder of cluster.folders) {
      // No chart namespace: these folders hold cluster-scoped objects (namespaces, projects' cluster kinds) too.
      const chart = new Chart(app, `folder-${folder.kind}`, { disableResourceNameHashes: true });
      folder.objects.forEach((o, i) => {
        const { apiVersion, kind, metadata, ...rest } = o;
        new ApiObject(chart, `${kind}-${i}`, { apiVersion, kind, metadata: metadata as Record<string, unknown>, ...rest });
      });
    }
    app.synth();
  }
}

/**
 * The process the benchmark measures: reading the model is part of the work, as reading inputs is for ours.
 * @public called by name from a child process (bench/cli.ts callArgs), which knip cannot follow
 */
export function synthesizeFile(modelFile: string, outdir: string): void {
  synthesize(JSON.parse(readFileSync(modelFile, 'utf8')) as AnchorModel, outdir);
}
