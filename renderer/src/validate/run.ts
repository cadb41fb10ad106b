/**
 * The validation gate over a repository: pick the clusters, read their rendered files, run kubeconform over them
 * (whole cluster folders; only the changed files when the cache has the rest), run the policy rules per cluster (only
 * for clusters whose files changed, with the cache), run gitleaks over the inputs and the rendered output, and return
 * every finding with a summary per environment.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { allowedHint, UsageError } from '../errors.js';
import { repoPaths } from '../paths.js';
import { readPins } from '../tools/ensure.js';
import type { Pins } from '../tools/pins.js';
import { clusterKey, contentHash, readValidationCache, rulesVersion, schemaKey, writeValidationCache, type CachedResults, type ValidationCache } from './cache.js';
import { checkAddonCharts, type ChartCheckOptions, type ChartCheckResult } from './charts.js';
import { sortFindings, type Finding } from './findings.js';
import { kubeconformFindings, kubeconformFlags, runKubeconform, type KubeconformReport } from './kubeconform.js';
import { listClusterFiles, parseManifestFile, type Manifest } from '../manifests.js';
import { readClusterIndex, type IndexCluster } from '../cluster-index.js';
import { diskReader, readRepoFile } from '../fs.js';
import { checkPolicies, rules as defaultRules, type Rule } from './rules.js';
import { foreignFileFindings, readRenderedTreeOf } from './guard-rules.js';
import { isRegularText } from '../render/write.js';
import { exceptedValues, gitleaksFindings, ignoreFileFindings, runGitleaks } from './gitleaks.js';

export interface ValidateOptions {
  /** Only clusters of these environments. */
  envs?: readonly string[];
  /** Only these clusters. */
  clusters?: readonly string[];
  rules?: readonly Rule[];
  /** Bytes of file paths per kubeconform command line; the default fits any OS (see defaultBatchBytes). */
  batchBytes?: number;
  /**
   * Reuse and keep results in .cache/validate/ (cache.ts): unchanged files skip kubeconform, unchanged clusters skip
   * the rules. The command switches it on; custom `rules` are never cached (the cache cannot know what they read).
   */
  cache?: boolean;
  /** Render and check the add-on charts too (charts.ts); off unless asked, since it pulls from chart repositories. */
  charts?: Pick<ChartCheckOptions, 'lock' | 'requireCharts' | 'updateLock' | 'timeoutMs' | 'env'>;
  /** The environment of the child processes (gitleaks); default: this process's. */
  env?: NodeJS.ProcessEnv;
}

interface EnvironmentSummary {
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
  gitleaksVersion: string;
  rules: ReadonlyArray<Pick<Rule, 'id' | 'title' | 'explanation'>>;
  /** What the add-on chart check did, when it ran. */
  charts?: Omit<ChartCheckResult, 'findings'>;
}

/** The clusters the options select; unknown names are usage errors that list what exists. */
function selectClusters(all: readonly IndexCluster[], options: Pick<ValidateOptions, 'envs' | 'clusters'>): IndexCluster[] {
  const envNames = [...new Set(all.map((c) => c.environment))];
  const clusterNames = all.map((c) => c.name);
  for (const env of options.envs ?? []) if (!envNames.includes(env)) throw new UsageError(`unknown environment '${env}' in clusters/index.json; ${allowedHint(env, envNames)}`);
  for (const name of options.clusters ?? [])
    if (!clusterNames.includes(name)) throw new UsageError(`unknown cluster '${name}' in clusters/index.json; ${allowedHint(name, clusterNames)}`);
  return all.filter((c) => (!options.envs?.length || options.envs.includes(c.environment)) && (!options.clusters?.length || options.clusters.includes(c.name)));
}

