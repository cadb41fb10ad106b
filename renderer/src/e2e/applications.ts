/**
 * Reads the live Applications of the GitOps loop (as `kubectl get applications -o json` returns them) into what the
 * e2e waits for and reports: Synced and Healthy, still converging, or not checked because the source is a Helm
 * chart from a repository this machine cannot reach. Pure.
 */
import { notReadyReasons } from '../argocd/application.js';

export interface LiveApplication {
  metadata: { name: string };
  spec: { source?: { repoURL?: string; chart?: string; targetRevision?: string; path?: string } };
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string; message?: string };
    conditions?: { type: string; message?: string }[];
    operationState?: { phase?: string; message?: string };
    resources?: { group?: string; kind: string; namespace?: string; name: string; health?: { status?: string; message?: string } }[];
  };
}

export type AppVerdict = { name: string; state: 'ok'; revision?: string } | { name: string; state: 'waiting'; why: string } | { name: string; state: 'not-checked'; why: string };

/**
 * Chart sources need the chart repository, which the e2e cannot reach (no internet); report them, never wait,
 * unless their repoURL is one of `chartRepos` (the local chart mirror the run serves): those are checked like any other.
 * `controllerless`: API groups whose CRDs the e2e installed without their controller (the controllers come from
 * those charts); a Synced Application whose only unhealthy resources are of these groups cannot become Healthy here,
 * so its health is reported as not checked, naming the resources.
 */
export function verdictOf(app: LiveApplication, controllerless: readonly string[] = [], chartRepos: readonly string[] = []): AppVerdict {
  const name = app.metadata.name;
  const source = app.spec.source ?? {};
  if (source.chart && !chartRepos.includes(source.repoURL ?? '')) {
    return {
      name,
      state: 'not-checked',
      why: `Helm chart ${source.chart} ${source.targetRevision ?? ''} from ${source.repoURL ?? '?'}: no chart repository is reachable from this machine`.replace('  ', ' '),
    };
  }
  const sync = app.status?.sync?.status ?? 'Unknown';
  const health = app.status?.health?.status ?? 'Unknown';
  if (sync === 'Synced' && health === 'Healthy') return { name, state: 'ok', revision: app.status?.sync?.revision };
  const unhealthy = (app.status?.resources ?? []).filter((r) => r.health?.status !== undefined && r.health.status !== 'Healthy');
  if (sync === 'Synced' && health === 'Progressing' && unhealthy.length > 0 && unhealthy.every((r) => controllerless.includes(r.group ?? ''))) {
    const what = unhealthy.map((r) => `${r.kind} ${r.name}`).join(', ');
    return {
      name,
      state: 'not-checked',
      why: `Synced; health not checked: ${what} wait${unhealthy.length === 1 ? 's' : ''} for a controller that an add-on chart installs (no chart repository is reachable)`,
    };
  }
  const details = notReadyReasons(app);
  return { name, state: 'waiting', why: `${sync}/${health}${details.length ? ` (${details.join('; ').slice(0, 400)})` : ''}` };
}

export interface LoopSummary {
  ok: string[];
  waiting: { name: string; why: string }[];
  notChecked: { name: string; why: string }[];
  /** True when every Application that can be checked is Synced and Healthy, and `expected` are all present. */
  done: boolean;
}

/** `expected`: the Application names that must exist (from the rendered argocd folder). */
export function summarize(apps: readonly LiveApplication[], expected: readonly string[], controllerless: readonly string[] = [], chartRepos: readonly string[] = []): LoopSummary {
  const verdicts = apps.map((a) => verdictOf(a, controllerless, chartRepos)).sort((a, b) => (a.name < b.name ? -1 : 1));
  const present = new Set(verdicts.map((v) => v.name));
  const missing = expected.filter((n) => !present.has(n)).map((name) => ({ name, why: 'not created yet' }));
  const waiting = [...verdicts.flatMap((v) => (v.state === 'waiting' ? [{ name: v.name, why: v.why }] : [])), ...missing];
  return {
    ok: verdicts.filter((v) => v.state === 'ok').map((v) => v.name),
    waiting,
    notChecked: verdicts.flatMap((v) => (v.state === 'not-checked' ? [{ name: v.name, why: v.why }] : [])),
    done: waiting.length === 0,
  };
}

/** What the HPA-ownership check reads of the live Application and Deployment. */
interface OwnershipSample {
  app: LiveApplication & { spec: LiveApplication['spec'] & { ignoreDifferences?: { kind?: string; name?: string; jsonPointers?: string[] }[] } };
  deployment: { metadata: { name: string }; spec: { replicas?: number } };
}

