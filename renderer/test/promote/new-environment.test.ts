// Adding an environment is inputs only: a `qa` step between staging and production, added to a real checkout by
// writing overlays/qa/ and changing production's promotesFrom, renders, promotes step by step along the new chain,
// and the gate enforces it. No code knows the new name.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClusterIndex } from '../../src/cluster-index.js';
import { renderCheckout } from '../../src/promote/render.js';
import { runPromote } from '../../src/promote/change.js';
import { runGate } from '../../src/promote/gate.js';
import { addQa, baseRenderer, cleanUp, commit, gitIn, renderedRepo } from './repo-fixture.js';

afterAll(cleanUp);
// Every test copies one template of this repository (copied, compiled, rendered): built once, before them.
beforeAll(() => void baseRenderer(), 600_000);

const read = (root: string, file: string) => readFileSync(path.join(root, file), 'utf8');
const quiet = { log: () => undefined };

const versionOf = (root: string, env: string, app: string) => new RegExp(`^${app}: (\\S+)$`, 'm').exec(read(root, `overlays/${env}/versions.yaml`))?.[1];

describe('a new environment from the inputs alone', () => {
  it('renders qa, promotes development → staging → qa → production, and the gate enforces the new chain', { timeout: 600_000 }, async () => {
    const root = renderedRepo();
    const initial = gitIn(root, 'rev-parse', 'HEAD');
    // qa starts where staging is: every version it holds ran in staging, the environment it promotes from.
    addQa(root, read(root, 'overlays/staging/versions.yaml'));
    await renderCheckout(root);
    const index = parseClusterIndex(read(root, 'clusters/index.json'));
    expect(index.promotionChain).toEqual(['development', 'staging', 'qa', 'production']);
    expect(index.clusters.find((c) => c.name === 'qa')?.folders.find((f) => f.app === 'api-gateway')?.application).toBe('qa-api-gateway');
    expect(read(root, 'clusters/qa/apps/api-gateway/manifest.yaml')).toContain('namespace: berrys-qa');
    const withQa = commit(root, 'add qa between staging and production');

    const toStaging = await runPromote({ root, from: 'development', apps: ['api-gateway'], ...quiet });
    expect(toStaging.plan.target).toBe('staging');
    // The step after staging is inferred from the chain; a dry run changes nothing.
    const dry = await runPromote({ root, from: 'staging', apps: [], dryRun: true, ...quiet });
    expect([dry.plan.source, dry.plan.target]).toEqual(['staging', 'qa']);
    await expect(runPromote({ root, from: 'staging', to: 'production', apps: [], ...quiet })).rejects.toThrow(
      'cannot promote from staging to production: that skips qa; promote one step at a time (development → staging → qa → production): first --from staging --to qa',
    );
    // Each step stacks on the one before, unmerged: said with --base, as the command asks.
    const toQa = await runPromote({ root, from: 'staging', apps: ['api-gateway'], base: toStaging.branch, ...quiet });
    expect(toQa.plan.target).toBe('qa');
    expect(toQa.files).toContain('clusters/qa/apps/api-gateway/manifest.yaml');
    const toProduction = await runPromote({ root, from: 'qa', apps: ['api-gateway'], base: toQa.branch, ...quiet });
    expect(toProduction.plan.target).toBe('production');
    expect(['staging', 'qa', 'production'].map((env) => versionOf(root, env, 'api-gateway'))).toEqual(['1.9.0', '1.9.0', '1.9.0']);

    // The gate over each step's commit passes; production now takes what qa runs, not what staging runs.
    const gate = (base: string, head: string) => runGate({ root, base, head, env: {}, ...quiet, renderer: baseRenderer() });
    // Adding qa moves no version; the change to production's chain is listed for review.
    const adding = await gate(initial, withQa);
    expect([adding.passed, adding.moves]).toEqual([true, []]);
    expect(adding.other).toContain('overlays/production/environment.yaml');
    expect((await gate(toStaging.commit!, toQa.commit!)).passed).toBe(true);
    const last = await gate(toQa.commit!, toProduction.commit!);
    expect(last.passed).toBe(true);
    expect(last.moves.map((m) => [m.env, m.previousEnv, m.ok])).toEqual([['production', 'qa', true]]);

    // Skipping qa: staging's version straight into production, on top of the staging promotion.
    gitIn(root, 'switch', '--quiet', '--detach', toStaging.commit!);
    const skip = commit(root, 'skip qa', {
      'overlays/production/versions.yaml': read(root, 'overlays/production/versions.yaml').replace('api-gateway: 1.8.3', 'api-gateway: 1.9.0'),
    });
    const refused = await gate(toStaging.commit!, skip);
    expect(refused.passed).toBe(false);
    expect(refused.report).toContain(
      '✗ production: api-gateway 1.8.3 → 1.9.0, but qa runs 1.8.3 on the base branch; only what qa runs may enter production (npm run promote -- --from qa --to production --app api-gateway)',
    );
  });
});
