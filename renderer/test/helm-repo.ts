// A folder of chart archives and its index.yaml served as a real Helm chart repository over HTTP on 127.0.0.1, and a
// URL where nothing listens: the chart tests' two repositories.
import { createServer } from 'node:http';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { defaultRepoRoot } from '../src/paths.js';
import { cachePaths } from '../src/tools/layout.js';
import { cachedArchive } from '../src/validate/charts-repo.js';
import { tempDir } from './git-repo.js';

/** Serves `dir` (any request path: its last segment names the file); resolves with the URL and a close function. */
export async function serveChartFolder(dir: string, urlPath = '/charts'): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    try {
      res.end(readFileSync(path.join(dir, path.basename(req.url ?? '/'))));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${urlPath}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * A pinned chart's archive on this machine, for the tests that render it with the real helm: the one npm run validate
 * pulled into .cache/charts, else the offline mirror ($BERRYS_CHART_MIRROR, which .ci/run finds, or ../shared/charts
 * beside the checkout). Undefined when there is none; with CI=true the test suite then refuses the skipped tests.
 */
export function localChartArchive(chart: { repoURL: string; name: string; version: string }): string | undefined {
  const file = `${chart.name}-${chart.version}.tgz`;
  const mirrors = [process.env.BERRYS_CHART_MIRROR, path.join(defaultRepoRoot, '..', 'shared', 'charts')].filter((d): d is string => Boolean(d));
  return [path.join(defaultRepoRoot, cachedArchive(chart)), ...mirrors.map((d) => path.join(d, file))].find((f) => existsSync(f));
}

/** A port that was free a moment ago: nothing listens, so connecting is refused. */
export async function refusedUrl(): Promise<string> {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));
  return url;
}

/** A checkout of its own (its own .cache, so its own chart cache) with the repository's pins and built tools, and optionally its schemas. */
export function toolCheckout(prefix: string, options: { schemas?: boolean } = {}): string {
  const root = tempDir(prefix);
  mkdirSync(path.join(root, '.cache'));
  mkdirSync(path.join(root, 'renderer'));
  cpSync(path.join(defaultRepoRoot, 'renderer', 'pins.json'), path.join(root, 'renderer', 'pins.json'));
  symlinkSync(path.join(defaultRepoRoot, cachePaths.toolsDir), path.join(root, cachePaths.toolsDir));
  if (options.schemas) symlinkSync(path.join(defaultRepoRoot, cachePaths.schemasDir), path.join(root, cachePaths.schemasDir));
  return root;
}
