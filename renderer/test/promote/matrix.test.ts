import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseObservations } from '../../src/argocd/observe.js';
import { rollbackCommand, versionsCommand } from '../../src/promote/cli.js';
import { runCommand, type Command } from '../../src/cli/command.js';
import { runGate } from '../../src/promote/gate.js';
import { runVersions } from '../../src/promote/matrix.js';
import { application, fakeArgocd, notFound, type FakeArgocd } from '../argocd/argocd-server.js';
import { baseRenderer, cleanUp, commit, commitRendered, gitIn, inputsRepo, renderedRepo, tempDir } from './repo-fixture.js';

afterAll(cleanUp);
let server: FakeArgocd | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The real inputs, plus notification-service released into development only. */
function repo(): string {
  const root = inputsRepo();
  const dev = 'overlays/development/versions.yaml';
  commit(root, 'notification-service in development', {
    'apps/notification-service.yaml': 'name: notification-service\nimage: berrys/notification-service\n',
    [dev]: readFileSync(path.join(root, dev), 'utf8').replace('model-orchestration:', 'notification-service: 1.0.0\nmodel-orchestration:'),
  });
  return root;
}

async function print(opts: Parameters<typeof runVersions>[0]): Promise<string> {
  const out: string[] = [];
  await runVersions({ ...opts, log: (t) => out.push(t) });
  return out.join('\n');
}

describe('versions: the matrix in git', () => {
  it('prints an environment × app table, marking differences from the environment before and apps not deployed yet', async () => {
    expect(await print({ root: repo() })).toBe(
      [
        'APP                   DEVELOPMENT  STAGING  PRODUCTION',
        'agent-orchestrator    2.5.0        2.4.1 *  2.4.0 *',
        'api-gateway           1.9.0        1.8.3 *  1.8.3',
        'model-orchestration   3.1.2        3.1.2    3.1.2',
        'notification-service  1.0.0        — *      —',
        'planning-system       1.12.0       1.12.0   1.12.0',
        'project-coordinator   1.4.7        1.4.7    1.4.7',
        'service-integration   0.9.4        0.9.4    0.9.4',
        'tool-integration      2.0.1        2.0.1    2.0.1',
        'web-dashboard         4.2.0        4.2.0    4.2.0',
        '',
        '* differs from the environment before it · — not deployed there',
      ].join('\n'),
    );
  });

  it('prints Markdown for pull requests and job summaries', async () => {
    const md = (await print({ root: repo(), format: 'markdown' })).split('\n');
    expect(md.slice(0, 4)).toEqual([
      '| app | development | staging | production |',
      '| --- | --- | --- | --- |',
      '| `agent-orchestrator` | 2.5.0 | **2.4.1** | **2.4.0** |',
      '| `api-gateway` | 1.9.0 | **1.8.3** | 1.8.3 |',
    ]);
    expect(md).toContain('| `notification-service` | 1.0.0 | — | — |');
    expect(md.at(-1)).toBe('**Bold**: differs from the environment before it · —: not deployed there.');
  });

  it('prints JSON with every app, its versions and where they differ', async () => {
    const json = JSON.parse(await print({ root: repo(), format: 'json' }));
    expect(json.environments).toEqual(['development', 'staging', 'production']);
    expect(json.apps.find((a: { app: string }) => a.app === 'notification-service')).toEqual({
      app: 'notification-service',
      versions: { development: '1.0.0' },
      differs: ['staging'],
    });
    expect(json.live).toBeUndefined();
  });
});

