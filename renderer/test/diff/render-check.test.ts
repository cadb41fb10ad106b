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

  it('refuses a stale commit given as --head, checked in an exported copy of that commit', async () => {
    bumpStaging('1.9.1');
    const stale = commit(root, 'bump without rendering');
    try {
      const result = await run(['--base', 'HEAD~1', '--head', stale, '--env', 'staging']);
      expect(result.code).toBe(1);
      expect(result.err).toContain(`Error: the rendered output of commit ${stale.slice(0, 12)} is stale`);
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
