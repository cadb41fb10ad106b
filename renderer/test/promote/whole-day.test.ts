/**
 * A release manager's whole day on a real repository with a bare origin, every step a pull request judged by the
 * gate and merged into origin's main: a new service enters development with the gateway calling it, is promoted to
 * staging and production, retired from staging and restored by rollback; a `qa` environment joins the chain; one
 * hotfix. The gate's labels are asserted at each step.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPromote, runRelease, runRollback } from '../../src/promote/change.js';
import { addOrigin, addQa, baseRenderer, cleanUp, commit, commitRendered, gate, gitIn, merge, newAppFile, renderedRepo, writeFile } from './repo-fixture.js';
import { renderCheckout } from '../../src/promote/render.js';

afterAll(cleanUp);
beforeAll(() => void baseRenderer(), 600_000);

const quiet = { log: () => undefined };
const read = (root: string, file: string) => readFileSync(path.join(root, file), 'utf8');

const labels = (result: Awaited<ReturnType<typeof gate>>) => result.moves.map((m) => `${m.env} ${m.app} ${m.base ?? '(none)'} → ${m.head ?? '(retired)'} ${m.kind}`);
const wired = 'completed by the';

describe("a release manager's day", () => {
  it('introduces a called service, promotes it to production, retires and restores it, adds qa and ships a hotfix, each step gated', async () => {
    const root = renderedRepo();
    addOrigin(root);

    // 1. billing-service enters development; the gateway calls it, waiting for it where it is not deployed.
    gitIn(root, 'switch', '--quiet', '-c', 'add-billing-service');
    newAppFile(root, 'billing-service');
    writeFile(root, 'apps/api-gateway.yaml', read(root, 'apps/api-gateway.yaml').replace('calls: [', 'calls: [{app: billing-service, when: deployed}, '));
    writeFile(root, 'overlays/development/versions.yaml', read(root, 'overlays/development/versions.yaml') + 'billing-service: 1.0.0\n');
    await renderCheckout(root);
    commit(root, 'add billing-service to development; the gateway calls it where it is deployed');
    expect(read(root, 'clusters/development/apps/api-gateway/manifest.yaml')).toContain('BILLING_SERVICE_URL');
    expect(read(root, 'clusters/production/apps/api-gateway/manifest.yaml')).not.toContain('BILLING_SERVICE_URL');
    const added = await gate(root, 'add-billing-service');
    expect(added.passed).toBe(true);
    expect(labels(added)).toEqual([]);
    expect(added.report).toContain('Releases into development (not gated): billing-service 1.0.0');
    expect(added.report).toContain(`⇄ wiring: development api-gateway → billing-service is live, ${wired} release of billing-service`);
    // A development-only change lists nothing under production.
    expect(added.other).toEqual([]);
    expect(added.report).not.toContain('[not a promotion]');
    merge(root, 'add-billing-service');

    // 2. To staging. A second promotion started from the unmerged promotion branch is refused with the ways out.
    const toStaging = await runPromote({ root, from: 'development', apps: ['billing-service'], ...quiet });
    await expect(runPromote({ root, from: 'staging', apps: ['billing-service'], ...quiet })).rejects.toThrow(
      `this checkout is on ${toStaging.branch}, a promote branch that is not merged into origin/main, so the promote would start from it and its pull request would go into it`,
    );
    await expect(runPromote({ root, from: 'staging', apps: ['billing-service'], ...quiet })).rejects.toMatchObject({
      hint: `wait for ${toStaging.branch}'s pull request to merge, then git switch main && git pull and run again; or pass --base ${toStaging.branch} to stack this promote on it on purpose`,
    });
    const staging = await gate(root, toStaging.branch);
    expect(staging.passed).toBe(true);
    expect(labels(staging)).toEqual(['staging billing-service (none) → 1.0.0 promotion']);
    expect(staging.report).toContain(`⇄ wiring: staging api-gateway → billing-service is live, ${wired} promotion (new here) of billing-service`);
    expect(staging.other).toEqual([]);
    merge(root, toStaging.branch);

    // 3. To production: its Application and the gateway's wiring are listed under the promotion, not as other changes.
    const toProduction = await runPromote({ root, from: 'staging', apps: ['billing-service'], ...quiet });
    const production = await gate(root, toProduction.branch);
    expect(production.passed).toBe(true);
    expect(labels(production)).toEqual(['production billing-service (none) → 1.0.0 promotion']);
    expect(production.other).toEqual([]);
    expect(production.caused.map((c) => `${c.app} ${c.file}`).sort()).toEqual([
      'billing-service clusters/production-dr/apps/api-gateway/manifest.yaml',
      'billing-service clusters/production-dr/argocd/manifest.yaml',
      'billing-service clusters/production/apps/api-gateway/manifest.yaml',
      'billing-service clusters/production/argocd/manifest.yaml',
    ]);
    expect(production.report).toContain(
      '  [promotion (new here) of billing-service] clusters/production/apps/api-gateway/manifest.yaml: api-gateway → billing-service wired (its URL variable and egress rule)',
    );
    expect(production.report).toContain('  [promotion (new here) of billing-service] clusters/production/argocd/manifest.yaml: its new Application (billing-service)');
    expect(production.report).not.toContain('[not a promotion]');
    merge(root, toProduction.branch);

    // 4. Retire it from staging: the gateway there drops its call, said under the retirement.
    gitIn(root, 'switch', '--quiet', '-c', 'retire-billing-staging');
    await commitRendered(root, 'retire billing-service from staging', {
      'overlays/staging/versions.yaml': read(root, 'overlays/staging/versions.yaml').replace('billing-service: 1.0.0\n', ''),
    });
    const retired = await gate(root, 'retire-billing-staging');
    expect(retired.passed).toBe(true);
    expect(labels(retired)).toEqual(['staging billing-service 1.0.0 → (retired) retirement']);
    expect(retired.report).toContain('⇄ wiring: staging api-gateway → billing-service is no longer live, by the retirement of billing-service');
    merge(root, 'retire-billing-staging');

    // Development moves on meanwhile, so restoring staging's 1.0.0 is a rollback, not a promotion.
    const release = await runRelease({ root, app: 'billing-service', version: '1.1.0', ...quiet });
    const released = await gate(root, release.branch);
    expect(released.passed).toBe(true);
    expect(released.report).toContain('Releases into development (not gated): billing-service 1.1.0');
    merge(root, release.branch);

    // 5. Restore it by rollback, at the version staging ran last.
    const restore = await runRollback({ root, environment: 'staging', apps: ['billing-service'], ...quiet });
    expect(restore.plan.changes.map((c) => `${c.app} ${c.from ?? '(none)'} → ${c.to}`)).toEqual(['billing-service (none) → 1.0.0']);
    const restored = await gate(root, restore.branch);
    expect(restored.passed).toBe(true);
    expect(labels(restored)).toEqual(['staging billing-service (none) → 1.0.0 rollback']);
    expect(restored.report).toContain(`⇄ wiring: staging api-gateway → billing-service is live, ${wired} rollback of billing-service`);
    merge(root, restore.branch);
    expect(read(root, 'clusters/staging/apps/api-gateway/manifest.yaml')).toContain('BILLING_SERVICE_URL');

    // 6. A qa environment between staging and production, starting with what staging runs.
    gitIn(root, 'switch', '--quiet', '-c', 'add-qa');
    addQa(root, read(root, 'overlays/staging/versions.yaml'));
    await commitRendered(root, 'add qa between staging and production');
    const qa = await gate(root, 'add-qa');
    expect(qa.passed).toBe(true);
    expect(qa.report).toContain('Chain change: development → staging → production becomes development → staging → qa → production');
    expect(qa.chain.every((s) => s.ok && s.env === 'qa')).toBe(true);
    expect(qa.chain.map((s) => `${s.app} ${s.version}`)).toContain('billing-service 1.0.0');
    expect(qa.other).toEqual(['overlays/production/environment.yaml']);
    merge(root, 'add-qa');

    // 7. One hotfix straight into production, marked by its trailer.
    gitIn(root, 'switch', '--quiet', '-c', 'hotfix');
    await commitRendered(root, 'api-gateway 1.8.4 to production\n\nHotfix: api-gateway: CVE-2026-0001 token leak', {
      'overlays/production/versions.yaml': read(root, 'overlays/production/versions.yaml').replace('api-gateway: 1.8.3', 'api-gateway: 1.8.4'),
    });
    const hotfix = await gate(root, 'hotfix');
    expect(hotfix.passed).toBe(true);
    expect(labels(hotfix)).toEqual(['production api-gateway 1.8.3 → 1.8.4 hotfix']);
    expect(hotfix.report).toContain('!!! HOTFIX (break-glass): production api-gateway 1.8.3 → 1.8.4 without qa (which runs 1.8.3).');
    expect(hotfix.other).toEqual([]);
    merge(root, 'hotfix');
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
  }, 900_000);
});
