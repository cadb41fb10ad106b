import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { argocdConfig, type ArgocdConfig } from '../../src/argocd/api.js';
import { applicationState, imageTag } from '../../src/argocd/application.js';
import { createArgocdClient } from '../../src/argocd/client.js';
import { application, argocdAnswers, fakeArgocd, notFound, type FakeArgocd } from './argocd-server.js';

let server: FakeArgocd | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const config = (url: string): ArgocdConfig => ({ server: url, token: 'tok-123', serverVariable: 'ARGOCD_SERVER_STAGING', tokenVariable: 'ARGOCD_AUTH_TOKEN_STAGING' });
const fast = { timeoutMs: 2000, retries: 2, backoffMs: 1 };

describe('Argo CD client', () => {
  it('gets an Application with the bearer token', async () => {
    server = await fakeArgocd((name) => ({ status: 200, body: application(name, { images: ['reg.example/berrys/api-gateway:1.9.0'] }) }));
    const app = await createArgocdClient(config(server.url), fast).getApplication('staging-api-gateway');
    expect(applicationState(app, 'berrys/api-gateway')).toEqual({
      sync: 'Synced',
      health: 'Healthy',
      revision: 'a'.repeat(40),
      version: '1.9.0',
      images: ['reg.example/berrys/api-gateway:1.9.0'],
      operation: { phase: 'Succeeded', revision: 'a'.repeat(40), message: 'successfully synced (all tasks run)', failed: [] },
    });
    expect(server.requests).toEqual([{ method: 'GET', url: '/api/v1/applications/staging-api-gateway', auth: 'Bearer tok-123' }]);
  });

  it('says which token to check on 401', async () => {
    server = await fakeArgocd(() => ({ status: 401, body: { code: 16, message: 'invalid session: token is expired' } }));
    await expect(createArgocdClient(config(server.url), fast).getApplication('staging-api-gateway')).rejects.toThrow(
      `Argo CD at ${server.url} refused the token for GET /api/v1/applications/staging-api-gateway (401 Unauthorized) (Argo CD said: invalid session: token is expired); ` +
        'check ARGOCD_AUTH_TOKEN_STAGING: it may be expired, revoked or made for another Argo CD (a new one: argocd account generate-token --account <account>)',
    );
    expect(server.requests).toHaveLength(1);
  });

  it('says what to check on 403', async () => {
    server = await fakeArgocd(() => ({ status: 403, body: { code: 7, message: 'permission denied' } }));
    await expect(createArgocdClient(config(server.url), fast).getApplication('staging-api-gateway')).rejects.toThrow(
      `Argo CD at ${server.url} denied GET /api/v1/applications/staging-api-gateway (403 Forbidden) (Argo CD said: permission denied); check that the account of ` +
        'ARGOCD_AUTH_TOKEN_STAGING may read applications (policy.csv in argocd-rbac-cm: p, role:<name>, applications, get, */*, allow) — Argo CD also answers 403 ' +
        "for an Application that does not exist, so check the name of Application 'staging-api-gateway' too",
    );
  });

  it('asked within a project, says a 403 is about reading that project and names the policy line', async () => {
    server = await fakeArgocd(argocdAnswers({ applications: new Map(), mayRead: (project) => project !== 'staging-platform' }));
    await expect(createArgocdClient(config(server.url), fast).getApplication('staging-root', { project: 'staging-platform' })).rejects.toThrow(
      `Argo CD at ${server.url} denied GET /api/v1/applications/staging-root (403 Forbidden) (Argo CD said: permission denied); the account of ` +
        'ARGOCD_AUTH_TOKEN_STAGING may not read Applications of project staging-platform; allow it in policy.csv of argocd-rbac-cm: ' +
        'p, role:<name>, applications, get, staging-platform/*, allow',
    );
    expect(server.requests.map((r) => r.url)).toEqual(['/api/v1/applications/staging-root?projects=staging-platform']);
  });

  it('asked within a project, names the project of a missing Application (Argo CD answers 404 only then)', async () => {
    server = await fakeArgocd(argocdAnswers({ applications: new Map() }));
    const client = createArgocdClient(config(server.url), fast);
    await expect(client.getApplication('staging-billing')).rejects.toMatchObject({ status: 403 });
    await expect(client.getApplication('staging-billing', { project: 'staging' })).rejects.toThrow(
      `Argo CD at ${server.url} has no Application 'staging-billing' in project 'staging' (404 Not Found) (Argo CD said: applications.argoproj.io "staging-billing" not found); ` +
        "check that ARGOCD_SERVER_STAGING points at the Argo CD of that cluster and that the cluster's root Application has synced its argocd/ folder",
    );
  });

  it('names the missing Application on 404', async () => {
    server = await fakeArgocd(notFound);
    await expect(createArgocdClient(config(server.url), fast).getApplication('staging-billing')).rejects.toThrow(
      `Argo CD at ${server.url} has no Application 'staging-billing' (404 Not Found) (Argo CD said: applications.argoproj.io "staging-billing" not found); ` +
        "check that ARGOCD_SERVER_STAGING points at the Argo CD of that cluster and that the cluster's root Application has synced its argocd/ folder",
    );
  });

  it('retries a 503 and then succeeds', async () => {
    server = await fakeArgocd((name, n) => (n === 0 ? { status: 503, body: 'upstream connect error' } : { status: 200, body: application(name, {}) }));
    const app = await createArgocdClient(config(server.url), fast).getApplication('staging-api-gateway');
    expect(app.status?.health?.status).toBe('Healthy');
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after the bounded number of retries on 5xx', async () => {
    server = await fakeArgocd(() => ({ status: 500, body: { code: 13, message: 'internal error' } }));
    await expect(createArgocdClient(config(server.url), fast).getApplication('staging-api-gateway')).rejects.toThrow(
      `Argo CD at ${server.url} failed GET /api/v1/applications/staging-api-gateway 3 times (last: 500 Internal Server Error: internal error); ` +
        "check that ARGOCD_SERVER_STAGING is right and that Argo CD's API server is up",
    );
    expect(server.requests).toHaveLength(3);
  });

  it('times out a call that never answers, without retrying it', async () => {
    server = await fakeArgocd(() => 'hang');
    await expect(createArgocdClient(config(server.url), { ...fast, timeoutMs: 200 }).getApplication('staging-api-gateway')).rejects.toThrow(
      `Argo CD at ${server.url} did not answer GET /api/v1/applications/staging-api-gateway within 0.2 s; ` +
        'check that ARGOCD_SERVER_STAGING is the Argo CD API address and that it is reachable from here',
    );
    expect(server.requests).toHaveLength(1);
  });

  it('retries a refused connection, then says so', async () => {
    // A port that was just free: listen, note it, close.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await expect(createArgocdClient(config(url), fast).getApplication('staging-api-gateway')).rejects.toThrow(
      `Argo CD at ${url} failed GET /api/v1/applications/staging-api-gateway 3 times (last: ECONNREFUSED)`,
    );
  });
});

