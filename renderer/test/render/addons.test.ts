// The add-on Applications of the committed clusters/: one test per finding of issue 13, each on the values Argo CD
// hands to helm (spec.source.helm.valuesObject), plus the objects the renderer writes around them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { memoryReader } from '../../src/fs.js';
import { RenderError } from '../../src/errors.js';
import { defaultRepoRoot } from '../../src/paths.js';
import { renderRepository } from '../../src/render/render.js';
import { committedOutput, realInputs, renderedObjects } from './fixture.js';
import { fillPlaceholders, type PlaceholderContext } from '../../src/render/addon-values.js';
import type { Problem } from '../../src/errors.js';

// Chart values are free-form: these tests walk them by path and compare leaves, so their type is open on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
type Obj = { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec: Json };
const output = committedOutput();
const objects = renderedObjects(output).map(({ file, object }) => ({ file, cluster: file.split('/')[1]!, object: object as Obj }));
const cloudClusters = ['development', 'production', 'production-dr', 'staging'];
const catalogue = parse(readFileSync(path.join(defaultRepoRoot, 'base/addons.yaml'), 'utf8')) as { addons: Array<{ name: string; irsa?: string }> };
const pins = JSON.parse(readFileSync(path.join(defaultRepoRoot, 'renderer/pins.json'), 'utf8')) as { kubernetes: string };

function values(cluster: string, addon: string): Json {
  const app = objects.find((o) => o.cluster === cluster && o.object.kind === 'Application' && o.object.metadata.name === `${cluster}-addon-${addon}`);
  if (!app) throw new Error(`no Application ${cluster}-addon-${addon}`);
  return app.object.spec.source.helm.valuesObject;
}

/** The line of base/addons.yaml with `text`; with `after`, the first such line below the add-on named `after`. */
function lineOf(text: string, after?: string): number {
  const lines = readFileSync(path.join(defaultRepoRoot, 'base/addons.yaml'), 'utf8').split('\n');
  const from = after ? lines.indexOf(`  - name: ${after}`) : 0;
  return lines.slice(from).findIndex((l) => l.includes(text)) + from + 1;
}

function at(value: Json, dotted: string): Json {
  return dotted.split('.').reduce((v, k) => v?.[k], value);
}

