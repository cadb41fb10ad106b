/**
 * Kubernetes facts every part of the repository shares, each stated once: the object type, where each workload
 * kind keeps its pod template and how to read its containers (the render's guard rails and validate's rules both
 * do), and how an image reference splits.
 */

import type { DataPath } from './source.js';

/** A Kubernetes object as the renderer makes it (checked in parse.ts). */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};

/** A KubeObject as read back from a file before anything is checked: each field may be missing or of another type. */
export type UncheckedObject = {
  [K in 'apiVersion' | 'kind']?: unknown;
} & {
  metadata?: { [K in keyof KubeObject['metadata']]?: unknown };
  [k: string]: unknown;
};

/**
 * The label an add-on's Argo CD Application carries for each capability it provides (base/addons.yaml `provides`):
 * how bootstrap finds Argo CD's own Application in the rendered argocd folder.
 */
export function providesLabel(capability: string): string {
  return `provides.berrys.io/${capability}`;
}

/** Where each workload kind keeps its pod template (a PodTemplateSpec: metadata and spec). */
export const podTemplatePaths: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  // Argo Rollouts keeps a Deployment's pod template.
  Rollout: ['spec', 'template'],
};

/** The parts of an image reference `[registry[:port]/]path[:tag][@digest]`. */
export interface ImageReference {
  /** Everything before the tag and digest: registry (with port) and path. */
  repository: string;
  tag?: string;
  /** e.g. `sha256:…`. */
  digest?: string;
}

/**
 * Splits an image reference. A colon before the last slash belongs to a registry port, not to a tag; no tag stays
 * no tag (the runtime would pull `latest`, which is exactly what the policy rules must be able to see).
 */
export function parseImage(ref: string): ImageReference {
  const at = ref.indexOf('@');
  const name = at < 0 ? ref : ref.slice(0, at);
  const digest = at < 0 ? undefined : ref.slice(at + 1);
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  return {
    repository: hasTag ? name.slice(0, colon) : name,
    ...(hasTag ? { tag: name.slice(colon + 1) } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/**
 * The image tag policy, written once: the render asks it of each version in versions.yaml (merge.ts, at that line)
 * and validate of each rendered image (rule image-tag-pinned). A digest pins; no tag never pins (the runtime would
 * pull 'latest'); 'latest' is refused where the environment sets pinnedVersions.
 */
export function unpinnedTag(ref: ImageReference, pinnedVersions: boolean): 'no tag' | 'latest' | undefined {
  if (ref.digest !== undefined) return undefined;
  if (ref.tag === undefined) return 'no tag';
  return ref.tag === 'latest' && pinnedVersions ? 'latest' : undefined;
}

/** How a person reads the version part of a reference: `1.9.0`, `1.9.0@sha256:…`, `sha256:…`, or `(no tag)`. */
export function imageVersion(ref: ImageReference): string {
  if (ref.tag !== undefined && ref.digest !== undefined) return `${ref.tag}@${ref.digest}`;
  return ref.tag ?? ref.digest ?? '(no tag)';
}

/** Where each workload kind keeps its pod spec: its pod template's `spec`. */
const podSpecPaths: Record<string, DataPath> = Object.fromEntries(Object.entries(podTemplatePaths).map(([kind, p]) => [kind, [...p, 'spec']]));

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function get(value: unknown, path: DataPath): unknown {
  let v = value;
  for (const s of path) {
    if (Array.isArray(v) && typeof s === 'number') v = v[s];
    else if (isObj(v)) v = v[String(s)];
    else return undefined;
  }
  return v;
}

export function kindOf(o: UncheckedObject): string {
  return typeof o.kind === 'string' ? o.kind : '';
}

export function nameOf(o: UncheckedObject): string {
  return typeof o.metadata?.name === 'string' ? o.metadata.name : '';
}

export function namespaceOf(o: UncheckedObject): string | undefined {
  return typeof o.metadata?.namespace === 'string' ? o.metadata.namespace : undefined;
}

/** "Deployment 'api-gateway'", how findings name an object. */
export function describe(o: UncheckedObject): string {
  return `${kindOf(o) || 'object'} '${nameOf(o)}'`;
}

/** The data path of the pod spec of a workload, or undefined for other kinds. */
export function podSpecPath(o: UncheckedObject): DataPath | undefined {
  return podSpecPaths[kindOf(o)];
}

export interface ContainerRef {
  container: Obj;
  name: string;
  path: DataPath;
  init: boolean;
}

/** Containers and init containers of a workload's pod spec, with their data paths. */
export function containersOf(o: UncheckedObject): ContainerRef[] {
  const podPath = podSpecPath(o);
  if (!podPath) return [];
  const out: ContainerRef[] = [];
  for (const field of ['initContainers', 'containers'] as const) {
    const list = get(o, [...podPath, field]);
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (isObj(c)) out.push({ container: c, name: typeof c.name === 'string' ? c.name : `#${i}`, path: [...podPath, field, i], init: field === 'initContainers' });
    });
  }
  return out;
}
