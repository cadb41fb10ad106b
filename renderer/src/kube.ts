/**
 * Kubernetes facts every part of the repository shares, each stated once: the object type, where each workload
 * kind keeps its pod template, and how an image reference splits.
 */

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

/** How a person reads the version part of a reference: `1.9.0`, `1.9.0@sha256:…`, `sha256:…`, or `(no tag)`. */
export function imageVersion(ref: ImageReference): string {
  if (ref.tag !== undefined && ref.digest !== undefined) return `${ref.tag}@${ref.digest}`;
  return ref.tag ?? ref.digest ?? '(no tag)';
}
