import { afterAll, describe, expect, it } from 'vitest';
import { githubCommentLimit, truncatePatch } from '../../src/diff/markdown.js';
import { cleanUp, commit, configMap, index, repo, runDiff } from './fixture.js';

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

  it('leaves out whole sections, largest first and said so, when the comment would pass GitHub’s limit', async () => {
    const files: Record<string, object> = {};
    const changed: Record<string, object> = {};
    // 60 apps with diffs of 40 to 276 lines (≈ 2,000 to 8,000 characters after the per-resource cut): far over 65,536.
    for (let i = 0; i < 60; i++) {
      const file = `clusters/development/apps/app-${String(i).padStart(2, '0')}/configmap-app-config.yaml`;
      files[file] = { ...configMap('berrys-development', bigData('a', 20 + 2 * i)), metadata: { name: `app-${i}-config`, namespace: 'berrys-development' } };
      changed[file] = { ...configMap('berrys-development', bigData('b', 20 + 2 * i)), metadata: { name: `app-${i}-config`, namespace: 'berrys-development' } };
    }
    const root = repo({ 'clusters/index.json': index(), ...files });
    commit(root, 'change all', changed);
    const result = await runDiff(root, ['--base', 'HEAD~1', '--head', 'HEAD', '--format', 'markdown']);
    expect(result.out.length).toBeLessThanOrEqual(githubCommentLimit);
    const dropped = result.out.split('\n').filter((l) => l.startsWith('- ✂️ '));
    expect(dropped.length).toBeGreaterThan(0);
    expect(result.out).toContain(`> The details of ${dropped.length} sections were left out to stay within GitHub's 65,536-character comment limit (marked ✂️ below).`);
    // Largest first: the biggest app's section goes, a small one stays.
    expect(result.out).toContain('- ✂️ <b>app-59</b>: 1 changed — config only: details left out to fit the comment limit');
    expect(result.out).toContain('<details><summary><b>app-00</b>: 1 changed — config only</summary>');
    // The summary table is whole.
    expect(result.out.match(/^\| `app-\d\d` \|/gm)).toHaveLength(60);
  });

  it('keeps a short diff whole', () => {
    expect(truncatePatch('@@ -1 +1 @@\n-a\n+b', 150, 8000)).toEqual({ text: '@@ -1 +1 @@\n-a\n+b' });
  });
});