describe('versions --live', () => {
  const image = (app: string, tag: string) => `222222222222.dkr.ecr.us-east-1.amazonaws.com/berrys/${app}:${tag}`;
  const revision = '1a2b3c4d'.repeat(5);

  it('adds what the cluster runs and marks where live and git disagree', async () => {
    server = await fakeArgocd((name) => {
      const app = name.replace(/^staging-/, '');
      if (app === 'web-dashboard') return notFound(name);
      const tag = app === 'api-gateway' ? '1.8.2' : app === 'agent-orchestrator' ? '2.4.1' : '0';
      return { status: 200, body: application(name, { revision, health: app === 'tool-integration' ? 'Degraded' : 'Healthy', images: [image(app, tag)] }) };
    });
    const text = await print({
      root: repo(),
      live: true,
      cluster: 'staging',
      processEnv: { ARGOCD_SERVER_STAGING: server.url, ARGOCD_AUTH_TOKEN_STAGING: 't' },
      argocd: { retries: 0 },
    });
    const live = text.slice(text.indexOf('APPLICATION')).split('\n');
    expect(live.slice(0, 3)).toEqual([
      'APPLICATION                  GIT     LIVE   SYNC    HEALTH    REVISION',
      'staging-agent-orchestrator   2.4.1   2.4.1  Synced  Healthy   1a2b3c4',
      'staging-api-gateway          1.8.3   1.8.2  Synced  Healthy   1a2b3c4   ≠ runs 1.8.2, git says 1.8.3',
    ]);
    expect(live).toContain('staging-tool-integration     2.0.1   0      Synced  Degraded  1a2b3c4   ≠ runs 0, git says 2.0.1, Degraded');
    expect(live).toContain('staging-web-dashboard        4.2.0   -      -       -         -         ≠ no such Application');
    expect(live.at(-1)).toBe('Live: 7 of 8 Applications disagree with git or are not Synced and Healthy (≠).');
    // Only the staging cluster was asked, and only for apps deployed there (not notification-service), and for its post-deploy tests.
    expect(server.requests.map((r) => r.url)).toHaveLength(9);
    expect(server.requests.every((r) => r.url.startsWith('/api/v1/applications/staging-') && r.auth === 'Bearer t')).toBe(true);
  });

  it('says Argo CD reports no images when it lists none, and that the app’s image is not among those it lists', async () => {
    server = await fakeArgocd((name) => {
      const images = name === 'staging-api-gateway' ? [image('sidecar', '1.0.0')] : name === 'staging-agent-orchestrator' ? [image('agent-orchestrator', '2.4.1')] : [];
      return { status: 200, body: application(name, { revision, images }) };
    });
    const text = await print({ root: repo(), live: true, cluster: 'staging', processEnv: { ARGOCD_SERVER: server.url, ARGOCD_AUTH_TOKEN: 't' }, argocd: { retries: 0 } });
    const live = text.slice(text.indexOf('APPLICATION')).split('\n');
    expect(live.slice(1, 4)).toEqual([
      'staging-agent-orchestrator   2.4.1   2.4.1  Synced  Healthy  1a2b3c4',
      'staging-api-gateway          1.8.3   -      Synced  Healthy  1a2b3c4   ≠ running image not found',
      'staging-model-orchestration  3.1.2   -      Synced  Healthy  1a2b3c4   ≠ Argo CD reports no images',
    ]);
  });

  it('writes observations the gate can judge without a token (the workflow path)', { timeout: 300_000 }, async () => {
    const root = renderedRepo();
    const staging = gitIn(root, 'rev-parse', 'HEAD');
    server = await fakeArgocd((name) => ({ status: 200, body: application(name, { revision: staging, images: [image(name.replace(/^staging-/, ''), '2.4.1')] }) }));
    const dir = tempDir('observations');
    const file = path.join(dir, 'staging.json');
    await runVersions({
      root,
      live: true,
      cluster: 'staging',
      format: 'json',
      output: file,
      processEnv: { ARGOCD_SERVER_STAGING: server.url, ARGOCD_AUTH_TOKEN_STAGING: 't' },
      argocd: { retries: 0 },
    });
    const observations = parseObservations(file, readFileSync(file, 'utf8'));
    expect(observations.map((o) => [o.cluster, o.server, Object.keys(o.applications).length])).toEqual([['staging', server.url, 8]]);
    await server.close();
    server = undefined;

    gitIn(root, 'switch', '--quiet', '-c', 'pr');
    const prod = 'overlays/production/versions.yaml';
    await commitRendered(root, 'promote', { [prod]: readFileSync(path.join(root, prod), 'utf8').replace('agent-orchestrator: 2.4.0', 'agent-orchestrator: 2.4.1') });
    const renderer = baseRenderer();
    const result = await runGate({ root, base: 'main', env: { GATE_REQUIRE_ARGOCD: 'production' }, observations, log: () => undefined, renderer });
    expect(result.passed).toBe(true);
    expect(result.report).toContain(`promotion     ok: staging-agent-orchestrator Synced/Healthy at ${staging.slice(0, 7)} (2.4.1)`);
    // Without an observation of staging, the health part counts as skipped, which GATE_REQUIRE_ARGOCD refuses.
    const none = await runGate({ root, base: 'main', env: { GATE_REQUIRE_ARGOCD: 'production' }, observations: [], log: () => undefined, renderer });
    expect(none.passed).toBe(false);
  });

  it('refuses an observations file that is not one', () => {
    expect(() => parseObservations('x.json', '{"live":[{"cluster":"staging"}]}')).toThrow(
      'x.json: not an Argo CD observation written by npm run versions -- --live --format json (live[0] needs cluster, environment and applications)',
    );
  });
});

describe('command lines', () => {
  /** Runs a command as `npm run` would; its exit code and the first line it printed on stderr. */
  async function refusal(command: Command, argv: string[]): Promise<{ code: number; error: string }> {
    const err: string[] = [];
    const code = await runCommand(command, argv, { root: inputsRepo(), io: { out: () => {}, err: (line) => err.push(line), color: false, env: {} } });
    return { code, error: err[0] ?? '' };
  }

  it('versions refuses an unknown format and --cluster without --live as usage errors', async () => {
    const root = inputsRepo();
    expect(await refusal(versionsCommand as unknown as Command, ['--format', 'yaml', '--root', root])).toEqual({
      code: 2,
      error: "Error: --format: unknown value 'yaml'; allowed: text, markdown, json",
    });
    expect(await refusal(versionsCommand as unknown as Command, ['--cluster', 'staging', '--root', root])).toEqual({ code: 2, error: 'Error: --cluster goes with --live' });
  });

  it('rollback needs --env and --app, and --to with a single app', async () => {
    const root = inputsRepo();
    const rollback = rollbackCommand as unknown as Command;
    expect(await refusal(rollback, ['--app', 'web-dashboard', '--root', root])).toEqual({ code: 2, error: 'Error: --env is required' });
    expect(await refusal(rollback, ['--env', 'production', '--root', root])).toEqual({ code: 2, error: 'Error: --app is required' });
    expect(await refusal(rollback, ['--env', 'production', '--app', 'a,b', '--to', '1.0.0', '--root', root])).toEqual({
      code: 2,
      error: 'Error: --to names one version, so it goes with one --app; roll several apps back to their previous versions without --to',
    });
    expect(await refusal(rollback, ['--env', 'prod', '--app', 'web-dashboard', '--root', root])).toEqual({
      code: 2,
      error: "Error: --env: unknown environment 'prod'; allowed: development, staging, production",
    });
  });
});
