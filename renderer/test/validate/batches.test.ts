// kubeconform in batches: a big repository's file list does not fit on one command line (spawn E2BIG at ~32,600
// files), so the gate passes it in batches. The real binary, on a generated tree in a temp folder, with a batch limit
// small enough to force many batches.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRepoRoot } from '../../src/paths.js';
import { ensureTools, readPins } from '../../src/tools/ensure.js';
import { batchFiles, defaultBatchBytes, mergeReports, runKubeconform } from '../../src/validate/kubeconform.js';
import { validateRepository } from '../../src/validate/run.js';

const fixtures = path.join(defaultRepoRoot, 'renderer', 'test', 'fixtures', 'validate');
/** Generated apps; every third one is valid, the others carry a wrong type that names the app. */
const apps = 30;
const appName = (i: number) => `app-${String(i).padStart(2, '0')}`;
const appFile = (i: number) => `clusters/staging/apps/${appName(i)}/manifest.yaml`;
const isInvalid = (i: number) => i % 3 !== 0;
/** About three generated paths per command line: ten or more kubeconform runs. */
const tinyBatch = 3 * (Buffer.byteLength(appFile(1)) + 1);

let root: string;

beforeAll(async () => {
  await ensureTools({ root: defaultRepoRoot, quiet: true });
  root = mkdtempSync(path.join(tmpdir(), 'validate-batches-'));
  mkdirSync(path.join(root, 'renderer'));
  cpSync(path.join(defaultRepoRoot, 'renderer', 'pins.json'), path.join(root, 'renderer', 'pins.json'));
  symlinkSync(path.join(defaultRepoRoot, '.cache'), path.join(root, '.cache'));
  cpSync(path.join(fixtures, 'repo', 'clusters'), path.join(root, 'clusters'), { recursive: true });
  // The fixture's header and its first document, the Deployment: one object per generated app folder.
  const web = readFileSync(path.join(root, 'clusters/staging/apps/web/manifest.yaml'), 'utf8').split('---\n')[0]!;
  for (let i = 1; i <= apps; i++) {
    let text = web.replace(/\bweb\b/g, appName(i));
    if (isInvalid(i)) text = text.replace(/^spec:\n/m, `spec:\n  replicas: "${i}"\n`);
    mkdirSync(path.dirname(path.join(root, appFile(i))), { recursive: true });
    writeFileSync(path.join(root, appFile(i)), text);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('batchFiles', () => {
  it('keeps every file once, in order, in batches whose paths fit the byte limit', () => {
    const files = ['a.yaml', 'bb.yaml', 'ccc.yaml', 'd.yaml', 'eeeee.yaml'];
    // Each path counts its bytes plus one separator: 7 + 8 = 15 fits 16, a third path would not.
    expect(batchFiles(files, 16)).toEqual([['a.yaml', 'bb.yaml'], ['ccc.yaml', 'd.yaml'], ['eeeee.yaml']]);
  });

  it('gives a path longer than the limit a batch of its own rather than dropping it', () => {
    expect(batchFiles(['short.yaml', 'a-very-long-path.yaml', 'x.yaml'], 12)).toEqual([['short.yaml'], ['a-very-long-path.yaml'], ['x.yaml']]);
  });

  it('makes no batch at all for no files', () => {
    expect(batchFiles([], 100)).toEqual([]);
  });

  it('splits a 1,000-app × 4-environment repository into command lines far below the OS limit', () => {
    const files: string[] = [];
    for (const env of ['development', 'staging', 'production', 'production-dr'])
      for (let i = 1; i <= 1000; i++) files.push(`clusters/${env}/apps/app-${String(i).padStart(4, '0')}/manifest.yaml`);
    const batches = batchFiles(files);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.flat()).toEqual(files);
    for (const batch of batches) expect(batch.reduce((n, f) => n + Buffer.byteLength(f) + 1, 0)).toBeLessThanOrEqual(defaultBatchBytes);
  });
});

describe('mergeReports', () => {
  it('adds the summaries up and keeps every resource', () => {
    const a = { resources: [{ filename: 'a.yaml', status: 'statusInvalid' }], summary: { valid: 2, invalid: 1, errors: 0, skipped: 0 } };
    const b = { resources: [{ filename: 'b.yaml', status: 'statusError' }], summary: { valid: 3, invalid: 0, errors: 1, skipped: 1 } };
    expect(mergeReports([a, b])).toEqual({
      resources: [
        { filename: 'a.yaml', status: 'statusInvalid' },
        { filename: 'b.yaml', status: 'statusError' },
      ],
      summary: { valid: 5, invalid: 1, errors: 1, skipped: 1 },
    });
  });
});

describe('kubeconform over more files than one command line takes', () => {
  it('validates every file across the batches and counts them all in one summary', async () => {
    const files = Array.from({ length: apps }, (_, k) => appFile(k + 1));
    expect(batchFiles(files, tinyBatch).length).toBeGreaterThanOrEqual(10);
    const report = await runKubeconform(root, files, (await readPins(root)).kubernetes, { batchBytes: tinyBatch });
    const invalid = files.filter((_, k) => isInvalid(k + 1));
    expect(report.summary).toEqual({ valid: apps - invalid.length, invalid: invalid.length, errors: 0, skipped: 0 });
    expect(report.resources.map((r) => r.filename).sort()).toEqual(invalid);
  });

  it('validates a tree whose paths alone are bigger than the OS command-line limit, with the default batches', async () => {
    // 1,000 files under a ~3.8 KB-deep folder: ~3.9 MB of paths, beyond Linux's 2 MB ARG_MAX (one command line: E2BIG).
    const deep = ['clusters', 'deep', ...Array.from({ length: 15 }, (_, k) => `${String(k).padStart(2, '0')}-${'x'.repeat(240)}`)].join('/');
    mkdirSync(path.join(root, deep), { recursive: true });
    const web = readFileSync(path.join(root, appFile(3)), 'utf8');
    const bad = readFileSync(path.join(root, appFile(1)), 'utf8');
    const files = Array.from({ length: 1000 }, (_, k) => `${deep}/deployment-${String(k).padStart(4, '0')}.yaml`);
    files.forEach((file, k) => writeFileSync(path.join(root, file), k % 100 === 7 ? bad : web));
    expect(files.reduce((n, f) => n + Buffer.byteLength(f) + 1, 0)).toBeGreaterThan(2 * 1024 * 1024);
    const report = await runKubeconform(root, files, (await readPins(root)).kubernetes);
    expect(report.summary).toEqual({ valid: 990, invalid: 10, errors: 0, skipped: 0 });
    expect(report.resources.map((r) => r.filename).sort()).toEqual(files.filter((_, k) => k % 100 === 7));
  });

  it("returns each file's finding with its own path and line, the same as with the default batches", async () => {
    const batched = await validateRepository(root, { batchBytes: tinyBatch });
    const schema = batched.findings.filter((f) => f.rule === 'schema');
    expect(schema).toEqual(
      Array.from({ length: apps }, (_, k) => k + 1)
        .filter(isInvalid)
        .map((i) => ({ file: appFile(i), line: 14, rule: 'schema', message: `Deployment '${appName(i)}': spec.replicas: got string, want null or integer`, cluster: 'staging' })),
    );
    expect(batched.files).toBe(3 + apps);
    expect(await validateRepository(root)).toEqual(batched);
  });
});
