/**
 * kubeconform, run over rendered files with the generated offline schemas, and its JSON output turned into
 * findings located at the offending line. Building the arguments and reading the output are pure; running is the edge.
 */
import os from 'node:os';
import path from 'node:path';
import { ProgramNotFound, run } from '../process.js';
import { cachePaths, schemaLocations } from '../tools/layout.js';
import type { Finding } from './findings.js';
import type { DataPath, Manifest } from '../manifests.js';

/** Raised when kubeconform cannot run or says something that is not its JSON report: exit 1, not findings. */
class KubeconformError extends Error {
  override readonly name = 'KubeconformError';
}

/**
 * kubeconform's own workers (`-n`): one per core. It is given whole folders and validates their files in parallel
 * itself, which costs less than several processes that each start up and compile the same schemas.
 */
const defaultWorkers = Math.max(2, os.availableParallelism());

/** The flags of every kubeconform run, before the schema locations and the files or folders. */
export function kubeconformFlags(kubernetesVersion: string, workers = defaultWorkers): string[] {
  return ['-strict', '-summary', '-output', 'json', '-n', String(workers), '-kubernetes-version', kubernetesVersion];
}

/**
 * The command line: strict (unknown fields and duplicate keys fail), JSON out, only the offline schemas, and never
 * -ignore-missing-schemas, so a kind nobody has a schema for is an error. `targets` are files or folders (kubeconform
 * walks a folder for its .yaml, .yml and .json files).
 */
export function kubeconformArgs(root: string, targets: readonly string[], kubernetesVersion: string, workers = defaultWorkers): string[] {
  return [...kubeconformFlags(kubernetesVersion, workers), ...schemaLocations(root).flatMap((location) => ['-schema-location', location]), ...targets];
}

export interface KubeconformResource {
  filename: string;
  kind?: string;
  name?: string;
  version?: string;
  status: string;
  msg?: string;
  validationErrors?: Array<{ path: string; msg: string }>;
}

export interface KubeconformReport {
  resources: KubeconformResource[];
  summary?: { valid: number; invalid: number; errors: number; skipped: number };
}

/** Parses kubeconform's `-output json` report; throws KubeconformError when it is not one. */
export function parseKubeconformReport(stdout: string, stderr = ''): KubeconformReport {
  let report: unknown;
  try {
    report = JSON.parse(stdout);
  } catch {
    report = undefined;
  }
  if (!report || !Array.isArray((report as KubeconformReport).resources)) {
    throw new KubeconformError(`kubeconform did not print its JSON report: ${(stderr || stdout).trim().slice(0, 2000) || '(no output)'}`);
  }
  return report as KubeconformReport;
}

/** "/spec/template/spec/containers/0" → ["spec","template","spec","containers",0], JSON-pointer escapes undone. */
export function pointerSegments(pointer: string): (string | number)[] {
  return pointer
    .split('/')
    .slice(1)
    .filter((s) => s !== '')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** "spec.template.spec.containers[0].image": how people write a data path. */
function dottedPath(segments: DataPath): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** The property names quoted in a message like "additional properties 'a', 'b' not allowed". */
function quotedNames(message: string): string[] {
  return [...message.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
}

/**
 * The leaf errors of kubeconform's message. kubeconform's `validationErrors` only holds the top level of the
 * jsonschema error tree (usually "/spec: validation failed"); the full tree is in `msg`, flattened to one line as
 * "… - at '/spec/replicas': got string, want integer - at '…': …" (ReplaceAll of newlines in validator.go).
 * Errors of a oneOf/anyOf (int-or-string fields) are folded into one, since the value matched none of the forms.
 */
export function leafErrors(msg: string): Array<{ path: string; msg: string }> {
  const entries = [...msg.matchAll(/- at '([^']*)': (.*?)(?=\s+- at '|$)/g)].map((m) => ({ path: m[1]!, msg: m[2]!.trim() }));
  const out: Array<{ path: string; msg: string }> = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.msg === 'validation failed') continue;
    if (/^'?(oneOf|anyOf|allOf)'? failed/.test(e.msg)) {
      const children: string[] = [];
      while (i + 1 < entries.length && (entries[i + 1]!.path === e.path || entries[i + 1]!.path.startsWith(`${e.path}/`))) {
        const child = entries[++i]!.msg;
        if (child !== 'validation failed' && !children.includes(child)) children.push(child);
      }
      out.push({ path: e.path, msg: children.length > 0 ? `matches none of its allowed forms (${children.join('; ')})` : e.msg });
      continue;
    }
    out.push(e);
  }
  return out;
}

function findManifest(manifests: readonly Manifest[], r: KubeconformResource): Manifest | undefined {
  return manifests.find((m) => m.object.kind === r.kind && m.object.metadata?.name === r.name) ?? manifests[0];
}

/**
 * Findings from kubeconform's report. `manifestsByFile` maps each file passed to kubeconform to its parsed documents,
 * used to put each finding on the line of the field it is about.
 */
