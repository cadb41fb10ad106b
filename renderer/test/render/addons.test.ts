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

/** The line of base/addons.yaml holding `text`, searched from the line holding `after` (the add-on's name). */
function lineOf(text: string, after = ''): number {
  const lines = readFileSync(path.join(defaultRepoRoot, 'base/addons.yaml'), 'utf8').split('\n');
  const from = lines.findIndex((l) => l.includes(after));
  return lines.findIndex((l, i) => i >= from && l.includes(text)) + 1;
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
      `overlays/staging/environment.yaml:${line}:11: error: the add-on values of loki (base/addons.yaml:${lineOf('{{cluster.eksClusterName}}-loki-chunks')}), cluster-autoscaler (base/addons.yaml:${lineOf("clusterName: '{{cluster.eksClusterName}}'")}), aws-load-balancer-controller (base/addons.yaml:${lineOf("clusterName: '{{cluster.eksClusterName}}'", '- name: aws-load-balancer-controller')}) need cluster.eksClusterName, which cluster 'staging' of environment 'staging' does not set\n` +
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

describe('the log pipeline', () => {
  const allClusters = [...cloudClusters, 'local'];

  it('ships container logs with an Alloy DaemonSet to the Loki gateway of every cluster that runs Loki, labelled with the cluster', () => {
    for (const cluster of allClusters) {
      const v = values(cluster, 'alloy');
      expect(v.controller.type).toBe('daemonset');
      expect(v.alloy.mounts.varlog).toBe(true);
      expect(v.alloy.configMap.content).toContain('url = "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push"');
      expect(v.alloy.configMap.content).toContain(`external_labels = { cluster = "${cluster}" }`);
      expect(v.alloy.configMap.content).not.toContain('{{');
    }
  });

  it("gives Grafana the cluster's Loki as a data source", () => {
    for (const cluster of cloudClusters) {
      expect(values(cluster, 'kube-prometheus-stack').grafana.additionalDataSources).toEqual([
        { name: 'Loki', uid: 'loki', type: 'loki', access: 'proxy', url: 'http://loki-gateway.monitoring.svc.cluster.local', editable: false },
      ]);
    }
  });

  it("keeps each environment's logs for its own retention, with the compactor deleting older ones", () => {
    const retention: Record<string, string> = { local: '7d', development: '7d', staging: '14d', production: '30d', 'production-dr': '30d' };
    for (const cluster of allClusters) {
      const loki = values(cluster, 'loki').loki;
      expect([loki.limits_config.retention_period, loki.compactor.retention_enabled]).toEqual([retention[cluster], true]);
      expect(loki.compactor.delete_request_store).toBe(cluster === 'local' ? 'filesystem' : 's3');
    }
  });

  it('installs neither the collector nor the data source where no add-on keeps logs', async () => {
    const files = realInputs();
    files['overlays/staging/environment.yaml'] += 'addons:\n  loki:\n    enabled: false\n';
    const result = await renderRepository(memoryReader(files));
    const staging = result.files.find((f) => f.path === 'clusters/staging/argocd/manifest.yaml')!.content;
    expect(staging).toContain('name: staging-addon-kube-prometheus-stack');
    expect(staging).not.toContain('staging-addon-alloy');
    expect(staging).not.toContain('additionalDataSources');
  });

  it('refuses an environment that runs Loki without saying how long to keep logs, at the environment', async () => {
    const files = realInputs();
    files['overlays/staging/environment.yaml'] = files['overlays/staging/environment.yaml']!.replace(/^logging:\n {2}retention: .*\n/m, '');
    const message = await renderRepository(memoryReader(files)).then(
      () => '',
      (e: unknown) => (e instanceof RenderError ? e.message : String(e)),
    );
    expect(message).toBe(
      `overlays/staging/environment.yaml:2:7: error: the add-on values of loki (base/addons.yaml:${lineOf('{{environment.logging.retention}}')}) need environment.logging.retention, which cluster 'staging' of environment 'staging' does not set\n` +
        '  hint: add logging.retention: … to overlays/staging/environment.yaml',
    );
  });
});

describe('alert routing', () => {
  const config = (cluster: string) => values(cluster, 'kube-prometheus-stack').alertmanager.config;
  const receiverNames = (cluster: string): string[] => config(cluster).receivers.map((r: Json) => r.name);

  it("routes alerts to the environment's receivers, with null kept only for the chart's always-firing Watchdog and InfoInhibitor", () => {
    for (const cluster of cloudClusters) {
      const { route, receivers } = config(cluster);
      expect(route.receiver).toBe('platform-slack');
      expect(route.routes[0]).toEqual({ receiver: 'null', matchers: ['alertname =~ "Watchdog|InfoInhibitor"'] });
      expect(route.routes.slice(1).map((r: Json) => r.receiver)).not.toContain('null');
      const slack = receivers.find((r: Json) => r.name === 'platform-slack');
      expect(slack.slack_configs[0].http_config.authorization.credentials_file).toBe('/etc/alertmanager/secrets/alertmanager-receivers/platform-slack-token');
      expect(values(cluster, 'kube-prometheus-stack').alertmanager.alertmanagerSpec.secrets).toEqual(['alertmanager-receivers']);
    }
  });

  it('pages critical alerts through PagerDuty in production (and its standby) only', () => {
    for (const cluster of cloudClusters) {
      const pages = cluster.startsWith('production');
      expect(receiverNames(cluster).includes('platform-pagerduty')).toBe(pages);
      if (pages) expect(config(cluster).route.routes).toContainEqual({ receiver: 'platform-pagerduty', matchers: ['severity =~ "critical"'], continue: true });
    }
  });

  it("brings each receiver's credential from the secret store into the Secret Alertmanager mounts, before the monitoring add-on syncs", () => {
    for (const cluster of cloudClusters) {
      const secret = objects.find((o) => o.cluster === cluster && o.object.kind === 'ExternalSecret' && o.object.metadata.name === 'alertmanager-receivers')!;
      expect(secret.file).toBe(`clusters/${cluster}/platform/manifest.yaml`);
      const keys = secret.object.spec.data.map((d: Json) => [d.secretKey, d.remoteRef.key, d.remoteRef.property]);
      const env = cluster === 'production-dr' ? 'production' : cluster;
      expect(keys[0]).toEqual(['platform-slack-token', `berrys/${env}/alerting-slack`, 'token']);
    }
  });

  it("tells the deployments receiver about failed syncs and Degraded Applications through Argo CD notifications, from the argocd folder, after the secret store's wave", () => {
    for (const cluster of cloudClusters) {
      const inArgocd = (kind: string, name: string) =>
        objects.find((o) => o.file === `clusters/${cluster}/argocd/manifest.yaml` && o.object.kind === kind && o.object.metadata.name === name)!.object as Json;
      const cm = inArgocd('ConfigMap', 'argocd-notifications-cm');
      expect(Object.keys(cm.data).sort()).toEqual([
        'service.slack',
        'subscriptions',
        'template.app-health-degraded',
        'template.app-sync-failed',
        'trigger.on-health-degraded',
        'trigger.on-sync-failed',
      ]);
      expect(cm.data['service.slack']).toBe('token: $slack-token\n');
      const secret = inArgocd('ExternalSecret', 'argocd-notifications-secret');
      expect(secret.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('3');
      expect(secret.spec.data.map((d: Json) => d.secretKey)).toEqual(['slack-token']);
    }
    expect(objects.some((o) => o.cluster === 'local' && o.object.metadata.name === 'argocd-notifications-cm')).toBe(false);
  });

  it('refuses an environment that runs Alertmanager without receivers, at the environment', async () => {
    const files = realInputs();
    files['overlays/staging/environment.yaml'] = files['overlays/staging/environment.yaml']!.replace(/^alerting:\n(?: {2}.*\n)+/m, '');
    const message = await renderRepository(memoryReader(files)).then(
      () => '',
      (e: unknown) => (e instanceof RenderError ? e.message : String(e)),
    );
    expect(message).toContain('overlays/staging/environment.yaml:2:7: error: the add-on values of kube-prometheus-stack (base/addons.yaml:');
    expect(message).toContain('need alerting.alertmanager.route');
    expect(message).toContain('hint: add alerting: { receivers: [...] } to overlays/staging/environment.yaml (README, Alerts)');
  });
});

describe('add-ons sized for production', () => {
  const haClusters = ['staging', 'production', 'production-dr'];
  const zoneSpread = (v: Json) => v.topologySpreadConstraints?.[0]?.topologyKey;

  it('gives every add-on workload requests and a memory limit', () => {
    const sized: Record<string, string[]> = {
      'cert-manager': ['resources', 'webhook.resources', 'cainjector.resources', 'startupapicheck.resources'],
      'external-secrets': ['resources', 'webhook.resources', 'certController.resources'],
      'external-dns': ['resources'],
      'cluster-autoscaler': ['resources'],
      loki: ['read.resources', 'write.resources', 'backend.resources', 'gateway.resources', 'memcachedExporter.resources', 'sidecar.resources', 'lokiCanary.resources'],
      alloy: ['alloy.resources', 'configReloader.resources'],
      'kube-prometheus-stack': ['prometheusOperator.admissionWebhooks.patch.resources'],
    };
    for (const cluster of cloudClusters) {
      for (const [addon, paths] of Object.entries(sized)) {
        for (const p of paths) {
          expect(Object.keys(at(values(cluster, addon), p).requests).sort(), `${cluster} ${addon} ${p}`).toEqual(['cpu', 'memory']);
          expect(at(values(cluster, addon), p).limits.memory).toMatch(/^\d+(Mi|Gi)$/);
        }
      }
    }
  });

  it('runs monitoring and the add-ons that admit or serve others with two replicas, a budget and zone spread where highAvailability', () => {
    for (const cluster of haClusters) {
      const kps = values(cluster, 'kube-prometheus-stack');
      expect([kps.grafana.replicas, kps.grafana.podDisruptionBudget, zoneSpread(kps.grafana)]).toEqual([
        2,
        { minAvailable: 1, apiVersion: 'policy/v1' },
        'topology.kubernetes.io/zone',
      ]);
      for (const part of ['prometheus', 'alertmanager']) expect(zoneSpread(at(kps, `${part}.${part}Spec`))).toBe('topology.kubernetes.io/zone');
      const es = values(cluster, 'external-secrets');
      expect(es.leaderElect).toBe(true);
      for (const v of [es, es.webhook, es.certController, values(cluster, 'cert-manager'), values(cluster, 'cert-manager').webhook, values(cluster, 'cert-manager').cainjector])
        expect([v.replicaCount, v.podDisruptionBudget, zoneSpread(v)]).toEqual([2, { enabled: true, minAvailable: 1 }, 'topology.kubernetes.io/zone']);
      expect(values(cluster, 'cluster-autoscaler').replicaCount).toBe(2);
      expect(values(cluster, 'loki').gateway.replicas).toBe(2);
    }
    expect(values('development', 'cert-manager').replicaCount).toBeUndefined();
  });

  it('keeps Grafana state in the environment database, from the secret store, so its replicas share one state', () => {
    for (const cluster of cloudClusters) {
      expect(values(cluster, 'kube-prometheus-stack').grafana.envFromSecret).toBe('grafana-database');
      const secret = objects.find((o) => o.cluster === cluster && o.object.kind === 'ExternalSecret' && o.object.metadata.name === 'grafana-database')!;
      expect(secret.object.spec.data.map((d: Json) => d.secretKey)).toEqual(['GF_DATABASE_URL']);
    }
  });
});
