/**
 * Validation results cached by content, so that a pull request that changes one app validates only what changed.
 * - kubeconform's verdict on a rendered file depends only on its bytes and the schemas: the results are kept per
 *   content hash, under a key naming the Kubernetes version, the kubeconform pin and the generated schemas' stamp;
 * - a cluster's policy findings (and YAML problems) depend only on its files (paths and bytes), its entry in
 *   clusters/index.json and the rules: they are kept per cluster under a hash of all of those.
 * The cache wraps validateRepository (run.ts) and is switched on by the command; the library default is off.
 * Reading and keys are pure apart from the one read and one write of `.cache/validate/results.json`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoPaths } from '../paths.js';
import { cachePaths } from '../tools/layout.js';
import type { Finding } from './findings.js';
import type { KubeconformResource } from './kubeconform.js';
import type { IndexCluster } from '../cluster-index.js';

const format = 1;

export const validationCacheFile = `${repoPaths.cacheDir}/validate/results.json`;

/** kubeconform's results for one file's content, without the file name (the same bytes may sit in two files). */
export type CachedResults = Omit<KubeconformResource, 'filename'>[];

export interface ValidationCache {
  format: number;
  /** What the kubeconform results were computed with (see schemaKey); another key empties the cache. */
  schemaKey: string;
  /** Content hash → kubeconform's results for that content (empty: valid). */
  files: Record<string, CachedResults>;
  /** Cluster key (see clusterKey) → the cluster's policy findings and YAML problems. */
  clusters: Record<string, Finding[]>;
}

export const contentHash = (text: string): string => createHash('sha1').update(text).digest('hex');

/**
 * The key of kubeconform results: the pinned Kubernetes version and kubeconform build, and the generated schemas'
 * stamp (it names their sources and generator version), plus the command line's fixed flags.
 */
export function schemaKey(root: string, kubernetesVersion: string, kubeconformVersion: string, flags: readonly string[]): string {
  const stamp = path.join(root, cachePaths.schemasStamp);
  return contentHash(JSON.stringify([format, kubernetesVersion, kubeconformVersion, flags, existsSync(stamp) ? readFileSync(stamp, 'utf8') : null]));
}

let rulesMemo: string | undefined;

/**
 * A hash of the compiled validation modules, the policy rules (policy/) and the renderer modules next to them (rules
 * import some, such as kube-rules): a changed rule, or anything it reads, re-runs every cluster.
 */
export function rulesVersion(): string {
  if (rulesMemo) return rulesMemo;
  const hash = createHash('sha1').update(`format ${format}\n`);
  const dir = path.dirname(fileURLToPath(import.meta.url));
  for (const folder of [dir, path.dirname(dir), path.join(path.dirname(dir), 'policy')]) {
    for (const name of readdirSync(folder).sort()) if (/\.[jt]s$/.test(name)) hash.update(name).update(readFileSync(path.join(folder, name)));
  }
  rulesMemo = hash.digest('hex');
  return rulesMemo;
}

/** The key of one cluster's findings: its index entry, its files with their content hashes, the version, the rules. */
export function clusterKey(cluster: IndexCluster, files: readonly (readonly [file: string, hash: string])[], kubernetesVersion: string, rules: string): string {
  return contentHash(JSON.stringify([rules, kubernetesVersion, cluster, files]));
}

/** The cache for this schema key; empty when there is none, it is unreadable, or it was made with other schemas. */
export async function readValidationCache(root: string, key: string): Promise<ValidationCache> {
  const empty: ValidationCache = { format, schemaKey: key, files: {}, clusters: {} };
  try {
    const cache = JSON.parse(await readFile(path.join(root, validationCacheFile), 'utf8')) as ValidationCache;
    return cache.format === format && cache.schemaKey === key && cache.files && cache.clusters ? cache : empty;
  } catch {
    // A missing or damaged cache only costs a full validation.
    return empty;
  }
}

/** Writes the cache whole (a temporary file renamed over it, so a killed run never leaves half a file). */
export async function writeValidationCache(root: string, cache: ValidationCache): Promise<void> {
  const file = path.join(root, validationCacheFile);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(cache));
  await rename(`${file}.tmp`, file);
}
