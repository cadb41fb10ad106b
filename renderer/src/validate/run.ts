/**
 * The validation gate over a repository: pick the clusters, read their rendered files, run kubeconform over all of
 * them (in command-line-sized batches), run the policy rules per cluster, and return every finding with a summary
 * per environment.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../cli/args.js';
import { allowedHint } from '../errors.js';
import { repoPaths } from '../paths.js';
import { readPins } from '../tools/ensure.js';
import { checkAddonCharts, type ChartCheckOptions, type ChartCheckResult } from './charts.js';
import { sortFindings, type Finding } from './findings.js';
import { kubeconformFindings, runKubeconform } from './kubeconform.js';
import { listClusterFiles, parseManifestFile, type Manifest } from './manifests.js';
import { readClusterIndex, type IndexCluster } from '../cluster-index.js';
import { diskReader } from '../fs.js';
import { checkPolicies, rules as defaultRules, type Rule } from './rules.js';
import { foreignFileFindings } from './guard-rules.js';

export interface ValidateOptions {
  /** Only clusters of these environments. */
  envs?: readonly string[];
  /** Only these clusters. */
  clusters?: readonly string[];
  rules?: readonly Rule[];
  /** Bytes of file paths per kubeconform command line; the default fits any OS (see defaultBatchBytes). */
  batchBytes?: number;
  /** Render and check the add-on charts too (charts.ts); off unless asked, since it pulls from chart repositories. */
  charts?: Pick<ChartCheckOptions, 'lock' | 'requireCharts' | 'updateLock' | 'timeoutMs' | 'env'>;
}

export interface EnvironmentSummary {
  environment: string;
  clusters: string[];
  files: number;
  findings: number;
}

export interface ValidationReport {
  findings: Finding[];
  environments: EnvironmentSummary[];
  files: number;
  kubernetesVersion: string;
  kubeconformVersion: string;
  rules: ReadonlyArray<Pick<Rule, 'id' | 'title' | 'explanation'>>;
  /** What the add-on chart check did, when it ran. */
  charts?: Omit<ChartCheckResult, 'findings'>;
}

/** The clusters the options select; unknown names are usage errors that list what exists. */
export function selectClusters(all: readonly IndexCluster[], options: Pick<ValidateOptions, 'envs' | 'clusters'>): IndexCluster[] {
  const envNames = [...new Set(all.map((c) => c.environment))];
  const clusterNames = all.map((c) => c.name);
  for (const env of options.envs ?? []) if (!envNames.includes(env)) throw new UsageError(`unknown environment '${env}' in clusters/index.json; ${allowedHint(env, envNames)}`);
  for (const name of options.clusters ?? []) if (!clusterNames.includes(name)) throw new UsageError(`unknown cluster '${name}' in clusters/index.json; ${allowedHint(name, clusterNames)}`);
  return all.filter((c) => (!options.envs?.length || options.envs.includes(c.environment)) && (!options.clusters?.length || options.clusters.includes(c.name)));
}

/** Runs kubeconform and the policies; the tools must be provisioned (ensureTools) first. */
export async function validateRepository(root: string, options: ValidateOptions = {}): Promise<ValidationReport> {
  const pins = await readPins(root);
  const allClusters = (await readClusterIndex(diskReader(root))).clusters;
  const clusters = selectClusters(allClusters, options);
  // Argo CD applies every file in a cluster's folders, so a file nobody rendered or declared is a finding.
  const findings: Finding[] = await foreignFileFindings(root, clusters, allClusters);
  const manifestsByFile = new Map<string, Manifest[]>();
  const filesByCluster = new Map<string, string[]>();
  for (const cluster of clusters) filesByCluster.set(cluster.name, await listClusterFiles(root, cluster.name));
  const allFiles = [...filesByCluster.values()].flat();
  // kubeconform reads the files itself, so it runs while this process parses them for the policies.
  const kubeconform = allFiles.length > 0 ? runKubeconform(root, allFiles, pins.kubernetes, { batchBytes: options.batchBytes }) : undefined;
  kubeconform?.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
  for (const cluster of clusters) {
    for (const file of filesByCluster.get(cluster.name)!) {
      const { manifests, problems } = parseManifestFile(file, await readFile(path.join(root, file), 'utf8'));
      manifestsByFile.set(file, manifests);
      for (const p of problems) findings.push({ ...p, rule: 'yaml', cluster: cluster.name });
    }
  }
  // The policies run while kubeconform still works through its batches. They are synchronous, so the event loop
  // gets a turn between them: that is when a finished kubeconform batch is read and the next one started.
  const ruleList = options.rules ?? defaultRules;
  for (const cluster of clusters) {
    const manifests = (filesByCluster.get(cluster.name) ?? []).flatMap((f) => manifestsByFile.get(f) ?? []);
    for (const rule of ruleList) {
      for (const f of checkPolicies({ cluster, manifests, kubernetesVersion: pins.kubernetes }, [rule])) findings.push({ ...f, cluster: cluster.name });
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  if (kubeconform) {
    const report = await kubeconform;
    const clusterOf = (file: string) => clusters.find((c) => file.startsWith(`${repoPaths.clusterDir(c.name)}/`))?.name;
    for (const f of kubeconformFindings(report, manifestsByFile, pins.kubernetes)) findings.push({ ...f, cluster: clusterOf(f.file) });
  }
  let charts: Omit<ChartCheckResult, 'findings'> | undefined;
  if (options.charts) {
    const manifestsOf = (name: string) => (filesByCluster.get(name) ?? []).flatMap((f) => manifestsByFile.get(f) ?? []);
    const { findings: chartFindings, ...rest } = await checkAddonCharts({ ...options.charts, root, clusters, manifestsOf, kubernetesVersion: pins.kubernetes });
    findings.push(...chartFindings);
    charts = rest;
  }
  const sorted = sortFindings(findings);
  const environments: EnvironmentSummary[] = [];
  for (const cluster of clusters) {
    let env = environments.find((e) => e.environment === cluster.environment);
    if (!env) environments.push((env = { environment: cluster.environment, clusters: [], files: 0, findings: 0 }));
    env.clusters.push(cluster.name);
    env.files += filesByCluster.get(cluster.name)?.length ?? 0;
    env.findings += sorted.filter((f) => f.cluster === cluster.name).length;
  }
  return {
    findings: sorted,
    environments,
    files: allFiles.length,
    kubernetesVersion: pins.kubernetes,
    kubeconformVersion: pins.tools.kubeconform!.version,
    rules: ruleList.map(({ id, title, explanation }) => ({ id, title, explanation })),
    ...(charts ? { charts } : {}),
  };
}
