/**
 * What bootstrap applies, read from the rendered output only: the cluster's entry in clusters/index.json, its root
 * Application (a document of `<argocd folder>/manifest.yaml`), and the AppProject that Application names.
 *
 * Why the AppProject too: the root Application belongs to `<env>-platform`, which is itself rendered into the argocd/
 * folder the root syncs. Argo CD does not sync an Application whose project does not exist yet ("Application
 * referencing project … which does not exist"), so a root applied alone would wait forever for its own project.
 */
import { isMap, parseAllDocuments, type Document } from 'yaml';
import { generatedMarker } from '../render/emit.js';
import { readClusterIndex, type IndexCluster } from '../cluster-index.js';
import { allowedHint, RenderError, UsageError, type Problem } from '../errors.js';
import type { RepoReader } from '../fs.js';
import { repoPaths } from '../paths.js';

/** One object to apply, with the text it came from. */
export interface BootstrapDocument {
  /** Repository-relative path of the rendered file (the argocd folder's manifest). */
  file: string;
  /** The YAML document without the generated header comments; what --dry-run prints. */
  text: string;
  object: ArgoObject;
}

interface ArgoObject {
  apiVersion: string;
  kind: 'Application' | 'AppProject';
  metadata: { name: string; namespace: string; [key: string]: unknown };
  spec: { project?: string; source?: { repoURL?: string; path?: string; chart?: string; targetRevision?: string }; [key: string]: unknown };
  [key: string]: unknown;
}

export interface BootstrapInput {
  cluster: IndexCluster;
  /** In apply order: the root's AppProject (unless it is Argo CD's built-in `default`), then the root Application. */
  documents: BootstrapDocument[];
  /** The pinned Argo CD release, e.g. `v3.5.7`, for the "install Argo CD first" hint. */
  argocdVersion: string;
}

const render = 'run `npm run render` (and commit the result) so that clusters/ holds the rendered output';

/** Reads everything bootstrap needs for `clusterName`; every problem is a RenderError naming the file. */
export async function readBootstrapInput(reader: RepoReader, clusterName: string): Promise<BootstrapInput> {
  const cluster = await readClusterEntry(reader, clusterName);
  const { folder, manifest } = await readArgocdManifest(reader, cluster);
  const root = findDocument(manifest, 'Application', folder.application);
  const documents = [root];
  const project = root.object.spec.project;
  if (project && project !== 'default') documents.unshift(findDocument(manifest, 'AppProject', project));
  return { cluster, documents, argocdVersion: await readArgocdVersion(reader) };
}

/** The cluster's argocd folder (from the index) and its manifest. */
async function readArgocdManifest(reader: RepoReader, cluster: IndexCluster): Promise<{ folder: IndexCluster['folders'][number]; manifest: Manifest }> {
  const folder = cluster.folders.find((f) => f.kind === 'argocd');
  if (!folder) {
    throw fail({ file: repoPaths.clusterIndex, message: `cluster '${cluster.name}' has no argocd folder`, hint: render });
  }
  // One manifest per folder, one document per resource (ARCHITECTURE.md, contracts).
  return { folder, manifest: await readManifest(reader, repoPaths.manifest(folder.path)) };
}

/** One Application the root creates, as rendered: its name, project, and whether its source is a Helm chart. */
export interface RenderedApplication {
  name: string;
  project: string;
  chart: boolean;
}

/**
 * Every Application of a cluster's argocd folder, the root included, in the manifest's order: what `status` asks
 * Argo CD about. The index names the root, platform and app Applications; the add-ons' are only here.
 */
export async function readRenderedApplications(reader: RepoReader, cluster: IndexCluster): Promise<RenderedApplication[]> {
  const { manifest } = await readArgocdManifest(reader, cluster);
  return manifest.documents
    .map((d) => d.toJS() as Partial<ArgoObject> | null)
    .filter((o): o is ArgoObject => o?.kind === 'Application' && typeof o.metadata?.name === 'string')
    .map((o) => ({ name: o.metadata.name, project: o.spec?.project || 'default', chart: typeof o.spec?.source?.chart === 'string' }));
}

