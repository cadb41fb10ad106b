// Argo CD as an add-on (base/addons.yaml, provides: gitops): what the render makes of it, held against the pins, and
// what the real helm makes of the pinned chart with production's rendered values.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { defaultRepoRoot } from '../../src/paths.js';
import { cachePaths } from '../../src/tools/layout.js';
import { localChartArchive } from '../helm-repo.js';
import { committedOutput, documentsOf } from './fixture.js';

interface Obj {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; finalizers?: string[] };
  spec: Record<string, unknown> & { source?: { chart?: string; repoURL?: string; targetRevision?: string; helm?: { valuesObject?: Record<string, unknown> } } };
}

const output = committedOutput();
const objects = (cluster: string) => documentsOf(output[`clusters/${cluster}/argocd/manifest.yaml`]!) as Obj[];
const argocdOf = (cluster: string) => objects(cluster).find((o) => o.kind === 'Application' && o.metadata.labels?.['provides.berrys.io/gitops'] === 'true');
const pins = JSON.parse(readFileSync(path.join(defaultRepoRoot, 'renderer/pins.json'), 'utf8')) as { kubernetes: string; sources: { argocd: { version: string } } };
const cloud = ['development', 'staging', 'production', 'production-dr'];

describe('Argo CD as an add-on', () => {
  it('runs the Argo CD release renderer/pins.json pins, in every cloud cluster, and not on the laptop', () => {
    for (const cluster of cloud) {
      const values = argocdOf(cluster)!.spec.source!.helm!.valuesObject!;
      expect((values.global as { image: { tag: string } }).image.tag).toBe(pins.sources.argocd.version);
    }
    expect(argocdOf('local')).toBeUndefined();
  });

  it('is HA where the environment is: two API and repo servers with budgets, Redis with Sentinel; one replica elsewhere', () => {
    const values = (cluster: string) => argocdOf(cluster)!.spec.source!.helm!.valuesObject! as Record<string, Record<string, unknown>>;
    for (const cluster of ['staging', 'production', 'production-dr']) {
      expect(values(cluster).server).toMatchObject({ replicas: 2, pdb: { enabled: true, minAvailable: 1 } });
      expect(values(cluster).repoServer).toMatchObject({ replicas: 2, pdb: { enabled: true, minAvailable: 1 } });
      expect(values(cluster)['redis-ha']).toMatchObject({ enabled: true });
    }
    expect(values('development').server).not.toHaveProperty('replicas');
    expect(values('development')).not.toHaveProperty('redis-ha');
  });

  it('leaves the notifications ConfigMap and Secret to the argocd folder, and Argo CD running when its Application is deleted', () => {
    const app = argocdOf('production')!;
    expect(app.spec.source!.helm!.valuesObject!.notifications).toMatchObject({ cm: { create: false }, secret: { create: false } });
    expect(app.metadata.finalizers).toBeUndefined();
    // Every other Application still deletes what it deployed.
    expect(objects('production').filter((o) => o.kind === 'Application' && o.metadata.name !== app.metadata.name && !o.metadata.finalizers)).toEqual([]);
    // Argo CD's namespace is not an object of the root: deleting the root cannot take it.
    expect(objects('production').filter((o) => o.kind === 'Namespace' && o.metadata.name === 'argocd')).toEqual([]);
  });

  it("lets the root's project ignore what Argo CD makes at run time, and on the laptop its hand-installed configuration too", () => {
    const ignored = (cluster: string) =>
      (
        objects(cluster).find((o) => o.kind === 'AppProject' && o.metadata.name.endsWith('-platform'))!.spec.orphanedResources as { ignore: { kind: string; name: string }[] }
      ).ignore.map((i) => `${i.kind}/${i.name}`);
    expect(ignored('production')).toEqual(expect.arrayContaining(['Secret/argocd-initial-admin-secret', 'Secret/argocd-redis', 'Secret/repo-*']));
    expect(ignored('production')).not.toContain('ConfigMap/argocd-cm');
    expect(ignored('local')).toEqual(expect.arrayContaining(['ConfigMap/argocd-cm', 'ConfigMap/argocd-rbac-cm', 'Secret/argocd-secret']));
  });

  // The pinned chart's archive: pulled by npm run validate into .cache/charts, or the offline copy of the machine's
  // shared chart folder. Without either there is nothing to render here, and the test says so by being skipped.
  const app = argocdOf('production')!;
  const chart = { repoURL: app.spec.source!.repoURL!, name: app.spec.source!.chart!, version: app.spec.source!.targetRevision! };
  const archive = localChartArchive(chart);
  const helm = path.join(defaultRepoRoot, cachePaths.tool('helm'));
  it.runIf(archive !== undefined && existsSync(helm))(
    "renders, with the real helm and production's values, HA workloads with budgets, requests on every container and the pinned image",
    () => {
      const values = JSON.stringify(app.spec.source!.helm!.valuesObject);
      const text = execFileSync(helm, ['template', 'argo-cd', archive!, '--namespace', 'argocd', '--values', '-', '--kube-version', `v${pins.kubernetes}`, '--include-crds'], {
        input: values,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      const docs = parseAllDocuments(text)
        .map((d) => d.toJS() as (Obj & { spec: { replicas?: number; template?: { spec: { containers: Container[]; initContainers?: Container[] } } } }) | null)
        .filter((d) => d !== null);
      const workloads = docs.filter((d) => d.kind === 'Deployment' || d.kind === 'StatefulSet');
      const replicas = Object.fromEntries(workloads.map((w) => [w.metadata.name, w.spec.replicas]));
      expect(replicas).toMatchObject({
        'argo-cd-argocd-server': 2,
        'argo-cd-argocd-repo-server': 2,
        'argo-cd-argocd-applicationset-controller': 2,
        'argo-cd-redis-ha-server': 3,
        'argo-cd-redis-ha-haproxy': 3,
      });
      expect(docs.filter((d) => d.kind === 'PodDisruptionBudget').map((d) => d.metadata.name)).toHaveLength(5);
      const containers = workloads.flatMap((w) => [...w.spec.template!.spec.containers, ...(w.spec.template!.spec.initContainers ?? [])]);
      expect(containers.filter((c) => !c.resources?.requests?.cpu || !c.resources?.limits?.memory).map((c) => c.name)).toEqual([]);
      const argocdImages = new Set(containers.map((c) => c.image).filter((i) => i.includes('/argoproj/argocd')));
      expect([...argocdImages]).toEqual([`quay.io/argoproj/argocd:${pins.sources.argocd.version}`]);
      // The chart makes neither of the objects the argocd folder renders.
      expect(docs.filter((d) => ['argocd-notifications-cm', 'argocd-notifications-secret'].includes(d.metadata.name))).toEqual([]);
    },
    120_000,
  );
});

interface Container {
  name: string;
  image: string;
  resources?: { requests?: { cpu?: string }; limits?: { memory?: string } };
}
