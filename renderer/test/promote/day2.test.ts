/**
 * Day-2 operations end to end on real git repositories with a bare origin, as a release manager runs them: a pull
 * request is a branch, the gate judges it against origin/main, merging is `git merge --no-ff` pushed to origin.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPromote, runRollback } from '../../src/promote/change.js';
import { trailerValues } from '../../src/git.js';
import { renderCheckout } from '../../src/promote/render.js';
import { baseRenderer, cleanUp, commit, commitRendered, gate, gitIn, merge, newAppFile, renderedRepo, tempDir, writeFile } from './repo-fixture.js';

afterAll(cleanUp);
// Every test copies one template of this repository (copied, compiled, rendered): built once, before them.
beforeAll(() => void baseRenderer(), 600_000);

const quiet = { log: () => undefined };

/** Gives a repository a bare origin holding its main. */
function withOrigin(root: string): string {
  const origin = tempDir('origin');
  gitIn(origin, 'init', '--quiet', '--bare', '--initial-branch=main');
  gitIn(root, 'remote', 'add', 'origin', origin);
  gitIn(root, 'push', '--quiet', 'origin', 'main');
  return origin;
}

const read = (root: string, file: string) => readFileSync(path.join(root, file), 'utf8');
const setVersion = (root: string, env: string, from: string, to: string) => {
  const file = `overlays/${env}/versions.yaml`;
  if (!read(root, file).includes(from)) throw new Error(`test setup: ${file} has no '${from}'`);
  return { [file]: read(root, file).replace(from, to) };
};

describe('introducing an app', () => {
  it('follows the README: the new app enters development, passes the gate, and is promoted to staging and then production', async () => {
    const root = renderedRepo();
    withOrigin(root);
    // README, Add an app: the app file, its version in development only, render, pull request.
    gitIn(root, 'switch', '--quiet', '-c', 'add-notification-service');
    newAppFile(root, 'notification-service');
    writeFile(
      root,
      'overlays/development/versions.yaml',
      read(root, 'overlays/development/versions.yaml').replace('model-orchestration:', 'notification-service: 1.0.0\nmodel-orchestration:'),
    );
    await renderCheckout(root);
    commit(root, 'add notification-service');
    // Not deployed where it has no version: no folder and no Application in staging or production yet.
    expect(existsSync(path.join(root, 'clusters/development/apps/notification-service'))).toBe(true);
    for (const cluster of ['staging', 'production', 'production-dr', 'local']) {
      expect(existsSync(path.join(root, `clusters/${cluster}/apps/notification-service`))).toBe(false);
      expect(read(root, `clusters/${cluster}/argocd/manifest.yaml`)).not.toContain(`name: ${cluster}-notification-service\n`);
    }
    const added = await gate(root, 'add-notification-service');
    expect(added.passed).toBe(true);
    expect(added.report).toContain('Releases into development (not gated): notification-service 1.0.0');
    merge(root, 'add-notification-service');

    const toStaging = await runPromote({ root, from: 'development', apps: ['notification-service'], ...quiet });
    expect(toStaging.plan.changes).toEqual([{ app: 'notification-service', from: undefined, to: '1.0.0' }]);
    const stagingGate = await gate(root, toStaging.branch);
    expect(stagingGate.passed).toBe(true);
    expect(stagingGate.report).toContain('staging  notification-service  (none) → 1.0.0  development 1.0.0     promotion (new here)  skipped');
    merge(root, toStaging.branch);

    const toProduction = await runPromote({ root, from: 'staging', apps: ['notification-service'], ...quiet });
    const productionGate = await gate(root, toProduction.branch);
    expect(productionGate.passed).toBe(true);
    expect(productionGate.moves.map((m) => `${m.env} ${m.app} ${m.kind}`)).toEqual(['production notification-service promotion']);
    // Its new Applications follow from the promotion: listed under it, not as other changes reaching production.
    expect(productionGate.other).toEqual([]);
    expect(productionGate.caused.map((c) => `${c.app} ${c.file}`)).toEqual([
      'notification-service clusters/production/argocd/manifest.yaml',
      'notification-service clusters/production-dr/argocd/manifest.yaml',
    ]);
    merge(root, toProduction.branch);
    for (const cluster of ['staging', 'production', 'production-dr']) {
      expect(read(root, `clusters/${cluster}/apps/notification-service/manifest.yaml`)).toContain('berrys/notification-service:1.0.0');
    }
  }, 300_000);
});

