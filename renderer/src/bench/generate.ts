/**
 * The benchmark's synthetic repositories, as data (`{ path: content }`), pure:
 * - `syntheticInputs`: N apps × the repository's environments in this project's own input format, with the variety
 *   of a real catalogue (calls to lower-numbered apps so the call graph stays acyclic, data stores, some ingress,
 *   external egress, per-app settings and per-environment overrides);
 * - `anchorModel`: what the peer renderers (kustomize, cdk8s) are given, built from a render of those inputs: a base
 *   per app (the objects rendered for the base cluster, namespace left to the cluster) and, per cluster, the
 *   images, replicas, container environment and resources, autoscalers and disruption budgets of that cluster;
 * - `kustomizeTree`: that model as a kustomize tree (the cdk8s program in cdk8s.ts reads it as JSON).
 */
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../kube.js';
import { parseClusterIndex, primaryCluster } from '../cluster-index.js';
import { repoPaths } from '../paths.js';

/** Deterministic pseudo-random numbers (a linear congruential generator): the same N gives the same repository. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const appName = (i: number): string => `app-${String(i).padStart(4, '0')}`;

export interface SyntheticOptions {
  apps: number;
  seed?: number;
}

/**
 * The input files of a synthetic repository. `realFiles` supplies the shared inputs taken as they are from the real
 * repository (base/**, overlays/<env>/environment.yaml); apps/, versions and per-app overrides are generated.
 */
