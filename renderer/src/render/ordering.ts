/**
 * Check stage, after emit: every object that needs another one syncs after it. Argo CD applies a sync wave only when
 * the one before is Healthy, and the root Application waits for each child Application's health (docs/argocd.md, "Sync
 * waves"), so a consumer in an earlier wave than its producer never starts, and holds back every wave behind it.
 *
 * Who produces what:
 * - a Secret: the ExternalSecret whose target it is;
 * - a custom resource: the add-on whose chart installs its CRD (base/addons.yaml `apiGroups`);
 * - a namespace: its Namespace object (or Kubernetes and the Argo CD installation, for theirs);
 * - any named object (a ClusterSecretStore, a ClusterIssuer): itself.
 * Who consumes what: every namespaced object its namespace, every custom resource its API group, a Deployment the
 * Secrets its pods read, an Ingress its TLS Secret (or, when cert-manager makes it, the issuer it names), an
 * ExternalSecret its store, an add-on's Application its namespace and the Secrets its chart values name
 * (base/addons.yaml `secrets` and `consumes.secrets`), and a PostSync hook (a post-deploy test) every Service it
 * calls by its cluster DNS name (in its env or the ConfigMaps it mounts): Argo CD runs the hook after its own
 * Application's sync only, so the Services' Applications must sync in an earlier wave. Each problem names both
 * parties at their rendered file:line.
 */
import type { Problem, SourceLocation } from '../errors.js';
import type { DataPath } from '../source.js';
import { containersOf, get, isObj, podSpecPath, type KubeObject } from '../kube.js';
import type { AddonSpec } from '../model.js';
import type { RenderedObject } from './parse.js';
import type { EmittedFile } from './emit.js';
import { repoPaths } from '../paths.js';

/** Namespaces that exist before the root Application syncs: Kubernetes' own. Argo CD's is passed in (base/platform.yaml). */
const kubernetesNamespaces = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];
/** Argo CD's own API group: its CRDs are installed with Argo CD, before the root Application exists. */
const argocdGroup = 'argoproj.io';
/** The annotation with which cert-manager's ingress-shim makes an Ingress's TLS Secret itself. */
const issuerAnnotation = 'cert-manager.io/cluster-issuer';
/** Argo CD's hook annotation: a hook runs in its phase of its Application's sync, not in a wave. */
const hookAnnotation = 'argocd.argoproj.io/hook';
/** A Service's in-cluster URL: `http(s)://<service>.<namespace>.svc[.cluster.local]`. */
const serviceUrl = /\bhttps?:\/\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(\.cluster\.local)?\b/g;

/** Where an object syncs: the wave of the root's folder it is applied in, and its own wave inside a child Application. */
interface Place {
  /** The Application that applies it. */
  application: string;
  /** The root Application's wave: its own for an object of the root's folder, else that of its Application. */
  outer: number;
  /** Its wave inside its child Application; undefined for an object of the root's folder. */
  inner?: number;
}

interface Party {
  /** e.g. "ExternalSecret monitoring/grafana-admin". */
  what: string;
  /** Its document in the rendered manifest. */
  at: SourceLocation;
  place: Place;
  kind: string;
}

/** The add-ons of one cluster, and where each one's declarations are in base/addons.yaml. @public (render.ts's argument) */
export interface OrderingAddons {
  cluster: string;
  addons: AddonSpec[];
  /** base/addons.yaml location of a data path under the add-on's entry. */
  locate(addon: string, path: DataPath): SourceLocation;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
}

/** Kubernetes' own API groups: the core group, and `*.k8s.io` (reserved for Kubernetes' APIs). */
function builtIn(group: string): boolean {
  return !group.includes('.') || group.endsWith('.k8s.io') || group === argocdGroup;
}

function waveOf(o: { metadata: { annotations?: Record<string, string> } }): number {
  return Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
}