describe('argocdConfig', () => {
  it('prefers the cluster variable, then the environment, then the plain one', () => {
    const env = { ARGOCD_SERVER: 'argocd.example', ARGOCD_AUTH_TOKEN: 'g', ARGOCD_SERVER_PRODUCTION_DR: 'https://dr.example/', ARGOCD_AUTH_TOKEN_PRODUCTION_DR: 'd' };
    expect(argocdConfig(env, 'production-dr', 'production')).toEqual({
      server: 'https://dr.example',
      token: 'd',
      serverVariable: 'ARGOCD_SERVER_PRODUCTION_DR',
      tokenVariable: 'ARGOCD_AUTH_TOKEN_PRODUCTION_DR',
    });
    expect(argocdConfig(env, 'production', 'production')).toEqual({
      server: 'https://argocd.example',
      token: 'g',
      serverVariable: 'ARGOCD_SERVER',
      tokenVariable: 'ARGOCD_AUTH_TOKEN',
    });
    expect(argocdConfig({}, 'staging', 'staging')).toBeUndefined();
  });

  it('refuses a server without a token', () => {
    expect(() => argocdConfig({ ARGOCD_SERVER_STAGING: 'https://a' }, 'staging', 'staging')).toThrow(
      'ARGOCD_SERVER_STAGING is set but no Argo CD token is: set ARGOCD_AUTH_TOKEN_STAGING or ARGOCD_AUTH_TOKEN (an API token of a read-only Argo CD account: argocd account generate-token --account <name>)',
    );
  });
});

describe('imageTag', () => {
  it.each([
    [['reg.example:5000/berrys/api-gateway:1.9.0'], '1.9.0'],
    [['reg.example/berrys/api-gateway:1.9.0@sha256:abc'], '1.9.0'],
    [['reg.example/berrys/web-dashboard:4.2.0', 'reg.example/berrys/api-gateway:v2.0.0'], 'v2.0.0'],
    [['reg.example:5000/berrys/api-gateway'], undefined],
    [['reg.example/berrys/api-gateway:1.9.1', 'reg.example/berrys/api-gateway:1.9.0', 'reg.example/berrys/web-dashboard:4.2.0'], '1.9.0 and 1.9.1'],
  ])('finds the app image tag in %j', (images, tag) => expect(imageTag(images, 'berrys/api-gateway')).toBe(tag));
});
