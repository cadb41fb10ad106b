import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPromote, runRelease, runRollback } from '../../src/promote/change.js';
import { releaseCommand } from '../../src/promote/cli.js';
import { runCaptured } from '../command.js';
import { rejection } from '../thrown.js';
import { closeGithubs, fakeGithub, githubEnv, pullJson } from './github-server.js';
import { addOrigin, cleanUp, commit, gitIn, inputsRepo, renderedRepo, writeFile } from './repo-fixture.js';

afterAll(async () => {
  await closeGithubs();
  cleanUp();
});

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
    // Only the versions file, the promoted app's rendered files and the post-deploy tests (which name every version)
    // in production's two clusters change.
    expect(result.files).toContain('overlays/production/versions.yaml');
    expect(result.files).toContain('clusters/production/apps/agent-orchestrator/manifest.yaml');
    expect(result.files).toContain('clusters/production-dr/apps/agent-orchestrator/manifest.yaml');
    expect(result.files).toContain('clusters/production/post-deploy/manifest.yaml');
    for (const f of result.files!) {
      expect(f).toMatch(/^(overlays\/production\/versions\.yaml|clusters\/production(-dr)?\/(apps\/agent-orchestrator|post-deploy)\/)/);
    }
    // The edit is one line: the schema line and the comments survive.
    expect(readFileSync(path.join(root, 'overlays/production/versions.yaml'), 'utf8')).toBe(versionsBefore.replace('agent-orchestrator: 2.4.0', 'agent-orchestrator: 2.4.1'));
    expect(readFileSync(path.join(root, 'clusters/production/apps/agent-orchestrator/manifest.yaml'), 'utf8')).toContain('berrys/agent-orchestrator:2.4.1');
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
    // The file's first test also pays for the first copy and render of the repository: generous on a busy machine.
  }, 240_000);

  it('promotes only the chosen apps', async () => {
    const root = renderedRepo();
    const result = await runPromote({ root, from: 'development', apps: ['api-gateway'], ...quiet });
    expect(result.plan.changes).toEqual([{ app: 'api-gateway', from: '1.8.3', to: '1.9.0' }]);
    expect(result.files!.filter((f) => !f.startsWith('clusters/staging/apps/api-gateway/'))).toEqual([
      'clusters/staging/post-deploy/manifest.yaml',
      'overlays/staging/versions.yaml',
    ]);
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
    expect(await rejection(runPromote({ root, from: 'staging', apps: [], ...quiet }))).toBe(
      'the working tree has uncommitted changes (overlays/staging/apps/api-gateway.yaml)\n' +
        '  hint: commit or stash them first, so that the promote commit holds only the promote',
    );
  });

  it('puts versions.yaml back when rendering fails', async () => {
    const root = inputsRepo(); // holds no renderer, so rendering fails for real
    await expect(runPromote({ root, from: 'staging', apps: [], ...quiet })).rejects.toThrow(/^rendering .* failed \(node scripts\/run\.mjs render\):/);
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
    expect(
      result.files!.every(
        (f) => f === 'overlays/development/versions.yaml' || f === 'clusters/development/post-deploy/manifest.yaml' || f.startsWith('clusters/development/apps/api-gateway/'),
      ),
    ).toBe(true);
  });

  it('refuses a tag that does not look like a release', async () => {
    const root = inputsRepo();
    await expect(runRelease({ root, app: 'api-gateway', version: 'latest', ...quiet })).rejects.toThrow(
      "'latest' does not look like a release tag; use a semantic version such as 1.4.0, v1.4.0 or 1.4.0-rc.1",
    );
  });

  it('pushes the branch, opens a pull request with the version table, and turns on auto-merge', async () => {
    const root = renderedRepo();
    const origin = addOrigin(root);

    const github = await fakeGithub((req) =>
      req.url === '/repos/berrys/gitops/pulls'
        ? [201, { number: 42, html_url: 'https://github.example/berrys/gitops/pull/42', node_id: 'PR_kwDO42' }]
        : [200, { data: { enablePullRequestAutoMerge: { clientMutationId: null } } }],
    );
    const result = await runRelease({ root, app: 'web-dashboard', version: '4.3.0', openPr: true, autoMerge: true, env: github.env, ...quiet });
    expect(result.pullRequest).toEqual({ number: 42, url: 'https://github.example/berrys/gitops/pull/42', nodeId: 'PR_kwDO42' });
    const requests = github.requests as { method: string; url: string; auth: string; body: Record<string, unknown> }[];
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

describe('the checkout, the remote and the pull request', () => {
  // Outside the render: inputsRepo holds no renderer, so these runs commit the versions.yaml edit alone.
  const local = { render: false as const, ...quiet };
  const release = { app: 'web-dashboard', version: '4.3.0' };
  const branch = 'release/web-dashboard-4.3.0';
  const short = (root: string, rev: string) => gitIn(root, 'rev-parse', rev).slice(0, 12);

  const productionRan = (root: string) => {
    const file = 'overlays/production/versions.yaml';
    const text = readFileSync(path.join(root, file), 'utf8');
    commit(root, 'production at 4.1.9', { [file]: text.replace('web-dashboard: 4.2.0', 'web-dashboard: 4.1.9') });
    commit(root, 'production at 4.2.0', { [file]: text });
  };
  it.each([
    ['release', () => undefined, (root: string) => runRelease({ root, ...release, ...local })],
    ['promote', () => undefined, (root: string) => runPromote({ root, from: 'staging', apps: [], ...local })],
    ['rollback', productionRan, (root: string) => runRollback({ root, environment: 'production', apps: ['web-dashboard'], ...local })],
  ])('refuses to %s on a detached HEAD without --base, naming the branch to switch to and the --base to pass', async (kind, setUp, run) => {
    const root = inputsRepo();
    setUp(root);
    addOrigin(root);
    gitIn(root, 'switch', '--quiet', '--detach', 'main');
    expect(await rejection(run(root))).toBe(
      `HEAD is detached (at ${short(root, 'HEAD')}), so the ${kind} has no branch to open its pull request into\n` +
        "  hint: switch to the branch it starts from (git switch main) and run again, or name the pull request's base: --base main (origin's default branch)",
    );
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
    expect(gitIn(root, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('HEAD');
    expect(gitIn(root, 'for-each-ref', '--format=%(refname:short)', 'refs/heads')).toBe('main');
  });

  it('prints a refusal once, as Error: with its hint, and exits 1', async () => {
    const root = inputsRepo();
    addOrigin(root);
    gitIn(root, 'switch', '--quiet', '--detach', 'main');
    const result = await runCaptured(releaseCommand, ['--app', 'web-dashboard', '--version', '4.3.0'], root);
    expect(result.code).toBe(1);
    expect(result.err).toEqual([
      `Error: HEAD is detached (at ${short(root, 'HEAD')}), so the release has no branch to open its pull request into\n` +
        "  hint: switch to the branch it starts from (git switch main) and run again, or name the pull request's base: --base main (origin's default branch)",
    ]);
  });

  it('on a detached HEAD with --base, commits the branch and says to open the pull request into that base', async () => {
    const root = inputsRepo();
    addOrigin(root);
    const at = short(root, 'HEAD');
    gitIn(root, 'switch', '--quiet', '--detach', 'main');
    const lines: string[] = [];
    const result = await runRelease({ root, ...release, base: 'main', ...local, log: (l) => lines.push(l) });
    expect(gitIn(root, 'rev-parse', `${result.branch}^`).slice(0, 12)).toBe(at);
    expect(lines.at(-1)).toBe(
      `\nNext: git push -u origin ${branch}, and open a pull request into main ` +
        `(or git switch --detach ${at} and run npm run release -- --app web-dashboard --version 4.3.0 --base main --open-pr, which pushes this branch and opens it).`,
    );
  });

  it('refuses --open-pr in a checkout without origin before changing anything', async () => {
    const root = inputsRepo();
    expect(await rejection(runRelease({ root, ...release, openPr: true, env: githubEnv('http://127.0.0.1:9'), ...local }))).toBe(
      "--open-pr pushes to the remote 'origin', and this checkout has no remote of that name\n" +
        '  hint: add it (git remote add origin <url of this repository>) and run again, or leave out --open-pr to commit on a local branch only',
    );
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
    expect(gitIn(root, 'branch', '--list')).toBe('* main');
  });

  it('commits on a local branch in a checkout without origin, and says to add the remote before pushing', async () => {
    const root = inputsRepo();
    const lines: string[] = [];
    const result = await runRelease({ root, ...release, ...local, log: (l) => lines.push(l) });
    expect(gitIn(root, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(result.branch);
    expect(lines.at(-1)).toBe(
      `\nNext: this checkout has no remote 'origin': add it (git remote add origin <url of this repository>), then git push -u origin ${branch}, and open a pull request into main.`,
    );
  });

  it('keeps the commit when origin refuses the push, goes back to main, and names the branch and the command to run again', async () => {
    const root = renderedRepo();
    const origin = addOrigin(root, 'echo "release branches are frozen until Monday" >&2\nexit 1');
    const github = await fakeGithub(() => [500, {}]);
    const message = await rejection(runRelease({ root, ...release, openPr: true, env: github.env, ...quiet }));
    expect(message).toBe(
      `pushing ${branch} to origin failed; git said:\n` +
        '    remote: release branches are frozen until Monday\n' +
        `    To ${origin}\n` +
        `     ! [remote rejected] ${branch} -> ${branch} (pre-receive hook declined)\n` +
        `    error: failed to push some refs to '${origin}'\n` +
        `  hint: the release is committed on branch ${branch} (${short(root, branch)}) and main is checked out again; ` +
        'once origin accepts the push, run npm run release -- --app web-dashboard --version 4.3.0 --open-pr (it pushes that branch and opens the pull request), ' +
        `or push it yourself: git push -u origin ${branch}`,
    );
    expect(gitIn(root, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
    expect(gitIn(root, 'log', '-1', '--format=%s', branch)).toBe('release web-dashboard 4.3.0 to development');
    expect(github.requests).toEqual([]);
  });

  it('keeps the commit when origin cannot be read (no access, or no repository there), with what git said', async () => {
    const root = inputsRepo();
    const missing = path.join(addOrigin(root), 'moved');
    gitIn(root, 'remote', 'set-url', 'origin', missing);
    const github = await fakeGithub(() => [500, {}]);
    const message = await rejection(runRelease({ root, ...release, openPr: true, env: github.env, ...local }));
    expect(message).toBe(
      `pushing ${branch} to origin failed; git said:\n` +
        `    fatal: '${missing}' does not appear to be a git repository\n` +
        '    fatal: Could not read from remote repository.\n' +
        '    Please make sure you have the correct access rights\n' +
        '    and the repository exists.\n' +
        `  hint: the release is committed on branch ${branch} (${short(root, branch)}) and main is checked out again; ` +
        'once origin accepts the push, run npm run release -- --app web-dashboard --version 4.3.0 --open-pr (it pushes that branch and opens the pull request), ' +
        `or push it yourself: git push -u origin ${branch}`,
    );
    expect(gitIn(root, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
  });

  it('pushes the branch a refused push left behind when the same command runs again, and opens the pull request', async () => {
    const root = renderedRepo();
    const origin = addOrigin(root, 'exit 1');
    const github = await fakeGithub((req) => (req.url.endsWith('/pulls') ? [201, pullJson(7)] : [404, { message: 'Not Found' }]));
    await expect(runRelease({ root, ...release, openPr: true, env: github.env, ...quiet })).rejects.toThrow(`pushing ${branch} to origin failed`);
    const kept = gitIn(root, 'rev-parse', branch);
    rmSync(path.join(origin, 'hooks', 'pre-receive'));

    const lines: string[] = [];
    const result = await runRelease({ root, ...release, openPr: true, env: github.env, log: (l) => lines.push(l) });
    expect(result.commit).toBe(kept);
    expect(gitIn(origin, 'rev-parse', branch)).toBe(kept);
    expect(gitIn(root, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(branch);
    expect(lines).toContain(`Branch ${branch} already holds this release (${kept.slice(0, 12)}); using it:`);
    expect(lines.at(-1)).toBe('Opened pull request #7: https://github.example/berrys/gitops/pull/7');
    expect(github.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /repos/berrys/gitops/pulls']);
  });

  it.each([
    [
      'holds other files',
      (root: string) => {
        gitIn(root, 'switch', '--quiet', '-c', branch);
        commit(root, 'by hand', { 'overlays/development/versions.yaml': 'web-dashboard: 4.3.0\n' });
        gitIn(root, 'switch', '--quiet', 'main');
      },
      'its files differ from what this run made: overlays/development/versions.yaml',
    ],
    [
      'starts from another commit',
      (root: string) => {
        gitIn(root, 'branch', branch);
        commit(root, 'main moved on', { 'apps/README': 'x\n' });
      },
      'its commit {branch} does not sit directly on main ({main})',
    ],
  ])('refuses a branch of the same name that %s, naming both ways out', async (_, make, why) => {
    const root = inputsRepo();
    make(root);
    const expected = why.replace('{branch}', short(root, branch)).replace('{main}', short(root, 'main'));
    expect(await rejection(runRelease({ root, ...release, ...local }))).toBe(
      `branch ${branch} already exists and is not what this release would commit: ${expected}\n` +
        `  hint: to use that branch as it is, push it (git push -u origin ${branch}); to make the release again from main, delete it (git branch -D ${branch}) and run again`,
    );
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
    expect(gitIn(root, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
  });

  it('says what to fix when GitHub refuses the token, and a run again reuses the pushed branch', async () => {
    const root = inputsRepo();
    const origin = addOrigin(root);
    const refusing = await fakeGithub(() => [401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }]);
    const message = await rejection(runRelease({ root, ...release, openPr: true, env: refusing.env, ...local }));
    expect(message).toBe(
      `GitHub answered 401 to POST ${refusing.env.GITHUB_API_URL}/repos/berrys/gitops/pulls: Bad credentials\n` +
        '  hint: GITHUB_TOKEN is not a valid token (expired or revoked?); set a current one, ' +
        `then run npm run release -- --app web-dashboard --version 4.3.0 --open-pr (branch ${branch} is pushed and main is checked out again; the run reuses the branch)`,
    );
    expect(gitIn(root, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    const pushed = gitIn(origin, 'rev-parse', branch);

    const github = await fakeGithub(() => [201, pullJson(9)]);
    const result = await runRelease({ root, ...release, openPr: true, env: github.env, ...local });
    expect(result.commit).toBe(pushed);
    expect(result.pullRequest).toEqual({ number: 9, url: 'https://github.example/berrys/gitops/pull/9', nodeId: 'PR_kwDO9' });
  });

  it('finds the pull request a run before opened, when GitHub says one already exists, and turns on auto-merge', async () => {
    const root = inputsRepo();
    addOrigin(root);
    const github = await fakeGithub((req) =>
      req.method === 'POST' && req.url.endsWith('/pulls')
        ? [422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for berrys:${branch}.` }] }]
        : req.method === 'GET'
          ? [200, [pullJson(11)]]
          : [200, { data: { enablePullRequestAutoMerge: { clientMutationId: null } } }],
    );
    const lines: string[] = [];
    const result = await runRelease({ root, ...release, openPr: true, autoMerge: true, env: github.env, ...local, log: (l) => lines.push(l) });
    expect(result.pullRequest).toEqual({ number: 11, url: 'https://github.example/berrys/gitops/pull/11', nodeId: 'PR_kwDO11', existing: true });
    expect(lines.slice(-2)).toEqual(['Pull request already open #11: https://github.example/berrys/gitops/pull/11', 'Auto-merge is on: it merges once the required checks pass.']);
    expect(github.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /repos/berrys/gitops/pulls',
      `GET /repos/berrys/gitops/pulls?head=berrys%3A${encodeURIComponent(branch)}&base=main&state=open`,
      'POST /graphql',
    ]);
  });

  it.each([
    [
      422,
      { message: 'Validation Failed', errors: [{ resource: 'PullRequest', field: 'base', code: 'invalid' }] },
      "Validation Failed; base invalid\n  hint: check that the pull request's base branch exists on GitHub and that the branch has commits it does not",
    ],
    [
      404,
      { message: 'Not Found' },
      'Not Found\n  hint: check GITHUB_REPOSITORY (berrys/gitops): GitHub answers 404 for a repository that does not exist or that the token cannot see; ' +
        'the token must be allowed to write pull requests and contents in berrys/gitops (a fine-grained token or GitHub App: pull-requests: write, contents: write)',
    ],
  ])('says what to check when GitHub answers %i to opening the pull request', async (status, body, said) => {
    const root = inputsRepo();
    addOrigin(root);
    const github = await fakeGithub(() => [status, body]);
    const message = await rejection(runRelease({ root, ...release, openPr: true, env: github.env, ...local }));
    expect(message).toBe(
      `GitHub answered ${status} to POST ${github.env.GITHUB_API_URL}/repos/berrys/gitops/pulls: ${said}, ` +
        `then run npm run release -- --app web-dashboard --version 4.3.0 --open-pr (branch ${branch} is pushed and main is checked out again; the run reuses the branch)`,
    );
  });

  it('says GitHub could not be reached, and where it looked', async () => {
    const root = inputsRepo();
    addOrigin(root);
    const gone = await fakeGithub(() => [500, {}]);
    await gone.close();
    const message = await rejection(runRelease({ root, ...release, openPr: true, env: gone.env, ...local }));
    expect(message).toBe(
      `could not reach GitHub: POST ${gone.env.GITHUB_API_URL}/repos/berrys/gitops/pulls failed: ECONNREFUSED\n` +
        `  hint: check GITHUB_API_URL (${gone.env.GITHUB_API_URL}) and the network, ` +
        `then run npm run release -- --app web-dashboard --version 4.3.0 --open-pr (branch ${branch} is pushed and main is checked out again; the run reuses the branch)`,
    );
  });

  it('refuses --open-pr without a token before changing anything, saying which variables to set', async () => {
    const root = inputsRepo();
    addOrigin(root);
    expect(await rejection(runRelease({ root, ...release, openPr: true, env: {}, ...local }))).toBe(
      '--open-pr needs GITHUB_TOKEN and GITHUB_REPOSITORY in the environment\n' +
        '  hint: set GITHUB_REPOSITORY to owner/name (GitHub Actions sets it) and GITHUB_TOKEN to a token that may write contents and pull requests there',
    );
    expect(gitIn(root, 'branch', '--list')).toBe('* main');
  });
});
