/**
 * Why a rehearsal's sync stalls, in the terms a platform engineer acts on: the lowest sync wave that has not
 * converged, the Application in it, and the objects it waits on (a Secret or ConfigMap a pod needs that nobody has
 * created, or Argo CD's own reasons). kwok runs no kubelet, so the rehearsal plays the kubelet's one check that
 * matters for ordering: a pod whose Secret or ConfigMap is missing never starts. Pure.
 */
import { notReadyReasons } from '../argocd/application.js';
import type { LiveApplication } from './applications.js';

export interface PodLike {
  metadata: { name: string; namespace: string; ownerReferences?: { kind: string; name: string }[] };
  spec: {
    volumes?: {
      secret?: { secretName?: string; optional?: boolean };
      configMap?: { name?: string; optional?: boolean };
      projected?: { sources?: { secret?: { name?: string; optional?: boolean }; configMap?: { name?: string; optional?: boolean } }[] };
    }[];
    containers: ContainerLike[];
    initContainers?: ContainerLike[];
  };
}

interface ContainerLike {
  env?: { valueFrom?: { secretKeyRef?: { name?: string; optional?: boolean }; configMapKeyRef?: { name?: string; optional?: boolean } } }[];
  envFrom?: { secretRef?: { name?: string; optional?: boolean }; configMapRef?: { name?: string; optional?: boolean } }[];
}

export interface Reference {
  kind: 'Secret' | 'ConfigMap';
  namespace: string;
  name: string;
}

/** Every Secret and ConfigMap a pod cannot start without (optional references left out), de-duplicated. */
export function requiredReferences(pod: PodLike): Reference[] {
  const ns = pod.metadata.namespace;
  const out = new Map<string, Reference>();
  const add = (kind: Reference['kind'], name: string | undefined, optional: boolean | undefined) => {
    if (name && !optional) out.set(`${kind}/${name}`, { kind, namespace: ns, name });
  };
  for (const v of pod.spec.volumes ?? []) {
    add('Secret', v.secret?.secretName, v.secret?.optional);
    add('ConfigMap', v.configMap?.name, v.configMap?.optional);
    for (const s of v.projected?.sources ?? []) {
      add('Secret', s.secret?.name, s.secret?.optional);
      add('ConfigMap', s.configMap?.name, s.configMap?.optional);
    }
  }
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const e of c.env ?? []) {
      add('Secret', e.valueFrom?.secretKeyRef?.name, e.valueFrom?.secretKeyRef?.optional);
      add('ConfigMap', e.valueFrom?.configMapKeyRef?.name, e.valueFrom?.configMapKeyRef?.optional);
    }
    for (const e of c.envFrom ?? []) {
      add('Secret', e.secretRef?.name, e.secretRef?.optional);
      add('ConfigMap', e.configMapRef?.name, e.configMapRef?.optional);
    }
  }
  return [...out.values()].sort((a, b) => (`${a.kind}/${a.name}` < `${b.kind}/${b.name}` ? -1 : 1));
}

/** The references of `pod` that do not exist; `exists` answers for `Kind/namespace/name`. */
export function missingReferences(pod: PodLike, exists: (key: string) => boolean): Reference[] {
  return requiredReferences(pod).filter((r) => !exists(`${r.kind}/${r.namespace}/${r.name}`));
}

export interface WaitingPod {
  pod: string;
  namespace: string;
  /** The workload that owns it (through its ReplicaSet), e.g. `Deployment grafana`, when known. */
  owner?: string;
  missing: Reference[];
}

export interface StallVerdict {
  wave: number;
  application: string;
  state: string;
  /** One line per object the Application waits on. */
  waitsOn: string[];
  /** Applications of later waves that have not converged (they wait behind this one). */
  behind: string[];
}

const waveOf = (a: LiveApplication & { metadata: { annotations?: Record<string, string> } }) => Number(a.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);

/**
 * The stall: the lowest-wave Application that is not Synced and Healthy, and what it waits on. Pods waiting for a
 * missing Secret or ConfigMap are attributed to the Application whose destination namespace holds them (the first
 * one in that wave), else Argo CD's own reasons are given. Undefined when every Application converged.
 */
export function stallVerdict(
  apps: readonly (LiveApplication & { metadata: { annotations?: Record<string, string> }; spec: LiveApplication['spec'] & { destination?: { namespace?: string } } })[],
  waiting: readonly WaitingPod[],
  /** Rendered Applications the root has not created yet (their wave never came): they wait behind too. */
  notCreated: readonly string[] = [],
): StallVerdict | undefined {
  const open = apps
    .filter((a) => !(a.status?.sync?.status === 'Synced' && a.status?.health?.status === 'Healthy'))
    .sort((a, b) => waveOf(a) - waveOf(b) || (a.metadata.name < b.metadata.name ? -1 : 1));
  const first = open[0];
  if (!first) return undefined;
  const wave = waveOf(first);
  const inWave = open.filter((a) => waveOf(a) === wave);
  // Prefer the Application whose namespace holds a pod that cannot start: that one is the cause, not a bystander.
  const culprit = inWave.find((a) => waiting.some((w) => w.namespace === a.spec.destination?.namespace)) ?? first;
  const ns = culprit.spec.destination?.namespace;
  const pods = waiting.filter((w) => w.namespace === ns);
  const waitsOn = pods.length
    ? pods.flatMap((w) => w.missing.map((r) => `${r.kind} ${r.namespace}/${r.name}, which nothing has created (${w.owner ?? `pod ${w.pod}`} cannot start without it)`))
    : [...failedSyncTasks(culprit), ...notReadyReasons(culprit), ...outOfSyncResources(culprit)].slice(0, 8);
  return {
    wave,
    application: culprit.metadata.name,
    state: `${culprit.status?.sync?.status ?? 'Unknown'}/${culprit.status?.health?.status ?? 'Unknown'}`,
    waitsOn: [...new Set(waitsOn)],
    behind: [...open.filter((a) => waveOf(a) > wave).map((a) => a.metadata.name), ...notCreated],
  };
}

/** The sync operation's failed tasks, each naming its object: the one object a whole wave is refused for. */
function failedSyncTasks(app: LiveApplication): string[] {
  const op = (
    app.status as { operationState?: { syncResult?: { resources?: { kind: string; namespace?: string; name: string; status?: string; message?: string }[] } } } | undefined
  )?.operationState;
  return (op?.syncResult?.resources ?? [])
    .filter((r) => r.status === 'SyncFailed')
    .map((r) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name} SyncFailed: ${r.message ?? ''}`.trim());
}

/**
 * The Application's resources that are OutOfSync (notReadyReasons names the unhealthy ones): a sync that never
 * finishes applying, e.g. a CRD or webhook configuration another controller keeps changing.
 */
function outOfSyncResources(app: LiveApplication): string[] {
  return (app.status?.resources ?? [])
    .filter((r) => (r as { status?: string }).status === 'OutOfSync')
    .map((r) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}: OutOfSync`);
}

/** The verdict as the rehearsal prints it. */
export function formatStall(v: StallVerdict): string {
  return [
    `stalled in sync wave ${v.wave}: Application ${v.application} is ${v.state} and waits on`,
    ...v.waitsOn.map((w) => `  - ${w}`),
    ...(v.behind.length ? [`  behind it, not synced or never created: ${v.behind.join(', ')}`] : []),
  ].join('\n');
}
