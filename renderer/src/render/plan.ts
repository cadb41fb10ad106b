/**
 * Stage between merge and template: decides which objects each cluster gets and computes their template
 * contexts (environment variables from the call graph, network policy rules from the same call graph, Argo CD
 * projects and Applications from the folder list). Pure: resolved model in, template jobs out.
 */
import { repoPaths } from '../paths.js';
import { providesLabel } from '../kube.js';
import { providerOf, type ResolvedApp, type ResolvedCluster, type ResolvedRepo } from './merge.js';
import type { TemplateJob } from './template.js';
import type { SourceLocation } from '../errors.js';
import type { AppSpec } from '../model.js';
import { calleeNames, envVarName } from './call-graph.js';
import { alertmanagerSecret, alertmanagerSecretItems, argocdNotifications, argocdNotificationsSecret } from './alerting.js';

const inClusterServer = 'https://kubernetes.default.svc';
const rendererName = 'berrys-renderer';
/** Sync wave of the apps' Applications: after the add-ons (1–3) and the platform folder (2). */
const appWave = 4;
/**
 * Sync wave of the post-deploy tests' Application: after the apps (4), so on the first sync its PostSync hooks test
 * apps that are Healthy. ordering.ts proves that every Service a test calls syncs before it.
 */
const postDeployWave = 5;
/** Sync wave of the root Application in its own folder: after everything else it syncs. */
const rootWave = 6;
/**
 * Sync wave of the platform folder (secret store, the add-ons' and apps' secrets, issuer): after the operators whose
 * CRDs it uses (add-on wave 1), before the add-ons that read its secrets (3) and the apps (4). ordering.ts proves it.
 */
const platformWave = 2;

/**
 * Kinds the apps project permits: what the app templates render, plus the ReplicaSets and Pods their Deployments
 * make. Argo CD (controller/appcontroller.go, getResourceTree) leaves out of an Application's resource tree every
 * child its project does not permit, and reads the running images (status.summary.images) from the Pods in that
 * tree: without these two, status and `versions --live` never see the running version. No template renders either
 * kind, so git still cannot create one.
 */
const appProjectKinds = [
  // The post-deploy tests: their checks and their PostSync Jobs.
  { group: '', kind: 'ConfigMap' },
  { group: 'batch', kind: 'Job' },
  { group: '', kind: 'Pod' },
  { group: '', kind: 'Service' },
  { group: '', kind: 'ServiceAccount' },
  { group: 'apps', kind: 'Deployment' },
  { group: 'apps', kind: 'ReplicaSet' },
  { group: 'autoscaling', kind: 'HorizontalPodAutoscaler' },
  { group: 'networking.k8s.io', kind: 'Ingress' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: 'policy', kind: 'PodDisruptionBudget' },
];

/** Cluster-scoped kinds the platform folder itself creates. */
const platformClusterKinds = [
  { group: '', kind: 'Namespace' },
  { group: 'cert-manager.io', kind: 'ClusterIssuer' },
  { group: 'external-secrets.io', kind: 'ClusterSecretStore' },
];

const podSecurityOrder = ['restricted', 'baseline', 'privileged'] as const;

/** The env variable each data store's connection string arrives in, and the Secret it comes from. */
const secretEnvName = { database: 'DATABASE_URL', cache: 'REDIS_URL' } as const;
const secretName = { database: 'database-credentials', cache: 'redis-credentials' } as const;

/**
 * Env variables the renderer sets itself: from Secrets (data stores), from the call graph, from settings. A plain
 * `env:` value may not redefine them (merge.ts), since Kubernetes silently keeps the later of two equal names.
 */
export function derivedEnvNames(spec: AppSpec): Map<string, string> {
  const names = new Map<string, string>([['LOG_LEVEL', "derived from the setting 'logLevel'"]]);
  for (const store of spec.dataStores) names.set(secretEnvName[store], `read from the Secret '${secretName[store]}'`);
  for (const callee of calleeNames(spec)) names.set(envVarName(callee), `derived from the call to '${callee}'`);
  return names;
}

