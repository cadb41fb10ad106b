// The gate judges what Argo CD will sync: on a real checkout with rendered clusters/, pull requests as commits on a
// branch, and the gate running this code (the base branch's) over the pull request's files as data.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCheckout } from '../../src/promote/render.js';
import { runGate } from '../../src/promote/gate.js';
import { addQa, baseRenderer, cleanUp, commit, commitRendered, gitIn, renderedRepo, writeFile } from './repo-fixture.js';

afterAll(cleanUp);
// Every test copies one template of this repository (copied, compiled, rendered): built once, before them.
beforeAll(() => void baseRenderer(), 600_000);

const read = (root: string, file: string) => readFileSync(path.join(root, file), 'utf8');
const edit = (root: string, file: string, from: string, to: string) => {
  if (!read(root, file).includes(from)) throw new Error(`test setup: ${file} has no '${from}'`);
  writeFile(root, file, read(root, file).replace(from, to));
};

/** Starts a pull request: a branch off main; returns the base commit. */
function branch(root: string): string {
  const base = gitIn(root, 'rev-parse', 'HEAD');
  gitIn(root, 'switch', '--quiet', '-c', 'pr');
  return base;
}

const gate = (root: string, base: string) => runGate({ root, base, head: 'HEAD', env: {}, log: () => undefined, renderer: baseRenderer() });
const short = (root: string, rev: string) => gitIn(root, 'rev-parse', '--short=7', rev);
const handEdited = (root: string, base: string) =>
  `✗ clusters/ is not what the base branch's renderer (${short(root, base)}) makes of this pull request's inputs (hand-edited output is refused):`;

const stagingManifest = 'clusters/staging/apps/api-gateway/manifest.yaml';
const stagingImage = ['berrys/api-gateway:1.8.3', 'berrys/api-gateway:1.9.0'] as const;

