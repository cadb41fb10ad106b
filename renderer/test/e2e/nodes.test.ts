import { describe, expect, it } from 'vitest';
import { fakeNodes, nodeSelectors, zonesOf } from '../../src/e2e/nodes.js';

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
