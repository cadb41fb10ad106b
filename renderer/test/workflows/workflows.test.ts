/**
 * The workflows are code too: actionlint (the pinned binary the tools step builds) checks every file in
 * .github/workflows, with shellcheck on each `run:` script; zizmor (pinned, from PyPI, installed by the tools step)
 * audits them for security with every finding fixed or explained; no job that holds a secret or a write token runs
 * code from a pull request; and every `npm run X` they call must exist.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRepoRoot, repoPaths } from '../../src/paths.js';
import { ensureTools } from '../../src/tools/ensure.js';
import { parse } from 'yaml';
import { cachePaths } from '../../src/tools/layout.js';

const workflowsDir = path.join(defaultRepoRoot, '.github', 'workflows');
const workflows = readdirSync(workflowsDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const actionlint = path.join(defaultRepoRoot, cachePaths.tool('actionlint'));
const zizmor = path.join(defaultRepoRoot, cachePaths.pypiTool('zizmor'));

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
  if (!existsSync(actionlint) || !existsSync(zizmor)) await ensureTools({ quiet: true });
}, 600_000);

/** zizmor over files, offline (no GitHub API here), with the auditor persona: every finding, false positives too. */
function runZizmor(files: string[], input?: string) {
  return spawnSync(zizmor, ['--offline', '--persona', 'auditor', '--format', 'plain', '--no-progress', ...files], { cwd: defaultRepoRoot, encoding: 'utf8', input });
}

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

  it('pass zizmor (auditor persona) with no finding left: each is fixed or ignored with its reason next to it', () => {
    const result = runZizmor(workflows.map((f) => path.join(workflowsDir, f)));
    expect(result.error).toBeUndefined();
    expect(result.stdout).toContain('No findings to report.');
    expect(result.status).toBe(0);
    // An ignore is an explanation: the comment says why, on its line or on the comment lines right above it.
    for (const f of workflows) {
      const lines = readFileSync(path.join(workflowsDir, f), 'utf8').split('\n');
      lines.forEach((line, i) => {
        const m = /# zizmor: ignore\[[^\]]+\](.*)$/.exec(line);
        if (!m) return;
        const reason = m[1]!.trim() || (/^\s*#\s*\S/.test(lines[i - 1] ?? '') ? 'above' : '');
        expect(`${f}:${i + 1}: ${reason}`).not.toMatch(/: $/);
      });
    }
  });

  it('finds the problems it should: zizmor reports a checkout that keeps its credentials', () => {
    const dir = tempWorkflowDir(
      'on: push\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-latest\n    permissions:\n      contents: read\n    steps:\n      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0\n',
    );
    const result = runZizmor([dir]);
    rmSync(dir, { recursive: true, force: true });
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain('artipacked');
  });

  it('run no code of a pull request in a job that holds a secret or a write token', () => {
    const problems = workflows.flatMap((f) => untrustedCodeWithSecrets(f, readFileSync(path.join(workflowsDir, f), 'utf8')));
    expect(problems).toEqual([]);
    // The gate's Argo CD tokens are where the rule has to hold: make sure the check saw them.
    const gate = parse(readFileSync(path.join(workflowsDir, 'gate.yml'), 'utf8')) as Workflow;
    expect(
      Object.entries(gate.jobs)
        .filter(([, job]) => holdsToken(job))
        .map(([id]) => id),
    ).toEqual(['argocd']);
  });

  it('recognises pull request code next to a secret (the check above can fail)', () => {
    const job = (checkout: string, extra = '') =>
      `    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@x\n        with:\n          ref: ${checkout}\n      - run: npm ci\n        env:\n          T: \${{ secrets.T }}\n${extra}`;
    expect(untrustedCodeWithSecrets('a.yml', `on: pull_request\njobs:\n  x:\n${job('${{ github.sha }}')}`)).toEqual([
      "a.yml: job x holds a secret or a write token in a pull_request workflow, whose workflow file and code are the pull request's",
    ]);
    expect(untrustedCodeWithSecrets('b.yml', `on: pull_request_target\njobs:\n  x:\n${job('${{ github.event.pull_request.head.sha }}')}`)).toEqual([
      'b.yml: job x holds a secret or a write token and checks out the pull request (${{ github.event.pull_request.head.sha }})',
    ]);
    expect(
      untrustedCodeWithSecrets('c.yml', `on: pull_request_target\njobs:\n  x:\n${job('${{ github.event.pull_request.base.sha }}', '      - uses: actions/download-artifact@x\n')}`),
    ).toEqual(['c.yml: job x holds a secret or a write token, downloads an artifact (another job may have made it from pull request code) and runs shell steps']);
    expect(untrustedCodeWithSecrets('d.yml', `on: pull_request_target\njobs:\n  x:\n${job('${{ github.event.pull_request.base.sha }}')}`)).toEqual([]);
  });

  it('name no environment: per-cluster settings come from one convention on the cluster name', () => {
    const environments = readdirSync(path.join(defaultRepoRoot, 'overlays'));
    expect(environments.length).toBeGreaterThan(0);
    for (const f of workflows) {
      const code = readFileSync(path.join(workflowsDir, f), 'utf8')
        .split('\n')
        .map((line) => line.replace(/(^|\s)#.*$/, ''))
        .filter((line) => !/^\s*(description|name):/.test(line))
        .join('\n');
      for (const env of environments) expect(`${f}: ${code}`).not.toMatch(new RegExp(`\\b${env}\\b`, 'i'));
    }
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
    let seen = 0;
    for (const f of workflows) {
      const scripts = runScripts(readFileSync(path.join(workflowsDir, f), 'utf8'));
      seen += scripts.length;
      for (const script of scripts) expect(`${f}: ${script}`).not.toMatch(/\$\{\{\s*(github\.event|inputs\.|github\.head_ref)/);
    }
    expect(seen).toBeGreaterThan(0);
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

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: Record<string, string> | string;
  steps?: Step[];
}
interface Workflow {
  on: string | string[] | Record<string, unknown>;
  jobs: Record<string, Job>;
}

/** A job holds a secret (secrets.*, the job token) or a token that can write. */
function holdsToken(job: Job): boolean {
  const text = JSON.stringify(job);
  const writes = typeof job.permissions === 'string' ? job.permissions === 'write-all' : Object.values(job.permissions ?? {}).includes('write');
  return writes || /secrets[.[]|github\.token/.test(text);
}

/**
 * The rule of README's "The pull request checks": a job that holds a secret or a write token runs no code from a
 * pull request. Under `pull_request` the workflow file itself is the pull request's, so no such job may exist there;
 * elsewhere such a job may not check out the pull request's head, nor run shell steps next to a downloaded artifact
 * (another job may have made it from pull request code).
 */
function untrustedCodeWithSecrets(file: string, text: string): string[] {
  const wf = parse(text) as Workflow;
  const triggers = typeof wf.on === 'string' ? [wf.on] : Array.isArray(wf.on) ? wf.on : Object.keys(wf.on);
  const problems: string[] = [];
  for (const [id, job] of Object.entries(wf.jobs)) {
    if (!holdsToken(job)) continue;
    if (triggers.includes('pull_request')) {
      problems.push(`${file}: job ${id} holds a secret or a write token in a pull_request workflow, whose workflow file and code are the pull request's`);
      continue;
    }
    for (const step of job.steps ?? []) {
      const ref = String(step.with?.ref ?? '');
      if (step.uses?.startsWith('actions/checkout@') && /pull_request\.head|refs\/pull|head_ref|workflow_run\.head/.test(ref)) {
        problems.push(`${file}: job ${id} holds a secret or a write token and checks out the pull request (${ref})`);
      }
    }
    // Reading an artifact as text (to post it) is fine; running shell steps next to one is not.
    if (job.steps?.some((s) => s.uses?.startsWith('actions/download-artifact@')) && job.steps.some((s) => s.run !== undefined)) {
      problems.push(`${file}: job ${id} holds a secret or a write token, downloads an artifact (another job may have made it from pull request code) and runs shell steps`);
    }
  }
  return problems;
}

function tempWorkflowDir(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'zizmor-'));
  mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
  writeFileSync(path.join(dir, '.github', 'workflows', 'x.yml'), text);
  return dir;
}

describe('CODEOWNERS', () => {
  it('needs the platform owners for production, the workflows, the pins, the guard-rail exceptions and all code the checks run', () => {
    const owners = readFileSync(path.join(defaultRepoRoot, '.github', 'CODEOWNERS'), 'utf8');
    for (const pattern of [
      '/overlays/production/',
      '/clusters/production*/',
      '/.github/',
      '/renderer/pins.json',
      '/base/exceptions.yaml',
      '/renderer/',
      '/scripts/',
      '/package.json',
      '/package-lock.json',
    ]) {
      expect(owners).toMatch(new RegExp(`^${pattern.replace(/[.*/]/g, (c) => `\\${c}`)}\\s+@berrys/platform-owners$`, 'm'));
    }
  });

  /** CODEOWNERS patterns of the platform owners as tests on a repository path (`*` within one name, a trailing `/` for a folder). */
  function ownedByPlatform(owners: string): (file: string) => boolean {
    const patterns = owners
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([pattern, owner]) => pattern?.startsWith('/') && owner === '@berrys/platform-owners')
      .map(([pattern]) => new RegExp(`^${pattern!.slice(1).replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}${pattern!.endsWith('/') ? '' : '$'}`));
    return (file) => patterns.some((p) => p.test(file));
  }

  /** Every repository file the given modules import, following relative imports (static and dynamic) from them. */
  function modulesFrom(entries: string[]): string[] {
    const seen = new Set<string>();
    const queue = [...entries];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const m of readFileSync(path.join(defaultRepoRoot, file), 'utf8').matchAll(/(?:from|import\()\s*['"](\.[^'"]+)['"]/g)) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!));
        for (const candidate of [target, target.replace(/\.js$/, '.ts')]) if (existsSync(path.join(defaultRepoRoot, candidate))) queue.push(candidate);
      }
    }
    return [...seen].sort();
  }

  /** Every file under a repository folder, as repository paths. */
  function filesUnder(dir: string): string[] {
    return readdirSync(path.join(defaultRepoRoot, dir), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.posix.join(path.relative(defaultRepoRoot, e.parentPath).split(path.sep).join('/'), e.name));
  }

  it('needs the platform owners for every module the gate runs, the render pipeline it runs over the pull request included', () => {
    const owned = ownedByPlatform(readFileSync(path.join(defaultRepoRoot, '.github', 'CODEOWNERS'), 'utf8'));
    // The gate renders the pull request's inputs in a child process (promote/output.ts): the render pipeline from its
    // entry, loaded through the entry points' loader.
    expect(readFileSync(path.join(defaultRepoRoot, 'renderer/src/promote/output.ts'), 'utf8')).toContain('repoPaths.rendererEntry');
    const modules = modulesFrom(['renderer/src/promote/cli.ts', repoPaths.rendererEntry, 'scripts/lib/run.mjs']);
    for (const m of ['renderer/src/promote/output.ts', 'renderer/src/render/render.ts', 'renderer/src/render/merge.ts', 'renderer/src/render/emit.ts'])
      expect(modules).toContain(m);
    expect(modules.filter((m) => !owned(m))).toEqual([]);
    // The check can fail: a module outside every pattern is reported.
    expect(owned('apps/api-gateway.yaml')).toBe(false);
  });

  it('needs the platform owners for all code a required check runs: every command, the tests, the entry points and their configuration', () => {
    const owned = ownedByPlatform(readFileSync(path.join(defaultRepoRoot, '.github', 'CODEOWNERS'), 'utf8'));
    // validate runs the render check, validate and the whole test suite; rendered diff runs diff; the gate runs gate.
    const entries = ['renderer/src/cli/commands.ts', ...filesUnder('renderer/test'), ...filesUnder('scripts'), ...filesUnder('.ci')];
    const code = [...modulesFrom(entries), 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'vitest.config.ts', 'eslint.config.js'];
    expect(code).toContain('renderer/src/render/cli.ts');
    expect(code).toContain('renderer/src/validate/run.ts');
    expect(code.filter((f) => !owned(f))).toEqual([]);
  });
});

