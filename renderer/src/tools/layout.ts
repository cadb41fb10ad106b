/**
 * Where the tools step puts what it builds and generates inside the git-ignored cache, named once.
 * Relative POSIX paths under the repository root, like `repoPaths`.
 */
import { repoPaths } from '../paths.js';

const tools = `${repoPaths.cacheDir}/tools`;
const schemas = `${repoPaths.cacheDir}/schemas`;

export const cachePaths = {
  toolsDir: tools,
  /** GOBIN of `go install`: the pinned Go tools' binaries. */
  toolsBin: `${tools}/bin`,
  tool: (name: string) => `${tools}/bin/${name}`,
  /** The Python virtual environment of the PyPI tools, and one of its commands. */
  pypiVenv: `${tools}/venv`,
  pypiTool: (name: string) => `${tools}/venv/bin/${name}`,
  /** What the PyPI tools were installed from (package==version each). */
  pypiStamp: `${tools}/pypi-stamp.json`,
  /** What the binaries in toolsBin were built from (module@version each). */
  toolsStamp: `${tools}/stamp.json`,
  /** Held while one process provisions; others wait for it. */
  lock: `${repoPaths.cacheDir}/tools.lock`,
  schemasDir: schemas,
  /** Kubernetes built-in kinds, kubeconform's local layout: `{kind}-{group first label}-{version}.json`. */
  kubernetesSchemas: `${schemas}/kubernetes`,
  /** Custom resources, one folder per API group: `{group}/{kind}_{version}.json`. */
  crdSchemas: `${schemas}/crds`,
  /** What the schemas were generated from (pins and generator version). */
  schemasStamp: `${schemas}/stamp.json`,
} as const;

/**
 * The two `-schema-location` templates of kubeconform, for the schema folders under `root`.
 * Both end in `.json`, so kubeconform uses them as given instead of appending its own layout
 * (see registry.New in github.com/yannh/kubeconform/pkg/registry/registry.go).
 */
export function schemaLocations(root: string): string[] {
  return [
    `${root}/${cachePaths.kubernetesSchemas}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    `${root}/${cachePaths.crdSchemas}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
  ];
}
