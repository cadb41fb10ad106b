/**
 * The render cache in `.cache/render/` (git-ignored), so that a render reuses what did not change. Two levels:
 *
 * - Inputs snapshot (`inputs.json`): every file the last successful render read and every folder it listed, by
 *   content hash, with the hash of each file it produced. The render is a pure function of what its RepoReader
 *   returns (the loader is the only stage that reads), of the renderer's code and of the options; so when every
 *   recorded read and listing returns the same again, the output is the same, and only clusters/ on disk needs
 *   comparing.
 * - Job results (`jobs-<cluster>.json`): per template job, keyed by a hash of the renderer version, the template text, the job
 *   (cluster, folder, sources, …) and its context, the normalized objects and emitted file contents. A job whose
 *   key is known skips templating, parsing, normalizing and serializing.
 *
 * Every entry is keyed by the renderer version (a hash of its compiled code and the yaml and handlebars versions), so
 * a changed renderer never reuses old results. A missing, unreadable or foreign cache is simply a cold cache;
 * renderer/test/bench/cache.test.ts proves that a warm render writes the same bytes as a cold one.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { repoPaths } from './paths.js';
import { listRepoFolder, readRepoFile, type RepoReader } from './fs.js';
import type { KubeObject } from './parse.js';
import type { TemplateJob } from './template.js';

const format = 1;

export const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

let versionMemo: string | undefined;

/** A hash of the compiled renderer (every module next to this one) and of the libraries that shape its output. */
export function rendererVersion(): string {
  if (versionMemo) return versionMemo;
  const hash = createHash('sha1').update(`format ${format}\n`);
  const dir = path.dirname(fileURLToPath(import.meta.url));
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith('.js')) hash.update(name).update(readFileSync(path.join(dir, name)));
  }
  const require = createRequire(import.meta.url);
  for (const lib of ['yaml', 'handlebars']) {
    try {
      // Find the package folder from its entry point: package.json is not always an exported subpath.
      let d = path.dirname(require.resolve(lib));
      while (!existsSync(path.join(d, 'package.json')) && path.dirname(d) !== d) d = path.dirname(d);
      hash.update(readFileSync(path.join(d, 'package.json')));
    } catch {
      hash.update(`${lib}: unknown`);
    }
  }
  versionMemo = hash.digest('hex');
  return versionMemo;
}

// ---------------------------------------------------------------------------------------------------------------
// Inputs snapshot

export interface InputsSnapshot {
  format: number;
  version: string;
  /** The `envs` option of the render, sorted and joined; '' for all. */
  envs: string;
  reads: [file: string, hash: string | null][];
  lists: [dir: string, entries: string][];
  /** Every produced file and the hash of its content. */
  files: [file: string, hash: string][];
  clusters: string[];
}

const listingText = (entries: { name: string; isDir: boolean }[]): string => entries.map((e) => `${e.isDir ? 'd' : 'f'}:${e.name}`).join('\n');

