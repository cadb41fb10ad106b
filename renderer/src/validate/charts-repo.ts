/**
 * The chart repository client: reads a Helm repository's index.yaml, downloads the archive of one chart version
 * into .cache/charts/, and says plainly when the repository cannot be reached (no network, DNS, refused, timeout),
 * which validate reports as "unchecked" rather than as a broken chart. Resolving the archive URL is pure.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { repoPaths } from '../paths.js';
import { chartLabel, type ChartRef } from './charts-lock.js';

export type PullResult = { status: 'pulled'; file: string; digest: string } | { status: 'unreachable'; reason: string } | { status: 'error'; message: string; hint: string };

/** `sha256:<hex>` of a chart archive, the form of the lock file and of Helm's index.yaml `digest` (without prefix). */
export function archiveDigest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Where a chart archive is cached: one folder per repository host and path, so two repositories cannot collide. */
export function cachedArchive(chart: ChartRef): string {
  const repo = chart.repoURL
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/+$/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_');
  return `${repoPaths.chartsCache}/${repo}/${chart.name}-${chart.version}.tgz`;
}

/**
 * The archive URL of `chart` in an index.yaml text. Entries may list relative URLs, which Helm resolves against
 * the repository URL (https://helm.sh/docs/topics/chart_repository/#the-index-file).
 */
export function archiveUrl(indexText: string, chart: ChartRef): { url: string } | { message: string; hint: string } {
  let index: unknown;
  try {
    index = parse(indexText);
  } catch (e) {
    return { message: `${chart.repoURL}/index.yaml is not valid YAML: ${(e as Error).message}`, hint: 'is repoURL a Helm chart repository?' };
  }
  const entries = (index as { entries?: Record<string, Array<{ version?: string; urls?: string[] }>> })?.entries;
  const versions = entries?.[chart.name];
  if (!Array.isArray(versions)) {
    return {
      message: `chart repository ${chart.repoURL} has no chart named '${chart.name}'`,
      hint: `its index.yaml lists ${
        Object.keys(entries ?? {})
          .sort()
          .slice(0, 20)
          .join(', ') || 'no charts'
      }`,
    };
  }
  const entry = versions.find((v) => String(v.version) === chart.version || `v${String(v.version)}` === chart.version);
  const url = entry?.urls?.[0];
  if (!url) {
    const known = versions.map((v) => String(v.version)).slice(0, 5);
    return { message: `chart repository ${chart.repoURL} has no version ${chart.version} of ${chart.name}`, hint: `newest listed: ${known.join(', ')}` };
  }
  return { url: new URL(url, `${chart.repoURL.replace(/\/+$/, '')}/`).toString() };
}

/** Network failures that mean "cannot reach the repository", as opposed to a repository that answers wrongly. */
function unreachableReason(e: unknown): string | undefined {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'timed out';
  const code = err?.cause?.code;
  if (code && /^(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|UND_ERR_CONNECT_TIMEOUT|UND_ERR_SOCKET)$/.test(code)) {
    return `${code}${err.cause?.message ? ` (${err.cause.message})` : ''}`;
  }
  if (err?.name === 'TypeError' && err.message === 'fetch failed') return err.cause?.message ?? 'fetch failed';
  return undefined;
}

/** One file of a repository: over HTTP(S), or from a folder (`file:` URL) that holds a repository's files. */
async function get(url: string, timeoutMs: number): Promise<Uint8Array> {
  if (url.startsWith('file:')) {
    try {
      return new Uint8Array(await readFile(fileURLToPath(url)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new HttpError(`${fileURLToPath(url)} does not exist`);
      throw e;
    }
  }
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  if (!response.ok) throw new HttpError(`GET ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

class HttpError extends Error {}

export interface PullOptions {
  /** Per request; a repository slower than this counts as unreachable. */
  timeoutMs?: number;
}

export type FetchResult = { status: 'fetched'; bytes: Uint8Array; url: string } | Exclude<PullResult, { status: 'pulled' }>;

/**
 * Downloads the archive of `chart` through its repository's index.yaml, or through `from`: another repository
 * (URL, or a folder holding index.yaml and the archives) that serves the same chart name and version, a mirror.
 */
export async function fetchChart(chart: ChartRef, options: PullOptions & { from?: string } = {}): Promise<FetchResult> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const repo = (options.from ?? chart.repoURL).replace(/\/+$/, '');
  try {
    const resolved = archiveUrl(new TextDecoder().decode(await get(`${repo}/index.yaml`, timeoutMs)), { ...chart, repoURL: repo });
    if (!('url' in resolved)) return { status: 'error', ...resolved };
    return { status: 'fetched', bytes: await get(resolved.url, timeoutMs), url: resolved.url };
  } catch (e) {
    const reason = unreachableReason(e);
    if (reason !== undefined) return { status: 'unreachable', reason: `${repo} unreachable: ${reason}` };
    if (e instanceof HttpError)
      return { status: 'error', message: `could not pull chart ${chartLabel(chart)}: ${e.message}`, hint: 'check repoURL, name and version in base/addons.yaml' };
    throw e;
  }
}

/**
 * The archive of `chart` under `root`: taken from the cache when present (the lock check that follows is what
 * makes a cached copy trustworthy), else downloaded through the repository's index.yaml and cached.
 */
export async function pullChart(root: string, chart: ChartRef, options: PullOptions = {}): Promise<PullResult> {
  const file = cachedArchive(chart);
  const full = path.join(root, file);
  try {
    return { status: 'pulled', file, digest: archiveDigest(await readFile(full)) };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const fetched = await fetchChart(chart, options);
  if (fetched.status !== 'fetched') return fetched;
  await writeAtomically(full, fetched.bytes);
  return { status: 'pulled', file, digest: archiveDigest(fetched.bytes) };
}

/** Written under a temporary name first, so a second reader never sees half an archive. */
export async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.partial-${process.pid}`;
  await writeFile(partial, bytes);
  await rename(partial, file);
}