export function syntheticInputs(opts: SyntheticOptions, realFiles: Record<string, string>): Record<string, string> {
  const rnd = random(opts.seed ?? 42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const files: Record<string, string> = {};
  for (const [file, text] of Object.entries(realFiles)) {
    if (file.startsWith('base/')) files[file] = text;
    // Hundreds of synthetic apps would not fit the real node groups (the render refuses that): the benchmark
    // measures the render, so its groups grow with the catalogue.
    else if (/^overlays\/[^/]+\/environment\.yaml$/.test(file)) files[file] = text.replace(/maxNodes: \d+/g, `maxNodes: ${Math.max(10, opts.apps * 2)}`);
  }
  const envs = Object.keys(files)
    .map((f) => /^overlays\/([^/]+)\/environment\.yaml$/.exec(f)?.[1])
    .filter((e): e is string => e !== undefined)
    .sort();

  const stores = [[], ['database'], ['cache'], ['database', 'cache']] as const;
  for (let i = 1; i <= opts.apps; i++) {
    const name = appName(i);
    const calls = new Set<string>();
    const callCount = i === 1 ? 0 : Math.floor(rnd() * 4);
    for (let c = 0; c < callCount; c++) calls.add(appName(1 + Math.floor(rnd() * (i - 1))));
    const lines = [
      '# yaml-language-server: $schema=../renderer/schema/app.schema.json',
      `name: ${name}`,
      `description: Synthetic service ${i} of the benchmark catalogue.`,
      `image: berrys/${name}`,
      `port: ${pick([8080, 8080, 9090, 3000])}`,
      `nodeGroup: ${pick(['general', 'compute', 'memory'])}`,
      `calls: [${[...calls].sort().join(', ')}]`,
      `dataStores: [${pick(stores).join(', ')}]`,
    ];
    if (i % 7 === 0) lines.push('externalEgress: true');
    if (i % 10 === 0) lines.push('ingress:', `  subdomain: ${name}`, ...(i % 20 === 0 ? ['  path: /api'] : []));
    if (i % 4 === 0) {
      lines.push('settings:', '  resources:', '    requests:', '      cpu: 250m', '      memory: 512Mi', '    limits:', '      cpu: 500m', '      memory: 1Gi');
    }
    files[`apps/${name}.yaml`] = lines.join('\n') + '\n';
  }

  envs.forEach((env, e) => {
    const versions = ['# yaml-language-server: $schema=../../renderer/schema/versions.schema.json'];
    for (let i = 1; i <= opts.apps; i++) versions.push(`${appName(i)}: ${1 + (i % 3)}.${(i * 7 + e) % 20}.${(i + e) % 10}`);
    files[`overlays/${env}/versions.yaml`] = versions.join('\n') + '\n';
    for (let i = 1; i <= opts.apps; i++) {
      const override: string[] = [];
      if ((i + e) % 15 === 0) override.push('autoscaling:', `  maxReplicas: ${8 + (i % 5)}`);
      if ((i + e) % 12 === 0) override.push('logLevel: WARNING');
      if ((i + 2 * e) % 8 === 4) override.push('env:', `  FEATURE_${i}: "on"`);
      if ((i + e) % 18 === 0) override.push('resources:', '  requests:', '    cpu: "1"', '    memory: 2Gi', '  limits:', '    cpu: "2"', '    memory: 4Gi');
      if (override.length) {
        files[`overlays/${env}/apps/${appName(i)}.yaml`] = ['# yaml-language-server: $schema=../../../renderer/schema/app-override.schema.json', ...override].join('\n') + '\n';
      }
    }
  });
  return files;
}

/**
 * The overlay file the benchmark edits for its "one overlay edit" render, and the edit: the first per-app override
 * in file order (an environment of one cluster, so the edit re-renders one app in one cluster).
 */
export function overlayEdit(files: Record<string, string>): { path: string; content: string } {
  const overrides = Object.keys(files).filter((f) => /^overlays\/[^/]+\/apps\/.+\.yaml$/.test(f));
  const path = overrides.sort()[0];
  if (!path) {
    const env = Object.keys(files)
      .map((f) => /^overlays\/([^/]+)\/environment\.yaml$/.exec(f)?.[1])
      .filter((e) => e !== undefined)
      .sort()[0]!;
    return { path: repoPaths.appOverride(env, appName(1)), content: 'logLevel: ERROR\n' };
  }
  return { path, content: `${files[path]}rollout:\n  maxSurge: 2\n` };
}

const yamlDoc = (o: unknown): string => JSON.stringify(o, null, 2) + '\n';

/** One app of one cluster as both anchors build it: the base app's objects changed by these per-cluster values. */
interface AnchorApp {
  app: string;
  /** The Deployment's per-cluster values (absent when the app has no Deployment). */
  deployment?: { container: string; image: string; replicas?: number; env: unknown[]; resources: unknown };
  /** Objects only some clusters have (autoscalers, disruption budgets), as rendered. */
  perCluster: KubeObject[];
}

/**
 * The objects the peer renderers are given, from the rendered tree: each app's base objects (from `baseCluster`,
 * default the primary cluster where the promotion chain starts; namespace and per-cluster kinds left out) and, per cluster, what differs. kustomizeTree and the cdk8s program
 * (cdk8s.ts) both build their input from this, so the two anchors render the same objects from the same data.
 */
export interface AnchorModel {
  bases: Record<string, KubeObject[]>;
  clusters: {
    name: string;
    namespace: string;
    apps: AnchorApp[];
    /**
     * The cluster's other folders (Argo CD, platform) with their objects as rendered. Only cdk8s builds them (as the
     * render does, so both make every object); the kustomize anchor stays with the apps, and says so.
     */
    folders: { kind: string; objects: KubeObject[] }[];
  }[];
}

const perClusterKinds = new Set(['HorizontalPodAutoscaler', 'PodDisruptionBudget']);

export function anchorModel(rendered: Map<string, string>, baseCluster?: string): AnchorModel {
  const index = parseClusterIndex(rendered.get(repoPaths.clusterIndex) ?? '');
  baseCluster ??= primaryCluster(index, index.promotionChain[0] ?? '').name;
  const objectsIn = (folder: string): KubeObject[] =>
    [...rendered]
      .filter(([p]) => p.startsWith(`${folder}/`) && p.endsWith('.yaml'))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .flatMap(([, content]) => kustomizeObjects(content));
  const base = index.clusters.find((c) => c.name === baseCluster);
  if (!base) throw new Error(`the rendered tree has no cluster '${baseCluster}' for the anchors' bases`);
  const bases: AnchorModel['bases'] = {};
  for (const folder of base.folders.filter((f) => f.kind === 'app')) {
    bases[folder.app!] = objectsIn(folder.path)
      .filter((o) => !perClusterKinds.has(o.kind))
      .map((o) => {
        const { namespace: _namespace, ...metadata } = o.metadata;
        return { ...o, metadata };
      });
  }
  const clusters = index.clusters.map((cluster) => ({
    name: cluster.name,
    namespace: cluster.namespace,
    apps: cluster.folders
      .filter((f) => f.kind === 'app')
      .map((folder): AnchorApp => {
        const objects = objectsIn(folder.path);
        const deployment = objects.find((o) => o.kind === 'Deployment');
        const c = deployment && containerOf(deployment);
        return {
          app: folder.app!,
          ...(deployment && c
            ? {
                deployment: {
                  container: c.name as string,
                  image: c.image as string,
                  replicas: (deployment.spec as { replicas?: number }).replicas,
                  env: (c.env as unknown[]) ?? [],
                  resources: c.resources,
                },
              }
            : {}),
          perCluster: objects.filter((o) => perClusterKinds.has(o.kind)),
        };
      }),
    folders: cluster.folders.filter((f) => f.kind !== 'app').map((f) => ({ kind: f.kind, objects: objectsIn(f.path) })),
  }));
  return { bases, clusters };
}

/**
 * The equivalent kustomize tree, from the anchor model: a base per app and one overlay per cluster under
 * `kustomize/overlays/<cluster>` that references every app base and changes images, replicas and, through one
 * strategic-merge patch per app, the container's environment and resources, and adds the per-cluster objects.
 * JSON is valid YAML, so the files are written as JSON: kustomize reads them the same way.
 */
export function kustomizeTree(rendered: Map<string, string>, baseCluster?: string): Record<string, string> {
  const model = anchorModel(rendered, baseCluster);
  const files: Record<string, string> = {};
  const baseImage = new Map<string, string>();
  for (const [app, objects] of Object.entries(model.bases)) {
    const resources: string[] = [];
    for (const o of objects) {
      const file = `${o.kind.toLowerCase()}.yaml`;
      files[`kustomize/base/${app}/${file}`] = yamlDoc(o);
      resources.push(file);
      if (o.kind === 'Deployment') baseImage.set(app, containerOf(o).image as string);
    }
    files[`kustomize/base/${app}/kustomization.yaml`] = yamlDoc({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources });
  }
  for (const cluster of model.clusters) {
    const images: unknown[] = [];
    const replicas: unknown[] = [];
    const patches: unknown[] = [];
    const resources: string[] = [];
    const extra: string[] = [];
    for (const { app, deployment: d, perCluster } of cluster.apps) {
      resources.push(`../../base/${app}`);
      extra.push(...perCluster.map(yamlDoc));
      if (!d) continue;
      const [newName, newTag] = splitImage(d.image);
      images.push({ name: splitImage(baseImage.get(app)!)[0], newName, newTag });
      if (d.replicas !== undefined) replicas.push({ name: app, count: d.replicas });
      const patch = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: app },
        // `$patch: replace`: the cluster's environment replaces the base's (a merge would keep variables the base
        // cluster's overrides added).
        spec: { template: { spec: { containers: [{ name: d.container, env: [{ $patch: 'replace' }, ...d.env], resources: d.resources }] } } },
      };
      files[`kustomize/overlays/${cluster.name}/patches/${app}.yaml`] = yamlDoc(patch);
      patches.push({ path: `patches/${app}.yaml` });
    }
    if (extra.length) {
      files[`kustomize/overlays/${cluster.name}/per-environment.yaml`] = extra.join('---\n');
      resources.push('per-environment.yaml');
    }
    files[`kustomize/overlays/${cluster.name}/kustomization.yaml`] = yamlDoc({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: cluster.namespace,
      resources,
      images,
      replicas,
      patches,
    });
  }
  return files;
}

