import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse, parseAllDocuments } from 'yaml';
import path from 'node:path';
import { parseSource } from '../../src/source.js';
import { mergeLayers } from '../../src/render/layers.js';
import { canonical } from '../../src/render/normalize.js';
import { closest, formatProblem, RenderError } from '../../src/errors.js';
import { emitContent, emitObjects, generatedMarker, toYaml } from '../../src/render/emit.js';
import { schemaFiles } from '../../src/schema-files.js';
import { defaultRepoRoot } from '../../src/paths.js';
import { memoryReader } from '../../src/fs.js';
import { findPlaintextSecrets } from '../../src/render/secrets.js';
import { realInputs } from './fixture.js';
import type { RenderedObject } from '../../src/render/parse.js';

describe('source (load)', () => {
  it('locates a value and its key by data path', () => {
    const { source } = parseSource('f.yaml', 'a:\n  b:\n    - x\n    - y: 1\n');
    expect(source!.locate(['a', 'b', 1, 'y'])).toEqual({ line: 4, col: 10 });
    expect(source!.locate(['a', 'b', 1, 'y'], true)).toEqual({ line: 4, col: 7 });
    expect(source!.locate(['a', 'missing'])).toEqual({ line: 2, col: 3 });
  });

  it('refuses duplicate keys as malformed YAML', () => {
    const { problems } = parseSource('f.yaml', 'a: 1\na: 2\n');
    expect(problems.map(formatProblem)[0]).toMatch(/^f\.yaml:2:1: error: malformed YAML: Map keys must be unique/);
  });
});

describe('merge', () => {
  it('merges mappings, replaces lists and scalars, and remembers which file set each leaf', () => {
    const a = parseSource('a.yaml', 'x: 1\nm:\n  p: 1\n  q: 2\nl: [1, 2]\n').source!;
    const b = parseSource('b.yaml', 'settings:\n  m:\n    q: 3\n  l: [9]\n').source!;
    const { value, origin } = mergeLayers([
      { source: a, base: [], value: a.value },
      { source: b, base: ['settings'], value: (b.value as { settings: unknown }).settings },
    ]);
    expect(value).toEqual({ x: 1, m: { p: 1, q: 3 }, l: [9] });
    expect(origin(['m', 'q'])).toEqual({ file: 'b.yaml', line: 3, col: 8 });
    expect(origin(['m', 'p'])).toEqual({ file: 'a.yaml', line: 3, col: 6 });
  });
});

describe('normalize', () => {
  it('orders apiVersion, kind, metadata, spec first and everything else alphabetically, keeping list order', () => {
    const out = canonical({ spec: { z: 1, a: [3, 1] }, zeta: 1, metadata: { labels: {}, name: 'n' }, kind: 'K', apiVersion: 'v1' });
    expect(JSON.stringify(out)).toBe('{"apiVersion":"v1","kind":"K","metadata":{"name":"n","labels":{}},"spec":{"a":[3,1],"z":1},"zeta":1}');
  });
});