/** `platform` is the platform's name (base/platform.yaml `name`): every object is part of it. */
function appLabels(app: string, cluster: ResolvedCluster, platform: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': app,
    'app.kubernetes.io/instance': `${app}-${cluster.environment}`,
    'app.kubernetes.io/part-of': platform,
    'app.kubernetes.io/managed-by': rendererName,
  };
}

function selectorFor(app: string): Record<string, string> {
  return { 'app.kubernetes.io/name': app };
}

/**
 * The label an app's NetworkPolicies admit its calls by, besides its name: a pod that carries it is let through as that
 * caller. It is not the Service's selector, so the staging integration test's pods carry a caller's identity without
 * receiving that caller's traffic (or counting in its HPA or budget). Every app pod carries its own.
 */
function networkIdentity(app: string): Record<string, string> {
  return { 'berrys.io/network-identity': app };
}

function platformLabels(name: string, platform: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': platform, 'app.kubernetes.io/managed-by': rendererName };
}

/**
 * The service account the secret store authenticates as (IRSA): the one of the add-on that provides `secrets`, named
 * by its chart values (`serviceAccount.name`) or, as Helm charts do by default, after the release (the add-on).
 * merge.ts refuses a cloud secret store without such an add-on.
 */
function secretsOperatorAccount(cluster: ResolvedCluster): { name: string; namespace: string } {
  const operator = providerOf(cluster, 'secrets')!;
  const account = (operator.values.serviceAccount as { name?: unknown } | undefined)?.name;
  return { name: typeof account === 'string' ? account : operator.spec.name, namespace: operator.spec.namespace };
}

function serviceUrl(app: ResolvedApp, namespace: string): string {
  return `http://${app.name}.${namespace}.svc.cluster.local:${app.spec.port}`;
}

/** The Argo CD Application name of a folder, per ARCHITECTURE.md. */
function applicationName(cluster: string, what: string): string {
  return `${cluster}-${what}`;
}

/** Every template job of every cluster, in a stable order. */
export function planRepo(repo: ResolvedRepo): TemplateJob[] {
  return repo.clusters.flatMap((cluster) => planCluster(repo, cluster));
}

/** A cluster's jobs in a stable order: its app folders, its platform folder, its post-deploy tests, its Argo CD folder. */
function planCluster(repo: ResolvedRepo, cluster: ResolvedCluster): TemplateJob[] {
  return [...planAppFolders(repo, cluster), ...planPlatformFolder(repo, cluster), ...planPostDeployFolder(repo, cluster), ...planArgocdFolder(repo, cluster)];
}

/** Collects template jobs of one cluster; each job's sources are de-duplicated and sorted. */
function jobList(cluster: ResolvedCluster) {
  const jobs: TemplateJob[] = [];
  const add = (folder: string, template: string, context: Record<string, unknown>, sources: string[], origin?: SourceLocation, imageOrigin?: SourceLocation) =>
    jobs.push({
      cluster: cluster.name,
      environment: cluster.environment,
      platform: cluster.platform,
      folder,
      template,
      context,
      sources: [...new Set(sources)].sort(),
      ...(origin ? { origin } : {}),
      ...(imageOrigin ? { imageOrigin } : {}),
    });
  return { jobs, add };
}