/** Runs kubeconform and the policies; the tools must be provisioned (ensureTools) first. */
export async function validateRepository(root: string, options: ValidateOptions = {}): Promise<ValidationReport> {
  const pins = await readPins(root);
  const index = await readClusterIndex(diskReader(root));
  const clusters = selectClusters(index.clusters, options);
  const ruleList = options.rules ?? defaultRules;
  // Argo CD applies every file in a cluster's folders, so a file nobody rendered or declared is a finding.
  const rendered = await readRenderedTreeOf(root);
  const findings: Finding[] = await foreignFileFindings(root, clusters, index.clusters, rendered);
  const files = await readClusterFiles(root, clusters, rendered);
  const cache = await openCache(root, pins, options);
  // kubeconform and gitleaks read the files themselves, so they run while this process parses them for the policies.
  const kubeconform = startKubeconform(root, clusters, files, cache, pins.kubernetes, options.batchBytes);
  // gitleaks reads the inputs and the whole of clusters/ (a secret in any cluster's folder is one too many).
  const gitleaks = runGitleaks(root, options.env, rendered);
  gitleaks.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
  findings.push(...(await policyFindings(clusters, files, cache, ruleList, pins.kubernetes)));
  const clusterOf = (file: string) => clusters.find((c) => file.startsWith(`${repoPaths.clusterDir(c.name)}/`))?.name;
  findings.push(...(await schemaFindings(files, cache, kubeconform, pins.kubernetes, clusterOf)));
  const linesOf = (file: string) => (files.texts.get(file) ?? readRepoFile(root, file) ?? '').split('\n');
  for (const f of [...gitleaksFindings(await gitleaks, exceptedValues(root), linesOf), ...ignoreFileFindings(root)]) {
    const cluster = clusterOf(f.file);
    findings.push(cluster ? { ...f, cluster } : f);
  }
  let charts: Omit<ChartCheckResult, 'findings'> | undefined;
  if (options.charts) {
    const manifestsOf = (name: string) => (files.byCluster.get(name) ?? []).flatMap(files.parsed);
    const { findings: chartFindings, ...rest } = await checkAddonCharts({ ...options.charts, root, clusters, manifestsOf, kubernetesVersion: pins.kubernetes });
    findings.push(...chartFindings);
    charts = rest;
  }
  await cache.save(clusters.length === index.clusters.length);
  const sorted = sortFindings(findings);
  return {
    findings: sorted,
    environments: summarize(clusters, files, sorted),
    files: files.all.length,
    kubernetesVersion: pins.kubernetes,
    kubeconformVersion: pins.tools.kubeconform!.version,
    gitleaksVersion: pins.tools.gitleaks!.version,
    rules: ruleList.map(({ id, title, explanation }) => ({ id, title, explanation })),
    ...(charts ? { charts } : {}),
  };
}

/** The selected clusters' rendered files: their text, content hash, and documents parsed once when first asked for. */
interface ClusterFiles {
  byCluster: Map<string, string[]>;
  all: string[];
  texts: Map<string, string>;
  hashes: Map<string, string>;
  parsed(file: string): Manifest[];
  /** Parses a file for the policies, keeping its documents for later readers, and returns its YAML problems too. */
  parse(file: string): ReturnType<typeof parseManifestFile>;
}

async function readClusterFiles(root: string, clusters: readonly IndexCluster[], rendered: ReadonlyMap<string, string>): Promise<ClusterFiles> {
  const byCluster = new Map<string, string[]>();
  for (const cluster of clusters) byCluster.set(cluster.name, await listClusterFiles(root, cluster.name));
  const all = [...byCluster.values()].flat();
  const texts = new Map<string, string>();
  // From the tree read above; a link is read through, as kubeconform does. Read synchronously: promise reads cost an
  // open, fstat, read and close round trip each through the thread pool, where a blocking read is a few microseconds.
  for (const file of all) {
    const text = rendered.get(file);
    texts.set(file, text !== undefined && isRegularText(text) ? text : readFileSync(path.join(root, file), 'utf8'));
  }
  const hashes = new Map(all.map((file) => [file, contentHash(texts.get(file)!)]));
  const manifestsByFile = new Map<string, Manifest[]>();
  const parse = (file: string) => {
    const result = parseManifestFile(file, texts.get(file)!);
    manifestsByFile.set(file, result.manifests);
    return result;
  };
  const parsed = (file: string) => manifestsByFile.get(file) ?? parse(file).manifests;
  return { byCluster, all, texts, hashes, parsed, parse };
}

/**
 * The results kept in .cache/validate/ (cache.ts), or a cache that knows nothing and keeps nothing when the run is
 * not cached: unchanged files skip kubeconform, unchanged clusters skip the rules. Custom rules are never cached
 * (the cache cannot know what they read).
 */
interface RunCache {
  file(hash: string): CachedResults | undefined;
  keepFile(hash: string, results: CachedResults): void;
  /** The cluster's findings from an earlier run over the same files, rules and Kubernetes version. */
  cluster(cluster: IndexCluster, files: ClusterFiles): { known?: Finding[]; keep(found: Finding[]): void };
  save(everyCluster: boolean): Promise<void>;
}

async function openCache(root: string, pins: Pins, options: ValidateOptions): Promise<RunCache> {
  const cache = options.cache ? await readValidationCache(root, schemaKey(root, pins.kubernetes, pins.tools.kubeconform!.version, kubeconformFlags(pins.kubernetes))) : undefined;
  const rules = cache && !options.rules ? rulesVersion() : undefined;
  const usedFiles = new Set<string>();
  const usedClusters = new Set<string>();
  return {
    file: (hash) => cache?.files[hash],
    keepFile(hash, results) {
      if (!cache) return;
      cache.files[hash] = results;
      usedFiles.add(hash);
    },
    cluster(cluster, files) {
      if (!cache || !rules) return { keep: () => {} };
      const names = files.byCluster.get(cluster.name)!;
      const key = clusterKey(
        cluster,
        names.map((f) => [f, files.hashes.get(f)!] as const),
        pins.kubernetes,
        rules,
      );
      usedClusters.add(key);
      return { known: cache.clusters[key], keep: (found) => void (cache.clusters[key] = found) };
    },
    save: async (everyCluster) => {
      if (cache) await writeValidationCache(root, pruned(cache, usedFiles, usedClusters, everyCluster));
    },
  };
}

