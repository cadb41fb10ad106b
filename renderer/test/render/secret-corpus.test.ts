/**
 * The render's secret scanner against the field's standard: a corpus of fake secrets in real formats, written into a
 * copy of the repository's inputs under neutral names, as env var names, in annotations, in add-on values and in
 * comments. The real render refuses each one; the pinned gitleaks (built by the tools step, run as `npm run validate`
 * runs it) finds each one; the render refuses everything gitleaks finds there; and no output ever holds a secret.
 */
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../src/render/cli.js';
import { defaultRepoRoot } from '../../src/paths.js';
import { ensureTools } from '../../src/tools/ensure.js';
import { runGitleaks } from '../../src/validate/gitleaks.js';
import { formatHuman, formatJson } from '../../src/validate/report.js';
import { validateRepository } from '../../src/validate/run.js';
import { runCaptured } from '../command.js';
import { cleanUp, tempDir } from '../git-repo.js';
import { beyondGitleaks, fakeSecrets, type FakeSecret } from './secret-corpus.js';

afterAll(cleanUp);
beforeAll(() => ensureTools({ root: defaultRepoRoot, quiet: true }), 900_000);

/** A copy of the repository's inputs and rendered output, sharing the provisioned tools and schemas. */
function repository(): string {
  const root = tempDir('secret-corpus');
  mkdirSync(path.join(root, 'renderer'));
  for (const dir of ['apps', 'base', 'overlays', 'clusters', 'renderer/pins.json']) cpSync(path.join(defaultRepoRoot, dir), path.join(root, dir), { recursive: true });
  mkdirSync(path.join(root, '.cache'));
  for (const dir of ['tools', 'schemas']) symlinkSync(path.join(defaultRepoRoot, '.cache', dir), path.join(root, '.cache', dir));
  return root;
}

const read = (root: string, file: string) => readFileSync(path.join(root, file), 'utf8');
const write = (root: string, file: string, text: string) => {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
};
const insertAfter = (text: string, anchor: string, lines: string[]) => {
  if (!text.includes(anchor)) throw new Error(`fixture anchor not found: ${anchor}`);
  return text.replace(anchor, `${anchor}${lines.join('')}`);
};

const numbered = (i: number) => String(i + 1).padStart(2, '0');
const valueOverride = 'overlays/production/apps/agent-orchestrator.yaml';
const annotationApps = ['api-gateway', 'planning-system', 'project-coordinator', 'service-integration', 'tool-integration', 'web-dashboard'];
const commentFiles = ['apps/api-gateway.yaml', 'base/defaults.yaml', 'overlays/staging/environment.yaml', 'base/platform.yaml', 'overlays/production/versions.yaml'];

/** Writes each secret into the inputs at its place; returns where each one landed (file and line). */
function plant(root: string, secrets: readonly FakeSecret[]): { secret: FakeSecret; file: string; line: number }[] {
  const of = (place: FakeSecret['place']) => secrets.filter((s) => s.place === place);
  const env = [...of('value').map((s, i) => `  ITEM_${numbered(i)}: "${s.secret}"\n`), ...of('env name').map((s) => `  ${s.secret}: "on"\n`)];
  write(root, valueOverride, `${read(root, valueOverride)}env:\n${env.join('')}`);
  of('annotation').forEach((s, i) => write(root, `overlays/staging/apps/${annotationApps[i]!}.yaml`, `writableRootFilesystem: "${s.secret}"\n`));
  const addonValues = of('add-on value');
  const half = Math.ceil(addonValues.length / 2);
  const valueLine = (s: FakeSecret, i: number, indent: string) => `${indent}${s.format === 'generic-api-key' ? 'apiKey' : `extra${numbered(i)}`}: "${s.secret}"\n`;
  write(
    root,
    'base/addons.yaml',
    insertAfter(
      read(root, 'base/addons.yaml'),
      '    values:\n      installCRDs: true\n',
      addonValues.slice(0, half).map((s, i) => valueLine(s, i, '      ')),
    ),
  );
  const devEnv = 'overlays/staging/environment.yaml';
  if (read(root, devEnv).includes('\naddons:')) throw new Error(`${devEnv} already has add-on values; the fixture appends its own`);
  write(
    root,
    devEnv,
    `${read(root, devEnv)}addons:\n  external-secrets:\n    values:\n${addonValues
      .slice(half)
      .map((s, i) => valueLine(s, i, '      '))
      .join('')}`,
  );
  of('comment').forEach((s, i) => {
    const file = commentFiles[i % commentFiles.length]!;
    write(root, file, `${read(root, file)}# note from the on-call: ${s.secret}\n`);
  });
  return secrets.map((secret) => {
    for (const file of [valueOverride, 'base/addons.yaml', devEnv, ...commentFiles, ...annotationApps.map((a) => `overlays/staging/apps/${a}.yaml`)]) {
      let text: string;
      try {
        text = read(root, file);
      } catch {
        continue;
      }
      const at = text.indexOf(secret.secret);
      if (at !== -1) return { secret, file, line: text.slice(0, at).split('\n').length };
    }
    throw new Error(`${secret.format} was not planted`);
  });
}

