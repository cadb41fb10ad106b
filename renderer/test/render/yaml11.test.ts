/**
 * Rendered YAML reads the same in any reader. Kubernetes, Helm and Argo CD read manifests with go-yaml's YAML 1.1
 * rules, where `y`, `off`, `0777` and `1:20` are not strings and a plain `<<` key merges its mapping into the parent;
 * the renderer writes YAML 1.2. Every rendered file must therefore give the same objects to a YAML 1.1 reader (the
 * `yaml` library's 1.1 schema with merge keys, and kubectl, a Go reader).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { memoryReader } from '../../src/fs.js';
import { defaultRepoRoot } from '../../src/paths.js';
import { renderRepository } from '../../src/render/render.js';
import { committedOutput, realInputs } from './fixture.js';

/** The documents of a file as YAML 1.2 and as YAML 1.1 (with merge keys) read them; a syntax error fails. */
function bothReadings(file: string, text: string): { yaml12: unknown[]; yaml11: unknown[] } {
  const read = (options: { version: '1.1' | '1.2'; merge?: boolean }) =>
    parseAllDocuments(text, options).map((d) => {
      expect(
        d.errors.map((e) => e.message),
        `${file} (YAML ${options.version})`,
      ).toEqual([]);
      return d.toJS() as unknown;
    });
  return { yaml12: read({ version: '1.2' }), yaml11: read({ version: '1.1', merge: true }) };
}

/** Strings that YAML 1.1 reads as something else when they are written plain. */
const specials = ['<<', '=', '~', 'y', 'N', 'yes', 'No', 'on', 'OFF', 'null', 'Null', '0777', '0o17', '0x1F', '1:20', '190:20:30', '1_000', '2001-12-14', '.inf', '.NaN'];

describe('YAML 1.1 readers', () => {
  it('read every rendered file under clusters/ as the same objects as YAML 1.2', () => {
    const files = Object.entries(committedOutput());
    expect(files.length).toBeGreaterThan(10);
    for (const [file, text] of files) {
      const { yaml12, yaml11 } = bothReadings(file, text);
      expect(yaml11, file).toEqual(yaml12);
    }
  });

  // kubectl is one of the system tools npm test requires (tools/system.ts).
  it('kubectl (go-yaml) reads every rendered manifest as YAML 1.2 does', () => {
    const manifests = Object.entries(committedOutput()).filter(([file]) => file.endsWith('.yaml'));
    const run = spawnSync('kubectl', ['annotate', '--local', '-o', 'json', ...manifests.flatMap(([file]) => ['-f', path.join(defaultRepoRoot, file)]), 'yaml11-check=1'], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    expect(run.stderr).toBe('');
    // One pretty-printed JSON object after another, each closed by a `}` at the start of a line.
    const read = run.stdout.split(/(?<=^\})\n(?=\{)/m).map((json) => {
      const o = JSON.parse(json) as { metadata: { annotations: Record<string, string> } };
      delete o.metadata.annotations['yaml11-check'];
      if (Object.keys(o.metadata.annotations).length === 0) delete (o.metadata as { annotations?: unknown }).annotations;
      return o;
    });
    expect(read).toEqual(manifests.flatMap(([file, text]) => bothReadings(file, text).yaml12));
  });

  it('quote a merge key and the other YAML 1.1 specials in add-on values and env values, which round-trip', async () => {
    const files = realInputs();
    const values = { '<<': { merged: 'no' }, ...Object.fromEntries(specials.map((s, i) => [s, specials[(i + 1) % specials.length]!])), list: specials };
    const addons = files['base/addons.yaml']!;
    const anchor = '    values:\n      installCRDs: true\n';
    expect(addons).toContain(anchor);
    files['base/addons.yaml'] = addons.replace(anchor, `${anchor}      specials: ${JSON.stringify(values)}\n`);
    const env = Object.fromEntries(specials.map((s, i) => [`SPECIAL_${i}`, s]));
    files['overlays/production/apps/agent-orchestrator.yaml'] += `env: ${JSON.stringify(env)}\n`;

    const rendered = (await renderRepository(memoryReader(files))).files;
    const objects = rendered.flatMap(({ path: file, content }) => {
      const { yaml12, yaml11 } = bothReadings(file, content);
      expect(yaml11, file).toEqual(yaml12);
      return yaml12 as { kind: string; metadata: { name: string }; spec: never }[];
    });

    type Application = { spec: { source: { helm: { valuesObject: { specials: unknown } } } } };
    const addon = objects.find((o) => o.kind === 'Application' && o.metadata.name === 'production-addon-external-secrets') as unknown as Application;
    expect(addon.spec.source.helm.valuesObject.specials).toEqual(values);
    type Deployment = { spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } };
    const deployment = objects.find(
      (o) => o.kind === 'Deployment' && o.metadata.name === 'agent-orchestrator' && (o as { metadata: { namespace?: string } }).metadata.namespace === 'berrys-production',
    ) as unknown as Deployment;
    const written = Object.fromEntries(deployment.spec.template.spec.containers[0]!.env.filter((e) => e.name.startsWith('SPECIAL_')).map((e) => [e.name, e.value]));
    expect(written).toEqual(env);
  });
});