/** One folder per app: its workload, Service, network policy and, as settings say, HPA, budget and Ingress. */
function planAppFolders(repo: ResolvedRepo, cluster: ResolvedCluster): TemplateJob[] {
  const { jobs, add } = jobList(cluster);
  const env = cluster.env;
  const byName = new Map(cluster.apps.map((a) => [a.name, a]));
  const ingressNamespace = providerOf(cluster, 'ingress')?.spec.namespace ?? null;
  const monitoringNamespace = providerOf(cluster, 'monitoring')?.spec.namespace ?? null;
  for (const app of cluster.apps) {
    const folder = repoPaths.appFolder(cluster.name, app.name);
    const s = app.settings;
    const ns = s.namespace ?? env.namespace;
    const labels = appLabels(app.name, cluster, repo.platform.name);
    const autoscaled = s.autoscaling.enabled;
    const secretEnv = app.spec.dataStores.map((store) => ({ name: secretEnvName[store], valueFrom: { secretKeyRef: { name: secretName[store], key: 'url' } } }));
    const callEnv = app.calls.map((callee) => {
      const target = byName.get(callee)!;
      return { name: envVarName(callee), value: serviceUrl(target, target.settings.namespace ?? env.namespace) };
    });
    const plainEnv = Object.entries({ LOG_LEVEL: s.logLevel, ...s.env }).map(([name, value]) => ({ name, value }));
    const envList = [...secretEnv, ...callEnv, ...plainEnv].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const context = {
      app: { name: app.name, port: app.spec.port, image: app.image, version: app.version },
      namespace: ns,
      labels,
      podLabels: { ...labels, ...networkIdentity(app.name), 'app.kubernetes.io/version': app.version },
      selector: selectorFor(app.name),
      // Why no replicas under an HPA: Argo CD would reset what the autoscaler chose on every sync.
      replicas: autoscaled ? null : s.replicas,
      settings: s,
      env: envList,
      annotations: s.writableRootFilesystem ? { 'berrys.io/writable-root-filesystem': s.writableRootFilesystem } : null,
      readOnlyRootFilesystem: !s.writableRootFilesystem,
      nodeSelector: env.nodeGroups ? { [repo.platform.nodeGroupLabel]: app.spec.nodeGroup } : null,
      topologySpread: s.zoneSpread
        ? [
            { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: selectorFor(app.name) } },
            { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selectorFor(app.name) } },
          ]
        : null,
      networkPolicy: networkPolicyFor(app, cluster, byName, ingressNamespace, monitoringNamespace, repo.platform.postDeployTests !== undefined),
      ingress: app.spec.ingress
        ? {
            host: `${app.spec.ingress.subdomain}.${env.domain}`,
            path: app.spec.ingress.path ?? '/',
            className: env.ingress.className,
            clusterIssuer: env.ingress.clusterIssuer ?? null,
            tlsSecret: `${app.name}-tls`,
            failover: failoverOf(cluster),
          }
        : null,
    };
    // Every input that shaped the folder, for its header: besides the app's own, its callers' files (their names
    // open its network policy), its callees' inputs (their ports and namespaces give its *_URL variables and egress
    // rules), the platform (the node-group label) and the add-on catalogue (which namespaces may reach it).
    const sources = [
      ...app.sources,
      ...app.callers.map((caller) => repoPaths.app(caller)),
      ...app.calls.flatMap((callee) => byName.get(callee)!.sources),
      repoPaths.platform,
      repoPaths.addons,
    ];
    add(folder, 'serviceaccount.yaml.hbs', context, sources);
    add(folder, 'deployment.yaml.hbs', context, sources, undefined, app.versionAt);
    add(folder, 'service.yaml.hbs', context, sources);
    add(folder, 'networkpolicy.yaml.hbs', context, sources);
    if (autoscaled) add(folder, 'hpa.yaml.hbs', context, sources);
    if (s.disruptionBudget.enabled) add(folder, 'pdb.yaml.hbs', context, sources);
    if (app.spec.ingress) add(folder, 'ingress.yaml.hbs', context, sources);
  }

  return jobs;
}

/** The cluster's ClusterSecretStore (platform folder), which every ExternalSecret reads from. */
function secretStoreName(cluster: ResolvedCluster): string {
  return `${cluster.environment}-secrets`;
}

/** A secret store entry's full key: every entry of an environment lives under berrys/<environment>/. */
function secretStoreKey(cluster: ResolvedCluster): (key: string) => string {
  return (key) => `berrys/${cluster.environment}/${key}`;
}

/**
 * Two clusters serve the same host names: each publishes its own Route 53 record set under its name, and Route 53
 * failover routing answers with the standby's only while the primary's load balancer is unhealthy.
 */
function failoverOf(cluster: ResolvedCluster): { setIdentifier: string; role: 'PRIMARY' | 'SECONDARY' } | null {
  return cluster.env.clusters.length > 1 ? { setIdentifier: cluster.name, role: cluster.spec.role === 'primary' ? 'PRIMARY' : 'SECONDARY' } : null;
}

