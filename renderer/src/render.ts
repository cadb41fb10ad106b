/**
 * The pipeline, stage by stage: load → merge → plan → template → parse → check → normalize → emit → write.
 * Each stage adds every problem it finds; the first stage with problems stops the render before anything is written.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { RenderError, type Problem } from './errors.js';
import { repoPaths } from './paths.js';
import { diskReader, type RepoReader } from './fs.js';
import { emitContent, emitIndex, emitObjects, type EmittedFile } from './emit.js';
import { applyWrite, planWrite, readRenderedTree } from './write.js';
// Performance (bench helper): the render cache in .cache/render/, see cache.ts.
import { JobCache, recordingReader, saveSnapshot, sha1, unchangedSnapshot, envsKey, type CachedObject } from './cache.js';
import type { RenderedObject } from './parse.js';
import type { TemplateJob } from './template.js';

export interface RenderOptions {
  /** Limit the render (and pruning) to these environments. Every environment is still loaded and checked. */
  envs?: string[];
  /**
   * Reuse per-job results (cache.ts). renderToDisk and checkRepository use `.cache/render/` unless this is false;
   * renderRepository uses only a JobCache passed here.
   */
  cache?: JobCache | boolean;
}

export interface RenderResult {
  files: EmittedFile[];
  /** Clusters whose folders these files cover. */
  clusters: string[];
  /** Every cluster the inputs declare. */
  allClusters: string[];
  /** Files under clusters/ declared hand-written in base/exceptions.yaml. */
  handWritten: string[];
}

/**
 * Performance (bench helper): the stage modules are imported on first use. A render whose inputs did not change
 * (cache.ts) needs none of them, and importing them (yaml, ajv, handlebars, the schemas) costs more than that
 * whole render.
 */
async function stages() {
  const [load, merge, plan, template, parse, check, normalize] = await Promise.all([
    import('./load.js'),
    import('./merge.js'),
    import('./plan.js'),
    import('./template.js'),
    import('./parse.js'),
    import('./check.js'),
    import('./normalize.js'),
  ]);
  return { ...load, ...merge, ...plan, ...template, ...parse, ...check, ...normalize };
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
  const { loadRepo, resolveRepo, planRepo, compileTemplates, runTemplates, parseTexts, checkObjects, normalizeObject, sortObjects } = await stages();
  const loaded = await loadRepo(reader, { envs: opts.envs });
  const resolved = resolveRepo(loaded);
  const { compiled, problems: templateProblems } = compileTemplates(loaded.templates);
  stop(templateProblems);
  // Performance (bench helper): jobs found in the cache skip template → parse → normalize → serialize; the others
  // run those stages as before. Objects are then put back in job order, so later stages see the same sequence.
  const cache = opts.cache instanceof JobCache ? opts.cache : undefined;
  const jobs = planRepo(resolved);
  const keys = new Map<TemplateJob, string>();
  const cached = new Map<TemplateJob, CachedObject[]>();
  const misses: TemplateJob[] = [];
  for (const job of jobs) {
    const key = cache?.keyOf(job, loaded.templates.get(job.template)?.text);
    const hit = key !== undefined ? cache!.get(key, job.cluster) : undefined;
    if (key !== undefined) keys.set(job, key);
    if (hit) cached.set(job, hit);
    else misses.push(job);
  }
  const { texts, problems: runProblems } = runTemplates(compiled, misses);
  stop(runProblems);
  const { objects: parsed, problems: parseProblems } = parseTexts(texts);
  stop(parseProblems);
  const fresh = new Map<TemplateJob, (RenderedObject & { content: string })[]>();
  for (const r of parsed) {
    const n = normalizeObject(r);
    fresh.set(r.job, [...(fresh.get(r.job) ?? []), { ...n, content: emitContent(n) }]);
  }
  const objects: (RenderedObject & { content: string })[] = [];
  for (const job of jobs) {
    const hit = cached.get(job);
    if (hit) for (const c of hit) objects.push({ object: c.object, job, templateFile: c.templateFile, content: c.content });
    else objects.push(...(fresh.get(job) ?? []));
  }
  // Why the check sees normalized objects: cached objects are stored normalized; normalizing only adds the
  // platform labels and the sync-wave annotation and orders keys, none of which the checks read.
  stop(checkObjects(objects, resolved.clusters.map((c) => c.name)));
  for (const [job, list] of fresh) {
    const key = keys.get(job);
    if (key !== undefined) cache!.set(key, job.cluster, list.map((r) => ({ object: r.object, templateFile: r.templateFile, content: r.content })));
  }
  const normalized = sortObjects(objects);
  const { files, problems: emitProblems } = emitObjects(normalized);
  stop(emitProblems);
  const clusters = resolved.clusters.filter((c) => !opts.envs || opts.envs.includes(c.environment)).map((c) => c.name);
  const selected = files.filter((f) => clusters.some((c) => f.path.startsWith(`${repoPaths.clusterDir(c)}/`)));
  selected.push(emitIndex(resolved, normalized));
  const handWritten = (loaded.exceptions?.value.handWritten ?? []).map((h) => h.file);
  return { files: selected, clusters, allClusters: resolved.clusters.map((c) => c.name), handWritten };
}

