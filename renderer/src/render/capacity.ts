/**
 * Merge-stage rule and report: the apps pinned to a node group fit its nodes. Refuses a group whose pods at their
 * minimum replicas (HPA minimums) cannot be scheduled on its maximum nodes under the zone spread the pods ask for
 * (`whenUnsatisfiable: DoNotSchedule`, maxSkew 1), and reports each group's headroom at the pods' maximum replicas
 * (clusters/index.json `capacity`). Pure.
 *
 * The model, stated once: the group's maximum nodes are spread over the cluster's zones as evenly as the Auto
 * Scaling group does (the smaller zones get one node less); under zone spread each zone takes ⌊R/Z⌋ or ⌈R/Z⌉ of an
 * app's R pods, and the extra pods go to the smallest zones (the worst the scheduler may do); pods without spread go
 * anywhere. Pods are placed first-fit by decreasing CPU on nodes offering the group's allocatable CPU and memory.
 * Only the apps are counted: DaemonSets and add-ons on the same nodes are not (docs/environments.md, Capacity).
 */
import type { Problem } from '../errors.js';
import type { ResolvedApp, ResolvedCluster } from './merge.js';
import { nodeGroupsOf, type NodeGroup } from './node-groups.js';
import { parseQuantity } from './kube-rules.js';

/** A node group's figures at its apps' maximum replicas, as clusters/index.json reports them. */
export interface GroupCapacity {
  nodeGroup: string;
  instanceType: string;
  maxNodes: number;
  zones: number;
  /** Requests of the group's pods at their maximum replicas, what its maximum nodes offer, and the difference. */
  cpuMillicores: { requested: number; allocatable: number; headroom: number };
  memoryMiB: { requested: number; allocatable: number; headroom: number };
  /** Whether those pods can be scheduled under their zone spread on the maximum nodes. */
  schedulableAtMaximum: boolean;
}

interface Demand {
  app: ResolvedApp;
  cpuMillis: number;
  memoryBytes: number;
  replicas: number;
  spread: boolean;
}

const mib = 2 ** 20;

function demandOf(app: ResolvedApp, at: 'minimum' | 'maximum'): Demand {
  const s = app.settings;
  const requests = s.resources.requests ?? {};
  const replicas = s.autoscaling.enabled ? (at === 'minimum' ? s.autoscaling.minReplicas : s.autoscaling.maxReplicas) : s.replicas;
  return {
    app,
    cpuMillis: Math.round((parseQuantity(requests.cpu) ?? 0) * 1000),
    memoryBytes: parseQuantity(requests.memory) ?? 0,
    replicas,
    spread: s.zoneSpread,
  };
}

/** Nodes per zone, smallest zones first: the maximum spread over the zones as evenly as it goes. */
function nodesPerZone(group: NodeGroup): number[] {
  const z = group.zones.length;
  return group.zones
    .map((_, i) => Math.floor(group.maxNodes / z) + (i < group.maxNodes % z ? 1 : 0))
    .filter((n) => n > 0)
    .sort((a, b) => a - b);
}