/** The platform folder: guard rails and secret plumbing shared by the apps, the certificate issuer, the load balancer. */
function planPlatformFolder(repo: ResolvedRepo, cluster: ResolvedCluster): TemplateJob[] {
  const { jobs, add } = jobList(cluster);
  const labelsOf = (name: string) => platformLabels(name, repo.platform.name);
  const env = cluster.env;
  const ns = env.namespace;
  const envFile = cluster.envSource.file;
  const platformFolder = repoPaths.platformFolder(cluster.name);
  // The add-on catalogue always shapes the folder: which add-on issues certificates, which namespaces get secrets.
  const platformSources = [envFile, repoPaths.platform, repoPaths.addons];
  const store = env.secretStore;
  const storeName = secretStoreName(cluster);
  const storeKey = secretStoreKey(cluster);
  const argocdNamespace = repo.platform.argocdNamespace;
  const notifications = env.alerting && argocdNotifications(env.alerting, storeKey);
  // A cluster with data stores of its own (a standby's replicas) reads their connection secrets under its own name:
  // the environment's hold the primary's endpoints, which the standby's network policies do not even allow.
  const dataStoreKey = (key: string) => `berrys/${cluster.spec.dataStores ? cluster.name : cluster.environment}/${key}`;
  // Secrets an add-on's chart reads instead of generating its own (a generated one changes on every render).
  const addonSecrets = cluster.addons.flatMap((a) =>
    (a.spec.secrets ?? []).map((s) => ({
      name: s.name,
      namespace: a.spec.namespace,
      data: s.data.map((d) => ({ ...d, key: storeKey(s.key) })),
    })),
  );
  // The alert receivers' credentials, beside the Alertmanager that mounts them.
  const monitoring = providerOf(cluster, 'monitoring');
  if (env.alerting && monitoring) {
    addonSecrets.push({ name: alertmanagerSecret, namespace: monitoring.spec.namespace, data: alertmanagerSecretItems(env.alerting, storeKey) });
  }
  add(platformFolder, 'namespace-guardrails.yaml.hbs', { namespace: ns, labels: labelsOf('guardrails') }, platformSources);
  add(
    platformFolder,
    'secrets.yaml.hbs',
    {
      namespaces: [ns, ...[...new Set([...addonSecrets.map((s) => s.namespace), ...(notifications ? [argocdNamespace] : [])])].filter((n) => n !== ns).sort()],
      labels: labelsOf('secrets'),
      storeName,
      provider:
        store.provider === 'aws-secrets-manager'
          ? { aws: { service: 'SecretsManager', region: store.region, auth: { jwt: { serviceAccountRef: secretsOperatorAccount(cluster) } } } }
          : { fake: { data: Object.entries(store.data).map(([key, value]) => ({ key, value })) } },
      secrets: [
        { name: 'database-credentials', namespace: ns, data: [{ secretKey: 'url', key: dataStoreKey('database'), property: 'url' }] },
        { name: 'redis-credentials', namespace: ns, data: [{ secretKey: 'url', key: dataStoreKey('cache'), property: 'url' }] },
        ...addonSecrets,
      ],
    },
    platformSources,
  );
  const certificates = providerOf(cluster, 'certificates');
  if (env.ingress.clusterIssuer && env.ingress.acme && certificates) {
    add(
      platformFolder,
      'clusterissuer.yaml.hbs',
      { name: env.ingress.clusterIssuer, labels: labelsOf(certificates.spec.name), acme: env.ingress.acme, domain: env.domain },
      platformSources,
    );
  }
  // The document's Route 53 → ALB (AWS WAF) → ingress controller: one Ingress of the load balancer's class in front of
  // the ingress controller's Service, which routes by host name as before.
  const balancer = providerOf(cluster, 'load-balancing');
  const ingress = providerOf(cluster, 'ingress');
  const backend = ingress?.spec.loadBalancerBackend;
  if (balancer && ingress && backend && cluster.spec.loadBalancer) {
    const hosts = [...new Set(cluster.apps.flatMap((a) => (a.spec.ingress ? [`${a.spec.ingress.subdomain}.${env.domain}`] : [])))].sort();
    add(
      platformFolder,
      'load-balancer.yaml.hbs',
      {
        name: `${ingress.spec.name}-load-balancer`,
        namespace: ingress.spec.namespace,
        labels: labelsOf(balancer.spec.name),
        loadBalancer: cluster.spec.loadBalancer,
        backend,
        // An annotation value is a string.
        healthCheckPort: String(backend.healthCheck.port),
        hosts: hosts.length > 0 ? hosts.join(',') : null,
        failover: failoverOf(cluster),
      },
      [...platformSources, ...cluster.apps.filter((a) => a.spec.ingress).map((a) => repoPaths.app(a.name))],
    );
  }

  return jobs;
}

