/**
 * renderer/pins.json, read and checked: the pinned Go tools, the upstream Go modules the schemas come from,
 * and the Kubernetes version the clusters run.
 */
import { repoPaths } from '../paths.js';

export interface ModulePin {
  module: string;
  version: string;
}

/** A tool from PyPI, installed with pip into the tools step's virtual environment. */
export interface PypiPin {
  package: string;
  version: string;
}

export interface Pins {
  /** Kubernetes version without the leading v, e.g. "1.36.3". */
  kubernetes: string;
  tools: Record<string, ModulePin>;
  /** Tools published on PyPI (zizmor, the workflow security linter); none when the section is absent. */
  pypiTools: Record<string, PypiPin>;
  sources: Record<string, ModulePin>;
  /** What only `npm run e2e` builds (etcd, kwok, Argo CD's gitops-engine); empty when pins.json has no e2e section. */
  e2e: Record<string, ModulePin>;
}

/** The tools the validation gate needs; pins.json must name each. */
const requiredTools = ['kubeconform', 'actionlint', 'helm', 'gitleaks'] as const;
/** The upstream modules schema generation reads; pins.json must name each. */
const requiredSources = ['kubernetes', 'argocd', 'externalSecrets', 'certManager'] as const;

/** Parses pins.json text; throws an Error naming the file and the missing or malformed entry. */
export function parsePins(text: string): Pins {
  const file = repoPaths.pins;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const obj = raw as Record<string, unknown>;
  if (typeof obj?.kubernetes !== 'string' || !/^\d+\.\d+\.\d+$/.test(obj.kubernetes)) {
    throw new Error(`${file}: "kubernetes" must be a version like "1.36.3"`);
  }
  const modules = (key: 'tools' | 'sources' | 'e2e', required: readonly string[]): Record<string, ModulePin> => {
    const section = obj[key] as Record<string, Partial<ModulePin>> | undefined;
    const out: Record<string, ModulePin> = {};
    for (const name of required) {
      const pin = section?.[name];
      if (typeof pin?.module !== 'string' || typeof pin.version !== 'string' || !pin.version.startsWith('v')) {
        throw new Error(`${file}: "${key}.${name}" must be { "module": "<go module path>", "version": "v<semver>" }`);
      }
    }
    for (const [name, pin] of Object.entries(section ?? {})) {
      if (typeof pin?.module === 'string' && typeof pin.version === 'string') out[name] = { module: pin.module, version: pin.version };
    }
    return out;
  };
  const pypiTools: Record<string, PypiPin> = {};
  for (const [name, pin] of Object.entries((obj.pypiTools ?? {}) as Record<string, Partial<PypiPin>>)) {
    // An exact version only: pip would otherwise resolve whatever is newest on the day.
    if (typeof pin?.package !== 'string' || typeof pin.version !== 'string' || !/^\d+(\.\d+)*$/.test(pin.version)) {
      throw new Error(`${file}: "pypiTools.${name}" must be { "package": "<PyPI name>", "version": "<exact version, e.g. 1.32.0>" }`);
    }
    pypiTools[name] = { package: pin.package, version: pin.version };
  }
  return { kubernetes: obj.kubernetes, tools: modules('tools', requiredTools), pypiTools, sources: modules('sources', requiredSources), e2e: modules('e2e', []) };
}

/** `package==version`, the form pip takes. */
export function pypiRef(pin: PypiPin): string {
  return `${pin.package}==${pin.version}`;
}

/** `module@version`, the form `go install` and `go mod download` take. */
export function moduleRef(pin: ModulePin): string {
  return `${pin.module}@${pin.version}`;
}