/** Wraps a reader to record what it returned, for the snapshot. */
export function recordingReader(reader: RepoReader): { reader: RepoReader; reads: Map<string, string | null>; lists: Map<string, string> } {
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

function cacheFile(root: string, name: string): string {
  return path.join(root, repoPaths.cacheDir, 'render', name);
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Writes next to the target and renames, so a concurrent reader never sees half a file. */
function writeJson(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, file);
}

export const envsKey = (envs: string[] | undefined): string => (envs ? [...envs].sort().join(',') : '');

/**
 * The snapshot of the last render when nothing it read has changed since (same renderer, same options); else
 * undefined. Reads the recorded files synchronously: a few hundred small reads, far cheaper than a render.
 */
export function unchangedSnapshot(root: string, envs: string[] | undefined): InputsSnapshot | undefined {
  const snapshot = readJson<InputsSnapshot>(cacheFile(root, 'inputs.json'));
  if (!snapshot || snapshot.format !== format || snapshot.version !== rendererVersion() || snapshot.envs !== envsKey(envs)) return undefined;
  try {
    // The same reads as a render's (fs.ts), so a file that became a link out of the repository is not "unchanged".
    for (const [dir, entries] of snapshot.lists) if (listingText(listRepoFolder(root, dir)) !== entries) return undefined;
    for (const [file, hash] of snapshot.reads) {
      const now = readRepoFile(root, file);
      if ((now === undefined ? null : sha1(now)) !== hash) return undefined;
    }
  } catch {
    return undefined;
  }
  return snapshot;
}

export function saveSnapshot(root: string, snapshot: Omit<InputsSnapshot, 'format' | 'version'>): void {
  try {
    writeJson(cacheFile(root, 'inputs.json'), { format, version: rendererVersion(), ...snapshot });
  } catch {
    // A cache that cannot be written only makes the next render slower.
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Job results

export interface CachedObject {
  object: KubeObject;
  templateFile: string;
  /** The emitted file content (header + YAML). */
  content: string;
}

/**
 * Per-job results, one file per cluster (`jobs-<cluster>.json`), each read on first use and written only when its
 * entries changed: an edit in one environment rewrites that environment's file only.
 */
export class JobCache {
  private readonly shards = new Map<string, Map<string, CachedObject[]>>();
  private readonly used = new Map<string, Map<string, CachedObject[]>>();
  private readonly changed = new Set<string>();
  private readonly contextHash = new WeakMap<object, string>();
  private readonly templateHash = new Map<string, string>();

  constructor(private readonly root: string) {}

  private shard(cluster: string): Map<string, CachedObject[]> {
    let entries = this.shards.get(cluster);
    if (!entries) {
      const stored = readJson<{ format: number; version: string; jobs: Record<string, CachedObject[]> }>(cacheFile(this.root, `jobs-${cluster}.json`));
      entries = stored && stored.format === format && stored.version === rendererVersion() ? new Map(Object.entries(stored.jobs)) : new Map();
      this.shards.set(cluster, entries);
    }
    return entries;
  }

  /** The key of a job: renderer version, template text, every job field and the context. */
  keyOf(job: TemplateJob, templateText: string | undefined): string {
    // Jobs share contexts (every object of an app) and templates: each is hashed once.
    let context = this.contextHash.get(job.context);
    if (context === undefined) {
      context = sha1(JSON.stringify(job.context));
      this.contextHash.set(job.context, context);
    }
    const text = templateText ?? '\u0000missing';
    let template = this.templateHash.get(text);
    if (template === undefined) {
      template = sha1(text);
      this.templateHash.set(text, template);
    }
    const { context: _context, ...rest } = job;
    return sha1(`${rendererVersion()}\n${job.template}\n${template}\n${JSON.stringify(rest)}\n${context}`);
  }

  get(key: string, cluster: string): CachedObject[] | undefined {
    const hit = this.shard(cluster).get(key);
    if (hit) this.usedIn(cluster).set(key, hit);
    return hit;
  }

  set(key: string, cluster: string, objects: CachedObject[]): void {
    this.usedIn(cluster).set(key, objects);
    this.changed.add(cluster);
  }

  private usedIn(cluster: string): Map<string, CachedObject[]> {
    let m = this.used.get(cluster);
    if (!m) this.used.set(cluster, (m = new Map()));
    return m;
  }

  /** Keeps exactly the entries this render used, so the cache does not grow with every edit. */
  save(): void {
    try {
      for (const [cluster, used] of this.used) {
        if (!this.changed.has(cluster) && used.size === this.shard(cluster).size) continue;
        writeJson(cacheFile(this.root, `jobs-${cluster}.json`), { format, version: rendererVersion(), jobs: Object.fromEntries(used) });
      }
      const dir = path.dirname(cacheFile(this.root, 'x'));
      for (const name of readdirSync(dir)) {
        const m = /^jobs-(.+)\.json$/.exec(name);
        if (m && !this.used.has(m[1]!)) rmSync(path.join(dir, name), { force: true });
      }
    } catch {
      // A cache that cannot be written only makes the next render slower.
    }
  }
}
