import { cpSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Application } from '../../src/argocd/api.js';
import { readRenderedApplications, type RenderedApplication } from '../../src/argocd/rendered.js';
import { readClusterIndex } from '../../src/cluster-index.js';
import { defaultRepoRoot, repoPaths } from '../../src/paths.js';
import { diskReader, readVersions } from '../../src/promote/repo.js';
import { runStatus, type StatusOptions, type WaitClock } from '../../src/promote/status.js';
import { HintedError } from '../../src/errors.js';
import { cleanUp, inputsRepo } from '../promote/repo-fixture.js';
import { application, argocdAnswers, fakeArgocd, type ArgocdState, type FakeArgocd } from './argocd-server.js';

let server: FakeArgocd | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(cleanUp);

const revision = '1a2b3c4d'.repeat(5);
const image = (name: string) => `222222222222.dkr.ecr.us-east-1.amazonaws.com/berrys/${name.replace(/^staging-/, '')}:${name === 'staging-agent-orchestrator' ? '2.4.1' : 'x'}`;

/** The real inputs and clusters/index.json, plus every cluster's rendered argocd folder (where the add-ons' Applications are). */
function statusRepo(): string {
  const root = inputsRepo();
  for (const c of ['development', 'local', 'production', 'production-dr', 'staging']) {
    const folder = repoPaths.argocdFolder(c);
    cpSync(path.join(defaultRepoRoot, folder), path.join(root, folder), { recursive: true });
  }
  return root;
}

/** The Applications of a cluster as the root renders them: Argo CD's state after every one of them was created. */
async function rendered(root: string, cluster: string): Promise<RenderedApplication[]> {
  const index = await readClusterIndex(diskReader(root));
  return readRenderedApplications(
    diskReader(root),
    index.clusters.find((c) => c.name === cluster)!,
  );
}

/** Every Application of `local` Synced and Healthy: git ones at `revision`, charts at their version, apps with their image. */
async function localState(root: string, overrides: Record<string, Application | undefined> = {}): Promise<ArgocdState> {
  const applications = new Map<string, Application>();
  const { versions } = await readVersions(diskReader(root), 'local');
  for (const a of await rendered(root, 'local')) {
    const app = a.name.replace(/^local-/, '');
    const images = versions.has(app) ? [`registry.local/berrys/${app}:${versions.get(app)}`] : [];
    const made = application(a.name, { project: a.project, revision: a.chart ? '1.0.0' : revision, images });
    const chosen = a.name in overrides ? overrides[a.name] : made;
    if (chosen) applications.set(a.name, chosen);
  }
  return { applications };
}

/** A clock that only moves when the command sleeps; `onSleep` runs at each sleep, before the next poll. */
function testClock(onSleep: (n: number) => void = () => undefined): WaitClock & { sleeps: number } {
  let now = 0;
  const clock = {
    sleeps: 0,
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
      onSleep(clock.sleeps++);
    },
  };
  return clock;
}

async function status(opts: Omit<StatusOptions, 'log' | 'processEnv'> & { url: string }): Promise<{ lines: string[]; error?: Error }> {
  const lines: string[] = [];
  try {
    await runStatus({ ...opts, processEnv: { ARGOCD_SERVER: opts.url, ARGOCD_AUTH_TOKEN: 't' }, argocd: { retries: 0 }, log: (l) => lines.push(...l.split('\n')) });
    return { lines };
  } catch (error) {
    return { lines, error: error as Error };
  }
}

const local = (name: string) => `local-${name}`;

