/**
 * The pipeline, stage by stage: load → merge → plan → jobs (template → parse → normalize → emit, one pure function
 * per job in job.ts) → check → files → write. Each stage adds every problem it finds; the first stage with problems
 * stops the render before anything is written. The render cache (cache.ts) wraps the job function and the whole
 * render from outside: renderRepository only takes the wrapper as an option.
 */
import path from 'node:path';
import { lazyLocation, RenderError, type Problem } from '../errors.js';
import { repoPaths } from '../paths.js';
import { diskReader, diskStore, type RepoReader } from '../fs.js';
import { clusterPolicyOf } from '../cluster-index.js';
import { emitIndex, emitObjects } from './emit.js';
import { applyWrite, planWrite, readRenderedTree } from './write.js';
import { RenderCache } from './cache.js';
import { rendererFingerprint } from './fingerprint.js';
import type { RenderOptions, RenderResult } from './result.js';
import type { DataPath } from '../source.js';

/**
 * Performance (bench helper): the stage modules are imported on first use. A render whose inputs did not change
 * (cache.ts) needs none of them, and importing them (yaml, ajv, handlebars, the schemas) costs more than that
 * whole render.
 */
async function stages() {
  const [load, merge, plan, template, job, check, normalize, secrets, ordering, capacity, infrastructure] = await Promise.all([
    import('./load.js'),
    import('./resolve.js'),
    import('./plan.js'),
    import('./template.js'),
    import('./job.js'),
    import('./check.js'),
    import('./normalize.js'),
    import('./secrets.js'),
    import('./ordering.js'),
    import('./capacity.js'),
    import('./infrastructure.js'),
  ]);
  return { ...load, ...merge, ...plan, ...template, ...job, ...check, ...normalize, ...secrets, ...ordering, ...capacity, ...infrastructure };
}

/**
 * Every stage returns what it made and the problems it found; the first stage with any ends the render here. Messages
 * quote input (a key that is not a valid name, a value of the wrong type), so whatever the secret scanner would flag
 * in them is redacted: a secret is never printed, whichever stage tripped over it.
 */
function stopper(redact: (text: string) => string): (problems: Problem[]) => void {
  return (problems) => {
    if (problems.length > 0) throw new RenderError(problems.map((p) => ({ ...p, file: redact(p.file), message: redact(p.message), ...(p.hint ? { hint: redact(p.hint) } : {}) })));
  };
}

/** `reader`, keeping the text of every file read in `texts`: the comment scan needs the text, not the values. */
function recording(reader: RepoReader, texts: Map<string, string>): RepoReader {
  return {
    list: (dir) => reader.list(dir),
    read: async (file) => {
      const text = await reader.read(file);
      if (text !== undefined) texts.set(file, text);
      return text;
    },
  };
}

/**
 * Renders a repository in memory: pure apart from the reads the RepoReader performs.
 * Every environment is always rendered and checked (a change to shared inputs must not break an environment nobody
 * asked about); `envs` only limits which clusters' files are returned and may be pruned.
 */
