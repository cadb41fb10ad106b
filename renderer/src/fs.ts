/**
 * The only file-system surface of the renderer. The loader reads through a RepoReader and the writer writes
 * through the node implementation; tests hand the pipeline an in-memory reader instead.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';

export interface RepoReader {
  /** Reads a repository-relative POSIX path; undefined when the file does not exist. */
  read(file: string): Promise<string | undefined>;
  /** Lists the entries of a repository-relative folder (names only, sorted); [] when it does not exist. */
  list(dir: string): Promise<{ name: string; isDir: boolean }[]>;
}

/** Reads a checkout on disk. */
export function diskReader(root: string): RepoReader {
  return {
    async read(file) {
      try {
        return await fsp.readFile(path.join(root, file), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async list(dir) {
      try {
        const entries = await fsp.readdir(path.join(root, dir), { withFileTypes: true });
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
