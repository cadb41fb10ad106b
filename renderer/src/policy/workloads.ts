/** Reading workloads out of parsed objects: their pod template, containers, labels, and label selectors. */
import { get, isObj, kindOf, namespaceOf, podSpecPath, type Obj, type UncheckedObject } from '../kube.js';
import type { PolicyObject } from './rule.js';

/** Kinds that run long-lived pods behind Services, where probes make sense. */
export const servingKinds = ['Deployment', 'StatefulSet', 'DaemonSet'] as const;

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
      e.operator === 'In'
        ? has && values.includes(value!)
        : e.operator === 'NotIn'
          ? !has || !values.includes(value!)
          : e.operator === 'Exists'
            ? has
            : e.operator === 'DoesNotExist'
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

/** Whether a Service's plain `selector` map selects `labels`. */
export function serviceSelectorMatches(selector: Obj, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === String(v));
}

/** Objects of one kind (in one namespace, when given). */
export function ofKind(objects: readonly PolicyObject[], kind: string, namespace?: string): PolicyObject[] {
  return objects.filter((m) => kindOf(m.object) === kind && (namespace === undefined || namespaceOf(m.object) === namespace));
}
