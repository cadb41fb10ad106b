// The capacity check (capacity.ts, node-groups.ts): placements the node groups cannot hold are refused at the
// group's maxNodes line; each group's headroom at the apps' maximum replicas is reported in clusters/index.json.
import { describe, expect, it } from 'vitest';
import { memoryReader } from '../../src/fs.js';
import { RenderError } from '../../src/errors.js';
import { renderRepository } from '../../src/render/render.js';
import { parseClusterIndex } from '../../src/cluster-index.js';
import { realInputs } from './fixture.js';

async function render(change: (files: Record<string, string>) => void) {
  const files = realInputs();
  change(files);
  const result = await renderRepository(memoryReader(files)).then(
    (r) => ({ files: r.files, error: '' }),
    (e: unknown) => ({ files: [], error: e instanceof RenderError ? e.message : String(e) }),
  );
  return { ...result, inputs: files };
}

const production = 'overlays/production/environment.yaml';
const generalLine = (files: Record<string, string>) => files[production]!.split('\n').findIndex((l) => l.startsWith('  general: ')) + 1;

describe('node-group capacity', () => {
  it('refuses apps whose minimum replicas cannot be scheduled under zone spread on the maximum nodes, at the maxNodes line', async () => {
    const { error, inputs } = await render((f) => {
      f[production] = f[production]!.replace('general: { instanceType: t3.xlarge, allocatable: { cpu: 3920m,', 'general: { instanceType: t3.xlarge, allocatable: { cpu: 600m,');
    });
    const line = generalLine(inputs);
    const col = inputs[production]!.split('\n')[line - 1]!.indexOf('maxNodes: ') + 11;
    const message = (cluster: string) =>
      `${production}:${line}:${col}: error: node group 'general' of cluster '${cluster}' cannot schedule its apps at their minimum replicas: a pod of 'web-dashboard' ` +
      "(250m CPU, 512 MiB) finds no room under zone spread (DoNotSchedule) on 5 × t3.xlarge (600m CPU, 14400 MiB each) across 3 zones; the group's pods request " +
      `${cluster === 'production' ? '2250m CPU and 4608 MiB' : '1500m CPU and 3072 MiB'}\n` +
      "  hint: raise maxNodes, pin some of 'api-gateway', 'web-dashboard' to another node group (nodeGroup in apps/<app>.yaml), or lower their requests or minimum replicas";
    expect(error).toBe(`${message('production')}\n${message('production-dr')}`);
  });

  it("reports each group's headroom at the apps' maximum replicas, and a group that could not hold them, without refusing", async () => {
    const moved = await render((f) => {
      f['apps/tool-integration.yaml'] = f['apps/tool-integration.yaml']!.replace('nodeGroup: memory', 'nodeGroup: general');
      f['apps/service-integration.yaml'] = f['apps/service-integration.yaml']!.replace('nodeGroup: memory', 'nodeGroup: general');
    });
    expect(moved.error).toBe('');
    const general = (files: { path: string; content: string }[]) =>
      parseClusterIndex(files.find((f) => f.path === 'clusters/index.json')!.content)
        .clusters.find((c) => c.name === 'production')!
        .capacity!.find((g) => g.nodeGroup === 'general');
    // Four apps at 10 replicas each on five t3.xlarge: the finding this check was made for.
    expect(general(moved.files)).toEqual({
      nodeGroup: 'general',
      instanceType: 't3.xlarge',
      maxNodes: 5,
      zones: 3,
      cpuMillicores: { requested: 17500, allocatable: 19600, headroom: 2100 },
      memoryMiB: { requested: 35840, allocatable: 72000, headroom: 36160 },
      schedulableAtMaximum: false,
    });
    const placed = await render(() => {});
    expect(general(placed.files)).toMatchObject({ cpuMillicores: { requested: 7500, allocatable: 19600, headroom: 12100 }, schedulableAtMaximum: true });
  });

  it('refuses an app pinned to a node group its environment does not declare', async () => {
    const { error, inputs } = await render((f) => {
      f['apps/web-dashboard.yaml'] = f['apps/web-dashboard.yaml']!.replace('nodeGroup: general', 'nodeGroup: gpu');
    });
    const line = inputs['overlays/development/environment.yaml']!.split('\n').indexOf('nodeGroups:') + 1;
    expect(error.split('\n').slice(0, 2)).toEqual([
      `overlays/development/environment.yaml:${line}:1: error: app 'web-dashboard' runs on node group 'gpu' (apps/web-dashboard.yaml), which cluster 'development' does not have`,
      "  hint: node groups here: compute, general, memory; declare it under nodeGroups or change the app's nodeGroup",
    ]);
  });
});