/**
 * Whether the Deployment's replica count belongs to its HPA, as Argo CD sees it: the Application ignores
 * /spec/replicas of exactly that Deployment, stays Synced, and has not put the count back to what git would give.
 * True, or why not (the e2e fails with it). Pure.
 */
export function replicasOwnedByHpa({ app, deployment }: OwnershipSample, scaledTo: number): true | string {
  const name = deployment.metadata.name;
  const ignored = (app.spec.ignoreDifferences ?? []).some((d) => d.kind === 'Deployment' && d.name === name && (d.jsonPointers ?? []).includes('/spec/replicas'));
  if (!ignored) return `${app.metadata.name} has no ignoreDifferences on /spec/replicas of Deployment ${name}`;
  const sync = app.status?.sync?.status ?? 'Unknown';
  if (sync !== 'Synced') return `${app.metadata.name} is ${sync} after Deployment ${name} was scaled to ${scaledTo}`;
  const live = deployment.spec.replicas ?? 1;
  if (live !== scaledTo) return `Deployment ${name} went from ${scaledTo} to ${live} replicas: something other than its HPA set them`;
  return true;
}

/** The conditions of a live HorizontalPodAutoscaler, as the e2e reads them. */
export interface LiveHpa {
  metadata: { name: string };
  status?: {
    currentReplicas?: number;
    desiredReplicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    currentMetrics?: { type: string; resource?: { name: string; current?: { averageUtilization?: number; averageValue?: string } } }[];
  };
}

/**
 * What an HPA reads from the metrics API: `ScalingActive=True` and the current CPU utilisation, e.g.
 * `ScalingActive=True, cpu 1% (memory 3%), 1 replica`; or why it cannot (its condition's reason and message). Pure.
 */
export function hpaReading(hpa: LiveHpa): { active: true; text: string; cpu: number } | { active: false; text: string } {
  const c = (hpa.status?.conditions ?? []).find((x) => x.type === 'ScalingActive');
  const byName = new Map((hpa.status?.currentMetrics ?? []).flatMap((m) => (m.resource ? [[m.resource.name, m.resource.current?.averageUtilization] as const] : [])));
  const cpu = byName.get('cpu');
  if (c?.status !== 'True' || cpu === undefined) {
    return {
      active: false,
      text: `ScalingActive=${c?.status ?? 'absent'}${c?.reason ? ` (${c.reason}: ${(c.message ?? '').slice(0, 200)})` : ''}${cpu === undefined ? ', no current CPU yet' : ''}`,
    };
  }
  const others = [...byName].filter(([n]) => n !== 'cpu').map(([n, v]) => `${n} ${v ?? '?'}%`);
  const replicas = hpa.status?.currentReplicas ?? 0;
  return { active: true, cpu, text: `ScalingActive=True, cpu ${cpu}%${others.length ? ` (${others.join(', ')})` : ''}, ${replicas} replica${replicas === 1 ? '' : 's'}` };
}

/** The part of an Application's last sync operation that says how its hooks ran. */
export interface LiveOperation {
  status?: {
    operationState?: {
      phase?: string;
      message?: string;
      syncResult?: { revision?: string; resources?: { kind?: string; name?: string; hookType?: string; hookPhase?: string; message?: string }[] };
    };
  };
}

/**
 * The PostSync hooks of an Application's last sync: every one listed with its phase; passed only when the operation
 * Succeeded and every PostSync hook did (a sync without any PostSync hook did not run the post-deploy tests).
 */
export function postSyncHooks(app: LiveOperation): { passed: boolean; lines: string[] } {
  const op = app.status?.operationState;
  const hooks = (op?.syncResult?.resources ?? []).filter((r) => r.hookType === 'PostSync');
  const lines = hooks.map((h) => `${h.kind}/${h.name}: ${h.hookPhase ?? 'no phase'}${h.message ? ` (${h.message})` : ''}`);
  if (!op) return { passed: false, lines: ['no sync operation yet'] };
  if (hooks.length === 0) return { passed: false, lines: [`operation ${op.phase ?? 'without a phase'}, but no PostSync hook ran`] };
  return { passed: op.phase === 'Succeeded' && hooks.every((h) => h.hookPhase === 'Succeeded'), lines: [`operation ${op.phase}: ${op.message ?? ''}`.trim(), ...lines] };
}
