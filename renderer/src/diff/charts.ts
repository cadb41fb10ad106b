/**
 * Add-on charts in the diff: a chart version or values change alters only one Application's spec.source in clusters/,
 * but what the cluster gets is the chart's rendering. This renders the chart of every add-on Application on both
 * sides (through the same pull, lock and helm steps as npm run validate) and adds the result to each side as the
 * folder `clusters/<cluster>/addon-<name>/`, so compareTrees lists the chart's resources added, changed and removed
 * with the same classification as the apps'. Equal inputs render once for both sides.
 */
import { repoPaths } from '../paths.js';
import { readPins } from '../tools/ensure.js';
import { chartKey, chartLabel, checkDigest, type ChartsLock } from '../validate/charts-lock.js';
import { helmTemplate } from '../validate/charts-helm.js';
import { pullChart, type PullResult } from '../validate/charts-repo.js';
import { addonApplications, clusterApiVersions, clusterCrds, type AddonApplication } from '../validate/charts.js';
import type { IndexCluster } from '../cluster-index.js';
import { parseManifestFile } from '../manifests.js';
import type { RenderedTree } from './types.js';

/** The folder a chart's rendering takes in the diff; its name is what the report shows as the "app". */
function addonFolder(cluster: string, release: string): string {
  return `${repoPaths.clusterDir(cluster)}/addon-${release}`;
}

function applicationsOf(tree: RenderedTree): AddonApplication[] {
  const out: AddonApplication[] = [];
  for (const [file, text] of tree.files) {
    const parts = file.split('/');
    if (parts[2] !== 'argocd') continue;
    const cluster: IndexCluster = {
      name: parts[1]!,
      environment: '',
      role: 'primary',
      region: '',
      apiServer: '',
      namespace: '',
      highAvailability: false,
      pinnedVersions: false,
      folders: [],
    };
    out.push(...addonApplications(cluster, parseManifestFile(file, text).manifests));
  }
  return out;
}

export interface ChartDiffOptions {
  lock: ChartsLock;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * Both trees with their add-on charts rendered in, and a note for each chart that could not be (unreachable
 * repository, a digest the lock does not have, a chart helm refuses): the diff then shows only its Application.
 */
export async function withRenderedCharts(
  root: string,
  trees: { base: RenderedTree; head: RenderedTree },
  options: ChartDiffOptions,
): Promise<{ base: RenderedTree; head: RenderedTree; notes: string[] }> {
  const { kubernetes } = await readPins(root);
  const env = options.env ?? process.env;
  const notes = new Set<string>();
  const pulls = new Map<string, PullResult>();
  const archives = new Map<string, string | undefined>();
  const archiveOf = async (app: AddonApplication): Promise<string | undefined> => {
    const key = chartKey(app.chart);
    if (archives.has(key)) return archives.get(key);
    const pull = pulls.get(key) ?? (await pullChart(root, app.chart, { timeoutMs: options.timeoutMs }));
    pulls.set(key, pull);
    let archive: string | undefined;
    if (pull.status === 'unreachable') notes.add(`chart ${chartLabel(app.chart)} not rendered: ${pull.reason}`);
    else if (pull.status === 'error') notes.add(`chart ${chartLabel(app.chart)} not rendered: ${pull.message}`);
    else {
      const verdict = checkDigest(options.lock, app.chart, pull.digest);
      if (verdict.ok) archive = pull.file;
      else notes.add(`chart ${chartLabel(app.chart)} not rendered: ${verdict.message}`);
    }
    archives.set(key, archive);
    return archive;
  };
  const renders = new Map<string, string | undefined>();
  const expand = async (tree: RenderedTree): Promise<RenderedTree> => {
    const files = new Map(tree.files);
    const apps = applicationsOf(tree);
    for (const cluster of [...new Set(apps.map((a) => a.cluster.name))].sort()) {
      const clusterApps = apps.filter((a) => a.cluster.name === cluster);
      const usable = (await Promise.all(clusterApps.map(archiveOf))).filter((a): a is string => a !== undefined);
      const apiVersions = await clusterApiVersions(root, await clusterCrds(root, usable, env));
      for (const app of clusterApps) {
        const archive = await archiveOf(app);
        if (!archive) continue;
        const input = { release: app.release, namespace: app.namespace, archive, values: app.values, kubernetesVersion: kubernetes, apiVersions };
        const key = JSON.stringify(input);
        if (!renders.has(key)) {
          const result = await helmTemplate(root, input, env);
          if (!result.ok) notes.add(`add-on ${app.release} in cluster ${cluster} (chart ${app.chart.name} ${app.chart.version}) not rendered: ${result.message}`);
          renders.set(key, result.ok ? result.stdout : undefined);
        }
        const text = renders.get(key);
        if (text !== undefined) files.set(`${addonFolder(cluster, app.release)}/chart.yaml`, text);
      }
    }
    return { ...tree, files };
  };
  const base = await expand(trees.base);
  const head = await expand(trees.head);
  return { base, head, notes: [...notes].sort() };
}
