import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PolicyCluster } from '../../src/policy/rule.js';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { checkRepository, renderRepository, renderToDisk } from '../../src/render/render.js';
import { repoPaths } from '../../src/paths.js';
import { syntheticInputs } from '../../src/bench/generate.js';
import { JobCache } from '../../src/render/cache.js';
import { memoryReader, memoryStore, type CacheStore } from '../../src/fs.js';
import type { JobFunction } from '../../src/render/job.js';
import { realInputs, treeOf, writeFiles } from './fixture.js';
import { command as renderCommand } from '../../src/render/cli.js';
import { runCaptured } from '../command.js';

let warm: string;
let cold: string;

function inputs(root: string): void {
  writeFiles(root, syntheticInputs({ apps: 6 }, realInputs()));
}

function edit(root: string, file: string, content: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), content);
}

/** A render without the cache into clean clusters/: the reference output. */
async function coldRender(): Promise<Record<string, string>> {
  rmSync(path.join(cold, 'clusters'), { recursive: true, force: true });
  await renderToDisk(cold);
  return treeOf(cold, 'clusters');
}

const cached = { cache: true } as const;
const cacheFile = (name: string) => path.join(warm, repoPaths.renderCacheDir, name);

beforeEach(() => {
  warm = mkdtempSync(path.join(os.tmpdir(), 'cache-warm-'));
  cold = mkdtempSync(path.join(os.tmpdir(), 'cache-cold-'));
  inputs(warm);
  inputs(cold);
});
afterEach(() => {
  rmSync(warm, { recursive: true, force: true });
  rmSync(cold, { recursive: true, force: true });
});