describe('add-on values of the rendered Applications', () => {
  it('loki: object storage in each cloud cluster, with its own buckets in its own region and a TSDB schema', () => {
    for (const cluster of cloudClusters) {
      const v = values(cluster, 'loki');
      const region = cluster === 'production-dr' ? 'us-west-2' : 'us-east-1';
      expect(v.deploymentMode).toBe('SimpleScalable');
      expect(v.loki.storage).toEqual({
        type: 's3',
        bucketNames: { chunks: `berrys-agents-v2-${cluster}-loki-chunks`, ruler: `berrys-agents-v2-${cluster}-loki-ruler`, admin: `berrys-agents-v2-${cluster}-loki-admin` },
        s3: { region },
      });
      expect(v.loki.schemaConfig.configs).toEqual([{ from: '2025-01-01', store: 'tsdb', object_store: 's3', schema: 'v13', index: { prefix: 'loki_index_', period: '24h' } }]);
    }
  });

  it("cluster-autoscaler discovers the node groups of the EKS cluster the environment file names, the document's berrys-agents-v2-<cluster>", () => {
    for (const cluster of cloudClusters) expect(values(cluster, 'cluster-autoscaler').autoDiscovery).toEqual({ clusterName: `berrys-agents-v2-${cluster}` });
  });

  it('loki: one binary on the filesystem on the laptop, with no object storage', () => {
    const v = values('local', 'loki');
    expect(v.deploymentMode).toBe('SingleBinary');
    expect(v.loki.storage.type).toBe('filesystem');
    expect(v.loki.storage.s3).toBeUndefined();
    expect(v.loki.schemaConfig.configs[0].object_store).toBe('filesystem');
    expect([v.singleBinary.replicas, v.read.replicas, v.write.replicas, v.backend.replicas]).toEqual([1, 0, 0, 0]);
  });

  it('kube-prometheus-stack: requests and memory limits on every workload; two Prometheus and Alertmanager replicas with budgets where highAvailability', () => {
    for (const cluster of cloudClusters) {
      const v = values(cluster, 'kube-prometheus-stack');
      for (const path of [
        'grafana.resources',
        'grafana.sidecar.resources',
        'kube-state-metrics.resources',
        'prometheus-node-exporter.resources',
        'prometheusOperator.resources',
        'alertmanager.alertmanagerSpec.resources',
        'prometheus.prometheusSpec.resources',
      ]) {
        expect(Object.keys(at(v, path).requests).sort()).toEqual(['cpu', 'memory']);
        expect(at(v, path).limits.memory).toMatch(/^\d+(Mi|Gi)$/);
      }
      const ha = cluster !== 'development';
      for (const part of ['prometheus', 'alertmanager'])
        expect([at(v, `${part}.${part}Spec.replicas`), at(v, `${part}.podDisruptionBudget`)]).toEqual(ha ? [2, { enabled: true, minAvailable: 1 }] : [undefined, undefined]);
    }
  });

  it('prometheus and alertmanager keep their data on the gp3 StorageClass the EBS CSI add-on creates', () => {
    for (const cluster of cloudClusters) {
      const classes = values(cluster, 'aws-ebs-csi-driver').storageClasses as Array<{ name: string; parameters: { type: string } }>;
      const gp3 = classes.filter((c) => c.parameters.type === 'gp3').map((c) => c.name);
      const kps = values(cluster, 'kube-prometheus-stack');
      const prometheus = kps.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec;
      const alertmanager = kps.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec;
      expect(gp3).toContain(prometheus.storageClassName);
      expect(gp3).toContain(alertmanager.storageClassName);
      expect(prometheus.resources.requests.storage).toMatch(/^\d+Gi$/);
    }
    expect(values('production', 'kube-prometheus-stack').prometheus.prometheusSpec).toMatchObject({
      retention: '30d',
      storageSpec: { volumeClaimTemplate: { spec: { resources: { requests: { storage: '200Gi' } } } } },
    });
  });

  it('every add-on that calls AWS has its own IAM role, derived from the account and the cluster', () => {
    const callers = catalogue.addons.filter((a) => a.irsa);
    expect(callers.map((a) => `${a.name}:${a.irsa}`).sort()).toEqual([
      'aws-ebs-csi-driver:controller.serviceAccount',
      'aws-load-balancer-controller:serviceAccount',
      'cert-manager:serviceAccount',
      'cluster-autoscaler:rbac.serviceAccount',
      'external-dns:serviceAccount',
      'loki:serviceAccount',
    ]);
    const accounts: Record<string, string> = { development: '111111111111', staging: '222222222222', production: '333333333333', 'production-dr': '333333333333' };
    for (const cluster of cloudClusters) {
      const roles = callers.map((a) => at(values(cluster, a.name), a.irsa!).annotations['eks.amazonaws.com/role-arn']);
      expect(roles).toEqual(callers.map((a) => `arn:aws:iam::${accounts[cluster]}:role/berrys-agents-${cluster}-${a.name}`));
    }
    // The laptop has no AWS: no role annotation on the add-ons it runs.
    expect(values('local', 'loki').serviceAccount).toBeUndefined();
  });

  it("cluster-autoscaler runs the release of the clusters' Kubernetes minor, with the seed's settings as its flags only", () => {
    const minor = pins.kubernetes.split('.').slice(0, 2).join('.');
    for (const cluster of cloudClusters) {
      const v = values(cluster, 'cluster-autoscaler');
      expect(v.image.tag).toMatch(new RegExp(`^v${minor.replace('.', '\\.')}\\.\\d+$`));
      expect(v.extraArgs).toMatchObject({ 'scale-down-unneeded-time': '5m', 'scale-down-delay-after-add': '5m', 'scale-down-utilization-threshold': 0.5 });
    }
    expect(Object.keys(output).filter((f) => f.includes('cluster-autoscaler-config'))).toEqual([]);
  });

  it('production-dr reads secrets and data stores in its own region', () => {
    const store = (cluster: string) => objects.find((o) => o.cluster === cluster && o.object.kind === 'ClusterSecretStore')!.object.spec.provider.aws.region;
    expect([store('production'), store('production-dr')]).toEqual(['us-east-1', 'us-west-2']);
    const cidrs = (cluster: string) =>
      new Set(
        objects
          .filter((o) => o.cluster === cluster && o.object.kind === 'NetworkPolicy')
          .flatMap((o) => (o.object.spec.egress ?? []).flatMap((e: Json) => (e.to ?? []).map((t: Json) => t.ipBlock?.cidr).filter(Boolean))),
      );
    const primary = cidrs('production');
    const standby = cidrs('production-dr');
    expect([...standby].filter((c) => primary.has(c) && c !== '0.0.0.0/0')).toEqual([]);
    expect(standby.has('10.31.64.0/20')).toBe(true);
  });

  it('production and production-dr publish the same host names as a Route 53 failover pair, each owning its own records', () => {
    const ingress = (cluster: string) => objects.filter((o) => o.cluster === cluster && o.object.kind === 'Ingress').map((o) => o.object.metadata.annotations!);
    for (const [cluster, role] of [
      ['production', 'PRIMARY'],
      ['production-dr', 'SECONDARY'],
    ] as const) {
      for (const a of ingress(cluster)) {
        expect(a['external-dns.alpha.kubernetes.io/set-identifier']).toBe(cluster);
        expect(a['external-dns.alpha.kubernetes.io/aws-failover']).toBe(role);
      }
      expect(values(cluster, 'external-dns').txtOwnerId).toBe(cluster);
    }
    expect(ingress('production').map((a) => a['external-dns.alpha.kubernetes.io/hostname'])).toEqual(
      ingress('production-dr').map((a) => a['external-dns.alpha.kubernetes.io/hostname']),
    );
    // A single-cluster environment has nothing to fail over to.
    for (const a of ingress('staging')) expect(a['external-dns.alpha.kubernetes.io/aws-failover']).toBeUndefined();
  });

  it('kube-prometheus-stack neither scrapes nor alerts on the control-plane components EKS hides', () => {
    for (const cluster of cloudClusters) {
      const v = values(cluster, 'kube-prometheus-stack');
      expect([v.kubeControllerManager, v.kubeScheduler, v.kubeEtcd, v.kubeProxy]).toEqual([{ enabled: false }, { enabled: false }, { enabled: false }, { enabled: false }]);
    }
  });
});

