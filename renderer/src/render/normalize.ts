/**
 * Stage 6, normalize: one canonical form for every object, so output is deterministic by construction.
 * Fixed key order (apiVersion, kind, metadata, spec, …, then alphabetical), the platform's labels on every object,
 * and the Argo CD sync wave of its kind.
 */
import type { KubeObject } from '../kube.js';
import type { RenderedObject } from './parse.js';

const keyRank = ['apiVersion', 'kind', 'metadata', 'name', 'namespace', 'labels', 'annotations', 'finalizers', 'spec', 'data', 'stringData', 'type'];

/**
 * Sync waves by kind, in the order the platform needs: namespaces, cluster-wide pieces and secret stores, then
 * external secrets, configuration, workloads, then ingress. Applications carry their own waves (plan stage).
 */
const syncWaveByKind: Record<string, number> = {
  Namespace: -3,
  AppProject: -3,
  ClusterIssuer: -3,
  // A store before the ExternalSecrets that read from it: ordering.ts refuses a consumer in its producer's wave.
  ClusterSecretStore: -3,
  SecretStore: -3,
  ExternalSecret: -2,
  ConfigMap: -1,
  ServiceAccount: -1,
  NetworkPolicy: -1,
  Deployment: 0,
  Service: 0,
  HorizontalPodAutoscaler: 0,
  PodDisruptionBudget: 0,
  Ingress: 1,
};

/** The renderer's own name, as every object it makes says (`managed-by`). */
const rendererName = 'berrys-renderer';

function compareKeys(a: string, b: string): number {
  const ra = keyRank.indexOf(a);
  const rb = keyRank.indexOf(b);
  if (ra !== -1 || rb !== -1) return (ra === -1 ? keyRank.length : ra) - (rb === -1 ? keyRank.length : rb);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Recursively orders mapping keys; lists keep their order (it carries meaning). Drops undefined. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareKeys)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonical(v);
    }
    return out;
  }
  return value;
}

export function normalizeObject(r: RenderedObject): RenderedObject {
  const o = r.object;
  const common = { 'app.kubernetes.io/part-of': r.job.platform, 'app.kubernetes.io/managed-by': rendererName };
  const metadata = { ...o.metadata, labels: { ...common, ...(o.metadata.labels ?? {}) } };
  const wave = syncWaveByKind[o.kind];
  if (wave !== undefined && !metadata.annotations?.['argocd.argoproj.io/sync-wave']) {
    metadata.annotations = { ...(metadata.annotations ?? {}), 'argocd.argoproj.io/sync-wave': String(wave) };
  }
  return { ...r, object: canonical({ ...o, metadata }) as KubeObject };
}

/** Stable order: by folder, then kind, namespace, name. @public (render.ts reaches it through its lazy `stages()` import) */
export function sortObjects<T extends RenderedObject>(objects: T[]): T[] {
  const key = (r: RenderedObject) => `${r.job.folder}\u0000${r.object.kind}\u0000${r.object.metadata.namespace ?? ''}\u0000${r.object.metadata.name}`;
  return [...objects].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