describe('the rendered diff step', () => {
  it('puts a bounded error text without control characters or code fences into the pull request comment', () => {
    const workflow = parse(readFileSync(path.join(defaultRepoRoot, '.github', 'workflows', 'diff.yml'), 'utf8')) as {
      jobs: Record<string, { steps: { name?: string; run?: string }[] }>;
    };
    const step = Object.values(workflow.jobs)
      .flatMap((j) => j.steps)
      .find((s) => s.name === 'Rendered diff');
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
      // eslint-disable-next-line no-control-regex -- the point: no control character may reach the output
      expect(comment).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
      expect(comment.split('\n').filter((l) => l.startsWith('```'))).toEqual(['```text', '```']);
      expect(comment.split('\n').slice(0, 5)).toEqual(['<!-- berrys-rendered-diff -->', '## Rendered diff: could not be computed', '', '```text', 'Error: [2J]0;owned']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the diff comment', () => {
  it("says above whatever the artifact holds that the diff is the pull request's own code's, and which check judges with base code", async () => {
    const workflow = parse(readFileSync(path.join(workflowsDir, 'diff-comment.yml'), 'utf8')) as {
      jobs: Record<string, { steps: { name?: string; with?: { script?: string } }[] }>;
    };
    const script = Object.values(workflow.jobs)
      .flatMap((j) => j.steps)
      .find((s) => s.name === 'Create or update the one diff comment')!.with!.script!;
    // The artifact as a hostile pull request could write it: the marker, then a claim of its own.
    const artifact = '<!-- berrys-rendered-diff -->\n## Rendered diff\n\nVerified by the base branch.\n';
    const posted: string[] = [];
    const fakeFs = { existsSync: () => true, readFileSync: () => artifact };
    const github = {
      paginate: async () => [],
      rest: {
        issues: {
          listComments: {},
          createComment: async ({ body }: { body: string }) => {
            posted.push(body);
            return { data: { html_url: 'comment' } };
          },
        },
      },
    };
    const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;
    const run = new AsyncFunction('require', 'github', 'context', 'core', 'process', script);
    await run(() => fakeFs, github, { repo: { owner: 'o', repo: 'r' } }, { info: () => undefined, warning: () => undefined }, { env: { PR_NUMBER: '7' } });
    expect(posted).toEqual([
      [
        '<!-- berrys-rendered-diff -->',
        '> [!WARNING]',
        "> **Produced by this pull request's own code** (the diff workflow runs the pull request's renderer), so it shows what that code says.",
        "> The `promotion gate` check judges with the base branch's code: it renders this pull request's inputs and refuses any file under `clusters/` it does not make.",
        '',
        '## Rendered diff',
        '',
        'Verified by the base branch.',
        '',
      ].join('\n'),
    ]);
  });
});
