import { describe, expect, it } from 'vitest';
import { checkObjects } from '../../src/render/check.js';
import { formatProblem } from '../../src/errors.js';
import type { RenderedObject } from '../../src/render/parse.js';

const repo = 'https://example.test/repo.git';
const dev = { name: 'dev', environment: 'dev', role: 'primary' as const, namespace: 'ns', highAvailability: false, pinnedVersions: false };
const job = (folder: string, sources = ['overlays/dev/environment.yaml']) => ({ cluster: 'dev', environment: 'dev', platform: 'p', folder, template: 't', context: {}, sources });
const obj = (folder: string, kind: string, name: string, spec: unknown = {}, namespace = 'ns'): RenderedObject => ({
  object: { apiVersion: kind === 'Application' || kind === 'AppProject' ? 'argoproj.io/v1alpha1' : 'v1', kind, metadata: { name, namespace }, spec },
  job: job(folder),
  templateFile: `base/templates/${kind.toLowerCase()}.yaml.hbs`,
});
const project = obj('clusters/dev/argocd', 'AppProject', 'dev', { sourceRepos: [repo], destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'ns' }] }, 'argocd');
const application = (name: string, path: string, namespace = 'ns') =>
  obj(
    'clusters/dev/argocd',
    'Application',
    name,
    { project: 'dev', source: { repoURL: repo, path, targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc', namespace } },
    'argocd',
  );

describe('check', () => {
  it('accepts folders each synced by exactly one admitted Application', () => {
    const objects = [project, application('root', 'clusters/dev/argocd'), application('a', 'clusters/dev/apps/a'), obj('clusters/dev/apps/a', 'Service', 'a')];
    expect(checkObjects(objects, [dev])).toEqual([]);
  });

  it('reports two Applications on one folder, an Application on an empty folder, and a folder nobody syncs', () => {
    const objects = [
      project,
      application('root', 'clusters/dev/argocd'),
      application('a', 'clusters/dev/apps/a'),
      application('b', 'clusters/dev/apps/a'),
      application('ghost', 'clusters/dev/apps/ghost'),
      obj('clusters/dev/apps/a', 'Service', 'a'),
      obj('clusters/dev/apps/c', 'Service', 'c'),
    ];
    expect(checkObjects(objects, [dev]).map(formatProblem)).toEqual([
      "overlays/dev/environment.yaml: error: Application 'ghost' syncs 'clusters/dev/apps/ghost', which the render leaves empty\n  hint: every Application must point at a rendered, non-empty folder",
      "overlays/dev/environment.yaml: error: two Applications sync the same folder 'clusters/dev/apps/a': a, b\n  hint: each rendered folder is synced by exactly one Application",
      "clusters/dev/apps/c: error: folder 'clusters/dev/apps/c' is rendered but no Application syncs it\n  hint: add the folder to the plan stage so an Application syncs it",
    ]);
  });

  it('reports an Application whose project is missing or does not admit its destination', () => {
    const stray = obj(
      'clusters/dev/argocd',
      'Application',
      'x',
      {
        project: 'prod',
        source: { repoURL: repo, path: 'clusters/dev/argocd', targetRevision: 'main' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'ns' },
      },
      'argocd',
    );
    const outside = application('y', 'clusters/dev/argocd', 'kube-system');
    const messages = checkObjects([project, stray, outside], [dev]).map((p) => p.message);
    expect(messages).toContain("Application 'x' is outside its project: project 'prod' is not rendered for cluster 'dev'");
    expect(messages).toContain("Application 'y' is outside its project: destination namespace 'kube-system' is not among the project's destinations");
  });
});
