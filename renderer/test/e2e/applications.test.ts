import { describe, expect, it } from 'vitest';
import { hpaReading, postSyncHooks, replicasOwnedByHpa, summarize, verdictOf, type LiveApplication, type LiveHpa } from '../../src/e2e/applications.js';

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

  it("waits for a chart Application whose chart comes from the run's chart mirror, with Argo CD's reason", () => {
    const mirror = 'http://127.0.0.1:28879';
    const v = verdictOf(
      app('local-addon-metrics-server', { sync: { status: 'Synced' }, health: { status: 'Progressing' } }, { chart: 'metrics-server', repoURL: mirror, targetRevision: '3.13.1' }),
      [],
      [mirror],
    );
    expect(v).toEqual({ name: 'local-addon-metrics-server', state: 'waiting', why: 'Synced/Progressing' });
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

describe('judging who owns the replica count of an autoscaled Deployment', () => {
  const ignoring = [{ group: 'apps', kind: 'Deployment', name: 'web-dashboard', jsonPointers: ['/spec/replicas'] }];
  const sample = (sync: string, replicas: number | undefined, ignoreDifferences = ignoring) => ({
    app: { metadata: { name: 'local-web-dashboard' }, spec: { source: {}, ignoreDifferences }, status: { sync: { status: sync } } },
    deployment: { metadata: { name: 'web-dashboard' }, spec: { replicas } },
  });

  it('holds when the Application stays Synced and the scaled count stays', () => {
    expect(replicasOwnedByHpa(sample('Synced', 3), 3)).toBe(true);
  });

  it('fails when the Application turns OutOfSync over the scaled count', () => {
    expect(replicasOwnedByHpa(sample('OutOfSync', 3), 3)).toBe('local-web-dashboard is OutOfSync after Deployment web-dashboard was scaled to 3');
  });

  it('fails when the count was put back', () => {
    expect(replicasOwnedByHpa(sample('Synced', 1), 3)).toBe('Deployment web-dashboard went from 3 to 1 replicas: something other than its HPA set them');
    expect(replicasOwnedByHpa(sample('Synced', undefined), 3)).toBe('Deployment web-dashboard went from 3 to 1 replicas: something other than its HPA set them');
  });

  it('fails when the Application ignores the replicas of another Deployment only', () => {
    const other = [{ group: 'apps', kind: 'Deployment', name: 'api-gateway', jsonPointers: ['/spec/replicas'] }];
    expect(replicasOwnedByHpa(sample('Synced', 3, other), 3)).toBe('local-web-dashboard has no ignoreDifferences on /spec/replicas of Deployment web-dashboard');
  });
});

describe('reading what an HPA gets from the metrics API', () => {
  const hpa = (status: string, reason: string, message: string, cpu?: number): LiveHpa => ({
    metadata: { name: 'agent-orchestrator' },
    status: {
      currentReplicas: 2,
      conditions: [
        { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale' },
        { type: 'ScalingActive', status, reason, message },
      ],
      currentMetrics:
        cpu === undefined
          ? []
          : [
              { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cpu } } },
              { type: 'Resource', resource: { name: 'memory', current: { averageUtilization: 3 } } },
            ],
    },
  });
  const noApi =
    'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)';

  it('shows the current CPU of an HPA that scales on metrics', () => {
    expect(hpaReading(hpa('True', 'ValidMetricFound', 'the HPA was able to successfully calculate a replica count', 150))).toEqual({
      active: true,
      cpu: 150,
      text: 'ScalingActive=True, cpu 150% (memory 3%), 2 replicas',
    });
  });

  it('gives the reason of an HPA without a metrics API', () => {
    const r = hpaReading(hpa('False', 'FailedGetResourceMetric', noApi));
    expect(r.active).toBe(false);
    expect(r.text).toMatch(/^ScalingActive=False \(FailedGetResourceMetric: the HPA was unable to compute.*\), no current CPU yet$/);
  });

  it('is not active while ScalingActive is True but no CPU was read yet', () => {
    expect(hpaReading(hpa('True', 'ValidMetricFound', 'ok'))).toEqual({ active: false, text: 'ScalingActive=True (ValidMetricFound: ok), no current CPU yet' });
  });
});

describe('the post-deploy tests of the last sync', () => {
  const withHooks = (phase: string, hookPhases: string[]) => ({
    status: {
      operationState: {
        phase,
        message: 'successfully synced (all tasks run)',
        syncResult: {
          resources: [
            { kind: 'ConfigMap', name: 'post-deploy-checks' },
            ...hookPhases.map((hookPhase, i) => ({ kind: 'Job', name: `post-deploy-${i}`, hookType: 'PostSync', hookPhase })),
          ],
        },
      },
    },
  });

  it('passes when the operation and every PostSync hook succeeded, listing each hook', () => {
    expect(postSyncHooks(withHooks('Succeeded', ['Succeeded']))).toEqual({
      passed: true,
      lines: ['operation Succeeded: successfully synced (all tasks run)', 'Job/post-deploy-0: Succeeded'],
    });
  });

  it('fails on a failed hook, and on a sync that ran no PostSync hook', () => {
    expect(postSyncHooks(withHooks('Failed', ['Succeeded', 'Failed'])).passed).toBe(false);
    expect(postSyncHooks(withHooks('Succeeded', []))).toEqual({ passed: false, lines: ['operation Succeeded, but no PostSync hook ran'] });
    expect(postSyncHooks({ status: {} })).toEqual({ passed: false, lines: ['no sync operation yet'] });
  });
});
