/**
 * What bootstrap applies, read from the rendered output only: the cluster's entry in clusters/index.json, its root
 * Application (a document of `<argocd folder>/manifest.yaml`), and the AppProject that Application names.
 *
 * Why the AppProject too: the root Application belongs to `<env>-platform`, which is itself rendered into the argocd/
 * folder the root syncs. Argo CD does not sync an Application whose project does not exist yet ("Application
 * referencing project … which does not exist"), so a root applied alone would wait forever for its own project.
 */
import { readArgocdManifest, renderHint as render, type ArgocdManifest } from '../argocd/rendered.js';
import { readClusterIndex, type IndexCluster } from '../cluster-index.js';
import { allowedHint, RenderError, UsageError, type Problem } from '../errors.js';
import type { RepoReader } from '../fs.js';
import { repoPaths } from '../paths.js';
import { providesLabel } from '../kube.js';
import { parsePins } from '../tools/pins.js';
import type { ArgocdInstall } from './install.js';

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
  spec: { project?: string; source?: { repoURL?: string; path?: string; targetRevision?: string }; [key: string]: unknown };
  [key: string]: unknown;
}

export interface BootstrapInput {
  cluster: IndexCluster;
  /** In apply order: the root's AppProject (unless it is Argo CD's built-in `default`), then the root Application. */
  documents: BootstrapDocument[];
  /** The pinned Argo CD release, e.g. `v3.5.7`, for the "install Argo CD first" hint. */
  argocdVersion: string;
  /** The pinned Kubernetes version (renderer/pins.json), for helm's .Capabilities. */
  kubernetesVersion: string;
  /** Argo CD's own add-on Application, when the cluster has one: what bootstrap installs Argo CD from. */
  argocd?: ArgocdInstall;
}

/** Reads everything bootstrap needs for `clusterName`; every problem is a RenderError naming the file. */
export async function readBootstrapInput(reader: RepoReader, clusterName: string): Promise<BootstrapInput> {
  const cluster = await readClusterEntry(reader, clusterName);
  const { folder, manifest } = await readArgocdManifest(reader, cluster);
  const root = findDocument(manifest, 'Application', folder.application);
  const documents = [root];
  const project = root.object.spec.project;
  if (project && project !== 'default') documents.unshift(findDocument(manifest, 'AppProject', project));
  const argocd = findArgocdInstall(manifest);
  const pins = await readPins(reader);
  return { cluster, documents, argocdVersion: pins.argocdVersion, kubernetesVersion: pins.kubernetesVersion, ...(argocd ? { argocd } : {}) };
}

/** The Application labelled as providing `gitops` (Argo CD's own, a Helm chart source), if rendered. */
function findArgocdInstall({ file, documents }: ArgocdManifest): ArgocdInstall | undefined {
  for (const doc of documents) {
    const o = doc.object as {
      kind?: unknown;
      metadata?: { name?: unknown; labels?: Record<string, unknown> };
      spec?: {
        destination?: { namespace?: unknown };
        source?: { repoURL?: unknown; chart?: unknown; targetRevision?: unknown; helm?: { releaseName?: unknown; valuesObject?: unknown } };
      };
    };
    if (o.kind !== 'Application' || o.metadata?.labels?.[providesLabel('gitops')] !== 'true') continue;
    const source = o.spec?.source;
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    const [repoURL, chart, version, namespace] = [text(source?.repoURL), text(source?.chart), text(source?.targetRevision), text(o.spec?.destination?.namespace)];
    const name = String(o.metadata.name);
    if (!repoURL || !chart || !version || !namespace) {
      throw fail({ file, message: `the Application '${name}' provides gitops but names no chart (repoURL, chart, targetRevision) and destination namespace`, hint: render });
    }
    const values = source?.helm?.valuesObject;
    return {
      application: name,
      chart: { repoURL, name: chart, version },
      release: text(source?.helm?.releaseName) ?? name,
      namespace,
      values: typeof values === 'object' && values !== null ? (values as Record<string, unknown>) : {},
    };
  }
  return undefined;
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

/** The document of `kind` named `name`, checked to be an Argo CD object bootstrap can apply. */
function findDocument({ file, documents }: ArgocdManifest, kind: ArgoObject['kind'], name: string): BootstrapDocument {
  const doc = documents.find((d) => d.object.kind === kind && d.object.metadata?.name === name);
  if (!doc) throw fail({ file, message: `the ${kind} '${name}' has not been rendered (no such document)`, hint: render });
  const object = doc.object as ArgoObject;
  const expect = (ok: boolean, path: string[], message: string) => {
    if (!ok) throw fail({ file, ...doc.positionOf(path), message, hint: render });
  };
  expect(object.apiVersion === 'argoproj.io/v1alpha1', ['apiVersion'], `apiVersion must be argoproj.io/v1alpha1 (got ${JSON.stringify(object.apiVersion)})`);
  expect(typeof object.metadata?.namespace === 'string' && object.metadata.namespace !== '', ['metadata'], 'metadata.namespace is missing');
  expect(typeof object.spec === 'object' && object.spec !== null, ['spec'], 'spec is missing');
  // The document's own text, without the comments around it: what --dry-run prints.
  return { file, text: doc.text, object };
}

/** The pinned Argo CD release and Kubernetes version, from renderer/pins.json as every command reads it. */
async function readPins(reader: RepoReader): Promise<{ argocdVersion: string; kubernetesVersion: string }> {
  const file = repoPaths.pins;
  const text = await reader.read(file);
  if (text === undefined) throw fail({ file, message: 'the file is missing', hint: 'restore renderer/pins.json from the repository' });
  const pins = parsePins(text);
  return { argocdVersion: pins.sources.argocd!.version, kubernetesVersion: pins.kubernetes };
}

function fail(problem: Problem): RenderError {
  return new RenderError([problem]);
}
