import { describe, expect, it } from 'vitest';
import { summarize, verdictOf, type LiveApplication } from '../../src/e2e/applications.js';

const app = (name: string, status: LiveApplication['status'], source: LiveApplication['spec']['source'] = { path: `clusters/local/apps/${name}` }): LiveApplication => ({
  metadata: { name },
  spec: { source },
  status,
});

describe('reading the live Applications of the GitOps loop', () => {
  it('counts a Synced and Healthy Application as converged', () => {
    expect(verdictOf(app('local-api-gateway', { sync: { status: 'Synced', revision: 'abc' }, health: { status: 'Healthy' } }))).toEqual({
      name: 'local-api-gateway',
      state: 'ok',
      revision: 'abc',
    });
  });

  it('reports a chart Application as not checked, naming the chart and why', () => {
    const v = verdictOf(app('local-addon-traefik', { sync: { status: 'Unknown' } }, { chart: 'traefik', repoURL: 'https://traefik.github.io/charts', targetRevision: '39.0.0' }));
    expect(v).toEqual({
      name: 'local-addon-traefik',
      state: 'not-checked',
      why: 'Helm chart traefik 39.0.0 from https://traefik.github.io/charts: no chart repository is reachable from this machine',
    });
  });

  it('reports health as not checked only when every unhealthy resource waits for a chart-installed controller', () => {
    const status = (extra: { group?: string; kind: string; name: string; health?: { status?: string } }[]) => ({
      sync: { status: 'Synced' },
      health: { status: 'Progressing' },
      resources: [{ group: 'networking.k8s.io', kind: 'NetworkPolicy', name: 'default-deny' }, ...extra],
    });
    const waiting = app('local-platform', status([{ group: 'external-secrets.io', kind: 'ExternalSecret', name: 'database-credentials', health: { status: 'Progressing' } }]));
    expect(verdictOf(waiting, ['external-secrets.io'])).toEqual({
      name: 'local-platform',
      state: 'not-checked',
      why: 'Synced; health not checked: ExternalSecret database-credentials waits for a controller that an add-on chart installs (no chart repository is reachable)',
    });
    const stuck = app('local-platform', status([{ group: 'apps', kind: 'Deployment', name: 'x', health: { status: 'Progressing' } }]));
    expect(verdictOf(stuck, ['external-secrets.io']).state).toBe('waiting');
  });

  it('says what an unconverged Application is doing and waits for the expected ones that do not exist yet', () => {
    const s = summarize(
      [app('local-root', { sync: { status: 'OutOfSync' }, health: { status: 'Healthy' }, conditions: [{ type: 'SyncError', message: 'boom' }] })],
      ['local-root', 'local-platform'],
    );
    expect(s.done).toBe(false);
    expect(s.waiting).toEqual([
      { name: 'local-root', why: 'OutOfSync/Healthy (SyncError: boom)' },
      { name: 'local-platform', why: 'not created yet' },
    ]);
  });
});