describe('render cache', () => {
  it('prints the same notes when it answers from the cache as a render from a clean cache', async () => {
    // A call that waits for its callee (deployed in development only): the render notes it once per environment where it waits.
    const files = realInputs();
    files['apps/billing-service.yaml'] = files['apps/tool-integration.yaml']!.replace(/tool-integration/g, 'billing-service');
    files['apps/api-gateway.yaml'] = files['apps/api-gateway.yaml']!.replace('calls: [', 'calls: [{app: billing-service, when: deployed}, ');
    files['overlays/development/versions.yaml'] += 'billing-service: 1.0.0\n';
    rmSync(warm, { recursive: true, force: true });
    writeFiles(warm, files);
    const notes = (lines: string[]) => lines.filter((l) => l.startsWith('note: '));

    const first = await runCaptured(renderCommand, [], warm);
    expect(first.code).toBe(0);
    expect(notes(first.out).length).toBeGreaterThan(0);
    expect(notes(first.out).join('\n')).toContain('staging: api-gateway → billing-service');
    const fromCache = await runCaptured(renderCommand, [], warm);
    expect(fromCache.code).toBe(0);
    expect(notes(fromCache.out)).toEqual(notes(first.out));
    expect((await renderToDisk(warm, cached)).written).toEqual([]);
    const check = await runCaptured(renderCommand, ['--check'], warm);
    expect(notes(check.out)).toEqual(notes(first.out));
  });

  it('writes the same bytes from a warm cache as a render from a clean cache, before and after edits', async () => {
    await renderToDisk(warm, cached);
    expect(readdirSync(path.join(warm, repoPaths.renderCacheDir)).sort()).toEqual([
      'inputs.json',
      'jobs-development.json',
      'jobs-local.json',
      'jobs-production-dr.json',
      'jobs-production.json',
      'jobs-staging.json',
    ]);
    expect(treeOf(warm, 'clusters')).toEqual(await coldRender());

    const again = await renderToDisk(warm, cached);
    expect(again.written).toEqual([]);
    expect(treeOf(warm, 'clusters')).toEqual(await coldRender());

    const edits: [string, string][] = [
      ['overlays/staging/apps/app-0003.yaml', 'autoscaling:\n  maxReplicas: 7\nlogLevel: ERROR\n'],
      ['apps/app-0002.yaml', readFileSync(path.join(warm, 'apps/app-0002.yaml'), 'utf8').replace('port: ', 'port: 1')],
      ['base/templates/service.yaml.hbs', readFileSync(path.join(warm, 'base/templates/service.yaml.hbs'), 'utf8') + '  sessionAffinity: None\n'],
    ];
    for (const [file, content] of edits) {
      edit(warm, file, content);
      edit(cold, file, content);
      const result = await renderToDisk(warm, cached);
      expect(result.written.length, file).toBeGreaterThan(0);
      expect(treeOf(warm, 'clusters'), file).toEqual(await coldRender());
    }
  });

  it('renders again what was changed or removed in clusters/ although the inputs did not change', async () => {
    await renderToDisk(warm, cached);
    const file = 'clusters/staging/apps/app-0001/manifest.yaml';
    const original = readFileSync(path.join(warm, file), 'utf8');
    writeFileSync(path.join(warm, file), original.replace('port:', 'port: 1'));
    expect((await checkRepository(warm, cached)).stale).toEqual([file]);
    expect((await renderToDisk(warm, cached)).written).toEqual([file]);
    expect(readFileSync(path.join(warm, file), 'utf8')).toBe(original);
    rmSync(path.join(warm, file));
    expect((await renderToDisk(warm, cached)).written).toEqual([file]);
    writeFileSync(path.join(warm, 'clusters/staging/apps/app-0001/stray.yaml'), original);
    expect((await renderToDisk(warm, cached)).removed).toEqual(['clusters/staging/apps/app-0001/stray.yaml']);
  });

  it('treats a corrupt or foreign cache as a cold one', async () => {
    await renderToDisk(warm, cached);
    const stored = JSON.parse(readFileSync(cacheFile('jobs-production.json'), 'utf8'));
    writeFileSync(cacheFile('jobs-production.json'), JSON.stringify({ ...stored, fingerprint: 'another renderer' }));
    writeFileSync(cacheFile('jobs-staging.json'), '{"truncated');
    writeFileSync(cacheFile('inputs.json'), 'not json');
    edit(warm, 'overlays/production/apps/app-0004.yaml', 'logLevel: ERROR\n');
    edit(cold, 'overlays/production/apps/app-0004.yaml', 'logLevel: ERROR\n');
    await renderToDisk(warm, cached);
    expect(treeOf(warm, 'clusters')).toEqual(await coldRender());
  });

  it('reads and writes the cache only when asked, whatever folders exist', async () => {
    await renderToDisk(warm, cached);
    // Doctor every stored job result: the doctored text shows wherever the cache answers.
    for (const name of readdirSync(path.join(warm, repoPaths.renderCacheDir)).filter((n) => n.startsWith('jobs-'))) {
      const stored = JSON.parse(readFileSync(cacheFile(name), 'utf8')) as { value: { jobs: Record<string, { content: string }[]> } };
      for (const objects of Object.values(stored.value.jobs)) for (const o of objects) o.content += '# doctored\n';
      writeFileSync(cacheFile(name), JSON.stringify(stored));
    }
    const before = treeOf(warm, repoPaths.renderCacheDir);
    rmSync(path.join(warm, 'clusters'), { recursive: true });
    await renderToDisk(warm);
    expect(treeOf(warm, 'clusters')).toEqual(await coldRender());
    expect(treeOf(warm, repoPaths.renderCacheDir)).toEqual(before);
    expect(await checkRepository(warm)).toEqual({ upToDate: true, stale: [], extra: [], foreign: [], notes: [] });
    expect(treeOf(warm, repoPaths.renderCacheDir)).toEqual(before);

    rmSync(path.join(warm, 'clusters'), { recursive: true });
    await renderToDisk(warm, cached);
    expect(readFileSync(path.join(warm, 'clusters/staging/apps/app-0001/manifest.yaml'), 'utf8')).toMatch(/# doctored\n$/);

    mkdirSync(path.join(cold, repoPaths.cacheDir));
    await renderToDisk(cold);
    await checkRepository(cold);
    expect(readdirSync(path.join(cold, repoPaths.cacheDir))).toEqual([]);
  });

  it('answers a plain render from the inputs snapshot, but --check always renders', async () => {
    await renderToDisk(warm, cached);
    // An input changes behind the snapshot's back (the snapshot is doctored to record the new content), so the
    // snapshot claims that nothing changed.
    const file = 'apps/app-0002.yaml';
    const content = readFileSync(path.join(warm, file), 'utf8').replace('port: ', 'port: 1');
    edit(warm, file, content);
    const snapshot = JSON.parse(readFileSync(cacheFile('inputs.json'), 'utf8')) as { value: { reads: [string, string | null][] } };
    snapshot.value.reads.find(([f]) => f === file)![1] = createHash('sha1').update(content).digest('hex');
    writeFileSync(cacheFile('inputs.json'), JSON.stringify(snapshot));

    expect(await renderToDisk(warm, cached)).toMatchObject({ written: [], removed: [] });
    edit(cold, file, content);
    const fresh = await coldRender();
    const stale = Object.keys(fresh)
      .filter((f) => fresh[f] !== treeOf(warm, 'clusters')[f])
      .sort();
    expect(stale.length).toBeGreaterThan(0);
    expect(await checkRepository(warm, cached)).toEqual({ upToDate: false, stale, extra: [], foreign: [], notes: [] });
  });
});

/** Counts the calls that reach the job function. */
function counted(run: JobFunction): { run: JobFunction; calls: () => number } {
  let calls = 0;
  return {
    run: (template, job) => {
      calls++;
      return run(template, job);
    },
    calls: () => calls,
  };
}

/** A render of `files` through a JobCache over `store`; the number of jobs that ran and the files. */
async function renderWith(store: CacheStore, files: Record<string, string>, fingerprint = 'renderer-1') {
  const cache = new JobCache(store, fingerprint);
  let counter: ReturnType<typeof counted> | undefined;
  const result = await renderRepository(memoryReader(files), {
    wrapJob: (run) => {
      counter = counted(run);
      return cache.wrap(counter.run);
    },
    passedBefore: (c) => cache.unchanged(c),
    checkedBefore: (o) => cache.checkedBefore(o),
  });
  cache.save();
  return { ran: counter!.calls(), files: result.files };
}

describe('job cache (a wrapper around renderJob)', () => {
  it('runs every job once, then none, and returns the same files as a render without it', async () => {
    const store = memoryStore();
    const plain = await renderRepository(memoryReader(realInputs()));
    const first = await renderWith(store, realInputs());
    expect(first.ran).toBeGreaterThan(100);
    expect(first.files).toEqual(plain.files);
    const second = await renderWith(store, realInputs());
    expect(second.ran).toBe(0);
    expect(second.files).toEqual(plain.files);
  });

  it('runs again exactly the jobs whose template or context changed', async () => {
    const store = memoryStore();
    const all = (await renderWith(store, realInputs())).ran;
    const files = realInputs();
    files['overlays/staging/apps/api-gateway.yaml'] = `${files['overlays/staging/apps/api-gateway.yaml'] ?? ''}logLevel: ERROR\n`;
    const overlayEdit = await renderWith(store, files);
    expect(overlayEdit.ran).toBeGreaterThan(0);
    expect(overlayEdit.ran).toBeLessThan(all / 10);
    expect(overlayEdit.files).toEqual((await renderRepository(memoryReader(files))).files);

    files['base/templates/service.yaml.hbs'] += '  sessionAffinity: None\n';
    const templateEdit = await renderWith(store, files);
    const serviceJobs = templateEdit.files.map((f) => f.content.match(/^kind: Service$/gm)?.length ?? 0).reduce((a, b) => a + b, 0);
    expect(templateEdit.ran).toBe(serviceJobs);
    expect(templateEdit.files).toEqual((await renderRepository(memoryReader(files))).files);
  });

  it('checks again only the clusters whose jobs changed, and still refuses an edit that breaks a rule there', async () => {
    const store = memoryStore();
    await renderWith(store, realInputs());
    const files = realInputs();
    const override = 'overlays/staging/apps/api-gateway.yaml';
    const renderChecked = async (inputs: Record<string, string>) => {
      const cache = new JobCache(store, 'renderer-1');
      const checked: string[] = [];
      const passedBefore = (c: PolicyCluster) => cache.unchanged(c) || !checked.push(c.name);
      const result = await renderRepository(memoryReader(inputs), { wrapJob: (run) => cache.wrap(run), passedBefore, checkedBefore: (o) => cache.checkedBefore(o) });
      cache.save();
      return { checked, all: result.allClusters };
    };
    const unchanged = await renderChecked(files);
    expect(unchanged.all.length).toBeGreaterThan(2);
    expect(unchanged.checked).toEqual([]);
    files[override] = `${files[override] ?? ''}logLevel: ERROR\n`;
    expect((await renderChecked(files)).checked).toEqual(['staging']);
    // An Application outside its project is found only by the object checks: the edited cluster is still checked.
    files[override] = `${files[override]}namespace: somewhere-else\n`;
    await expect(renderChecked(files)).rejects.toThrow(/outside its project/);
  });

  it("checks a cluster's stored objects again when its policy changed, though no job ran again", async () => {
    const store = memoryStore();
    const files = realInputs();
    files['overlays/development/versions.yaml'] = files['overlays/development/versions.yaml']!.replace('api-gateway: 1.9.0', 'api-gateway: latest');
    const render = (inputs: Record<string, string>) => {
      const cache = new JobCache(store, 'renderer-1');
      const rendered = renderRepository(memoryReader(inputs), {
        wrapJob: (run) => cache.wrap(run),
        passedBefore: (c) => cache.unchanged(c),
        checkedBefore: (o) => cache.checkedBefore(o),
      });
      return rendered.then(() => cache.save());
    };
    await render(files);
    // Development now refuses 'latest'; the Deployment's job and its context are what they were.
    files['overlays/development/environment.yaml'] = files['overlays/development/environment.yaml']!.replace('pinnedVersions: false', 'pinnedVersions: true');
    await expect(render(files)).rejects.toThrow(/api-gateway:latest' uses the tag 'latest'/);
  });

  it('reuses nothing stored by another renderer (another fingerprint)', async () => {
    const store = memoryStore();
    const all = (await renderWith(store, realInputs(), 'renderer-1')).ran;
    expect((await renderWith(store, realInputs(), 'renderer-2')).ran).toBe(all);
  });

  it('never stores the result of a job that failed', () => {
    const store = memoryStore();
    const cache = new JobCache(store, 'renderer-1');
    const failing = counted(() => ({ objects: [], problems: [{ file: 'base/templates/t.yaml.hbs', message: 'broken' }] }));
    const run = cache.wrap(failing.run);
    const job = { cluster: 'c', environment: 'e', platform: 'p', folder: 'clusters/c/apps/a', template: 't.yaml.hbs', context: {}, sources: [] };
    run(undefined, job);
    run(undefined, job);
    cache.save();
    expect(failing.calls()).toBe(2);
    expect(store.names()).toEqual([]);
  });
});
