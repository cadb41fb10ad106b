// Argo CD's project admission with Argo CD's glob, proven on the cases Argo CD's own tests and documentation state
// (v3.5.7: pkg/apis/application/v1alpha1/types_test.go, docs/user-guide/projects.md).
import { describe, expect, it } from 'vitest';
import { destinationPermitted, groupKindIn, projectGlobMatch, sourcePermitted } from '../../src/render/argocd-rules.js';

describe('sourcePermitted', () => {
  it.each([
    [['*'], 'https://github.com/argoproj/test.git', true],
    [['https://github.com/argoproj/test.git'], 'https://github.com/argoproj/test.git', true],
    [['https://github.com/argoproj/*'], 'https://github.com/argoproj/argoproj.git', true],
    [['https://github.com/test1/test.git', 'https://github.com/test2/test.git'], 'https://github.com/test2/test.git', true],
    [['https://github.com/argoproj/test1.git'], 'https://github.com/argoproj/test2.git', false],
    [['https://github.com/argoproj/*.git'], 'https://github.com/argoproj1/test2.git', false],
    [['https://github.com/argoproj/foo'], 'https://github.com/argoproj/foo1', false],
    [['https://gitlab.com/group/*'], 'https://gitlab.com/group/repo/owner', false],
    [['https://gitlab.com/group/*/*'], 'https://gitlab.com/group/repo/owner', true],
    [['https://gitlab.com/group/*/*/*'], 'https://gitlab.com/group/sub-group/repo/owner', true],
    [['https://gitlab.com/group/**'], 'https://gitlab.com/group/sub-group/repo/owner', true],
  ])('admits as Argo CD does: %j for %s is %s', (patterns, repo, permitted) => {
    expect(sourcePermitted(patterns, repo)).toBe(permitted);
  });

  it.each([
    [['!https://github.com/argoproj/test.git'], 'https://github.com/argoproj/test.git', false],
    [['!https://github.com/argoproj/*'], 'https://github.com/argoproj/argoproj.git', false],
    [['https://github.com/test1/test.git', '!https://github.com/test2/test.git'], 'https://github.com/test2/test.git', false],
    [['!https://github.com/argoproj/foo*'], 'https://github.com/argoproj/foo1', false],
    [['!https://gitlab.com/group/*/*'], 'https://gitlab.com/group/repo/owner', false],
    [['!https://gitlab.com/group/**'], 'https://gitlab.com/group/sub-group/repo/owner', false],
    [['https://github.com/argoproj/test1.git', '*'], 'https://github.com/argoproj/test2.git', true],
    [['!https://github.com/argoproj/*.git', '*'], 'https://github.com/argoproj1/test2.git', true],
    // The documentation's example: not the test repository, nor any GitLab repository under group/, anything else.
    [['!ssh://git@GITHUB.com:argoproj/test', '!https://gitlab.com/group/**', '*'], 'https://gitlab.com/group/a/b', false],
    [['!ssh://git@GITHUB.com:argoproj/test', '!https://gitlab.com/group/**', '*'], 'https://github.com/argoproj/argo-cd', true],
  ])('refuses what a deny pattern rejects: %j for %s is %s', (patterns, repo, permitted) => {
    expect(sourcePermitted(patterns, repo)).toBe(permitted);
  });
});

