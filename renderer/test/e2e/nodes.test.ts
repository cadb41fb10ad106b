import { describe, expect, it } from 'vitest';
import { fakeNodes, nodeGroupNodes, nodeSelectors, zonesOf } from '../../src/e2e/nodes.js';

const deployment = (name: string, nodeSelector?: Record<string, string>) => ({ metadata: { name }, spec: { template: { spec: { nodeSelector } } } });

describe('fake nodes for kwok', () => {
  it('makes three zones of the region', () => {
    expect(zonesOf('us-east-1')).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
  });

  it('makes one node per zone for every distinct nodeSelector, labelled as the Deployments select', () => {
    const nodes = fakeNodes(
      [deployment('a', { 'berrys.io/node-group': 'memory' }), deployment('b', { 'berrys.io/node-group': 'memory' }), deployment('c', { 'berrys.io/node-group': 'general' })],
      'eu-west-1',
    );
    expect(nodes.map((n) => n.metadata.name)).toEqual([
      'kwok-general-eu-west-1a',
      'kwok-general-eu-west-1b',
      'kwok-general-eu-west-1c',
      'kwok-memory-eu-west-1a',
      'kwok-memory-eu-west-1b',
      'kwok-memory-eu-west-1c',
    ]);
    expect(nodes[3]!.metadata.labels).toMatchObject({
      'berrys.io/node-group': 'memory',
      'topology.kubernetes.io/zone': 'eu-west-1a',
      'kubernetes.io/hostname': 'kwok-memory-eu-west-1a',
    });
    expect(nodes[3]!.metadata.annotations['kwok.x-k8s.io/node']).toBe('fake');
  });

  it('makes plain zone nodes when no Deployment selects a node group, as in the laptop cluster', () => {
    expect(nodeSelectors([deployment('a'), deployment('b', {})])).toEqual([{}]);
    expect(fakeNodes([deployment('a')], 'local').map((n) => n.metadata.name)).toEqual(['kwok-locala', 'kwok-localb', 'kwok-localc']);
  });
});

describe('rehearsal nodes from the node groups the capacity check sizes against', () => {
  const general = {
    name: 'general',
    instanceType: 't3.xlarge',
    allocatable: { cpuMillis: 3920, memoryBytes: 14400 * 1024 * 1024 },
    minNodes: 2,
    maxNodes: 5,
    zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  };

  it("makes the group's maximum of nodes, spread over its zones, with the instance's allocatable and the group label", () => {
    const nodes = nodeGroupNodes([general], 'berrys.io/node-group');
    expect(nodes.map((n) => n.metadata.name)).toEqual([
      'kwok-general-us-east-1a-1',
      'kwok-general-us-east-1b-1',
      'kwok-general-us-east-1c-1',
      'kwok-general-us-east-1a-2',
      'kwok-general-us-east-1b-2',
    ]);
    expect(nodes[0]!.status.allocatable).toEqual({ cpu: '3920m', memory: '14745600Ki', pods: '110' });
    expect(nodes[4]!.metadata.labels).toMatchObject({
      'berrys.io/node-group': 'general',
      'node.kubernetes.io/instance-type': 't3.xlarge',
      'topology.kubernetes.io/zone': 'us-east-1b',
      'topology.kubernetes.io/region': 'us-east-1',
    });
    expect(nodes[0]!.metadata.annotations['metrics.k8s.io/resource-metrics-path']).toBe('/metrics/nodes/kwok-general-us-east-1a-1/metrics/resource');
  });

  it('makes the minimum when asked, as the autoscaler starts', () => {
    expect(nodeGroupNodes([general], 'berrys.io/node-group', 'min')).toHaveLength(2);
  });

  it('refuses a group without zones', () => {
    expect(() => nodeGroupNodes([{ ...general, zones: [] }], 'berrys.io/node-group')).toThrow(/node group general: the cluster declares no zones/);
  });
});