describe("Grafana's admin login", () => {
  it('comes from the secret store in every cluster that runs Grafana, never from a password the chart generates', () => {
    for (const cluster of cloudClusters) {
      expect(values(cluster, 'kube-prometheus-stack').grafana.admin).toEqual({ existingSecret: 'grafana-admin' });
      const secret = objects.find((o) => o.cluster === cluster && o.object.kind === 'ExternalSecret' && o.object.metadata.name === 'grafana-admin')!.object;
      expect((secret as Json).metadata.namespace).toBe('monitoring');
      expect(secret.spec.data.map((d: Json) => `${d.secretKey}<-${d.remoteRef.key}#${d.remoteRef.property}`)).toEqual([
        `admin-user<-berrys/${cluster === 'production-dr' ? 'production' : cluster}/grafana-admin#user`,
        `admin-password<-berrys/${cluster === 'production-dr' ? 'production' : cluster}/grafana-admin#password`,
      ]);
      const store = objects.find((o) => o.cluster === cluster && o.object.kind === 'ClusterSecretStore')!.object;
      expect(store.spec.conditions[0].namespaces).toContain('monitoring');
    }
  });
});

describe('add-on input errors', () => {
  it('refuses a cloud environment without awsAccountId when an add-on calls AWS, naming the role it would get', async () => {
    const files = realInputs();
    files['overlays/staging/environment.yaml'] = files['overlays/staging/environment.yaml']!.replace(/^awsAccountId: .*\n/m, '');
    const message = await renderRepository(memoryReader(files)).then(
      () => '',
      (e: unknown) => (e instanceof RenderError ? e.message : String(e)),
    );
    expect(message).toContain(
      "overlays/staging/environment.yaml:2:7: error: add-on 'cert-manager' calls AWS, but environment 'staging' has no awsAccountId for its IAM role\n  hint: add awsAccountId: '<12 digits>' (the role is arn:aws:iam::<awsAccountId>:role/berrys-agents-staging-cert-manager)",
    );
  });

  it('refuses a cloud cluster without the name of its EKS cluster, at the cluster, naming each add-on value that needs it', async () => {
    const files = realInputs();
    files['overlays/staging/environment.yaml'] = files['overlays/staging/environment.yaml']!.replace(/^ {4}eksClusterName: .*\n/m, '');
    const message = await renderRepository(memoryReader(files)).then(
      () => '',
      (e: unknown) => (e instanceof RenderError ? e.message : String(e)),
    );
    const line = files['overlays/staging/environment.yaml']!.split('\n').indexOf('  - name: staging') + 1;
    expect(message).toBe(
      `overlays/staging/environment.yaml:${line}:11: error: the add-on values of loki (base/addons.yaml:${lineOf('{{cluster.eksClusterName}}-loki-chunks')}), cluster-autoscaler (base/addons.yaml:${lineOf("clusterName: '{{cluster.eksClusterName}}'")}), aws-load-balancer-controller (base/addons.yaml:${lineOf("clusterName: '{{cluster.eksClusterName}}'", 'aws-load-balancer-controller')}) need cluster.eksClusterName, which cluster 'staging' of environment 'staging' does not set\n` +
        "  hint: add eksClusterName: … to cluster 'staging' in overlays/staging/environment.yaml",
    );
  });

  it('refuses HorizontalPodAutoscalers in a cluster without an add-on that provides metrics, at the setting that turns them on', async () => {
    const files = realInputs();
    files['overlays/staging/environment.yaml'] += 'addons:\n  metrics-server:\n    enabled: false\n';
    const message = await renderRepository(memoryReader(files)).then(
      () => '',
      (e: unknown) => (e instanceof RenderError ? e.message : String(e)),
    );
    const line = files['overlays/staging/environment.yaml']!.split('\n').indexOf('    enabled: true') + 1;
    expect(message).toBe(
      `overlays/staging/environment.yaml:${line}:14: error: the HorizontalPodAutoscaler of app 'agent-orchestrator' reads the resource metrics API in cluster 'staging', but none of its add-ons provides 'metrics'\n` +
        '  hint: enable metrics-server (base/addons.yaml)',
    );
  });

  it('installs metrics-server in every cluster, the laptop included, with two replicas and a budget where HPAs matter most', () => {
    for (const cluster of [...cloudClusters, 'local']) {
      const v = values(cluster, 'metrics-server');
      expect(v.resources).toEqual({ requests: { cpu: '100m', memory: '200Mi' }, limits: { memory: '400Mi' } });
      const ha = ['staging', 'production', 'production-dr'].includes(cluster);
      expect([v.replicas, v.podDisruptionBudget]).toEqual(ha ? [2, { enabled: true, minAvailable: 1 }] : [undefined, undefined]);
    }
  });
});

