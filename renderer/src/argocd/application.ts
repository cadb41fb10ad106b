/**
 * Reading an Application's state: pure functions over the generated types, shared by the gate and status.
 */
import { parseImage } from '../kube.js';
import type { Application } from './api.js';

/** What matters about an Application for a promotion. */
export interface ApplicationState {
  sync: string;
  health: string;
  /** The git revision Argo CD compared with (and, when Synced, applied). */
  revision: string | undefined;
  /** The tag of the app's image among the Application's images, when found. */
  version: string | undefined;
  /**
   * The images Argo CD reports running (status.summary.images); empty when it reports none, which is not the same
   * as running another image. Absent in observations written before it was recorded.
   */
  images?: string[];
  /** The last sync operation, hooks included; absent when Argo CD records none (or in older observations). */
  operation?: LastOperation;
}

/** What the last sync operation of an Application did: Argo CD's phase and message, the revision, the failed hooks. */
export interface LastOperation {
  /** Running, Succeeded, Failed, Error or Terminating. */
  phase: string;
  /** The revision the operation synced to (syncResult.revision). */
  revision?: string;
  message?: string;
  /** Each hook (or resource) whose result failed, with Argo CD's message: e.g. `Job berrys-staging/smoke-test (PostSync hook) Failed: …`. */
  failed: string[];
}

/** Hook phases and resource results that mean a failure (gitops-engine's OperationPhase and ResultCode). */
const failedPhases = ['Failed', 'Error'];
const failedResults = ['SyncFailed'];

/** The last sync operation of an Application, or undefined when Argo CD records none. */
function lastOperation(app: Application): LastOperation | undefined {
  const op = app.status?.operationState;
  if (!op?.phase) return undefined;
  const failed = (op.syncResult?.resources ?? [])
    .filter((r) => failedPhases.includes(r.hookPhase ?? '') || failedResults.includes(r.status ?? ''))
    .map((r) => {
      const what = `${r.kind ?? 'resource'} ${r.namespace ? `${r.namespace}/` : ''}${r.name ?? ''}${r.hookType ? ` (${r.hookType} hook)` : ''}`;
      return `${what} ${r.hookType ? r.hookPhase : r.status}${r.message ? `: ${r.message}` : ''}`;
    });
  return { phase: op.phase, revision: op.syncResult?.revision || undefined, message: op.message || undefined, failed };
}

/**
 * Why the last sync operation does not show a success at `revision`, in Argo CD's words; [] when it does. A hook
 * that failed fails the operation (Argo CD reports its phase Failed), but its own message says what failed.
 */
export function operationProblems(operation: LastOperation | undefined, revision: string | undefined): string[] {
  if (!operation) return ['has no sync operation recorded, so whether its sync and hooks succeeded is unknown'];
  const problems: string[] = [];
  if (operation.phase !== 'Succeeded') problems.push(`last sync ${operation.phase}${operation.message ? `: ${operation.message}` : ''}`);
  for (const f of operation.failed) problems.push(`hook or resource ${f}`);
  if (revision !== undefined && operation.revision !== revision)
    problems.push(`last sync ran at ${operation.revision?.slice(0, 7) ?? 'no revision'}, not at ${revision.slice(0, 7)}`);
  return problems;
}

/**
 * Finds the tag of `image` (repository path without registry, e.g. `berrys/api-gateway`) in the Application's
 * image list (status.summary.images, e.g. `3333.dkr.ecr…/berrys/api-gateway:1.9.0`). A digest suffix is ignored.
 * When its pods run more than one tag (a rollout under way, a pod whose image was changed live), all of them,
 * sorted and joined with " and ": that is never equal to one expected version, so no check passes on the first alone.
 */
export function imageTag(images: readonly string[] | undefined, image: string | undefined): string | undefined {
  const tags = new Set<string>();
  for (const text of images ?? []) {
    const ref = parseImage(text);
    if (ref.tag === undefined) continue;
    if (image === undefined || ref.repository === image || ref.repository.endsWith(`/${image}`)) tags.add(ref.tag);
  }
  return tags.size === 0 ? undefined : [...tags].sort().join(' and ');
}

export function applicationState(app: Application, image: string | undefined): ApplicationState {
  return {
    sync: app.status?.sync?.status || 'Unknown',
    health: app.status?.health?.status || 'Unknown',
    revision: app.status?.sync?.revision || undefined,
    version: imageTag(app.status?.summary?.images, image),
    images: app.status?.summary?.images ?? [],
    ...(app.status?.operationState?.phase ? { operation: lastOperation(app) } : {}),
  };
}

/** Why an app's running version is not known: Argo CD lists no image at all, or none of the app's. */
export function versionUnknownReason(state: ApplicationState): string {
  return state.images?.length === 0 ? 'Argo CD reports no images' : 'running image not found';
}

/**
 * The part of an Application that its reasons come from: satisfied by the generated API type and by an Application
 * read from the Kubernetes API (the e2e's `kubectl get applications -o json`), so both read reasons one way.
 */
export interface ApplicationStatusView {
  status?: {
    conditions?: { type?: string; message?: string }[];
    operationState?: { phase?: string; message?: string };
    health?: { message?: string };
    resources?: { kind?: string; namespace?: string; name?: string; health?: { status?: string; message?: string } }[];
  };
}

/**
 * Argo CD's own words for why an Application is not Synced and Healthy: its conditions (a ComparisonError such as
 * `failed running helm: …`), the last sync operation when it did not succeed, and the health message of the
 * Application and of each resource that is not Healthy. Argo CD 3 no longer fills the Application's health message
 * (deprecated in AppHealthStatus), so the resources' messages carry the health reason; the API server fills them in
 * on GET from its resource tree (`inferResourcesStatusHealth` in server/application/application.go).
 */
export function notReadyReasons(app: ApplicationStatusView): string[] {
  const status = app.status;
  const reasons: string[] = [];
  for (const c of status?.conditions ?? []) if (c.message) reasons.push(`${c.type ?? 'condition'}: ${c.message}`);
  const op = status?.operationState;
  if (op?.phase && op.phase !== 'Succeeded' && op.message) reasons.push(`sync ${op.phase}: ${op.message}`);
  if (status?.health?.message) reasons.push(`health: ${status.health.message}`);
  for (const r of status?.resources ?? []) {
    const health = r.health?.status;
    if (health && health !== 'Healthy' && r.health?.message) reasons.push(`${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name} ${health}: ${r.health.message}`);
  }
  return reasons;
}

/** Synced, Healthy, and (when a revision is wanted) at that revision; a short wanted id matches its full id. */
export function isReady(state: ApplicationState, revision?: string): boolean {
  if (state.sync !== 'Synced' || state.health !== 'Healthy') return false;
  return revision === undefined || (state.revision !== undefined && state.revision.startsWith(revision));
}
