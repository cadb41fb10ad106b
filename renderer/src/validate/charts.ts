/**
 * The add-on chart check of `npm run validate`. The committed add-on Applications name a chart and carry their
 * values, but the objects the cluster gets exist only after helm renders them; this renders them the way Argo CD
 * will and checks the result like the rest of the repository:
 *
 *   pull (charts-repo) → digest against base/charts.lock.json (charts-lock) → helm template with the
 *   Application's values (charts-helm) → kubeconform strict, with the CRDs of the cluster's charts → the
 *   Application's AppProject (kind allowed, namespace a destination) → the platform rules that apply to charts.
 *
 * Every finding lands on the add-on Application's line in clusters/, where the reviewer can change something,
 * and names the rendered object and where its rendering was kept (.cache/charts/rendered/).
 */
import { groupKindIn, projectGlobMatch } from '../render/argocd-rules.js';
import { mkdir, open, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoPaths } from '../paths.js';
import { parseSource } from '../source.js';
import { crdSchemas } from '../tools/crd-schemas.js';
import { serializeSchema } from '../tools/jsonschema.js';
import { cachePaths } from '../tools/layout.js';
import { run } from '../process.js';
import { chartKey, checkDigest, type ChartRef, type ChartsLock, type LockEntry } from './charts-lock.js';
import { helmShowCrds, helmTemplate } from './charts-helm.js';
import { pullChart, type PullResult } from './charts-repo.js';
import type { Finding } from './findings.js';
import { kubeconformArgs, kubeconformFindings, parseKubeconformReport } from './kubeconform.js';
import type { IndexCluster } from '../cluster-index.js';
import { parseManifestFile, type Manifest } from '../manifests.js';
import { chartPodResources, deprecatedApi, imageTagPinned, type Rule } from './rules.js';
import { get, isObj, kindOf, nameOf, namespaceOf, type Obj } from '../kube.js';

/**
 * The platform rules that hold for upstream charts too. The others are conventions of the app templates (labels the
 * renderer adds, the restricted pod profile, replica counts) that an add-on's AppProject and namespace settle instead.
 */
const chartRules: readonly Rule[] = [imageTagPinned, deprecatedApi, chartPodResources];

/**
 * Built-in kinds that are cluster-scoped (Kubernetes API reference); the AppProject allows these by its cluster
 * resource list. Custom kinds take their scope from their CRD.
 */
const clusterScopedBuiltins = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass',
  'scheduling.k8s.io/PriorityClass',
  'node.k8s.io/RuntimeClass',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'admissionregistration.k8s.io/MutatingAdmissionPolicy',
  'admissionregistration.k8s.io/MutatingAdmissionPolicyBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'certificates.k8s.io/CertificateSigningRequest',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'resource.k8s.io/DeviceClass',
]);

/** An add-on Application as committed: where it is, what chart it names, its values and project. */
export interface AddonApplication {
  cluster: IndexCluster;
  manifest: Manifest;
  /** Argo CD release name: the add-on's name. */
  release: string;
  chart: ChartRef;
  namespace: string;
  project: string;
  values: Obj;
}

/** The add-on Applications among a cluster's manifests: Argo CD Applications with a Helm chart source. */
export function addonApplications(cluster: IndexCluster, manifests: readonly Manifest[]): AddonApplication[] {
  return manifests.flatMap((m) => {
    const o = m.object;
    const source = get(o, ['spec', 'source']);
    if (kindOf(o) !== 'Application' || !isObj(source) || typeof source.chart !== 'string') return [];
    const helm = isObj(source.helm) ? source.helm : {};
    return [
      {
        cluster,
        manifest: m,
        release: typeof helm.releaseName === 'string' ? helm.releaseName : nameOf(o),
        chart: { repoURL: String(source.repoURL), name: source.chart, version: String(source.targetRevision) },
        namespace: String(get(o, ['spec', 'destination', 'namespace']) ?? 'default'),
        project: String(get(o, ['spec', 'project']) ?? 'default'),
        values: isObj(helm.valuesObject) ? helm.valuesObject : {},
      },
    ];
  });
}

