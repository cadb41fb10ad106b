/**
 * Canonical forms of a Kubernetes object: keys sorted at every level, so that field order and formatting of the
 * committed YAML never show up as changes, and secret values replaced before anything is printed.
 *
 * Files are read by the one reader of rendered manifests (manifests.ts). Why js-yaml and not the renderer's `yaml`
 * to print: the diff prints every changed object on both sides, and js-yaml dumps about five times faster
 * (measured: 0.17 against 0.93 ms for a 120-line Deployment), which is much of the run time of a large diff.
 */
import jsyaml from 'js-yaml';
import { ManifestSyntaxError, readManifestValues } from '../manifests.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A deep copy with map keys in code-point order; list order is meaning, so lists keep theirs. */
export function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const key of Object.keys(v).sort()) out[key] = sortKeys(v[key]!);
  return out;
}

/** The comparison key of an already key-sorted value. */
export function canonicalJson(sorted: Json): string {
  return JSON.stringify(sorted);
}

/** YAML of an already key-sorted value, one serializer setting for every diff. */
export function canonicalYaml(sorted: Json): string {
  return jsyaml.dump(sorted, { schema: jsyaml.CORE_SCHEMA, lineWidth: -1, noRefs: true, indent: 2 });
}

/** Every document of a file, read as every rendered manifest is (manifests.ts: YAML 1.2's core schema). */
export function loadDocuments(text: string, file: string): unknown[] {
  return readManifestValues(file, text);
}

/** The 1-based line and column of a YAML syntax error, when the reader knows them. */
export function yamlErrorPosition(err: unknown): { line?: number; col?: number; message: string } {
  if (err instanceof ManifestSyntaxError) return { line: err.problem.line, col: err.problem.col, message: err.problem.message };
  return { message: String((err as Error)?.message ?? err) };
}

const redacted = '<redacted>';
const redactedChanged = '<redacted, changed>';
const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';

/** A core-group Secret: the only kind whose values are never printed. */
function isSecret(obj: JsonObject): boolean {
  return obj.kind === 'Secret' && obj.apiVersion === 'v1';
}

/**
 * Replaces every value under a Secret's `data` and `stringData` (and a last-applied annotation, which would
 * repeat them). Given the other side, a value that differs from it is marked changed, so a rotated value still
 * shows as a changed line without showing either value. Objects that are not Secrets are returned as they are.
 */
export function redactSecret(obj: JsonObject | undefined, other?: JsonObject): JsonObject | undefined {
  if (!obj || !isSecret(obj)) return obj;
  const out: JsonObject = { ...obj };
  for (const field of ['data', 'stringData']) {
    const values = obj[field];
    if (!isObject(values)) continue;
    const otherValues = other && isSecret(other) && isObject(other[field]) ? (other[field] as JsonObject) : undefined;
    const masked: JsonObject = {};
    for (const [key, value] of Object.entries(values)) {
      const changed = otherValues !== undefined && key in otherValues && otherValues[key] !== value;
      masked[key] = changed ? redactedChanged : redacted;
    }
    out[field] = masked;
  }
  const metadata = obj.metadata;
  if (isObject(metadata) && isObject(metadata.annotations) && lastApplied in metadata.annotations) {
    out.metadata = { ...metadata, annotations: { ...metadata.annotations, [lastApplied]: redacted } };
  }
  return out;
}
