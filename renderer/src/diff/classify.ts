/**
 * Classifies a change by blast radius. Pure: two key-sorted objects in (undefined for the missing side),
 * categories, image changes and scaling changes out.
 */
import { podTemplatePaths } from '../kube.js';
import { canonicalJson, isObject, type Json, type JsonObject } from './canonical.js';
import type { Category, ImageChange, ScalingChange } from './types.js';
import { categoryOrder } from './types.js';

const replicaKinds = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'Rollout']);

/** Kinds where any change outside labels (and, except Ingress, annotations) changes who can reach or do what. */
const accessKinds = new Set(['Ingress', 'IngressClass', 'NetworkPolicy', 'Gateway', 'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'AppProject']);
const rbacGroup = 'rbac.authorization.k8s.io';

export interface Classification {
  categories: Category[];
  images: ImageChange[];
  scaling: ScalingChange[];
}

function get(obj: Json | undefined, path: readonly string[]): Json | undefined {
  let cur: Json | undefined = obj;
  for (const key of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

function same(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return canonicalJson(a) === canonicalJson(b);
}

function differs(base: JsonObject | undefined, head: JsonObject | undefined, path: readonly string[]): boolean {
  return !same(get(base, path), get(head, path));
}

function group(apiVersion: Json | undefined): string {
  return typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

function withoutMetadata(obj: JsonObject | undefined, keys: readonly string[]): JsonObject | undefined {
  if (!obj || !isObject(obj.metadata)) return obj;
  const metadata = { ...obj.metadata };
  for (const key of keys) delete metadata[key];
  return { ...obj, metadata };
}

function isAccessKind(obj: JsonObject): boolean {
  return accessKinds.has(String(obj.kind)) || group(obj.apiVersion) === rbacGroup;
}

/** Images by container name (init containers prefixed `init:`), from a pod template. */
function imagesOf(template: Json | undefined): Map<string, string> {
  const images = new Map<string, string>();
  for (const [field, prefix] of [
    ['initContainers', 'init:'],
    ['containers', ''],
  ] as const) {
    const list = get(template, ['spec', field]);
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (isObject(c) && typeof c.name === 'string' && typeof c.image === 'string') images.set(prefix + c.name, c.image);
    }
  }
  return images;
}

function imageChanges(base: Json | undefined, head: Json | undefined): ImageChange[] {
  const from = imagesOf(base);
  const to = imagesOf(head);
  const names = [...new Set([...from.keys(), ...to.keys()])].sort();
  return names.filter((n) => from.get(n) !== to.get(n)).map((container) => ({ container, from: from.get(container) ?? null, to: to.get(container) ?? null }));
}

function num(v: Json | undefined): number | null {
  return typeof v === 'number' ? v : null;
}

function scalingChanges(base: JsonObject | undefined, head: JsonObject | undefined, kind: string): ScalingChange[] {
  const fields = replicaKinds.has(kind) ? ['replicas'] : kind === 'HorizontalPodAutoscaler' ? ['minReplicas', 'maxReplicas'] : [];
  return fields.filter((f) => differs(base, head, ['spec', f])).map((field) => ({ field, from: num(get(base, ['spec', field])), to: num(get(head, ['spec', field])) }));
}

/** Whether a change reaches who can connect or what may act: Services' type and ports, routing, policies, RBAC, Argo CD destinations. */
function touchesAccess(base: JsonObject | undefined, head: JsonObject | undefined, obj: JsonObject): boolean {
  const kind = String(obj.kind);
  if (kind === 'Service') {
    return ['type', 'ports', 'loadBalancerSourceRanges', 'externalIPs', 'externalName'].some((f) => differs(base, head, ['spec', f]));
  }
  if (kind === 'Application' && group(obj.apiVersion) === 'argoproj.io') {
    return differs(base, head, ['spec', 'destination']) || differs(base, head, ['spec', 'project']);
  }
  if (isAccessKind(obj)) {
    // Ingress annotations configure the controller (TLS, auth, allow-lists), so only labels are cosmetic there.
    const cosmetic = kind === 'Ingress' ? ['labels'] : ['labels', 'annotations'];
    return !same(withoutMetadata(base, cosmetic), withoutMetadata(head, cosmetic));
  }
  return false;
}

/**
 * Categories of one change. For a changed resource, the specific ones (rolls pods, image, scaling, exposure)
 * come from the fields that differ; when none applies it is "metadata only" if nothing but labels and annotations
 * differ, and "config only" otherwise. An added or removed resource is "rolls pods" for a workload, "exposure"
 * for a Service, Application or access kind, and "config only" for anything else.
 */
export function classify(base: JsonObject | undefined, head: JsonObject | undefined): Classification {
  const obj = (head ?? base)!;
  const kind = String(obj.kind);
  const template = podTemplatePaths[kind];
  const categories = new Set<Category>();
  let images: ImageChange[] = [];
  let scaling: ScalingChange[] = [];
  if (!base || !head) {
    if (template) categories.add('rolls-pods');
    // A new workload's version is what a reviewer of a new app or environment looks for first.
    if (template && head) images = imageChanges(undefined, get(head, template));
    if (isAccessKind(obj) || kind === 'Service' || (kind === 'Application' && group(obj.apiVersion) === 'argoproj.io')) categories.add('exposure');
    if (categories.size === 0) categories.add('config');
  } else {
    if (template) {
      if (differs(base, head, template)) categories.add('rolls-pods');
      images = imageChanges(get(base, template), get(head, template));
      if (images.length > 0) categories.add('image');
    }
    scaling = scalingChanges(base, head, kind);
    if (scaling.length > 0) categories.add('scaling');
    if (touchesAccess(base, head, obj)) categories.add('exposure');
    if (categories.size === 0) {
      const onlyMetadata = same(withoutMetadata(base, ['labels', 'annotations']), withoutMetadata(head, ['labels', 'annotations']));
      categories.add(onlyMetadata ? 'metadata' : 'config');
    }
  }
  return { categories: categoryOrder.filter((c) => categories.has(c)), images, scaling };
}
