import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, afterEach, describe, expect, it } from 'vitest';
import { runGate } from '../../src/promote/gate.js';
import { application, fakeArgocd, type FakeArgocd } from '../argocd/argocd-server.js';
import { baseRenderer, cleanUp, commitRendered, gitIn, renderedRepo } from './repo-fixture.js';

afterAll(cleanUp);
// Every test copies one template of this repository (copied, compiled, rendered): built once, before them.
beforeAll(() => void baseRenderer(), 600_000);
let server: FakeArgocd | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const quiet = {
  log: () => undefined,
  get renderer() {
    return baseRenderer();
  },
};

/** A pull request as a real commit on a branch: versions.yaml lines replaced, other files written. */
async function pullRequest(root: string, edits: { env: string; from: string; to: string }[], files: Record<string, string> = {}): Promise<{ base: string; head: string }> {
  const base = gitIn(root, 'rev-parse', 'HEAD');
  gitIn(root, 'switch', '--quiet', '-c', 'pr');
  const changed: Record<string, string> = { ...files };
  for (const e of edits) {
    const file = `overlays/${e.env}/versions.yaml`;
    const text = changed[file] ?? readFileSync(path.join(root, file), 'utf8');
    if (!text.includes(e.from)) throw new Error(`test setup: ${file} has no '${e.from}'`);
    changed[file] = text.replace(e.from, e.to);
  }
  const head = await commitRendered(root, 'pull request', changed);
  return { base, head };
}

describe('gate: the version rule', () => {
  it('passes a promotion of what staging runs on the base branch, and says the health part was skipped', async () => {
    const root = renderedRepo();
    const pr = await pullRequest(root, [{ env: 'production', from: 'agent-orchestrator: 2.4.0', to: 'agent-orchestrator: 2.4.1' }]);
    const result = await runGate({ root, ...pr, env: {}, ...quiet });
    expect(result.passed).toBe(true);
    expect(result.report).toBe(
      [
        `Promotion gate: ${pr.base.slice(0, 7)} (base) → ${pr.head.slice(0, 7)} (head)`,
        '',
        'ENV         APP                 VERSION        PREVIOUS ENV ON BASE  VERSION RULE  ARGO CD',
        'production  agent-orchestrator  2.4.0 → 2.4.1  staging 2.4.1         promotion     skipped',
        '',
        'The Argo CD health part was skipped for promotions into production: no Argo CD is configured for the previous environment.',
        '  To ask cluster staging: set ARGOCD_SERVER_STAGING and ARGOCD_AUTH_TOKEN_STAGING (or ARGOCD_SERVER and ARGOCD_AUTH_TOKEN, or the _<ENV> variants).',
        '',
        `Rendered output: clusters/ is what the base branch's renderer (${pr.base.slice(0, 7)}) makes of this pull request's inputs.`,
        '',
        'Gate passed.',
      ].join('\n'),
    );
    // In CI only the per-cluster repository variable and secret reach the job that asks Argo CD (gate.yml).
    const inCi = await runGate({ root, ...pr, env: {}, observations: [], ...quiet });
    expect(inCi.report).toContain(
      '  To ask cluster staging: set the repository variable ARGOCD_SERVER_STAGING and the secret ARGOCD_AUTH_TOKEN_STAGING (docs/promotion.md, Argo CD access).',
    );
    // Two gate runs, each rendering the pull request: generous on a busy machine.
  }, 300_000);

  it('refuses a version that the previous environment does not run on the base branch, even if the same pull request puts it there', async () => {
    const root = renderedRepo();
    const pr = await pullRequest(root, [
      { env: 'staging', from: 'api-gateway: 1.8.3', to: 'api-gateway: 1.9.0' },
      { env: 'production', from: 'api-gateway: 1.8.3', to: 'api-gateway: 1.9.0' },
    ]);
    const result = await runGate({ root, ...pr, env: {}, ...quiet });
    expect(result.passed).toBe(false);
    expect(result.moves.map((m) => `${m.env} ${m.app} ${m.ok}`)).toEqual(['staging api-gateway true', 'production api-gateway false']);
    expect(result.report).toContain(
      '✗ production: api-gateway 1.8.3 → 1.9.0, but staging runs 1.8.3 on the base branch; only what staging runs may enter production ' +
        '(npm run promote -- --from staging --to production --app api-gateway)',
    );
    expect(result.report.endsWith('Gate refused.')).toBe(true);
  });

  it('passes a production change that is not a promotion, and labels it', async () => {
    const root = renderedRepo();
    const file = 'overlays/production/apps/agent-orchestrator.yaml';
    const pr = await pullRequest(root, [], { [file]: `${readFileSync(path.join(root, file), 'utf8')}# reviewed\n` });
    const result = await runGate({ root, ...pr, env: {}, ...quiet });
    expect(result.passed).toBe(true);
    expect(result.other).toEqual([file]);
    expect(result.report).toContain(
      'Changes reaching production that are not version promotions (they pass the gate; review them):\n  [not a promotion] overlays/production/apps/agent-orchestrator.yaml',
    );
  });

  it('lets releases into development through and lists them', async () => {
    const root = renderedRepo();
    const pr = await pullRequest(root, [{ env: 'development', from: 'web-dashboard: 4.2.0', to: 'web-dashboard: 4.3.0' }]);
    const result = await runGate({ root, ...pr, env: {}, ...quiet });
    expect(result.passed).toBe(true);
    expect(result.report).toContain('No version changes in staging or production.');
    expect(result.report).toContain('Releases into development (not gated): web-dashboard 4.3.0');
  });

  it('fails when GATE_REQUIRE_ARGOCD asks for the health part and no Argo CD is configured', async () => {
    const root = renderedRepo();
    const pr = await pullRequest(root, [{ env: 'production', from: 'agent-orchestrator: 2.4.0', to: 'agent-orchestrator: 2.4.1' }]);
    const result = await runGate({ root, ...pr, env: { GATE_REQUIRE_ARGOCD: 'production' }, ...quiet });
    expect(result.passed).toBe(false);
    expect(result.report).toContain('✗ GATE_REQUIRE_ARGOCD=production requires the health part for production.');
  });
});