describe('retiring an app', () => {
  it('passes removing an app from production, and labels it a retirement', async () => {
    const root = renderedRepo();
    withOrigin(root);
    gitIn(root, 'switch', '--quiet', '-c', 'retire');
    await commitRendered(root, 'retire web-dashboard from production', setVersion(root, 'production', 'web-dashboard: 4.2.0\n', ''));
    const result = await gate(root, 'retire');
    expect(result.passed).toBe(true);
    expect(result.moves.map((m) => `${m.env} ${m.app} ${m.kind}`)).toEqual(['production web-dashboard retirement']);
    expect(result.report).toContain('production  web-dashboard  4.2.0 → (retired)  staging 4.2.0         retirement    -');
    expect(result.report).toContain('− retirement: production no longer runs web-dashboard (was 4.2.0); Argo CD prunes its Application and everything it deployed');
  });

  it('passes removing an app everywhere, with its catalogue file', async () => {
    const root = renderedRepo();
    withOrigin(root);
    gitIn(root, 'switch', '--quiet', '-c', 'retire');
    gitIn(root, 'rm', '--quiet', 'apps/web-dashboard.yaml');
    const files: Record<string, string> = {};
    for (const env of ['local', 'development', 'staging', 'production']) Object.assign(files, setVersion(root, env, 'web-dashboard: 4.2.0\n', ''));
    await commitRendered(root, 'retire web-dashboard', files);
    const result = await gate(root, 'retire');
    expect(result.passed).toBe(true);
    expect(result.moves.map((m) => `${m.env} ${m.kind}`)).toEqual(['staging retirement', 'production retirement']);
    expect(result.report).toContain('Retired from development (not gated): web-dashboard');
  });
});

