import { describe, expect, it } from 'vitest';
import { formatStall, missingReferences, requiredReferences, stallVerdict, type PodLike } from '../../src/e2e/verdict.js';

const grafanaPod: PodLike = {
  metadata: { name: 'grafana-6d9f-abcde', namespace: 'monitoring' },
  spec: {
    volumes: [{ secret: { secretName: 'grafana-tls', optional: true } }, { configMap: { name: 'grafana' } }],
    containers: [
      { env: [{ valueFrom: { secretKeyRef: { name: 'grafana-admin' } } }, { valueFrom: { secretKeyRef: { name: 'grafana-admin' } } }] },
      { envFrom: [{ configMapRef: { name: 'grafana-extra', optional: true } }] },
    ],
  },
};

const app = (name: string, wave: number, namespace: string, sync: string, health: string) => ({
  metadata: { name, annotations: { 'argocd.argoproj.io/sync-wave': String(wave) } },
  spec: { destination: { namespace } },
  status: { sync: { status: sync }, health: { status: health } },
});

describe('what a pod cannot start without', () => {
  it('lists required Secrets and ConfigMaps once each, leaving optional ones out', () => {
    expect(requiredReferences(grafanaPod)).toEqual([
      { kind: 'ConfigMap', namespace: 'monitoring', name: 'grafana' },
      { kind: 'Secret', namespace: 'monitoring', name: 'grafana-admin' },
    ]);
  });

  it('keeps only the ones that do not exist', () => {
    expect(missingReferences(grafanaPod, (k) => k === 'ConfigMap/monitoring/grafana')).toEqual([{ kind: 'Secret', namespace: 'monitoring', name: 'grafana-admin' }]);
  });
});

describe('naming the stall of a sync in wave order', () => {
  it('names the lowest unconverged wave, the Application whose pod lacks a Secret, and what waits behind it', () => {
    // The inverted pair: the Secret's producer (the platform folder) syncs in wave 3, after its consumer in wave 2.
    const apps = [
      app('production-addon-cert-manager', 1, 'cert-manager', 'Synced', 'Healthy'),
      app('production-addon-traefik', 2, 'ingress', 'Synced', 'Progressing'),
      app('production-addon-kube-prometheus-stack', 2, 'monitoring', 'Synced', 'Progressing'),
      app('production-platform', 3, 'berrys-production', 'OutOfSync', 'Missing'),
      app('production-api-gateway', 4, 'berrys-production', 'OutOfSync', 'Missing'),
    ];
    const v = stallVerdict(
      apps,
      [{ pod: 'grafana-6d9f-abcde', namespace: 'monitoring', owner: 'Deployment grafana', missing: [{ kind: 'Secret', namespace: 'monitoring', name: 'grafana-admin' }] }],
      ['production-web-dashboard'],
    );
    expect(v).toEqual({
      wave: 2,
      application: 'production-addon-kube-prometheus-stack',
      state: 'Synced/Progressing',
      waitsOn: ['Secret monitoring/grafana-admin, which nothing has created (Deployment grafana cannot start without it)'],
      behind: ['production-platform', 'production-api-gateway', 'production-web-dashboard'],
    });
    expect(formatStall(v!)).toBe(
      [
        'stalled in sync wave 2: Application production-addon-kube-prometheus-stack is Synced/Progressing and waits on',
        '  - Secret monitoring/grafana-admin, which nothing has created (Deployment grafana cannot start without it)',
        '  behind it, not synced or never created: production-platform, production-api-gateway, production-web-dashboard',
      ].join('\n'),
    );
  });

  it("names the Application's unhealthy and unsynced resources when no pod lacks a Secret", () => {
    const stuck = {
      ...app('production-addon-external-secrets', 1, 'external-secrets', 'Synced', 'Progressing'),
      status: {
        sync: { status: 'Synced' },
        health: { status: 'Progressing' },
        resources: [
          {
            kind: 'Deployment',
            namespace: 'external-secrets',
            name: 'external-secrets-webhook',
            status: 'Synced',
            health: { status: 'Progressing', message: 'Waiting for rollout to finish: 0 of 1 updated replicas are available...' },
          },
          { kind: 'Service', namespace: 'external-secrets', name: 'external-secrets-webhook', status: 'Synced', health: { status: 'Healthy' } },
          { kind: 'CustomResourceDefinition', name: 'externalsecrets.external-secrets.io', status: 'OutOfSync' },
        ],
      },
    };
    expect(stallVerdict([stuck], [])?.waitsOn).toEqual([
      'Deployment external-secrets/external-secrets-webhook Progressing: Waiting for rollout to finish: 0 of 1 updated replicas are available...',
      'CustomResourceDefinition externalsecrets.external-secrets.io: OutOfSync',
    ]);
  });

  it("names the object a root's whole sync is refused for when its kind's CRD is not installed yet", () => {
    // As Argo CD reported it in a production rehearsal before the ExternalSecret skipped the dry run.
    const root = {
      ...app('production-root', 0, 'argocd', 'OutOfSync', 'Healthy'),
      status: {
        sync: { status: 'OutOfSync' },
        health: { status: 'Healthy' },
        operationState: {
          phase: 'Running',
          message:
            'one or more synchronization tasks are not valid: failed to discover server resources for group version external-secrets.io/v1: the server could not find the requested resource. Retrying attempt #3 at 6:22AM.',
          syncResult: {
            resources: [
              {
                group: 'external-secrets.io',
                kind: 'ExternalSecret',
                namespace: 'argocd',
                name: 'argocd-notifications-secret',
                status: 'SyncFailed',
                message:
                  'The Kubernetes API could not find external-secrets.io/ExternalSecret for requested resource argocd/argocd-notifications-secret. Make sure the "ExternalSecret" CRD is installed on the destination cluster.',
              },
            ],
          },
        },
      },
    };
    const v = stallVerdict([root], [], ['production-addon-external-secrets', 'production-platform'])!;
    expect(v.application).toBe('production-root');
    expect(v.waitsOn[0]).toMatch(/^ExternalSecret argocd\/argocd-notifications-secret SyncFailed: .*"ExternalSecret" CRD is installed/);
    expect(v.behind).toEqual(['production-addon-external-secrets', 'production-platform']);
  });

  it('gives nothing when every Application converged', () => {
    expect(stallVerdict([app('a', 1, 'x', 'Synced', 'Healthy')], [])).toBeUndefined();
  });
});
