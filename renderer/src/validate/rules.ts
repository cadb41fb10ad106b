/**
 * Validate's side of the policy engine (policy/): the one list of rules, each run over a cluster's parsed manifests,
 * a finding located at the line of the rendered file. `npm run validate` runs `rules`; the chart check runs some of
 * them on each add-on's `helm template` output.
 */
import type { IndexCluster } from '../cluster-index.js';
import * as objectRules from '../policy/object-rules.js';
import { runRule, type PolicyObject, type PolicyRule } from '../policy/rule.js';
import { policyRules } from '../policy/rules.js';
import * as spanningRules from '../policy/spanning-rules.js';
import type { Finding } from './findings.js';
import type { Manifest } from '../manifests.js';

export { writableRootAnnotation } from '../policy/object-rules.js';

export interface RuleContext {
  cluster: IndexCluster;
  /** Every document rendered for the cluster. */
  manifests: readonly Manifest[];
  /** Pinned Kubernetes version, "1.36.3". */
  kubernetesVersion: string;
}

export interface Rule {
  id: string;
  title: string;
  /** Why the rule exists, in a sentence or two; printed by --format json and in the README. */
  explanation: string;
  check(ctx: RuleContext): Finding[];
}

// One PolicyObject per manifest, made once however many rules read it.
const asPolicy = new WeakMap<Manifest, PolicyObject>();
function policyObjectOf(m: Manifest): PolicyObject {
  let o = asPolicy.get(m);
  if (!o) {
    const slash = m.file.lastIndexOf('/');
    o = { object: m.object, folder: slash === -1 ? '' : m.file.slice(0, slash), madeBy: m.file, locate: (path) => ({ file: m.file, line: m.lineOf(path) }) };
    asPolicy.set(m, o);
  }
  return o;
}

/** A policy rule as validate runs it: over manifests, each finding with a line. */
function forValidate(rule: PolicyRule): Rule {
  return {
    id: rule.id,
    title: rule.title,
    explanation: rule.explanation,
    check: (ctx) =>
      runRule(rule, { cluster: ctx.cluster, objects: ctx.manifests.map(policyObjectOf), kubernetesVersion: ctx.kubernetesVersion }).map((f) => ({
        file: f.file,
        line: f.line ?? 1,
        rule: f.rule,
        message: f.message,
        ...(f.hint ? { hint: f.hint } : {}),
      })),
  };
}

export const imageTagPinned = forValidate(objectRules.imageTagPinned);
export const resourcesSet = forValidate(objectRules.resourcesSet);
export const probesSet = forValidate(objectRules.probesSet);
export const podSecurityRestricted = forValidate(objectRules.podSecurityRestricted);
export const noSecretData = forValidate(objectRules.noSecretData);
export const deprecatedApi = forValidate(objectRules.deprecatedApi);
export const recommendedLabelsSet = forValidate(objectRules.recommendedLabelsSet);
export const chartPodResources = forValidate(objectRules.chartPodResources);
export const highAvailabilityReplicas = forValidate(spanningRules.highAvailabilityReplicas);
export const podDisruptionBudget = forValidate(spanningRules.podDisruptionBudget);
export const defaultDenyNetworkPolicy = forValidate(spanningRules.defaultDenyNetworkPolicy);
export const serviceSelectsWorkload = forValidate(spanningRules.serviceSelectsWorkload);

/** Every policy rule `npm run validate` runs, in report order: the whole list of policy/rules.ts. */
export const rules: readonly Rule[] = policyRules.map(forValidate);

/** Runs every rule over one cluster. */
export function checkPolicies(ctx: RuleContext, ruleList: readonly Rule[] = rules): Finding[] {
  return ruleList.flatMap((r) => r.check(ctx));
}
