// The add-on chart check end to end: a small chart this test writes, packaged with the real helm, served as a real
// chart repository (index.yaml) by an HTTP server on 127.0.0.1, pulled, locked, rendered with helm template and
// checked with kubeconform and the AppProject, as npm run validate does for the real add-ons.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultRepoRoot } from '../../src/paths.js';
import { ensureTools } from '../../src/tools/ensure.js';
import { cachePaths } from '../../src/tools/layout.js';
import { apiVersionsOf, checkAddonCharts, clusterApiVersions, type ChartCheckOptions } from '../../src/validate/charts.js';
import { helmMessage } from '../../src/validate/charts-helm.js';
import { archiveUrl, cachedArchive } from '../../src/validate/charts-repo.js';
import { checkDigest, parseChartsLock, serializeChartsLock, updateLock, type ChartsLock } from '../../src/validate/charts-lock.js';
import type { IndexCluster } from '../../src/cluster-index.js';
import { parseManifestFile } from '../../src/manifests.js';
import { withRenderedCharts } from '../../src/diff/charts.js';
import { compareTrees } from '../../src/diff/compare.js';
import { cleanUp, tempDir } from '../git-repo.js';
import { thrown } from '../thrown.js';
import { refusedUrl, serveChartFolder, toolCheckout } from '../helm-repo.js';

const helm = path.join(defaultRepoRoot, cachePaths.tool('helm'));
let repoDir: string;
let closeServer: () => Promise<void>;
let repoURL: string;
let deadURL: string;
let root: string;

/** The test chart: a Deployment whose image tag is required (resources from its values), an optional ClusterRole, and in 0.2.0 a ConfigMap. */
function writeChart(dir: string, version: string): void {
  mkdirSync(path.join(dir, 'templates'), { recursive: true });
  writeFileSync(path.join(dir, 'Chart.yaml'), `apiVersion: v2\nname: demo\nversion: ${version}\nappVersion: "1.0.0"\n`);
  writeFileSync(
    path.join(dir, 'values.yaml'),
    'image:\n  repository: registry.example/demo\n  tag: ""\nclusterRole:\n  enabled: false\nresources:\n  requests: { cpu: 10m, memory: 16Mi }\n  limits: { memory: 32Mi }\n',
  );
  writeFileSync(
    path.join(dir, 'templates', 'deployment.yaml'),
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: {{ .Release.Name }}',
      'spec:',
      '  selector:',
      '    matchLabels: { app: {{ .Release.Name }} }',
      '  template:',
      '    metadata:',
      '      labels: { app: {{ .Release.Name }} }',
      '    spec:',
      '      containers:',
      '        - name: demo',
      '          image: "{{ .Values.image.repository }}:{{ required "demo needs image.tag: the release to run" .Values.image.tag }}"',
      '          resources: {{ toJson .Values.resources }}',
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'templates', 'clusterrole.yaml'),
    '{{- if .Values.clusterRole.enabled }}\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: {{ .Release.Name }}\nrules: []\n{{- end }}\n',
  );
  if (version !== '0.1.0') {
    writeFileSync(path.join(dir, 'templates', 'configmap.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  mode: fast\n');
  }
}

beforeAll(async () => {
  await ensureTools({ root: defaultRepoRoot, quiet: true });
  repoDir = tempDir('chart-repo');
  for (const version of ['0.1.0', '0.2.0']) {
    const src = tempDir('chart-src');
    writeChart(src, version);
    execFileSync(helm, ['package', src, '--destination', repoDir]);
  }
  // No --url: the index lists archives relative to the repository, which the client resolves like helm does.
  execFileSync(helm, ['repo', 'index', repoDir]);
  const served = await serveChartFolder(repoDir);
  repoURL = served.url;
  closeServer = served.close;
  deadURL = await refusedUrl();
});

afterAll(async () => {
  await closeServer();
  cleanUp();
});

beforeEach(() => {
  // A checkout of its own (its own chart cache), with the repository's built tools and schemas.
  root = toolCheckout('charts', { schemas: true });
  mkdirSync(path.join(root, 'base'));
});

const cluster: IndexCluster = {
  name: 'staging',
  environment: 'staging',
  role: 'primary',
  region: 'us-east-1',
  apiServer: 'https://127.0.0.1:6443',
  namespace: 'berrys-staging',
  highAvailability: true,
  pinnedVersions: true,
  folders: [],
};
/** The argocd folder's manifest: the add-on's Application first, then its AppProject. */
const appFile = 'clusters/staging/argocd/manifest.yaml';

