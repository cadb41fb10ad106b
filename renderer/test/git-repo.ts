/**
 * Real temporary git repositories for tests: made with git in a temporary folder, removed after the suite.
 * `renderedWorkingCopy` is a full copy of this repository (sources, renderer, scripts, compiled dist/) with clusters/
 * rendered by its own scripts/run.mjs render and committed on main, as a person's checkout is.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultRepoRoot } from '../src/paths.js';

const made: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  made.push(dir);
  return dir;
}

/** Removes every folder this module made; call from afterAll. */
export function cleanUp(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Runs git in `root` with a fixed locale and fixed dates, so outputs do not depend on the machine or the clock. */
export function gitIn(root: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C', GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z' },
  }).trim();
}

/** `git init` on branch main with a test identity (CI machines may have none). */
export function initRepo(root: string): void {
  gitIn(root, 'init', '--quiet', '--initial-branch=main');
  gitIn(root, 'config', 'user.name', 'Test');
  gitIn(root, 'config', 'user.email', 'test@example.com');
  gitIn(root, 'config', 'commit.gpgsign', 'false');
}

/** Stages everything and commits; returns the new commit id. */
export function commitAll(root: string, message: string): string {
  gitIn(root, 'add', '--all');
  gitIn(root, 'commit', '--quiet', '--allow-empty', '-m', message);
  return gitIn(root, 'rev-parse', 'HEAD');
}

const copied = ['apps', 'base', 'overlays', 'renderer', 'scripts', 'dist', 'package.json', 'tsconfig.json', 'tsconfig.build.json', '.gitignore'];

/** A full working copy of this repository with clusters/ rendered and committed on main. */
export function renderedWorkingCopy(prefix: string): string {
  const root = tempDir(prefix);
  for (const entry of copied) {
    // preserveTimestamps: the copied dist/ stays newer than renderer/src, so nothing recompiles.
    cpSync(path.join(defaultRepoRoot, entry), path.join(root, entry), { recursive: true, preserveTimestamps: true });
  }
  symlinkSync(path.join(defaultRepoRoot, 'node_modules'), path.join(root, 'node_modules'));
  mkdirSync(path.join(root, '.cache'));
  if (existsSync(path.join(defaultRepoRoot, '.cache', 'generated'))) {
    symlinkSync(path.join(defaultRepoRoot, '.cache', 'generated'), path.join(root, '.cache', 'generated'));
  }
  initRepo(root);
  // .gitignore's `node_modules/` matches folders only, and here it is a symlink.
  writeFileSync(path.join(root, '.git', 'info', 'exclude'), 'node_modules\n');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'run.mjs'), 'render', '--quiet'], { cwd: root, stdio: 'pipe' });
  commitAll(root, 'initial: sources and rendered clusters/');
  return root;
}
