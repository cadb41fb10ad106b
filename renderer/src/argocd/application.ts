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
}

/**
 * Finds the tag of `image` (repository path without registry, e.g. `berrys/api-gateway`) in the Application's
 * image list (status.summary.images, e.g. `3333.dkr.ecr…/berrys/api-gateway:1.9.0`). A digest suffix is ignored.
 */
export function imageTag(images: readonly string[] | undefined, image: string | undefined): string | undefined {
  for (const text of images ?? []) {
    const ref = parseImage(text);
    if (ref.tag === undefined) continue;
    if (image === undefined || ref.repository === image || ref.repository.endsWith(`/${image}`)) return ref.tag;
  }
  return undefined;
}

export function applicationState(app: Application, image: string | undefined): ApplicationState {
  return {
    sync: app.status?.sync?.status || 'Unknown',
    health: app.status?.health?.status || 'Unknown',
    revision: app.status?.sync?.revision || undefined,
    version: imageTag(app.status?.summary?.images, image),
  };
}

/** Synced, Healthy, and (when a revision is wanted) at that revision; a short wanted id matches its full id. */
export function isReady(state: ApplicationState, revision?: string): boolean {
  if (state.sync !== 'Synced' || state.health !== 'Healthy') return false;
  return revision === undefined || (state.revision !== undefined && state.revision.startsWith(revision));
}
