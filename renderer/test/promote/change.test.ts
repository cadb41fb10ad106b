import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPromote, runRelease } from '../../src/promote/change.js';
import { cleanUp, gitIn, inputsRepo, renderedRepo, tempDir, writeFile } from './repo-fixture.js';

afterAll(cleanUp);

const quiet = { log: () => undefined };

describe('promote', () => {
  it('copies staging versions into production on a new branch, renders, and commits old → new', async () => {
    const root = renderedRepo();
    const versionsBefore = readFileSync(path.join(root, 'overlays/production/versions.yaml'), 'utf8');
    const result = await runPromote({ root, from: 'staging', to: 'production', apps: [], ...quiet });

    expect(result.branch).toBe('promote/production/agent-orchestrator-2.4.1');
    expect(gitIn(root, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('promote/production/agent-orchestrator-2.4.1');
    expect(gitIn(root, 'log', '-1', '--format=%B')).toBe(
      'promote staging → production: agent-orchestrator\n\n' +
        'Copies the versions staging runs into production (overlays/production/versions.yaml) and re-renders clusters/.\n\n' +
        '- agent-orchestrator: 2.4.0 → 2.4.1',
    );
    expect(gitIn(root, 'rev-list', '--count', 'main..HEAD')).toBe('1');
    // Only the versions file and the promoted app's rendered files in production's two clusters change.
    expect(result.files).toContain('overlays/production/versions.yaml');
    expect(result.files).toContain('clusters/production/apps/agent-orchestrator/manifest.yaml');
    expect(result.files).toContain('clusters/production-dr/apps/agent-orchestrator/manifest.yaml');
    for (const f of result.files!) {
      expect(f).toMatch(/^(overlays\/production\/versions\.yaml|clusters\/production(-dr)?\/apps\/agent-orchestrator\/)/);
    }
    // The edit is one line: the schema line and the comments survive.
    expect(readFileSync(path.join(root, 'overlays/production/versions.yaml'), 'utf8')).toBe(versionsBefore.replace('agent-orchestrator: 2.4.0', 'agent-orchestrator: 2.4.1'));
    expect(readFileSync(path.join(root, 'clusters/production/apps/agent-orchestrator/manifest.yaml'), 'utf8')).toContain('berrys/agent-orchestrator:2.4.1');
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
  });

  it('promotes only the chosen apps', async () => {
    const root = renderedRepo();
    const result = await runPromote({ root, from: 'development', apps: ['api-gateway'], ...quiet });
    expect(result.plan.changes).toEqual([{ app: 'api-gateway', from: '1.8.3', to: '1.9.0' }]);
    expect(result.files!.filter((f) => !f.startsWith('clusters/staging/apps/api-gateway/'))).toEqual(['overlays/staging/versions.yaml']);
  });

  it('prints the plan on a dry run and changes nothing', async () => {
    const root = inputsRepo();
    const lines: string[] = [];
    const head = gitIn(root, 'rev-parse', 'HEAD');
    const result = await runPromote({ root, from: 'development', to: 'staging', apps: [], dryRun: true, log: (l) => lines.push(l) });
    expect(result.commit).toBeUndefined();
    expect(lines.join('\n')).toBe(
      [
        'Promote development → staging:',
        '',
        '| app | staging now | from development |',
        '| --- | --- | --- |',
        '| agent-orchestrator | 2.4.1 | 2.5.0 |',
        '| api-gateway | 1.8.3 | 1.9.0 |',
        '',
        'Already the same in staging: model-orchestration, planning-system, project-coordinator, service-integration, tool-integration, web-dashboard',
        '',
        'Dry run: would edit overlays/staging/versions.yaml, render clusters/, create branch promote/staging/agent-orchestrator-2.5.0_api-gateway-1.9.0 and commit:',
        '',
        '    promote development → staging: agent-orchestrator, api-gateway',
        '',
        '    Copies the versions development runs into staging (overlays/staging/versions.yaml) and re-renders clusters/.',
        '',
        '    - agent-orchestrator: 2.4.1 → 2.5.0',
        '    - api-gateway: 1.8.3 → 1.9.0',
        '',
        'Nothing was changed.',
      ].join('\n'),
    );
    expect(gitIn(root, 'rev-parse', 'HEAD')).toBe(head);
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
    expect(gitIn(root, 'branch', '--list')).toBe('* main');
  });

  it.each([
    [
      { from: 'development', to: 'production', apps: [] },
      'cannot promote from development to production: that skips staging; promote one step at a time (development → staging → production): first --from development --to staging',
    ],
    [
      { from: 'staging', to: 'production', apps: ['billing'] },
      "unknown app 'billing'; the apps are the files in apps/: agent-orchestrator, api-gateway, model-orchestration, planning-system, project-coordinator, service-integration, tool-integration, web-dashboard",
    ],
    [{ from: 'staging', to: 'production', apps: ['api-gateway'] }, 'nothing to promote from staging to production: api-gateway already runs the same version'],
  ])('refuses %o', async (args, message) => {
    const root = inputsRepo();
    await expect(runPromote({ root, ...args, ...quiet })).rejects.toThrow(message);
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
  });

  it('refuses to run on a working tree with uncommitted changes', async () => {
    const root = inputsRepo();
    writeFile(root, 'overlays/staging/apps/api-gateway.yaml', 'settings: {}\n');
    await expect(runPromote({ root, from: 'staging', apps: [], ...quiet })).rejects.toThrow(
      'the working tree has uncommitted changes (overlays/staging/apps/api-gateway.yaml); commit or stash them first, so that the promote commit holds only the promote',
    );
  });

  it('puts versions.yaml back when rendering fails', async () => {
    const root = inputsRepo(); // holds no renderer, so rendering fails for real
    await expect(runPromote({ root, from: 'staging', apps: [], ...quiet })).rejects.toThrow(/^rendering .* failed \(node scripts\/render\.mjs\):/);
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
    expect(gitIn(root, 'branch', '--list')).toBe('* main');
  });
});

describe('release', () => {
  it('sets the version in development on a release branch', async () => {
    const root = renderedRepo();
    const result = await runRelease({ root, app: 'api-gateway', version: 'v1.10.0-rc.1', ...quiet });
    expect(result.branch).toBe('release/api-gateway-v1.10.0-rc.1');
    expect(gitIn(root, 'log', '-1', '--format=%s')).toBe('release api-gateway v1.10.0-rc.1 to development');
    expect(result.files).toContain('clusters/development/apps/api-gateway/manifest.yaml');
    expect(result.files!.every((f) => f === 'overlays/development/versions.yaml' || f.startsWith('clusters/development/apps/api-gateway/'))).toBe(true);
  });

  it('refuses a tag that does not look like a release', async () => {
    const root = inputsRepo();
    await expect(runRelease({ root, app: 'api-gateway', version: 'latest', ...quiet })).rejects.toThrow(
      "'latest' does not look like a release tag; use a semantic version such as 1.4.0, v1.4.0 or 1.4.0-rc.1",
    );
  });

  it('pushes the branch, opens a pull request with the version table, and turns on auto-merge', async () => {
    const origin = tempDir('origin');
    gitIn(origin, 'init', '--quiet', '--bare');
    const root = renderedRepo();
    gitIn(root, 'remote', 'add', 'origin', origin);
    gitIn(root, 'push', '--quiet', 'origin', 'main');

    const requests: { method: string; url: string; auth: string; body: Record<string, unknown> }[] = [];
    const server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        requests.push({ method: req.method!, url: req.url!, auth: req.headers.authorization ?? '', body: JSON.parse(text) });
        res.setHeader('content-type', 'application/json');
        if (req.url === '/repos/berrys/gitops/pulls') {
          res.statusCode = 201;
          res.end(JSON.stringify({ number: 42, html_url: 'https://github.example/berrys/gitops/pull/42', node_id: 'PR_kwDO42' }));
        } else res.end(JSON.stringify({ data: { enablePullRequestAutoMerge: { clientMutationId: null } } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const result = await runRelease({
        root,
        app: 'web-dashboard',
        version: '4.3.0',
        openPr: true,
        autoMerge: true,
        env: { GITHUB_TOKEN: 'ghs_test', GITHUB_REPOSITORY: 'berrys/gitops', GITHUB_API_URL: api },
        ...quiet,
      });
      expect(result.pullRequest).toEqual({ number: 42, url: 'https://github.example/berrys/gitops/pull/42', nodeId: 'PR_kwDO42' });
    } finally {
      server.close();
    }
    expect(gitIn(origin, 'log', '-1', '--format=%s', 'release/web-dashboard-4.3.0')).toBe('release web-dashboard 4.3.0 to development');
    expect(requests.map((r) => `${r.method} ${r.url} ${r.auth}`)).toEqual(['POST /repos/berrys/gitops/pulls Bearer ghs_test', 'POST /graphql Bearer ghs_test']);
    const pr = requests[0]!.body as { title: string; head: string; base: string; body: string };
    expect(pr.title).toBe('release web-dashboard 4.3.0 to development');
    expect(pr.head).toBe('release/web-dashboard-4.3.0');
    expect(pr.base).toBe('main');
    expect(pr.body).toContain('| app | development now | release |\n| --- | --- | --- |\n| web-dashboard | 4.2.0 | 4.3.0 |');
    expect(pr.body).toContain('clusters/development/apps/web-dashboard/manifest.yaml');
    expect(pr.body).toContain('### Versions in every environment after this change\n\n| app | development | staging | production |');
    expect(pr.body).toContain('| `web-dashboard` | 4.3.0 | **4.2.0** | 4.2.0 |');
    expect(requests[1]!.body).toMatchObject({ variables: { id: 'PR_kwDO42' } });
  });
});