export async function renderRepository(reader: RepoReader, opts: RenderOptions = {}): Promise<RenderResult> {
  const {
    loadRepo,
    resolveRepo,
    planRepo,
    compileTemplates,
    renderJob,
    renderJobs,
    checkObjects,
    sortObjects,
    findSecretsInComments,
    redactSecrets,
    checkSyncOrder,
    checkCapacity,
    checkInfrastructure,
  } = await stages();
  const stop = stopper(redactSecrets);
  const texts = new Map<string, string>();
  const load = await loadRepo(recording(reader, texts), { envs: opts.envs });
  stop(load.problems);
  const loaded = load.repo!; // present whenever load found no problem
  const merge = resolveRepo(loaded);
  // Secrets in comments are reported with those in values and keys (the merge stage's scan), all at once.
  stop([...merge.problems, ...[...texts].flatMap(([file, text]) => findSecretsInComments(file, text))]);
  const resolved = merge.resolved!; // likewise
  stop(resolved.clusters.flatMap((c) => [...checkCapacity(c).problems, ...checkInfrastructure(c)]));
  const { compiled, problems: templateProblems } = compileTemplates(loaded.templates);
  stop(templateProblems);
  const jobs = planRepo(resolved);
  const { objects, problems: jobProblems } = renderJobs(compiled, jobs, opts.wrapJob ? opts.wrapJob(renderJob) : renderJob);
  stop(jobProblems);
  // The policy rules run per cluster; a cluster whose objects passed them before, unchanged, is not checked again,
  // and in a changed cluster the per-object rules see only the objects of jobs that ran again.
  const toCheck = resolved.clusters.map(clusterPolicyOf).filter((c) => !opts.passedBefore?.(c));
  const checkedBefore = opts.checkedBefore;
  stop(checkObjects(objects, toCheck, checkedBefore && ((r) => !checkedBefore(r))));
  const sorted = sortObjects(objects);
  const { files, problems: emitProblems } = emitObjects(sorted);
  stop(emitProblems);
  // Sync order is checked on the emitted manifests, so that each problem names both objects by their file and line.
  const catalogue = loaded.addons;
  const addonAt = (addon: string, at: DataPath) =>
    lazyLocation(catalogue.file, () => catalogue.locate(['addons', catalogue.value.addons.findIndex((a) => a.name === addon), ...at]));
  stop(
    checkSyncOrder(
      sorted,
      files,
      resolved.clusters.map((c) => ({ cluster: c.name, addons: c.addons.map((a) => a.spec), locate: addonAt })),
      resolved.platform.argocdNamespace,
    ),
  );
  const clusters = resolved.clusters.filter((c) => !opts.envs || opts.envs.includes(c.environment)).map((c) => c.name);
  const selected = files.filter((f) => clusters.some((c) => f.path.startsWith(`${repoPaths.clusterDir(c)}/`)));
  selected.push(emitIndex(resolved, sorted));
  const handWritten = (loaded.exceptions?.value.handWritten ?? []).map((h) => h.file);
  return { files: selected, clusters, allClusters: resolved.clusters.map((c) => c.name), handWritten, notes: resolved.notes };
}

export interface DiskResult {
  written: string[];
  removed: string[];
  unchanged: number;
  /** The render's notes (from the inputs snapshot when the cache found nothing changed: the same as a render's). */
  notes: string[];
}

export interface DiskOptions {
  /** Limit the render (and pruning) to these environments. */
  envs?: string[];
  /**
   * Use and refresh the render cache in .cache/render/ (cache.ts). Off unless asked: the CLI asks; a library caller
   * or a test renders every job, whatever folders exist.
   */
  cache?: boolean;
}

/** The render cache of the checkout at `root`, or undefined when not asked for. */
function cacheOf(root: string, opts: DiskOptions): RenderCache | undefined {
  return opts.cache ? new RenderCache(diskStore(path.join(root, repoPaths.renderCacheDir)), rendererFingerprint()) : undefined;
}

/** Renders the checkout at `root` and brings clusters/ in line with it. */
export async function renderToDisk(root: string, opts: DiskOptions = {}): Promise<DiskResult> {
  const reader = diskReader(root);
  const cache = cacheOf(root, opts);
  const tree = await readRenderedTree(root);
  const unchanged = await cache?.unchanged(reader, tree, opts.envs);
  if (unchanged !== undefined) return { written: [], removed: [], unchanged: unchanged.files, notes: unchanged.notes };
  const result = cache ? await cache.render(renderRepository, reader, opts) : await renderRepository(reader, opts);
  const plan = planWrite(tree, result.files, result);
  if (plan.foreign.length > 0) throw new RenderError(plan.foreign);
  await applyWrite(root, plan);
  cache?.save();
  return { written: plan.write.map((f) => f.path), removed: plan.remove, unchanged: plan.unchanged, notes: result.notes };
}

export interface CheckResult {
  upToDate: boolean;
  /** Files whose committed content differs from the render, or that the render would create. */
  stale: string[];
  /** Generated files the render no longer produces. */
  extra: string[];
  /** Files under clusters/ the renderer did not generate and nobody declared (see write.ts). */
  foreign: Problem[];
  notes: string[];
}

/**
 * Renders in memory and compares with clusters/ on disk, writing nothing to clusters/. It always renders (with the
 * job cache when asked, never from the inputs snapshot), and may refresh the cache: its results are a render's.
 */
export async function checkRepository(root: string, opts: DiskOptions = {}): Promise<CheckResult> {
  const reader = diskReader(root);
  const cache = cacheOf(root, opts);
  const result = cache ? await cache.render(renderRepository, reader, opts) : await renderRepository(reader, opts);
  cache?.save();
  const plan = planWrite(await readRenderedTree(root), result.files, result);
  const stale = plan.write.map((f) => f.path).sort();
  return { upToDate: stale.length === 0 && plan.remove.length === 0 && plan.foreign.length === 0, stale, extra: plan.remove, foreign: plan.foreign, notes: result.notes };
}