function describeObject(o: RenderedObject['object']): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/** The line of each document's comment (`# <Kind> <namespace>/<name> (<template>)`) in the emitted manifests. */
function documentLines(files: EmittedFile[]): Map<string, number> {
  const lines = new Map<string, number>();
  for (const f of files) {
    // Performance: walk the text line by line with indexOf, looking closer only at comment lines (a full split of
    // every manifest made millions of strings).
    const text = f.content;
    let line = 1;
    for (let start = 0; start < text.length; line++) {
      const end = text.indexOf('\n', start);
      const stop = end === -1 ? text.length : end;
      if (text.startsWith('# ', start) && text.charCodeAt(stop - 1) === 41 /* ) */) lines.set(`${f.path}\u0000${text.slice(start, stop)}`, line);
      start = stop + 1;
    }
  }
  return lines;
}

/** Whether `consumer` starts only once `producer` is applied and Healthy. */
function syncsAfter(producer: Place, consumer: Place, producerKind: string): boolean {
  // Inside one wave Argo CD applies Namespaces before anything else, but waits for nothing's health.
  const sameWaveOk = producerKind === 'Namespace';
  if (producer.application === consumer.application && producer.inner !== undefined && consumer.inner !== undefined)
    return producer.inner < consumer.inner || (sameWaveOk && producer.inner === consumer.inner);
  if (producer.outer !== consumer.outer) return producer.outer < consumer.outer;
  // Same wave of the root: only an object of the root's own folder (a Namespace) is applied before a child syncs.
  return sameWaveOk && producer.inner === undefined;
}

function describePlace(p: Place): string {
  if (p.inner === undefined) return `sync wave ${p.outer}`;
  const inside = p.inner === Infinity ? 'a PostSync hook of it' : `wave ${p.inner} inside it`;
  return `sync wave ${p.outer} (Application ${p.application}, ${inside})`;
}

/**
 * Refuses every consumer that would sync before its producer, and every consumer whose producer is not rendered.
 * @public (render.ts reaches it through its lazy `stages()` import)
 */