/** The Argo CD folder, the cluster's skeleton synced by the root Application: namespaces, projects, Applications. */
function planArgocdFolder(repo: ResolvedRepo, cluster: ResolvedCluster): TemplateJob[] {
  const { jobs, add } = jobList(cluster);
  const labelsOf = (name: string) => platformLabels(name, repo.platform.name);
  const env = cluster.env;
  const ns = env.namespace;
  const envFile = cluster.envSource.file;
  const addonNamespaces = new Set(cluster.addons.map((a) => a.spec.namespace));
  const platformFolder = repoPaths.platformFolder(cluster.name);
  const argocdFolder = repoPaths.argocdFolder(cluster.name);
  const argocdNs = repo.platform.argocdNamespace;
  const namespaces = new Map<string, (typeof podSecurityOrder)[number]>([[ns, 'restricted']]);
  for (const addon of cluster.addons) {
    // Kubernetes' own namespace, and Argo CD's, which exists before the root (bootstrap makes it): a Namespace object
    // for it would let a cascading delete of the root take Argo CD with it.
    if (addon.spec.namespace === 'kube-system' || addon.spec.namespace === argocdNs) continue;
    const current = namespaces.get(addon.spec.namespace) ?? 'restricted';
    const wanted = addon.spec.podSecurity;
    namespaces.set(addon.spec.namespace, podSecurityOrder.indexOf(wanted) > podSecurityOrder.indexOf(current) ? wanted : current);
  }
  for (const [name, level] of [...namespaces].sort()) {
    const podSecurity = { 'pod-security.kubernetes.io/enforce': level, 'pod-security.kubernetes.io/audit': level, 'pod-security.kubernetes.io/warn': level };
    add(argocdFolder, 'namespace.yaml.hbs', { name, labels: { ...labelsOf(name), ...podSecurity } }, [envFile, repoPaths.platform, repoPaths.addons]);
  }

  const notifications = env.alerting && argocdNotifications(env.alerting, secretStoreKey(cluster));
  if (notifications) {
    add(
      argocdFolder,
      'argocd-notifications.yaml.hbs',
      {
        namespace: argocdNs,
        // Argo CD reads only its own ConfigMaps, those labelled part of it.
        labels: { ...labelsOf('argocd'), 'app.kubernetes.io/part-of': 'argocd' },
        data: notifications.data,
        secretName: argocdNotificationsSecret,
        storeName: secretStoreName(cluster),
        secret: notifications.secret,
        wave: String(platformWave + 1),
      },
      [envFile],
    );
  }

  const appsProject = cluster.environment;
  const platformProject = `${cluster.environment}-platform`;
  const argocdLabels = labelsOf('argocd');
  const sync = { automated: env.autoSync };
  add(
    argocdFolder,
    'appproject.yaml.hbs',
    {
      name: appsProject,
      namespace: argocdNs,
      labels: argocdLabels,
      description: `The ${cluster.environment} platform apps in cluster ${cluster.name}: only namespace ${ns}, only this repository.`,
      sourceRepos: [repo.platform.repoURL],
      destinations: [{ server: inClusterServer, namespace: ns }],
      clusterKinds: [],
      namespaceKinds: appProjectKinds,
      orphanedResourcesIgnore: null,
    },
    [envFile, repoPaths.platform],
  );
  const platformClusterKindList = uniqueKinds([...platformClusterKinds, ...cluster.addons.flatMap((a) => a.spec.clusterKinds)]);
  add(
    argocdFolder,
    'appproject.yaml.hbs',
    {
      name: platformProject,
      namespace: argocdNs,
      labels: argocdLabels,
      description: `Cluster plumbing of ${cluster.name}: the root Application, the platform folder and the pinned add-on charts.`,
      sourceRepos: [...new Set([repo.platform.repoURL, ...cluster.addons.map((a) => a.spec.chart.repoURL)])].sort(),
      destinations: [...new Set([argocdNs, ns, ...addonNamespaces, 'kube-system'])].sort().map((namespace) => ({ server: inClusterServer, namespace })),
      clusterKinds: platformClusterKindList,
      namespaceKinds: [{ group: '*', kind: '*' }],
      orphanedResourcesIgnore: providerOf(cluster, 'gitops') ? argocdRuntimeObjects : [...argocdRuntimeObjects, ...argocdInstallObjects],
    },
    [envFile, repoPaths.platform, repoPaths.addons],
  );

  const gitApp = (name: string, project: string, path: string, namespace: string, wave: number, ignoreDifferences: unknown[], sources: string[], origin?: SourceLocation) =>
    add(
      argocdFolder,
      'application.yaml.hbs',
      {
        name,
        namespace: argocdNs,
        labels: { ...argocdLabels, 'berrys.io/cluster': cluster.name, 'berrys.io/environment': cluster.environment },
        wave: String(wave),
        project,
        // No `directory: { recurse: false }`: it is Argo CD's default, and Argo CD normalises a zero-valued `directory`
        // away in the live object, so rendering it left every root Application permanently OutOfSync (found by npm run e2e).
        source: { repoURL: repo.platform.repoURL, targetRevision: repo.platform.targetRevision, path },
        destination: { server: inClusterServer, namespace },
        sync,
        ignoreDifferences: ignoreDifferences.length ? ignoreDifferences : null,
        cascadeDelete: true,
      },
      sources,
      origin,
    );
  // The root Application is in the folder it syncs, so it manages itself. Its wave comes after every other object
  // of that folder: Argo CD waits for a wave's objects to be Healthy before the next wave, and the root is not
  // Healthy while its own sync runs, so in an early wave it held back every Application behind it (npm run e2e).
  gitApp(applicationName(cluster.name, 'root'), platformProject, argocdFolder, argocdNs, rootWave, [], [envFile, repoPaths.platform]);
  gitApp(applicationName(cluster.name, 'platform'), platformProject, platformFolder, ns, platformWave, [], [envFile, repoPaths.platform]);
  if (repo.platform.postDeployTests) {
    gitApp(applicationName(cluster.name, 'post-deploy'), appsProject, repoPaths.postDeployFolder(cluster.name), ns, postDeployWave, [], [envFile, repoPaths.platform]);
  }
  for (const app of cluster.apps) {
    const ignore = app.settings.autoscaling.enabled
      ? [{ group: 'apps', kind: 'Deployment', name: app.name, namespace: app.settings.namespace ?? ns, jsonPointers: ['/spec/replicas'] }]
      : [];
    gitApp(
      applicationName(cluster.name, app.name),
      appsProject,
      repoPaths.appFolder(cluster.name, app.name),
      app.settings.namespace ?? ns,
      appWave,
      ignore,
      [...app.sources],
      app.settings.namespace ? app.settingAt(['namespace']) : undefined,
    );
  }
  for (const addon of cluster.addons) {
    const provides = addon.spec.provides ?? [];
    add(
      argocdFolder,
      'application.yaml.hbs',
      {
        name: applicationName(cluster.name, `addon-${addon.spec.name}`),
        namespace: argocdNs,
        // One label per capability, so that bootstrap finds Argo CD's own Application by what it provides.
        labels: {
          ...argocdLabels,
          'berrys.io/cluster': cluster.name,
          'berrys.io/environment': cluster.environment,
          ...Object.fromEntries(provides.map((p) => [providesLabel(p), 'true'])),
        },
        // Argo CD's own Application deletes nothing when it is deleted: its finalizer would uninstall Argo CD,
        // halfway through, from under the controller running the deletion.
        cascadeDelete: !provides.includes('gitops'),
        wave: String(addon.spec.syncWave),
        project: platformProject,
        source: {
          repoURL: addon.spec.chart.repoURL,
          chart: addon.spec.chart.name,
          targetRevision: addon.spec.chart.version,
          helm: { releaseName: addon.spec.name, valuesObject: addon.values },
        },
        destination: { server: inClusterServer, namespace: addon.spec.namespace },
        sync,
        ignoreDifferences: null,
      },
      addon.sources,
    );
  }
  return jobs;
}

