/**
 * Issue 12, finding 7: file-system errors name the path, its role and what to do, instead of raw errno text.
 * Real errors from real file systems: a render runs as a child process in a user and mount namespace (unshare),
 * where an unreadable file, a full tmpfs and a read-only bind mount can be made without privileges. Afterwards the
 * namespace is gone and git must see the committed tree.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanUp, gitIn, renderedWorkingCopy } from '../git-repo.js';

afterAll(cleanUp);

const unshare = spawnSync('unshare', ['-rm', 'true']).status === 0;

/** Runs `sh -c script` in new user and mount namespaces (as the namespace's root, or as `user` without privileges). */
function inNamespace(root: string, script: string, user?: number) {
  const ids = user === undefined ? ['-r'] : [`--map-user=${user}`, `--map-group=${user}`];
  return spawnSync('unshare', [...ids, '-m', 'sh', '-c', script], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE: process.execPath } });
}

describe.runIf(unshare)('file-system errors', () => {
  const root = unshare ? renderedWorkingCopy('fs-errors') : '';
  const render = '"$NODE" scripts/run.mjs render';

  it('EACCES on an input file: names it, its role and what to do', () => {
    const file = 'overlays/staging/versions.yaml';
    chmodSync(path.join(root, file), 0o000);
    try {
      // Mapped to an unprivileged user, the owner's (absent) permission bits apply even to root.
      const run = inNamespace(root, `exec ${render}`, 1000);
      expect({ status: run.status, stderr: run.stderr }).toEqual({
        status: 1,
        stderr: `${file}: error: permission denied: cannot read this input file\n  hint: give your user read access (ls -l ${file}; chmod u+r) and run the command again\nrender failed with 1 problem; nothing was written.\n`,
      });
    } finally {
      chmodSync(path.join(root, file), 0o644);
    }
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
  });

  it('ENOSPC while writing: names the rendered file and removes what it staged', () => {
    const run = inNamespace(root, `mount -t tmpfs -o size=48k tmpfs clusters && ${render}; status=$?; find clusters -name '*.tmp' | head -3; exit $status`);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^clusters\/[a-z0-9/.-]+\.(yaml|json): error: no space left on the device while writing this rendered file\n {2}hint: free disk space and run npm run render again; files already staged were removed and clusters\/ is as it was\nrender failed with 1 problem; nothing was written\.\n$/,
    );
    expect(run.stdout).toBe('');
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
  });

  it('EROFS: render says the file system is read-only; render --check still works there', () => {
    const defaults = path.join(root, 'base/defaults.yaml');
    const before = readFileSync(defaults, 'utf8');
    writeFileSync(defaults, before.replace('logLevel: INFO', 'logLevel: WARNING'));
    try {
      const run = inNamespace(root, `mount --bind . . && mount -o remount,bind,ro . && ${render}`);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        /^clusters\/[a-z0-9/.-]+\.yaml: error: the file system is read-only: cannot write this rendered file\n {2}hint: render in a writable checkout; `npm run render -- --check` and `npm run validate` write nothing and work here\n/,
      );
      const check = inNamespace(root, `mount --bind . . && mount -o remount,bind,ro . && ${render} --check`);
      expect(check.status).toBe(3);
      expect(check.stderr).toMatch(/^clusters\/ is stale: the committed output differs from what the sources render\.\n/);
    } finally {
      writeFileSync(defaults, before);
    }
    expect(gitIn(root, 'status', '--porcelain')).toBe('');
  });
});
