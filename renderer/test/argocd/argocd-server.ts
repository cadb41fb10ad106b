/**
 * A stand-in Argo CD API server on 127.0.0.1 (real node:http, real sockets) that answers
 * GET /api/v1/applications/{name} with bodies of the generated types.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Application, RuntimeError } from '../../src/argocd/api.js';

export type Answer = { status: number; body: Application | RuntimeError | string } | 'hang';

export interface FakeArgocd {
  url: string;
  /** Every request seen: method, path with query, Authorization header. */
  requests: { method: string; url: string; auth: string | undefined }[];
  close(): Promise<void>;
}

/** `answer(name, n)` decides the response to the n-th (0-based) request for that Application. */
export async function fakeArgocd(answer: (name: string, n: number) => Answer): Promise<FakeArgocd> {
  const requests: FakeArgocd['requests'] = [];
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method!, url: req.url!, auth: req.headers.authorization });
    const match = /^\/api\/v1\/applications\/([^/?]+)/.exec(req.url!);
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const name = decodeURIComponent(match[1]!);
    const n = counts.get(name) ?? 0;
    counts.set(name, n + 1);
    const a = answer(name, n);
    if (a === 'hang') return; // never answers; the client's timeout must end the call
    res.writeHead(a.status, { 'content-type': typeof a.body === 'string' ? 'text/plain' : 'application/json' });
    res.end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An Application as Argo CD returns it, with what the client reads filled in. */
export function application(name: string, state: { sync?: string; health?: string; revision?: string; images?: string[] }): Application {
  return {
    metadata: { name, namespace: 'argocd' },
    spec: { project: 'x', destination: { server: 'https://kubernetes.default.svc', namespace: 'berrys' } },
    status: {
      sync: { status: state.sync ?? 'Synced', revision: state.revision ?? 'a'.repeat(40) },
      health: { status: state.health ?? 'Healthy' },
      summary: { images: state.images ?? [] },
    },
  };
}

export const notFound = (name: string): Answer => ({
  status: 404,
  body: { code: 5, error: `applications.argoproj.io "${name}" not found`, message: `applications.argoproj.io "${name}" not found` },
});
