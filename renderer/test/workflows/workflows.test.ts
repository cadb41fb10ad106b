/**
 * The workflows are code too: actionlint (the pinned binary the tools step builds) checks every file in
 * .github/workflows, with shellcheck on each `run:` script, and every `npm run X` they call must exist.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRepoRoot } from '../../src/paths.js';
import { ensureTools } from '../../src/tools/ensure.js';
import { cachePaths } from '../../src/tools/layout.js';

const workflowsDir = path.join(defaultRepoRoot, '.github', 'workflows');
const workflows = readdirSync(workflowsDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const actionlint = path.join(defaultRepoRoot, cachePaths.tool('actionlint'));

/** shellcheck's path; actionlint quietly skips the `run:` scripts without it, so its absence is a failure. */
function shellcheck(): string {
  const found = spawnSync('sh', ['-c', 'command -v shellcheck'], { encoding: 'utf8' });
  const where = found.stdout.trim();
  if (found.status !== 0 || !where) {
    throw new Error('shellcheck is not on PATH, so the run: scripts would go unchecked; install it (apt-get install -y shellcheck)');
  }
  return where;
}

beforeAll(async () => {
  if (!existsSync(actionlint)) await ensureTools({ quiet: true });
}, 600_000);

describe('workflows', () => {
  it('finds the workflows to check', () => {
    expect(workflows).toEqual(expect.arrayContaining(['diff.yml', 'validate.yml']));
  });

  it('pass actionlint with shellcheck on every run: script', () => {
    const result = spawnSync(actionlint, ['-no-color', '-shellcheck', shellcheck(), ...workflows.map((f) => path.join(workflowsDir, f))], {
      cwd: defaultRepoRoot,
      encoding: 'utf8',
    });
    expect(result.error).toBeUndefined();
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('finds the problems it should: actionlint with shellcheck rejects an unquoted variable', () => {
    // Proves the check is live (shellcheck found and used), not a pass by default.
    const bad = 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo $HOME/$1\n';
    const result = spawnSync(actionlint, ['-no-color', '-shellcheck', shellcheck(), '-'], { input: bad, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('shellcheck reported issue in this script: SC2086');
  });

  it('call only npm scripts that package.json defines', () => {
    const scripts = Object.keys((JSON.parse(readFileSync(path.join(defaultRepoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
    const called = new Set<string>();
    for (const f of workflows) {
      const text = readFileSync(path.join(workflowsDir, f), 'utf8');
      // `npm run [--flags] name`; `npm test` and `npm ci` are built in.
      for (const m of text.matchAll(/\bnpm run((?:\s+--?[\w-]+)*)\s+([\w:.-]+)/g)) called.add(`${f}: ${m[2]}`);
    }
    expect(called.size).toBeGreaterThan(0);
    const missing = [...called].filter((c) => !scripts.includes(c.split(': ')[1]!));
    expect(missing).toEqual([]);
  });

  it('pin every third-party action by a full commit id with its version in a comment', () => {
    for (const f of workflows) {
      const text = readFileSync(path.join(workflowsDir, f), 'utf8');
      for (const m of text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)) {
        const [ref, comment] = [m[1]!, m[2]!];
        if (ref.startsWith('./')) continue;
        expect(`${f}: ${ref}`).toMatch(/@[0-9a-f]{40}$/);
        expect(`${f}: ${comment}`).toMatch(/# v\d+\.\d+\.\d+/);
      }
    }
  });

  it('interpolate no event data or inputs into run: scripts', () => {
    for (const f of workflows) {
      const scripts = runScripts(readFileSync(path.join(workflowsDir, f), 'utf8'));
      expect(scripts.length).toBeGreaterThan(0);
      for (const script of scripts) expect(`${f}: ${script}`).not.toMatch(/\$\{\{\s*(github\.event|inputs\.|github\.head_ref)/);
    }
  });

  it('recognises an interpolated run: script (the check above can fail)', () => {
    const scripts = runScripts('      - name: x\n        run: |\n          echo hi\n          echo ${{ github.event.pull_request.title }}\n      - run: echo ok\n');
    expect(scripts).toEqual(['run: |\n          echo hi\n          echo ${{ github.event.pull_request.title }}', 'run: echo ok']);
  });
});

/** The text of every `run:` value: its line and the lines indented deeper than its key. */
function runScripts(text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(-\s+)?run:/.exec(lines[i]!);
    if (!m) continue;
    const keyIndent = m[1]!.length + (m[2]?.length ?? 0);
    const body = [lines[i]!.slice(keyIndent)];
    while (i + 1 < lines.length && (lines[i + 1]!.trim() === '' || lines[i + 1]!.search(/\S/) > keyIndent)) body.push(lines[++i]!);
    out.push(body.join('\n').trimEnd());
  }
  return out;
}

describe('CODEOWNERS', () => {
  it('needs the platform owners for production, the workflows, the pins and the guard-rail exceptions', () => {
    const owners = readFileSync(path.join(defaultRepoRoot, '.github', 'CODEOWNERS'), 'utf8');
    for (const pattern of ['/overlays/production/', '/clusters/production*/', '/.github/', '/renderer/pins.json', '/base/exceptions.yaml']) {
      expect(owners).toMatch(new RegExp(`^${pattern.replace(/[.*/]/g, (c) => `\\${c}`)}\\s+@berrys/platform-owners$`, 'm'));
    }
  });
});


describe('the rendered diff step', () => {
  it('puts a bounded error text without control characters or code fences into the pull request comment', () => {
    const workflow = parse(readFileSync(path.join(defaultRepoRoot, '.github', 'workflows', 'diff.yml'), 'utf8')) as {
      jobs: Record<string, { steps: { name?: string; run?: string }[] }>;
    };
    const step = Object.values(workflow.jobs).flatMap((j) => j.steps).find((s) => s.name === 'Rendered diff');
    const dir = mkdtempSync(path.join(tmpdir(), 'diff-step-'));
    try {
      // A stand-in `npm` that fails the way a hostile pull request could make the diff fail: terminal sequences,
      // a fence that would close the comment's code block, and a flood of text.
      mkdirSync(path.join(dir, 'bin'));
      writeFileSync(
        path.join(dir, 'bin', 'npm'),
        "#!/bin/sh\nprintf 'Error: \\033[2J\\033]0;owned\\007\\n```\\n## Approved by the platform team\\n' >&2\nhead -c 100000 /dev/zero | tr '\\000' x >&2\nexit 1\n",
        { mode: 0o755 },
      );
      writeFileSync(path.join(dir, 'step.sh'), step!.run!);
      const run = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', 'step.sh'], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, BASE_REF: 'main', GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md') },
      });
      expect(run.status).toBe(1);
      const comment = readFileSync(path.join(dir, 'rendered-diff.md'), 'utf8');
      expect(comment.length).toBeLessThan(20_200);
      expect(comment).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      expect(comment.split('\n').filter((l) => l.startsWith('```'))).toEqual(['```text', '```']);
      expect(comment.split('\n').slice(0, 5)).toEqual(['<!-- berrys-rendered-diff -->', '## Rendered diff: could not be computed', '', '```text', 'Error: [2J]0;owned']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
