/**
 * renderer/pins.json, read and checked: the pinned Go tools, the upstream Go modules the schemas come from,
 * and the Kubernetes version the clusters run.
 */
import { repoPaths } from '../paths.js';
import { checkPins, pinsSchema } from '../pin-files-check.js';
import { checkJsonFile } from '../schema-problems.js';

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

/** Where a hint sends the reader of a problem in pins.json. */
const pinsGuide = `the other entries of ${repoPaths.pins}: a Go module is { "module", "version": "v…" }, a PyPI tool { "package", "version" }`;

type ModuleSection = Record<string, ModulePin | string>;

/** Parses pins.json text; a RenderError naming the file, line and field of a missing or malformed entry. */
export function parsePins(text: string): Pins {
  const raw = checkJsonFile<{ kubernetes: string; tools: ModuleSection; pypiTools?: Record<string, PypiPin>; sources: ModuleSection; e2e?: ModuleSection }>(
    repoPaths.pins,
    text,
    checkPins,
    pinsSchema,
    pinsGuide,
  );
  const modules = (section: ModuleSection | undefined): Record<string, ModulePin> =>
    Object.fromEntries(Object.entries(section ?? {}).flatMap(([name, pin]) => (typeof pin === 'string' ? [] : [[name, { module: pin.module, version: pin.version }]])));
  return { kubernetes: raw.kubernetes, tools: modules(raw.tools), pypiTools: raw.pypiTools ?? {}, sources: modules(raw.sources), e2e: modules(raw.e2e) };
}

/** `package==version`, the form pip takes. */
export function pypiRef(pin: PypiPin): string {
  return `${pin.package}==${pin.version}`;
}

/** `module@version`, the form `go install` and `go mod download` take. */
export function moduleRef(pin: ModulePin): string {
  return `${pin.module}@${pin.version}`;
}