describe('destinationPermitted', () => {
  const inCluster = 'https://kubernetes.default.svc';
  it.each([
    [{ server: inCluster, namespace: 'default' }, { server: inCluster, namespace: 'default' }, true],
    [{ server: inCluster, namespace: 'default' }, { server: inCluster, namespace: 'kube-system' }, false],
    [{ server: 'https://my-cluster', namespace: 'default' }, { server: inCluster, namespace: 'default' }, false],
    [{ server: inCluster, namespace: '*' }, { server: inCluster, namespace: 'kube-system' }, true],
    [{ server: 'https://*.default.svc', namespace: 'default' }, { server: inCluster, namespace: 'default' }, true],
    [{ server: 'https://team1-*', namespace: 'default' }, { server: 'https://test2-dev-cluster', namespace: 'default' }, false],
    [{ server: inCluster, namespace: 'test-*' }, { server: inCluster, namespace: 'test-foo' }, true],
    [{ server: inCluster, namespace: 'test-*' }, { server: inCluster, namespace: 'test' }, false],
    [{ server: '*', namespace: '*' }, { server: inCluster, namespace: 'test' }, true],
    [{ server: '', namespace: '*', name: 'test' }, { name: 'test', namespace: 'test' }, true],
    [{ server: '', namespace: '*', name: 'test2' }, { name: 'test', namespace: 'test' }, false],
  ])('admits as Argo CD does: %j for %j is %s', (rule, destination, permitted) => {
    expect(destinationPermitted([rule], destination)).toBe(permitted);
  });

  it('refuses what a deny rule rejects, as the documentation describes: not kube-system, not team1-* clusters, anything else', () => {
    const rules = [
      { namespace: '!kube-system', server: '*' },
      { namespace: '*', server: '!https://team1-*' },
      { namespace: '*', server: '*' },
    ];
    expect(destinationPermitted(rules, { server: 'https://team2-a', namespace: 'kube-system' })).toBe(false);
    expect(destinationPermitted(rules, { server: 'https://team1-a', namespace: 'apps' })).toBe(false);
    expect(destinationPermitted(rules, { server: 'https://team2-a', namespace: 'apps' })).toBe(true);
  });

  it('reads alternatives in a deny pattern, as Argo CD tests it: !{kube-system,argocd} on one cluster, * on another', () => {
    const rules = [
      { name: 'host-cluster', server: inCluster, namespace: '!{kube-system,argocd}' },
      { name: 'destination-cluster-01', server: 'https://eks-cluster-endpoint.ap-southeast-1.eks.amazonaws.com', namespace: '*' },
    ];
    expect(destinationPermitted(rules, { server: 'https://eks-cluster-endpoint.ap-southeast-1.eks.amazonaws.com', namespace: 'kube-system' })).toBe(true);
    expect(destinationPermitted(rules, { server: inCluster, namespace: 'argocd' })).toBe(false);
    expect(destinationPermitted(rules, { server: inCluster, namespace: 'apps' })).toBe(true);
  });
});

describe('projectGlobMatch', () => {
  it.each([
    ['berrys-?', 'berrys-a', true],
    ['berrys-?', 'berrys-ab', false],
    ['[a-c]*', 'beta', true],
    ['[!a-c]*', 'beta', false],
    ['[!a-c]*', 'zeta', true],
    ['', '', true],
    ['x', '', false],
    ['{staging,production}', 'production', true],
    ['.*', '.hidden', true],
    ['https://*', 'https://a/b/c', true],
    ['+(a|b)', 'a', false],
  ])('matches like gobwas/glob without separators: %s on %s is %s', (pattern, value, matches) => {
    expect(projectGlobMatch(pattern, value)).toBe(matches);
  });

  it('stops * at / when / separates, as for repositories', () => {
    expect(projectGlobMatch('https://github.com/*', 'https://github.com/a/b', { separator: '/' })).toBe(false);
    expect(projectGlobMatch('https://github.com/**', 'https://github.com/a/b', { separator: '/' })).toBe(true);
  });
});

describe('groupKindIn', () => {
  it('matches kind and group patterns as Argo CD does', () => {
    const list = [
      { group: '', kind: 'Namespace' },
      { group: '*.k8s.io', kind: '*' },
    ];
    expect(groupKindIn(list, '', 'Namespace')).toBe(true);
    expect(groupKindIn(list, 'rbac.authorization.k8s.io', 'ClusterRole')).toBe(true);
    expect(groupKindIn(list, 'apps', 'Deployment')).toBe(false);
    expect(groupKindIn(undefined, '', 'Namespace')).toBe(false);
  });
});