/** kubeconform over a whole cluster folder when none of its files is known, else only over the files that are not. */
function startKubeconform(
  root: string,
  clusters: readonly IndexCluster[],
  files: ClusterFiles,
  cache: RunCache,
  kubernetesVersion: string,
  batchBytes: number | undefined,
): Promise<KubeconformReport> | undefined {
  const targets = clusters.flatMap((c) => {
    const names = files.byCluster.get(c.name)!;
    const unknown = names.filter((f) => !cache.file(files.hashes.get(f)!));
    return unknown.length === names.length && names.length > 0 ? [repoPaths.clusterDir(c.name)] : unknown;
  });
  if (targets.length === 0) return undefined;
  const kubeconform = runKubeconform(root, targets, kubernetesVersion, { batchBytes });
  kubeconform.catch(() => {}); // awaited later; this only keeps an early failure from counting as unhandled
  return kubeconform;
}

/**
 * The policy rules over each cluster's documents, and its files' YAML problems (a cluster's findings from the cache
 * when its files are unchanged). The policies run while kubeconform still works; they are synchronous, so the event
 * loop gets a turn between them: that is when kubeconform's output is read.
 */
async function policyFindings(clusters: readonly IndexCluster[], files: ClusterFiles, cache: RunCache, ruleList: readonly Rule[], kubernetesVersion: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const cluster of clusters) {
    const cached = cache.cluster(cluster, files);
    if (cached.known) {
      findings.push(...cached.known);
      continue;
    }
    const found: Finding[] = [];
    const manifests: Manifest[] = [];
    for (const file of files.byCluster.get(cluster.name)!) {
      const { manifests: docs, problems } = files.parse(file);
      manifests.push(...docs);
      for (const p of problems) found.push({ ...p, rule: 'yaml', cluster: cluster.name });
    }
    for (const rule of ruleList) {
      for (const f of checkPolicies({ cluster, manifests, kubernetesVersion }, [rule])) found.push({ ...f, cluster: cluster.name });
      await new Promise((resolve) => setImmediate(resolve));
    }
    findings.push(...found);
    cached.keep(found);
  }
  return findings;
}

/** kubeconform's verdicts, fresh or from the cache for unchanged files, as findings located in the documents. */
async function schemaFindings(
  files: ClusterFiles,
  cache: RunCache,
  kubeconform: Promise<KubeconformReport> | undefined,
  kubernetesVersion: string,
  clusterOf: (file: string) => string | undefined,
): Promise<Finding[]> {
  const fresh: KubeconformReport = kubeconform ? await kubeconform : { resources: [] };
  const freshByFile = new Map<string, CachedResults>();
  for (const { filename, ...result } of fresh.resources) {
    const file = filename.split(path.sep).join('/');
    freshByFile.set(file, [...(freshByFile.get(file) ?? []), result]);
  }
  const resources: KubeconformReport['resources'] = [];
  for (const file of files.all) {
    const hash = files.hashes.get(file)!;
    const results = cache.file(hash) ?? freshByFile.get(file) ?? [];
    cache.keepFile(hash, results);
    for (const r of results) resources.push({ filename: file, ...r });
  }
  const withResults = new Map(resources.map((r) => [r.filename, files.parsed(r.filename)]));
  return kubeconformFindings({ resources }, withResults, kubernetesVersion).map((f) => ({ ...f, cluster: clusterOf(f.file) }));
}

/** Clusters, files and findings per environment, in the order the clusters were selected. */
function summarize(clusters: readonly IndexCluster[], files: ClusterFiles, sorted: readonly Finding[]): EnvironmentSummary[] {
  const environments: EnvironmentSummary[] = [];
  for (const cluster of clusters) {
    let summary = environments.find((e) => e.environment === cluster.environment);
    if (!summary) environments.push((summary = { environment: cluster.environment, clusters: [], files: 0, findings: 0 }));
    summary.clusters.push(cluster.name);
    summary.files += files.byCluster.get(cluster.name)?.length ?? 0;
    summary.findings += sorted.filter((f) => f.cluster === cluster.name).length;
  }
  return environments;
}

/**
 * What the cache keeps: after a run over every cluster, only the entries this run used or made (so it does not grow
 * with every edit); after a run over some clusters, everything.
 */
function pruned(cache: ValidationCache, files: ReadonlySet<string>, clusters: ReadonlySet<string>, everyCluster: boolean): ValidationCache {
  if (!everyCluster) return cache;
  const keep = <T>(entries: Record<string, T>, used: ReadonlySet<string>) => Object.fromEntries(Object.entries(entries).filter(([key]) => used.has(key)));
  return { ...cache, files: keep(cache.files, files), clusters: keep(cache.clusters, clusters) };
}