/** `file:line` of every problem the render printed. */
function problemLines(err: readonly string[]): Set<string> {
  return new Set(
    err
      .join('\n')
      .split('\n')
      .map((l) => /^([^\s:]+):(\d+):\d+: error: /.exec(l))
      .filter((m) => m !== null)
      .map((m) => `${m[1]}:${m[2]}`),
  );
}

describe('the secret corpus', () => {
  const corpus = fakeSecrets();
  let root: string;
  let planted: ReturnType<typeof plant>;
  let rendered: Awaited<ReturnType<typeof runCaptured>>;
  let found: Awaited<ReturnType<typeof runGitleaks>>;

  beforeAll(async () => {
    root = repository();
    planted = plant(root, corpus);
    rendered = await runCaptured(command, [], root);
    found = await runGitleaks(root);
  }, 300_000);

  it('holds at least 40 fake secrets in every place: neutral names, env var names, annotations, add-on values and comments', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    expect(new Set(corpus.map((s) => s.place))).toEqual(new Set(['value', 'env name', 'annotation', 'add-on value', 'comment']));
    expect(new Set(corpus.map((s) => s.secret)).size).toBe(corpus.length);
  });

  it('the render refuses every one at its file and line, and writes nothing', () => {
    expect(rendered.code).toBe(1);
    const lines = problemLines(rendered.err);
    expect(planted.filter((p) => !lines.has(`${p.file}:${p.line}`)).map((p) => `${p.secret.format} (${p.secret.place}) at ${p.file}:${p.line}`)).toEqual([]);
    expect(rendered.err.at(-1)).toMatch(/^render failed with \d+ problems; nothing was written\.$/);
  });

  it('gitleaks finds every one at its file and line', () => {
    const at = new Set(found.map((f) => `${f.File}:${f.StartLine}`));
    expect(planted.filter((p) => !at.has(`${p.file}:${p.line}`)).map((p) => `${p.secret.format} (${p.secret.place}) at ${p.file}:${p.line}`)).toEqual([]);
  });

  it('the render refuses everything gitleaks finds, on the same line', () => {
    const lines = problemLines(rendered.err);
    expect(found.filter((f) => !lines.has(`${f.File}:${f.StartLine}`)).map((f) => `${f.RuleID} at ${f.File}:${f.StartLine}`)).toEqual([]);
  });

  it('validate reports gitleaks finding each one', async () => {
    const report = await validateRepository(root);
    const at = new Set(report.findings.filter((f) => f.rule === 'gitleaks').map((f) => `${f.file}:${f.line}`));
    expect(planted.filter((p) => !at.has(`${p.file}:${p.line}`)).map((p) => `${p.secret.format} at ${p.file}:${p.line}`)).toEqual([]);
    const printed = [...formatHuman(report, { color: false }), formatJson(report)].join('\n');
    for (const { secret, format } of corpus) expect(printed.includes(secret), `validate printed the ${format}`).toBe(false);
  }, 300_000);

  it('no secret is ever printed: not by the render, not in gitleaks report', () => {
    const printed = [...rendered.out, ...rendered.err, JSON.stringify(found)].join('\n');
    for (const { secret, format } of corpus) {
      for (const part of [secret, ...secret.split(/[\s"=;:/]+/).filter((p) => p.length >= 16)]) expect(printed.includes(part), `the ${format} was printed`).toBe(false);
    }
  });
});

describe('beyond gitleaks', () => {
  it.each(beyondGitleaks())('the render refuses $what, which gitleaks has no rule for', async ({ what, secret }) => {
    const root = repository();
    write(root, valueOverride, `${read(root, valueOverride)}env:\n  ITEM_01: "${secret}"\n`);
    const result = await runCaptured(command, [], root);
    expect(result.code).toBe(1);
    expect(result.err[0]).toBe(
      `${valueOverride}:5:12: error: plaintext secret in 'env.ITEM_01' (${what.replace(/ under a neutral name$/, '')})\n  hint: never commit secrets: store it in the cloud secret store and let an ExternalSecret create the Kubernetes Secret (see README.md, Secrets); a value that is not a secret goes under secrets: in base/exceptions.yaml with a reason`,
    );
    expect([...result.out, ...result.err].join('\n')).not.toContain(secret);
  });
});

describe('values that are not secrets', () => {
  const values = {
    GIT_COMMIT: '3f2a9c1e7b3d5a4c6e8f0a1b2c3d4e5f6a7b8c9d',
    IMAGE_DIGEST: 'sha256:9b2f1c3d4e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c',
    TRACE_ID: '6f1c2a3b-4d5e-4f60-8a9b-0c1d2e3f4a5b',
    KEY_ID: '0f8e2d3c-1b4a-4c5d-9e6f-7a8b9c0d1e2f',
    TOKEN_AUDIENCE: 'berrys-agents-api',
    REMOTE_KEY: 'berrys/staging/database',
  };

  it('commit SHAs, digests, UUIDs and references pass the render and gitleaks', async () => {
    const root = repository();
    const env = Object.entries(values).map(([k, v]) => `  ${k}: "${v}"\n`);
    write(root, valueOverride, `${read(root, valueOverride)}env:\n${env.join('')}# pinned at commit ${values.GIT_COMMIT}\n`);
    const result = await runCaptured(command, [], root);
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(await runGitleaks(root)).toEqual([]);
  });

  it('a reviewed exception in base/exceptions.yaml lets a flagged value through the render and validate', async () => {
    const root = repository();
    const flagged = `${fakeSecrets()[4]!.secret}`;
    write(root, valueOverride, `${read(root, valueOverride)}env:\n  MAPS_BROWSER_KEY: "${flagged}"\n`);
    const refused = await runCaptured(command, [], root);
    expect(refused.err[0]).toBe(
      `${valueOverride}:5:21: error: plaintext secret in 'env.MAPS_BROWSER_KEY' (a Google API key)\n  hint: never commit secrets: store it in the cloud secret store and let an ExternalSecret create the Kubernetes Secret (see README.md, Secrets); a value that is not a secret goes under secrets: in base/exceptions.yaml with a reason`,
    );
    const exceptions = read(root, 'base/exceptions.yaml').replace(
      'secrets: []\n',
      `secrets:\n  - file: ${valueOverride}\n    path: env.MAPS_BROWSER_KEY\n    reason: a browser key restricted to our referrers, public by design\n`,
    );
    write(root, 'base/exceptions.yaml', exceptions);
    const accepted = await runCaptured(command, ['--quiet'], root);
    expect(accepted.err).toEqual([]);
    expect(accepted.code).toBe(0);
    // gitleaks finds it in the override and in the rendered production manifests; the exception covers both.
    expect((await runGitleaks(root)).map((f) => f.File)).toContain(valueOverride);
    const report = await validateRepository(root);
    expect(report.findings.filter((f) => f.rule === 'gitleaks')).toEqual([]);
  }, 300_000);

  it('validate refuses a .gitleaksignore in a scanned folder, which would hide findings', async () => {
    const root = repository();
    write(root, 'apps/.gitleaksignore', 'apps/api-gateway.yaml:generic-api-key:3\n');
    const report = await validateRepository(root);
    expect(report.findings.filter((f) => f.rule === 'gitleaks')).toEqual([
      {
        file: 'apps/.gitleaksignore',
        line: 1,
        rule: 'gitleaks',
        message: '.gitleaksignore would change what gitleaks reports',
        hint: 'delete it: a value that is not a secret goes under secrets: in base/exceptions.yaml with a reason, reviewed by the platform owners',
      },
    ]);
  }, 300_000);
});
