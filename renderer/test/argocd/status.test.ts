import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runStatus } from '../../src/promote/status.js';
import { cleanUp, inputsRepo } from '../promote/repo-fixture.js';
import { application, fakeArgocd, notFound, type FakeArgocd } from './argocd-server.js';

let server: FakeArgocd | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(cleanUp);

const revision = '1a2b3c4d'.repeat(5);
const image = (name: string) => `222222222222.dkr.ecr.us-east-1.amazonaws.com/berrys/${name.replace(/^staging-/, '')}:${name === 'staging-agent-orchestrator' ? '2.4.1' : 'x'}`;

describe('status', () => {
  it('prints a table of every app in the environment', async () => {
    const root = inputsRepo();
    server = await fakeArgocd((name) => (name === 'staging-web-dashboard' ? notFound(name) : { status: 200, body: application(name, { revision, images: [image(name)] }) }));
    const lines: string[] = [];
    await runStatus({ root, env: 'staging', processEnv: { ARGOCD_SERVER: server.url, ARGOCD_AUTH_TOKEN: 't' }, log: (l) => lines.push(l) });
    expect(lines.join('\n').split('\n').slice(0, 3)).toEqual([
      'APPLICATION                  SYNC      HEALTH   REVISION  VERSION  VERSIONS.YAML',
      'staging-agent-orchestrator   Synced    Healthy  1a2b3c4   2.4.1    2.4.1',
      'staging-api-gateway          Synced    Healthy  1a2b3c4   x        1.8.3',
    ]);
    expect(lines.join('\n').split('\n').at(-1)).toBe('staging-web-dashboard        NotFound  -        -         -        4.2.0');
  });

  it('waits until Progressing turns Healthy at the revision, showing progress', async () => {
    const root = inputsRepo();
    server = await fakeArgocd((name, n) => ({
      status: 200,
      body: application(name, { revision, health: name === 'staging-api-gateway' && n < 2 ? 'Progressing' : 'Healthy' }),
    }));
    const lines: string[] = [];
    const rows = await runStatus({
      root,
      env: 'staging',
      wait: true,
      revision: revision.slice(0, 7),
      timeoutSeconds: 60,
      intervalMs: 1,
      processEnv: { ARGOCD_SERVER_STAGING: server.url, ARGOCD_AUTH_TOKEN_STAGING: 't' },
      log: (l) => lines.push(l),
    });
    expect(rows.every((r) => r.ready)).toBe(true);
    expect(lines.slice(0, 3).map((l) => l.replace(/^\[\d+s\] /, ''))).toEqual([
      'Waiting up to 60 s for 8 Applications in staging to be Synced and Healthy at 1a2b3c4 …',
      '7/8 ready; waiting for staging-api-gateway (Synced, Progressing, 1a2b3c4)',
      '8/8 ready',
    ]);
    // The first look asks Argo CD to refresh from git; later polls do not.
    const gateway = server.requests.filter((r) => r.url.startsWith('/api/v1/applications/staging-api-gateway')).map((r) => r.url);
    expect(gateway).toEqual(['/api/v1/applications/staging-api-gateway?refresh=normal', '/api/v1/applications/staging-api-gateway', '/api/v1/applications/staging-api-gateway']);
  });

  it('gives up at the timeout, naming what is not ready', async () => {
    const root = inputsRepo();
    server = await fakeArgocd((name) => ({ status: 200, body: application(name, { revision: 'f'.repeat(40) }) }));
    await expect(
      runStatus({
        root,
        env: 'staging',
        wait: true,
        revision,
        timeoutSeconds: 0.001,
        intervalMs: 1,
        processEnv: { ARGOCD_SERVER: server.url, ARGOCD_AUTH_TOKEN: 't' },
        log: () => undefined,
      }),
    ).rejects.toThrow(/^timed out after 0\.001 s; not yet Synced and Healthy at 1a2b3c4: staging-agent-orchestrator, staging-api-gateway, .*, staging-web-dashboard$/);
  });

  it('says which variables to set when no Argo CD is configured', async () => {
    const root = inputsRepo();
    await expect(runStatus({ root, env: 'production', processEnv: {}, log: () => undefined })).rejects.toThrow(
      'no Argo CD is configured for cluster production: set ARGOCD_SERVER and ARGOCD_AUTH_TOKEN (or ARGOCD_SERVER_PRODUCTION and ARGOCD_AUTH_TOKEN_… for this cluster alone)',
    );
  });
});
