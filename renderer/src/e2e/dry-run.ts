/**
 * The server-side judgement of rendered files: each file is sent to the real API server as a server-side apply with
 * `dryRun=All` and `fieldValidation=Strict`, so every admission step, schema (built-in and CRD) and strict field
 * check runs, and nothing is stored. A rejection or any warning is a finding that names the file.
 *
 * Why one request per document and not `kubectl apply -f <folder>`: kubectl prints warnings without saying which
 * object caused them, and applies one object at a time anyway; requests here run a few at a time. A rendered file is
 * a folder's manifest of several documents (emit.ts), so each document is named by its file and first line.
 */
import { parse } from 'yaml';
import { RenderError } from '../errors.js';
import { parseManifestFile } from '../manifests.js';
import type { KubeRequest } from './kube-http.js';

export interface DryRunFile {
  /** Repository-relative path, with `:<line>` when the file holds several documents; named in findings. */
  file: string;
  content: string;
}

/**
 * A rendered manifest → one DryRunFile per document, named `<file>:<line of the document's first key>`. A file that
 * is not valid YAML stops the run with the file and line: the renderer never writes one.
 */
export function manifestDocuments(file: string, content: string): DryRunFile[] {
  const { manifests, problems } = parseManifestFile(file, content);
  if (problems.length > 0) throw new RenderError(problems.map((p) => ({ ...p, hint: 'run `npm run render`: clusters/ holds only what the renderer wrote' })));
  return manifests.map((m) => ({ file: `${file}:${m.line}`, content: m.text }));
}

export interface DryRunFinding {
  file: string;
  severity: 'error' | 'warning';
  message: string;
}

export interface DryRunResult {
  checked: number;
  findings: DryRunFinding[];
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

export const dryRunFieldManager = 'berrys-e2e-dry-run';

/** `apps/v1` → `/apis/apps/v1`, `v1` → `/api/v1`. */
export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** The apply URL of an object, given its resource from discovery. */
export function applyPath(apiVersion: string, resource: ApiResource, name: string, namespace: string | undefined): string {
  const ns = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? 'default')}` : '';
  const query = new URLSearchParams({ dryRun: 'All', fieldManager: dryRunFieldManager, fieldValidation: 'Strict', force: 'true' });
  return `${groupVersionPath(apiVersion)}${ns}/${resource.name}/${encodeURIComponent(name)}?${query}`;
}

/** The message of a Kubernetes Status body, or the raw text when the body is not one. */
export function statusMessage(status: number, body: string): string {
  try {
    const s = JSON.parse(body) as { message?: string; reason?: string };
    if (s.message) return `${s.message}${s.reason ? ` (${s.reason}, HTTP ${status})` : ` (HTTP ${status})`}`;
  } catch {
    // not JSON: fall through to the raw text
  }
  return `HTTP ${status}: ${body.trim().slice(0, 500) || 'no body'}`;
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Dry-runs every file; collects every finding (sorted by file) instead of stopping at the first. */
export async function dryRunFiles(request: KubeRequest, files: readonly DryRunFile[], concurrency = 6): Promise<DryRunResult> {
  const discovery = new Map<string, Promise<ApiResource[] | string>>();
  const resourcesOf = (apiVersion: string) => {
    let p = discovery.get(apiVersion);
    if (!p) {
      p = request('GET', groupVersionPath(apiVersion)).then((r) =>
        r.status === 200 ? ((JSON.parse(r.body) as { resources: ApiResource[] }).resources ?? []).filter((x) => !x.name.includes('/')) : statusMessage(r.status, r.body),
      );
      discovery.set(apiVersion, p);
    }
    return p;
  };
  const perFile = await mapLimit(files, concurrency, async ({ file, content }): Promise<DryRunFinding[]> => {
    let object: { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
    try {
      object = parse(content) as typeof object;
    } catch (e) {
      return [{ file, severity: 'error', message: `not valid YAML: ${(e as Error).message.split('\n')[0]}` }];
    }
    const { apiVersion, kind } = object ?? {};
    const name = object?.metadata?.name;
    if (!apiVersion || !kind || !name) return [{ file, severity: 'error', message: 'not a Kubernetes object (apiVersion, kind and metadata.name are required)' }];
    const resources = await resourcesOf(apiVersion);
    if (typeof resources === 'string') return [{ file, severity: 'error', message: `the API server does not serve ${apiVersion}: ${resources}` }];
    const resource = resources.find((r) => r.kind === kind);
    if (!resource) return [{ file, severity: 'error', message: `the API server serves no kind ${kind} in ${apiVersion} (is its CRD installed?)` }];
    const res = await request('PATCH', applyPath(apiVersion, resource, name, object.metadata?.namespace), content, 'application/apply-patch+yaml');
    const findings: DryRunFinding[] = res.warnings.map((message) => ({ file, severity: 'warning' as const, message }));
    if (res.status < 200 || res.status > 299) findings.unshift({ file, severity: 'error', message: statusMessage(res.status, res.body) });
    return findings;
  });
  const findings = perFile.flat().sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { checked: files.length, findings };
}

/** One line per finding: `clusters/x/y.yaml: error: rejected by the API server: …`. */
export function formatDryRunFindings(findings: readonly DryRunFinding[]): string[] {
  return findings.map((f) => `${f.file}: ${f.severity}: ${f.severity === 'error' ? 'rejected by the API server' : 'the API server warns'}: ${f.message}`);
}