describe('gate: clusters/ is what the base branch renders from the pull request inputs', () => {
  it('passes a promotion whose clusters/ was rendered from its inputs, and says the base renderer confirmed it', { timeout: 120_000 }, async () => {
    const root = renderedRepo();
    const base = branch(root);
    edit(root, 'overlays/production/versions.yaml', 'agent-orchestrator: 2.4.0', 'agent-orchestrator: 2.4.1');
    await commitRendered(root, 'promote agent-orchestrator');
    const result = await gate(root, base);
    expect(result.passed).toBe(true);
    expect(result.report).toContain(`Rendered output: clusters/ is what the base branch's renderer (${short(root, base)}) makes of this pull request's inputs.`);
  });

  it('refuses a hand-edited staging manifest, naming the file', { timeout: 120_000 }, async () => {
    const root = renderedRepo();
    const base = branch(root);
    edit(root, stagingManifest, ...stagingImage);
    commit(root, 'api-gateway 1.9.0 in staging');
    const result = await gate(root, base);
    expect(result.passed).toBe(false);
    expect(result.moves).toEqual([]);
    expect(result.output.findings).toEqual([{ file: stagingManifest, how: 'differs' }]);
    expect(result.report).toContain(`${handEdited(root, base)}\n  differs: ${stagingManifest}\n`);
    expect(result.report.endsWith('Gate refused.')).toBe(true);
  });

  it('refuses a hand-edited manifest that comes with an edit of the render command, whose code does not shape the output', { timeout: 120_000 }, async () => {
    const root = renderedRepo();
    const base = branch(root);
    edit(root, stagingManifest, ...stagingImage);
    // The edit that made `render --check` pass: the comparison lives in the command, not in the render pipeline.
    writeFile(root, 'renderer/src/render/cli.ts', `${read(root, 'renderer/src/render/cli.ts')}\n// up to date\n`);
    commit(root, 'api-gateway 1.9.0 in staging');
    const result = await gate(root, base);
    expect(result.passed).toBe(false);
    expect(result.output.rendererChanges).toEqual([]);
    expect(result.report).toContain(`${handEdited(root, base)}\n  differs: ${stagingManifest}\n`);
  });

  it('refuses files under clusters/ that no input produces, and files the inputs produce that are missing', { timeout: 120_000 }, async () => {
    const root = renderedRepo();
    const base = branch(root);
    writeFile(root, 'clusters/staging/apps/api-gateway/extra.yaml', read(root, stagingManifest));
    gitIn(root, 'rm', '--quiet', 'clusters/production/apps/web-dashboard/manifest.yaml');
    commit(root, 'output by hand');
    const result = await gate(root, base);
    expect(result.passed).toBe(false);
    expect(result.output.findings).toEqual([
      { file: 'clusters/production/apps/web-dashboard/manifest.yaml', how: 'missing' },
      { file: 'clusters/staging/apps/api-gateway/extra.yaml', how: 'not produced by the inputs' },
    ]);
  });

  it("refuses a development overlay that changes production's output", { timeout: 120_000 }, async () => {
    const root = renderedRepo();
    const base = branch(root);
    writeFile(root, 'overlays/development/apps/web-dashboard.yaml', 'env:\n  __proto__:\n    externalEgress: true\n');
    // A renderer that refuses the key leaves clusters/ as it was; one that does not rewrites every environment. In
    // a process of its own: a renderer that lets the key reach Object.prototype would change this one's too.
    const rendered = await renderCheckout(root).then(
      () => true,
      () => false,
    );
    commit(root, 'development: egress for the dashboard');
    const result = await gate(root, base);
    expect(result.passed).toBe(false);
    if (rendered) {
      expect(result.output.unexplained).toContainEqual({ file: 'clusters/production/apps/api-gateway/manifest.yaml', environment: 'production' });
      expect(result.report).toContain(
        "✗ clusters/production/apps/api-gateway/manifest.yaml changes, but no input of production does (overlays/production/, apps/, base/): another environment's input reached it.",
      );
    } else {
      expect(result.report).toContain(
        `✗ the base branch's renderer (${short(root, base)}) refuses this pull request's inputs, so clusters/ cannot be what it makes of them:\n  overlays/development/apps/web-dashboard.yaml:`,
      );
    }
  });

  it('passes and labels a renderer change, naming the renderer files and the output only they explain', { timeout: 300_000 }, async () => {
    const root = renderedRepo();
    const base = branch(root);
    edit(root, 'renderer/src/render/emit.ts', 'Do not edit: change the sources and render again.', 'Do not edit: change the sources, then render again.');
    // Rendered by the pull request's own renderer, as its author does (scripts/run.mjs rebuilds dist/ first).
    await renderCheckout(root);
    commit(root, 'renderer: a clearer generated header');
    const result = await gate(root, base);
    expect(result.passed).toBe(true);
    expect(result.output.rendererChanges).toEqual(['renderer/src/render/emit.ts']);
    expect(result.output.findings).toContainEqual({ file: stagingManifest, how: 'differs' });
    expect(result.report).toContain(
      [
        'Renderer change: renderer/src/render/emit.ts',
        `  the base branch's renderer (${short(root, base)}) cannot judge output of renderer code it does not have: what it makes differs, explained only by this change.`,
      ].join('\n'),
    );
    expect(result.report).toContain(
      "  A code owner must approve the renderer change (CODEOWNERS); validate's render --check proves clusters/ is what the changed renderer makes (all of the code it runs is code-owned).",
    );

    // The same renderer change with an input change: the base renderer cannot tell the two apart.
    writeFile(root, 'overlays/staging/environment.yaml', `${read(root, 'overlays/staging/environment.yaml')}# reviewed\n`);
    await renderCheckout(root);
    commit(root, 'and a staging input');
    const mixed = await gate(root, base);
    expect(mixed.passed).toBe(false);
    expect(mixed.report).toContain(
      "✗ The pull request also changes inputs (overlays/staging/environment.yaml), whose effect on clusters/ the base branch's renderer cannot tell apart from the code's. " +
        'Change the renderer in a pull request of its own (keeping it able to read the inputs as they are), then the inputs.',
    );
  });
});

