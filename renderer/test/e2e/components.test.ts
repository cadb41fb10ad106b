import { describe, expect, it } from 'vitest';
import { gatePodReadyOnReferences, metricsServerArgs, podCidr } from '../../src/e2e/components.js';

describe('metrics-server as a host process playing its pod', () => {
  const chartArgs = [
    '--secure-port=10250',
    '--cert-dir=/tmp',
    '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
    '--kubelet-use-node-status-port',
    '--metric-resolution=15s',
  ];

  it("keeps the chart's arguments and listens on the pod's own IP", () => {
    const args = metricsServerArgs(chartArgs, { podIp: '127.16.0.7', kubeconfig: '/s/kubeconfig', certDir: '/s/certs' });
    expect(args).toEqual([
      '--secure-port=10250',
      '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
      '--kubelet-use-node-status-port',
      '--metric-resolution=15s',
      '--bind-address=127.16.0.7',
      '--cert-dir=/s/certs',
      '--kubeconfig=/s/kubeconfig',
      '--authentication-kubeconfig=/s/kubeconfig',
      '--authorization-kubeconfig=/s/kubeconfig',
      '--kubelet-insecure-tls',
    ]);
  });

  it('replaces, never repeats, a flag the chart already sets', () => {
    const args = metricsServerArgs([...chartArgs, '--kubelet-insecure-tls', '--bind-address=0.0.0.0'], { podIp: '127.16.0.7', kubeconfig: 'k', certDir: 'c' });
    expect(args.filter((a) => a.startsWith('--bind-address'))).toEqual(['--bind-address=127.16.0.7']);
    expect(args.filter((a) => a === '--kubelet-insecure-tls')).toHaveLength(1);
  });

  it('gives pods addresses the API server accepts in EndpointSlices (not loopback)', () => {
    expect(podCidr).not.toMatch(/^127\./);
  });
});

describe("gating kwok's pod-ready stage on the rehearsal's reference check", () => {
  const stage = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-ready
spec:
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
`;
  it('adds one match expression on the annotation', () => {
    expect(gatePodReadyOnReferences(stage)).toContain(`    matchExpressions:
    - key: '.metadata.annotations."berrys.io/rehearsal-references"'
      operator: 'In'
      values:
      - 'present'
    - key: '.metadata.deletionTimestamp'`);
  });
  it('refuses a stage it cannot gate', () => {
    expect(() => gatePodReadyOnReferences('kind: Stage\nmetadata:\n  name: pod-delete\n')).toThrow(/pod-ready stage/);
  });
});
