/**
 * A render stopped at any moment (Ctrl-C, a CI cancel, the OOM killer) must not wedge the tree. A real render runs as
 * a child process of a full working copy and stops itself at a named point of the write (the test seam in write.ts:
 * RENDER_TEST_STOP_AT=<point>:<signal>), so every run stops exactly where the test says, however busy the machine.
 * After each stop the tree is what that point promises, the next render succeeds without blaming anyone,
 * `render --check` passes and git sees exactly the committed tree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanUp, gitIn, renderedWorkingCopy } from '../git-repo.js';
import { stopAtVariable, type WritePoint } from '../../src/render/write.js';

afterAll(cleanUp);

function runRender(root: string, args: string[], stopAt?: string) {
  const env = { ...process.env };
  if (stopAt) env[stopAtVariable] = stopAt;
  return spawnSync(process.execPath, [path.join(root, 'scripts', 'run.mjs'), 'render', ...args], { cwd: root, encoding: 'utf8', env });
}

/** Files under `dir` (relative paths), split into the published ones and what a write stages or keeps aside. */
function filesUnder(dir: string): { published: string[]; leftovers: string[] } {
  let all: string[] = [];
  try {
    all = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
  } catch {
    // no clusters/ at all
  }
  const leftover = (f: string) => /\.render-\d+\.(tmp|old)$/.test(f);
  return { published: all.filter((f) => !leftover(f)).sort(), leftovers: all.filter(leftover) };
}

const points: WritePoint[] = ['mid-stage', 'before-publish', 'after-first-rename', 'mid-publish', 'after-publish'];
const beforePublish = new Set<WritePoint>(['mid-stage', 'before-publish']);
const interruptMessage = 'render interrupted (SIGINT): nothing staged is left and clusters/ is either as it was or fully written; run npm run render again\n';

// Each test runs up to six renders as processes: a generous limit, so that only a hung render fails on a busy machine.
describe('an interrupted render', { timeout: 300_000 }, () => {
  let root = '';
  let clusters = '';
  let total = 0;
  beforeAll(() => {
    root = renderedWorkingCopy('interrupt');
    clusters = path.join(root, 'clusters');
    total = filesUnder(clusters).published.length;
  });

  /** The next render repairs whatever the stop left, --check agrees, and git sees the committed tree. */
  function expectRepaired(point: string) {
    const next = runRender(root, ['--quiet']);
    expect({ point, status: next.status, stderr: next.stderr }).toEqual({ point, status: 0, stderr: '' });
    const check = runRender(root, ['--check', '--quiet']);
    expect({ point, status: check.status, stderr: check.stderr }).toEqual({ point, status: 0, stderr: '' });
    expect({ point, status: gitIn(root, 'status', '--porcelain') }).toEqual({ point, status: '' });
  }

  it.each(points)('writing a fresh tree, SIGKILL at %s leaves only whole files and staged ones, which the next render repairs', (point) => {
    rmSync(clusters, { recursive: true, force: true });
    const run = runRender(root, ['--quiet'], `${point}:SIGKILL`);
    expect(run.signal).toBe('SIGKILL');
    const { published, leftovers } = filesUnder(clusters);
    const renamed = { 'mid-stage': 0, 'before-publish': 0, 'after-first-rename': 1, 'mid-publish': Math.floor(total / 2) + 1, 'after-publish': total }[point];
    expect({ published: published.length, staged: leftovers.length }).toEqual({
      published: renamed,
      staged: point === 'mid-stage' ? Math.floor(total / 2) + 1 : total - renamed,
    });
    expectRepaired(`SIGKILL at ${point}`);
  });

  it.each(points)('writing a fresh tree, SIGINT at %s removes what it staged: nothing is published before the publish, everything after', (point) => {
    rmSync(clusters, { recursive: true, force: true });
    const run = runRender(root, ['--quiet'], `${point}:SIGINT`);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 130, stderr: interruptMessage });
    const { published, leftovers } = filesUnder(clusters);
    expect({ published: published.length, leftovers }).toEqual({ published: beforePublish.has(point) ? 0 : total, leftovers: [] });
    expectRepaired(`SIGINT at ${point}`);
  });

  it.each(points)('updating a tree, SIGINT at %s leaves it wholly old or wholly new, and SIGKILL there leaves nothing the next render cannot repair', (point) => {
    const defaults = path.join(root, 'base/defaults.yaml');
    const committed = readFileSync(defaults, 'utf8');
    writeFileSync(defaults, committed.replace('logLevel: INFO', 'logLevel: WARNING'));
    try {
      const changed = (): string[] => gitIn(root, 'diff', '--name-only', '--', 'clusters').split('\n').filter(Boolean);
      const run = runRender(root, ['--quiet'], `${point}:SIGINT`);
      expect(run.status).toBe(130);
      expect(filesUnder(clusters).leftovers).toEqual([]);
      if (beforePublish.has(point)) expect(changed()).toEqual([]);
      else expect(changed().length).toBeGreaterThan(1);
      const rendered = changed();

      gitIn(root, 'checkout', '--', 'clusters');
      const killed = runRender(root, ['--quiet'], `${point}:SIGKILL`);
      expect(killed.signal).toBe('SIGKILL');
      if (point !== 'after-publish') expect(filesUnder(clusters).leftovers.length).toBeGreaterThan(0);
      const next = runRender(root, ['--quiet']);
      expect({ status: next.status, stderr: next.stderr }).toEqual({ status: 0, stderr: '' });
      expect(filesUnder(clusters).leftovers).toEqual([]);
      if (!beforePublish.has(point)) expect(changed()).toEqual(rendered);
    } finally {
      writeFileSync(defaults, committed);
    }
    expectRepaired(`update, ${point}`);
  });
});
