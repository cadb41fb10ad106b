/**
 * The one reader of a cluster's node groups (overlays/<env>/environment.yaml `nodeGroups`, and the cluster's
 * `zones`): what the capacity check sizes against, and what a rehearsal makes its fake nodes from. Pure.
 */
import type { SourceLocation } from '../errors.js';
import type { DataPath } from '../source.js';
import type { ResolvedCluster } from './merge.js';
import { parseQuantity } from './kube-rules.js';

/** One node group of one cluster, with numbers instead of quantities. */
export interface NodeGroup {
  name: string;
  instanceType: string;
  /** What one node offers pods: CPU in millicores, memory in bytes. */
  allocatable: { cpuMillis: number; memoryBytes: number };
  minNodes: number;
  maxNodes: number;
  /** The cluster's zones, which the group spans. */
  zones: string[];
  /** Where a field of the group is declared. */
  at(field: DataPath): SourceLocation;
}

/** The node groups of a cluster, sorted by name; none on a cluster without them (a laptop). */
export function nodeGroupsOf(cluster: ResolvedCluster): NodeGroup[] {
  const groups = cluster.env.nodeGroups;
  if (!groups) return [];
  const source = cluster.envSource;
  return Object.keys(groups)
    .sort()
    .map((name) => {
      const g = groups[name]!;
      return {
        name,
        instanceType: g.instanceType,
        allocatable: { cpuMillis: Math.round(parseQuantity(g.allocatable.cpu)! * 1000), memoryBytes: parseQuantity(g.allocatable.memory)! },
        minNodes: g.minNodes,
        maxNodes: g.maxNodes,
        zones: cluster.spec.zones ?? [],
        at: (field: DataPath) => ({ file: source.file, ...source.locate(['nodeGroups', name, ...field]) }),
      };
    });
}