describe('gate: the Argo CD health part', () => {
  /** Base has two commits: staging at 2.3.0, then at 2.4.1; the pull request promotes 2.4.1 to production. */
  async function repoWithHistory() {
    const root = renderedRepo();
    const staging = 'overlays/staging/versions.yaml';
    const text = readFileSync(path.join(root, staging), 'utf8');
    const older = await commitRendered(root, 'staging at 2.3.0', { [staging]: text.replace('agent-orchestrator: 2.4.1', 'agent-orchestrator: 2.3.0') });
    const current = await commitRendered(root, 'staging at 2.4.1', { [staging]: text });
    const pr = await pullRequest(root, [{ env: 'production', from: 'agent-orchestrator: 2.4.0', to: 'agent-orchestrator: 2.4.1' }]);
    return { root, older, current, pr };
  }
  const image = (tag: string) => `222222222222.dkr.ecr.us-east-1.amazonaws.com/berrys/agent-orchestrator:${tag}`;
  const env = (url: string) => ({ ARGOCD_SERVER_STAGING: url, ARGOCD_AUTH_TOKEN_STAGING: 't', GATE_REQUIRE_ARGOCD: 'production' });
  /** A sync operation at `revision` whose PostSync Job `job` failed, as Argo CD records it, beside `others`. */
  const hookFailed = (revision: string, job: string, others: object[] = []) => ({
    operationState: {
      phase: 'Failed',
      message: 'one or more synchronization tasks completed unsuccessfully',
      syncResult: {
        revision,
        resources: [
          ...others,
          { kind: 'Job', namespace: 'berrys-staging', name: job, hookType: 'PostSync', hookPhase: 'Failed', message: 'Job has reached the specified backoff limit' },
        ],
      },
    },
  });

  it('passes when staging is Synced and Healthy at a revision that deploys the version', async () => {
    const { root, current, pr } = await repoWithHistory();
    server = await fakeArgocd((name) => ({ status: 200, body: application(name, { revision: current, images: [image('2.4.1')] }) }));
    const result = await runGate({ root, ...pr, env: env(server.url), argocd: { retries: 0 }, ...quiet });
    expect(server.requests.map((r) => r.url)).toEqual(['/api/v1/applications/staging-agent-orchestrator', '/api/v1/applications/staging-post-deploy']);
    expect(result.passed).toBe(true);
    expect(result.report).toContain(
      `production  agent-orchestrator  2.4.0 → 2.4.1  staging 2.4.1         promotion     ok: staging-agent-orchestrator Synced/Healthy at ${current.slice(0, 7)} (2.4.1)`,
    );
  });

  it('refuses when staging is not Healthy', async () => {
    const { root, current, pr } = await repoWithHistory();
    server = await fakeArgocd((name) => ({ status: 200, body: application(name, { revision: current, health: 'Degraded', images: [image('2.4.1')] }) }));
    const result = await runGate({ root, ...pr, env: env(server.url), argocd: { retries: 0 }, ...quiet });
    expect(result.passed).toBe(false);
    expect(result.report).toContain('✗ staging-agent-orchestrator is Degraded, not Healthy');
  });

  it('refuses when staging is synced at a revision that deploys another version', async () => {
    const { root, older, pr } = await repoWithHistory();
    server = await fakeArgocd((name) => ({ status: 200, body: application(name, { revision: older, images: [image('2.3.0')] }) }));
    const result = await runGate({ root, ...pr, env: env(server.url), argocd: { retries: 0 }, ...quiet });
    expect(result.passed).toBe(false);
    expect(result.report).toContain(`✗ staging-agent-orchestrator is at ${older.slice(0, 7)} where versions.yaml has 2.3.0, not 2.4.1, runs image tag 2.3.0, not 2.4.1`);
  });

  it("refuses, with Argo CD's message, when the app's last sync failed on a hook although it is Synced and Healthy", async () => {
    const { root, current, pr } = await repoWithHistory();
    server = await fakeArgocd((name) => ({
      status: 200,
      body: application(name, {
        revision: current,
        images: [image('2.4.1')],
        more: hookFailed(current, 'db-check', [{ kind: 'Deployment', namespace: 'berrys-staging', name: 'agent-orchestrator', status: 'Synced', syncPhase: 'Sync' }]),
      }),
    }));
    const result = await runGate({ root, ...pr, env: env(server.url), argocd: { retries: 0 }, ...quiet });
    expect(result.passed).toBe(false);
    expect(result.report).toContain(
      '✗ staging-agent-orchestrator last sync Failed: one or more synchronization tasks completed unsuccessfully, ' +
        'hook or resource Job berrys-staging/db-check (PostSync hook) Failed: Job has reached the specified backoff limit',
    );
  });

  it('refuses when the last sync ran at another revision than the one the Application shows', async () => {
    const { root, current, older, pr } = await repoWithHistory();
    server = await fakeArgocd((name) => ({
      status: 200,
      body: application(name, {
        revision: current,
        images: [image('2.4.1')],
        more: { operationState: { phase: 'Succeeded', syncResult: { revision: older } } },
      }),
    }));
    const result = await runGate({ root, ...pr, env: env(server.url), argocd: { retries: 0 }, ...quiet });
    expect(result.passed).toBe(false);
    expect(result.report).toContain(`✗ staging-agent-orchestrator last sync ran at ${older.slice(0, 7)}, not at ${current.slice(0, 7)}`);
  });

  it("refuses, with Argo CD's message, when staging's post-deploy smoke test failed", async () => {
    const { root, current, pr } = await repoWithHistory();
    server = await fakeArgocd((name) => ({
      status: 200,
      body:
        name === 'staging-post-deploy'
          ? application(name, {
              revision: current,
              more: hookFailed(current, 'smoke-test'),
            })
          : application(name, { revision: current, images: [image('2.4.1')] }),
    }));
    const result = await runGate({ root, ...pr, env: env(server.url), argocd: { retries: 0 }, ...quiet });
    expect(result.passed).toBe(false);
    expect(result.report).toContain(
      '✗ post-deploy tests staging-post-deploy last sync Failed: one or more synchronization tasks completed unsuccessfully; ' +
        'post-deploy tests staging-post-deploy hook or resource Job berrys-staging/smoke-test (PostSync hook) Failed: Job has reached the specified backoff limit',
    );
    expect(result.report).toContain('FAIL: staging-agent-orchestrator Synced/Healthy');
  });

  it('refuses when the post-deploy tests last ran at a revision that deploys another version', async () => {
    const { root, current, older, pr } = await repoWithHistory();
    server = await fakeArgocd((name) => ({
      status: 200,
      body: name === 'staging-post-deploy' ? application(name, { revision: older }) : application(name, { revision: current, images: [image('2.4.1')] }),
    }));
    const result = await runGate({ root, ...pr, env: env(server.url), argocd: { retries: 0 }, ...quiet });
    expect(result.passed).toBe(false);
    expect(result.report).toContain(
      `✗ post-deploy tests staging-post-deploy last ran at ${older.slice(0, 7)}, where versions.yaml has agent-orchestrator 2.3.0, so they have not tested 2.4.1`,
    );
  });

  it('refuses, with the reason, when Argo CD cannot be asked', async () => {
    const { root, pr } = await repoWithHistory();
    server = await fakeArgocd(() => ({ status: 401, body: { code: 16, message: 'invalid session' } }));
    const result = await runGate({ root, ...pr, env: env(server.url), argocd: { retries: 0 }, ...quiet });
    expect(result.passed).toBe(false);
    expect(result.report).toContain(`✗ Argo CD at ${server.url} refused the token for GET /api/v1/applications/staging-agent-orchestrator (401 Unauthorized)`);
  });
});
