import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { renderRepository } from '../../src/render/render.js';
import { memoryReader } from '../../src/fs.js';
import { compileTemplates, runTemplate, type CompiledTemplate } from '../../src/render/template.js';
import { documentsOf, realInputs } from './fixture.js';

// Rendered objects are read here as plain data, walked by path.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Plain = any;

/** Strings that would turn into new keys, documents, comments, aliases or objects if templated as raw text. */
const hostile = [
  'a: b',
  'value # not a comment',
  'line one\nline two\n  indented: key',
  '---\napiVersion: v1\nkind: Secret\nmetadata: {name: pwned}',
  '{injected: true}',
  '[1, 2]',
  '"double" and \'single\' quotes',
  '*alias',
  '&anchor value',
  '!!binary aGVsbG8=',
  '@at `backtick` %percent',
  '| block',
  '> folded',
  '- list item',
  '? complex key',
  'true',
  '1.10',
  'null',
  '~',
  '',
  ' leading and trailing spaces ',
  'tab\there',
  'unicode ✓ — ü 中文',
  '\\backslash\\n',
];

/** The text of the template run with `{ value }`. */
function templated(template: CompiledTemplate, value: unknown): string {
  const ran = runTemplate(template, { cluster: 'c', environment: 'e', platform: 'p', folder: 'f', template: 't.yaml.hbs', context: { value }, sources: [] });
  if ('problem' in ran) throw new Error(ran.problem.message);
  return ran.text;
}

describe('templating values into YAML', () => {
  it('keeps every hostile string one string value, whatever it holds', () => {
    const { compiled, problems } = compileTemplates(new Map([['t.yaml.hbs', { file: 'base/templates/t.yaml.hbs', text: 'kind: Test\nvalue: {{yaml value}}\nafter: fixed\n' }]]));
    expect(problems).toEqual([]);
    for (const value of hostile) {
      expect(parse(templated(compiled.get('t.yaml.hbs')!, value))).toEqual({ kind: 'Test', value, after: 'fixed' });
    }
  });

  it('keeps structured values (mappings and lists) as the same data', () => {
    const { compiled } = compileTemplates(new Map([['t.yaml.hbs', { file: 't', text: 'kind: Test\nvalue: {{yaml value}}\n' }]]));
    const value = { 'a: b': ['--- x', { '#k': '*v' }], n: 1, t: true, z: null };
    expect(parse(templated(compiled.get('t.yaml.hbs')!, value))).toEqual({ kind: 'Test', value });
  });

  it('carries hostile strings from an overlay into the manifests without changing their structure', async () => {
    const baseline = await renderRepository(memoryReader(realInputs()));
    const files = realInputs();
    const env: Record<string, string> = {};
    hostile.forEach((value, i) => (env[`HOSTILE_${i}`] = value));
    files['overlays/production/apps/agent-orchestrator.yaml'] += stringify({ env, writableRootFilesystem: hostile[3] });
    const { files: rendered } = await renderRepository(memoryReader(files));
    expect(rendered.map((f) => f.path)).toEqual(baseline.files.map((f) => f.path));
    const deployment = (documentsOf(rendered.find((f) => f.path === 'clusters/production/apps/agent-orchestrator/manifest.yaml')!.content) as Plain[]).find(
      (o) => o.kind === 'Deployment',
    );
    const container = deployment.spec.template.spec.containers[0];
    for (const [name, value] of Object.entries(env)) {
      expect(container.env.find((e: { name: string }) => e.name === name)).toEqual({ name, value });
    }
    expect(deployment.metadata.annotations['berrys.io/writable-root-filesystem']).toBe(hostile[3]);
    expect(Object.keys(deployment).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(false);
  });

  it('carries hostile strings in add-on values as the same data', async () => {
    const files = realInputs();
    files['overlays/staging/environment.yaml'] += stringify({ addons: { loki: { values: { hostile } } } });
    const { files: rendered } = await renderRepository(memoryReader(files));
    const app = (documentsOf(rendered.find((f) => f.path === 'clusters/staging/argocd/manifest.yaml')!.content) as Plain[]).find((o) => o.metadata.name === 'staging-addon-loki');
    expect(app.spec.source.helm.valuesObject.hostile).toEqual(hostile);
  });
});