export function checkSyncOrder(objects: RenderedObject[], files: EmittedFile[], clusters: OrderingAddons[], argocdNamespace: string): Problem[] {
  const problems: Problem[] = [];
  // Lines are looked up only for a problem's message; a render with none never indexes its files.
  let lines: ReturnType<typeof documentLines> | undefined;
  const byCluster = new Map<string, RenderedObject[]>();
  for (const r of objects) {
    const mine = byCluster.get(r.job.cluster);
    if (mine) mine.push(r);
    else byCluster.set(r.job.cluster, [r]);
  }
  for (const { cluster, addons, locate } of clusters) {
    const mine = byCluster.get(cluster) ?? [];
    const applications = mine.filter((r) => r.object.kind === 'Application');
    const root = applications.find((a) => get(a.object, ['spec', 'source', 'path']) === a.job.folder);
    if (!root) continue; // the check stage refuses a cluster without one already
    const byFolder = new Map(
      applications.flatMap((a) => (typeof get(a.object, ['spec', 'source', 'path']) === 'string' ? [[get(a.object, ['spec', 'source', 'path']) as string, a] as const] : [])),
    );
    const at = (r: RenderedObject): SourceLocation => {
      const file = repoPaths.manifest(r.job.folder);
      const o = r.object;
      const line = (lines ??= documentLines(files)).get(`${file}\u0000# ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name} (${r.templateFile})`);
      return line === undefined ? { file } : { file, line, col: 1 };
    };
    const placeOf = (r: RenderedObject): Place | undefined => {
      if (r.job.folder === root.job.folder) return { application: root.object.metadata.name, outer: waveOf(r.object) };
      const app = byFolder.get(r.job.folder);
      // A PostSync hook runs once everything else its Application syncs is Healthy: after its last wave.
      const inner = r.object.metadata.annotations?.[hookAnnotation] === 'PostSync' ? Infinity : waveOf(r.object);
      return app && { application: app.object.metadata.name, outer: waveOf(app.object), inner };
    };
    const configMaps = new Map(mine.filter((r) => r.object.kind === 'ConfigMap').map((r) => [`${r.object.metadata.namespace ?? ''}/${r.object.metadata.name}`, r.object]));
    const party = (r: RenderedObject, place: Place, what = describeObject(r.object)): Party => ({
      what,
      get at() {
        return at(r);
      },
      place,
      kind: r.object.kind,
    });

    const producers = new Map<string, Party>();
    const existing = { what: 'the cluster', at: { file: '' }, place: { application: '', outer: -Infinity }, kind: 'Namespace' };
    for (const ns of [...kubernetesNamespaces, argocdNamespace]) producers.set(`Namespace/${ns}`, existing);
    // input: where base/addons.yaml declares an add-on's need; wave: its syncWave line.
    const consumers: { key: string; needs: string; party: Party; input?: SourceLocation; wave?: SourceLocation }[] = [];
    const charts = new Map<string, { addon: AddonSpec; app: RenderedObject }>();
    for (const app of applications) {
      const release = get(app.object, ['spec', 'source', 'helm', 'releaseName']);
      const addon = addons.find((a) => a.name === release);
      if (addon && get(app.object, ['spec', 'source', 'chart'])) charts.set(addon.name, { addon, app });
    }
    for (const { addon, app } of charts.values()) {
      const place = { application: app.object.metadata.name, outer: waveOf(app.object), inner: 0 };
      const who = party(app, place, `add-on '${addon.name}' (Application ${app.object.metadata.name})`);
      const wave = locate(addon.name, ['syncWave']);
      for (const group of addon.apiGroups ?? []) producers.set(`group/${group}`, who);
      consumers.push({ key: `Namespace/${addon.namespace}`, needs: `namespace ${addon.namespace}`, party: who, wave });
      const secret = (name: string, input: SourceLocation) =>
        consumers.push({ key: `Secret/${addon.namespace}/${name}`, needs: `Secret ${addon.namespace}/${name}`, party: who, input, wave });
      (addon.secrets ?? []).forEach((s, i) => secret(s.name, locate(addon.name, ['secrets', i, 'name'])));
      (addon.consumes?.secrets ?? []).forEach((name, i) => secret(name, locate(addon.name, ['consumes', 'secrets', i])));
    }
    for (const r of mine) {
      const place = placeOf(r);
      if (!place) continue;
      const o = r.object;
      const me = party(r, place);
      const group = groupOf(o.apiVersion);
      producers.set(`${group}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, me);
      if (o.kind === 'Namespace') producers.set(`Namespace/${o.metadata.name}`, me);
      const need = (key: string, needs: string) => consumers.push({ key, needs, party: me });
      if (o.metadata.namespace) need(`Namespace/${o.metadata.namespace}`, `namespace ${o.metadata.namespace}`);
      if (!builtIn(group)) need(`group/${group}`, `the CRD of ${o.kind} (API group ${group})`);
      const ns = o.metadata.namespace ?? '';
      if (o.kind === 'ExternalSecret') {
        const target = (get(o, ['spec', 'target', 'name']) as string | undefined) ?? o.metadata.name;
        producers.set(`Secret/${ns}/${target}`, me);
        const store = get(o, ['spec', 'secretStoreRef']);
        if (isObj(store) && typeof store.name === 'string') {
          const kind = typeof store.kind === 'string' ? store.kind : 'SecretStore';
          need(`${group}/${kind}/${kind === 'SecretStore' ? ns : ''}/${store.name}`, `${kind} ${store.name}`);
        }
      }
      for (const secret of secretsRead(o)) need(`Secret/${ns}/${secret}`, `Secret ${ns}/${secret}`);
      if (o.metadata.annotations?.[hookAnnotation]) {
        for (const [service, url] of servicesCalled(o, (name) => configMaps.get(`${ns}/${name}`))) need(`/Service/${service}`, `Service ${service} (it calls ${url})`);
      }
      const issuer = o.metadata.annotations?.[issuerAnnotation];
      if (o.kind === 'Ingress' && issuer) need(`cert-manager.io/ClusterIssuer//${issuer}`, `ClusterIssuer ${issuer}`);
    }

    for (const c of consumers) {
      const p = producers.get(c.key);
      const consumerAt = `${c.party.at.file}:${c.party.at.line ?? 1}`;
      if (!p) {
        problems.push({
          ...(c.input ?? c.party.at),
          message: `${c.party.what} at ${consumerAt} needs ${c.needs}, which nothing rendered for cluster '${cluster}' produces`,
          hint: c.needs.startsWith('Secret')
            ? "create it from the secret store (base/addons.yaml: the add-on's secrets, or an ExternalSecret in the platform folder), or remove the reference"
            : c.needs.startsWith('the CRD')
              ? 'name the API group in the apiGroups of the add-on that installs its CRD (base/addons.yaml), and install that add-on in this cluster'
              : 'render a Namespace object for it (an add-on or the environment namespace), or use an existing namespace',
        });
        continue;
      }
      if (p === existing || syncsAfter(p.place, c.party.place, p.kind)) continue;
      problems.push({
        ...c.party.at,
        message:
          `${c.party.what} syncs in ${describePlace(c.party.place)}, not after ${p.what} at ${p.at.file}:${p.at.line ?? 1} (${describePlace(p.place)}), ` +
          `which it needs for ${c.needs}: the first sync would wait forever`,
        hint:
          c.wave !== undefined
            ? `give the add-on a syncWave after ${p.place.outer} (${c.wave.file}:${c.wave.line ?? 1}), or make the producer sync earlier`
            : `a consumer must sync in a later wave than its producer: move ${p.what} to an earlier wave or ${c.party.what} to a later one`,
      });
    }
  }
  return problems;
}

/** Secrets the pods of a workload read: env and envFrom references and secret volumes. */
function secretsRead(o: KubeObject): string[] {
  const names = new Set<string>();
  for (const { container } of containersOf(o)) {
    for (const e of (container.env as unknown[] | undefined) ?? []) {
      const name = get(e, ['valueFrom', 'secretKeyRef', 'name']);
      if (typeof name === 'string') names.add(name);
    }
    for (const e of (container.envFrom as unknown[] | undefined) ?? []) {
      const name = get(e, ['secretRef', 'name']);
      if (typeof name === 'string') names.add(name);
    }
  }
  const podSpec = podSpecPath(o);
  const volumes = podSpec && get(o, [...podSpec, 'volumes']);
  for (const v of Array.isArray(volumes) ? volumes : []) {
    const name = get(v, ['secret', 'secretName']);
    if (typeof name === 'string') names.add(name);
  }
  if (o.kind === 'Ingress' && !get(o, ['metadata', 'annotations', issuerAnnotation])) {
    const tls = get(o, ['spec', 'tls']);
    for (const t of Array.isArray(tls) ? tls : []) {
      const name = get(t, ['secretName']);
      if (typeof name === 'string') names.add(name);
    }
  }
  return [...names].sort();
}

/**
 * The Services a workload calls by their cluster DNS names, `namespace/name` → the first URL naming it: in its
 * containers' env values and in the data of the ConfigMaps its pods mount.
 */
function servicesCalled(o: KubeObject, configMap: (name: string) => KubeObject | undefined): Map<string, string> {
  const texts: string[] = [];
  for (const { container } of containersOf(o)) {
    for (const e of (container.env as unknown[] | undefined) ?? []) {
      const value = get(e, ['value']);
      if (typeof value === 'string') texts.push(value);
    }
  }
  const podSpec = podSpecPath(o);
  const volumes = podSpec && get(o, [...podSpec, 'volumes']);
  for (const v of Array.isArray(volumes) ? volumes : []) {
    const name = get(v, ['configMap', 'name']);
    const data = typeof name === 'string' ? get(configMap(name), ['data']) : undefined;
    if (isObj(data)) texts.push(...Object.values(data).filter((d): d is string => typeof d === 'string'));
  }
  const called = new Map<string, string>();
  for (const text of texts) {
    for (const m of text.matchAll(serviceUrl)) {
      const key = `${m[3]}/${m[1]}`;
      if (!called.has(key)) called.set(key, m[0]);
    }
  }
  return new Map([...called].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
