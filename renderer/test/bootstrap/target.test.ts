import { describe, expect, it } from 'vitest';
import { normalizeServerUrl, resolveTarget, type KubeConfigView } from '../../src/bootstrap/target.js';
import { thrown } from '../thrown.js';

const declared = { name: 'production', environment: 'production', apiServer: 'https://abc.gr7.us-east-1.eks.amazonaws.com' };

function view(server: string, currentContext = 'prod'): KubeConfigView {
  return {
    source: '/home/me/.kube/config',
    currentContext,
    contexts: [
      { name: 'prod', cluster: 'prod-cluster' },
      { name: 'dev', cluster: 'dev-cluster' },
    ],
    clusters: [
      { name: 'prod-cluster', server },
      { name: 'dev-cluster', server: 'https://dev.gr7.us-east-1.eks.amazonaws.com' },
    ],
  };
}

describe('normalizeServerUrl', () => {
  it.each([
    ['https://abc.example.com', 'https://abc.example.com'],
    ['https://abc.example.com/', 'https://abc.example.com'],
    ['https://abc.example.com:443', 'https://abc.example.com'],
    ['HTTPS://ABC.Example.COM:443/', 'https://abc.example.com'],
    ['https://abc.example.com:6443/', 'https://abc.example.com:6443'],
    ['http://abc.example.com:80/', 'http://abc.example.com'],
    ['https://abc.example.com/k8s/clusters/c-1/', 'https://abc.example.com/k8s/clusters/c-1'],
    [' not a url/ ', 'not a url'],
  ])('writes %j as %j', (input, expected) => {
    expect(normalizeServerUrl(input)).toBe(expected);
  });
});

describe('resolveTarget', () => {
  it.each([
    ['the same URL', 'https://abc.gr7.us-east-1.eks.amazonaws.com'],
    ['a trailing slash', 'https://abc.gr7.us-east-1.eks.amazonaws.com/'],
    ['an explicit :443', 'https://abc.gr7.us-east-1.eks.amazonaws.com:443'],
    ['an upper-case host', 'https://ABC.gr7.us-east-1.eks.amazonaws.com'],
  ])('accepts a context whose server is %s', (_, server) => {
    expect(resolveTarget(view(server), undefined, declared)).toEqual({ context: 'prod', server });
  });

  it('uses --context over the current context', () => {
    const v = view('https://abc.gr7.us-east-1.eks.amazonaws.com', 'dev');
    expect(resolveTarget(v, 'prod', declared)).toEqual({ context: 'prod', server: 'https://abc.gr7.us-east-1.eks.amazonaws.com' });
  });

  it.each([
    [
      'a different host',
      'https://other.gr7.us-east-1.eks.amazonaws.com',
      "refusing kube context 'prod': its server https://other.gr7.us-east-1.eks.amazonaws.com is not https://abc.gr7.us-east-1.eks.amazonaws.com, the apiServer of cluster 'production' in clusters/index.json\n" +
        '  hint: add a context for https://abc.gr7.us-east-1.eks.amazonaws.com to the kube config (for EKS: aws eks update-kubeconfig --name <cluster> --region <region>), then pass --context <name>; ' +
        "if the cluster's address changed, change apiServer in overlays/production/environment.yaml and run `npm run render`",
    ],
    [
      'http instead of https',
      'http://abc.gr7.us-east-1.eks.amazonaws.com',
      "refusing kube context 'prod': its server http://abc.gr7.us-east-1.eks.amazonaws.com is not https://abc.gr7.us-east-1.eks.amazonaws.com, the apiServer of cluster 'production' in clusters/index.json\n" +
        '  hint: add a context for https://abc.gr7.us-east-1.eks.amazonaws.com to the kube config (for EKS: aws eks update-kubeconfig --name <cluster> --region <region>), then pass --context <name>; ' +
        "if the cluster's address changed, change apiServer in overlays/production/environment.yaml and run `npm run render`",
    ],
    [
      'another port',
      'https://abc.gr7.us-east-1.eks.amazonaws.com:6443',
      "refusing kube context 'prod': its server https://abc.gr7.us-east-1.eks.amazonaws.com:6443 is not https://abc.gr7.us-east-1.eks.amazonaws.com, the apiServer of cluster 'production' in clusters/index.json\n" +
        '  hint: add a context for https://abc.gr7.us-east-1.eks.amazonaws.com to the kube config (for EKS: aws eks update-kubeconfig --name <cluster> --region <region>), then pass --context <name>; ' +
        "if the cluster's address changed, change apiServer in overlays/production/environment.yaml and run `npm run render`",
    ],
  ])('refuses a context whose server is %s, naming both URLs and the context', (_, server, message) => {
    expect(thrown(() => resolveTarget(view(server), undefined, declared))).toBe(message);
  });

  it('points at the context that does match when the current one does not', () => {
    const v = view('https://abc.gr7.us-east-1.eks.amazonaws.com/', 'dev');
    expect(thrown(() => resolveTarget(v, undefined, declared))).toBe(
      "refusing kube context 'dev': its server https://dev.gr7.us-east-1.eks.amazonaws.com is not https://abc.gr7.us-east-1.eks.amazonaws.com, the apiServer of cluster 'production' in clusters/index.json\n" +
        '  hint: pass --context prod (it points at https://abc.gr7.us-east-1.eks.amazonaws.com); ' +
        "if the cluster's address changed, change apiServer in overlays/production/environment.yaml and run `npm run render`",
    );
  });

  it('refuses a --context that is not in the kube config, suggesting the closest', () => {
    expect(thrown(() => resolveTarget(view('https://abc.gr7.us-east-1.eks.amazonaws.com'), 'prd', declared))).toBe(
      "kube context 'prd' is not in the kube config (/home/me/.kube/config)\n  hint: did you mean 'prod'? allowed: prod, dev",
    );
  });

  it('refuses when there is no current context and no --context', () => {
    expect(thrown(() => resolveTarget(view('https://abc.gr7.us-east-1.eks.amazonaws.com', ''), undefined, declared))).toBe(
      'the kube config (/home/me/.kube/config) has no current context\n  hint: pass --context prod (it points at https://abc.gr7.us-east-1.eks.amazonaws.com)',
    );
  });

  it('refuses a context whose cluster entry is missing', () => {
    const v: KubeConfigView = { ...view('https://abc.gr7.us-east-1.eks.amazonaws.com'), clusters: [] };
    expect(thrown(() => resolveTarget(v, undefined, declared))).toBe(
      "kube context 'prod' names cluster 'prod-cluster', which is not in the kube config (/home/me/.kube/config)\n" +
        '  hint: add a context for https://abc.gr7.us-east-1.eks.amazonaws.com to the kube config (for EKS: aws eks update-kubeconfig --name <cluster> --region <region>), then pass --context <name>',
    );
  });
});
