import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkRepository, renderToDisk } from '../../src/render.js';
import { defaultRepoRoot } from '../../src/paths.js';
import { syntheticInputs } from '../../src/bench/generate.js';

let warm: string;
let cold: string;

function tree(root: string, dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel))) {
      const child = `${rel}/${name}`;
      if (statSync(path.join(root, child)).isDirectory()) walk(child);
      else files[child] = readFileSync(path.join(root, child), 'utf8');
    }
  };
  walk(dir);
  return files;
}

function inputs(root: string): void {
  const real = { ...tree(defaultRepoRoot, 'base'), ...tree(defaultRepoRoot, 'overlays') };
  for (const [file, content] of Object.entries(syntheticInputs({ apps: 6 }, real))) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
}

function edit(root: string, file: string, content: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), content);
}

/** A render from a clean cache and clean clusters/: the reference output. */
async function coldRender(): Promise<Record<string, string>> {
  rmSync(path.join(cold, 'clusters'), { recursive: true, force: true });
  await renderToDisk(cold, { cache: false });
  return tree(cold, 'clusters');
}

beforeEach(() => {
  warm = mkdtempSync(path.join(os.tmpdir(), 'cache-warm-'));
  cold = mkdtempSync(path.join(os.tmpdir(), 'cache-cold-'));
  inputs(warm);
  inputs(cold);
  mkdirSync(path.join(warm, '.cache'));
});
afterEach(() => {
  rmSync(warm, { recursive: true, force: true });
  rmSync(cold, { recursive: true, force: true });
});

describe('render cache', () => {
  it('writes the same bytes from a warm cache as a render from a clean cache, before and after edits', async () => {
    await renderToDisk(warm);
    expect(readdirSync(path.join(warm, '.cache/render')).sort()).toEqual(['inputs.json', 'jobs-development.json', 'jobs-local.json', 'jobs-production-dr.json', 'jobs-production.json', 'jobs-staging.json']);
    expect(tree(warm, 'clusters')).toEqual(await coldRender());

    const again = await renderToDisk(warm);
    expect(again.written).toEqual([]);
    expect(tree(warm, 'clusters')).toEqual(await coldRender());

    const edits: [string, string][] = [
      ['overlays/staging/apps/app-0003.yaml', 'autoscaling:\n  maxReplicas: 7\nlogLevel: ERROR\n'],
      ['apps/app-0002.yaml', readFileSync(path.join(warm, 'apps/app-0002.yaml'), 'utf8').replace('port: ', 'port: 1') ],
      ['base/templates/service.yaml.hbs', readFileSync(path.join(warm, 'base/templates/service.yaml.hbs'), 'utf8') + '  sessionAffinity: None\n'],
    ];
    for (const [file, content] of edits) {
      edit(warm, file, content);
      edit(cold, file, content);
      const result = await renderToDisk(warm);
      expect(result.written.length, file).toBeGreaterThan(0);
      expect(tree(warm, 'clusters'), file).toEqual(await coldRender());
    }
  });

  it('renders again what was changed or removed in clusters/ although the inputs did not change', async () => {
    await renderToDisk(warm);
    const file = 'clusters/staging/apps/app-0001/service-app-0001.yaml';
    const original = readFileSync(path.join(warm, file), 'utf8');
    writeFileSync(path.join(warm, file), original.replace('port:', 'port: 1'));
    expect((await checkRepository(warm)).stale).toEqual([file]);
    expect((await renderToDisk(warm)).written).toEqual([file]);
    expect(readFileSync(path.join(warm, file), 'utf8')).toBe(original);
    rmSync(path.join(warm, file));
    expect((await renderToDisk(warm)).written).toEqual([file]);
    writeFileSync(path.join(warm, 'clusters/staging/apps/app-0001/stray.yaml'), original);
    expect((await renderToDisk(warm)).removed).toEqual(['clusters/staging/apps/app-0001/stray.yaml']);
  });

  it('treats a corrupt or foreign cache as a cold one', async () => {
    await renderToDisk(warm);
    writeFileSync(path.join(warm, '.cache/render/jobs-production.json'), '{"format":1,"version":"other","jobs":{}}');
    writeFileSync(path.join(warm, '.cache/render/jobs-staging.json'), '{"truncated');
    writeFileSync(path.join(warm, '.cache/render/inputs.json'), 'not json');
    edit(warm, 'overlays/production/apps/app-0004.yaml', 'logLevel: ERROR\n');
    edit(cold, 'overlays/production/apps/app-0004.yaml', 'logLevel: ERROR\n');
    await renderToDisk(warm);
    expect(tree(warm, 'clusters')).toEqual(await coldRender());
  });

  it('leaves no cache behind in a tree without a .cache folder', async () => {
    await renderToDisk(cold);
    expect(readdirSync(cold).sort()).toEqual(['apps', 'base', 'clusters', 'overlays']);
  });
});
