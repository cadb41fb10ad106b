/**
 * The policy engine: rules of the form (cluster, objects) → located findings, one list (rules.ts) run by
 * `npm run validate` (validate/rules.ts, on whatever is under clusters/) and, for the rules marked `atRender`, by the
 * render's check stage (render/check.ts, before anything is written). Each stage hands the rules its objects with its own way of locating a finding:
 * the render points at the input that shaped the object (the output is not edited by hand), validate at the line of
 * the rendered file. The rules themselves never know which stage runs them.
 *
 * A rule is declared per object (it reads one object at a time, so an edit need only re-check the objects it
 * changed) or spanning (it relates objects of one cluster: duplicates, selectors, Applications and their folders).
 */
import type { SourceLocation } from '../errors.js';
import type { IndexCluster } from '../cluster-index-schema.js';
import type { UncheckedObject } from '../kube.js';
import type { DataPath } from '../source.js';

/** The cluster a rule judges: what clusters/index.json says of it, which the render knows before it writes the index. */
export type PolicyCluster = Pick<IndexCluster, 'name' | 'environment' | 'role' | 'namespace' | 'highAvailability' | 'pinnedVersions'>;

/**
 * Which input a finding blames at render, where one object has several: `field` the input line that decided the
 * field (else the app file), `application` an Argo CD Application's deciding input (else its overlay),
 * `input` the app or overlay file that produced the object, `overlay` the overlay. Validate has one answer for all:
 * the line of the rendered file.
 */
export type Blame = 'field' | 'application' | 'input' | 'overlay';

/** One object as a rule sees it. */
export interface PolicyObject {
  object: UncheckedObject;
  /** The repository folder the object is written to (clusters/<cluster>/…). */
  folder: string;
  /** What made the object, for messages: its template at render, its rendered file in validate. */
  madeBy: string;
  /** Where a finding about the field at `path` is reported. */
  locate(path: DataPath, blame?: Blame): SourceLocation;
}

export interface PolicyContext {
  cluster: PolicyCluster;
  /** Every object rendered for the cluster. */
  objects: readonly PolicyObject[];
  /** Pinned Kubernetes version, "1.36.3"; validate reads it from the pins, the render does not (no rule it runs needs it). */
  kubernetesVersion?: string;
}

export interface PolicyFinding extends SourceLocation {
  rule: string;
  message: string;
  hint?: string;
}

interface RuleDescription {
  id: string;
  title: string;
  /** Why the rule exists, in a sentence or two; printed by validate --format json and in the README. */
  explanation: string;
  /**
   * Whether the render's check stage runs the rule too. `npm run validate` runs every rule, on clusters/ as
   * committed; the render runs those the API server or Argo CD would refuse anyway, and refuses an object that breaks
   * one before anything is written.
   */
  atRender: boolean;
}

export interface ObjectRule extends RuleDescription {
  scope: 'object';
  check(ctx: PolicyContext, o: PolicyObject): PolicyFinding[];
}

export interface SpanningRule extends RuleDescription {
  scope: 'spanning';
  check(ctx: PolicyContext): PolicyFinding[];
}

export type PolicyRule = ObjectRule | SpanningRule;

/** A finding about `path` of `o`, located the way the running stage locates. */
export function findingAt(o: PolicyObject, rule: string, path: DataPath, message: string, hint?: string, blame?: Blame): PolicyFinding {
  return { ...o.locate(path, blame), rule, message, ...(hint ? { hint } : {}) };
}

/**
 * Runs one rule over one cluster: a spanning rule once, a per-object rule over each object in turn, or only over
 * those `changed` admits (an edit: the others passed the same rule under the same policy before).
 */
export function runRule(rule: PolicyRule, ctx: PolicyContext, changed?: (o: PolicyObject) => boolean): PolicyFinding[] {
  if (rule.scope === 'spanning') return rule.check(ctx);
  const findings: PolicyFinding[] = [];
  for (const o of ctx.objects) if (!changed || changed(o)) for (const f of rule.check(ctx, o)) findings.push(f);
  return findings;
}

/** Runs every rule of `list` over one cluster, in list order. */
export function runPolicies(list: readonly PolicyRule[], ctx: PolicyContext, changed?: (o: PolicyObject) => boolean): PolicyFinding[] {
  return list.flatMap((rule) => runRule(rule, ctx, changed));
}