/** The first app with a pod that finds no node, and the zone it was bound to, or undefined when all fit. */
function unplaced(group: NodeGroup, demands: Demand[]): { app: ResolvedApp; zone?: number } | undefined {
  const zones = nodesPerZone(group).map((count) => Array.from({ length: count }, () => ({ cpu: group.allocatable.cpuMillis, memory: group.allocatable.memoryBytes })));
  const pods: { demand: Demand; zone?: number }[] = [];
  for (const d of demands) {
    for (let zone = 0; d.spread && zone < zones.length; zone++) {
      const count = Math.floor(d.replicas / zones.length) + (zone < d.replicas % zones.length ? 1 : 0);
      for (let i = 0; i < count; i++) pods.push({ demand: d, zone });
    }
    for (let i = 0; !d.spread && i < d.replicas; i++) pods.push({ demand: d });
  }
  // Zone-bound pods first (they have one place to go), each kind by decreasing CPU, then memory, then name.
  const order = (p: { demand: Demand; zone?: number }) => [p.zone === undefined ? 1 : 0, -p.demand.cpuMillis, -p.demand.memoryBytes] as const;
  pods.sort((a, b) => {
    const [x, y] = [order(a), order(b)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || (a.demand.app.name < b.demand.app.name ? -1 : a.demand.app.name > b.demand.app.name ? 1 : 0);
  });
  // Full nodes leave the candidates, so that first fit stays fast with thousands of pods (the benchmark's).
  const smallest = { cpu: Math.min(...demands.map((d) => d.cpuMillis)), memory: Math.min(...demands.map((d) => d.memoryBytes)) };
  let anywhere: { cpu: number; memory: number }[] | undefined;
  for (const { demand, zone } of pods) {
    const candidates = zone === undefined ? (anywhere ??= zones.flat()) : zones[zone]!;
    const index = candidates.findIndex((n) => n.cpu >= demand.cpuMillis && n.memory >= demand.memoryBytes);
    if (index < 0) return { app: demand.app, ...(zone === undefined ? {} : { zone }) };
    const node = candidates[index]!;
    node.cpu -= demand.cpuMillis;
    node.memory -= demand.memoryBytes;
    if (node.cpu < smallest.cpu || node.memory < smallest.memory) candidates.splice(index, 1);
  }
  return undefined;
}

function total(demands: Demand[], of: (d: Demand) => number): number {
  return demands.reduce((sum, d) => sum + of(d) * d.replicas, 0);
}

/** The problems of a cluster's placements and the headroom of each of its node groups at maximum replicas. */
export function checkCapacity(cluster: ResolvedCluster): { problems: Problem[]; groups: GroupCapacity[] } {
  const groups = nodeGroupsOf(cluster);
  const problems: Problem[] = [];
  if (groups.length === 0) return { problems, groups: [] };
  const envFile = cluster.envSource;
  if (!cluster.spec.zones) {
    problems.push({
      file: envFile.file,
      ...envFile.locate(['clusters', cluster.clusterPosition, 'name']),
      message: `cluster '${cluster.name}' has node groups but no zones`,
      hint: "add zones: [<the availability zones of the cluster's private subnets>], which every node group spans",
    });
    return { problems, groups: [] };
  }
  const names = groups.map((g) => g.name);
  for (const app of cluster.apps) {
    if (names.includes(app.spec.nodeGroup)) continue;
    problems.push({
      file: envFile.file,
      ...envFile.locate(['nodeGroups'], true),
      message: `app '${app.name}' runs on node group '${app.spec.nodeGroup}' (${app.sources[0]}), which cluster '${cluster.name}' does not have`,
      hint: `node groups here: ${names.join(', ')}; declare it under nodeGroups or change the app's nodeGroup`,
    });
  }
  const report: GroupCapacity[] = [];
  for (const group of groups) {
    const apps = cluster.apps.filter((a) => a.spec.nodeGroup === group.name);
    const nodes = `${group.maxNodes} × ${group.instanceType} (${group.allocatable.cpuMillis}m CPU, ${Math.floor(group.allocatable.memoryBytes / mib)} MiB each) across ${group.zones.length} zones`;
    const atMinimum = apps.map((a) => demandOf(a, 'minimum'));
    const stuck = unplaced(group, atMinimum);
    if (stuck) {
      const d = atMinimum.find((x) => x.app === stuck.app)!;
      const where = stuck.zone === undefined ? '' : ' under zone spread (DoNotSchedule)';
      problems.push({
        ...group.at(['maxNodes']),
        message:
          `node group '${group.name}' of cluster '${cluster.name}' cannot schedule its apps at their minimum replicas: a pod of '${d.app.name}' ` +
          `(${d.cpuMillis}m CPU, ${Math.round(d.memoryBytes / mib)} MiB) finds no room${where} on ${nodes}; ` +
          `the group's pods request ${total(atMinimum, (x) => x.cpuMillis)}m CPU and ${Math.round(total(atMinimum, (x) => x.memoryBytes) / mib)} MiB`,
        hint: `raise maxNodes, pin some of ${apps.map((a) => `'${a.name}'`).join(', ')} to another node group (nodeGroup in apps/<app>.yaml), or lower their requests or minimum replicas`,
      });
    }
    const atMaximum = apps.map((a) => demandOf(a, 'maximum'));
    const cpu = { requested: total(atMaximum, (x) => x.cpuMillis), allocatable: group.allocatable.cpuMillis * group.maxNodes };
    const memory = { requested: Math.round(total(atMaximum, (x) => x.memoryBytes) / mib), allocatable: Math.floor((group.allocatable.memoryBytes * group.maxNodes) / mib) };
    report.push({
      nodeGroup: group.name,
      instanceType: group.instanceType,
      maxNodes: group.maxNodes,
      zones: group.zones.length,
      cpuMillicores: { ...cpu, headroom: cpu.allocatable - cpu.requested },
      memoryMiB: { ...memory, headroom: memory.allocatable - memory.requested },
      schedulableAtMaximum: unplaced(group, atMaximum) === undefined,
    });
  }
  return { problems, groups: report };
}