function manifests(options: { url?: string; version?: string; values?: string; clusterKinds?: string } = {}) {
  const application = [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    '  name: staging-addon-demo',
    '  namespace: argocd',
    'spec:',
    '  project: staging-platform',
    '  source:',
    `    repoURL: ${options.url ?? repoURL}`,
    '    chart: demo',
    `    targetRevision: ${options.version ?? '0.1.0'}`,
    '    helm:',
    '      releaseName: demo',
    `      valuesObject: ${options.values ?? '{ image: { tag: "1.0.0" } }'}`,
    '  destination:',
    '    server: https://kubernetes.default.svc',
    '    namespace: tools',
    '',
  ].join('\n');
  const project = [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: AppProject',
    'metadata:',
    '  name: staging-platform',
    '  namespace: argocd',
    'spec:',
    '  destinations:',
    '    - { server: https://kubernetes.default.svc, namespace: tools }',
    `  clusterResourceWhitelist: ${options.clusterKinds ?? '[]'}`,
    "  namespaceResourceWhitelist: [{ group: '*', kind: '*' }]",
    '',
  ].join('\n');
  return parseManifestFile(appFile, `${application}---\n${project}`).manifests;
}

function digestOf(version: string): string {
  return `sha256:${execFileSync('sha256sum', [path.join(repoDir, `demo-${version}.tgz`)], { encoding: 'utf8' }).split(' ')[0]}`;
}

function lockFor(...versions: string[]): ChartsLock {
  return { entries: versions.map((version) => ({ repoURL, name: 'demo', version, digest: digestOf(version) })) };
}

function check(options: Partial<ChartCheckOptions> & { m?: ReturnType<typeof manifests> } = {}) {
  const m = options.m ?? manifests();
  return checkAddonCharts({ root, clusters: [cluster], manifestsOf: () => m, kubernetesVersion: '1.36.3', lock: lockFor('0.1.0', '0.2.0'), timeoutMs: 5000, ...options });
}

const summary = (r: Awaited<ReturnType<typeof check>>) => r.findings.map((f) => `${f.file}:${f.line} ${f.rule}: ${f.message}`);

