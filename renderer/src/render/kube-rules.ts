/**
 * Kubernetes' own rules on what the renderer derives, checked before anything is written so that the API server
 * never refuses a synced object: names (DNS-1123 label and subdomain, DNS-1035 label for Services), label keys and
 * values, port names, container env names, and resource quantities (requests ≤ limits). Pure functions; the merge
 * stage checks settings (where the input line is known) and the policy rule kubernetes-names (policy/object-rules.ts)
 * checks every rendered object.
 * Rules as in k8s.io/apimachinery/pkg/util/validation and the core API validation.
 */
import type { Problem, SourceLocation } from '../errors.js';
import { containersOf, type UncheckedObject } from '../kube.js';

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const labelName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const ianaServiceName = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const envName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Why a name is not a DNS-1123 label (at most 63 characters), or undefined. */
function dns1123LabelError(name: string): string | undefined {
  if (name.length > 63) return `is ${name.length} characters long (at most 63)`;
  return dns1123Label.test(name) ? undefined : 'must be lower-case letters, digits and "-", starting and ending with a letter or digit';
}

/** Why a name is not a DNS-1035 label (Service names: must start with a letter), or undefined. */
export function dns1035LabelError(name: string): string | undefined {
  if (name.length > 63) return `is ${name.length} characters long (at most 63)`;
  return dns1035Label.test(name) ? undefined : 'must start with a lower-case letter, then lower-case letters, digits and "-", ending with a letter or digit';
}

/** Why a name is not a DNS-1123 subdomain (most object names), or undefined. */
function dns1123SubdomainError(name: string): string | undefined {
  if (name.length > 253) return `is ${name.length} characters long (at most 253)`;
  return name.split('.').every((part) => dns1123Label.test(part)) ? undefined : 'must be dot-separated lower-case DNS labels';
}

export function labelValueError(value: string): string | undefined {
  if (value.length > 63) return `is ${value.length} characters long (at most 63)`;
  return labelValue.test(value) ? undefined : 'must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
}

function labelKeyError(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash === -1 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && dns1123SubdomainError(prefix)) return `has an invalid prefix '${prefix}'`;
  if (name.length > 63) return `has a name part of ${name.length} characters (at most 63)`;
  return labelName.test(name) ? undefined : 'must be letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
}

/** Port names (IANA service names): at most 15 characters, lower-case letters and digits, at least one letter, no "--". */
function portNameError(name: string): string | undefined {
  if (name.length > 15) return `is ${name.length} characters long (at most 15)`;
  if (!ianaServiceName.test(name)) return 'must be lower-case letters, digits and "-", starting and ending with a letter or digit';
  if (name.includes('--')) return 'must not contain "--"';
  return /[a-z]/.test(name) ? undefined : 'must contain at least one letter';
}

const binarySuffixes: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimalSuffixes: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes quantity ("500m", "2Gi", "1.5", "1e3") as a number, or undefined when it is not one. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  const suffix = m[3] ?? '';
  return n * (binarySuffixes[suffix] ?? decimalSuffixes[suffix]!);
}

type Resources = { requests?: Record<string, unknown>; limits?: Record<string, unknown> };

/** Every resource whose request is above its limit (the API server refuses such a pod), with where it was set. */
export function requestsAboveLimits(resources: Resources | undefined, at: (path: string[]) => SourceLocation, what: string): Problem[] {
  const problems: Problem[] = [];
  for (const [name, request] of Object.entries(resources?.requests ?? {})) {
    const limit = resources?.limits?.[name];
    const r = parseQuantity(request);
    const l = parseQuantity(limit);
    if (r === undefined || l === undefined || r <= l) continue;
    const limitAt = at(['resources', 'limits', name]);
    problems.push({
      ...at(['resources', 'requests', name]),
      message: `resources.requests.${name} (${String(request)}) is above resources.limits.${name} (${String(limit)}) for ${what}`,
      hint: `lower the request or raise the limit (the limit is set at ${limitAt.file}:${limitAt.line ?? 1}); Kubernetes refuses a request above its limit`,
    });
  }
  return problems;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Containers of the pod template of a rendered workload. Why not validate/workloads.ts, which knows every workload
 * kind: the render must not load the commands' modules (fingerprint.ts hashes what it loads), and the templates
 * render pod templates only under spec.template.
 */
/** Names of env variables listed more than once in one container (Kubernetes keeps the last, silently). */
export function duplicateEnvNames(container: Obj): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const e of Array.isArray(container.env) ? container.env : []) {
    const name = isObj(e) ? e.name : undefined;
    if (typeof name !== 'string') continue;
    if (seen.has(name)) twice.add(name);
    seen.add(name);
  }
  return [...twice].sort();
}

/** Everything about one object's names, labels, ports and env that the API server would refuse. */
export function objectNameErrors(object: Obj): string[] {
  const errors: string[] = [];
  const kind = String(object.kind ?? '');
  const metadata = isObj(object.metadata) ? object.metadata : {};
  const name = String(metadata.name ?? '');
  const nameError = kind === 'Service' ? dns1035LabelError(name) : kind === 'Namespace' ? dns1123LabelError(name) : dns1123SubdomainError(name);
  if (nameError) errors.push(`${kind} name '${name}' ${nameError}${kind === 'Service' ? ' (a Service name is a DNS-1035 label)' : ''}`);
  const labelMaps: [string, unknown][] = [['metadata.labels', metadata.labels]];
  const spec = isObj(object.spec) ? object.spec : {};
  if (isObj(spec.template) && isObj(spec.template.metadata)) labelMaps.push(['pod template labels', spec.template.metadata.labels]);
  for (const [where, labels] of labelMaps) {
    if (!isObj(labels)) continue;
    for (const [key, value] of Object.entries(labels)) {
      const keyError = labelKeyError(key);
      if (keyError) errors.push(`label key '${key}' in ${where} ${keyError}`);
      const valueError = labelValueError(String(value));
      if (valueError) errors.push(`label '${key}' in ${where}: value '${String(value)}' ${valueError}`);
    }
  }
  for (const port of Array.isArray(spec.ports) ? spec.ports : []) {
    if (isObj(port) && typeof port.name === 'string') {
      const e = portNameError(port.name);
      if (e) errors.push(`port name '${port.name}' ${e}`);
    }
  }
  for (const { container: c } of containersOf(object as UncheckedObject)) {
    const cName = String(c.name ?? '');
    const e = dns1123LabelError(cName);
    if (e) errors.push(`container name '${cName}' ${e}`);
    for (const port of Array.isArray(c.ports) ? c.ports : []) {
      if (isObj(port) && typeof port.name === 'string') {
        const pe = portNameError(port.name);
        if (pe) errors.push(`container '${cName}': port name '${port.name}' ${pe}`);
      }
    }
    for (const env of Array.isArray(c.env) ? c.env : []) {
      if (isObj(env) && typeof env.name === 'string' && !envName.test(env.name))
        errors.push(`container '${cName}': env name '${env.name}' must be letters, digits, "_", "-" and ".", not starting with a digit`);
    }
  }
  return errors;
}
