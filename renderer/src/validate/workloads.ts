/** Reading workloads out of parsed objects: their pod template, containers, labels, and label selectors. */
import { podTemplatePaths, type UncheckedObject } from '../kube.js';
import type { DataPath, Manifest } from './manifests.js';

/** Where each workload kind keeps its pod spec: its pod template's `spec`. */
const podSpecPaths: Record<string, DataPath> = Object.fromEntries(Object.entries(podTemplatePaths).map(([kind, p]) => [kind, [...p, 'spec']]));

/** Kinds that run long-lived pods behind Services, where probes make sense. */
export const servingKinds = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;

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

/** Labels of the pods a workload creates. */
export function podLabels(o: UncheckedObject): Record<string, string> {
  const podPath = podSpecPath(o);
  if (!podPath) return {};
  const labels = get(o, [...podPath.slice(0, -1), 'metadata', 'labels']);
  return isObj(labels) ? (Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])) as Record<string, string>) : {};
}

/**
 * Whether a label selector ({matchLabels, matchExpressions}) selects `labels`. An empty selector selects everything,
 * as in Kubernetes' metav1.LabelSelectorAsSelector.
 */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (!isObj(selector)) return false;
  const matchLabels = isObj(selector.matchLabels) ? selector.matchLabels : {};
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== String(v)) return false;
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const e of expressions) {
    if (!isObj(e) || typeof e.key !== 'string') return false;
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const ok =
      e.operator === 'In' ? has && values.includes(value!) :
      e.operator === 'NotIn' ? !has || !values.includes(value!) :
      e.operator === 'Exists' ? has :
      e.operator === 'DoesNotExist' ? !has :
      false;
    if (!ok) return false;
  }
  return true;
}

/** Whether a Service's plain `selector` map selects `labels`. */
export function serviceSelectorMatches(selector: Obj, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === String(v));
}

/** Manifests of one kind in one namespace. */
export function ofKind(manifests: readonly Manifest[], kind: string, namespace?: string): Manifest[] {
  return manifests.filter((m) => kindOf(m.object) === kind && (namespace === undefined || namespaceOf(m.object) === namespace));
}
