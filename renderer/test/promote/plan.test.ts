import { describe, expect, it } from 'vitest';
import { branchName, commitMessage, planPromotion, planRelease, resolveStep as resolveStepIn, splitApps } from '../../src/promote/plan.js';
import type { PromotionChain } from '../../src/cluster-index.js';

const catalogue = ['agent-orchestrator', 'api-gateway', 'web-dashboard'];
const chain: PromotionChain = { steps: ['development', 'staging', 'production'], outside: ['local'] };
const resolveStep = (from: string | undefined, to: string | undefined) => resolveStepIn(from, to, chain);
const versions: Record<string, Map<string, string>> = {
  development: new Map([
    ['agent-orchestrator', '2.5.0'],
    ['api-gateway', '1.9.0'],
    ['web-dashboard', '4.2.0'],
  ]),
  staging: new Map([
    ['agent-orchestrator', '2.4.1'],
    ['api-gateway', '1.8.3'],
    ['web-dashboard', '4.2.0'],
  ]),
  production: new Map([
    ['agent-orchestrator', '2.4.0'],
    ['api-gateway', '1.8.3'],
    ['web-dashboard', '4.2.0'],
  ]),
};
const promote = (from: string | undefined, to: string | undefined, apps: string[] = []) => planPromotion({ from, to, apps, catalogue, chain, versions: (env) => versions[env]! });

describe('resolveStep', () => {
  it('infers the next environment from --from and the previous from --to', () => {
    expect(resolveStep('development', undefined)).toEqual({ source: 'development', target: 'staging' });
    expect(resolveStep(undefined, 'production')).toEqual({ source: 'staging', target: 'production' });
  });

  it('refuses to skip a step', () => {
    expect(() => resolveStep('development', 'production')).toThrow(
      'cannot promote from development to production: that skips staging; promote one step at a time (development → staging → production): first --from development --to staging',
    );
  });

  it('refuses to go backwards', () => {
    expect(() => resolveStep('production', 'staging')).toThrow(
      'cannot promote from production to staging: versions move forward only (development → staging → production); to go back, release the older version into development and promote it',
    );
  });

  it('refuses environments outside the chain and unknown ones with a suggestion', () => {
    expect(() => resolveStep('local', undefined)).toThrow('--from local: local is outside the promotion chain (development → staging → production); its versions are set by hand');
    expect(() => resolveStep('development', 'stagng')).toThrow("--to: unknown environment 'stagng'; did you mean 'staging'? allowed: development, staging, production");
  });

  it('refuses an environment past the ends of the chain', () => {
    expect(() => resolveStep('production', undefined)).toThrow(
      'production is the end of the promotion chain (development → staging → production); there is nothing to promote it to',
    );
    expect(() => resolveStep(undefined, 'development')).toThrow(
      'development is the start of the promotion chain; new versions enter it with npm run release -- --app <app> --version <tag>',
    );
  });
});

describe('planPromotion', () => {
  it('copies every app that differs and lists the ones already the same', () => {
    const plan = promote('development', 'staging');
    expect(plan.changes).toEqual([
      { app: 'agent-orchestrator', from: '2.4.1', to: '2.5.0' },
      { app: 'api-gateway', from: '1.8.3', to: '1.9.0' },
    ]);
    expect(plan.unchanged).toEqual(['web-dashboard']);
  });

  it('refuses an unknown app, suggesting the closest', () => {
    expect(() => promote('staging', 'production', ['api-gatway'])).toThrow(
      "unknown app 'api-gatway' (did you mean 'api-gateway'?); the apps are the files in apps/: agent-orchestrator, api-gateway, web-dashboard",
    );
  });

  it('refuses a promotion that changes nothing', () => {
    expect(() => promote('staging', 'production', ['api-gateway', 'web-dashboard'])).toThrow(
      'nothing to promote from staging to production: api-gateway, web-dashboard already run the same versions',
    );
  });
});

describe('planRelease', () => {
  it('refuses a tag that is not a release', () => {
    expect(() => planRelease({ app: 'api-gateway', version: 'latest', catalogue, target: 'development', current: versions.development! })).toThrow(
      "'latest' does not look like a release tag; use a semantic version such as 1.4.0, v1.4.0 or 1.4.0-rc.1 (a moving tag such as latest would leave the running version unknown)",
    );
  });

  it('refuses the version development already runs', () => {
    expect(() => planRelease({ app: 'api-gateway', version: '1.9.0', catalogue, target: 'development', current: versions.development! })).toThrow(
      'api-gateway already runs 1.9.0 in development; nothing to release',
    );
  });
});

describe('commitMessage and branchName', () => {
  it('name each app old → new', () => {
    const plan = promote('development', 'staging');
    expect(commitMessage(plan)).toBe(
      'promote development → staging: agent-orchestrator, api-gateway\n\n' +
        'Copies the versions development runs into staging (overlays/staging/versions.yaml) and re-renders clusters/.\n\n' +
        '- agent-orchestrator: 2.4.1 → 2.5.0\n- api-gateway: 1.8.3 → 1.9.0\n',
    );
    expect(branchName(plan)).toBe('promote/staging/agent-orchestrator-2.5.0_api-gateway-1.9.0');
  });

  it('shorten a long branch name with a stable hash', () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ app: `some-long-app-name-${i}`, from: '1.0.0', to: '1.0.1' }));
    const name = branchName({ kind: 'promote', source: 'staging', target: 'production', changes: many, unchanged: [] });
    expect(name).toMatch(/^promote\/production\/8-apps-[0-9a-f]{8}$/);
    expect(branchName({ kind: 'promote', source: 'staging', target: 'production', changes: many, unchanged: [] })).toBe(name);
  });
});

describe('splitApps', () => {
  it('accepts comma lists and repeated flags, without duplicates', () => {
    expect(splitApps(['a,b', ' c ', 'a'])).toEqual(['a', 'b', 'c']);
  });
});
