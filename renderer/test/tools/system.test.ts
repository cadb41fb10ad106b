// npm test on a machine without some system tools: one message naming every missing one and how to install it.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { command } from '../../src/test-suite/cli.js';
import { defaultRepoRoot } from '../../src/paths.js';
import { output } from '../../src/process.js';
import { missingSystemTools, systemTools } from '../../src/tools/system.js';
import { runCaptured } from '../command.js';

let bin: string;
beforeEach(async () => {
  // A PATH holding only git and shellcheck, linked from this machine (npm test requires them here).
  bin = mkdtempSync(path.join(tmpdir(), 'system-tools-'));
  for (const program of ['git', 'shellcheck']) symlinkSync((await output('/bin/sh', ['-c', 'command -v "$0"', program])).trim(), path.join(bin, program));
});
afterEach(() => rmSync(bin, { recursive: true, force: true }));

describe('system tools', () => {
  it('finds every tool on this PATH', async () => {
    expect(await missingSystemTools(process.env)).toEqual([]);
  });

  it('npm test stops before running anything, naming every missing tool with how to install it', async () => {
    const result = await runCaptured(command, [], defaultRepoRoot, { PATH: bin });
    expect(result).toEqual({
      code: 1,
      out: [],
      err: [
        'Error: the tests need 3 system tools that are not installed:\n' +
          '  go: npm run tools builds the pinned kubeconform, actionlint, helm and gitleaks; install: apt-get install -y golang-go, or https://go.dev/dl/ (Go ≥1.22)\n' +
          '  python3: npm run tools pip-installs the pinned zizmor (the workflow security audit) into a virtual environment; install: apt-get install -y python3 python3-venv\n' +
          '  kubectl: the benchmark test compares the output with kubectl kustomize; install: apt-get install -y kubernetes-client (Debian), or https://kubernetes.io/docs/tasks/tools/\n' +
          '  hint: install them and run npm test again (.ci/run installs them on a fresh Debian machine)',
      ],
    });
    expect(systemTools.map((t) => t.program)).toEqual(['git', 'go', 'shellcheck', 'python3', 'kubectl']);
  });
});
