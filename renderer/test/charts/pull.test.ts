// npm run charts -- pull end to end: a chart packaged with the real helm, served as a real Helm repository by an
// HTTP server on 127.0.0.1, pulled into a folder, judged against a lock, and the folder indexed by helm; a mirror
// folder for a repository that cannot be reached.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pinnedCharts, pullCharts } from '../../src/charts/pull.js';
import { failed, outcomeLines } from '../../src/charts/verdict.js';
import { defaultRepoRoot } from '../../src/paths.js';
import { ensureTools } from '../../src/tools/ensure.js';
import { cachePaths } from '../../src/tools/layout.js';
import { serializeChartsLock, type ChartRef } from '../../src/validate/charts-lock.js';
import { cleanUp, tempDir } from '../git-repo.js';
import { refusedUrl, serveChartFolder, toolCheckout } from '../helm-repo.js';

const helm = path.join(defaultRepoRoot, cachePaths.tool('helm'));
let published: string;
let mirror: string;
let closeServer: () => Promise<void>;
let repoURL: string;
let deadURL: string;
let root: string;

function packageChart(into: string, version: string, marker: string): void {
  const src = tempDir('chart-src');
  mkdirSync(path.join(src, 'templates'));
  writeFileSync(path.join(src, 'Chart.yaml'), `apiVersion: v2\nname: demo\nversion: ${version}\n`);
  writeFileSync(path.join(src, 'templates', 'cm.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  from: ${marker}\n`);
  execFileSync(helm, ['package', src, '--destination', into]);
  execFileSync(helm, ['repo', 'index', into]);
}

const sha = (file: string) => `sha256:${execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0]}`;

beforeAll(async () => {
  await ensureTools({ root: defaultRepoRoot, quiet: true });
  published = tempDir('published');
  packageChart(published, '0.1.0', 'published');
  // The same name and version packaged again from other files: a mirror's archive is never the published one.
  mirror = tempDir('mirror');
  packageChart(mirror, '0.1.0', 'mirror');
  const served = await serveChartFolder(published);
  repoURL = served.url;
  closeServer = served.close;
  deadURL = await refusedUrl();
});

afterAll(async () => {
  await closeServer();
  cleanUp();
});

beforeEach(() => {
  root = toolCheckout('charts-root');
  mkdirSync(path.join(root, 'base'));
});

const demo = (url = repoURL): ChartRef => ({ repoURL: url, name: 'demo', version: '0.1.0' });
const lockWith = (digest?: string) => writeFileSync(path.join(root, 'base', 'charts.lock.json'), serializeChartsLock({ entries: digest ? [{ ...demo(), digest }] : [] }));

async function pull(options: { mirror?: string; updateLock?: boolean; url?: string } = {}) {
  const dir = path.join(tempDir('pulled'), 'charts');
  const result = await pullCharts({ root, dir, charts: [{ chart: demo(options.url), addons: ['demo'] }], timeoutMs: 5000, ...options });
  return { dir, result, kinds: result.charts.map((c) => c.outcome.kind) };
}

describe('pullCharts', () => {
  it('writes an archive the lock knows into the folder and makes the folder a Helm repository', async () => {
    lockWith(sha(path.join(published, 'demo-0.1.0.tgz')));
    const { dir, result, kinds } = await pull();
    expect(kinds).toEqual(['verified']);
    expect(readFileSync(path.join(dir, 'demo-0.1.0.tgz'))).toEqual(readFileSync(path.join(published, 'demo-0.1.0.tgz')));
    // helm itself reads the folder as a repository: the archive it indexed renders.
    const index = readFileSync(result.index!, 'utf8');
    expect(index).toContain(`digest: ${sha(path.join(dir, 'demo-0.1.0.tgz')).slice('sha256:'.length)}`);
    expect(execFileSync(helm, ['template', 'x', path.join(dir, 'demo-0.1.0.tgz')], { encoding: 'utf8' })).toContain('from: published');
  });

  it('keeps out an archive whose digest differs from the lock, and says both digests', async () => {
    const wrong = `sha256:${'1'.repeat(64)}`;
    lockWith(wrong);
    const { dir, result, kinds } = await pull({ updateLock: true });
    expect(kinds).toEqual(['mismatch']);
    expect(failed(result.charts[0]!.outcome)).toBe(true);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    expect(result.lock.entries[0]!.digest).toBe(wrong);
    expect(outcomeLines(demo(), result.charts[0]!.outcome)[0]).toBe(
      `  MISMATCH     demo 0.1.0 from ${repoURL}: the archive is ${sha(path.join(published, 'demo-0.1.0.tgz'))}, base/charts.lock.json says ${wrong}`,
    );
  });

  it('refuses an archive the lock does not know, and records it with updateLock', async () => {
    lockWith();
    expect((await pull()).kinds).toEqual(['unlocked']);
    const { result, kinds } = await pull({ updateLock: true });
    expect(kinds).toEqual(['recorded']);
    expect(result.lock.entries).toEqual([{ ...demo(), digest: sha(path.join(published, 'demo-0.1.0.tgz')) }]);
  });

  it('takes a chart from the mirror only when its repository is unreachable, says so, and never records it', async () => {
    lockWith(sha(path.join(published, 'demo-0.1.0.tgz')));
    const from = pathToFileURL(mirror).toString();
    const reachable = await pull({ mirror: from });
    expect(reachable.kinds).toEqual(['verified']);
    const { dir, result, kinds } = await pull({ url: deadURL, mirror: from, updateLock: true });
    expect(kinds).toEqual(['mirror']);
    expect(failed(result.charts[0]!.outcome)).toBe(false);
    expect(result.lock.entries).toEqual([{ ...demo(), digest: sha(path.join(published, 'demo-0.1.0.tgz')) }]);
    expect(execFileSync(helm, ['template', 'x', path.join(dir, 'demo-0.1.0.tgz')], { encoding: 'utf8' })).toContain('from: mirror');
    const line = outcomeLines(demo(deadURL), result.charts[0]!.outcome)[0]!;
    expect(line).toContain(`taken from the mirror ${from} (${deadURL} unreachable: ECONNREFUSED`);
    expect(line).toContain(`${sha(path.join(mirror, 'demo-0.1.0.tgz'))}, NOT checked against base/charts.lock.json (which has no digest for it)`);
  });

  it('says a chart is unreachable without a mirror, and fails', async () => {
    lockWith();
    const { result, kinds } = await pull({ url: deadURL });
    expect(kinds).toEqual(['unreachable']);
    expect(failed(result.charts[0]!.outcome)).toBe(true);
    expect(result.index).toBeUndefined();
  });
});

describe('pinnedCharts', () => {
  it("lists every chart of the repository's add-on catalogue once, with the add-ons that pin it", () => {
    const charts = pinnedCharts(defaultRepoRoot);
    expect(charts.length).toBeGreaterThan(0);
    expect(new Set(charts.map((c) => `${c.chart.name} ${c.chart.version}`)).size).toBe(charts.length);
    for (const c of charts) expect(c.addons.length).toBeGreaterThan(0);
    expect(charts.map((c) => c.chart.name)).toEqual([...charts.map((c) => c.chart.name)].sort());
  });
});
