/**
 * The one module that talks to Argo CD: typed calls (openapi-fetch over the generated `paths`), a bearer token,
 * a timeout on every call, bounded retries with backoff on network errors and 5xx, and messages for 401/403/404
 * that say what to check.
 */
import createClient from 'openapi-fetch';
import type { Application, ArgocdConfig, ArgocdPaths, RuntimeError } from './api.js';

/**
 * A failed Argo CD call. Not a RenderError: there is no file and line to point at, the "where" is the server and
 * the variable it came from, which the message names.
 */
export class ArgocdError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'ArgocdError';
    this.status = status;
  }
}

export interface ArgocdClientOptions {
  /** Per attempt, including reading the body. Default 10 s. */
  timeoutMs?: number;
  /** Extra attempts after the first, on network errors and 5xx only. Default 3. */
  retries?: number;
  /** First wait between attempts; doubles each time. Default 500 ms. */
  backoffMs?: number;
}

export interface ArgocdClient {
  readonly server: string;
  /**
   * One Application by name (namespace `argocd`). `refresh: 'normal'` asks Argo CD to look at git again first.
   * `project`, the project the Application belongs to, makes Argo CD's answer exact: without it, Argo CD answers 403
   * both for an Application that does not exist and for one the token may not read, so as not to tell that it exists;
   * with it, 403 means the token may not read Applications of that project, and 404 that there is no such Application
   * in it (`getAppEnforceRBAC`,
   * https://github.com/argoproj/argo-cd/blob/v3.5.1/server/application/application.go#L166-L256, the same in v3.5.7).
   */
  getApplication(name: string, opts?: { refresh?: 'normal' | 'hard'; project?: string }): Promise<Application>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createArgocdClient(config: ArgocdConfig, opts: ArgocdClientOptions = {}): ArgocdClient {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const retries = opts.retries ?? 3;
  const backoffMs = opts.backoffMs ?? 500;
  const client = createClient<ArgocdPaths>({
    baseUrl: config.server,
    headers: { Authorization: `Bearer ${config.token}`, Accept: 'application/json' },
  });

  type Outcome<T> = { data?: T; error?: RuntimeError | unknown; response: Response };

  async function call<T>(what: string, subject: string, project: string | undefined, attempt: (signal: AbortSignal) => Promise<Outcome<T>>): Promise<T> {
    let lastProblem = '';
    for (let n = 0; n <= retries; n++) {
      if (n > 0) await sleep(backoffMs * 2 ** (n - 1));
      let outcome: Outcome<T>;
      try {
        outcome = await attempt(AbortSignal.timeout(timeoutMs));
      } catch (err) {
        const e = err as Error & { cause?: { code?: string; message?: string } };
        if (e.name === 'TimeoutError' || e.name === 'AbortError') {
          // Why not retried: a server that hangs usually keeps hanging, and retrying would multiply the wait of the
          // gate and of `status --wait`, which have their own overall patience.
          throw new ArgocdError(
            `Argo CD at ${config.server} did not answer ${what} within ${timeoutMs / 1000} s; check that ${config.serverVariable} is the Argo CD API address and that it is reachable from here`,
          );
        }
        lastProblem = e.cause?.code ?? e.cause?.message ?? e.message;
        continue;
      }
      const { data, error, response } = outcome;
      if (response.ok && data !== undefined) return data;
      const detail = errorMessage(error);
      if (response.status >= 500) {
        lastProblem = `${response.status} ${response.statusText}${detail ? `: ${detail}` : ''}`;
        continue;
      }
      throw new ArgocdError(statusMessage(config, response.status, what, subject, project, detail), response.status);
    }
    throw new ArgocdError(
      `Argo CD at ${config.server} failed ${what} ${retries + 1} times (last: ${lastProblem}); check that ${config.serverVariable} is right and that Argo CD's API server is up`,
    );
  }

  return {
    server: config.server,
    getApplication(name, getOpts = {}) {
      const { refresh, project } = getOpts;
      const subject = project === undefined ? `Application '${name}'` : `Application '${name}' in project '${project}'`;
      return call<Application>(`GET /api/v1/applications/${name}`, subject, project, (signal) =>
        client.GET('/api/v1/applications/{name}', {
          params: { path: { name }, query: { ...(refresh ? { refresh } : {}), ...(project === undefined ? {} : { projects: [project] }) } },
          signal,
        }),
      );
    },
  };
}

function errorMessage(error: unknown): string {
  if (error && typeof error === 'object' && typeof (error as RuntimeError).message === 'string') return (error as RuntimeError).message!;
  if (typeof error === 'string') return error.trim().slice(0, 200);
  return '';
}

function statusMessage(config: ArgocdConfig, status: number, what: string, subject: string, project: string | undefined, detail: string): string {
  const said = detail ? ` (Argo CD said: ${detail})` : '';
  switch (status) {
    case 401:
      return (
        `Argo CD at ${config.server} refused the token for ${what} (401 Unauthorized)${said}; check ${config.tokenVariable}: ` +
        `it may be expired, revoked or made for another Argo CD (a new one: argocd account generate-token --account <account>)`
      );
    case 403:
      return project === undefined
        ? `Argo CD at ${config.server} denied ${what} (403 Forbidden)${said}; check that the account of ${config.tokenVariable} may read ` +
            `applications (policy.csv in argocd-rbac-cm: p, role:<name>, applications, get, */*, allow) — Argo CD also answers 403 for ` +
            `an Application that does not exist, so check the name of ${subject} too`
        : `Argo CD at ${config.server} denied ${what} (403 Forbidden)${said}; ${readHint(config, [project])}`;
    case 404:
      return (
        `Argo CD at ${config.server} has no ${subject} (404 Not Found)${said}; check that ${config.serverVariable} points at the Argo CD ` +
        `of that cluster and that the cluster's root Application has synced its argocd/ folder`
      );
    default:
      return `Argo CD at ${config.server} answered ${status} to ${what}${said}`;
  }
}

/** What to give the token's account so that it may read the Applications of these projects. */
export function readHint(config: ArgocdConfig, projects: readonly string[]): string {
  return (
    `the account of ${config.tokenVariable} may not read Applications of project ${projects.join(', ')}; allow it in policy.csv of argocd-rbac-cm: ` +
    projects.map((p) => `p, role:<name>, applications, get, ${p}/*, allow`).join('; ')
  );
}
