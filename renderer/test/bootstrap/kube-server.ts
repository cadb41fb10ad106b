/**
 * A real HTTP server on 127.0.0.1 that plays the few Kubernetes API calls bootstrap makes, and records each
 * request (method, path with query, content type, body) for the tests to assert.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  contentType: string | undefined;
  auth: string | undefined;
  body: string;
}

export interface Reply {
  status: number;
  body: unknown;
}

export interface FakeKube {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export async function fakeKube(answer: (req: SeenRequest) => Reply): Promise<FakeKube> {
  const requests: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type'],
        auth: req.headers.authorization,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      const reply = answer(seen);
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A Kubernetes Status object, as the API server sends with errors. */
export function status(code: number, message: string): Reply {
  return { status: code, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code } };
}

function crd(plural: string, kind: string, versions: string[]): Reply {
  return {
    status: 200,
    body: {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.argoproj.io` },
      spec: {
        group: 'argoproj.io',
        names: { kind, plural },
        scope: 'Namespaced',
        versions: versions.map((name) => ({ name, served: true, storage: true })),
      },
    },
  };
}

/** A cluster with Argo CD installed; `existing` names objects that are already there (apply answers 200, not 201). */
export function argocdCluster(existing: string[] = []): (req: SeenRequest) => Reply {
  return (req) => {
    const path = req.url.split('?')[0]!;
    if (req.method === 'GET' && path === '/api/v1/namespaces/argocd') {
      return { status: 200, body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } } };
    }
    if (req.method === 'GET' && path === '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/applications.argoproj.io') {
      return crd('applications', 'Application', ['v1alpha1']);
    }
    if (req.method === 'GET' && path === '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/appprojects.argoproj.io') {
      return crd('appprojects', 'AppProject', ['v1alpha1']);
    }
    const apply = /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/argocd\/(applications|appprojects)\/([^/]+)$/.exec(path);
    if (req.method === 'PATCH' && apply) {
      const object = JSON.parse(req.body) as Record<string, unknown>;
      return { status: existing.includes(apply[2]!) ? 200 : 201, body: object };
    }
    return status(404, `the fake has no ${req.method} ${path}`);
  };
}
