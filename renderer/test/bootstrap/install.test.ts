// bootstrap on a cluster without Argo CD: it installs Argo CD from staging's rendered add-on Application (the real
// chart archive, rendered by the real pinned helm) into a stand-in Kubernetes API on 127.0.0.1 that answers
// discovery and server-side apply, then applies the root. The archive is the pinned chart's offline copy; the test's
// repository locks exactly that archive, so the lock check is the real one.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { runBootstrap } from '../../src/bootstrap/bootstrap.js';
import { defaultRepoRoot } from '../../src/paths.js';
import { cachePaths } from '../../src/tools/layout.js';
import { cachedArchive } from '../../src/validate/charts-repo.js';
import { localChartArchive } from '../helm-repo.js';
import { fakeKube, status, type FakeKube, type SeenRequest } from './kube-server.js';

const staging = 'clusters/staging/argocd/manifest.yaml';
interface RenderedApplication {
  kind?: string;
  metadata: { labels?: Record<string, string> };
  spec: { source: { repoURL: string; chart: string; targetRevision: string } };
}
const argocdApp = (parseAllDocuments(readFileSync(path.join(defaultRepoRoot, staging), 'utf8')).map((d) => d.toJS()) as (RenderedApplication | null)[]).find(
  (o) => o?.kind === 'Application' && o.metadata.labels?.['provides.berrys.io/gitops'] === 'true',
)!;
const chart = { repoURL: argocdApp.spec.source.repoURL, name: argocdApp.spec.source.chart, version: argocdApp.spec.source.targetRevision };
const offline = localChartArchive(chart);
const helm = path.join(defaultRepoRoot, cachePaths.tool('helm'));

let root: string;
let kube: FakeKube | undefined;
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'bootstrap-install-'));
});
afterEach(async () => {
  await kube?.close();
  kube = undefined;
  rmSync(root, { recursive: true, force: true });
});

const plural = (kind: string) => (kind.endsWith('y') ? `${kind.slice(0, -1).toLowerCase()}ies` : `${kind.toLowerCase()}s`);
const clusterScoped = ['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'];
const kindsOf: Record<string, string[]> = {
  v1: ['Namespace', 'ServiceAccount', 'Secret', 'ConfigMap', 'Service', 'Pod'],
  'apps/v1': ['Deployment', 'StatefulSet'],
  'batch/v1': ['Job'],
  'policy/v1': ['PodDisruptionBudget'],
  'networking.k8s.io/v1': ['NetworkPolicy'],
  'rbac.authorization.k8s.io/v1': ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'],
  'apiextensions.k8s.io/v1': ['CustomResourceDefinition'],
};

/** CRDs the stand-in API server serves, by name. */
const crds = new Map<string, unknown>();

/** An API server that starts without Argo CD: it serves discovery, records applies and then has what was applied. */
function emptyCluster(applied: { kind: string; name: string }[]): (req: SeenRequest) => ReturnType<typeof status> {
  const has = new Set<string>();
  return (req) => {
    const p = req.url.split('?')[0]!;
    const discovery = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))$/.exec(p);
    if (req.method === 'GET' && discovery) {
      const gv = discovery[1] ?? discovery[2]!;
      const resources = (kindsOf[gv] ?? []).map((kind) => ({ name: plural(kind), kind, namespaced: !clusterScoped.includes(kind), verbs: ['get', 'patch'] }));
      return { status: 200, body: { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources } };
    }
    const ns = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(p);
    if (req.method === 'GET' && ns) return has.has(`Namespace/${ns[1]}`) ? { status: 200, body: { kind: 'Namespace', metadata: { name: ns[1] } } } : status(404, 'not found');
    const crd = /^\/apis\/apiextensions\.k8s\.io\/v1\/customresourcedefinitions\/([^/]+)$/.exec(p);
    if (req.method === 'GET' && crd) return crds.has(crd[1]!) ? { status: 200, body: crds.get(crd[1]!) } : status(404, 'not found');
    if (req.method === 'PATCH') {
      const object = JSON.parse(req.body) as { kind: string; metadata: { name: string }; spec?: unknown };
      applied.push({ kind: object.kind, name: object.metadata.name });
      has.add(`${object.kind}/${object.metadata.name}`);
      // A CRD is served once applied (the stand-in establishes it at once).
      if (object.kind === 'CustomResourceDefinition') crds.set(object.metadata.name, object);
      return { status: 201, body: object };
    }
    return status(404, `the fake has no ${req.method} ${p}`);
  };
}