interface UncheckedChart {
  chart: ChartRef;
  reason: string;
  /** Argo CD Application names that use it. */
  applications: string[];
}

export interface ChartCheckResult {
  findings: Finding[];
  /** Charts that could not be pulled (repository unreachable) and so were not rendered. */
  unchecked: UncheckedChart[];
  /** Add-on Applications found in the selected clusters. */
  applications: number;
  /** Add-on Applications rendered and checked. */
  rendered: number;
  /** Digests of the charts pulled in this run, for --update-lock. */
  digests: LockEntry[];
}

export interface ChartCheckOptions {
  root: string;
  clusters: readonly IndexCluster[];
  /** Each selected cluster's rendered manifests (its Applications and AppProjects among them). */
  manifestsOf: (cluster: string) => readonly Manifest[];
  kubernetesVersion: string;
  lock: ChartsLock;
  /** An unreachable repository is a finding instead of a note (the GitHub workflow, which has the network). */
  requireCharts?: boolean;
  /** Record digests instead of checking them (the caller writes the lock). */
  updateLock?: boolean;
  /** Per request to a chart repository. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

const renderedDir = `${repoPaths.chartsCache}/rendered`;
const schemasDir = `${repoPaths.chartsCache}/schemas`;

/** Runs the whole chart check over the selected clusters; see the module comment. */
export async function checkAddonCharts(options: ChartCheckOptions): Promise<ChartCheckResult> {
  const apps = options.clusters.flatMap((c) => addonApplications(c, options.manifestsOf(c.name)));
  const pulled = await pullAndCheckDigests(options, apps);
  const findings = [...pulled.findings];
  let rendered = 0;
  const valuesAt = await addonValuesLocations(options.root);
  await rm(path.join(options.root, renderedDir), { recursive: true, force: true });
  for (const cluster of options.clusters) {
    const clusterApps = apps.filter((a) => a.cluster.name === cluster.name && pulled.usable.has(chartKey(a.chart)));
    if (clusterApps.length === 0) continue;
    const checked = await checkClusterCharts(options, cluster, clusterApps, pulled.usable, valuesAt);
    findings.push(...checked.findings);
    rendered += checked.rendered;
  }
  return { findings, unchecked: pulled.unchecked, applications: apps.length, rendered, digests: pulled.digests };
}

/** A finding placed at `at` in the add-on's Application, naming the add-on, its cluster and its chart. */
function onApp(app: AddonApplication, at: readonly (string | number)[], rule: string, message: string, hint?: string): Finding {
  return {
    file: app.manifest.file,
    line: app.manifest.lineOf(at),
    rule,
    message: `add-on ${app.release} in cluster ${app.cluster.name} (chart ${app.chart.name} ${app.chart.version}): ${message}`,
    ...(hint ? { hint } : {}),
    cluster: app.cluster.name,
  };
}

/**
 * Each chart pulled once, however many clusters use it, and its archive held to the lock: the archives usable for
 * rendering (by chart key), the charts not checked, the digests pulled, and findings for the rest.
 */
async function pullAndCheckDigests(
  options: ChartCheckOptions,
  apps: readonly AddonApplication[],
): Promise<{ findings: Finding[]; unchecked: UncheckedChart[]; digests: LockEntry[]; usable: Map<string, string> }> {
  const pulls = new Map<string, PullResult>();
  for (const app of apps) {
    const key = chartKey(app.chart);
    if (!pulls.has(key)) pulls.set(key, await pullChart(options.root, app.chart, { timeoutMs: options.timeoutMs }));
  }
  const findings: Finding[] = [];
  const unchecked: UncheckedChart[] = [];
  const digests: LockEntry[] = [];
  const usable = new Map<string, string>();
  for (const [key, pull] of pulls) {
    const users = apps.filter((a) => chartKey(a.chart) === key);
    const chart = users[0]!.chart;
    if (pull.status === 'unreachable') {
      if (options.requireCharts) {
        for (const app of users)
          findings.push(
            onApp(
              app,
              ['spec', 'source', 'repoURL'],
              'chart-unreachable',
              `not checked: ${pull.reason}`,
              'validate runs with --require-charts, which needs every chart repository; check the network and the repoURL',
            ),
          );
      } else {
        unchecked.push({ chart, reason: pull.reason, applications: users.map((a) => nameOf(a.manifest.object)) });
      }
      continue;
    }
    if (pull.status === 'error') {
      for (const app of users) findings.push(onApp(app, ['spec', 'source', 'targetRevision'], 'chart-pull', pull.message, pull.hint));
      continue;
    }
    digests.push({ ...chart, digest: pull.digest });
    if (!options.updateLock) {
      const verdict = checkDigest(options.lock, chart, pull.digest);
      if (!verdict.ok) {
        findings.push({ file: repoPaths.chartsLock, line: 1, rule: 'chart-digest', message: verdict.message, hint: verdict.hint });
        continue;
      }
    }
    usable.set(key, pull.file);
  }
  return { findings, unchecked, digests, usable };
}

/** One add-on's chart as rendered into .cache/charts/rendered/<cluster>/<release>.yaml, and its documents. */
interface RenderedAddon {
  app: AddonApplication;
  file: string;
  manifests: Manifest[];
}

/**
 * One cluster's add-on charts rendered with the CRDs the cluster will have, then each output held to kubeconform, to
 * the AppProject its Application belongs to, and to the chart rules; every finding placed at the Application.
 */
async function checkClusterCharts(
  options: ChartCheckOptions,
  cluster: IndexCluster,
  clusterApps: readonly AddonApplication[],
  usable: ReadonlyMap<string, string>,
  valuesAt: ValuesLocations,
): Promise<{ findings: Finding[]; rendered: number }> {
  const { root, kubernetesVersion } = options;
  const env = options.env ?? process.env;
  const crds = await clusterCrds(
    root,
    clusterApps.map((a) => usable.get(chartKey(a.chart))!),
    env,
  );
  const apiVersions = await clusterApiVersions(root, crds);
  const findings: Finding[] = [];
  const outputs: RenderedAddon[] = [];
  const dir = `${renderedDir}/${cluster.name}`;
  await mkdir(path.join(root, dir), { recursive: true });
  for (const app of clusterApps) {
    const archive = usable.get(chartKey(app.chart))!;
    const result = await renderAddon(root, `${dir}/${app.release}`, app, { archive, kubernetesVersion, apiVersions }, env);
    findings.push(...result.findings);
    if (result.output) outputs.push(result.output);
  }
  for (const o of outputs) for (const m of o.manifests) if (kindOf(m.object) === 'CustomResourceDefinition') crds.push(...crdsOf(m));
  const relocate = (f: Finding, app: AddonApplication): Finding => onApp(app, ['spec', 'source', 'chart'], f.rule, `${f.message} (${f.file}:${f.line})`, f.hint);
  const appOfFile = new Map(outputs.map((o) => [o.file, o.app]));
  findings.push(...(await kubeconformCharts(root, cluster.name, outputs, kubernetesVersion, env)).map((f) => relocate(f, appOfFile.get(f.file)!)));
  const projects = options.manifestsOf(cluster.name).filter((m) => kindOf(m.object) === 'AppProject');
  for (const o of outputs) {
    const project = projects.find((p) => nameOf(p.object) === o.app.project);
    for (const f of projectFindings(o.app, o.manifests, project?.object, crds)) findings.push(relocate(f, o.app));
    for (const rule of chartRules)
      for (const f of rule.check({ cluster, manifests: o.manifests, kubernetesVersion })) findings.push(relocate(withValuesHint(f, o.app, cluster, valuesAt), o.app));
  }
  return { findings, rendered: outputs.length };
}

/** `helm template` of one add-on into `<base>.yaml`, its values beside it as `<base>.values.json`, and its documents. */
async function renderAddon(
  root: string,
  base: string,
  app: AddonApplication,
  chart: { archive: string; kubernetesVersion: string; apiVersions: string[] },
  env: NodeJS.ProcessEnv,
): Promise<{ findings: Finding[]; output?: RenderedAddon }> {
  // The values as helm sees them, next to the rendering, for whoever reads a finding.
  await writeFile(path.join(root, `${base}.values.json`), `${JSON.stringify(app.values, null, 2)}\n`);
  const result = await helmTemplate(root, { release: app.release, namespace: app.namespace, values: app.values, ...chart }, env);
  if (!result.ok) {
    const finding = onApp(
      app,
      ['spec', 'source', 'helm', 'valuesObject'],
      'chart-render',
      `helm template failed: ${result.message}`,
      `the values are in base/addons.yaml and the environment's overlay; ${base}.values.json holds them as helm saw them`,
    );
    return { findings: [finding] };
  }
  const file = `${base}.yaml`;
  await writeFile(path.join(root, file), result.stdout);
  const parsed = parseManifestFile(file, result.stdout);
  const findings = parsed.problems.map((p) => onApp(app, ['spec', 'source', 'chart'], 'yaml', `${file}:${p.line}: ${p.message}`));
  return { findings, output: { app, file, manifests: parsed.manifests } };
}

/** Where each add-on's values are written in base/addons.yaml, for hints: `values` and `highAvailabilityValues` lines. */
type ValuesLocations = Map<string, { values: string; highAvailabilityValues?: string }>;

async function addonValuesLocations(root: string): Promise<ValuesLocations> {
  const out: ValuesLocations = new Map();
  const text = await readFile(path.join(root, repoPaths.addons), 'utf8').catch(() => undefined);
  const source = text === undefined ? undefined : parseSource(repoPaths.addons, text).source;
  const addons = get(source?.value, ['addons']);
  if (!source || !Array.isArray(addons)) return out;
  addons.forEach((a, i) => {
    if (!isObj(a) || typeof a.name !== 'string') return;
    const at = (key: string) => `${repoPaths.addons}:${source.locate(['addons', i, key], true).line}`;
    out.set(a.name, { values: at(isObj(a.values) ? 'values' : 'name'), ...(isObj(a.highAvailabilityValues) ? { highAvailabilityValues: at('highAvailabilityValues') } : {}) });
  });
  return out;
}

/** A resources finding says where to fix it: the add-on's values in base/addons.yaml (or the environment's overlay). */
function withValuesHint(f: Finding, app: AddonApplication, cluster: IndexCluster, valuesAt: ValuesLocations): Finding {
  if (f.rule !== chartPodResources.id) return f;
  const where = valuesAt.get(app.release);
  const files = where ? [where.values, ...(where.highAvailabilityValues ? [`${where.highAvailabilityValues} (highAvailability only)`] : [])].join(' or ') : repoPaths.addons;
  return {
    ...f,
    hint: `set the container's resources (requests.cpu, requests.memory, limits.memory) in the add-on's values at ${files}, or in addons.${app.release}.values of the environment file of cluster '${cluster.name}'`,
  };
}

export interface ClusterCrd {
  group: string;
  version: string;
  kind: string;
  scope: string;
}

/** What helm's --api-versions takes for the cluster's custom resources: `group/version` and `group/version/Kind`. */
export function apiVersionsOf(crds: readonly ClusterCrd[]): string[] {
  return [...new Set(crds.flatMap((c) => [`${c.group}/${c.version}`, ...(c.kind ? [`${c.group}/${c.version}/${c.kind}`] : [])]))];
}

/**
 * Everything helm's --api-versions gets for a cluster, as Argo CD passes it (every served `group/version` and
 * `group/version/Kind`, built-in kinds included): charts choose an API by `.Capabilities.APIVersions.Has
 * "policy/v1/PodDisruptionBudget"`, and helm's defaults list no kinds, so without them a chart falls back to an API
 * the cluster removed long ago. The built-in kinds come from the Kubernetes schemas of the tools step, whose files
 * open with their apiVersion and kind.
 */
export async function clusterApiVersions(root: string, crds: readonly ClusterCrd[]): Promise<string[]> {
  const dir = path.join(root, cachePaths.kubernetesSchemas);
  const builtins: string[] = [];
  for (const file of await readdir(dir).catch(() => [] as string[])) {
    if (!file.endsWith('.json')) continue;
    const handle = await open(path.join(dir, file));
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(512), 0, 512, 0);
      const head = buffer.subarray(0, bytesRead).toString('utf8');
      const m = /"apiVersion":\{"type":"string","enum":\["([^"]+)"\]\},"kind":\{"type":"string","enum":\["([^"]+)"\]/.exec(head);
      if (m) builtins.push(`${m[1]}/${m[2]}`);
    } finally {
      await handle.close();
    }
  }
  return [...new Set([...apiVersionsOf(crds), ...builtins])];
}

