/**
 * The schemas of the two JSON files the tools read: renderer/pins.json (every pinned upstream version) and
 * base/charts.lock.json (the digest of every pinned chart archive). `npm run schema` compiles them into
 * pin-files-check.ts, which tools/pins.ts and validate/charts-lock.ts run, so reading the files never loads TypeBox.
 */
import { Type, type TSchema } from '@sinclair/typebox';

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
export const PinsSchema = Type.Object(
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

export const ChartsLockSchema = Type.Object(
  {
    $comment: Type.Optional(Type.String()),
    charts: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1 }),
          version: Type.String({ minLength: 1 }),
          repoURL: Type.String({ minLength: 1 }),
          digest: Type.String({
            pattern: '^sha256:[0-9a-f]{64}$',
            description: 'a digest is "sha256:" and 64 lowercase hex digits; record it with npm run validate -- --update-lock',
          }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