describe('emit', () => {
  const object = (folder: string, name: string, kind = 'ConfigMap') => {
    const r = {
      object: { apiVersion: 'v1', kind, metadata: { name, namespace: 'ns' } },
      job: { folder, cluster: 'x', environment: 'dev', sources: [`apps/${name}.yaml`] },
      templateFile: `base/templates/${kind.toLowerCase()}.yaml.hbs`,
    } as unknown as RenderedObject;
    return { ...r, content: emitContent(r) };
  };

  it('writes one manifest.yaml per folder: the header with every source, then one document per object in order', () => {
    const { files, problems } = emitObjects([object('clusters/x/apps/a', 'a'), object('clusters/x/apps/a', 'a', 'Service'), object('clusters/x/apps/b', 'b')]);
    expect(problems).toEqual([]);
    expect(files.map((f) => f.path)).toEqual(['clusters/x/apps/a/manifest.yaml', 'clusters/x/apps/b/manifest.yaml']);
    expect(files[0]!.content).toBe(
      `${generatedMarker} (npm run render). Do not edit: change the sources and render again.\n` +
        '# Cluster: x (environment dev)\n' +
        '# Sources: apps/a.yaml, base/templates/configmap.yaml.hbs, base/templates/service.yaml.hbs\n' +
        '# ConfigMap ns/a (base/templates/configmap.yaml.hbs)\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: ns\n' +
        '---\n# Service ns/a (base/templates/service.yaml.hbs)\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: ns\n',
    );
    expect(parseAllDocuments(files[0]!.content).map((d) => (d.toJS() as { kind: string }).kind)).toEqual(['ConfigMap', 'Service']);
  });

  it('refuses two objects of one kind and name in one folder, naming the folder', () => {
    const { problems } = emitObjects([object('clusters/x/apps/a', 'a'), object('clusters/x/apps/a', 'a')]);
    expect(problems.map(formatProblem)).toEqual([
      "base/templates/configmap.yaml.hbs: error: two ConfigMap objects named 'a' would be written to clusters/x/apps/a\n  hint: give the objects distinct names",
    ]);
  });

  it('quotes strings that YAML would otherwise read as other types', () => {
    expect(toYaml({ a: '1.10', b: 'true', c: 'null', d: '', e: '*x', f: 'a: b' })).toBe('a: "1.10"\nb: "true"\nc: "null"\nd: ""\ne: "*x"\nf: "a: b"\n');
  });

  it('quotes strings that YAML 1.1 (how Kubernetes reads manifests) would read as booleans, numbers or dates', () => {
    const words = ['on', 'Off', 'YES', 'no', 'y', 'N', '1:20', '1_000', '2024-01-01', '0o17'];
    const text = toYaml({ words, on: 'x' });
    expect(text).toBe(`words:\n${words.map((w) => `  - "${w}"`).join('\n')}\n"on": x\n`);
    expect(parse(text, { version: '1.1' })).toEqual({ words, on: 'x' });
  });
});

describe('errors', () => {
  it('suggests the closest allowed word, and nothing when none is close', () => {
    expect(closest('replcas', ['replicas', 'resources'])).toBe('replicas');
    expect(closest('zzzzzz', ['replicas', 'resources'])).toBeUndefined();
  });

  it('sorts problems by file, line and column', () => {
    const err = new RenderError([
      { file: 'b.yaml', line: 1, message: 'm' },
      { file: 'a.yaml', line: 9, message: 'm' },
      { file: 'a.yaml', line: 2, col: 5, message: 'm', hint: 'h' },
    ]);
    expect(err.message).toBe('a.yaml:2:5: error: m\n  hint: h\na.yaml:9: error: m\nb.yaml:1: error: m');
  });
});

describe('secrets', () => {
  it('finds passwords in URLs, private keys, cloud keys and values under secret-sounding keys, and leaves references alone', () => {
    const { source } = parseSource(
      'f.yaml',
      `url: postgres://u:p@h/db\nkey: "-----BEGIN RSA PRIVATE KEY-----"\naws: AK${'IA'}ABCDEFGHIJKLMNOP\napiToken: abc\nremoteKey: berrys/x/database\nplain: postgres://u@h/db\nTOKEN_TTL: "3600"\n`,
    );
    expect(findPlaintextSecrets(source!).map((p) => `${p.line}:${p.message}`)).toEqual([
      "1:plaintext secret in 'url' (a URL with a password in it)",
      "2:plaintext secret in 'key' (a private key)",
      "3:plaintext secret in 'aws' (an AWS access key id)",
      "4:plaintext secret in 'apiToken' (a value under the key 'apiToken')",
    ]);
  });
});

describe('published schemas', () => {
  it('are up to date with model.ts (run npm run schema)', () => {
    for (const file of schemaFiles()) expect(readFileSync(path.join(defaultRepoRoot, file.path), 'utf8')).toBe(file.content);
  });

  it('are referenced from the first line of every app, overlay and base input file', () => {
    for (const [file, text] of Object.entries(realInputs())) {
      if (!file.endsWith('.yaml')) continue;
      const name = file.startsWith('apps/')
        ? 'app'
        : file.includes('/apps/')
          ? 'app-override'
          : path.basename(file, '.yaml') === 'environment'
            ? 'environment'
            : path.basename(file, '.yaml');
      const schemaPath = path.posix.relative(path.posix.dirname(file), `renderer/schema/${name}.schema.json`);
      expect(text.split('\n')[0], file).toBe(`# yaml-language-server: $schema=${schemaPath}`);
    }
  });
});

describe('memoryReader', () => {
  it('lists folders implied by file paths', async () => {
    const r = memoryReader({ 'a/b/c.yaml': '', 'a/d.yaml': '' });
    expect(await r.list('a')).toEqual([
      { name: 'b', isDir: true },
      { name: 'd.yaml', isDir: false },
    ]);
  });
});