export function kubeconformFindings(report: KubeconformReport, manifestsByFile: ReadonlyMap<string, readonly Manifest[]>, kubernetesVersion: string): Finding[] {
  const findings: Finding[] = [];
  for (const r of report.resources) {
    if (r.status !== 'statusInvalid' && r.status !== 'statusError') continue;
    const file = r.filename.split(path.sep).join('/');
    const manifest = findManifest(manifestsByFile.get(file) ?? [], r);
    const docLine = manifest?.line ?? 1;
    const what = r.kind ? `${r.kind}${r.name ? ` '${r.name}'` : ''}` : 'document';
    const missing = /^could not find schema for (.*)$/.exec(r.msg ?? '');
    if (missing) {
      findings.push({
        file,
        line: manifest?.lineOf(['apiVersion']) ?? docLine,
        rule: 'schema-missing',
        message: `no schema for kind ${missing[1]} (apiVersion ${r.version ?? '?'}) in Kubernetes ${kubernetesVersion} or the CRD list`,
        hint: `a custom resource needs its CRD in renderer/src/tools/crd-sources.ts (then npm run tools); a built-in kind with this apiVersion does not exist in Kubernetes ${kubernetesVersion}`,
      });
      continue;
    }
    const parsed = leafErrors(r.msg ?? '');
    const errors = parsed.length > 0 ? parsed : (r.validationErrors ?? []);
    if (errors.length === 0) {
      findings.push({ file, line: docLine, rule: 'schema', message: `${what}: ${(r.msg ?? 'rejected by kubeconform').replace(/^error unmarshalling resource: /, '')}` });
      continue;
    }
    for (const e of errors) {
      const segments = pointerSegments(e.path);
      const extra = /^additional propert/.test(e.msg) ? quotedNames(e.msg) : [];
      const line = manifest?.lineOf(extra.length > 0 ? [...segments, extra[0]!] : segments) ?? docLine;
      const at = segments.length > 0 ? `${dottedPath(segments)}: ` : '';
      findings.push({ file, line, rule: 'schema', message: `${what}: ${at}${e.msg}` });
    }
  }
  return findings;
}

/**
 * How many bytes of file paths one kubeconform command line carries. The OS caps a command line (Linux: ARG_MAX,
 * 2 MB including the environment; Windows: 32,767 characters), and a big repository renders tens of thousands of
 * files (1,000 apps × 4 environments ≈ 2 MB of paths: `spawn E2BIG`), so the files go in batches well under the cap
 * (process.ts passes the argument list to the program as it is, with no shell in between).
 */
export const defaultBatchBytes = process.platform === 'win32' ? 24_000 : 100_000;

/**
 * Splits `files` into consecutive batches whose paths (plus one separator byte each) total at most `maxBytes`;
 * a single path longer than that still gets a batch of its own. Order is kept.
 */
export function batchFiles(files: readonly string[], maxBytes = defaultBatchBytes): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const file of files) {
    const size = Buffer.byteLength(file) + 1;
    if (current.length > 0 && bytes + size > maxBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** One report out of the batches' reports: their resources in turn, their summaries added up. */
export function mergeReports(reports: readonly KubeconformReport[]): KubeconformReport {
  const summary = { valid: 0, invalid: 0, errors: 0, skipped: 0 };
  for (const r of reports) for (const key of Object.keys(summary) as Array<keyof typeof summary>) summary[key] += r.summary?.[key] ?? 0;
  return { resources: reports.flatMap((r) => r.resources), summary };
}

export interface RunKubeconformOptions {
  /** Bytes of paths per command line (see defaultBatchBytes); tests pass a tiny one to force many batches. */
  batchBytes?: number;
  /** kubeconform processes at once. One: each already runs `workers` validators (its `-n`). */
  concurrency?: number;
  /** kubeconform's `-n` (see defaultWorkers). */
  workers?: number;
}

/**
 * Runs the built kubeconform over `targets` (repository-relative files or folders) from `root`, in batches that
 * fit on a command line, and returns one report for all of them. The first failing batch fails the run; no new
 * batch starts after it.
 */
export async function runKubeconform(root: string, targets: readonly string[], kubernetesVersion: string, options: RunKubeconformOptions = {}): Promise<KubeconformReport> {
  const batches = batchFiles(targets, options.batchBytes);
  const reports: KubeconformReport[] = new Array(batches.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < batches.length) {
      const i = next++;
      try {
        reports[i] = await runKubeconformOnce(root, batches[i]!, kubernetesVersion, options.workers);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 1, batches.length)) }, worker);
  // allSettled, then the first error: a failure does not leave the other process running behind the caller's back.
  const settled = await Promise.allSettled(workers);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return mergeReports(reports);
}

/** One kubeconform process over one batch. */
async function runKubeconformOnce(root: string, targets: readonly string[], kubernetesVersion: string, workers?: number): Promise<KubeconformReport> {
  const binary = path.join(root, cachePaths.tool('kubeconform'));
  let result;
  try {
    result = await run(binary, kubeconformArgs(root, targets, kubernetesVersion, workers), { cwd: root });
  } catch (err) {
    if (err instanceof ProgramNotFound) throw new KubeconformError(`${cachePaths.tool('kubeconform')} is missing; run npm run tools`);
    // Some spawn failures (E2BIG: a command line over the OS limit) are thrown rather than reported as an exit code.
    throw new KubeconformError(`could not run kubeconform: ${(err as Error).message}`);
  }
  // kubeconform exits 1 when it finds something; only a missing or unreadable report means it could not run.
  if (result.code !== 0 && result.code !== 1) throw new KubeconformError(`kubeconform exited with ${result.code}: ${result.stderr.trim()}`);
  return parseKubeconformReport(result.stdout, result.stderr);
}
