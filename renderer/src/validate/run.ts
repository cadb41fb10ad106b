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
  // Argo CD applies every file in a cluster's folders, so a file nobody rendered or declared is a finding.
  const rendered = await readRenderedTreeOf(root);
  const findings: Finding[] = await foreignFileFindings(root, clusters, index.clusters, rendered);
  const filesByCluster = new Map<string, string[]>();
  for (const cluster of clusters) filesByCluster.set(cluster.name, await listClusterFiles(root, cluster.name));
  const allFiles = [...filesByCluster.values()].flat();
  const texts = new Map<string, string>();
  // From the tree read above; a link is read through, as kubeconform does. Read synchronously: promise reads cost an
  // open, fstat, read and close round trip each through the thread pool, where a blocking read is a few microseconds.
  for (const file of allFiles) {
    const text = rendered.get(file);
    texts.set(file, text !== undefined && isRegularText(text) ? text : readFileSync(path.join(root, file), 'utf8'));
  }
  const hashes = new Map(allFiles.map((file) => [file, contentHash(texts.get(file)!)]));

  const kubeconformVersion = pins.tools.kubeconform!.version;
  const ruleList = options.rules ?? defaultRules;
  const cache = options.cache ? await readValidationCache(root, schemaKey(root, pins.kubernetes, kubeconformVersion, kubeconformFlags(pins.kubernetes))) : undefined;
  const cacheRules = cache && !options.rules ? rulesVersion() : undefined;
  // kubeconform gets a whole cluster folder when none of its files is known, else only the files that are not.
  const targets = clusters.flatMap((c) => {
    const files = filesByCluster.get(c.name)!;
    const unknown = files.filter((f) => !cache?.files[hashes.get(f)!]);
    return unknown.length === files.length && files.length > 0 ? [repoPaths.clusterDir(c.name)] : unknown;
  });
  // kubeconform reads the files itself, so it runs while this process parses them for the policies.
  const kubeconform = targets.length > 0 ? runKubeconform(root, targets, pins.kubernetes, { batchBytes: options.batchBytes }) : undefined;
  kubeconform?.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
  // gitleaks reads the inputs and the whole of clusters/ (a secret in any cluster's folder is one too many).
  const gitleaks = runGitleaks(root, options.env, rendered);
  gitleaks.catch(() => {});

  const manifestsByFile = new Map<string, Manifest[]>();
  const parsed = (file: string): Manifest[] => {
    if (!manifestsByFile.has(file)) manifestsByFile.set(file, parseManifestFile(file, texts.get(file)!).manifests);
    return manifestsByFile.get(file)!;
  };
  // The policies run while kubeconform still works. They are synchronous, so the event loop gets a turn between
  // them: that is when kubeconform's output is read.
  const usedClusterKeys = new Set<string>();
  for (const cluster of clusters) {
    const files = filesByCluster.get(cluster.name)!;
    const key = cacheRules
      ? clusterKey(
          cluster,
          files.map((f) => [f, hashes.get(f)!] as const),
          pins.kubernetes,
          cacheRules,
        )
      : undefined;
    if (key !== undefined) usedClusterKeys.add(key);
    const known = key !== undefined ? cache!.clusters[key] : undefined;
    if (known) {
      findings.push(...known);
      continue;
    }
    const found: Finding[] = [];
    const manifests: Manifest[] = [];
    for (const file of files) {
      const { manifests: docs, problems } = parseManifestFile(file, texts.get(file)!);
      manifestsByFile.set(file, docs);
      manifests.push(...docs);
      for (const p of problems) found.push({ ...p, rule: 'yaml', cluster: cluster.name });
    }
    for (const rule of ruleList) {
      for (const f of checkPolicies({ cluster, manifests, kubernetesVersion: pins.kubernetes }, [rule])) found.push({ ...f, cluster: cluster.name });
      await new Promise((resolve) => setImmediate(resolve));
    }
    findings.push(...found);
    if (key !== undefined) cache!.clusters[key] = found;
  }

  const fresh: KubeconformReport = kubeconform ? await kubeconform : { resources: [] };
  const freshByFile = new Map<string, CachedResults>();
  for (const { filename, ...result } of fresh.resources) {
    const file = filename.split(path.sep).join('/');
    freshByFile.set(file, [...(freshByFile.get(file) ?? []), result]);
  }
  const resources: KubeconformReport['resources'] = [];
  for (const file of allFiles) {
    const hash = hashes.get(file)!;
    const results = cache?.files[hash] ?? freshByFile.get(file) ?? [];
    if (cache) cache.files[hash] = results;
    for (const r of results) resources.push({ filename: file, ...r });
  }
  const withResults = new Map(resources.map((r) => [r.filename, parsed(r.filename)]));
  const clusterOf = (file: string) => clusters.find((c) => file.startsWith(`${repoPaths.clusterDir(c.name)}/`))?.name;
  for (const f of kubeconformFindings({ resources }, withResults, pins.kubernetes)) findings.push({ ...f, cluster: clusterOf(f.file) });
  const linesOf = (file: string) => (texts.get(file) ?? readRepoFile(root, file) ?? '').split('\n');
  for (const f of [...gitleaksFindings(await gitleaks, exceptedValues(root), linesOf), ...ignoreFileFindings(root)]) {
    const cluster = clusterOf(f.file);
    findings.push(cluster ? { ...f, cluster } : f);
  }
  let charts: Omit<ChartCheckResult, 'findings'> | undefined;
  if (options.charts) {
    const manifestsOf = (name: string) => (filesByCluster.get(name) ?? []).flatMap(parsed);
    const { findings: chartFindings, ...rest } = await checkAddonCharts({ ...options.charts, root, clusters, manifestsOf, kubernetesVersion: pins.kubernetes });
    findings.push(...chartFindings);
    charts = rest;
  }
  if (cache) await writeValidationCache(root, pruned(cache, new Set(hashes.values()), usedClusterKeys, clusters.length === index.clusters.length));
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
    kubeconformVersion,
    gitleaksVersion: pins.tools.gitleaks!.version,
    rules: ruleList.map(({ id, title, explanation }) => ({ id, title, explanation })),
    ...(charts ? { charts } : {}),
  };
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
