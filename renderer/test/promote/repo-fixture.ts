/**
 * Real temporary git repositories for the release, promote and gate tests.
 * `inputsRepo` holds apps/ and overlays/ only (enough for the gate, which reads files from commits);
 * `renderedRepo` is a full working copy of this repository (sources, renderer, scripts, compiled dist/, rendered
 * clusters/ committed), so a promotion renders with the real renderer, exactly as a person's checkout does.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultRepoRoot } from '../../src/paths.js';

const made: string[] = [];

export function gitIn(root: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }).trim();
}

function initGit(root: string): void {
  gitIn(root, 'init', '--quiet', '--initial-branch=main');
  gitIn(root, 'config', 'user.name', 'Test');
  gitIn(root, 'config', 'user.email', 'test@example.com');
  gitIn(root, 'config', 'commit.gpgsign', 'false');
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  made.push(dir);
  return dir;
}

/** Removes every folder this module made; call from afterAll. */
export function cleanUp(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function writeFile(root: string, file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

/** Writes files and commits them; returns the new commit id. */
export function commit(root: string, message: string, files: Record<string, string> = {}): string {
  for (const [file, text] of Object.entries(files)) writeFile(root, file, text);
  gitIn(root, 'add', '--all');
  gitIn(root, 'commit', '--quiet', '--allow-empty', '-m', message);
  return gitIn(root, 'rev-parse', 'HEAD');
}

/** A repository with the real apps/ and overlays/ committed on main. */
export function inputsRepo(): string {
  const root = tempDir('gate');
  for (const dir of ['apps', 'overlays']) cpSync(path.join(defaultRepoRoot, dir), path.join(root, dir), { recursive: true });
  initGit(root);
  commit(root, 'initial');
  return root;
}

let template: string | undefined;

/**
 * A working copy of this repository with clusters/ rendered and committed on main. The first call builds a
 * template (copies, compiles if needed, renders); later calls copy it, which keeps each test to one render.
 */
export function renderedRepo(): string {
  if (!template) {
    template = tempDir('promote-template');
    for (const entry of ['apps', 'base', 'overlays', 'renderer', 'scripts', 'dist', 'package.json', 'tsconfig.json', 'tsconfig.build.json', '.gitignore']) {
      // preserveTimestamps: dist/ stays newer than renderer/src, so the copy does not recompile.
      cpSync(path.join(defaultRepoRoot, entry), path.join(template, entry), { recursive: true, preserveTimestamps: true });
    }
    symlinkSync(path.join(defaultRepoRoot, 'node_modules'), path.join(template, 'node_modules'));
    mkdirSync(path.join(template, '.cache'));
    if (existsSync(path.join(defaultRepoRoot, '.cache', 'generated'))) {
      symlinkSync(path.join(defaultRepoRoot, '.cache', 'generated'), path.join(template, '.cache', 'generated'));
    }
    initGit(template);
    execFileSync(process.execPath, [path.join(template, 'scripts', 'render.mjs'), '--quiet'], { cwd: template, stdio: 'pipe' });
    commit(template, 'initial: sources and rendered clusters/');
  }
  const root = tempDir('promote');
  cpSync(template, root, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  return root;
}