describe('rollback', () => {
  /** Production ran web-dashboard 4.1.9, then 4.2.0 (merged pull requests on main). */
  async function productionHistory() {
    const root = renderedRepo();
    await commitRendered(root, 'production at 4.1.9', setVersion(root, 'production', 'web-dashboard: 4.2.0', 'web-dashboard: 4.1.9'));
    const ran = gitIn(root, 'rev-parse', 'HEAD');
    await commitRendered(root, 'production at 4.2.0', setVersion(root, 'production', 'web-dashboard: 4.1.9', 'web-dashboard: 4.2.0'));
    withOrigin(root);
    return { root, ran };
  }

  it('sets the version production ran before on a branch whose commit says it is a rollback, and the gate passes and labels it', async () => {
    const { root, ran } = await productionHistory();
    const result = await runRollback({ root, environment: 'production', apps: ['web-dashboard'], ...quiet });
    expect(result.branch).toBe('rollback/production/web-dashboard-4.1.9');
    expect(gitIn(root, 'log', '-1', '--format=%B')).toBe(
      'rollback production: web-dashboard 4.2.0 → 4.1.9\n\n' +
        'Rolls production back to versions it ran before (overlays/production/versions.yaml) and re-renders clusters/.\n\n' +
        `- web-dashboard: 4.2.0 → 4.1.9 (production ran it at ${ran.slice(0, 12)})`,
    );
    const checked = await gate(root, result.branch);
    expect(checked.passed).toBe(true);
    expect(checked.moves.map((m) => `${m.app} ${m.kind} ${m.ranAt}`)).toEqual([`web-dashboard rollback ${ran}`]);
    expect(checked.report).toContain('production  web-dashboard  4.2.0 → 4.1.9  staging 4.2.0         rollback      -');
    expect(checked.report).toContain(`↩ rollback: production web-dashboard 4.2.0 → 4.1.9; production ran 4.1.9 at ${ran.slice(0, 7)} (its versions.yaml on the base branch)`);
  });

  it('lists what the environment ran on a dry run, and changes nothing', async () => {
    const { root, ran } = await productionHistory();
    const lines: string[] = [];
    const head = gitIn(root, 'rev-parse', 'HEAD');
    const result = await runRollback({ root, environment: 'production', apps: ['web-dashboard'], dryRun: true, log: (l) => lines.push(l) });
    expect(result.commit).toBeUndefined();
    expect(
      lines
        .join('\n')
        .startsWith(
          [
            'What production ran (newest first, from overlays/production/versions.yaml on this branch):',
            `  web-dashboard: 4.2.0 (now) · 4.1.9 at ${ran.slice(0, 12)}`,
            '',
            'Roll back production:',
            '',
            '| app | production now | roll back to |\n| --- | --- | --- |\n| web-dashboard | 4.2.0 | 4.1.9 |',
          ].join('\n'),
        ),
    ).toBe(true);
    expect(lines.join('\n')).toContain(
      'Dry run: would edit overlays/production/versions.yaml, render clusters/, create branch rollback/production/web-dashboard-4.1.9 and commit:',
    );
    expect(gitIn(root, 'rev-parse', 'HEAD')).toBe(head);
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
  });

  it('refuses to roll back to a version the environment never ran, naming the ones it did', async () => {
    const { root } = await productionHistory();
    await expect(runRollback({ root, environment: 'production', apps: ['web-dashboard'], to: '4.0.0', ...quiet })).rejects.toThrow(
      'production never ran web-dashboard 4.0.0: before 4.2.0 it ran 4.1.9 (overlays/production/versions.yaml on this branch); a rollback goes back to one of those, a new version enters with npm run release',
    );
    await expect(runRollback({ root, environment: 'production', apps: ['api-gateway'], ...quiet })).rejects.toThrow(
      'production never ran a version of api-gateway other than 1.8.3, so there is nothing to roll back to',
    );
  });

  it('gate refuses a hand-made "rollback" to a version the environment never ran', async () => {
    const { root } = await productionHistory();
    gitIn(root, 'switch', '--quiet', '-c', 'pr');
    await commitRendered(root, 'web-dashboard back to 4.0.0', setVersion(root, 'production', 'web-dashboard: 4.2.0', 'web-dashboard: 4.0.0'));
    const result = await gate(root, 'pr');
    expect(result.passed).toBe(false);
    expect(result.report).toContain(
      '✗ production: web-dashboard 4.2.0 → 4.0.0, but staging runs 4.2.0 on the base branch; only what staging runs may enter production ' +
        '(npm run promote -- --from staging --to production --app web-dashboard). It is not a rollback either: production never ran 4.0.0 on the base branch ' +
        "(npm run rollback -- --env production --app web-dashboard --dry-run lists what it ran). A break-glass hotfix needs a 'Hotfix: web-dashboard: <reason>' trailer and a code owner's approval (README, Hotfix).",
    );
  });

  it('rolls several apps back at once, and the gate passes a git revert of a promotion the same way', async () => {
    const { root } = await productionHistory();
    gitIn(root, 'switch', '--quiet', '-c', 'promote');
    await commitRendered(root, 'promote agent-orchestrator', setVersion(root, 'production', 'agent-orchestrator: 2.4.0', 'agent-orchestrator: 2.4.1'));
    merge(root, 'promote');
    const promotion = gitIn(root, 'rev-parse', 'HEAD');

    const both = await runRollback({ root, environment: 'production', apps: ['web-dashboard', 'agent-orchestrator'], ...quiet });
    expect(both.plan.changes.map((c) => `${c.app} ${c.from} → ${c.to}`)).toEqual(['agent-orchestrator 2.4.1 → 2.4.0', 'web-dashboard 4.2.0 → 4.1.9']);
    expect((await gate(root, both.branch)).moves.map((m) => `${m.app} ${m.kind}`)).toEqual(['agent-orchestrator rollback', 'web-dashboard rollback']);

    gitIn(root, 'switch', '--quiet', '-c', 'revert', 'main');
    gitIn(root, 'revert', '--no-edit', '-m', '1', promotion);
    const reverted = await gate(root, 'revert');
    expect(reverted.passed).toBe(true);
    expect(reverted.moves.map((m) => `${m.app} ${m.base} → ${m.head} ${m.kind}`)).toEqual(['agent-orchestrator 2.4.1 → 2.4.0 rollback']);
    // Two rollbacks, a revert and three gate runs, each rendering the repository: more than the default budget when
    // the machine is shared; the budget only stops a hung test.
  }, 300_000);
});

