import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { synthesize } from '../../src/bench/cdk8s.js';
import { anchorModel, compareModels, kustomizeObjects, kustomizeTree, objectModel, renderedAppObjects, renderedClusterObjects, syntheticInputs } from '../../src/bench/generate.js';
import { renderToDisk } from '../../src/render/render.js';
import { readRenderedTree } from '../../src/render/write.js';
import { defaultRepoRoot } from '../../src/paths.js';

function kubectlPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'kubectl');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
const kubectl = kubectlPath();
if (!kubectl) console.warn('kubectl is not installed: skipping the kustomize half of the benchmark equality test');

function realInputFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(defaultRepoRoot, rel))) {
      const child = `${rel}/${name}`;
      if (statSync(path.join(defaultRepoRoot, child)).isDirectory()) walk(child);
      else files[child] = readFileSync(path.join(defaultRepoRoot, child), 'utf8');
    }
  };
  walk('base');
  walk('overlays');
  return files;
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
}

describe('benchmark repositories', () => {
  it('generates a synthetic repository that renders cleanly, with every app in every cluster', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'bench-gen-'));
    try {
      writeTree(root, syntheticInputs({ apps: 5 }, realInputFiles()));
      const result = await renderToDisk(root);
      expect(result.removed).toEqual([]);
      const index = JSON.parse(readFileSync(path.join(root, 'clusters/index.json'), 'utf8')) as { clusters: { folders: { kind: string }[] }[] };
      for (const cluster of index.clusters) expect(cluster.folders.filter((f) => f.kind === 'app')).toHaveLength(5);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.skipIf(!kubectl)('renders the same objects as kubectl kustomize on the equivalent kustomize tree', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'bench-kustomize-'));
    try {
      writeTree(root, syntheticInputs({ apps: 5 }, realInputFiles()));
      await renderToDisk(root);
      const rendered = await readRenderedTree(root);
      writeTree(root, kustomizeTree(rendered));
      const clusters = readdirSync(path.join(root, 'kustomize/overlays')).sort();
      expect(clusters).toEqual(['development', 'local', 'production', 'production-dr', 'staging']);
      for (const cluster of clusters) {
        const output = execFileSync(kubectl!, ['kustomize', path.join(root, 'kustomize/overlays', cluster)], { encoding: 'utf8' });
        const ours = objectModel(renderedAppObjects(rendered, cluster));
        const theirs = objectModel(kustomizeObjects(output));
        expect(ours.size).toBeGreaterThan(5 * 4 - 1);
        expect(compareModels(ours, theirs), cluster).toEqual([]);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('synthesises the same objects with cdk8s from the anchor model, and the comparison sees a changed replica count', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'bench-cdk8s-'));
    try {
      writeTree(root, syntheticInputs({ apps: 5 }, realInputFiles()));
      await renderToDisk(root);
      const rendered = await readRenderedTree(root);
      const model = anchorModel(rendered);
      const synthesized = (outdir: string, cluster: string) =>
        readdirSync(path.join(outdir, cluster)).flatMap((f) => kustomizeObjects(readFileSync(path.join(outdir, cluster, f), 'utf8')));
      synthesize(model, path.join(root, 'cdk8s'));
      expect(readdirSync(path.join(root, 'cdk8s')).sort()).toEqual(['development', 'local', 'production', 'production-dr', 'staging']);
      // One file per folder and cluster, as the render writes one manifest per folder: apps, platform and Argo CD.
      for (const cluster of model.clusters) expect(readdirSync(path.join(root, 'cdk8s', cluster.name)).length, cluster.name).toBe(cluster.apps.length + 2);
      for (const cluster of model.clusters.map((c) => c.name)) {
        const ours = objectModel(renderedClusterObjects(rendered, cluster));
        expect([...ours.keys()].filter((k) => k.startsWith('Application/')).length, cluster).toBeGreaterThan(5);
        expect(ours.size).toBeGreaterThan(5 * 4 - 1);
        expect(compareModels(ours, objectModel(synthesized(path.join(root, 'cdk8s'), cluster))), cluster).toEqual([]);
      }
      const staging = model.clusters.find((c) => c.name === 'staging')!;
      staging.apps[0]!.deployment!.replicas = 42;
      synthesize(model, path.join(root, 'cdk8s-changed'));
      const differences = compareModels(objectModel(renderedClusterObjects(rendered, 'staging')), objectModel(synthesized(path.join(root, 'cdk8s-changed'), 'staging')));
      expect(differences).toHaveLength(1);
      expect(differences[0]).toMatch(/^differs: Deployment\/[^/]+\/app-0001: .*"replicas":(null|\d+),.* ≠ .*"replicas":42/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
