// The post-deploy tests (plan.ts, base/templates/post-deploy-test.yaml.hbs): rendered from the real inputs, read back
// as objects, and held against the inputs they come from (apps/*.yaml, versions, the call graph).
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { memoryReader } from '../../src/fs.js';
import { renderRepository } from '../../src/render/render.js';
import { documentsOf, realInputs } from './fixture.js';

interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

let files: Map<string, Obj[]>;
const inputs = realInputs();
const callsOf = (app: string): string[] => (parse(inputs[`apps/${app}.yaml`]!) as { calls: string[] }).calls;
const apps = Object.keys(inputs)
  .filter((f) => /^apps\/[^/]+\.yaml$/.test(f))
  .map((f) => f.slice('apps/'.length, -'.yaml'.length))
  .sort();

beforeAll(async () => {
  const result = await renderRepository(memoryReader(inputs));
  files = new Map(result.files.map((f) => [f.path, documentsOf(f.content) as Obj[]]));
}, 120_000);

const objectsOf = (file: string) => files.get(file) ?? [];
const find = (file: string, kind: string, name: string) => objectsOf(file).find((o) => o.kind === kind && o.metadata.name === name);
const checksOf = (cluster: string, test: string) =>
  find(`clusters/${cluster}/post-deploy/manifest.yaml`, 'ConfigMap', test)!
    .data!.checks!.trim()
    .split('\n')
    .map((l) => l.split(' '));
const versionsOf = (env: string) => parse(inputs[`overlays/${env}/versions.yaml`]!) as Record<string, string>;

describe('post-deploy tests', () => {
  it("give every cluster a smoke test: a PostSync Job that calls each app's readiness path through its Service, at the version deployed", () => {
    for (const [cluster, env] of [
      ['development', 'development'],
      ['staging', 'staging'],
      ['production', 'production'],
      ['production-dr', 'production'],
      ['local', 'local'],
    ] as const) {
      const ns = `berrys-${env}`;
      const checks = checksOf(cluster, 'smoke-test');
      expect(checks.map(([app]) => app)).toEqual(apps);
      for (const [app, version, url] of checks) {
        expect(version).toBe(versionsOf(env)[app!]);
        expect(url).toBe(`http://${app}.${ns}.svc.cluster.local:8080/health/readiness`);
        // The Service it calls is rendered in the app's folder.
        expect(find(`clusters/${cluster}/apps/${app}/manifest.yaml`, 'Service', app!)).toBeDefined();
      }
      const job = find(`clusters/${cluster}/post-deploy/manifest.yaml`, 'Job', 'smoke-test')!;
      expect(job.metadata.annotations).toMatchObject({
        'argocd.argoproj.io/hook': 'PostSync',
        'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
      });
    }
  });

  it('run the test pods restricted, with requests and limits, without a service-account token', () => {
    const job = find('clusters/staging/post-deploy/manifest.yaml', 'Job', 'smoke-test')!;
    const pod = (job.spec!.template as { spec: Record<string, unknown> }).spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const [container] = pod.containers as Record<string, unknown>[];
    expect(container!.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container!.resources).toMatchObject({
      requests: { cpu: expect.any(String), memory: expect.any(String) },
      limits: { cpu: expect.any(String), memory: expect.any(String) },
    });
    expect(container!.image).toBe((parse(inputs['base/platform.yaml']!) as { postDeployTests: { image: string } }).postDeployTests.image);
  });

  it('open exactly the smoke traffic: the test may reach each app on its port, and each app admits it on that port only', () => {
    const policy = find('clusters/production/post-deploy/manifest.yaml', 'NetworkPolicy', 'smoke-test')!;
    expect(policy.spec!.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'smoke-test' } });
    expect(policy.spec!.ingress).toEqual([]);
    expect(policy.spec!.egress).toEqual(
      apps.map((app) => ({ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': app } } }], ports: [{ port: 8080, protocol: 'TCP' }] })),
    );
    for (const app of apps) {
      const ingress = find(`clusters/production/apps/${app}/manifest.yaml`, 'NetworkPolicy', app)!.spec!.ingress as unknown[];
      expect(ingress).toContainEqual({ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'smoke-test' } } }], ports: [{ port: 8080, protocol: 'TCP' }] });
    }
  });

  it('in staging also test every edge of the call graph from a pod with the caller’s network identity, which the callee’s own rule admits', () => {
    const edges = apps.flatMap((caller) => callsOf(caller).map((callee) => `${caller}->${callee}`)).sort();
    expect(edges.length).toBeGreaterThan(5);
    const tested = objectsOf('clusters/staging/post-deploy/manifest.yaml')
      .filter((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('integration-'))
      .flatMap((o) => checksOf('staging', o.metadata.name).map(([edge]) => edge!))
      .sort();
    expect(tested).toEqual(edges);
    for (const caller of apps.filter((a) => callsOf(a).length > 0)) {
      const job = find('clusters/staging/post-deploy/manifest.yaml', 'Job', `integration-${caller}`)!;
      const podLabels = (job.spec!.template as { metadata: { labels: Record<string, string> } }).metadata.labels;
      expect(podLabels['berrys.io/network-identity']).toBe(caller);
      // Not the caller's Service selector: the test pod never receives the caller's traffic.
      expect(podLabels['app.kubernetes.io/name']).toBe(`integration-${caller}`);
      for (const callee of callsOf(caller)) {
        const ingress = find(`clusters/staging/apps/${callee}/manifest.yaml`, 'NetworkPolicy', callee)!.spec!.ingress as { from: unknown[] }[];
        expect(
          ingress.some((rule) => rule.from.some((peer) => JSON.stringify(peer) === JSON.stringify({ podSelector: { matchLabels: { 'berrys.io/network-identity': caller } } }))),
        ).toBe(true);
        // The URL tested is the one the caller is given.
        const deployment = find(`clusters/staging/apps/${caller}/manifest.yaml`, 'Deployment', caller)!;
        const env = ((deployment.spec!.template as { spec: { containers: { env: { name: string; value?: string }[] }[] } }).spec.containers[0]!.env ?? []).find(
          (e) => e.name === `${callee.replace(/-/g, '_').toUpperCase()}_URL`,
        );
        const check = checksOf('staging', `integration-${caller}`).find(([edge]) => edge === `${caller}->${callee}`)!;
        expect(check[2]).toBe(`${env!.value}/health/readiness`);
      }
    }
  });

  it('run no integration test where the environment does not ask for it', () => {
    for (const cluster of ['development', 'production', 'production-dr', 'local']) {
      expect(objectsOf(`clusters/${cluster}/post-deploy/manifest.yaml`).filter((o) => o.metadata.name.startsWith('integration-'))).toEqual([]);
    }
  });

  it('sync after the apps: the post-deploy Application is in a later wave than every app, and the root after it', () => {
    const argocd = objectsOf('clusters/staging/argocd/manifest.yaml').filter((o) => o.kind === 'Application');
    const wave = (name: string) => Number(argocd.find((a) => a.metadata.name === name)!.metadata.annotations!['argocd.argoproj.io/sync-wave']);
    for (const app of apps) expect(wave('staging-post-deploy')).toBeGreaterThan(wave(`staging-${app}`));
    expect(wave('staging-root')).toBeGreaterThan(wave('staging-post-deploy'));
  });
});
