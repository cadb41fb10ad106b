/**
 * The one list of policy rules. The render's check stage (render/check.ts) runs those whose stages name `render`,
 * `npm run validate` (validate/rules.ts) those that name `validate`, and adds kubeconform, the chart check and the
 * secret scan. The rules on the render's Argo CD wiring (duplicates, Applications ↔ folders and projects) run at
 * render only: validate's test fixtures still hold Applications of an older layout.
 */
import type { PolicyRule, Stage } from './rule.js';
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

/** Every policy rule, in report order. */
const policyRules: readonly PolicyRule[] = [
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

/** The rules one stage runs, in list order. */
export function rulesOf(stage: Stage): PolicyRule[] {
  return policyRules.filter((r) => r.stages.includes(stage));
}