/** The repository bootstrap reads: staging's rendered argocd folder and index entry (at the fake API), pins, lock, chart. */
function repository(apiServer: string, lockedDigest: string): string {
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  const index = JSON.parse(readFileSync(path.join(defaultRepoRoot, 'clusters/index.json'), 'utf8')) as { clusters: { name: string; apiServer: string }[] };
  // Without the declared preconditions: the fake is no EKS cluster, and the NetworkPolicy check has tests of its own.
  index.clusters = index.clusters.filter((c) => c.name === 'staging').map((c) => ({ ...c, apiServer, preconditions: undefined }));
  write('clusters/index.json', JSON.stringify(index));
  write(staging, readFileSync(path.join(defaultRepoRoot, staging), 'utf8'));
  write('renderer/pins.json', readFileSync(path.join(defaultRepoRoot, 'renderer/pins.json'), 'utf8'));
  write('base/charts.lock.json', JSON.stringify({ charts: [{ ...chart, digest: lockedDigest }] }));
  mkdirSync(path.dirname(path.join(root, cachedArchive(chart))), { recursive: true });
  copyFileSync(offline!, path.join(root, cachedArchive(chart)));
  mkdirSync(path.dirname(path.join(root, cachePaths.tool('helm'))), { recursive: true });
  symlinkSync(helm, path.join(root, cachePaths.tool('helm')));
  const kubeconfig = path.join(root, 'kubeconfig.yaml');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\ncurrent-context: staging-admin\ncontexts:\n  - name: staging-admin\n    context: { cluster: staging, user: admin }\n` +
      `clusters:\n  - name: staging\n    cluster: { server: "${apiServer}", insecure-skip-tls-verify: true }\nusers:\n  - name: admin\n    user: { token: t }\n`,
  );
  return kubeconfig;
}

const digestOf = (file: string) => `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;

describe.runIf(offline !== undefined && existsSync(helm))('bootstrap on a cluster without Argo CD', () => {
  it("installs Argo CD from its rendered Application (CRDs first, staging's HA workloads), then applies the project and the root", async () => {
    const applied: { kind: string; name: string }[] = [];
    crds.clear();
    kube = await fakeKube(emptyCluster(applied));
    const kubeconfig = repository(kube.url, digestOf(offline!));
    const lines: string[] = [];
    await runBootstrap({
      root,
      cluster: 'staging',
      kubeconfig,
      env: {},
      out: (l) => lines.push(l),
      sleep: () => Promise.resolve(),
      allowUnenforced: 'the stand-in API server has no VPC CNI',
    });
    expect(applied[0]).toEqual({ kind: 'Namespace', name: 'argocd' });
    const crdAt = applied.map((a, i) => (a.kind === 'CustomResourceDefinition' ? i : -1)).filter((i) => i >= 0);
    expect(crdAt).toEqual([1, 2, 3]);
    expect(applied).toContainEqual({ kind: 'Deployment', name: 'argo-cd-argocd-server' });
    expect(applied).toContainEqual({ kind: 'StatefulSet', name: 'argo-cd-redis-ha-server' });
    expect(applied.filter((a) => a.kind === 'PodDisruptionBudget')).toHaveLength(5);
    // Helm's test pods are not Argo CD's to run.
    expect(applied.filter((a) => a.kind === 'Pod')).toEqual([]);
    expect(applied.slice(-2)).toEqual([
      { kind: 'AppProject', name: 'staging-platform' },
      { kind: 'Application', name: 'staging-root' },
    ]);
    expect(lines.find((l) => l.startsWith('installed'))).toMatch(
      /^installed Argo CD in namespace argocd: \d+ objects of argo-cd 10\.1\.1 rendered with the values of staging-addon-argo-cd, which manages it from now on$/,
    );
  }, 180_000);

  it('refuses an archive that base/charts.lock.json does not name, and applies nothing', async () => {
    const applied: { kind: string; name: string }[] = [];
    crds.clear();
    kube = await fakeKube(emptyCluster(applied));
    const kubeconfig = repository(kube.url, `sha256:${'0'.repeat(64)}`);
    const error = await runBootstrap({
      root,
      cluster: 'staging',
      kubeconfig,
      env: {},
      out: () => undefined,
      sleep: () => Promise.resolve(),
      allowUnenforced: 'the stand-in API server has no VPC CNI',
    }).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(error).toContain(
      `will not install Argo CD from argo-cd 10.1.1 from https://argoproj.github.io/argo-helm: chart argo-cd 10.1.1 from https://argoproj.github.io/argo-helm does not match base/charts.lock.json`,
    );
    expect(applied).toEqual([]);
  }, 180_000);
});
