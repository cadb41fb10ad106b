/**
 * Input written to do harm or lost without a word: keys that are object structure in JavaScript, numbers that are
 * not numbers, nesting and merge-conflict markers. Each is refused at the file and line that holds it, and nothing
 * of it reaches another environment.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderRepository } from '../../src/render/render.js';
import { diskReader, memoryReader } from '../../src/fs.js';
import { RenderError } from '../../src/errors.js';
import { mergeLayers } from '../../src/render/layers.js';
import { realInputs, renderError, writeFiles } from './fixture.js';

type Files = Record<string, string>;

const devOverlay = 'overlays/development/apps/web-dashboard.yaml';
const prodOverlay = 'overlays/production/apps/agent-orchestrator.yaml';
const reservedHint =
  "  hint: rename or remove it: '__proto__', 'constructor', 'prototype' are refused as keys anywhere in input files, because JavaScript reads them as object structure, not data";
const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort();
const cleanPrototype = prototypeKeys();

describe('keys that are object structure', () => {
  afterEach(() => {
    // A failing run must not leave the prototype polluted for the tests after it.
    for (const key of prototypeKeys()) if (!cleanPrototype.includes(key)) delete (Object.prototype as Record<string, unknown>)[key];
  });

  const cases: [string, Files, string][] = [
    [
      'refuses a __proto__ key in an overlay, naming file and line, and leaves every object as it was',
      { [devOverlay]: 'env:\n  __proto__:\n    externalEgress: true\n' },
      `${devOverlay}:2:3: error: the key '__proto__' is not allowed (in 'env')\n${reservedHint}`,
    ],
    [
      'refuses a __proto__ key with a plain value instead of dropping it',
      { [devOverlay]: 'env:\n  __proto__: x\n' },
      `${devOverlay}:2:3: error: the key '__proto__' is not allowed (in 'env')\n${reservedHint}`,
    ],
    [
      'refuses a __proto__ key that would set a namespace, at the overlay that holds it',
      { [devOverlay]: 'env:\n  __proto__:\n    namespace: kube-system\n' },
      `${devOverlay}:2:3: error: the key '__proto__' is not allowed (in 'env')\n${reservedHint}`,
    ],
    [
      'refuses a constructor key in env, where a plain object would find a function',
      { [devOverlay]: 'env:\n  constructor: x\n' },
      `${devOverlay}:2:3: error: the key 'constructor' is not allowed (in 'env')\n${reservedHint}`,
    ],
  ];
  for (const [name, changed, expected] of cases) {
    it(name, async () => {
      expect(await renderError((f) => Object.assign(f, changed))).toBe(expected);
      expect(prototypeKeys()).toEqual(cleanPrototype);
    });
  }

  it('merges a __proto__ key as data, whatever reaches the merge: no object gains a property', () => {
    const source = { file: devOverlay, value: {}, locate: () => ({ line: 1, col: 1 }) };
    const hostile = JSON.parse('{"env": {"__proto__": {"externalEgress": true}}, "labels": {"constructor": {"x": 1}}}') as unknown;
    const { value } = mergeLayers([
      { source, base: [], value: { env: { A: 'a' }, labels: {} } },
      { source, base: [], value: hostile },
    ]);
    expect(prototypeKeys()).toEqual(cleanPrototype);
    expect(Object.keys(value.env as object)).toEqual(['A', '__proto__']);
    expect((value.labels as Record<string, unknown>).constructor).toEqual({ x: 1 });
    expect(({} as Record<string, unknown>).externalEgress).toBeUndefined();
  });

  it('refuses an app named constructor, which found a version on every prototype and deployed itself everywhere', async () => {
    const message = await renderError((f) => (f['apps/constructor.yaml'] = f['apps/tool-integration.yaml']!.replace('name: tool-integration', 'name: constructor')));
    expect(message).toBe(
      "apps/constructor.yaml: error: app name 'constructor' is reserved\n  hint: choose another name: '__proto__', 'constructor', 'prototype' are never names or keys in input files",
    );
  });

  it('refuses an environment or an add-on named prototype, at its folder or line', async () => {
    const message = await renderError((f) => {
      for (const file of Object.keys(f).filter((k) => k.startsWith('overlays/local/'))) f[file.replace('overlays/local/', 'overlays/prototype/')] = f[file]!;
      f['base/addons.yaml'] = f['base/addons.yaml']!.replace('  - name: cert-manager\n', '  - name: prototype\n');
    });
    const hint = "  hint: choose another name: '__proto__', 'constructor', 'prototype' are never names or keys in input files";
    const line = realInputs()['base/addons.yaml']!.split('\n').indexOf('  - name: cert-manager') + 1;
    expect(message.split('\n').filter((l) => l.includes('reserved') || l === hint)).toEqual([
      `base/addons.yaml:${line}:11: error: add-on name 'prototype' is reserved`,
      hint,
      "overlays/prototype: error: environment name 'prototype' is reserved",
      hint,
    ]);
  });

  it('refuses reserved keys deep in free-form add-on values', async () => {
    const file = 'overlays/staging/environment.yaml';
    const text = realInputs()[file]!;
    const line = text.split('\n').length;
    const message = await renderError((f) => (f[file] = `${text}addons:\n  traefik:\n    values:\n      deployment:\n        prototype: 1\n        __proto__: {}\n`));
    expect(message).toBe(
      `${file}:${line + 4}:9: error: the key 'prototype' is not allowed (in 'addons.traefik.values.deployment')\n${reservedHint}\n` +
        `${file}:${line + 5}:9: error: the key '__proto__' is not allowed (in 'addons.traefik.values.deployment')\n${reservedHint}`,
    );
  });
});

describe('numbers that are not numbers', () => {
  const notFinite = (given: string, kind = 'infinity') =>
    `is ${given}, which YAML reads as ${kind}, not a finite number\n  hint: write a finite number, or quote it ('${given}') if you meant the text`;
  const cases: [string, string, string, string][] = [
    ['maxReplicas', prodOverlay, 'autoscaling:\n  maxReplicas: .inf\n', `${prodOverlay}:2:16: error: 'autoscaling.maxReplicas' ${notFinite('.inf')}`],
    ['replicas', prodOverlay, 'replicas: -.inf\n', `${prodOverlay}:1:11: error: 'replicas' ${notFinite('-.inf')}`],
    ['rollout.maxSurge', prodOverlay, 'rollout:\n  maxSurge: .inf\n', `${prodOverlay}:2:13: error: 'rollout.maxSurge' ${notFinite('.inf')}`],
    [
      'a probe',
      prodOverlay,
      'probes:\n  readiness:\n    periodSeconds: .NaN\n',
      `${prodOverlay}:3:20: error: 'probes.readiness.periodSeconds' ${notFinite('.NaN', 'not-a-number')}`,
    ],
    ['an env value', prodOverlay, 'env:\n  RATIO: .inf\n', `${prodOverlay}:2:10: error: 'env.RATIO' ${notFinite('.inf')}`],
    [
      'a disruption budget (no hint of "at least Infinity")',
      prodOverlay,
      'disruptionBudget:\n  maxUnavailable: .inf\n',
      `${prodOverlay}:2:19: error: 'disruptionBudget.maxUnavailable' ${notFinite('.inf')}`,
    ],
  ];
  for (const [field, file, text, expected] of cases) {
    it(`refuses a non-finite number in ${field} at the schema's place, saying what was given`, async () => {
      expect(await renderError((f) => (f[file] = text))).toBe(expected);
    });
  }

  it('refuses a non-finite port in the catalogue, once', async () => {
    expect(await renderError((f) => (f['apps/web-dashboard.yaml'] = f['apps/web-dashboard.yaml']!.replace('port: 8080', 'port: .nan')))).toBe(
      `apps/web-dashboard.yaml:5:7: error: 'port' ${notFinite('.nan', 'not-a-number')}`,
    );
  });

  it('refuses a non-finite number in free-form add-on values, which JSON would turn into null', async () => {
    expect(await renderError((f) => (f['base/addons.yaml'] = f['base/addons.yaml']!.replace(/^(\s+values:\n)/m, '$1      ratio: .inf\n')))).toMatch(
      /^base\/addons\.yaml:\d+:14: error: 'addons\.\d+\.values\.ratio' is \.inf, which YAML reads as infinity, not a finite number\n/,
    );
  });
});

describe('problems named as what they are, where they are', () => {
  it('names merge-conflict markers as such, each with its line', async () => {
    const hint = '  hint: resolve the conflict: keep the lines you want from each side and delete the marker lines (<<<<<<<, =======, >>>>>>>)';
    expect(await renderError((f) => (f[prodOverlay] = '<<<<<<< HEAD\nreplicas: 3\n=======\nreplicas: 4\n>>>>>>> feature\n'))).toBe(
      [
        `${prodOverlay}:1:1: error: merge-conflict marker '<<<<<<<': this file holds an unresolved merge conflict\n${hint}`,
        `${prodOverlay}:3:1: error: merge-conflict marker '=======': this file holds an unresolved merge conflict\n${hint}`,
        `${prodOverlay}:5:1: error: merge-conflict marker '>>>>>>>': this file holds an unresolved merge conflict\n${hint}`,
      ].join('\n'),
    );
  });

  for (const name of ['foo-bar', '1ST_VAR', 'AB C']) {
    it(`refuses the env name '${name}' at the overlay line that holds it, not at the app file`, async () => {
      expect(await renderError((f) => (f[prodOverlay] = `env:\n  ${name}: x\n`))).toBe(
        `${prodOverlay}:2:3: error: invalid name '${name}' in 'env'\n  hint: names in 'env' must match ^[A-Z][A-Z0-9_]*$`,
      );
    });
  }

  it('refuses a count Kubernetes cannot hold, so no hint computes with it', async () => {
    expect(await renderError((f) => (f[prodOverlay] = 'disruptionBudget:\n  maxUnavailable: 9007199254740993\n'))).toBe(
      `${prodOverlay}:2:19: error: 'disruptionBudget.maxUnavailable' must be ≤ 2147483647 (got 9007199254740992)\n  hint: use a value ≤ 2147483647`,
    );
  });

  it('offers only ways out of a budget refusal that work: maxReplicas too when the minimum must pass it', async () => {
    const message = await renderError((f) => (f[prodOverlay] = 'autoscaling:\n  minReplicas: 3\n  maxReplicas: 4\ndisruptionBudget:\n  maxUnavailable: 5\n'));
    expect(message.split('\n').slice(0, 2)).toEqual([
      `${prodOverlay}:2:16: error: the disruption budget of app 'agent-orchestrator' in cluster 'production' allows 5 unavailable pods while it may run only 3: a node drain can take the whole service down`,
      '  hint: raise autoscaling.minReplicas and autoscaling.maxReplicas (now 4) to at least 6, lower disruptionBudget.maxUnavailable to 2, or turn disruptionBudget off where one pod is enough',
    ]);
  });

  it('reports a deeply nested input as too deep, once, at the place it gets too deep', async () => {
    expect(await renderError((f) => (f[prodOverlay] = `env: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`))).toBe(
      `${prodOverlay}:1:105: error: the YAML is nested more than 100 levels deep here\n  hint: input files need only a few levels of nesting; remove the extra brackets or indentation`,
    );
  });
});

describe('no silent loss', () => {
  it('refuses a .yml input file with a hint to rename it, instead of ignoring it', async () => {
    const file = 'overlays/production/apps/model-orchestration.yml';
    expect(await renderError((f) => (f[file] = 'replicas: 7\n'))).toBe(
      `${file}: error: this input file ends in .yml, so nothing would read it: input files end in .yaml\n  hint: rename it: git mv ${file} overlays/production/apps/model-orchestration.yaml`,
    );
  });

  it('refuses .yml and .YAML files in every folder the loader reads', async () => {
    const message = await renderError((f) => {
      f['base/platform.yml'] = 'name: x\n';
      f['apps/extra.YAML'] = 'name: extra\n';
      f['overlays/staging/versions.yml'] = 'web-dashboard: 1.0.0\n';
    });
    expect(message.split('\n').filter((l) => l.includes(': error: '))).toEqual([
      'apps/extra.YAML: error: this input file ends in .YAML, so nothing would read it: input files end in .yaml',
      'base/platform.yml: error: this input file ends in .yml, so nothing would read it: input files end in .yaml',
      'overlays/staging/versions.yml: error: this input file ends in .yml, so nothing would read it: input files end in .yaml',
    ]);
  });

  it('refuses an input file above the size limit before parsing it, and base/platform.yaml may raise the limit', async () => {
    // A long comment keeps the raised-limit render as fast as any other.
    const big = `# ${'x'.repeat(1_150_000)}\nenv:\n  PADDED: 'yes'\n`;
    expect(await renderError((f) => (f[prodOverlay] = big))).toBe(
      `${prodOverlay}: error: this input file is 1.1 MiB, above the limit of 1 MiB for an input file\n  hint: split it or trim it; if a file this large is really needed, raise maxInputFileBytes in base/platform.yaml (at most 16 MiB)`,
    );
    const files = realInputs();
    files[prodOverlay] = big;
    files['base/platform.yaml'] += 'maxInputFileBytes: 2097152\n';
    const result = await renderRepository(memoryReader(files));
    expect(result.files.find((f) => f.path === 'clusters/production/apps/agent-orchestrator/manifest.yaml')!.content).toContain('value: "yes"');
  });

  it('refuses raising the size limit beyond its ceiling', async () => {
    expect(await renderError((f) => (f['base/platform.yaml'] += 'maxInputFileBytes: 1073741824\n'))).toMatch(
      /^base\/platform\.yaml:\d+:20: error: 'maxInputFileBytes' must be ≤ 16777216 \(got 1073741824\)\n/,
    );
  });

  it('refuses invalid UTF-8 on disk at its file, line and column, instead of rendering U+FFFD', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'utf8-'));
    try {
      writeFiles(root, realInputs());
      writeFileSync(path.join(root, prodOverlay), Buffer.concat([Buffer.from('env:\n  GREETING: "h\u00e9llo '), Buffer.from([0xff]), Buffer.from('"\n')]));
      const err = await renderRepository(diskReader(root)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RenderError);
      expect((err as RenderError).message).toBe(
        `${prodOverlay}:2:20: error: this input file is not valid UTF-8: byte 0xFF cannot be read as text here\n  hint: save the file as UTF-8; the renderer never guesses an encoding or replaces a byte it cannot read`,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