describe('checkAddonCharts', () => {
  it('pulls the chart through index.yaml into .cache/charts, renders it and finds nothing when everything holds', async () => {
    const result = await check();
    expect(summary(result)).toEqual([]);
    expect(result).toMatchObject({ applications: 1, rendered: 1, unchecked: [] });
    const archive = cachedArchive({ repoURL, name: 'demo', version: '0.1.0' });
    expect(archive).toMatch(/^\.cache\/charts\/127\.0\.0\.1_\d+_charts\/demo-0\.1\.0\.tgz$/);
    expect(readFileSync(path.join(root, archive))).toEqual(readFileSync(path.join(repoDir, 'demo-0.1.0.tgz')));
    const rendered = readFileSync(path.join(root, '.cache/charts/rendered/staging/demo.yaml'), 'utf8');
    expect(rendered).toContain('image: "registry.example/demo:1.0.0"');
  });

  it('refuses a chart whose archive is not the one in the lock, naming the chart, and renders nothing of it', async () => {
    const tampered = { entries: [{ repoURL, name: 'demo', version: '0.1.0', digest: `sha256:${'0'.repeat(64)}` }] };
    const result = await check({ lock: tampered });
    expect(summary(result)).toEqual([
      `base/charts.lock.json:1 chart-digest: chart demo 0.1.0 from ${repoURL} does not match base/charts.lock.json: the archive is ${digestOf('0.1.0')}, the lock says sha256:${'0'.repeat(64)}`,
    ]);
    expect(result.rendered).toBe(0);
  });

  it('refuses a chart the lock does not know, and --update-lock records its digest', async () => {
    const result = await check({ lock: { entries: [] } });
    expect(summary(result)).toEqual([`base/charts.lock.json:1 chart-digest: chart demo 0.1.0 from ${repoURL} has no digest in base/charts.lock.json`]);
    const updating = await check({ lock: { entries: [] }, updateLock: true });
    expect(summary(updating)).toEqual([]);
    expect(updateLock({ entries: [] }, updating.digests)).toEqual(lockFor('0.1.0'));
  });

  it("reports a missing required value with the add-on, the cluster and the chart's own message", async () => {
    const result = await check({ m: manifests({ values: '{ image: { repository: registry.example/demo } }' }) });
    expect(summary(result)).toEqual([
      `${appFile}:14 chart-render: add-on demo in cluster staging (chart demo 0.1.0): helm template failed: execution error at (demo/templates/deployment.yaml:14:52): demo needs image.tag: the release to run`,
    ]);
  });

  it('reports a cluster-scoped kind the AppProject does not allow, and accepts it once the project allows it', async () => {
    const values = '{ image: { tag: "1.0.0" }, clusterRole: { enabled: true } }';
    const refused = await check({ m: manifests({ values }) });
    expect(summary(refused)).toEqual([
      `${appFile}:10 chart-project: add-on demo in cluster staging (chart demo 0.1.0): ClusterRole 'demo' is cluster-scoped kind rbac.authorization.k8s.io/ClusterRole, which AppProject 'staging-platform' does not allow (.cache/charts/rendered/staging/demo.yaml:3)`,
    ]);
    expect(refused.findings[0]!.hint).toBe(
      "add { group: 'rbac.authorization.k8s.io', kind: ClusterRole } to the add-on's clusterKinds in base/addons.yaml, or turn the object off in its values",
    );
    const allowed = await check({ m: manifests({ values, clusterKinds: '[{ group: rbac.authorization.k8s.io, kind: ClusterRole }]' }) });
    expect(summary(allowed)).toEqual([]);
  });

  it('reports a namespaced object that lands outside the project destinations', async () => {
    const m = manifests();
    m[1]!.object.spec = { ...(m[1]!.object.spec as object), destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'monitoring' }] };
    const result = await check({ m });
    expect(summary(result)).toEqual([
      `${appFile}:10 chart-project: add-on demo in cluster staging (chart demo 0.1.0): Deployment 'demo' goes to namespace tools, which is not a destination of AppProject 'staging-platform' (.cache/charts/rendered/staging/demo.yaml:3)`,
    ]);
  });

  it("flags a BestEffort pod in a highAvailability environment, naming the chart, the object and the add-on's values line to fix", async () => {
    writeFileSync(path.join(root, 'base', 'addons.yaml'), 'addons:\n  - name: demo\n    namespace: tools\n    values:\n      resources: {}\n');
    const result = await check({ m: manifests({ values: '{ image: { tag: "1.0.0" }, resources: null }' }) });
    expect(summary(result)).toEqual([
      `${appFile}:10 chart-pod-resources: add-on demo in cluster staging (chart demo 0.1.0): Deployment 'demo': container 'demo' has no requests.cpu, requests.memory, limits.memory (a BestEffort pod) (.cache/charts/rendered/staging/demo.yaml:14)`,
    ]);
    expect(result.findings[0]!.hint).toBe(
      "set the container's resources (requests.cpu, requests.memory, limits.memory) in the add-on's values at base/addons.yaml:4, or in addons.demo.values of the environment file of cluster 'staging'",
    );
    // The same chart outside a highAvailability environment is not held to it.
    const relaxed = await checkAddonCharts({
      root,
      clusters: [{ ...cluster, highAvailability: false }],
      manifestsOf: () => manifests({ values: '{ image: { tag: "1.0.0" }, resources: null }' }),
      kubernetesVersion: '1.36.3',
      lock: lockFor('0.1.0', '0.2.0'),
      timeoutMs: 5000,
    });
    expect(summary(relaxed)).toEqual([]);
  });

  it('says which charts went unchecked and why when the repository cannot be reached, and goes on', async () => {
    const result = await check({ m: manifests({ url: deadURL }) });
    expect(summary(result)).toEqual([]);
    expect(result.unchecked).toEqual([
      {
        chart: { repoURL: deadURL, name: 'demo', version: '0.1.0' },
        reason: expect.stringMatching(new RegExp(`^${deadURL.replace(/\./g, '\\.')} unreachable: ECONNREFUSED`)),
        applications: ['staging-addon-demo'],
      },
    ]);
    expect(result.rendered).toBe(0);
  });

  it('makes an unreachable repository a finding with requireCharts (the GitHub workflow)', async () => {
    const result = await check({ m: manifests({ url: deadURL }), requireCharts: true });
    expect(summary(result)).toEqual([
      expect.stringMatching(new RegExp(`^${appFile}:9 chart-unreachable: add-on demo in cluster staging \\(chart demo 0\\.1\\.0\\): not checked: .* unreachable: ECONNREFUSED`)),
    ]);
    expect(result.unchecked).toEqual([]);
  });

  it('reports a version the repository does not have', async () => {
    const result = await check({ m: manifests({ version: '9.9.9' }) });
    expect(summary(result)).toEqual([`${appFile}:11 chart-pull: add-on demo in cluster staging (chart demo 9.9.9): chart repository ${repoURL} has no version 9.9.9 of demo`]);
  });
});