function containerOf(o: KubeObject): Record<string, unknown> {
  return (o.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0]!;
}

function splitImage(image: string): [string, string] {
  const at = image.lastIndexOf(':');
  return [image.slice(0, at), image.slice(at + 1)];
}

/**
 * What both trees model, per object, for the equality check: kind, namespace and name, plus for Deployments the
 * image, replicas, container environment (as a set: kustomize's merge keeps base order) and resources, for
 * autoscalers their bounds, for disruption budgets their limit, for Services their ports.
 */
export function objectModel(objects: KubeObject[]): Map<string, string> {
  const model = new Map<string, string>();
  for (const o of objects) {
    const key = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const spec = (o.spec ?? {}) as Record<string, unknown>;
    let fields: unknown = null;
    if (o.kind === 'Deployment') {
      const c = containerOf(o);
      const env = [...((c.env as { name: string }[] | undefined) ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
      fields = { image: c.image, replicas: spec.replicas ?? null, env, resources: c.resources };
    } else if (o.kind === 'HorizontalPodAutoscaler') fields = { min: spec.minReplicas, max: spec.maxReplicas };
    else if (o.kind === 'PodDisruptionBudget') fields = { maxUnavailable: spec.maxUnavailable };
    else if (o.kind === 'Service') fields = { ports: spec.ports };
    model.set(key, JSON.stringify(fields, sortedKeys));
  }
  return model;
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)));
  }
  return value;
}

/** The app objects of one cluster in the rendered tree. */
export function renderedAppObjects(rendered: Map<string, string>, cluster: string): KubeObject[] {
  return renderedObjectsUnder(rendered, `${repoPaths.clusterDir(cluster)}/apps/`);
}

/** Every rendered object of one cluster: its app folders, its platform folder and its Argo CD folder. */
export function renderedClusterObjects(rendered: Map<string, string>, cluster: string): KubeObject[] {
  return renderedObjectsUnder(rendered, `${repoPaths.clusterDir(cluster)}/`);
}

function renderedObjectsUnder(rendered: Map<string, string>, prefix: string): KubeObject[] {
  return [...rendered].filter(([p]) => p.startsWith(prefix) && p.endsWith('.yaml')).flatMap(([, content]) => kustomizeObjects(content));
}

/** The objects of a multi-document YAML text: `kubectl kustomize` output, or a rendered manifest. */
export function kustomizeObjects(output: string): KubeObject[] {
  return parseAllDocuments(output)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

/** Differences between two models, as readable lines (empty when equal). */
export function compareModels(ours: Map<string, string>, theirs: Map<string, string>, limit = 20): string[] {
  const lines: string[] = [];
  for (const [key, value] of ours) {
    if (!theirs.has(key)) lines.push(`only in this renderer: ${key}`);
    else if (theirs.get(key) !== value) lines.push(`differs: ${key}: ${value} ≠ ${theirs.get(key)}`);
  }
  for (const key of theirs.keys()) if (!ours.has(key)) lines.push(`only in kustomize: ${key}`);
  return lines.sort().slice(0, limit);
}