function crdsOf(m: Manifest): ClusterCrd[] {
  const spec = get(m.object, ['spec']);
  if (!isObj(spec) || !isObj(spec.names) || !Array.isArray(spec.versions)) return [];
  return spec.versions
    .filter(isObj)
    .map((v) => ({ group: String(spec.group), version: String(v.name), kind: String((spec.names as Obj).kind), scope: String(spec.scope ?? 'Namespaced') }));
}

/**
 * The custom resources the cluster serves once its add-ons are installed: every chart's crds/ folder plus the CRDs the
 * repository's own manifests use (the tools step's schema folder), which charts see through --api-versions.
 */
export async function clusterCrds(root: string, archives: readonly string[], env: NodeJS.ProcessEnv): Promise<ClusterCrd[]> {
  const out: ClusterCrd[] = [];
  for (const archive of [...new Set(archives)]) {
    const shown = await helmShowCrds(root, archive, env);
    if (shown.ok) for (const m of parseManifestFile(archive, shown.stdout).manifests) if (kindOf(m.object) === 'CustomResourceDefinition') out.push(...crdsOf(m));
  }
  const repoCrds = path.join(root, cachePaths.crdSchemas);
  for (const group of await readdir(repoCrds).catch(() => [] as string[])) {
    for (const file of await readdir(path.join(repoCrds, group)).catch(() => [] as string[])) {
      const m = /^(.+)_([^_]+)\.json$/.exec(file);
      // The schema file names carry the kind in lower case only, so these give --api-versions their group/version.
      if (m) out.push({ group, version: m[2]!, kind: '', scope: 'Namespaced' });
    }
  }
  return out;
}