describe('add-on charts in the diff', () => {
  const application = (version: string, values = '{ image: { tag: "1.0.0" } }') =>
    [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata: { name: staging-addon-demo, namespace: argocd }',
      'spec:',
      '  project: staging-platform',
      `  source: { repoURL: '${repoURL}', chart: demo, targetRevision: ${version}, helm: { releaseName: demo, valuesObject: ${values} } }`,
      '  destination: { server: https://kubernetes.default.svc, namespace: tools }',
      '',
    ].join('\n');
  const tree = (text: string) => ({ files: new Map([[appFile, text]]) });
  const lines = (r: ReturnType<typeof compareTrees>) => r.changes.map((c) => `${c.action} ${c.app} ${c.kind} ${c.name} [${c.categories.join(',')}]`);

  it('shows what a chart version bump adds to the rendered add-on, beside the Application it changes', async () => {
    const trees = await withRenderedCharts(root, { base: tree(application('0.1.0')), head: tree(application('0.2.0')) }, { lock: lockFor('0.1.0', '0.2.0') });
    expect(trees.notes).toEqual([]);
    expect(lines(compareTrees(trees.base, trees.head))).toEqual(['added addon-demo ConfigMap demo-settings [config]', 'changed argocd Application staging-addon-demo [config]']);
  });

  it("shows a values change as the chart's resources changing: a new image rolls the pods", async () => {
    const trees = await withRenderedCharts(root, { base: tree(application('0.1.0')), head: tree(application('0.1.0', '{ image: { tag: "1.1.0" } }')) }, { lock: lockFor('0.1.0') });
    const report = compareTrees(trees.base, trees.head);
    expect(lines(report)).toEqual(['changed addon-demo Deployment demo [rolls-pods,image]', 'changed argocd Application staging-addon-demo [config]']);
    expect(report.changes[0]!.images).toEqual([{ container: 'demo', from: 'registry.example/demo:1.0.0', to: 'registry.example/demo:1.1.0' }]);
  });

  it('notes a chart it could not render and still compares the Application', async () => {
    const trees = await withRenderedCharts(root, { base: tree(application('0.1.0')), head: tree(application('0.2.0')) }, { lock: lockFor('0.1.0') });
    expect(trees.notes).toEqual([`chart demo 0.2.0 from ${repoURL} not rendered: chart demo 0.2.0 from ${repoURL} has no digest in base/charts.lock.json`]);
    expect(lines(compareTrees(trees.base, trees.head))).toEqual(['removed addon-demo Deployment demo [rolls-pods]', 'changed argocd Application staging-addon-demo [config]']);
  });
});

