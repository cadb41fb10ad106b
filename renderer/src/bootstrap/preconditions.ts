/**
 * What must hold in a cluster before Argo CD is pointed at it, as its environment declares (clusters/index.json
 * `preconditions`), judged from what the Kubernetes API shows. Pure: objects in, a verdict and its lines out.
 *
 * NetworkPolicies are only words unless something enforces them. On EKS that is the VPC CNI's network-policy
 * support, which takes two switches: the network-policy controller (ConfigMap kube-system/amazon-vpc-cni,
 * `enable-network-policy-controller: "true"`, read by the controller EKS runs in the control plane) and the node
 * agent (container `aws-eks-nodeagent` of DaemonSet kube-system/aws-node, with `--enable-network-policy=true`).
 * https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy-configure.html
 */
import type { IndexCluster } from '../cluster-index.js';

export const vpcCni = {
  namespace: 'kube-system',
  daemonSet: 'aws-node',
  agentContainer: 'aws-eks-nodeagent',
  agentFlag: '--enable-network-policy=true',
  configMap: 'amazon-vpc-cni',
  controllerKey: 'enable-network-policy-controller',
} as const;

export interface EnforcementVerdict {
  enforced: boolean;
  /** What was seen, one phrase per switch, for the output. */
  seen: string[];
}

/** Whether the VPC CNI enforces NetworkPolicies, from its DaemonSet and ConfigMap (undefined: not found). */
export function judgeVpcCni(daemonSet: unknown, configMap: unknown): EnforcementVerdict {
  const ds = `DaemonSet ${vpcCni.namespace}/${vpcCni.daemonSet}`;
  const cm = `ConfigMap ${vpcCni.namespace}/${vpcCni.configMap}`;
  const seen: string[] = [];
  let agent = false;
  if (daemonSet === undefined) {
    seen.push(`${ds} does not exist (is this an EKS cluster with the VPC CNI?)`);
  } else {
    const containers = (daemonSet as { spec?: { template?: { spec?: { containers?: Array<{ name?: string; args?: string[] }> } } } }).spec?.template?.spec?.containers ?? [];
    const container = containers.find((c) => c.name === vpcCni.agentContainer);
    agent = Boolean(container?.args?.includes(vpcCni.agentFlag));
    seen.push(
      !container
        ? `${ds} has no ${vpcCni.agentContainer} container (VPC CNI older than v1.14?)`
        : agent
          ? `${ds} runs ${vpcCni.agentContainer} with ${vpcCni.agentFlag}`
          : `${ds} runs ${vpcCni.agentContainer} without ${vpcCni.agentFlag}`,
    );
  }
  const value = configMap === undefined ? undefined : (configMap as { data?: Record<string, string> }).data?.[vpcCni.controllerKey];
  const controller = value === 'true';
  seen.push(configMap === undefined ? `${cm} does not exist` : `${cm} has ${vpcCni.controllerKey}: ${value === undefined ? '(unset)' : JSON.stringify(value)}`);
  return { enforced: agent && controller, seen };
}

/** `<account>.dkr.ecr.<region>.amazonaws.com` → its account and region; anything else → undefined. */
function ecrRegistry(registry: string): { account: string; region: string } | undefined {
  const m = /^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com$/.exec(registry);
  return m ? { account: m[1]!, region: m[2]! } : undefined;
}

/**
 * The image replication a standby depends on, as a check a person runs: it needs AWS credentials, and bootstrap talks
 * only to the Kubernetes API.
 */
export function imageReplicationCheck(replication: NonNullable<NonNullable<IndexCluster['preconditions']>['imageReplication']>): string {
  const from = ecrRegistry(replication.from);
  const to = ecrRegistry(replication.to);
  const how =
    from && to
      ? `aws ecr describe-registry --region ${from.region} --query 'replicationConfiguration.rules[].destinations[]' must list { region: ${to.region}, registryId: '${to.account}' }`
      : `check the registry replication from ${replication.from} to ${replication.to}`;
  return `manual check (needs AWS; bootstrap does not call it): images reach ${replication.to} by ECR replication from ${replication.from}: ${how}`;
}