async function readClusterEntry(reader: RepoReader, clusterName: string): Promise<IndexCluster> {
  const { clusters } = await readClusterIndex(reader);
  const cluster = clusters.find((c) => c.name === clusterName);
  if (!cluster) {
    // A name that is not in the index is a mistake in what was asked for (exit 2), not in the repository.
    throw new UsageError(
      `--cluster: unknown cluster '${clusterName}' in ${repoPaths.clusterIndex}; ${allowedHint(
        clusterName,
        clusters.map((c) => c.name),
      )}`,
    );
  }
  return cluster;
}

interface Manifest {
  file: string;
  content: string;
  documents: Document[];
}

async function readManifest(reader: RepoReader, file: string): Promise<Manifest> {
  const content = await reader.read(file);
  if (content === undefined || content.trim() === '') {
    throw fail({ file, message: 'the argocd folder has not been rendered (no such file)', hint: render });
  }
  if (!content.startsWith(generatedMarker)) {
    throw fail({ file, line: 1, col: 1, message: `not rendered output: the file does not start with the generated header ('${generatedMarker} …')`, hint: render });
  }
  const documents = parseAllDocuments(content);
  if (!Array.isArray(documents)) throw fail({ file, message: 'no YAML document found', hint: render });
  for (const doc of documents) {
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      throw fail({ file, line: e.linePos?.[0].line, col: e.linePos?.[0].col, message: `not valid YAML: ${e.message.split('\n')[0]}`, hint: render });
    }
  }
  return { file, content, documents };
}

/** The document of `kind` named `name`, checked to be an Argo CD object bootstrap can apply. */
function findDocument({ file, content, documents }: Manifest, kind: ArgoObject['kind'], name: string): BootstrapDocument {
  const lineOf = (offset: number) => {
    const before = content.slice(0, offset).split('\n');
    return { line: before.length, col: before[before.length - 1]!.length + 1 };
  };
  const named = (doc: Document) => {
    const o = doc.toJS() as { kind?: unknown; metadata?: { name?: unknown } } | null;
    return o?.kind === kind && o.metadata?.name === name;
  };
  const doc = documents.find(named);
  if (!doc) throw fail({ file, message: `the ${kind} '${name}' has not been rendered (no such document)`, hint: render });
  const object = doc.toJS() as ArgoObject;
  const at = (path: string[]) => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    const range = node?.range ?? (isMap(doc.contents) ? doc.contents.range : undefined);
    return range ? lineOf(range[0]) : {};
  };
  const expect = (ok: boolean, path: string[], message: string) => {
    if (!ok) throw fail({ file, ...at(path), message, hint: render });
  };
  expect(object.apiVersion === 'argoproj.io/v1alpha1', ['apiVersion'], `apiVersion must be argoproj.io/v1alpha1 (got ${JSON.stringify(object.apiVersion)})`);
  expect(typeof object.metadata?.namespace === 'string' && object.metadata.namespace !== '', ['metadata'], 'metadata.namespace is missing');
  expect(typeof object.spec === 'object' && object.spec !== null, ['spec'], 'spec is missing');
  // The document's own text, without the comments around it: what --dry-run prints.
  const range = isMap(doc.contents) ? doc.contents.range : undefined;
  const text = range ? `${content.slice(range[0], range[1]).trimEnd()}\n` : String(doc);
  return { file, text, object };
}

async function readArgocdVersion(reader: RepoReader): Promise<string> {
  const file = repoPaths.pins;
  const text = await reader.read(file);
  const version = text === undefined ? undefined : (JSON.parse(text) as { sources?: { argocd?: { version?: unknown } } }).sources?.argocd?.version;
  if (typeof version !== 'string') {
    throw fail({ file, message: 'sources.argocd.version is missing', hint: 'pin the Argo CD release the clusters run, e.g. "version": "v3.5.7"' });
  }
  return version;
}

function fail(problem: Problem): RenderError {
  return new RenderError([problem]);
}
