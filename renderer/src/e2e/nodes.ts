/**
 * The fake nodes kwok runs for a cluster, derived from its rendered Deployments: one node per zone for every
 * distinct nodeSelector, labelled exactly as the Deployments select (node group, zone, host name), so the scheduler
 * places the pods where the real cluster would and topology spread is exercised for real. Pure.
 */
import { kwokNodeAnnotation, resourceMetricsPath, resourceMetricsPathAnnotation } from './components.js';
import type { NodeGroup } from '../render/node-groups.js';

export interface DeploymentLike {
  metadata: { name: string; namespace?: string };
  spec?: { template?: { spec?: { nodeSelector?: Record<string, string> } } };
}

export interface FakeNode {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: { taints: never[] };
  status: { allocatable: Record<string, string>; capacity: Record<string, string> };
}

export const zoneLabel = 'topology.kubernetes.io/zone';
export const hostnameLabel = 'kubernetes.io/hostname';

/** `us-east-1` → `us-east-1a`, `-b`, `-c`: three zones, as the platform spreads replicas over three. */
export function zonesOf(region: string, count = 3): string[] {
  return Array.from({ length: count }, (_, i) => `${region}${String.fromCharCode(97 + i)}`);
}

/** Sorted, de-duplicated nodeSelectors of the Deployments; `{}` when a Deployment selects nothing. */
export function nodeSelectors(deployments: readonly DeploymentLike[]): Record<string, string>[] {
  const seen = new Map<string, Record<string, string>>();
  for (const d of deployments) {
    const sel = d.spec?.template?.spec?.nodeSelector ?? {};
    const sorted = Object.fromEntries(Object.entries(sel).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    seen.set(JSON.stringify(sorted), sorted);
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}

/** A node name from the selector values and the zone: `kwok-memory-us-east-1a`, `kwok-us-east-1a`. */
function nodeName(selector: Record<string, string>, zone: string): string {
  const parts = ['kwok', ...Object.values(selector), zone].map((p) => p.toLowerCase().replace(/[^a-z0-9-]/g, '-'));
  return parts.join('-').slice(0, 63).replace(/-+$/, '');
}

/** The fake nodes for `deployments` in `region`; big enough that capacity never decides where a pod goes. */
export function fakeNodes(deployments: readonly DeploymentLike[], region: string): FakeNode[] {
  const capacity = { cpu: '32', memory: '128Gi', pods: '110' };
  return nodeSelectors(deployments).flatMap((selector) =>
    zonesOf(region).map((zone) => {
      const name = nodeName(selector, zone);
      return {
        apiVersion: 'v1' as const,
        kind: 'Node' as const,
        metadata: {
          name,
          labels: { ...selector, [zoneLabel]: zone, [hostnameLabel]: name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
          annotations: { [kwokNodeAnnotation]: 'fake', 'node.alpha.kubernetes.io/ttl': '0', [resourceMetricsPathAnnotation]: resourceMetricsPath(name) },
        },
        spec: { taints: [] },
        status: { allocatable: capacity, capacity },
      };
    }),
  );
}

/** What a rehearsal needs of one node group: render/node-groups.ts's own type, without the source locations. */
export type NodeGroupShape = Omit<NodeGroup, 'at'>;

/**
 * The kwok nodes of a rehearsal: for every node group, `maxNodes` (or `minNodes`) nodes with the instance type's
 * allocatable CPU and memory, the node-group label the Deployments select (`labelKey`) and the instance-type label,
 * spread round-robin over the group's zones (a, b, c, a, …) as the cluster autoscaler's balanced groups would.
 * Pods per node: 110, EKS's default without prefix delegation is lower for small instances, which a rehearsal
 * reports rather than guesses. Throws when a group has no zones (the capacity check needs them too).
 */
export function nodeGroupNodes(groups: readonly NodeGroupShape[], labelKey: string, size: 'max' | 'min' = 'max'): FakeNode[] {
  return groups.flatMap((g) => {
    if (g.zones.length === 0) throw new Error(`node group ${g.name}: the cluster declares no zones; a rehearsal spreads nodes over them`);
    const count = size === 'max' ? g.maxNodes : g.minNodes;
    const capacity = { cpu: `${g.allocatable.cpuMillis}m`, memory: `${Math.floor(g.allocatable.memoryBytes / 1024)}Ki`, pods: '110' };
    return Array.from({ length: count }, (_, i) => {
      const zone = g.zones[i % g.zones.length]!;
      const name = `kwok-${g.name}-${zone}-${Math.floor(i / g.zones.length) + 1}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
      return {
        apiVersion: 'v1' as const,
        kind: 'Node' as const,
        metadata: {
          name,
          labels: {
            [labelKey]: g.name,
            'node.kubernetes.io/instance-type': g.instanceType,
            [zoneLabel]: zone,
            'topology.kubernetes.io/region': zone.replace(/[a-z]$/, ''),
            [hostnameLabel]: name,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            type: 'kwok',
          },
          annotations: { [kwokNodeAnnotation]: 'fake', 'node.alpha.kubernetes.io/ttl': '0', [resourceMetricsPathAnnotation]: resourceMetricsPath(name) },
        },
        spec: { taints: [] },
        status: { allocatable: capacity, capacity },
      };
    });
  });
}
