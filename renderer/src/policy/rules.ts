/**
 * The one list of policy rules. `npm run validate` (validate/rules.ts) runs all of it and adds kubeconform, the chart
 * check and the secret scan; the render's check stage (render/check.ts) runs the rules marked `atRender`, the same
 * code on the same objects, so whatever the render refuses validate reports too.
 */
import type { PolicyRule } from './rule.js';
import {
  deprecatedApi,
  envNamesUnique,
  imageTagPinned,
  kubernetesNames,
  noSecretData,
  podSecurityRestricted,
  probesSet,
  recommendedLabelsSet,
  resourcesSet,
} from './object-rules.js';
import {
  applicationFolders,
  applicationProjects,
  defaultDenyNetworkPolicy,
  highAvailabilityReplicas,
  podDisruptionBudget,
  serviceSelectsWorkload,
  uniqueResources,
} from './spanning-rules.js';

/** Every policy rule, in report order: what validate runs. */
export const policyRules: readonly PolicyRule[] = [
  imageTagPinned,
  resourcesSet,
  probesSet,
  podSecurityRestricted,
  noSecretData,
  highAvailabilityReplicas,
  podDisruptionBudget,
  defaultDenyNetworkPolicy,
  serviceSelectsWorkload,
  deprecatedApi,
  recommendedLabelsSet,
  envNamesUnique,
  kubernetesNames,
  uniqueResources,
  applicationFolders,
  applicationProjects,
];

/** The rules the render's check stage runs, in list order. */
export const renderRules: readonly PolicyRule[] = policyRules.filter((r) => r.atRender);
