/**
 * The publish is all or nothing, proven on the real kernel: an immutable target (chattr +i), a target under a
 * read-only bind mount, and a small tmpfs that fills up part-way. Each makes the render fail after some files would
 * have been replaced; afterwards every target holds its old content, no staged or kept-aside file is left, and
 * git sees only the input change. Needs root (CI runs as root); with CI=true the tests run, never skip.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanUp, gitIn, renderedWorkingCopy, tempDir } from '../git-repo.js';

/** Undo steps of what the tests did to the kernel (mounts, attributes), newest first. */
const undo: (() => void)[] = [];
function undoAll(): void {
  for (let step = undo.pop(); step; step = undo.pop()) {
    try {
      step();
    } catch {
      // the next step still runs; a mount left behind is lazily detached below
    }
  }
}
afterAll(() => {
  undoAll();
  cleanUp();
});

function sh(command: string, ...args: string[]): void {
  execFileSync(command, args, { stdio: 'pipe' });
}

function mount(...args: string[]): void {
  sh('mount', ...args);
  const target = args.at(-1)!;
  undo.push(() => spawnSync('umount', [target]).status === 0 || sh('umount', '--lazy', target));
}

/** Whether this process may mount and set file attributes (root with CAP_SYS_ADMIN and CAP_LINUX_IMMUTABLE). */
function realKernelAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  const dir = tempDir('publish-probe');
  try {
    mount('-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir);
    writeFileSync(path.join(dir, 'f'), '');
    sh('chattr', '+i', path.join(dir, 'f'));
    sh('chattr', '-i', path.join(dir, 'f'));
    return true;
  } catch {
    return false;
  } finally {
    undoAll();
  }
}

const available = realKernelAvailable() || process.env.CI === 'true';

function render(root: string, ...args: string[]) {
  return spawnSync(process.execPath, [path.join(root, 'scripts', 'run.mjs'), 'render', ...args], { cwd: root, encoding: 'utf8' });
}

/** What git sees changed, untracked files (staged `.tmp`, kept-aside `.old`) included. */
function changes(root: string): string[] {
  return gitIn(root, 'status', '--porcelain', '--untracked-files=all')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.trim());
}

// Renders as processes: a generous limit, so that only a hung render fails on a busy machine.
describe.runIf(available)('an all-or-nothing publish', { timeout: 300_000 }, () => {
  let root = '';
  const orchestrator = 'overlays/production/apps/agent-orchestrator.yaml';
  const production = 'clusters/production/apps/agent-orchestrator/manifest.yaml';
  const standby = 'clusters/production-dr/apps/agent-orchestrator/manifest.yaml';
  beforeAll(() => {
    root = renderedWorkingCopy('publish');
  });
  afterEach(() => {
    undoAll();
    gitIn(root, 'checkout', '--', '.');
    gitIn(root, 'clean', '-fdq', '--', 'clusters');
  });

  /** The production overlay's change, which reaches both production clusters (production-dr is replaced first). */
  function raiseMaxReplicas(): void {
    const file = path.join(root, orchestrator);
    writeFileSync(file, readFileSync(file, 'utf8').replace('maxReplicas: 10', 'maxReplicas: 12'));
  }

  it('puts back every replaced file when a rename fails on an immutable target (chattr +i)', () => {
    raiseMaxReplicas();
    sh('chattr', '+i', path.join(root, production));
    undo.push(() => sh('chattr', '-i', path.join(root, production)));
    const run = render(root, '--quiet');
    expect({ status: run.status, stderr: run.stderr }).toEqual({
      status: 1,
      stderr:
        `${production}: error: operation not permitted: cannot write this rendered file (an immutable or append-only file refuses even root)\n` +
        `  hint: lsattr ${production} shows the attribute; remove it (chattr -i ${production}, as root) and run the command again\n` +
        'render failed with 1 problem; nothing was written.\n',
    });
    expect(changes(root)).toEqual([`M ${orchestrator}`]);

    undoAll();
    expect(render(root, '--quiet').status).toBe(0);
    // clusters/index.json holds each node group's headroom at HPA maximums, which maxReplicas changes.
    expect(changes(root)).toEqual(['M clusters/index.json', `M ${standby}`, `M ${production}`, `M ${orchestrator}`]);
  });

  it('puts back every replaced file when a target is a read-only bind mount', () => {
    raiseMaxReplicas();
    const target = path.join(root, production);
    mount('--bind', target, target);
    sh('mount', '-o', 'remount,bind,ro', target);
    const run = render(root, '--quiet');
    expect({ status: run.status, stderr: run.stderr }).toEqual({
      status: 1,
      stderr:
        `${production}: error: this rendered file is a mount point (EXDEV): it cannot be replaced\n` +
        `  hint: unmount what is mounted there (findmnt ${production}) and run the command again\n` +
        'render failed with 1 problem; nothing was written.\n',
    });
    expect(changes(root)).toEqual([`M ${orchestrator}`]);
  });

  it('leaves clusters/ as it was, with nothing staged, when the disk fills up part-way; render --check then passes', () => {
    const defaults = path.join(root, 'base/defaults.yaml');
    const committed = readFileSync(defaults, 'utf8');
    const edit = () => writeFileSync(defaults, committed.replace('logLevel: INFO', 'logLevel: WARNING'));
    // Which files the change rewrites, and how many tmpfs pages their staged copies take.
    edit();
    expect(render(root, '--quiet').status).toBe(0);
    const rewritten = gitIn(root, 'diff', '--name-only', '--', 'clusters').split('\n');
    const pages = (file: string) => Math.ceil(statSync(path.join(root, file)).size / 4096);
    const needed = rewritten.reduce((sum, f) => sum + pages(f), 0);
    expect(rewritten.length).toBeGreaterThan(4);
    gitIn(root, 'checkout', '--', '.');

    // clusters/ on its own tmpfs, with room for half of the staged copies.
    const clusters = path.join(root, 'clusters');
    const saved = path.join(tempDir('publish-clusters'), 'clusters');
    cpSync(clusters, saved, { recursive: true });
    rmSync(clusters, { recursive: true });
    mkdirSync(clusters);
    mount('-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', clusters);
    cpSync(saved, clusters, { recursive: true });
    const fs = statfsSync(clusters);
    const used = fs.blocks - fs.bfree;
    sh('mount', '-o', `remount,size=${(used + Math.floor(needed / 2)) * fs.bsize}`, clusters);
    expect(changes(root)).toEqual([]);

    edit();
    const run = render(root, '--quiet');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^clusters\/[a-z0-9/.-]+\/manifest\.yaml: error: no space left on the device while writing this rendered file\n {2}hint: free disk space and run npm run render again; files already staged were removed and clusters\/ is as it was\nrender failed with 1 problem; nothing was written\.\n$/,
    );
    expect(changes(root)).toEqual(['M base/defaults.yaml']);
    writeFileSync(defaults, committed);
    const check = render(root, '--check', '--quiet');
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