describe('status', () => {
  it('lists every Application of the environment, add-ons included, with Argo CD’s reasons for what is not Synced and Healthy', async () => {
    const root = statusRepo();
    const helm =
      'Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = failed running helm: exec: "helm": executable file not found in $PATH';
    const state = await localState(root, {
      [local('addon-traefik')]: application(local('addon-traefik'), {
        project: 'local-platform',
        revision: '1.0.0',
        sync: 'Unknown',
        more: { conditions: [{ type: 'ComparisonError', message: helm }] },
      }),
      [local('api-gateway')]: application(local('api-gateway'), {
        project: 'local',
        revision,
        health: 'Degraded',
        images: ['registry.local/berrys/api-gateway:1.9.0'],
        more: {
          operationState: { phase: 'Failed', message: 'one or more objects failed to apply' },
          resources: [
            {
              kind: 'Deployment',
              namespace: 'berrys-local',
              name: 'api-gateway',
              health: { status: 'Degraded', message: 'Deployment "api-gateway" exceeded its progress deadline' },
            },
            { kind: 'Service', namespace: 'berrys-local', name: 'api-gateway', health: { status: 'Healthy' } },
          ],
        },
      }),
      [local('planning-system')]: application(local('planning-system'), { project: 'local', revision, images: [] }),
      [local('web-dashboard')]: undefined,
    });
    server = await fakeArgocd(argocdAnswers(state));
    const { lines, error } = await status({ root, env: 'local', url: server.url });
    expect(error).toBeUndefined();
    expect(lines).toEqual([
      'APPLICATION                   SYNC     HEALTH    REVISION  VERSION    VERSIONS.YAML',
      'local-addon-alloy             Synced   Healthy   1.0.0     -          -',
      'local-addon-external-secrets  Synced   Healthy   1.0.0     -          -',
      'local-addon-loki              Synced   Healthy   1.0.0     -          -',
      'local-addon-metrics-server    Synced   Healthy   1.0.0     -          -',
      'local-addon-traefik           Unknown  Healthy   1.0.0     -          -',
      'local-agent-orchestrator      Synced   Healthy   1a2b3c4   2.5.0      2.5.0',
      'local-api-gateway             Synced   Degraded  1a2b3c4   1.9.0      1.9.0',
      'local-model-orchestration     Synced   Healthy   1a2b3c4   3.1.2      3.1.2',
      'local-planning-system         Synced   Healthy   1a2b3c4   no images  1.12.0',
      'local-platform                Synced   Healthy   1a2b3c4   -          -',
      'local-post-deploy             Synced   Healthy   1a2b3c4   -          -',
      'local-project-coordinator     Synced   Healthy   1a2b3c4   1.4.7      1.4.7',
      'local-root                    Synced   Healthy   1a2b3c4   -          -',
      'local-service-integration     Synced   Healthy   1a2b3c4   0.9.4      0.9.4',
      'local-tool-integration        Synced   Healthy   1a2b3c4   2.0.1      2.0.1',
      'local-web-dashboard           Missing  -         -         -          4.2.0',
      '',
      'Not Synced and Healthy, with what Argo CD says:',
      `  local-addon-traefik (Unknown, Healthy): ComparisonError: ${helm}`,
      '  local-api-gateway (Synced, Degraded): sync Failed: one or more objects failed to apply; Deployment berrys-local/api-gateway Degraded: Deployment "api-gateway" exceeded its progress deadline',
      '  local-web-dashboard: Argo CD has no such Application in project local; the root Application local-root creates it when it syncs clusters/local/argocd (local-root: Synced, Healthy, 1a2b3c4)',
    ]);
    // Each Application was asked for within its rendered project, which is what makes Argo CD answer 404 for a missing one.
    expect(server.requests.map((r) => r.url)).toContain('/api/v1/applications/local-web-dashboard?projects=local');
    expect(server.requests.map((r) => r.url)).toContain('/api/v1/applications/local-addon-loki?projects=local-platform');
  });

  it('tells an Application the token may not read from a missing one, and says what to allow', async () => {
    const root = statusRepo();
    const state = await localState(root, { [local('web-dashboard')]: undefined });
    state.mayRead = (project) => project !== 'local-platform';
    server = await fakeArgocd(argocdAnswers(state));
    const { lines, error } = await status({ root, env: 'local', url: server.url });
    expect(error).toBeInstanceOf(HintedError);
    expect(error!.message).toBe(
      `Argo CD at ${server.url} denied reading 7 Applications of cluster local (403 Forbidden, asked within their projects): ` +
        'local-addon-alloy, local-addon-external-secrets, local-addon-loki, local-addon-metrics-server, local-addon-traefik, local-platform, local-root\n' +
        '  hint: the account of ARGOCD_AUTH_TOKEN may not read Applications of project local-platform; allow it in policy.csv of argocd-rbac-cm: ' +
        'p, role:<name>, applications, get, local-platform/*, allow',
    );
    expect(lines.filter((l) => /^local-(addon-loki|web-dashboard) /.test(l))).toEqual([
      'local-addon-loki              Forbidden  -        -         -        -',
      'local-web-dashboard           Missing    -        -         -        4.2.0',
    ]);
    expect(lines).toContain('  local-addon-loki: the token may not read Applications of project local-platform');
  });

  it('--wait waits for an Application that does not exist yet until the root creates it', async () => {
    const root = statusRepo();
    const state = await localState(root, { [local('web-dashboard')]: undefined });
    server = await fakeArgocd(argocdAnswers(state));
    // The root creates the Application while the command sleeps after its second look.
    const clock = testClock((n) => {
      if (n === 1)
        state.applications.set(local('web-dashboard'), application(local('web-dashboard'), { project: 'local', revision, images: ['registry.local/berrys/web-dashboard:4.2.0'] }));
    });
    const { lines, error } = await status({ root, env: 'local', url: server.url, wait: true, revision: revision.slice(0, 7), timeoutSeconds: 600, intervalMs: 5000, clock });
    expect(error).toBeUndefined();
    expect(lines.slice(0, 3)).toEqual([
      'Waiting up to 600 s for 16 Applications in local to be Synced and Healthy at 1a2b3c4 …',
      '[0s] 15/16 ready; waiting for local-web-dashboard (missing)',
      '[10s] 16/16 ready',
    ]);
    expect(clock.sleeps).toBe(2);
    // The first look asks Argo CD to refresh from git; later ones do not. Chart add-ons run their chart version and count as ready.
    expect(server.requests.filter((r) => r.url.startsWith('/api/v1/applications/local-web-dashboard?')).map((r) => r.url)).toEqual([
      '/api/v1/applications/local-web-dashboard?refresh=normal&projects=local',
      '/api/v1/applications/local-web-dashboard?projects=local',
      '/api/v1/applications/local-web-dashboard?projects=local',
    ]);
  });

  it('--wait says at the timeout which Application never appeared and what creates it', async () => {
    const root = statusRepo();
    const state = await localState(root, {
      [local('web-dashboard')]: undefined,
      [local('root')]: application(local('root'), { project: 'local-platform', revision: 'f'.repeat(40) }),
    });
    server = await fakeArgocd(argocdAnswers(state));
    const { error } = await status({ root, env: 'local', url: server.url, wait: true, revision, timeoutSeconds: 30, intervalMs: 10_000, clock: testClock() });
    expect(error?.message).toBe(
      'timed out after 30 s; not yet Synced and Healthy at 1a2b3c4: local-root; local-web-dashboard never appeared in Argo CD; ' +
        'the root Application local-root creates it when it syncs clusters/local/argocd (local-root: Synced, Healthy, fffffff)',
    );
  });

  it('--wait says how to create a missing root Application', async () => {
    const root = statusRepo();
    server = await fakeArgocd(argocdAnswers({ applications: new Map() }));
    const { error } = await status({ root, env: 'local', url: server.url, wait: true, timeoutSeconds: 5, intervalMs: 5000, clock: testClock() });
    expect(error?.message).toMatch(
      /^timed out after 5 s; local-addon-alloy never appeared in Argo CD; the root Application local-root creates it when it syncs clusters\/local\/argocd \(local-root: missing\); /,
    );
    expect(error?.message).toContain('; local-root never appeared in Argo CD; the root Application is applied once: npm run bootstrap -- --cluster local;');
  });

  it('--wait stops at its first look when the token may not read an Application: waiting cannot help', async () => {
    const root = statusRepo();
    const state = await localState(root);
    state.mayRead = (project, name) => !(project === 'local' && name === local('api-gateway'));
    server = await fakeArgocd(argocdAnswers(state));
    const clock = testClock();
    const { error } = await status({ root, env: 'local', url: server.url, wait: true, timeoutSeconds: 600, clock });
    expect(error?.message).toBe(
      `Argo CD at ${server.url} denied reading 1 Application of cluster local (403 Forbidden, asked within their projects): local-api-gateway\n` +
        '  hint: the account of ARGOCD_AUTH_TOKEN may not read Applications of project local; allow it in policy.csv of argocd-rbac-cm: p, role:<name>, applications, get, local/*, allow',
    );
    expect(clock.sleeps).toBe(0);
  });

  it('waits until Progressing turns Healthy at the revision, showing progress', async () => {
    const root = statusRepo();
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
      intervalMs: 1000,
      clock: testClock(),
      processEnv: { ARGOCD_SERVER_STAGING: server.url, ARGOCD_AUTH_TOKEN_STAGING: 't' },
      log: (l) => lines.push(l),
    });
    expect(rows.every((r) => r.ready)).toBe(true);
    // Every Application of staging's argocd folder (the count grows with the add-ons).
    const n = rows.length;
    expect(n).toBeGreaterThan(20);
    expect(lines.slice(0, 3)).toEqual([
      `Waiting up to 60 s for ${n} Applications in staging to be Synced and Healthy at 1a2b3c4 …`,
      `[0s] ${n - 1}/${n} ready; waiting for staging-api-gateway (Synced, Progressing, 1a2b3c4)`,
      `[2s] ${n}/${n} ready`,
    ]);
  });

  it('gives up at the timeout, naming what is not at the revision; a chart add-on runs its chart version, not a revision', async () => {
    const root = statusRepo();
    server = await fakeArgocd((name) => ({ status: 200, body: application(name, { revision: 'f'.repeat(40), images: [image(name)] }) }));
    await expect(
      runStatus({
        root,
        env: 'staging',
        wait: true,
        revision,
        timeoutSeconds: 10,
        intervalMs: 5000,
        clock: testClock(),
        processEnv: { ARGOCD_SERVER: server.url, ARGOCD_AUTH_TOKEN: 't' },
        log: () => undefined,
      }),
    ).rejects.toThrow(
      'timed out after 10 s; not yet Synced and Healthy at 1a2b3c4: staging-agent-orchestrator, staging-api-gateway, staging-model-orchestration, ' +
        'staging-planning-system, staging-platform, staging-post-deploy, staging-project-coordinator, staging-root, staging-service-integration, staging-tool-integration, staging-web-dashboard',
    );
  });

  it('with skipCharts, waits for the git Applications only, and says how many chart add-ons it did not wait for', async () => {
    const root = statusRepo();
    // Every chart add-on stays Unknown, as in a cluster whose repo-server cannot pull charts.
    server = await fakeArgocd((name) => ({ status: 200, body: application(name, { revision, sync: /-addon-/.test(name) ? 'Unknown' : 'Synced', images: [image(name)] }) }));
    const lines: string[] = [];
    const rows = await runStatus({
      root,
      env: 'staging',
      wait: true,
      revision,
      skipCharts: true,
      timeoutSeconds: 10,
      intervalMs: 5000,
      clock: testClock(),
      processEnv: { ARGOCD_SERVER: server.url, ARGOCD_AUTH_TOKEN: 't' },
      log: (l) => lines.push(...l.split('\n')),
    });
    const charts = rows.filter((r) => r.application.includes('-addon-'));
    expect(charts.length).toBeGreaterThan(0);
    expect(charts.every((r) => r.state?.sync === 'Unknown')).toBe(true);
    expect(lines[1]).toBe(`(--skip-charts: ${charts.length} chart add-on Applications must exist but are not waited for)`);
    expect(lines).toContain('Not Synced and Healthy, with what Argo CD says:');
  });

  it('says which variables to set when no Argo CD is configured', async () => {
    const root = statusRepo();
    await expect(runStatus({ root, env: 'production', processEnv: {}, log: () => undefined })).rejects.toThrow(
      'no Argo CD is configured for cluster production: set ARGOCD_SERVER and ARGOCD_AUTH_TOKEN (or ARGOCD_SERVER_PRODUCTION and ARGOCD_AUTH_TOKEN_… for this cluster alone)',
    );
  });
});