describe('charts lock', () => {
  it('serializes sorted by name and version with a trailing newline, and reads back what it wrote', () => {
    const lock = {
      entries: [
        { repoURL: 'https://b', name: 'zeta', version: '1.0.0', digest: `sha256:${'a'.repeat(64)}` },
        { repoURL: 'https://a', name: 'alpha', version: '2.0.0', digest: `sha256:${'b'.repeat(64)}` },
      ],
    };
    const text = serializeChartsLock(lock);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseChartsLock(text).entries.map((e) => e.name)).toEqual(['alpha', 'zeta']);
  });

  it('names the file, the line and the field when an entry is malformed, and says what to do', () => {
    const entry = { name: 'x', version: '1', repoURL: 'https://x', digest: 'md5:1' };
    expect(thrown(() => parseChartsLock(JSON.stringify({ charts: [entry] }, null, 2)))).toBe(
      'base/charts.lock.json:7:17: error: \'charts.0.digest\' has an invalid value "md5:1"\n' +
        '  hint: a digest is "sha256:" and 64 lowercase hex digits; record it with npm run validate -- --update-lock',
    );
    const { repoURL: _, ...withoutRepo } = entry;
    expect(thrown(() => parseChartsLock(JSON.stringify({ charts: [{ ...withoutRepo, digest: `sha256:${'a'.repeat(64)}` }] }, null, 2)))).toBe(
      "base/charts.lock.json:3:5: error: missing key 'charts.0.repoURL'\n" +
        '  hint: add repoURL: …; see how npm run validate -- --update-lock writes the file (review the charts, then run it)',
    );
  });

  it('treats the same chart from another repository as another chart', () => {
    const lock = { entries: [{ repoURL: 'https://a', name: 'x', version: '1.0.0', digest: `sha256:${'a'.repeat(64)}` }] };
    expect(checkDigest(lock, { repoURL: 'https://b', name: 'x', version: '1.0.0' }, `sha256:${'a'.repeat(64)}`).ok).toBe(false);
    expect(checkDigest(lock, { repoURL: 'https://a/', name: 'x', version: '1.0.0' }, `sha256:${'a'.repeat(64)}`).ok).toBe(true);
  });

  it('keeps every committed digest the project has: the committed lock parses', () => {
    const lock = parseChartsLock(readFileSync(path.join(defaultRepoRoot, 'base/charts.lock.json'), 'utf8'));
    expect(serializeChartsLock(lock)).toBe(readFileSync(path.join(defaultRepoRoot, 'base/charts.lock.json'), 'utf8'));
  });
});

describe('helm arguments and messages', () => {
  it('gives --api-versions group/version for every CRD version and group/version/Kind where the kind is known', () => {
    expect(
      apiVersionsOf([
        { group: 'monitoring.coreos.com', version: 'v1', kind: 'ServiceMonitor', scope: 'Namespaced' },
        { group: 'monitoring.coreos.com', version: 'v1', kind: 'PodMonitor', scope: 'Namespaced' },
        { group: 'external-secrets.io', version: 'v1', kind: '', scope: 'Namespaced' },
      ]),
    ).toEqual(['monitoring.coreos.com/v1', 'monitoring.coreos.com/v1/ServiceMonitor', 'monitoring.coreos.com/v1/PodMonitor', 'external-secrets.io/v1']);
  });

  it('gives helm the built-in kinds too, as Argo CD does, so charts pick the API the cluster serves', async () => {
    const versions = await clusterApiVersions(defaultRepoRoot, [{ group: 'example.io', version: 'v1', kind: 'Widget', scope: 'Namespaced' }]);
    expect(versions).toEqual(expect.arrayContaining(['example.io/v1', 'example.io/v1/Widget', 'policy/v1/PodDisruptionBudget', 'v1/Pod', 'apps/v1/Deployment']));
    expect(versions).not.toContain('policy/v1beta1/PodDisruptionBudget');
  });

  it("keeps helm's own message and drops its prefix, warnings and --debug advice", () => {
    expect(
      helmMessage(
        'WARNING: Kubernetes configuration file is group-readable\nError: execution error at (loki/templates/x.yaml:1:2): Please define loki.storage.bucketNames.chunks\nUse --debug flag to render out invalid YAML\n',
      ),
    ).toBe('execution error at (loki/templates/x.yaml:1:2): Please define loki.storage.bucketNames.chunks');
  });
});

describe('archiveUrl', () => {
  const index =
    'apiVersion: v1\nentries:\n  demo:\n    - version: 1.0.0\n      urls: [charts/demo-1.0.0.tgz]\n    - version: 2.0.0\n      urls: [https://cdn.example/demo-2.0.0.tgz]\n';
  it('resolves a relative archive URL against the repository, as helm does', () => {
    expect(archiveUrl(index, { repoURL: 'https://repo.example/helm', name: 'demo', version: '1.0.0' })).toEqual({ url: 'https://repo.example/helm/charts/demo-1.0.0.tgz' });
    expect(archiveUrl(index, { repoURL: 'https://repo.example/helm', name: 'demo', version: '2.0.0' })).toEqual({ url: 'https://cdn.example/demo-2.0.0.tgz' });
  });
  it('says which charts the repository has when the name is wrong', () => {
    expect(archiveUrl(index, { repoURL: 'https://repo.example', name: 'dmeo', version: '1.0.0' })).toEqual({
      message: "chart repository https://repo.example has no chart named 'dmeo'",
      hint: 'its index.yaml lists demo',
    });
  });
});
