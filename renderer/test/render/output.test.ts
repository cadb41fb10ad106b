import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { parseClusterIndex } from '../../src/cluster-index.js';
import { renderRepository } from '../../src/render/render.js';
import { memoryReader, type RepoReader } from '../../src/fs.js';
import { generatedMarker } from '../../src/render/emit.js';
import { committedOutput, realInputs } from './fixture.js';

async function render(files: Record<string, string>, reader?: RepoReader) {
  return (await renderRepository(reader ?? memoryReader(files))).files;
}

describe('rendered output of the real repository (golden)', () => {
  it('equals the committed clusters/ tree byte for byte', async () => {
    const files = await render(realInputs());
    const rendered = Object.fromEntries(files.map((f) => [f.path, f.content]));
    expect(Object.keys(rendered).sort()).toEqual(Object.keys(committedOutput()).sort());
    expect(rendered).toEqual(committedOutput());
  });

  it('renders every environment into its own cluster folders, production twice (primary and warm standby)', async () => {
    const clusters = new Set((await render(realInputs())).map((f) => f.path.split('/')[1]));
    expect([...clusters].sort()).toEqual(['development', 'index.json', 'local', 'production', 'production-dr', 'staging']);
  });

  it('writes one manifest.yaml per folder: a generated header naming the sources, then each object as a document named by a comment', async () => {
    const files = await render(realInputs());
    const index = parseClusterIndex(files.find((f) => f.path === 'clusters/index.json')!.content);
    const manifests = files.filter((f) => !f.path.endsWith('.json'));
    expect(manifests.map((f) => f.path).sort()).toEqual(index.clusters.flatMap((c) => c.folders.map((f) => `${f.path}/manifest.yaml`)).sort());
    for (const f of manifests) {
      const lines = f.content.split('\n');
      expect(lines[0]!.startsWith(generatedMarker)).toBe(true);
      expect(lines[2]!.startsWith('# Sources: ')).toBe(true);
      expect(f.content.endsWith('\n')).toBe(true);
      const documents = f.content.slice(f.content.indexOf('\n', f.content.indexOf('# Sources: ')) + 1).split(/^---\n/m);
      for (const d of documents) {
        const object = parse(d) as { kind: string; metadata: { name: string; namespace?: string } };
        const name = object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
        expect(d.split('\n')[0], f.path).toMatch(new RegExp(`^# ${object.kind} ${name} \\(base/templates/[a-z-]+\\.yaml\\.hbs\\)$`));
      }
    }
  });
});

describe('determinism', () => {
  it('renders identical bytes twice', async () => {
    expect(await render(realInputs())).toEqual(await render(realInputs()));
  });

  it('renders identical bytes when folders list in another order and mappings are written in another order', async () => {
    const files = realInputs();
    const reordered: Record<string, string> = {};
    for (const path of Object.keys(files).reverse()) {
      // Reverse the key order of every top-level mapping in the inputs.
      const doc = parseDocument(files[path]!);
      if (path.endsWith('.yaml') && doc.contents && 'items' in doc.contents && !path.startsWith('base/templates/')) {
        (doc.contents as { items: unknown[] }).items.reverse();
        reordered[path] = doc.toString();
      } else reordered[path] = files[path]!;
    }
    const inner = memoryReader(reordered);
    const reversedLister: RepoReader = { read: inner.read, list: async (dir) => (await inner.list(dir)).reverse() };
    expect(await render(reordered, reversedLister)).toEqual(await render(files));
  });
});

describe('an edit to one overlay value', () => {
  it('changes exactly the resources that depend on it', async () => {
    const before = Object.fromEntries((await render(realInputs())).map((f) => [f.path, f.content]));
    const files = realInputs();
    files['overlays/production/apps/agent-orchestrator.yaml'] = files['overlays/production/apps/agent-orchestrator.yaml']!.replace('maxReplicas: 10', 'maxReplicas: 14');
    const after = Object.fromEntries((await render(files)).map((f) => [f.path, f.content]));
    const documents = (text: string | undefined) => (text ?? '').split(/^---\n/m);
    const changed = Object.keys(after).flatMap((p) =>
      documents(after[p])
        .filter((d, i) => d !== documents(before[p])[i])
        .map((d) => `${p}: ${d.split('\n')[0]}`),
    );
    // The index reports each node group's requests at the HPA maximums (capacity), so it changes too.
    expect(changed.sort()).toEqual([
      'clusters/index.json: {',
      'clusters/production-dr/apps/agent-orchestrator/manifest.yaml: # HorizontalPodAutoscaler berrys-production/agent-orchestrator (base/templates/hpa.yaml.hbs)',
      'clusters/production/apps/agent-orchestrator/manifest.yaml: # HorizontalPodAutoscaler berrys-production/agent-orchestrator (base/templates/hpa.yaml.hbs)',
    ]);
  });
});
