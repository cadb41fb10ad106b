/** Shared wording of every output format: counts, labels of resources, images and scaling, grouping. */
import { imageVersion, parseImage } from '../kube.js';
import { appOrder } from './compare.js';
import { categoryLabel, categoryOrder, type Category, type Change, type DiffReport, type ImageChange, type ScalingChange, type Side } from './types.js';

export interface Counts {
  added: number;
  removed: number;
  changed: number;
}

export function countChanges(changes: readonly Change[]): Counts {
  const counts = { added: 0, removed: 0, changed: 0 };
  for (const c of changes) counts[c.action]++;
  return counts;
}

/** `3 changed, 1 added, 1 removed`, leaving out zeros. */
export function countsText(counts: Counts): string {
  const parts = [counts.changed ? `${counts.changed} changed` : '', counts.added ? `${counts.added} added` : '', counts.removed ? `${counts.removed} removed` : ''].filter(Boolean);
  return parts.join(', ') || 'no change';
}

/** Union of the categories of some changes, in display order. */
export function categoriesOf(changes: readonly Change[]): Category[] {
  const seen = new Set(changes.flatMap((c) => c.categories));
  return categoryOrder.filter((c) => seen.has(c));
}

export function categoriesText(categories: readonly Category[]): string {
  return categories.map((c) => categoryLabel[c]).join(', ');
}

/** `Deployment berrys-staging/api-gateway`, or `ClusterIssuer letsencrypt` for a cluster-scoped object. */
export function resourceLabel(c: Change): string {
  return `${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`;
}

/** `api-gateway: 1.8.3 → 1.9.0` when only the tag moves; whole references otherwise. */
export function imageText(i: ImageChange): string {
  if (i.from && i.to) {
    const a = parseImage(i.from);
    const b = parseImage(i.to);
    if (a.repository === b.repository) return `${i.container}: ${imageVersion(a)} → ${imageVersion(b)}`;
  }
  return `${i.container}: ${i.from ?? '(none)'} → ${i.to ?? '(none)'}`;
}

export function scalingText(s: ScalingChange): string {
  return `${s.field}: ${s.from ?? '(unset)'} → ${s.to ?? '(unset)'}`;
}

/** `main (a1b2c3d4e5f6, merge base of HEAD and main)`, `working tree`. */
export function sideText(side: Side): string {
  const extra = [side.commit && side.commit !== side.ref ? side.commit.slice(0, 12) : '', side.note ?? ''].filter(Boolean).join(', ');
  return extra ? `${side.ref} (${extra})` : side.ref;
}

export interface AppGroup {
  app: string;
  changes: Change[];
}
export interface EnvironmentGroup {
  environment: string;
  clusters: string[];
  apps: AppGroup[];
}

/** Changes grouped by environment (promotion order) then app; the report is already sorted that way. */
export function groupChanges(report: DiffReport): EnvironmentGroup[] {
  return report.environments.map((environment) => {
    const inEnv = report.changes.filter((c) => c.environment === environment);
    const apps = [...new Set(inEnv.map((c) => c.app))].sort(appOrder);
    return {
      environment,
      clusters: [...new Set(inEnv.map((c) => c.cluster))].sort(),
      apps: apps.map((app) => ({ app, changes: inEnv.filter((c) => c.app === app) })),
    };
  });
}

/** Every app with a change anywhere, in app order. */
export function appsOf(report: DiffReport): string[] {
  return [...new Set(report.changes.map((c) => c.app))].sort(appOrder);
}

/** Added and removed resources get a word of their own; removal is the surprise reviewers miss. */
export function actionText(c: Change): string {
  return c.action === 'removed' ? 'removed: Argo CD will prune it' : c.action;
}
