// Validation cached by content (cache.ts through validateRepository): the real kubeconform, behind a wrapper that
// logs what it is given, on a two-cluster rendered tree in a temp folder.
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultRepoRoot } from '../../src/paths.js';
import { ensureTools } from '../../src/tools/ensure.js';
import { cachePaths } from '../../src/tools/layout.js';
import { validationCacheFile } from '../../src/validate/cache.js';
import { validateRepository } from '../../src/validate/run.js';

const fixtures = path.join(defaultRepoRoot, 'renderer', 'test', 'fixtures', 'validate');
const deployment = 'clusters/staging/apps/web/manifest.yaml';
let root: string;

beforeAll(() => ensureTools({ root: defaultRepoRoot, quiet: true }));

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'validate-cache-'));
  mkdirSync(path.join(root, 'renderer'));
  cpSync(path.join(defaultRepoRoot, 'renderer', 'pins.json'), path.join(root, 'renderer', 'pins.json'));
  mkdirSync(path.join(root, '.cache'));
  symlinkSync(path.join(defaultRepoRoot, cachePaths.schemasDir), path.join(root, cachePaths.schemasDir));
  // kubeconform itself, behind a script that writes down its arguments: which files and folders it was given.
  const wrapper = path.join(root, cachePaths.tool('kubeconform'));
  mkdirSync(path.dirname(wrapper), { recursive: true });
  writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${path.join(root, 'kubeconform.log')}'\nexec '${path.join(defaultRepoRoot, cachePaths.tool('kubeconform'))}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  symlinkSync(path.join(defaultRepoRoot, cachePaths.tool('gitleaks')), path.join(root, cachePaths.tool('gitleaks')));
  // Two clusters with the same files: a standby of staging.
  cpSync(path.join(fixtures, 'repo', 'clusters'), path.join(root, 'clusters'), { recursive: true });
  cpSync(path.join(root, 'clusters', 'staging'), path.join(root, 'clusters', 'staging-dr'), { recursive: true });
  // The standby's Applications sync its own folders, as the render writes them.
  const wiring = path.join(root, 'clusters', 'staging-dr', 'argocd', 'manifest.yaml');
  writeFileSync(wiring, readFileSync(wiring, 'utf8').replaceAll('path: clusters/staging/', 'path: clusters/staging-dr/'));
  const index = JSON.parse(readFileSync(path.join(root, 'clusters', 'index.json'), 'utf8')) as { clusters: { name: string; role: string; folders: { path: string }[] }[] };
  const standby = JSON.parse(JSON.stringify(index.clusters[0]).replaceAll('clusters/staging/', 'clusters/staging-dr/')) as (typeof index.clusters)[number];
  index.clusters.push({ ...standby, name: 'staging-dr', role: 'standby' });
  writeFileSync(path.join(root, 'clusters', 'index.json'), JSON.stringify(index, null, 2));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The targets of each kubeconform run so far (what follows its last flag's value). */
function kubeconformRuns(): string[][] {
  const log = path.join(root, 'kubeconform.log');
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' ').filter((arg) => arg.startsWith('clusters/')));
}

describe('validation cached by content', () => {
  it('gives kubeconform whole cluster folders when nothing is cached', async () => {
    await validateRepository(root, { cache: true });
    expect(kubeconformRuns()).toEqual([['clusters/staging', 'clusters/staging-dr']]);
  });

  it('runs no kubeconform when nothing changed, and reports the same schema and policy findings', async () => {
    const file = path.join(root, deployment.replace('/staging/', '/staging-dr/'));
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace(/^spec:\n/m, 'spec:\n  replicas: "3"\n')
        .replace(/(image: .*):[^:\n]+$/m, '$1:latest'),
    );
    const first = await validateRepository(root, { cache: true });
    expect(first.findings.map((f) => `${f.cluster} ${f.rule}`)).toEqual(['staging-dr schema', 'staging-dr image-tag-pinned']);
    const second = await validateRepository(root, { cache: true });
    expect(second).toEqual(first);
    expect(kubeconformRuns()).toHaveLength(1);
  });

  it('validates only the changed file after a change, and reports what a full validation reports', async () => {
    await validateRepository(root, { cache: true });
    const file = path.join(root, deployment);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^spec:\n/m, 'spec:\n  replicas: "3"\n'));
    const cached = await validateRepository(root, { cache: true });
    expect(kubeconformRuns().at(-1)).toEqual([deployment]);
    expect(cached.findings).toContainEqual({
      file: deployment,
      line: 14,
      rule: 'schema',
      message: "Deployment 'web': spec.replicas: got string, want null or integer",
      cluster: 'staging',
    });
    expect(cached).toEqual(await validateRepository(root));
  });

  it('validates everything again when the cache was made with other schemas', async () => {
    await validateRepository(root, { cache: true });
    const cacheFile = path.join(root, validationCacheFile);
    writeFileSync(cacheFile, JSON.stringify({ ...JSON.parse(readFileSync(cacheFile, 'utf8')), schemaKey: 'other schemas' }));
    await validateRepository(root, { cache: true });
    expect(kubeconformRuns()).toEqual([
      ['clusters/staging', 'clusters/staging-dr'],
      ['clusters/staging', 'clusters/staging-dr'],
    ]);
  });

  it('validates everything when the cache file is damaged, and repairs it', async () => {
    mkdirSync(path.dirname(path.join(root, validationCacheFile)), { recursive: true });
    writeFileSync(path.join(root, validationCacheFile), '{ not json');
    const report = await validateRepository(root, { cache: true });
    expect(report).toEqual(await validateRepository(root));
    expect(JSON.parse(readFileSync(path.join(root, validationCacheFile), 'utf8'))).toMatchObject({ format: 1 });
  });

  it('neither reads nor writes a cache unless asked', async () => {
    await validateRepository(root);
    expect(existsSync(path.join(root, validationCacheFile))).toBe(false);
  });
});
