/**
 * Stage 8, write: the only stage that changes files. It compares the emitted files with the rendered tree on disk,
 * writes what differs, prunes generated files that are no longer produced, and never touches a file it did not
 * generate. Everything that can fail (render, checks) has happened before this stage starts, and new content is
 * staged in temporary files that are renamed into place only once all of them are written.
 */
import { promises as fsp, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { repoPaths } from './paths.js';
import { generatedMarker, type EmittedFile } from './emit.js';
import { RenderError } from './errors.js';

export interface WritePlan {
  write: EmittedFile[];
  remove: string[];
  unchanged: number;
}

/** Reads every file under clusters/ (repository-relative POSIX paths → content). */
export async function readRenderedTree(root: string): Promise<Map<string, string>> {
  // Performance (bench helper): synchronous reads. Thousands of small files read through fs.promises cost several
  // thread-pool round trips each (open, stat, read, close); the synchronous calls are several times faster here,
  // and nothing else runs while the renderer reads its own output.
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(path.join(root, dir), { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (e.isFile()) files.set(rel, readFileSync(path.join(root, rel), 'utf8'));
    }
  };
  walk(repoPaths.clustersDir);
  return files;
}

function isGenerated(file: string, content: string): boolean {
  return file === repoPaths.clusterIndex || content.startsWith(generatedMarker);
}

/**
 * Pure: what to write and remove. `clusters` limits pruning to the rendered clusters (a render of one
 * environment leaves the others alone).
 */
export function planWrite(existing: Map<string, string>, emitted: EmittedFile[], clusters: string[]): WritePlan {
  const produced = new Set(emitted.map((f) => f.path));
  const write: EmittedFile[] = [];
  let unchanged = 0;
  const problems = [];
  for (const f of emitted) {
    const current = existing.get(f.path);
    if (current === f.content) unchanged++;
    else if (current !== undefined && !isGenerated(f.path, current)) {
      problems.push({ file: f.path, message: 'refusing to overwrite a file the renderer did not generate', hint: 'move the hand-written file out of clusters/ (only the renderer writes there)' });
    } else write.push(f);
  }
  if (problems.length) throw new RenderError(problems);
  const inScope = (file: string) => clusters.some((c) => file.startsWith(`${repoPaths.clusterDir(c)}/`));
  const remove = [...existing]
    .filter(([file, content]) => !produced.has(file) && inScope(file) && isGenerated(file, content))
    .map(([file]) => file)
    .sort();
  return { write, remove, unchanged };
}

/** Applies a plan: stage every new file next to its target, then rename them all, then prune. */
export async function applyWrite(root: string, plan: WritePlan): Promise<void> {
  // Performance (bench helper): synchronous calls and one mkdir per folder, for the same reason as above.
  const staged: [string, string][] = [];
  const created: string[] = [];
  const made = new Set<string>();
  /** Folders this write created (the topmost of each mkdir), removed again if the write fails. */
  const newFolders: string[] = [];
  try {
    for (const f of plan.write) {
      const target = path.join(root, f.path);
      const dir = path.dirname(target);
      if (!made.has(dir)) {
        const first = mkdirSync(dir, { recursive: true });
        if (first) newFolders.push(first);
        made.add(dir);
      }
      // A new file is written in place (exclusive create: one directory operation instead of two); undoing it is
      // removing it. A file that exists is staged next to it and renamed over it only once every file is written.
      try {
        writeFileSync(target, f.content, { flag: 'wx' });
        created.push(target);
        continue;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const tmp = `${target}.render-${process.pid}.tmp`;
      writeFileSync(tmp, f.content);
      staged.push([tmp, target]);
    }
  } catch (err) {
    for (const [tmp] of staged) rmSync(tmp, { force: true });
    for (const file of created) rmSync(file, { force: true });
    for (const dir of newFolders.reverse()) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  for (const [tmp, target] of staged) renameSync(tmp, target);
  for (const file of plan.remove) rmSync(path.join(root, file), { force: true });
  // Prune folders the removals emptied (an app taken out of the catalogue loses its folder).
  const dirs = [...new Set(plan.remove.map((f) => path.posix.dirname(f)))].sort((a, b) => b.length - a.length);
  for (const dir of dirs) {
    let d = dir;
    while (d.startsWith(`${repoPaths.clustersDir}/`)) {
      try {
        await fsp.rmdir(path.join(root, d));
      } catch {
        break;
      }
      d = path.posix.dirname(d);
    }
  }
}