describe('add-on values as data (clusterValues, cloudValues)', () => {
  const context = {
    platform: { clusterAutoscaler: { scaleDownUtilizationThreshold: 0.5 } },
    environment: { name: 'staging', domain: 'staging.example' },
    cluster: { name: 'staging', region: 'us-east-1' },
    providers: { logs: { name: 'loki', namespace: 'monitoring' } },
  } as unknown as PlaceholderContext;
  const fill = (value: unknown) => {
    const problems: Problem[] = [];
    const missing: string[] = [];
    const out = fillPlaceholders(
      value,
      context,
      (p) => ({ file: 'base/addons.yaml', line: p.length }),
      problems,
      (placeholder) => missing.push(placeholder),
    );
    return { out: JSON.parse(JSON.stringify(out)) as unknown, problems, missing };
  };

  it('gives a string that is one placeholder the value with its type, and fills placeholders inside text', () => {
    expect(
      fill({
        threshold: '{{platform.clusterAutoscaler.scaleDownUtilizationThreshold}}',
        url: 'http://{{providers.logs.name}}-gateway.{{providers.logs.namespace}}.svc',
        list: ['{{environment.domain}}'],
        plain: 'no placeholder',
      }),
    ).toEqual({ out: { threshold: 0.5, url: 'http://loki-gateway.monitoring.svc', list: ['staging.example'], plain: 'no placeholder' }, problems: [], missing: [] });
  });

  it('reports a placeholder that names nothing, and never reads through a prototype', () => {
    expect(fill({ a: '{{cluster.eksClusterName}}', b: '{{cluster.constructor}}' }).missing).toEqual(['cluster.eksClusterName', 'cluster.constructor']);
  });

  it('refuses helpers and blocks, at the value', () => {
    const { problems } = fill({ x: '{{#if cluster.name}}y{{/if}}', y: '{{lookup cluster "name"}}' });
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [1, 'placeholder in "{{#if cluster.name}}y{{/if}}": only plain paths such as {{cluster.region}} are allowed (no helpers, blocks or parameters)'],
      [1, 'placeholder in "{{lookup cluster \\"name\\"}}": only plain paths such as {{cluster.region}} are allowed (no helpers, blocks or parameters)'],
    ]);
  });
});
