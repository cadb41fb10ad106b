/**
 * The render cache: two memoising wrappers around the pipeline, switched on only by the `cache` option of
 * renderToDisk and checkRepository (the CLI passes it; nothing else turns it on). Reading the pipeline
 * (render.ts, job.ts) never needs reading this file.
 *
 * - Job results (`jobs-<cluster>`): renderJob (template → parse → normalize → emit, job.ts) is pure, so its
 *   result is memoised by a key over all its arguments: the template text, every job field, the job's context,
 *   and the renderer's fingerprint (fingerprint.ts: every module and library that shapes output).
 * - Inputs snapshot (`inputs`), for a plain render only: every file the last successful render read and every
 *   folder it listed, by content hash, with the hash of each file it produced. The render is a pure function of
 *   what its RepoReader returns (the loader is the only stage that reads), of the fingerprint and of the options;
 *   so when every recorded read returns the same again and clusters/ holds exactly those files, there is nothing to
 *   write. `render --check` never answers from it: a check always renders.
 *
 * The cache reads and writes only through a CacheStore and a RepoReader (fs.ts). A missing, unreadable or foreign
 * entry is a cold cache. renderer/test/render/cache.test.ts proves that warm and cold renders write the same bytes;
 * renderer/test/render/incremental.test.ts proves it on random sequences of edits, with exactly the changed files
 * written and the vanished ones removed.
 */
import { createHash } from 'node:crypto';
import { repoPaths } from '../paths.js';
import type { CacheStore, RepoReader } from '../fs.js';
import type { KubeObject } from '../kube.js';
import type { CompiledTemplate, TemplateJob } from './template.js';
import type { JobFunction } from './job.js';
import type { RenderedObject } from './parse.js';
import type { PolicyCluster } from '../policy/rule.js';
import type { RenderOptions, RenderResult } from './result.js';

/** Bumped when the layout of the stored entries changes. */
const format = 3;

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

// ---------------------------------------------------------------------------------------------------------------
// Job results

interface CachedObject {
  object: KubeObject;
  templateFile: string;
  /** The emitted file content (header + YAML). */
  content: string;
}

interface Stored<T> {
  format: number;
  fingerprint: string;
  value: T;
}

/** A stored value when it was written by this format and this renderer; else undefined (a cold entry). */
function load<T>(store: CacheStore, name: string, fingerprint: string): T | undefined {
  try {
    const text = store.read(name);
    if (text === undefined) return undefined;
    const stored = JSON.parse(text) as Stored<T>;
    return stored.format === format && stored.fingerprint === fingerprint ? stored.value : undefined;
  } catch {
    return undefined;
  }
}

function keep<T>(store: CacheStore, name: string, fingerprint: string, value: T): void {
  try {
    store.write(name, JSON.stringify({ format, fingerprint, value } satisfies Stored<T>));
  } catch {
    // A cache that cannot be written only makes the next render slower.
  }
}

const shardName = (cluster: string) => `jobs-${cluster}.json`;
const shardPattern = /^jobs-(.+)\.json$/;

/**
 * Memoised job results, one store entry per cluster, each read on first use and written only when its entries
 * changed: an edit in one environment rewrites that environment's entry only.
 */
/** One cluster's stored entry: its job results, and the policy its objects passed the rules under. */
interface Shard {
  policy: string;
  jobs: Record<string, CachedObject[]>;
}

export class JobCache {
  private readonly shards = new Map<string, Map<string, CachedObject[]>>();
  /** The policy each stored cluster's objects passed the rules under, and the policy of this render. */
  private readonly storedPolicy = new Map<string, string>();
  private readonly policy = new Map<string, string>();
  /** Objects handed back from stored results in this render. */
  private readonly reused = new WeakSet<object>();
  private readonly used = new Map<string, Map<string, CachedObject[]>>();
  private readonly changed = new Set<string>();
  /** Jobs wrapped per cluster in this render. */
  private readonly jobCount = new Map<string, number>();
  private readonly contextHash = new WeakMap<object, string>();
  private readonly templateHash = new Map<string, string>();

  constructor(
    private readonly store: CacheStore,
    private readonly fingerprint: string,
  ) {}

