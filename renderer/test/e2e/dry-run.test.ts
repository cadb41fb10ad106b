import { describe, expect, it } from 'vitest';
import { applyPath, dryRunFiles, formatDryRunFindings } from '../../src/e2e/dry-run.js';
import { parseWarnings, type KubeRequest, type KubeResponse } from '../../src/e2e/kube-http.js';

// Discovery and answers in the shape kube-apiserver 1.36 gives them (captured from npm run e2e).
const discovery: Record<string, unknown> = {
  '/apis/apps/v1': {
    resources: [
      { name: 'deployments', kind: 'Deployment', namespaced: true },
      { name: 'deployments/scale', kind: 'Scale', namespaced: true },
    ],
  },
  '/api/v1': { resources: [{ name: 'namespaces', kind: 'Namespace', namespaced: false }] },
};
// kube-apiserver 1.36.3's answer to a server-side apply with an unknown field under strict validation.
const unknownField = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'failed to create typed patch object (berrys-local/broken; apps/v1, Kind=Deployment): .spec.replicaz: field not declared in schema',
  code: 500,
};

function fakeServer(answers: Record<string, KubeResponse>): { request: KubeRequest; calls: string[] } {
  const calls: string[] = [];
  const request: KubeRequest = async (method, path) => {
    calls.push(`${method} ${path}`);
    if (method === 'GET') {
      const body = discovery[path];
      return body
        ? { status: 200, body: JSON.stringify(body), warnings: [] }
        : { status: 404, body: '{"kind":"Status","message":"the server could not find the requested resource","reason":"NotFound"}', warnings: [] };
    }
    const name = /\/([^/?]+)\?/.exec(path)![1]!;
    return answers[name] ?? { status: 200, body: '{}', warnings: [] };
  };
  return { request, calls };
}

const deployment = (name: string, extra = '') => ({
  file: `clusters/local/apps/${name}/deployment-${name}.yaml`,
  content: `# Generated\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: berrys-local\nspec:\n${extra}  replicas: 1\n`,
});

describe('server-side dry run of rendered files', () => {
  it('applies each object at its own URL with dryRun=All and strict field validation', () => {
    expect(applyPath('apps/v1', { name: 'deployments', kind: 'Deployment', namespaced: true }, 'api-gateway', 'berrys-local')).toBe(
      '/apis/apps/v1/namespaces/berrys-local/deployments/api-gateway?dryRun=All&fieldManager=berrys-e2e-dry-run&fieldValidation=Strict&force=true',
    );
    expect(applyPath('v1', { name: 'namespaces', kind: 'Namespace', namespaced: false }, 'argocd', undefined)).toBe(
      '/api/v1/namespaces/argocd?dryRun=All&fieldManager=berrys-e2e-dry-run&fieldValidation=Strict&force=true',
    );
  });

  it('names the file the API server rejects, and only that file', async () => {
    const { request, calls } = fakeServer({ broken: { status: 500, body: JSON.stringify(unknownField), warnings: [] } });
    const result = await dryRunFiles(request, [deployment('good'), deployment('broken', '  replicaz: 2\n')]);
    expect(formatDryRunFindings(result.findings)).toEqual([
      'clusters/local/apps/broken/deployment-broken.yaml: error: rejected by the API server: failed to create typed patch object (berrys-local/broken; apps/v1, Kind=Deployment): .spec.replicaz: field not declared in schema (HTTP 500)',
    ]);
    expect(result.checked).toBe(2);
    expect(calls.filter((c) => c.startsWith('GET'))).toEqual(['GET /apis/apps/v1']);
  });

  it('turns every warning into a finding naming the file', async () => {
    const { request } = fakeServer({
      good: {
        status: 200,
        body: '{}',
        warnings: ['metadata.finalizers: "x": prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers'],
      },
    });
    const result = await dryRunFiles(request, [deployment('good')]);
    expect(result.findings).toEqual([
      {
        file: 'clusters/local/apps/good/deployment-good.yaml',
        severity: 'warning',
        message: 'metadata.finalizers: "x": prefer a domain-qualified finalizer name including a path (/) to avoid accidental conflicts with other finalizer writers',
      },
    ]);
  });

  it('says when the API server does not serve a kind, which means a CRD is missing', async () => {
    const { request } = fakeServer({});
    const result = await dryRunFiles(request, [
      { file: 'clusters/x/platform/externalsecret-a.yaml', content: 'apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: a\n' },
      { file: 'clusters/x/platform/namespace-b.yaml', content: 'apiVersion: v1\nkind: Nothing\nmetadata:\n  name: b\n' },
    ]);
    expect(formatDryRunFindings(result.findings)).toEqual([
      'clusters/x/platform/externalsecret-a.yaml: error: rejected by the API server: the API server does not serve external-secrets.io/v1: the server could not find the requested resource (NotFound, HTTP 404)',
      'clusters/x/platform/namespace-b.yaml: error: rejected by the API server: the API server serves no kind Nothing in v1 (is its CRD installed?)',
    ]);
  });
});

describe('Warning headers', () => {
  it('reads the quoted texts, also several joined in one header value', () => {
    expect(parseWarnings(['299 - "a, b"', '299 - "first", 299 - "second \\"quoted\\""'])).toEqual(['a, b', 'first', 'second "quoted"']);
  });
});
