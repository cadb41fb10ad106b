/**
 * The only file-system surface of the renderer. The loader reads through a RepoReader, the render cache keeps its
 * entries in a CacheStore, and the writer writes through the node implementation; tests hand the pipeline an
 * in-memory reader and store instead.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface RepoReader {
  /** Reads a repository-relative POSIX path; undefined when the file does not exist. */
  read(file: string): Promise<string | undefined>;
  /** Lists the entries of a repository-relative folder (names only, sorted); [] when it does not exist. */
  list(dir: string): Promise<{ name: string; isDir: boolean }[]>;
}

/**
 * Reads a checkout on disk. Why synchronous calls behind the promise: a render reads a thousand small inputs, and a
 * thread-pool round trip per call (open, stat, read, close) costs more than the reads themselves.
 */
export function diskReader(root: string): RepoReader {
  return {
    async read(file) {
      try {
        return readFileSync(path.join(root, file), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async list(dir) {
      try {
        const entries = readdirSync(path.join(root, dir), { withFileTypes: true });
        return entries.map((e) => ({ name: e.name, isDir: e.isDirectory() })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    },
  };
}

/** An in-memory repository: `{ 'apps/x.yaml': '…' }`. Folders are implied by the paths. */
export function memoryReader(files: Record<string, string>): RepoReader {
  return {
    async read(file) {
      return Object.prototype.hasOwnProperty.call(files, file) ? files[file] : undefined;
    },
    async list(dir) {
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      const seen = new Map<string, boolean>();
      for (const file of Object.keys(files)) {
        if (!file.startsWith(prefix)) continue;
        const rest = file.slice(prefix.length);
        const slash = rest.indexOf('/');
        const name = slash === -1 ? rest : rest.slice(0, slash);
        seen.set(name, (seen.get(name) ?? false) || slash !== -1);
      }
      return [...seen].map(([name, isDir]) => ({ name, isDir })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  };
}

/** Named texts that the render cache (cache.ts) keeps between runs. */
export interface CacheStore {
  /** The text stored under `name`; undefined when there is none. */
  read(name: string): string | undefined;
  /** Stores `text` under `name`; a concurrent reader sees the old text or the new one, never half of it. */
  write(name: string, text: string): void;
  names(): string[];
  remove(name: string): void;
}

/** A store in a folder of the checkout (git-ignored .cache/render/), one file per name. */
export function diskStore(dir: string): CacheStore {
  return {
    read(name) {
      try {
        return readFileSync(path.join(dir, name), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    write(name, text) {
      mkdirSync(dir, { recursive: true });
      const tmp = path.join(dir, `${name}.${process.pid}.tmp`);
      writeFileSync(tmp, text);
      renameSync(tmp, path.join(dir, name));
    },
    names() {
      try {
        return readdirSync(dir).sort();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    },
    remove(name) {
      rmSync(path.join(dir, name), { force: true });
    },
  };
}

/** An in-memory store: the map is the store's content, for tests to read and change. */
export function memoryStore(entries = new Map<string, string>()): CacheStore {
  return {
    read: (name) => entries.get(name),
    write: (name, text) => void entries.set(name, text),
    names: () => [...entries.keys()].sort(),
    remove: (name) => void entries.delete(name),
  };
}