/** kubeconform, strict, over one cluster's rendered charts, with the CRDs those charts ship as extra schemas. */
async function kubeconformCharts(
  root: string,
  cluster: string,
  outputs: ReadonlyArray<{ file: string; manifests: Manifest[] }>,
  kubernetesVersion: string,
  env: NodeJS.ProcessEnv,
): Promise<Finding[]> {
  if (outputs.length === 0) return [];
  const dir = `${schemasDir}/${cluster}`;
  await rm(path.join(root, dir), { recursive: true, force: true });
  for (const o of outputs) {
    for (const m of o.manifests) {
      if (kindOf(m.object) !== 'CustomResourceDefinition') continue;
      // A CRD the chart renders with a broken schema is itself a schema finding; kubeconform reports it.
      let schemas;
      try {
        schemas = crdSchemas(JSON.stringify(m.object), o.file, { strict: true });
      } catch {
        continue;
      }
      for (const s of schemas) {
        await mkdir(path.dirname(path.join(root, dir, s.path)), { recursive: true });
        await writeFile(path.join(root, dir, s.path), serializeSchema(s.schema));
      }
    }
  }
  // kubeconformArgs ends with the files, so the chart schema location goes between its flags and the files.
  const args = [
    ...kubeconformArgs(root, [], kubernetesVersion),
    '-schema-location',
    `${root}/${dir}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
    ...outputs.map((o) => o.file),
  ];
  const result = await run(path.join(root, cachePaths.tool('kubeconform')), args, { cwd: root, env });
  const report = parseKubeconformReport(result.stdout, result.stderr);
  // Charts often render an empty key (`lifecycle:` with nothing under it), which is null. The API server decodes a
  // null field as unset, so Argo CD applies it without complaint; the JSON schemas reject it. Not a finding here.
  return kubeconformFindings(report, new Map(outputs.map((o) => [o.file, o.manifests])), kubernetesVersion).filter((f) => !/: got null, want (object|array)$/.test(f.message));
}

function groupOf(apiVersion: unknown): string {
  const s = typeof apiVersion === 'string' ? apiVersion : '';
  return s.includes('/') ? s.slice(0, s.indexOf('/')) : '';
}

/** The kinds an AppProject list admits, as Argo CD matches them (render/argocd-rules.ts). */
function allowedBy(list: unknown, group: string, kind: string): boolean {
  const entries = Array.isArray(list) ? list.filter(isObj).map((e) => ({ group: String(e.group ?? ''), kind: String(e.kind ?? '') })) : [];
  return groupKindIn(entries, group, kind);
}

/** Every rendered object against the Application's AppProject: Argo CD refuses to sync anything else. */
function projectFindings(app: AddonApplication, manifests: readonly Manifest[], project: Obj | undefined, crds: readonly ClusterCrd[]): Finding[] {
  const out: Finding[] = [];
  if (!project) {
    const first = manifests[0];
    return first ? [{ file: first.file, line: 1, rule: 'chart-project', message: `AppProject '${app.project}' is not among the cluster's rendered manifests` }] : [];
  }
  const spec = isObj(project.spec) ? project.spec : {};
  const destinations = Array.isArray(spec.destinations) ? spec.destinations.filter(isObj) : [];
  for (const m of manifests) {
    const group = groupOf(m.object.apiVersion);
    const kind = kindOf(m.object);
    const crd = crds.find((c) => c.group === group && c.kind === kind);
    const clusterScoped = crd ? crd.scope === 'Cluster' : clusterScopedBuiltins.has(`${group}/${kind}`);
    const what = `${kind} '${nameOf(m.object)}'`;
    const gk = `${group || 'core'}/${kind}`;
    if (clusterScoped) {
      if (!allowedBy(spec.clusterResourceWhitelist, group, kind)) {
        out.push({
          file: m.file,
          line: m.lineOf(['kind']),
          rule: 'chart-project',
          message: `${what} is cluster-scoped kind ${gk}, which AppProject '${app.project}' does not allow`,
          hint: `add { group: '${group}', kind: ${kind} } to the add-on's clusterKinds in ${repoPaths.addons}, or turn the object off in its values`,
        });
      }
      continue;
    }
    if (!allowedBy(spec.namespaceResourceWhitelist, group, kind)) {
      out.push({ file: m.file, line: m.lineOf(['kind']), rule: 'chart-project', message: `${what} is kind ${gk}, which AppProject '${app.project}' does not allow in namespaces` });
    }
    const namespace = namespaceOf(m.object) ?? app.namespace;
    if (!destinations.some((d) => typeof d.namespace === 'string' && projectGlobMatch(d.namespace, namespace))) {
      out.push({
        file: m.file,
        line: m.lineOf(['kind']),
        rule: 'chart-project',
        message: `${what} goes to namespace ${namespace}, which is not a destination of AppProject '${app.project}'`,
        hint: `the project's destinations are ${destinations.map((d) => String(d.namespace)).join(', ')}`,
      });
    }
  }
  return out;
}