describe('hotfix, the break-glass', () => {
  async function hotfixPullRequest(message: string) {
    const root = renderedRepo();
    withOrigin(root);
    gitIn(root, 'switch', '--quiet', '-c', 'hotfix');
    await commitRendered(root, message, setVersion(root, 'production', 'api-gateway: 1.8.3', 'api-gateway: 1.8.4'));
    return root;
  }

  it('passes a version that skips staging when a commit carries the Hotfix trailer, with a loud warning in the report, the job summary and an annotation', async () => {
    const root = await hotfixPullRequest('api-gateway 1.8.4 to production\n\nHotfix: api-gateway: CVE-2026-0001 token leak in the gateway');
    const summary = path.join(tempDir('summary'), 'summary.md');
    const marker = gitIn(root, 'rev-parse', 'HEAD').slice(0, 7);
    const lines: string[] = [];
    const result = await gate(root, 'hotfix', { GITHUB_STEP_SUMMARY: summary, GITHUB_ACTIONS: 'true' }, (l) => lines.push(l));
    expect(result.passed).toBe(true);
    expect(result.moves.map((m) => m.kind)).toEqual(['hotfix']);
    const warning = [
      '!!! HOTFIX (break-glass): production api-gateway 1.8.3 → 1.8.4 without staging (which runs 1.8.3).',
      `!!! Passed only because of the Hotfix trailer: "api-gateway: CVE-2026-0001 token leak in the gateway" (${marker}). A code owner must approve this pull request;`,
      '!!! afterwards bring the same version through the chain (release and promote it) so the environments agree again.',
    ].join('\n');
    expect(result.report).toContain(warning);
    expect(result.report).toContain('production  api-gateway  1.8.3 → 1.8.4  staging 1.8.3         HOTFIX        -');
    expect(read(path.dirname(summary), 'summary.md')).toContain('> [!CAUTION]\n> HOTFIX (break-glass): production api-gateway 1.8.3 → 1.8.4 without staging');
    expect(lines.at(-1)).toMatch(/^::warning title=HOTFIX \(break-glass\)::HOTFIX \(break-glass\): production api-gateway 1\.8\.3 → 1\.8\.4 without staging/);
  });

  it('reads a trailer continued on the next line as one line, so it cannot start a line of the output', async () => {
    const root = await hotfixPullRequest('api-gateway 1.8.4\n\nHotfix: CVE-2026-0001\n ::error::forged');
    expect((await trailerValues(root, 'main', 'hotfix', 'Hotfix')).map((t) => t.value)).toEqual(['CVE-2026-0001 ::error::forged']);
  });

  it('refuses the same change without the trailer', async () => {
    const root = await hotfixPullRequest('api-gateway 1.8.4 to production\n\nurgent, please merge');
    const result = await gate(root, 'hotfix');
    expect(result.passed).toBe(false);
    expect(result.moves.map((m) => m.kind)).toEqual(['refused']);
    expect(result.report).not.toContain('HOTFIX');
  });
});

describe('gate on the merge base', () => {
  it('judges a branch that is behind main on what it changes, not on what main changed since', async () => {
    const root = renderedRepo();
    withOrigin(root);
    gitIn(root, 'switch', '--quiet', '-c', 'behind');
    await commitRendered(root, 'promote agent-orchestrator', setVersion(root, 'production', 'agent-orchestrator: 2.4.0', 'agent-orchestrator: 2.4.1'));
    // Meanwhile main moves on: api-gateway is promoted into staging.
    gitIn(root, 'switch', '--quiet', 'main');
    await commitRendered(root, 'promote api-gateway to staging', setVersion(root, 'staging', 'api-gateway: 1.8.3', 'api-gateway: 1.9.0'));
    gitIn(root, 'push', '--quiet', 'origin', 'main');
    const forked = gitIn(root, 'merge-base', 'main', 'behind');

    const result = await gate(root, 'behind');
    expect(result.passed).toBe(true);
    expect(result.moves.map((m) => `${m.env} ${m.app} ${m.kind}`)).toEqual(['production agent-orchestrator promotion']);
    expect(result.report.split('\n')[0]).toBe(
      `Promotion gate: ${forked.slice(0, 7)} (base: the merge base with ${gitIn(root, 'rev-parse', '--short=7', 'origin/main')}) → ${gitIn(root, 'rev-parse', '--short=7', 'behind')} (head)`,
    );
  });
});
