import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
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

  it('writes one resource per file with a generated header naming the sources and a trailing newline', async () => {
    for (const f of await render(realInputs())) {
      if (f.path.endsWith('.json')) continue;
      const lines = f.content.split('\n');
      expect(lines[0]!.startsWith(generatedMarker)).toBe(true);
      expect(lines[2]!.startsWith('# Sources: ')).toBe(true);
      expect(f.content.endsWith('\n')).toBe(true);
      expect(f.content.split('\n---').length).toBe(1);
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
    const changed = Object.keys(after).filter((p) => after[p] !== before[p]);
    expect(changed.sort()).toEqual([
      'clusters/production-dr/apps/agent-orchestrator/horizontalpodautoscaler-agent-orchestrator.yaml',
      'clusters/production/apps/agent-orchestrator/horizontalpodautoscaler-agent-orchestrator.yaml',
    ]);
  });
});
