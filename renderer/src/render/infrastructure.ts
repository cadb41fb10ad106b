/**
 * Merge-stage rule: what a cluster must declare about the infrastructure it runs on, where the rendered output
 * depends on it or bootstrap checks it. Pure; run beside the capacity check (render.ts).
 *
 * - A cloud environment says what enforces its NetworkPolicies (bootstrap checks the cluster for it): without an
 *   enforcer every policy the renderer writes is silently decoration.
 * - A cluster pulling from its own registry says how the images get there: the versions are promoted once, into the
 *   primary's registry, and a standby that cannot pull them cannot fail over.
 * - A cluster with a load-balancing add-on gives the ALB's WAF web ACL and certificate (its VPC is a placeholder of
 *   the add-on's cloudValues, which the add-on stage checks).
 */
import type { Problem } from '../errors.js';
import { providerOf, type ResolvedCluster } from './merge.js';

/** Every missing declaration of `cluster`, each at the line to add it to. */
export function checkInfrastructure(cluster: ResolvedCluster): Problem[] {
  const problems: Problem[] = [];
  const env = cluster.env;
  const source = cluster.envSource;
  const at = (path: (string | number)[]) => ({ file: source.file, ...source.locate(path) });
  const clusterPath = ['clusters', cluster.clusterPosition];
  if (env.cloud !== false && env.networkPolicyEnforcement === undefined && cluster.clusterPosition === 0) {
    problems.push({
      ...at(['name']),
      message: `environment '${cluster.environment}' runs in the cloud but does not say what enforces its NetworkPolicies`,
      hint: "add networkPolicyEnforcement: vpc-cni (the EKS VPC CNI's network-policy agent, which npm run bootstrap checks for)",
    });
  }
  const registry = cluster.spec.imageRegistry;
  if (registry !== undefined && registry !== env.imageRegistry && !cluster.spec.imageReplication) {
    problems.push({
      ...at([...clusterPath, 'imageRegistry']),
      message: `cluster '${cluster.name}' pulls from its own registry ${registry}, but nothing says how the images get there`,
      hint: `add imageReplication: { from: ${env.imageRegistry}, mechanism: ecr-replication } to the cluster (the infrastructure code configures the replication; bootstrap prints the check)`,
    });
  }
  const balancer = providerOf(cluster, 'load-balancing');
  if (balancer && env.cloud !== false) {
    if (!cluster.spec.loadBalancer) {
      problems.push({
        ...at([...clusterPath, 'name']),
        message: `cluster '${cluster.name}' installs ${balancer.spec.name}, but has no loadBalancer (the ALB's WAF web ACL and certificate)`,
        hint: "add loadBalancer: { wafAclArn: arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>, certificateArn: arn:aws:acm:<region>:<account>:certificate/<id> }, both in the cluster's region",
      });
    }
  }
  return problems;
}
