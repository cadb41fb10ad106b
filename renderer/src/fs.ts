/**
 * The only file-system surface of the renderer. The loader reads through a RepoReader, the render cache keeps its
 * entries in a CacheStore, and the writer writes through the node implementation; tests hand the pipeline an
 * in-memory reader and store instead.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileSystemProblem, RenderError, type Problem } from './errors.js';

export interface RepoReader {
  /** Reads a repository-relative POSIX path; undefined when the file does not exist. */
  read(file: string): Promise<string | undefined>;
  /** Lists the entries of a repository-relative folder (names only, sorted); [] when it does not exist. */
  list(dir: string): Promise<{ name: string; isDir: boolean }[]>;
}

/**
 * Reads one repository file the way every input must be read: a regular file whose real path is inside the
 * repository. A symbolic link that leads out of it (to /proc/self/environ, a home folder, another checkout) is
 * refused naming the link, before anything is read, so nothing outside the repository can shape the output or be
 * echoed in a message. Undefined when the file does not exist; any other failure is a RenderError that names the
 * file and its role.
 */
export function readRepoFile(root: string, file: string): string | undefined {
  const full = path.join(root, file);
  const fail = (problem: Problem): never => {
    throw new RenderError([problem]);
  };
  let link: boolean;
  try {
    link = lstatSync(full).isSymbolicLink();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return fail(fileSystemProblem(file, 'input file', err));
  }
  let real: string;
  try {
    real = realpathSync.native(full);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return fail({
        file,
        message: 'this input file is a symbolic link to a file that does not exist',
        hint: 'replace the link with the file itself; input files must be regular files inside the repository',
      });
    }
    return fail(fileSystemProblem(file, 'input file', err));
  }
  if (!isInside(realRoot(root), real)) {
    fail({
      file,
      message: link
        ? 'this input file is a symbolic link that resolves outside the repository'
        : 'this input file resolves outside the repository through a symbolically linked folder',
      hint: 'input files must be regular files inside the repository: replace the link with the file itself (nothing was read through it)',
    });
  }
  try {
    if (!statSync(real).isFile()) fail({ file, message: 'this input file is not a regular file', hint: 'input files must be regular files (not folders, devices or pipes)' });
    return decodeInput(file, readFileSync(real));
  } catch (err) {
    if (err instanceof RenderError) throw err;
    return fail(fileSystemProblem(file, 'input file', err));
  }
}

/**
 * An input file's bytes as text. Why strict: Node's default decoding turns a byte that is not UTF-8 into U+FFFD
 * without a word, and that character would be rendered into every cluster; the file is refused at the first such
 * byte instead (a byte-order mark is kept, as before, for the YAML parser to skip).
 */
function decodeInput(file: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    // The longest prefix that decodes (an unfinished last character allowed) ends where the first bad byte starts.
    const decodes = (n: number) => {
      try {
        new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, n), { stream: true });
        return true;
      } catch {
        return false;
      }
    };
    let [good, bad] = [0, bytes.length];
    while (bad - good > 1) {
      const mid = Math.floor((good + bad) / 2);
      if (decodes(mid)) good = mid;
      else bad = mid;
    }
    const before = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(0, good), { stream: true });
    const offset = Buffer.byteLength(before);
    throw new RenderError([
      {
        file,
        line: before.split('\n').length,
        col: before.length - before.lastIndexOf('\n'),
        message: `this input file is not valid UTF-8: byte 0x${bytes[offset]!.toString(16).toUpperCase().padStart(2, '0')} cannot be read as text here`,
        hint: 'save the file as UTF-8; the renderer never guesses an encoding or replaces a byte it cannot read',
      },
    ]);
  }
}

/** Lists a repository folder (names, sorted; [] when it does not exist); errors name the folder. */
function listRepoFolder(root: string, dir: string): { name: string; isDir: boolean }[] {
  let entries;
  try {
    entries = readdirSync(path.join(root, dir), { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new RenderError([fileSystemProblem(dir, 'input folder', err)]);
  }
  // A linked folder counts as the folder it leads to, if that is inside the repository; a link out of it is refused
  // here, because silently skipping it would drop an environment (and prune its clusters' output).
  const isDir = (name: string, linked: boolean, plain: boolean): boolean => {
    if (!linked) return plain;
    const full = path.join(root, dir, name);
    let real: string;
    try {
      real = realpathSync.native(full);
    } catch {
      return false; // a dangling link: reading it as a file says so
    }
    if (!statSync(real).isDirectory()) return false;
    if (!isInside(realRoot(root), real)) {
      throw new RenderError([
        {
          file: `${dir}/${name}`,
          message: 'this input folder is a symbolic link that resolves outside the repository',
          hint: 'input folders must be inside the repository: replace the link with the folder itself (nothing was read through it)',
        },
      ]);
    }
    return true;
  };
  return entries.map((e) => ({ name: e.name, isDir: isDir(e.name, e.isSymbolicLink(), e.isDirectory()) })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const realRoots = new Map<string, string>();
function realRoot(root: string): string {
  let real = realRoots.get(root);
  if (real === undefined) realRoots.set(root, (real = realpathSync.native(root)));
  return real;
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Reads a checkout on disk. */
export function diskReader(root: string): RepoReader {
  return {
    async read(file) {
      return readRepoFile(root, file);
    },
    async list(dir) {
      return listRepoFolder(root, dir);
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
