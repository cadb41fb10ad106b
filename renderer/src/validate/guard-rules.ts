/**
 * Validation's share of the renderer's guard rails, for whatever is under clusters/ (rendered or not): every file
 * there is the renderer's unless base/exceptions.yaml declares it. (No env name twice: the rule env-unique in rules.ts.)
 */
import { checkSource } from '../render/load.js';
import { formatProblem, RenderError, type Problem } from '../errors.js';
import { readRepoFile } from '../fs.js';
import { Exceptions } from '../model.js';
import { repoPaths } from '../paths.js';
import { planWrite, readRenderedTree } from '../render/write.js';
import type { Finding } from './findings.js';
import type { IndexCluster } from '../cluster-index.js';

/**
 * Files under the selected clusters' folders (and, for every cluster, folders of no cluster) that the renderer did
 * not generate and base/exceptions.yaml does not declare. Throws when base/exceptions.yaml itself is broken.
 */
export async function foreignFileFindings(
  root: string,
  selected: readonly IndexCluster[],
  all: readonly IndexCluster[],
  /** clusters/ as readRenderedTree gives it, when the caller read it already. */
  rendered?: Map<string, string>,
): Promise<Finding[]> {
  const problems: Problem[] = [];
  let handWritten: string[] = [];
  const text = readRepoFile(root, repoPaths.exceptions);
  if (text !== undefined) {
    const source = checkSource<Exceptions>(repoPaths.exceptions, text, Exceptions, problems);
    if (problems.length > 0) throw new Error(problems.map(formatProblem).join('\n'));
    handWritten = (source?.value.handWritten ?? []).map((h) => h.file);
  }
  const tree = rendered ?? (await readRenderedTreeOf(root));
  const whole = selected.length === all.length;
  const plan = planWrite(tree, [], { clusters: selected.map((c) => c.name), ...(whole ? { allClusters: all.map((c) => c.name) } : {}), handWritten });
  return plan.foreign.map((p) => ({
    file: p.file,
    line: 1,
    rule: 'generated-only',
    message: p.message,
    ...(p.hint ? { hint: p.hint } : {}),
    cluster: selected.find((c) => p.file.startsWith(`${repoPaths.clusterDir(c.name)}/`))?.name,
  }));
}

/** clusters/ with every file's text (readRenderedTree), a file it cannot read an Error with its message. */
export async function readRenderedTreeOf(root: string): Promise<Map<string, string>> {
  try {
    return await readRenderedTree(root);
  } catch (err) {
    if (err instanceof RenderError) throw new Error(err.message);
    throw err;
  }
}
