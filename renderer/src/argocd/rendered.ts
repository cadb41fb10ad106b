/**
 * The cluster's rendered argocd folder, read back: its one manifest (the generated header, then one document per
 * object) and the Applications in it. Bootstrap finds the root Application and its AppProject here; `status` lists
 * every Application the root creates, the add-ons' included, which clusters/index.json does not name.
 */
import type { IndexCluster } from '../cluster-index.js';
import { RenderError, type Problem } from '../errors.js';
import type { RepoReader } from '../fs.js';
import { parseManifestFile, type Manifest } from '../manifests.js';
import { repoPaths } from '../paths.js';
import { generatedMarker } from '../render/emit.js';

export const renderHint = 'run `npm run render` (and commit the result) so that clusters/ holds the rendered output';

/** The argocd folder's rendered file and its documents. */
export interface ArgocdManifest {
  file: string;
  documents: Manifest[];
}

function fail(problem: Problem): RenderError {
  return new RenderError([{ ...problem, hint: renderHint }]);
}

async function readManifest(reader: RepoReader, file: string): Promise<ArgocdManifest> {
  const content = await reader.read(file);
  if (content === undefined || content.trim() === '') {
    throw fail({ file, message: 'the argocd folder has not been rendered (no such file)' });
  }
  if (!content.startsWith(generatedMarker)) {
    throw fail({ file, line: 1, col: 1, message: `not rendered output: the file does not start with the generated header ('${generatedMarker} …')` });
  }
  const { manifests, problems } = parseManifestFile(file, content);
  if (problems[0]) throw fail(problems[0]);
  return { file, documents: manifests };
}

/** The cluster's argocd folder (from the index) and its manifest; a RenderError naming the file otherwise. */
export async function readArgocdManifest(reader: RepoReader, cluster: IndexCluster): Promise<{ folder: IndexCluster['folders'][number]; manifest: ArgocdManifest }> {
  const folder = cluster.folders.find((f) => f.kind === 'argocd');
  if (!folder) throw fail({ file: repoPaths.clusterIndex, message: `cluster '${cluster.name}' has no argocd folder` });
  // One manifest per folder, one document per resource (ARCHITECTURE.md, contracts).
  return { folder, manifest: await readManifest(reader, repoPaths.manifest(folder.path)) };
}

/** One Application the root creates, as rendered: its name, project, and whether its source is a Helm chart. */
export interface RenderedApplication {
  name: string;
  project: string;
  chart: boolean;
}

interface RenderedObject {
  kind?: unknown;
  metadata?: { name?: unknown };
  spec?: { project?: unknown; source?: { chart?: unknown } };
}

/**
 * Every Application of a cluster's argocd folder, the root included, in the manifest's order. The index names the
 * root, platform and app Applications; the add-ons' are only here.
 */
export async function readRenderedApplications(reader: RepoReader, cluster: IndexCluster): Promise<RenderedApplication[]> {
  const { manifest } = await readArgocdManifest(reader, cluster);
  return manifest.documents.flatMap((d) => {
    const o = d.object as RenderedObject;
    if (o?.kind !== 'Application' || typeof o.metadata?.name !== 'string') return [];
    const project = typeof o.spec?.project === 'string' && o.spec.project !== '' ? o.spec.project : 'default';
    return [{ name: o.metadata.name, project, chart: typeof o.spec?.source?.chart === 'string' }];
  });
}
