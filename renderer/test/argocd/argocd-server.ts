/**
 * A stand-in Argo CD API server on 127.0.0.1 (real node:http, real sockets) that answers
 * GET /api/v1/applications/{name} with bodies of the generated types: either as a test decides per request, or
 * (`argocdAnswers`) from a set of Applications and an RBAC policy the test changes while a command runs, answering
 * as Argo CD's API server does.
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

/** `answer(name, n, query)` decides the response to the n-th (0-based) request for that Application. */
export async function fakeArgocd(answer: (name: string, n: number, query: URLSearchParams) => Answer): Promise<FakeArgocd> {
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
    const a = answer(name, n, new URL(req.url!, 'http://argocd').searchParams);
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

/**
 * An Application as Argo CD returns it, with what the client reads filled in. Its last sync operation, unless `more`
 * says otherwise, is the one that brought it to its revision, and it succeeded (Argo CD records one for every sync).
 */
export function application(
  name: string,
  state: { sync?: string; health?: string; revision?: string; images?: string[]; project?: string; more?: Application['status'] },
): Application {
  const revision = state.revision ?? 'a'.repeat(40);
  return {
    metadata: { name, namespace: 'argocd' },
    spec: { project: state.project ?? 'x', destination: { server: 'https://kubernetes.default.svc', namespace: 'berrys' } },
    status: {
      sync: { status: state.sync ?? 'Synced', revision },
      health: { status: state.health ?? 'Healthy' },
      summary: { images: state.images ?? [] },
      operationState: { phase: 'Succeeded', message: 'successfully synced (all tasks run)', syncResult: { revision, resources: [] } },
      ...state.more,
    },
  };
}

export const notFound = (name: string): Answer => ({
  status: 404,
  body: { code: 5, error: `applications.argoproj.io "${name}" not found`, message: `applications.argoproj.io "${name}" not found` },
});

const permissionDenied: Answer = { status: 403, body: { code: 7, error: 'permission denied', message: 'permission denied' } };

/** What Argo CD holds and whom it lets read what; tests change both while a command runs. */
export interface ArgocdState {
  /** Application name → the Application (its project is spec.project). */
  applications: Map<string, Application>;
  /** The token's RBAC: may it `get` Applications named `name` in `project`? Default: everything. */
  mayRead?: (project: string, name: string) => boolean;
}

/**
 * Answers GET /api/v1/applications/{name} as Argo CD's `getAppEnforceRBAC` does
 * (https://github.com/argoproj/argo-cd/blob/v3.5.1/server/application/application.go#L166-L256): without a project,
 * 403 both for an Application that does not exist and for one the token may not read; with one project, 403 when
 * the token may not read that project's Application of that name, 404 when there is none in that project; more than
 * one project is 400.
 */
export function argocdAnswers(state: ArgocdState): (name: string, n: number, query: URLSearchParams) => Answer {
  const mayRead = (project: string, name: string) => state.mayRead?.(project, name) ?? true;
  return (name, _n, query) => {
    const projects = [...query.getAll('projects'), ...query.getAll('project')];
    if (projects.length > 1) {
      const message = 'multiple projects specified - the get endpoint accepts either zero or one project';
      return { status: 400, body: { code: 3, error: message, message } };
    }
    const app = state.applications.get(name);
    const actual = app?.spec?.project || 'default';
    if (projects.length === 1) {
      if (!mayRead(projects[0]!, name)) return permissionDenied;
      if (!app || !mayRead(actual, name) || actual !== projects[0]) return notFound(name);
      return { status: 200, body: app };
    }
    if (!app || !mayRead(actual, name)) return permissionDenied;
    return { status: 200, body: app };
  };
}