/**
 * Objects Argo CD and its chart create at run time in its namespace, which no Application renders: without this
 * list every Application of the platform project with that destination (the root, Argo CD's own) carries a permanent
 * OrphanedResourceWarning. The initial admin password and the Redis password (made by the chart's secret-init Job),
 * the controller's shard map, and the repository and cluster credentials people add with `argocd repo add` and
 * `argocd cluster add` (named `repo-…`, `creds-…`, `cluster-…`). On a laptop, where Argo CD is installed by hand,
 * its own ConfigMaps and Secret are not rendered either.
 */
const argocdRuntimeObjects = [
  { kind: 'Secret', name: 'argocd-initial-admin-secret' },
  { kind: 'Secret', name: 'argocd-redis' },
  { kind: 'ConfigMap', name: 'argocd-app-controller-shard-cm' },
  { kind: 'Secret', name: 'repo-*' },
  { kind: 'Secret', name: 'creds-*' },
  { kind: 'Secret', name: 'cluster-*' },
];

/** Argo CD's own configuration, which a cluster without the Argo CD add-on (a laptop) has from a hand install. */
const argocdInstallObjects = [
  { kind: 'ConfigMap', name: 'argocd-cm' },
  { kind: 'ConfigMap', name: 'argocd-cmd-params-cm' },
  { kind: 'ConfigMap', name: 'argocd-rbac-cm' },
  { kind: 'Secret', name: 'argocd-secret' },
];

