/**
 * Real temporary git repositories for the release, promote and gate tests.
 * `inputsRepo` holds apps/, overlays/ and clusters/index.json only (enough for the gate, which reads files from
 * commits, and the index's promotion chain);
 * `renderedRepo` is a full working copy of this repository (sources, renderer, scripts, compiled dist/, rendered
 * clusters/ committed), so a promotion renders with the real renderer, exactly as a person's checkout does.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultRepoRoot, repoPaths } from '../../src/paths.js';
import { cleanUp, commitAll, gitIn, initRepo, renderedWorkingCopy, tempDir } from '../git-repo.js';

export { cleanUp, gitIn, tempDir };

export function writeFile(root: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

/** Writes files and commits them; returns the new commit id. */
export function commit(root: string, message: string, files: Record<string, string> = {}): string {
  for (const [file, text] of Object.entries(files)) writeFile(root, file, text);
  return commitAll(root, message);
}

/** A repository with the real apps/, overlays/ and clusters/index.json committed on main. */
export function inputsRepo(): string {
  const root = tempDir('gate');
  for (const entry of ['apps', 'overlays', repoPaths.clusterIndex]) cpSync(path.join(defaultRepoRoot, entry), path.join(root, entry), { recursive: true });
  initRepo(root);
  commit(root, 'initial');
  return root;
}

let template: string | undefined;

/**
 * A working copy of this repository with clusters/ rendered and committed on main. The first call builds a
 * template (copies, compiles if needed, renders); later calls copy it, which keeps each test to one render.
 */
export function renderedRepo(): string {
  template ??= renderedWorkingCopy('promote-template');
  const root = tempDir('promote');
  cpSync(template, root, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  return root;
}

/**
 * Gives `root` a bare repository as `origin` holding main, with origin's HEAD recorded as a clone records it.
 * `preReceive`, when given, becomes origin's pre-receive hook (a shell script), e.g. one that refuses every push.
 */
export function addOrigin(root: string, preReceive?: string): string {
  const origin = tempDir('origin');
  gitIn(origin, 'init', '--quiet', '--bare', '--initial-branch=main');
  gitIn(root, 'remote', 'add', 'origin', origin);
  gitIn(root, 'push', '--quiet', 'origin', 'main');
  gitIn(root, 'remote', 'set-head', 'origin', 'main');
  if (preReceive !== undefined) writeFileSync(path.join(origin, 'hooks', 'pre-receive'), `#!/bin/sh\n${preReceive}\n`, { mode: 0o755 });
  return origin;
}
