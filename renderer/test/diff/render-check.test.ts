/**
 * The head must be what its sources render before its diff means anything. These tests run the real renderer
 * (scripts/run.mjs render of a full copy of this repository) on a real git repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../src/diff/cli.js';
import { exportHead } from '../../src/diff/render-check.js';
import { runCaptured } from '../command.js';
import { cleanUp, commit, gitIn } from './fixture.js';
import { renderedWorkingCopy, tempDir } from '../git-repo.js';

afterAll(cleanUp);

let root: string;

beforeAll(() => {
  root = renderedWorkingCopy('diff-rendered');
}, 120_000);

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const result = await runCaptured(command, argv, root);
  return { code: result.code, out: result.out.join('\n'), err: result.err.join('\n') };
}

/** The newest modification time of any file under `dir`, as `scripts/lib/run.mjs` compares it with its build stamp. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function bumpStaging(version: string): void {
  const file = path.join(root, 'overlays', 'staging', 'versions.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^api-gateway: .*$/m, `api-gateway: ${version}`));
}

describe('diff render check', () => {
  it('refuses a working tree whose sources changed without a render, naming the stale file and what to run', async () => {
    bumpStaging('1.9.0');
    try {
      expect(await run(['--env', 'staging'])).toMatchObject({
        code: 1,
        err:
          'Error: the rendered output of the working tree is stale: clusters/ is not what its sources render, so a diff of it would not show what will be deployed\n' +
          '  differs:      clusters/staging/apps/api-gateway/manifest.yaml\n' +
          // The post-deploy tests name the version each app must answer with.
          '  differs:      clusters/staging/post-deploy/manifest.yaml\n' +
          'hint: run `npm run render` and commit the result, then run the diff again',
      });
    } finally {
      gitIn(root, 'checkout', '--', 'overlays');
    }
  });

  it('diffs a rendered working tree after the check passes', async () => {
    bumpStaging('1.9.0');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'run.mjs'), 'render', '--quiet'], { cwd: root, stdio: 'pipe' });
    try {
      const result = await run(['--env', 'staging']);
      expect(result.code).toBe(3);
      expect(result.out).toContain('    ~ Deployment berrys-staging/api-gateway  [rolls pods, image]\n        image api-gateway: 1.8.3 → 1.9.0');
    } finally {
      gitIn(root, 'checkout', '--', 'overlays', 'clusters');
    }
  });

  it('refuses a stale commit given as --head, rendered in memory from its committed inputs, naming the stale files', async () => {
    bumpStaging('1.9.1');
    const stale = commit(root, 'bump without rendering');
    try {
      const result = await run(['--base', 'HEAD~1', '--head', stale, '--env', 'staging']);
      expect(result).toMatchObject({
        code: 1,
        err:
          `Error: the rendered output of commit ${stale.slice(0, 12)} is stale: clusters/ is not what its sources render, so a diff of it would not show what will be deployed\n` +
          '  differs:      clusters/staging/apps/api-gateway/manifest.yaml\n' +
          '  differs:      clusters/staging/post-deploy/manifest.yaml\n' +
          'hint: run `npm run render` and commit the result, then run the diff again',
      });
      // Nothing was checked out or written: the working tree is the stale commit's, clusters/ as committed.
      expect(gitIn(root, 'status', '--porcelain')).toBe('');
    } finally {
      gitIn(root, 'reset', '--quiet', '--hard', 'HEAD~1');
    }
  });

  it('passes a rendered commit given as --head and names it as the head, without writing into the checkout', async () => {
    bumpStaging('1.9.2');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'run.mjs'), 'render', '--quiet'], { cwd: root, stdio: 'pipe' });
    const head = commit(root, 'bump and render');
    const cache = (name: string) => readFileSync(path.join(root, '.cache', 'render', name), 'utf8');
    const before = cache('jobs-staging.json');
    try {
      const result = await run(['--base', 'HEAD~1', '--head', head, '--env', 'staging']);
      expect(result.code).toBe(3);
      expect(result.out).toContain('image api-gateway: 1.8.3 → 1.9.2');
      expect(cache('jobs-staging.json')).toBe(before);
    } finally {
      gitIn(root, 'reset', '--quiet', '--hard', 'HEAD~1');
    }
  });

  it('hands a commit whose input is not UTF-8 to the disk reader in an exported copy, which names the file and the byte', async () => {
    const file = 'overlays/staging/versions.yaml';
    const bytes = Buffer.concat([readFileSync(path.join(root, file)), Buffer.from([0x23, 0x20, 0xff, 0x0a])]);
    writeFileSync(path.join(root, file), bytes);
    const head = commit(root, 'a byte that is not UTF-8');
    try {
      const result = await run(['--base', 'HEAD~1', '--head', head]);
      expect(result.code).toBe(1);
      expect(result.err).toContain(`the render check of commit ${head.slice(0, 12)} failed`);
      expect(result.err).toContain(`${file}`);
      expect(result.err).toContain('this input file is not valid UTF-8: byte 0xFF');
    } finally {
      gitIn(root, 'reset', '--quiet', '--hard', 'HEAD~1');
    }
  });

  it("checks a head commit whose renderer is this checkout's with this checkout's compiled renderer, so nothing compiles", async () => {
    const dir = tempDir('diff-export');
    const exported = await exportHead(root, gitIn(root, 'rev-parse', 'HEAD'), dir);
    expect(exported.reusedRenderer).toBe(true);
    // scripts/lib/run.mjs recompiles when any source is newer than the stamp; every exported file is new.
    expect(statSync(path.join(dir, 'dist', '.build-stamp')).mtimeMs).toBeGreaterThanOrEqual(newestMtime(path.join(dir, 'renderer', 'src')));
  });

  it("compiles the head's own renderer when this checkout's compiled one is older than its sources", async () => {
    const source = path.join(root, 'renderer', 'src', 'paths.ts');
    const before = statSync(source);
    const later = new Date(statSync(path.join(root, 'dist', '.build-stamp')).mtimeMs + 60_000);
    utimesSync(source, later, later);
    try {
      const exported = await exportHead(root, gitIn(root, 'rev-parse', 'HEAD'), tempDir('diff-export'));
      expect(exported.reusedRenderer).toBe(false);
      expect(existsSync(path.join(exported.dir, 'dist'))).toBe(false);
    } finally {
      utimesSync(source, before.atime, before.mtime);
    }
  });

  it("reads a head commit's own files even when its .gitattributes keeps them out of an archive", async () => {
    const head = commit(root, 'export-ignore the rendered output', { '.gitattributes': 'clusters/** export-ignore\n' });
    try {
      expect(await run(['--base', 'HEAD~1', '--head', head])).toMatchObject({ code: 0, err: '' });
    } finally {
      gitIn(root, 'reset', '--quiet', '--hard', 'HEAD~1');
    }
  });
});
