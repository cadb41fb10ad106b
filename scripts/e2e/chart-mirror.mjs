// A Helm chart repository on 127.0.0.1, served from a folder of chart archives with its index.yaml (on this machine
// and in CI: ../shared/charts next to the main checkout, the pinned charts packaged from each project's release
// tag). Argo CD's repo-server pulls from it with the pinned helm when the charts' own repositories are unreachable.
// Those archives are not the published ones (their digests differ), which is why every run that uses it says so.
import https from 'node:https';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';

/**
 * The folder of chart archives: $BERRYS_CHART_MIRROR, else `shared/charts` beside the main checkout (found through
 * git's common directory, so every worktree finds the same folder). Undefined when neither has an index.yaml.
 */
export async function chartMirrorFolder(root) {
  if (process.env.BERRYS_CHART_MIRROR) return process.env.BERRYS_CHART_MIRROR;
  const common = (await $`git -C ${root} rev-parse --path-format=absolute --git-common-dir`.quiet()).stdout.trim();
  const folder = path.resolve(path.dirname(common), '..', 'shared', 'charts');
  return existsSync(path.join(folder, 'index.yaml')) ? folder : undefined;
}

/**
 * Serves index.yaml and the .tgz archives of `folder` (nothing else) on https://127.0.0.1:port, with the e2e's
 * server certificate (a chart repoURL must be https://, as in base/addons.yaml's schema).
 */
export function startChartMirror({ folder, port, cert, key }) {
  const files = new Set(readdirSync(folder).filter((f) => f === 'index.yaml' || f.endsWith('.tgz')));
  const server = https.createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
    const name = decodeURIComponent(new URL(req.url, 'https://127.0.0.1').pathname.replace(/^\/+/, ''));
    if (!files.has(name)) {
      res.writeHead(404).end(`not in the chart mirror: ${name}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': name.endsWith('.yaml') ? 'text/yaml' : 'application/gzip' });
    res.end(readFileSync(path.join(folder, name)));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(Object.assign(server, { url: `https://127.0.0.1:${port}` })));
  });
}

/** Whether a chart repository answers for its index within a few seconds (a laptop or a runner with network). */
export async function chartRepoReachable(repoURL) {
  try {
    const r = await fetch(`${repoURL.replace(/\/+$/, '')}/index.yaml`, { method: 'HEAD', signal: globalThis.AbortSignal.timeout(5000) });
    return r.ok;
  } catch {
    return false;
  }
}
