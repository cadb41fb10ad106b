import { afterAll, describe, expect, it } from 'vitest';
import { githubCommentLimit, truncatePatch } from '../../src/diff/markdown.js';
import { cleanUp, commit, configMap, deployment, gitIn, index, repo, runDiff } from './fixture.js';

afterAll(cleanUp);

function bigData(version: string, lines: number): Record<string, string> {
  return { 'settings.yaml': Array.from({ length: lines }, (_, i) => `key${i}: ${version}-${'x'.repeat(40)}`).join('\n') + '\n' };
}

describe('diff markdown size', () => {
  it('cuts a long resource diff with a note saying how much is not shown', async () => {
    const file = 'clusters/development/apps/api-gateway/configmap-api-gateway-config.yaml';
    const root = repo({ 'clusters/index.json': index(), [file]: configMap('berrys-development', bigData('a', 400)) });
    commit(root, 'change every line', { [file]: configMap('berrys-development', bigData('b', 400)) });
    const result = await runDiff(root, ['--base', 'HEAD~1', '--head', 'HEAD', '--format', 'markdown']);
    expect(result.code).toBe(3);
    expect(result.out).toContain('> ✂️ 660 more lines of this diff not shown (cut at 147 of 807 lines); run `npm run diff` locally to see all of it.');
    expect(result.out).not.toContain('left out to stay within');
  });

  /** Files of `count` apps in `cluster`, each with one ConfigMap whose diff has 20 + 2·i lines (a: base, b: head). */
  function apps(cluster: string, count: number, version: string): Record<string, object> {
    const files: Record<string, object> = {};
    for (let i = 0; i < count; i++) {
      const app = `app-${String(i).padStart(3, '0')}`;
      const ns = `berrys-${cluster.replace(/-dr$/, '')}`;
      files[`clusters/${cluster}/apps/${app}/configmap-app-config.yaml`] = { ...configMap(ns, bigData(version, 20 + 2 * i)), metadata: { name: `${app}-config`, namespace: ns } };
    }
    return files;
  }

  it('shortens every resource diff before it leaves out any section', async () => {
    // 60 apps with diffs of 40 to 276 lines: far over 65,536 characters at 150 lines each, within it at 10.
    const root = repo({ 'clusters/index.json': index(), ...apps('development', 60, 'a') });
    commit(root, 'change all', apps('development', 60, 'b'));
    const result = await runDiff(root, ['--base', 'HEAD~1', '--head', 'HEAD', '--format', 'markdown']);
    expect(result.out.length).toBeLessThanOrEqual(githubCommentLimit);
    expect(result.out).not.toContain('left out to stay within');
    expect(result.out.match(/^<details><summary><b>app-\d+<\/b>/gm)).toHaveLength(60);
    expect(result.out).toContain('> ✂️ 37 more lines of this diff not shown (cut at 10 of 47 lines); run `npm run diff` locally to see all of it.');
  });

  it('leaves out development before production, keeping each left-out version change and a command to see it', async () => {
    const prod = 'berrys-production';
    const dev = 'berrys-development';
    const base = {
      'clusters/index.json': index(),
      ...apps('development', 100, 'a'),
      ...apps('production', 15, 'a'),
      'clusters/development/apps/api-gateway/deployment-api-gateway.yaml': deployment(dev),
      'clusters/development/apps/api-gateway/configmap-api-gateway-config.yaml': configMap(dev, bigData('a', 300)),
      'clusters/production/apps/api-gateway/deployment-api-gateway.yaml': deployment(prod),
    };
    const root = repo(base);
    const head = commit(root, 'change everything', {
      ...apps('development', 100, 'b'),
      ...apps('production', 15, 'b'),
      'clusters/development/apps/api-gateway/deployment-api-gateway.yaml': deployment(dev, { tag: '1.9.0' }),
      'clusters/development/apps/api-gateway/configmap-api-gateway-config.yaml': configMap(dev, bigData('b', 300)),
      'clusters/production/apps/api-gateway/deployment-api-gateway.yaml': deployment(prod, { tag: '1.9.0' }),
    });
    const result = await runDiff(root, ['--base', 'HEAD~1', '--head', 'HEAD', '--format', 'markdown']);
    expect(result.out.length).toBeLessThanOrEqual(githubCommentLimit);
    const production = result.out.slice(result.out.indexOf('\n### production'));
    // Production is whole: every section with its details, the version change among them.
    expect(production).not.toContain('- ✂️ ');
    expect(production.match(/^<details><summary>/gm)).toHaveLength(16);
    expect(production).toContain('- image `api-gateway: 1.8.3 → 1.9.0`');
    // Development went first, its largest section (api-gateway's) first; a left-out section keeps its version change and says how to see it.
    const hint = `see them with \`npm run diff -- --base ${gitIn(root, 'rev-parse', 'HEAD~1')} --head ${head} --env development\``;
    expect(result.out).toContain(`: 1 changed — config only: details left out to fit the comment limit; ${hint}`);
    expect(result.out).toContain(
      `- ✂️ <b>api-gateway</b>: 2 changed — rolls pods, image, config only: details left out to fit the comment limit; ${hint}\n  - Deployment \`api-gateway\`: image \`api-gateway: 1.8.3 → 1.9.0\``,
    );
    expect(result.out).toMatch(/> The details of \d+ sections were left out to stay within GitHub's 65,536-character comment limit \(marked ✂️ below\)\./);
  });

  it('keeps a short diff whole', () => {
    expect(truncatePatch('@@ -1 +1 @@\n-a\n+b', 150, 8000)).toEqual({ text: '@@ -1 +1 @@\n-a\n+b' });
  });
});