  /** `run` memoised: a job whose key is known returns the stored objects; a job that fails is never stored. */
  wrap(run: JobFunction): JobFunction {
    return (template, job) => {
      this.jobCount.set(job.cluster, (this.jobCount.get(job.cluster) ?? 0) + 1);
      const key = this.keyOf(template, job);
      const hit = this.shard(job.cluster).get(key);
      if (hit) {
        this.usedIn(job.cluster).set(key, hit);
        const objects = hit.map((c) => ({ object: c.object, job, templateFile: c.templateFile, content: c.content }));
        for (const o of objects) this.reused.add(o);
        return { objects, problems: [] };
      }
      const result = run(template, job);
      if (result.problems.length === 0) {
        this.usedIn(job.cluster).set(
          key,
          result.objects.map((r) => ({ object: r.object, templateFile: r.templateFile, content: r.content })),
        );
        this.changed.add(job.cluster);
      }
      return result;
    };
  }

  /**
   * Whether every job of `cluster` in this render was a hit and they were exactly the jobs of the stored entry: then
   * the cluster has exactly the objects and folders of the last render that stored it, and entries are stored only
   * after a render passed every check (RenderCache.save). A job run again, one more or one fewer: false.
   */
  unchanged(cluster: PolicyCluster): boolean {
    this.policy.set(cluster.name, JSON.stringify(cluster));
    const stored = this.shard(cluster.name).size;
    return (
      this.samePolicy(cluster.name) && !this.changed.has(cluster.name) && (this.jobCount.get(cluster.name) ?? 0) === stored && (this.used.get(cluster.name)?.size ?? 0) === stored
    );
  }

  /** Whether `object` came from a stored result whose cluster passed the rules under this render's policy. */
  checkedBefore(object: RenderedObject): boolean {
    return this.reused.has(object) && this.samePolicy(object.job.cluster);
  }

  private samePolicy(cluster: string): boolean {
    this.shard(cluster);
    return this.policy.has(cluster) && this.storedPolicy.get(cluster) === this.policy.get(cluster);
  }

  /** The key of a job: the fingerprint, the template (name, file and text), every job field that shapes output and the context. */
  private keyOf(template: CompiledTemplate | undefined, job: TemplateJob): string {
    // Jobs share contexts (every object of an app) and templates: each is hashed once.
    let context = this.contextHash.get(job.context);
    if (context === undefined) {
      context = sha1(JSON.stringify(job.context));
      this.contextHash.set(job.context, context);
    }
    const text = template ? `${template.file}\n${template.text}` : '\u0000missing';
    let templateKey = this.templateHash.get(text);
    if (templateKey === undefined) {
      templateKey = sha1(text);
      this.templateHash.set(text, templateKey);
    }
    // Where findings point (origin, imageOrigin) shapes no output; a hit is handed back with the current job.
    const { context: _context, origin: _origin, imageOrigin: _imageOrigin, ...rest } = job;
    return sha1(`${this.fingerprint}\n${job.template}\n${templateKey}\n${JSON.stringify(rest)}\n${context}`);
  }

  private shard(cluster: string): Map<string, CachedObject[]> {
    let entries = this.shards.get(cluster);
    if (!entries) {
      const stored = load<Shard>(this.store, shardName(cluster), this.fingerprint);
      entries = new Map(Object.entries(stored?.jobs ?? {}));
      if (stored) this.storedPolicy.set(cluster, stored.policy);
      this.shards.set(cluster, entries);
    }
    return entries;
  }

  private usedIn(cluster: string): Map<string, CachedObject[]> {
    let m = this.used.get(cluster);
    if (!m) this.used.set(cluster, (m = new Map()));
    return m;
  }