function uniqueKinds(kinds: { group: string; kind: string }[]): { group: string; kind: string }[] {
  const seen = new Map<string, { group: string; kind: string }>();
  for (const k of kinds) seen.set(`${k.group}/${k.kind}`, k);
  return [...seen.values()].sort((a, b) => (`${a.group}/${a.kind}` < `${b.group}/${b.kind}` ? -1 : 1));
}

/** Allow rules derived from the declared call graph: the same data that writes the *_URL variables. */
function networkPolicyFor(
  app: ResolvedApp,
  cluster: ResolvedCluster,
  byName: Map<string, ResolvedApp>,
  ingressNamespace: string | null,
  monitoringNamespace: string | null,
  postDeployTests: boolean,
): { ingress: unknown[]; egress: unknown[] } {
  const port = [{ protocol: 'TCP', port: app.spec.port }];
  const ingress: unknown[] = [];
  const appNs = app.settings.namespace ?? cluster.env.namespace;
  if (postDeployTests) ingress.push({ from: [peer(smokeTest.selector, cluster.env.namespace, appNs)], ports: port });
  if (app.callers.length) {
    ingress.push({ from: app.callers.flatMap((c) => [{ podSelector: { matchLabels: selectorFor(c) } }, { podSelector: { matchLabels: networkIdentity(c) } }]), ports: port });
  }
  if (app.spec.ingress && ingressNamespace) ingress.push({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ingressNamespace } } }], ports: port });
  if (monitoringNamespace) ingress.push({ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': monitoringNamespace } } }], ports: port });
  const egress: unknown[] = callEgress(app, byName);
  for (const store of app.spec.dataStores) {
    const target = cluster.env.dataStores[store];
    egress.push({ to: [{ ipBlock: { cidr: target.cidr } }], ports: [{ protocol: 'TCP', port: target.port }] });
  }
  if (app.spec.externalEgress) {
    egress.push({ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }], ports: [{ protocol: 'TCP', port: 443 }] });
  }
  return { ingress, egress };
}

