import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codeFingerprint } from '../../src/render/fingerprint.js';
import { defaultRepoRoot } from '../../src/paths.js';

const installedVersion = (name: string) => (JSON.parse(readFileSync(path.join(defaultRepoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

describe('renderer fingerprint', () => {
  it('covers every stage module and every library the render loads, with their versions', () => {
    const { modules, libraries } = codeFingerprint(path.join(defaultRepoRoot, 'renderer/src/render/render.ts'));
    // Module paths are relative to the entry's folder, renderer/src/render/.
    for (const stage of ['load', 'merge', 'secrets', 'plan', 'template', 'job', 'parse', 'fastparse', 'check', 'normalize', 'emit', 'serialize']) {
      expect(modules).toContain(`${stage}.ts`);
    }
    for (const shared of ['source', 'validators', 'model']) expect(modules).toContain(`../${shared}.ts`);
    // Commands that only read rendered output do not shape it.
    for (const command of ['render/cli.ts', 'diff/cli.ts', 'bench/cli.ts', 'promote/change.ts']) expect(modules).not.toContain(`../${command}`);
    for (const lib of ['yaml', 'js-yaml', 'handlebars', 'ajv', '@sinclair/typebox']) expect(libraries).toContain(`${lib}@${installedVersion(lib)}`);
    // …and what those libraries depend on (ajv's deep equality decides which inputs pass).
    expect(libraries).toContain(`fast-deep-equal@${installedVersion('fast-deep-equal')}`);
  });

  it('covers the compiled renderer with the validators the build writes', () => {
    const { modules } = codeFingerprint(path.join(defaultRepoRoot, 'dist/render/render.js'));
    expect(modules).toContain('../validators.cjs');
    expect(modules).toContain('emit.js');
  });

  describe('on a copy of the renderer', () => {
    let root: string;
    const entry = () => path.join(root, 'src/render/render.ts');
    beforeEach(() => {
      root = mkdtempSync(path.join(os.tmpdir(), 'fingerprint-'));
      cpSync(path.join(defaultRepoRoot, 'renderer/src'), path.join(root, 'src'), { recursive: true });
      for (const lib of ['yaml', 'js-yaml', 'handlebars', 'ajv', '@sinclair/typebox']) {
        mkdirSync(path.join(root, 'node_modules', lib), { recursive: true });
        writeFileSync(path.join(root, 'node_modules', lib, 'package.json'), JSON.stringify({ name: lib, version: '1.0.0' }));
      }
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('changes when a module the render loads changes, and only then', () => {
      const before = codeFingerprint(entry()).hash;
      writeFileSync(path.join(root, 'src/bench/cli.ts'), '// not part of the render\n', { flag: 'a' });
      expect(codeFingerprint(entry()).hash).toBe(before);
      writeFileSync(path.join(root, 'src/render/serialize.ts'), '// a change\n', { flag: 'a' });
      expect(codeFingerprint(entry()).hash).not.toBe(before);
    });

    it('changes when the version of a library changes', () => {
      const before = codeFingerprint(entry());
      expect(before.libraries).toEqual(['@sinclair/typebox@1.0.0', 'ajv@1.0.0', 'handlebars@1.0.0', 'js-yaml@1.0.0', 'yaml@1.0.0']);
      writeFileSync(path.join(root, 'node_modules/js-yaml/package.json'), JSON.stringify({ name: 'js-yaml', version: '1.0.1' }));
      expect(codeFingerprint(entry()).hash).not.toBe(before.hash);
    });
  });
});
