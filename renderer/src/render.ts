/**
 * The pipeline, stage by stage: load → merge → plan → template → parse → check → normalize → emit → write.
 * Each stage adds every problem it finds; the first stage with problems stops the render before anything is written.
 */
import { RenderError, type Problem } from './errors.js';
import { repoPaths } from './paths.js';
import { diskReader, type RepoReader } from './fs.js';
import { loadRepo } from './load.js';
import { resolveRepo } from './merge.js';
import { planRepo } from './plan.js';
import { compileTemplates, runTemplates } from './template.js';
import { parseTexts } from './parse.js';
import { checkObjects } from './check.js';
import { normalizeObject, sortObjects } from './normalize.js';
import { emitIndex, emitObjects, type EmittedFile } from './emit.js';
import { applyWrite, planWrite, readRenderedTree } from './write.js';

export interface RenderOptions {
  /** Limit the render (and pruning) to these environments. Every environment is still loaded and checked. */
  envs?: string[];
}

export interface RenderResult {
  files: EmittedFile[];
  /** Clusters whose folders these files cover. */
  clusters: string[];
}

function stop(problems: Problem[]): void {
  if (problems.length > 0) throw new RenderError(problems);
}

/**
 * Renders a repository in memory: pure apart from the reads the RepoReader performs.
 * Every environment is always rendered and checked (a change to shared inputs must not break an environment nobody
 * asked about); `envs` only limits which clusters' files are returned and may be pruned.
 */
export async function renderRepository(reader: RepoReader, opts: RenderOptions = {}): Promise<RenderResult> {
  const loaded = await loadRepo(reader, { envs: opts.envs });
  const resolved = resolveRepo(loaded);
  const { compiled, problems: templateProblems } = compileTemplates(loaded.templates);
  stop(templateProblems);
  const { texts, problems: runProblems } = runTemplates(compiled, planRepo(resolved));
  stop(runProblems);
  const { objects, problems: parseProblems } = parseTexts(texts);
  stop(parseProblems);
  stop(checkObjects(objects, resolved.clusters.map((c) => c.name)));
  const normalized = sortObjects(objects.map(normalizeObject));
  const { files, problems: emitProblems } = emitObjects(normalized);
  stop(emitProblems);
  const clusters = resolved.clusters.filter((c) => !opts.envs || opts.envs.includes(c.environment)).map((c) => c.name);
  const selected = files.filter((f) => clusters.some((c) => f.path.startsWith(`${repoPaths.clusterDir(c)}/`)));
  selected.push(emitIndex(resolved.clusters, normalized));
  return { files: selected, clusters };
}

export interface DiskResult {
  written: string[];
  removed: string[];
  unchanged: number;
}

/** Renders the checkout at `root` and brings clusters/ in line with it. */
export async function renderToDisk(root: string, opts: RenderOptions = {}): Promise<DiskResult> {
  const result = await renderRepository(diskReader(root), opts);
  const plan = planWrite(await readRenderedTree(root), result.files, result.clusters);
  await applyWrite(root, plan);
  return { written: plan.write.map((f) => f.path), removed: plan.remove, unchanged: plan.unchanged };
}

export interface CheckResult {
  upToDate: boolean;
  /** Files whose committed content differs from the render, or that the render would create. */
  stale: string[];
  /** Generated files the render no longer produces. */
  extra: string[];
}

/** Renders in memory and compares with clusters/ on disk, writing nothing. */
export async function checkRepository(root: string, opts: RenderOptions = {}): Promise<CheckResult> {
  const result = await renderRepository(diskReader(root), opts);
  const plan = planWrite(await readRenderedTree(root), result.files, result.clusters);
  const stale = plan.write.map((f) => f.path).sort();
  return { upToDate: stale.length === 0 && plan.remove.length === 0, stale, extra: plan.remove };
}