export interface DiskResult {
  written: string[];
  removed: string[];
  unchanged: number;
}

/**
 * Performance (bench helper): when nothing the last render read has changed (cache.ts), its output is known
 * without rendering; this compares it with clusters/ by content hash. Undefined (render normally) when the inputs
 * changed, or when clusters/ differs from the known output in any way, so the normal path does the writing.
 */
async function unchangedRender(root: string, opts: RenderOptions): Promise<{ files: number } | undefined> {
  if (!diskCacheEnabled(root, opts)) return undefined;
  const snapshot = unchangedSnapshot(root, opts.envs);
  if (!snapshot) return undefined;
  const existing = await readRenderedTree(root);
  const produced = new Map(snapshot.files);
  for (const [file, hash] of produced) if (existing.get(file) === undefined || sha1(existing.get(file)!) !== hash) return undefined;
  // Files the render does not produce in its clusters' folders (or anywhere, for a whole render): the normal path
  // decides whether to prune them or refuse them as files the renderer did not write.
  for (const file of existing.keys()) {
    if (!produced.has(file) && (!opts.envs || snapshot.clusters.some((c) => file.startsWith(`${repoPaths.clusterDir(c)}/`)))) return undefined;
  }
  return { files: produced.size };
}

/**
 * The disk cache lives in the git-ignored .cache/ folder that installing the repository creates (npm's prepare
 * step generates into it); a tree without that folder, like a test's temporary copy of the inputs, renders without
 * leaving a cache behind. `cache: true` creates it, `cache: false` turns it off.
 */
function diskCacheEnabled(root: string, opts: RenderOptions): boolean {
  if (opts.cache === false) return false;
  return opts.cache !== undefined || existsSync(path.join(root, repoPaths.cacheDir));
}

/** renderRepository with the disk cache of `root` (unless opts.cache is false), recording the snapshot. */
async function renderCached(root: string, opts: RenderOptions): Promise<{ result: RenderResult; save: () => void }> {
  if (!diskCacheEnabled(root, opts)) return { result: await renderRepository(diskReader(root), opts), save: () => {} };
  const cache = opts.cache instanceof JobCache ? opts.cache : new JobCache(root);
  const recorder = recordingReader(diskReader(root));
  const result = await renderRepository(recorder.reader, { ...opts, cache });
  const save = () => {
    cache.save();
    saveSnapshot(root, {
      envs: envsKey(opts.envs),
      reads: [...recorder.reads].sort(([a], [b]) => (a < b ? -1 : 1)),
      lists: [...recorder.lists].sort(([a], [b]) => (a < b ? -1 : 1)),
      files: result.files.map((f) => [f.path, sha1(f.content)] as [string, string]),
      clusters: result.clusters,
    });
  };
  return { result, save };
}

/** Renders the checkout at `root` and brings clusters/ in line with it. */
export async function renderToDisk(root: string, opts: RenderOptions = {}): Promise<DiskResult> {
  const unchanged = await unchangedRender(root, opts);
  if (unchanged) return { written: [], removed: [], unchanged: unchanged.files };
  const { result, save } = await renderCached(root, opts);
  const plan = planWrite(await readRenderedTree(root), result.files, result);
  if (plan.foreign.length > 0) throw new RenderError(plan.foreign);
  applyWrite(root, plan);
  saveQuietly(save);
  return { written: plan.write.map((f) => f.path), removed: plan.remove, unchanged: plan.unchanged };
}

export interface CheckResult {
  upToDate: boolean;
  /** Files whose committed content differs from the render, or that the render would create. */
  stale: string[];
  /** Generated files the render no longer produces. */
  extra: string[];
  /** Files under clusters/ the renderer did not generate and nobody declared (see write.ts). */
  foreign: Problem[];
}

/** Renders in memory and compares with clusters/ on disk, writing nothing. */
export async function checkRepository(root: string, opts: RenderOptions = {}): Promise<CheckResult> {
  if (await unchangedRender(root, opts)) return { upToDate: true, stale: [], extra: [], foreign: [] };
  // The check writes nothing to clusters/, but it may refresh the cache (its results are the same as a render's).
  const { result, save } = await renderCached(root, opts);
  saveQuietly(save);
  const plan = planWrite(await readRenderedTree(root), result.files, result);
  const stale = plan.write.map((f) => f.path).sort();
  return { upToDate: stale.length === 0 && plan.remove.length === 0 && plan.foreign.length === 0, stale, extra: plan.remove, foreign: plan.foreign };
}

/**
 * The render cache only saves time, so failing to write it (a read-only checkout, a full disk) must not fail a
 * render whose output is already in place, nor a check that writes nothing.
 */
function saveQuietly(save: () => void): void {
  try {
    save();
  } catch {
    // a cold cache next time
  }
}