/** An app's egress rules for its calls: to each callee's pods, on its port. */
function callEgress(app: ResolvedApp, byName: Map<string, ResolvedApp>): unknown[] {
  return app.calls.map((callee) => ({
    to: [{ podSelector: { matchLabels: selectorFor(callee) } }],
    ports: [{ protocol: 'TCP', port: byName.get(callee)!.spec.port }],
  }));
}

/** A NetworkPolicy peer: pods with `selector` in `podNs`, as seen from a policy in `policyNs`. */
function peer(selector: Record<string, string>, podNs: string, policyNs: string): Record<string, unknown> {
  return podNs === policyNs
    ? { podSelector: { matchLabels: selector } }
    : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': podNs } }, podSelector: { matchLabels: selector } };
}

/** The smoke test's identity: its objects' name and its pod's labels, which the apps' NetworkPolicies admit. */
const smokeTest = { name: 'smoke-test', selector: { 'app.kubernetes.io/name': 'smoke-test' } };

/** Requests and limits of a test pod: curl and a shell loop. */
const testResources = { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } };

/**
 * The post-deploy tests (base/platform.yaml `postDeployTests`), one Argo CD Application per cluster that syncs after
 * the apps: the smoke test calls every app's readiness path through its Service.
 */
function planPostDeployFolder(repo: ResolvedRepo, cluster: ResolvedCluster): TemplateJob[] {
  const tests = repo.platform.postDeployTests;
  if (!tests) return [];
  const { jobs, add } = jobList(cluster);
  const ns = cluster.env.namespace;
  const folder = repoPaths.postDeployFolder(cluster.name);
  const apps = [...cluster.apps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const appNs = (app: ResolvedApp) => app.settings.namespace ?? ns;
  const readinessUrl = (app: ResolvedApp) => `${serviceUrl(app, appNs(app))}${app.settings.probes.readiness.path}`;
  const labels = (name: string) => ({ ...platformLabels(name, repo.platform.name), 'app.kubernetes.io/component': 'post-deploy-test' });
  const sources = [cluster.envSource.file, repoPaths.platform, ...apps.flatMap((a) => a.sources)];
  add(
    folder,
    'post-deploy-test.yaml.hbs',
    {
      name: smokeTest.name,
      namespace: ns,
      labels: labels(smokeTest.name),
      podLabels: { ...labels(smokeTest.name), ...smokeTest.selector },
      checks: apps.map((a) => `${a.name} ${a.version} ${readinessUrl(a)}\n`).join(''),
      proves: "each app's readiness path answers 2xx through its Service: its DNS name, the Service's ready endpoints and the NetworkPolicy that admits this test",
      networkPolicy: {
        podSelector: smokeTest.selector,
        egress: apps.map((a) => ({ to: [peer(selectorFor(a.name), appNs(a), ns)], ports: [{ protocol: 'TCP', port: a.spec.port }] })),
      },
      image: tests.image,
      resources: testResources,
    },
    sources,
  );
  if (!cluster.env.postDeployTests?.integration) return jobs;
  // The call graph, one Job per caller: its pod carries the caller's network identity, so the callees' real ingress
  // rules judge it, and it calls each callee at the URL the caller is given (its *_URL variable).
  const byName = new Map(cluster.apps.map((a) => [a.name, a]));
  for (const caller of apps.filter((a) => a.calls.length > 0)) {
    const name = `integration-${caller.name}`;
    const callees = [...caller.calls].sort().map((c) => byName.get(c)!);
    add(
      folder,
      'post-deploy-test.yaml.hbs',
      {
        name,
        namespace: ns,
        labels: labels(name),
        podLabels: { ...labels(name), ...networkIdentity(caller.name) },
        checks: callees.map((c) => `${caller.name}->${c.name} ${c.version} ${readinessUrl(c)}\n`).join(''),
        proves:
          `each call of ${caller.name}: from a pod with its network identity, the callee's URL it is given resolves and the callee's readiness path answers 2xx ` +
          "through its Service, admitted by the callee's NetworkPolicy rule for this caller; the egress allowed is a copy of the caller's call rules, and the caller's own code is not run",
        networkPolicy: { podSelector: selectorFor(name), egress: callEgress(caller, byName) },
        image: tests.image,
        resources: testResources,
      },
      sources,
    );
  }
  return jobs;
}
