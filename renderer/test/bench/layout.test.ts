import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { layoutStudy, perResource } from '../../src/bench/layout.js';
import { defaultRepoRoot } from '../../src/paths.js';

const manifest = 'clusters/production/apps/api-gateway/manifest.yaml';
const platform = 'clusters/production/platform/manifest.yaml';
const committed = (file: string) => readFileSync(path.join(defaultRepoRoot, file), 'utf8');

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

describe('layout study', () => {
  it('splits a folder manifest into the files the per-resource layout had, each with a header and one document', () => {
    const files = perResource(new Map([[manifest, committed(manifest)]]));
    expect([...files.keys()]).toEqual([
      'clusters/production/apps/api-gateway/deployment-api-gateway.yaml',
      'clusters/production/apps/api-gateway/horizontalpodautoscaler-api-gateway.yaml',
      'clusters/production/apps/api-gateway/ingress-api-gateway.yaml',
      'clusters/production/apps/api-gateway/networkpolicy-api-gateway.yaml',
      'clusters/production/apps/api-gateway/poddisruptionbudget-api-gateway.yaml',
      'clusters/production/apps/api-gateway/service-api-gateway.yaml',
      'clusters/production/apps/api-gateway/serviceaccount-api-gateway.yaml',
    ]);
    const service = files.get('clusters/production/apps/api-gateway/service-api-gateway.yaml')!;
    expect(service.split('\n').slice(1, 4)).toEqual(['# Cluster: production (environment production)', '# Sources: base/templates/service.yaml.hbs', 'apiVersion: v1']);
    expect(service).not.toContain('\n---');
  });

  it('names namespaced objects of the platform folder with their namespace', () => {
    const names = [...perResource(new Map([[platform, committed(platform)]])).keys()];
    expect(names).toContain('clusters/production/platform/networkpolicy-berrys-production-default-deny.yaml');
    expect(names).toContain('clusters/production/platform/clustersecretstore-production-secrets.yaml');
  });

  it('measures both layouts of one tree: more files for one per resource, one file changed by an image bump in each', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'layout-'));
    for (const file of [manifest, platform]) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), committed(file));
    }
    const [folder, resource] = await layoutStudy(root, 1);
    expect(folder).toMatchObject({ layout: 'one file per folder', files: 2, folders: 2, diffFiles: 1, diffLines: 2 });
    expect(resource).toMatchObject({ layout: 'one file per resource', diffFiles: 1, diffLines: 2 });
    expect(resource!.files).toBe(
      perResource(
        new Map([
          [manifest, committed(manifest)],
          [platform, committed(platform)],
        ]),
      ).size,
    );
    expect(folder!.gitPackBytes).toBeGreaterThan(0);
    expect(folder!.hunkHeaders.length).toBe(1);
  });
});