  /** Keeps exactly the entries this render used, so the cache does not grow with every edit. */
  save(): void {
    for (const [cluster, used] of this.used) {
      if (!this.changed.has(cluster) && used.size === this.shard(cluster).size && this.samePolicy(cluster)) continue;
      keep(this.store, shardName(cluster), this.fingerprint, { policy: this.policy.get(cluster) ?? '', jobs: Object.fromEntries(used) } satisfies Shard);
    }
    try {
      for (const name of this.store.names()) {
        const m = shardPattern.exec(name);
        if (m && !this.used.has(m[1]!)) this.store.remove(name);
      }
    } catch {
      // Left-over entries are only disk space; they are never read for a cluster this render did not produce.
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs snapshot

interface InputsSnapshot {
  /** The `envs` option of the render, sorted and joined; '' for all. */
  envs: string;
  reads: [file: string, hash: string | null][];
  lists: [dir: string, entries: string][];
  /** Every produced file and the hash of its content. */
  files: [file: string, hash: string][];
  clusters: string[];
  /** The render's notes, so that a render answered from the snapshot says what a cold one says. */
  notes: string[];
}

const snapshotName = 'inputs.json';
const listingText = (entries: { name: string; isDir: boolean }[]): string => entries.map((e) => `${e.isDir ? 'd' : 'f'}:${e.name}`).join('\n');
const envsKey = (envs: string[] | undefined): string => (envs ? [...envs].sort().join(',') : '');
const byFirst = <T extends [string, unknown]>(a: T, b: T) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Wraps a reader to record what it returned, for the snapshot. */
function recordingReader(reader: RepoReader): { reader: RepoReader; reads: Map<string, string | null>; lists: Map<string, string> } {
  const reads = new Map<string, string | null>();
  const lists = new Map<string, string>();
  return {
    reads,
    lists,
    reader: {
      async read(file) {
        const text = await reader.read(file);
        reads.set(file, text === undefined ? null : sha1(text));
        return text;
      },
      async list(dir) {
        const entries = await reader.list(dir);
        lists.set(dir, listingText(entries));
        return entries;
      },
    },
  };
}

/**
 * Both levels for one checkout. Use: `unchanged` (plain render only), else `render`, then `save` once the render's
 * result is accepted (written or compared).
 */
export class RenderCache {
  private readonly jobs: JobCache;
  private pending: InputsSnapshot | undefined;

  constructor(
    private readonly store: CacheStore,
    private readonly fingerprint: string,
  ) {
    this.jobs = new JobCache(store, fingerprint);
  }

  /**
   * The number of files and the notes of the last render when nothing it read has changed since (same fingerprint,
   * same options) and `tree` (clusters/ on disk) holds exactly its files in its clusters' folders; else undefined.
   */
  async unchanged(reader: RepoReader, tree: Map<string, string>, envs: string[] | undefined): Promise<{ files: number; notes: string[] } | undefined> {
    const snapshot = load<InputsSnapshot>(this.store, snapshotName, this.fingerprint);
    // A snapshot without notes was written by a renderer that did not keep them: a render says them again.
    if (!snapshot || snapshot.envs !== envsKey(envs) || !Array.isArray(snapshot.notes)) return undefined;
    // Through the render's own reader (fs.ts), so a file that became a link out of the repository is not "unchanged".
    try {
      for (const [dir, entries] of snapshot.lists) if (listingText(await reader.list(dir)) !== entries) return undefined;
      for (const [file, hash] of snapshot.reads) {
        const text = await reader.read(file);
        if ((text === undefined ? null : sha1(text)) !== hash) return undefined;
      }
    } catch {
      return undefined;
    }
    const produced = new Map(snapshot.files);
    for (const [file, hash] of produced) {
      const current = tree.get(file);
      if (current === undefined || sha1(current) !== hash) return undefined;
    }
    // A file the render does not produce in its clusters' folders (or anywhere, for a whole render): the render
    // decides whether to prune it or refuse it as a file the renderer did not write.
    const inScope = (file: string) => !envs || snapshot.clusters.some((c) => file.startsWith(`${repoPaths.clusterDir(c)}/`));
    for (const file of tree.keys()) if (!produced.has(file) && inScope(file)) return undefined;
    return { files: produced.size, notes: snapshot.notes };
  }

  /** `render` with the job cache around each job, recording what it reads for the snapshot. */
  async render(render: (reader: RepoReader, opts: RenderOptions) => Promise<RenderResult>, reader: RepoReader, opts: RenderOptions): Promise<RenderResult> {
    const recorder = recordingReader(reader);
    const result = await render(recorder.reader, {
      ...opts,
      wrapJob: (run) => this.jobs.wrap(run),
      passedBefore: (cluster) => this.jobs.unchanged(cluster),
      checkedBefore: (object) => this.jobs.checkedBefore(object),
    });
    this.pending = {
      envs: envsKey(opts.envs),
      reads: [...recorder.reads].sort(byFirst),
      lists: [...recorder.lists].sort(byFirst),
      files: result.files.map((f) => [f.path, sha1(f.content)]),
      clusters: result.clusters,
      notes: result.notes,
    };
    return result;
  }

  /** Stores the job results and the snapshot of the last `render`. */
  save(): void {
    this.jobs.save();
    if (this.pending) keep(this.store, snapshotName, this.fingerprint, this.pending);
  }
}
