/**
 * renderer/pins.json, read and checked: the pinned Go tools, the upstream Go modules the schemas come from,
 * and the Kubernetes version the clusters run.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { repoPaths } from '../paths.js';
import { checkJsonFile } from '../render/load.js';

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

const GoModulePin = Type.Object(
  {
    module: Type.String({ minLength: 1, description: 'the Go module path, e.g. "github.com/yannh/kubeconform/cmd/kubeconform"' }),
    version: Type.String({ pattern: '^v\\d', description: 'write a Go module version: "v" and the release, e.g. "v0.7.0"' }),
  },
  { additionalProperties: false },
);

/** A section of Go modules: the names it must hold, any other name holding a module too. */
function moduleSection(required: readonly string[], extra: Record<string, TSchema> = {}) {
  return Type.Object({ ...extra, ...Object.fromEntries(required.map((name) => [name, GoModulePin])) }, { additionalProperties: GoModulePin });
}

const comment = Type.Optional(Type.String());

/** The tools the validation gate needs and the upstream modules schema generation reads: pins.json must name each. */
const PinsSchema = Type.Object(
  {
    $comment: comment,
    kubernetes: Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+$', description: 'write the Kubernetes version the clusters run without a leading v, e.g. "1.36.3"' }),
    tools: moduleSection(['kubeconform', 'actionlint', 'helm', 'gitleaks']),
    pypiTools: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object(
          {
            package: Type.String({ minLength: 1, description: 'the name on PyPI, e.g. "zizmor"' }),
            // An exact version only: pip would otherwise resolve whatever is newest on the day.
            version: Type.String({ pattern: '^\\d+(\\.\\d+)*$', description: 'write an exact version, e.g. "1.32.0" (no range: pip would take the newest)' }),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    sources: moduleSection(['kubernetes', 'argocd', 'externalSecrets', 'certManager']),
    e2e: Type.Optional(moduleSection([], { $comment: comment })),
  },
  { additionalProperties: false },
);

/** Where a hint sends the reader of a problem in pins.json. */
const pinsGuide = `the other entries of ${repoPaths.pins}: a Go module is { "module", "version": "v…" }, a PyPI tool { "package", "version" }`;

type ModuleSection = Record<string, ModulePin | string>;

/** Parses pins.json text; a RenderError naming the file, line and field of a missing or malformed entry. */
export function parsePins(text: string): Pins {
  const raw = checkJsonFile<{ kubernetes: string; tools: ModuleSection; pypiTools?: Record<string, PypiPin>; sources: ModuleSection; e2e?: ModuleSection }>(
    repoPaths.pins,
    text,
    PinsSchema,
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
