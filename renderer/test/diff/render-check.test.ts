/**
 * The head must be what its sources render before its diff means anything. These tests run the real renderer
 * (scripts/render.mjs of a full copy of this repository) on a real git repository.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type DiffIo } from '../../src/diff/cli.js';
import { defaultRepoRoot } from '../../src/paths.js';
import { cleanUp, commit, gitIn, tempDir } from './fixture.js';

afterAll(cleanUp);

let root: string;

beforeAll(() => {
  root = tempDir('diff-rendered');
  for (const entry of ['apps', 'base', 'overlays', 'renderer', 'scripts', 'dist', 'package.json', 'tsconfig.json', 'tsconfig.build.json', '.gitignore']) {
    // preserveTimestamps: the copied dist/ stays newer than renderer/src, so nothing recompiles.
    cpSync(path.join(defaultRepoRoot, entry), path.join(root, entry), { recursive: true, preserveTimestamps: true });
  }
  symlinkSync(path.join(defaultRepoRoot, 'node_modules'), path.join(root, 'node_modules'));
  mkdirSync(path.join(root, '.cache'));
  if (existsSync(path.join(defaultRepoRoot, '.cache', 'generated'))) {
    symlinkSync(path.join(defaultRepoRoot, '.cache', 'generated'), path.join(root, '.cache', 'generated'));
  }
  gitIn(root, 'init', '--quiet', '--initial-branch=main');
  gitIn(root, 'config', 'user.name', 'Test');
  gitIn(root, 'config', 'user.email', 'test@example.com');
  // .gitignore's `node_modules/` matches folders only, and here it is a symlink.
  writeFileSync(path.join(root, '.git', 'info', 'exclude'), 'node_modules\n');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'render.mjs'), '--quiet'], { cwd: root, stdio: 'pipe' });
  commit(root, 'sources and rendered clusters/');
}, 120_000);

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io: DiffIo = { out: (t) => (out += t), err: () => undefined, color: false };
  return { code: await main(argv, root, io), out };
}

function bumpStaging(version: string): void {
  const file = path.join(root, 'overlays', 'staging', 'versions.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^api-gateway: .*$/m, `api-gateway: ${version}`));
}

describe('diff render check', () => {
  it('refuses a working tree whose sources changed without a render, naming the stale file and what to run', async () => {
    bumpStaging('1.9.0');
    try {
      await expect(run(['--env', 'staging'])).rejects.toThrow(
        'the rendered output of the working tree is stale: clusters/ is not what its sources render, so a diff of it would not show what will be deployed\n' +
          '  differs:      clusters/staging/apps/api-gateway/deployment-api-gateway.yaml\n' +
          'hint: run `npm run render` and commit the result, then run the diff again',
      );
    } finally {
      gitIn(root, 'checkout', '--', 'overlays');
    }
  });

  it('diffs a rendered working tree after the check passes', async () => {
    bumpStaging('1.9.0');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'render.mjs'), '--quiet'], { cwd: root, stdio: 'pipe' });
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
      await expect(run(['--base', 'HEAD~1', '--head', stale, '--env', 'staging'])).rejects.toThrow(
        `the rendered output of commit ${stale.slice(0, 12)} is stale`,
      );
    } finally {
      gitIn(root, 'reset', '--quiet', '--hard', 'HEAD~1');
    }
  });
});