describe('gate: a new environment in the chain', () => {
  it('refuses a new environment holding a version that never ran in the one it promotes from, with the ways out', { timeout: 120_000 }, async () => {
    const root = renderedRepo();
    const base = branch(root);
    addQa(root, read(root, 'overlays/staging/versions.yaml').replace('web-dashboard: 4.2.0', 'web-dashboard: 9.9.9'));
    await commitRendered(root, 'add qa between staging and production');
    const result = await gate(root, base);
    expect(result.passed).toBe(false);
    expect(result.chain.filter((s) => !s.ok)).toEqual([{ env: 'qa', app: 'web-dashboard', version: '9.9.9', previousEnv: 'staging', previousVersion: '4.2.0', ok: false }]);
    expect(result.report).toContain(
      [
        'Chain change: development → staging → production becomes development → staging → qa → production (environment.yaml: a code owner must approve).',
        '✗ qa: web-dashboard 9.9.9 never ran in staging, which qa promotes from (staging runs 4.2.0).',
        '  A new environment starts only with versions that ran in the one it promotes from. Either start qa with what staging runs (web-dashboard: 4.2.0 in overlays/qa/versions.yaml), ' +
          'or bring the version through staging first (release and promote it), then add qa.',
      ].join('\n'),
    );
  });
});

describe('gate: a hotfix trailer names the apps it covers', () => {
  /** The gate over a pull request that gives production api-gateway 1.8.4 and tool-integration 2.0.2, neither of which staging runs. */
  async function skipStaging(message: string) {
    const root = renderedRepo();
    const base = branch(root);
    edit(root, 'overlays/production/versions.yaml', 'api-gateway: 1.8.3', 'api-gateway: 1.8.4');
    edit(root, 'overlays/production/versions.yaml', 'tool-integration: 2.0.1', 'tool-integration: 2.0.2');
    await commitRendered(root, message);
    return { root, result: await gate(root, base) };
  }

  it('refuses a skip of an app the trailer does not name, and passes the one it names as a hotfix', { timeout: 120_000 }, async () => {
    const { result } = await skipStaging('tool-integration 2.0.2 to production\n\nHotfix: tool-integration: CVE-2026-0002, token leak');
    expect(result.passed).toBe(false);
    expect(result.moves.map((m) => `${m.app} ${m.kind}`)).toEqual(['api-gateway refused', 'tool-integration hotfix']);
    expect(result.report).toContain("A break-glass hotfix needs a 'Hotfix: api-gateway: <reason>' trailer and a code owner's approval (README, Hotfix).");
  });

  it('refuses a trailer that names no app, with the form that does', { timeout: 120_000 }, async () => {
    const { root, result } = await skipStaging('two apps to production\n\nHotfix: CVE-2026-0002 in tool-integration');
    expect(result.passed).toBe(false);
    expect(result.moves.map((m) => m.kind)).toEqual(['refused', 'refused']);
    expect(result.report).toContain(
      `✗ The Hotfix trailer "CVE-2026-0002 in tool-integration" (${short(root, 'HEAD')}) names no app, so it unlocks nothing; ` +
        "name the apps it covers: 'Hotfix: <app>[, <app>]: <reason>', e.g. 'Hotfix: api-gateway: CVE-2026-0002 in tool-integration'.",
    );
  });

  it('passes every app a trailer names', { timeout: 120_000 }, async () => {
    const { result } = await skipStaging('two apps to production\n\nHotfix: api-gateway, tool-integration: CVE-2026-0002');
    expect(result.passed).toBe(true);
    expect(result.moves.map((m) => m.kind)).toEqual(['hotfix', 'hotfix']);
  });
});
