// The secret scan of the rendered tree, each distinct line once (distinct-lines.ts through runGitleaks): the real
// pinned gitleaks, compared with gitleaks over the very same files scanned as they are.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRepoRoot } from '../../src/paths.js';
import { generatedMarker } from '../../src/render/emit.js';
import { ensureTools } from '../../src/tools/ensure.js';
import { cachePaths } from '../../src/tools/layout.js';
import { distinctText } from '../../src/validate/distinct-lines.js';
import { runGitleaks } from '../../src/validate/gitleaks.js';
import { fakeSecrets } from '../render/secret-corpus.js';

const header = `${generatedMarker} (npm run render). Do not edit.\n# Cluster: c\n`;

describe('distinctText', () => {
  it('keeps each distinct line once and places it at every file and line it occurs in', () => {
    const files = new Map([
      ['a.yaml', `${header}kind: A\nname: x\n`],
      ['b.yaml', `${header}name: x\nkind: B\n`],
    ]);
    const { chunks, locate } = distinctText(files, generatedMarker);
    expect(chunks.join('')).toBe(`${header}kind: A\nname: x\nkind: B\n`);
    expect(locate(0, 4)).toEqual([
      { file: 'a.yaml', line: 4 },
      { file: 'b.yaml', line: 3 },
    ]);
    expect(locate(0, 5)).toEqual([{ file: 'b.yaml', line: 4 }]);
    expect(locate(0, 99)).toEqual([]);
  });

  it('keeps a block scalar whole with its header, so a secret over several lines reaches the scanner in one piece', () => {
    const block = 'data: |\n  line one\n  shared\n';
    const files = new Map([
      ['a.yaml', `${header}shared\n${block}`],
      ['b.yaml', `${header}${block}after: 1\n`],
    ]);
    const { chunks, locate } = distinctText(files, generatedMarker);
    expect(chunks.join('')).toBe(`${header}shared\n${block}after: 1\n`);
    // Line 2 of the block ("  line one") in a.yaml (line 5) and b.yaml (line 4).
    expect(locate(0, 5)).toEqual([
      { file: 'a.yaml', line: 5 },
      { file: 'b.yaml', line: 4 },
    ]);
  });

  it('keeps a hand-written file whole, even when another file has the same text', () => {
    const files = new Map([
      ['x.yaml', 'kind: X\n'],
      ['y.yaml', 'kind: X\n'],
    ]);
    const { chunks, locate } = distinctText(files, generatedMarker, 1);
    expect(chunks).toEqual(['kind: X\n', 'kind: X\n']);
    expect(locate(1, 1)).toEqual([{ file: 'y.yaml', line: 1 }]);
  });
});

describe('gitleaks over the rendered tree, each distinct line once', () => {
  let root: string;
  const tree = new Map<string, string>();

  beforeAll(async () => {
    await ensureTools({ root: defaultRepoRoot, quiet: true });
    root = mkdtempSync(path.join(tmpdir(), 'distinct-secrets-'));
    mkdirSync(path.join(root, '.cache', 'tools', 'bin'), { recursive: true });
    symlinkSync(path.join(defaultRepoRoot, cachePaths.tool('gitleaks')), path.join(root, cachePaths.tool('gitleaks')));
    // Every fake secret of the corpus in three generated files of three clusters, each time at another line, some in
    // block scalars (the private key spans lines), and once in a hand-written file.
    const corpus = fakeSecrets();
    const body = (shift: number) =>
      corpus
        .map((s, i) => {
          const padding = 'x: 1\n'.repeat((i + shift) % 3);
          return s.secret.includes('\n')
            ? `${padding}value${i}: |\n${s.secret
                .split('\n')
                .map((l) => `  ${l}`)
                .join('\n')}\n`
            : `${padding}env_${i}: ${JSON.stringify(s.secret)}\n`;
        })
        .join('');
    for (const [i, cluster] of ['one', 'two', 'three'].entries()) tree.set(`${cluster}/apps/web/manifest.yaml`, `${header}${body(i)}`);
    tree.set('one/hand/written.yaml', body(0));
    for (const [file, text] of tree) {
      for (const folder of ['clusters', 'overlays']) {
        mkdirSync(path.dirname(path.join(root, folder, file)), { recursive: true });
        writeFileSync(path.join(root, folder, file), text);
      }
    }
  }, 300_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds exactly what gitleaks finds in the same files scanned as they are: every rule at every file and line', async () => {
    const results = await runGitleaks(root);
    const where = (folder: string) =>
      results
        .filter((r) => r.File.startsWith(`${folder}/`))
        .map((r) => `${r.RuleID} ${r.File.slice(folder.length + 1)}:${r.StartLine}-${r.EndLine}`)
        .sort();
    const asIs = where('overlays');
    // Most of the corpus is found in each of the four files (a few formats need a key name this tree does not give).
    expect(asIs.length).toBeGreaterThanOrEqual(fakeSecrets().length * 3);
    expect(where('clusters')).toEqual(asIs);
  }, 300_000);
});
