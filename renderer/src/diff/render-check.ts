/**
 * The one place that decides whether the head's committed output is what its sources render. It runs the
 * head's own renderer (`scripts/render.mjs --check`), so a head that changes the renderer is judged by its own
 * code. Swap this function to change how freshness is proven.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Revision } from './git.js';
import { boundedLines } from '../errors.js';

/** Exit code of `render --check` when the committed output differs (ARCHITECTURE.md: 3 = differences). */
const stale = 3;

export type RenderCheck = (root: string, head: Revision) => Promise<void>;

/** Thrown when the head is stale; the message names the files and what to run. */
export class StaleHeadError extends Error {
  override name = 'StaleHeadError';
  constructor(
    readonly files: string[],
    headLabel: string,
  ) {
    super(
      `the rendered output of ${headLabel} is stale: clusters/ is not what its sources render, so a diff of it would not show what will be deployed\n` +
        files.map((f) => `  ${f}`).join('\n') +
        `\nhint: run \`npm run render\` and commit the result, then run the diff again`,
    );
  }
}

function spawnNode(cwd: string, args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Runs a command for its exit code only. */
function exec(command: string, args: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function checkIn(dir: string, headLabel: string): Promise<void> {
  const script = path.join(dir, 'scripts', 'render.mjs');
  if (!existsSync(script)) {
    throw new Error(`cannot check that ${headLabel} is rendered: it has no scripts/render.mjs; pass --no-render-check to compare the committed trees as they are`);
  }
  const result = await spawnNode(dir, [script, '--check', '--quiet']);
  if (result.code === 0) return;
  if (result.code === stale) {
    // `render --check` lists the files as "  differs:    <path>" and "  not produced: <path>".
    const files = result.stderr
      .split('\n')
      .map((l) => /^\s+(differs|not produced):\s+(\S+)/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => `${m[1] === 'differs' ? 'differs:     ' : 'not produced:'} ${m[2]}`);
    throw new StaleHeadError(files, headLabel);
  }
  throw new Error(`the render check of ${headLabel} failed (exit ${result.code}); the head does not render:\n${boundedLines(result.stderr.trim())}`);
}

/**
 * Runs the head's render check. The working tree is checked in place. A commit is exported with `git archive`
 * into a temporary folder that borrows this checkout's node_modules (and its compiled renderer when the commit's
 * renderer sources are the same as the working tree's, which saves a compile).
 */
export const checkHeadRendered: RenderCheck = async (root, head) => {
  if (head.kind === 'worktree') return checkIn(root, 'the working tree');
  const label = `commit ${head.commit.slice(0, 12)}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berrys-diff-head-'));
  try {
    const tar = path.join(dir, 'head.tar');
    if ((await exec('git', ['archive', '--format=tar', `--output=${tar}`, head.commit], root)) !== 0) throw new Error(`git archive ${head.commit} failed`);
    const tree = path.join(dir, 'tree');
    mkdirSync(tree);
    if ((await exec('tar', ['-xf', tar, '-C', tree], dir)) !== 0) throw new Error(`could not unpack ${label} into ${tree} (tar)`);
    if (existsSync(path.join(root, 'node_modules')) && !existsSync(path.join(tree, 'node_modules'))) symlinkSync(path.join(root, 'node_modules'), path.join(tree, 'node_modules'));
    const generated = path.join(root, '.cache', 'generated');
    if (existsSync(generated) && !existsSync(path.join(tree, '.cache', 'generated'))) {
      mkdirSync(path.join(tree, '.cache'), { recursive: true });
      symlinkSync(generated, path.join(tree, '.cache', 'generated'));
    }
    const sameRenderer =
      existsSync(path.join(root, 'dist', '.build-stamp')) &&
      (await exec('git', ['diff', '--quiet', head.commit, '--', 'renderer/src', 'package.json', 'tsconfig.json', 'tsconfig.build.json'], root)) === 0;
    if (sameRenderer) cpSync(path.join(root, 'dist'), path.join(tree, 'dist'), { recursive: true, preserveTimestamps: true });
    await checkIn(tree, label);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
