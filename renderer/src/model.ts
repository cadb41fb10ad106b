/**
 * The input format of the repository, defined once: TypeBox gives both the TypeScript types and the JSON Schemas
 * that ajv checks the inputs against and that editors load through `# yaml-language-server: $schema=` lines
 * (published to renderer/schema/ by `npm run schema`; a test keeps them in step).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const dnsLabelPattern = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
/** DNS-1123 label: what Kubernetes accepts as a name, and what keeps a name from trying a path (`../x`). */
export const DnsLabel = Type.String({ pattern: dnsLabelPattern, description: 'A DNS-1123 label: lower-case letters, digits and "-", at most 63 characters.' });
export const dnsLabel = new RegExp(dnsLabelPattern);

/**
 * Counts and durations Kubernetes keeps in 32 bits: a larger number would be refused by the API server, and the
 * guard rails' arithmetic (maxUnavailable + 1) stays exact below it.
 */
const int32 = (options: { minimum: number; description?: string }) => Type.Integer({ ...options, maximum: 2_147_483_647 });

const Quantity = Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$', description: 'A Kubernetes quantity, e.g. 500m, 1Gi.' });
const Percent = Type.Integer({ minimum: 1, maximum: 100 });
const Probe = Type.Object(
  {
    path: Type.Optional(Type.String({ pattern: '^/' })),
    initialDelaySeconds: Type.Optional(int32({ minimum: 0 })),
    periodSeconds: Type.Optional(int32({ minimum: 1 })),
  },
  { additionalProperties: false },
);
const ResourceList = Type.Object({ cpu: Type.Optional(Quantity), memory: Type.Optional(Quantity) }, { additionalProperties: false });

/** What an environment, a cluster or an app may override. Every field is optional; base/defaults.yaml sets them all. */
export const Settings = Type.Object(
  {
    replicas: Type.Optional(int32({ minimum: 1, description: 'Pod count when autoscaling is off.' })),
    autoscaling: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          minReplicas: Type.Optional(int32({ minimum: 1 })),
          maxReplicas: Type.Optional(int32({ minimum: 1 })),
          cpuUtilization: Type.Optional(Percent),
          memoryUtilization: Type.Optional(Percent),
        },
        { additionalProperties: false },
      ),
    ),
    disruptionBudget: Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()), maxUnavailable: Type.Optional(int32({ minimum: 1 })) }, { additionalProperties: false })),
    resources: Type.Optional(Type.Object({ requests: Type.Optional(ResourceList), limits: Type.Optional(ResourceList) }, { additionalProperties: false })),
    logLevel: Type.Optional(Type.Union([Type.Literal('DEBUG'), Type.Literal('INFO'), Type.Literal('WARNING'), Type.Literal('ERROR')])),
    env: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Z][A-Z0-9_]*$' }), Type.String(), {
        description: 'Extra plain (non-secret) environment variables.',
        // Without it the name pattern is only advice: any other name passed, to be refused by Kubernetes rules later,
        // at the app file and no line.
        additionalProperties: false,
      }),
    ),
    probes: Type.Optional(Type.Object({ readiness: Type.Optional(Probe), liveness: Type.Optional(Probe) }, { additionalProperties: false })),
    rollout: Type.Optional(Type.Object({ maxSurge: Type.Optional(int32({ minimum: 0 })), maxUnavailable: Type.Optional(int32({ minimum: 0 })) }, { additionalProperties: false })),
    zoneSpread: Type.Optional(Type.Boolean({ description: 'Spread pods across availability zones.' })),
    namespace: Type.Optional(DnsLabel),
    writableRootFilesystem: Type.Optional(Type.String({ minLength: 1, description: 'Why this app needs a writable root file system (default: read-only).' })),
  },
  { additionalProperties: false },
);
export type Settings = Static<typeof Settings>;

const AppName = Type.String({ pattern: dnsLabelPattern });

/**
 * One entry of `calls`: a callee's name (it must be deployed wherever the caller is), or a call that waits for its
 * callee: wired (URL variable, network policy rules) only in environments where the callee is deployed.
 */
const Call = Type.Union([
  AppName,
  Type.Object(
    {
      app: AppName,
      when: Type.Literal('deployed', { description: 'Wire the call only where the callee is deployed; elsewhere the render leaves it out and says so.' }),
    },
    { additionalProperties: false },
  ),
]);

/** apps/<app>.yaml: what an app is, whatever the environment. */
export const AppSpec = Type.Object(
  {
    name: DnsLabel,
    description: Type.String({ minLength: 1 }),
    image: Type.String({ pattern: '^[a-z0-9]+([._/-][a-z0-9]+)*$', description: 'Repository path under the environment registry, without a tag.' }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    nodeGroup: Type.String({ pattern: dnsLabelPattern, description: "The node group it runs on: one of its environment's nodeGroups." }),
    calls: Type.Array(Call, {
      uniqueItems: true,
      description:
        'Apps this one calls: gives *_URL variables and network policy rules. A name needs the callee deployed wherever this app is; `{app: <name>, when: deployed}` wires the call only in environments where the callee is deployed (introducing a new service gradually).',
    }),
    dataStores: Type.Array(Type.Union([Type.Literal('database'), Type.Literal('cache')]), { uniqueItems: true }),
    externalEgress: Type.Optional(Type.Boolean({ description: 'Needs HTTPS to the internet (model providers, tools).' })),
    ingress: Type.Optional(Type.Object({ subdomain: DnsLabel, path: Type.Optional(Type.String({ pattern: '^/' })) }, { additionalProperties: false })),
    settings: Type.Optional(Settings),
  },
  { additionalProperties: false },
);
export type AppSpec = Static<typeof AppSpec>;

const Cidr = Type.String({ pattern: '^([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}$' });
const DataStore = Type.Object(
  { cidr: Cidr, port: Type.Integer({ minimum: 1, maximum: 65535 }) },
  { additionalProperties: false, description: 'Where the database or cache answers: network policies allow egress to exactly this.' },
);

const Arn = (service: string, description: string) => Type.String({ pattern: `^arn:aws:${service}:[a-z0-9-]*:[0-9]{12}:`, description });

/**
 * What the infrastructure code (not this repository) creates for a cluster, as this repository assumes it: names,
 * ARNs and CIDRs, so a reviewer can check them against that code and the README's out-of-scope table can point here.
 * Only vpcId is read by the renderer (the load balancer controller); the rest is the contract, kept as data.
 */
const Infrastructure = Type.Object(
  {
    vpcId: Type.String({ pattern: '^vpc-[0-9a-f]{8,17}$', description: "The cluster's VPC; the AWS Load Balancer Controller gets it (no instance metadata lookup)." }),
    vpcCidr: Cidr,
    publicSubnetCidrs: Type.Array(Cidr, { minItems: 1, description: 'One per zone, tagged kubernetes.io/role/elb: where the ALB lives.' }),
    privateSubnetCidrs: Type.Array(Cidr, { minItems: 1, description: 'One per zone, tagged kubernetes.io/role/internal-elb: the nodes and pods.' }),
    // The bastion host's address range: the only one, besides the VPC, that reaches the private API endpoint.
    bastionCidr: Type.Optional(Cidr),
    encryptionKmsArn: Type.Optional(Arn('kms', 'The KMS key (or alias) EKS envelope-encrypts Kubernetes Secrets with.')),
    controlPlaneLogGroup: Type.Optional(Type.String({ pattern: '^/aws/eks/', description: 'The CloudWatch log group of the EKS control-plane logs.' })),
    backupVault: Type.Optional(Type.String({ minLength: 1, description: 'The AWS Backup vault of the RDS and EBS snapshots.' })),
  },
  { additionalProperties: false },
);

const Cluster = Type.Object(
  {
    name: DnsLabel,
    role: Type.Union([Type.Literal('primary'), Type.Literal('standby')]),
    region: Type.String({ minLength: 1 }),
    apiServer: Type.String({ pattern: '^https://', description: 'The API server URL; bootstrap refuses a kube context pointing elsewhere.' }),
    imageRegistry: Type.Optional(Type.String({ minLength: 1 })),
    eksClusterName: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z][A-Za-z0-9_-]{0,99}$',
        description:
          "The EKS cluster's name, as the infrastructure code creates it (required in the cloud): the autoscaler discovers the node groups by it, and Loki's buckets are named after it.",
      }),
    ),
    zones: Type.Optional(
      Type.Array(Type.String({ pattern: '^[a-z0-9-]+$' }), {
        minItems: 1,
        uniqueItems: true,
        description: "The availability zones of the cluster's private subnets, which every node group spans (required with nodeGroups).",
      }),
    ),
    dataStores: Type.Optional(
      Type.Object(
        { database: DataStore, cache: DataStore },
        { additionalProperties: false, description: "This cluster's own data stores (a standby in another region), instead of the environment's." },
      ),
    ),
    secretStore: Type.Optional(
      Type.Object(
        {
          region: Type.String({
            minLength: 1,
            description: "Region of the secret store this cluster reads (its own region's replica, so it does not depend on the primary region).",
          }),
        },
        { additionalProperties: false },
      ),
    ),
    imageReplication: Type.Optional(
      Type.Object(
        {
          from: Type.String({ minLength: 1, description: "The registry the images are pushed to (the primary's), which replicates them into this cluster's imageRegistry." }),
          mechanism: Type.Literal('ecr-replication', {
            description: 'ECR cross-region replication, configured on the source registry by the infrastructure code; bootstrap prints the check (it needs AWS).',
          }),
        },
        { additionalProperties: false, description: "How images reach this cluster's own imageRegistry; required when it differs from the environment's." },
      ),
    ),
    loadBalancer: Type.Optional(
      Type.Object(
        {
          wafAclArn: Type.String({
            pattern: '^arn:aws:wafv2:[a-z0-9-]+:[0-9]{12}:regional/webacl/',
            description: "The AWS WAF web ACL (REGIONAL, in the cluster's region) the ALB in front of the ingress controller is associated with.",
          }),
          certificateArn: Type.String({
            pattern: '^arn:aws:acm:[a-z0-9-]+:[0-9]{12}:certificate/',
            description: "The ACM certificate (in the cluster's region) of the ALB's HTTPS listener: the environment's domain and its wildcard.",
          }),
        },
        { additionalProperties: false, description: 'The ALB in front of the ingress controller (add-on that provides load-balancing); both are regional, so per cluster.' },
      ),
    ),
    infrastructure: Type.Optional(Infrastructure),
    settings: Type.Optional(Settings),
    addons: Type.Optional(
      Type.Record(Type.String({ pattern: dnsLabelPattern }), Type.Object({ values: Type.Record(Type.String(), Type.Unknown()) }, { additionalProperties: false })),
    ),
  },
  { additionalProperties: false },
);

const SecretStore = Type.Union([
  Type.Object(
    {
      provider: Type.Literal('aws-secrets-manager'),
      region: Type.String({ minLength: 1 }),
      roleArn: Type.String({ pattern: '^arn:aws:iam::[0-9]{12}:role/', description: 'IAM role of the External Secrets operator (IRSA).' }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      provider: Type.Literal('fake'),
      data: Type.Record(Type.String(), Type.String(), { description: 'Local only: non-secret connection strings for a laptop database (no passwords).' }),
    },
    { additionalProperties: false },
  ),
]);

/** One EKS managed node group, as the infrastructure code creates it; node-groups.ts is its one reader. */
const NodeGroup = Type.Object(
  {
    instanceType: Type.String({ pattern: '^[a-z][a-z0-9-]*\\.[a-z0-9]+$', description: 'The EC2 instance type, e.g. t3.xlarge.' }),
    allocatable: Type.Object(
      { cpu: Quantity, memory: Quantity },
      {
        additionalProperties: false,
        description: "What one node offers pods: the instance's capacity less EKS's kube-reserved, system-reserved and eviction threshold (README, Capacity).",
      },
    ),
    minNodes: Type.Integer({ minimum: 0 }),
    maxNodes: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

const AddonOverride = Type.Object({ enabled: Type.Optional(Type.Boolean()), values: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }, { additionalProperties: false });

const AlertStoreEntry = Type.String({
  pattern: '^[a-z0-9][-a-z0-9]*$',
  description:
    'The secret store entry (under berrys/<environment>/) holding the credential as JSON: a Slack bot token in "token", a PagerDuty routing key in "routingKey". Never the value itself.',
});
const AlertSeverities = Type.Array(Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]), {
  minItems: 1,
  uniqueItems: true,
  description: 'The alert severities (the severity label of the rules) this receiver gets.',
});

/** overlays/<env>/environment.yaml: how one environment differs. */
export const EnvironmentSpec = Type.Object(
  {
    name: DnsLabel,
    description: Type.String({ minLength: 1 }),
    namespace: DnsLabel,
    domain: Type.String({ pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' }),
    imageRegistry: Type.String({ minLength: 1 }),
    awsAccountId: Type.Optional(
      Type.String({
        pattern: '^[0-9]{12}$',
        description: 'The AWS account of the clusters; the IAM roles of the add-ons that call AWS (IRSA) are derived from it and the cluster name.',
      }),
    ),
    pinnedVersions: Type.Boolean({ description: 'Refuse `latest` and missing tags in versions.yaml.' }),
    promotesFrom: Type.Optional(
      Type.String({
        pattern: dnsLabelPattern,
        description: 'The environment whose versions this one takes (`npm run promote`): its place in the promotion chain. The first step (where releases enter) names none.',
      }),
    ),
    promotion: Type.Optional(Type.Literal('none', { description: "Outside the promotion chain (an engineer's own laptop cluster): versions are set by hand, never promoted." })),
    highAvailability: Type.Optional(
      Type.Boolean({
        description: 'Primary clusters must survive losing a pod or a node: at least 3 replicas and a PodDisruptionBudget per Deployment (validate). Default false.',
      }),
    ),
    nodeGroups: Type.Union([Type.Literal(false), Type.Record(Type.String({ pattern: dnsLabelPattern }), NodeGroup)], {
      description:
        'The node groups apps are pinned to (apps/<app>.yaml nodeGroup), with their sizes; false on a one-node laptop cluster. The render refuses placements they cannot hold.',
    }),
    cloud: Type.Optional(Type.Boolean({ description: 'Runs in the cloud account (default true); false on a laptop, where only add-ons marked `local` are installed.' })),
    networkPolicyEnforcement: Type.Optional(
      Type.Union([Type.Literal('vpc-cni'), Type.Literal('none')], {
        description:
          "What enforces the NetworkPolicies the renderer writes (required in the cloud). vpc-cni: the EKS VPC CNI's network-policy agent, which npm run bootstrap checks for and without which it refuses (unless --allow-unenforced '<reason>'); none: nothing does (a laptop), which bootstrap says.",
      }),
    ),
    autoSync: Type.Boolean({ description: 'Argo CD syncs on merge without a person pressing sync.' }),
    clusters: Type.Array(Cluster, { minItems: 1 }),
    dataStores: Type.Object({ database: DataStore, cache: DataStore }, { additionalProperties: false }),
    secretStore: SecretStore,
    ingress: Type.Object(
      {
        className: DnsLabel,
        clusterIssuer: Type.Optional(DnsLabel),
        acme: Type.Optional(
          Type.Object(
            {
              server: Type.String({ pattern: '^https://' }),
              email: Type.String({ minLength: 3 }),
              hostedZoneId: Type.String({ minLength: 1 }),
              region: Type.String({ minLength: 1 }),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    addons: Type.Optional(Type.Record(AppName, AddonOverride)),
    alerting: Type.Optional(
      Type.Object(
        {
          receivers: Type.Array(
            Type.Union([
              Type.Object(
                {
                  name: DnsLabel,
                  type: Type.Literal('slack'),
                  channel: Type.String({ pattern: '^#?[a-z0-9][-_a-z0-9]*$', description: 'The Slack channel the bot posts to.' }),
                  storeEntry: AlertStoreEntry,
                  severities: AlertSeverities,
                },
                { additionalProperties: false },
              ),
              Type.Object(
                { name: DnsLabel, type: Type.Literal('pagerduty'), storeEntry: AlertStoreEntry, severities: AlertSeverities },
                { additionalProperties: false, description: 'Pages the on-call engineer (PagerDuty Events API v2).' },
              ),
            ]),
            { minItems: 1, description: 'Where alerts go; an alert goes to every receiver whose severities include its own, and what matches none to the first.' },
          ),
          deployments: Type.Optional(DnsLabel),
        },
        {
          additionalProperties: false,
          description:
            'Alert routing: required where an add-on provides monitoring. deployments: the (Slack) receiver that Argo CD tells about failed syncs and Degraded Applications.',
        },
      ),
    ),
    logging: Type.Optional(
      Type.Object(
        {
          retention: Type.String({
            pattern: '^[0-9]+[hdw]$',
            description: 'How long the logs store keeps logs before its compactor deletes them, e.g. 30d (Loki limits_config.retention_period).',
          }),
        },
        { additionalProperties: false, description: 'The log pipeline: required where an add-on keeps logs (base/addons.yaml reads it).' },
      ),
    ),
    postDeployTests: Type.Optional(
      Type.Object(
        {
          integration: Type.Boolean({
            description:
              "Also test the call graph after each sync: for every caller -> callee edge, the callee's URL the caller is given answers its readiness path from a pod with the caller's network identity.",
          }),
        },
        { additionalProperties: false },
      ),
    ),
    settings: Type.Optional(Settings),
  },
  { additionalProperties: false },
);
export type EnvironmentSpec = Static<typeof EnvironmentSpec>;
export type ClusterSpec = Static<typeof Cluster>;

/** overlays/<env>/versions.yaml: the one promotable place, app → image tag. */
export const Versions = Type.Record(AppName, Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$' }));
export type Versions = Static<typeof Versions>;

/** overlays/<env>/apps/<app>.yaml: one app's overrides in one environment. */
const AppOverride = Settings;

const ExactVersion = Type.String({
  pattern: '^v?[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$',
  description: 'An exact chart version (no ranges, no wildcards).',
});

/**
 * What an add-on can provide, and what the renderer does with it: `ingress` (its namespace may reach the apps),
 * `monitoring` (its namespace may scrape them), `node-autoscaling`, `dns`, `secrets` (the operator the secret store
 * authenticates as), `certificates` (issues the ClusterIssuer's certificates), `logs` (keeps the logs), `metrics`
 * (serves the resource metrics API that HorizontalPodAutoscalers read), `load-balancing` (makes the cloud load
 * balancer of the platform folder's Ingress in front of the ingress controller), `gitops` (Argo CD itself: bootstrap
 * installs it from its rendered Application, which then manages it; deleting that Application leaves Argo CD running). What each gets from the cluster (its name,
 * region, domain, buckets) is the add-on's clusterValues and cloudValues, data in base/addons.yaml.
 */
const addonCapabilities = ['ingress', 'monitoring', 'node-autoscaling', 'dns', 'secrets', 'certificates', 'logs', 'metrics', 'load-balancing', 'gitops'] as const;
export const AddonCapability = Type.Union(addonCapabilities.map((c) => Type.Literal(c)));
export type AddonCapability = 'ingress' | 'monitoring' | 'node-autoscaling' | 'dns' | 'secrets' | 'certificates' | 'logs' | 'metrics' | 'load-balancing' | 'gitops';

/** base/addons.yaml: the platform add-ons, each an upstream Helm chart pinned to an exact version. */
export const AddonCatalogue = Type.Object(
  {
    addons: Type.Array(
      Type.Object(
        {
          name: DnsLabel,
          description: Type.String({ minLength: 1 }),
          namespace: DnsLabel,
          chart: Type.Object({ repoURL: Type.String({ pattern: '^https://' }), name: Type.String({ minLength: 1 }), version: ExactVersion }, { additionalProperties: false }),
          syncWave: Type.Integer({
            minimum: 1,
            maximum: 3,
            description:
              '1: operators whose CRDs other objects need; 2: the rest, beside the platform folder (secret store, add-on secrets, issuer); 3: add-ons that read what the platform folder makes. The apps sync at 4. The render refuses a consumer that syncs before its producer.',
          }),
          local: Type.Boolean({ description: 'Installed on laptop clusters too.' }),
          provides: Type.Optional(
            Type.Array(AddonCapability, {
              uniqueItems: true,
              description: 'What the platform gets from this add-on; the renderer finds add-ons by what they provide, never by name.',
            }),
          ),
          podSecurity: Type.Union([Type.Literal('restricted'), Type.Literal('baseline'), Type.Literal('privileged')], {
            description: 'Pod Security level of the namespace it creates.',
          }),
          clusterKinds: Type.Array(Type.Object({ group: Type.String(), kind: Type.String({ minLength: 1 }) }, { additionalProperties: false }), {
            description: 'Cluster-scoped kinds the chart creates: the only ones its AppProject allows.',
          }),
          irsa: Type.Optional(
            Type.String({
              pattern: '^[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*)*$',
              description:
                'The add-on calls AWS: the values path of its service account (e.g. controller.serviceAccount). Each cloud cluster gives that service account its own IAM role, arn:aws:iam::<awsAccountId>:role/<platform>-<cluster>-<add-on>.',
            }),
          ),
          secrets: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  name: DnsLabel,
                  key: Type.String({ pattern: '^[a-z0-9][-a-z0-9]*$', description: 'The secret store entry, under berrys/<environment>/.' }),
                  valuesPath: Type.String({
                    pattern: '^[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*)*$',
                    description: "The chart value that takes the Secret's name (e.g. grafana.admin.existingSecret); the renderer sets it.",
                  }),
                  data: Type.Array(Type.Object({ secretKey: Type.String({ minLength: 1 }), property: Type.String({ minLength: 1 }) }, { additionalProperties: false }), {
                    minItems: 1,
                    description: 'Each key of the Kubernetes Secret and the property of the stored JSON it comes from.',
                  }),
                },
                { additionalProperties: false },
              ),
              { description: "Secrets the chart reads (an existingSecret value), created in the add-on's namespace from the cluster's secret store." },
            ),
          ),
          apiGroups: Type.Optional(
            Type.Array(Type.String({ pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' }), {
              uniqueItems: true,
              description: 'API groups of the custom resources whose CRDs the chart installs: objects of these groups sync after it.',
            }),
          ),
          consumes: Type.Optional(
            Type.Object(
              {
                secrets: Type.Array(DnsLabel, {
                  uniqueItems: true,
                  description:
                    "Secrets in the add-on's namespace that its chart values name but `secrets` does not create: something else must make them, in an earlier sync wave.",
                }),
              },
              { additionalProperties: false },
            ),
          ),
          loadBalancerBackend: Type.Optional(
            Type.Object(
              {
                service: DnsLabel,
                port: Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', description: "The Service's port name the load balancer forwards HTTPS to." }),
                healthCheck: Type.Object(
                  { port: Type.Integer({ minimum: 1, maximum: 65535 }), path: Type.String({ pattern: '^/' }) },
                  { additionalProperties: false, description: "The pods' health endpoint the load balancer checks (HTTP)." },
                ),
              },
              { additionalProperties: false, description: 'For the add-on that provides ingress: where the cloud load balancer in front of it sends traffic.' },
            ),
          ),
          values: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          clusterValues: Type.Optional(
            Type.Record(Type.String(), Type.Unknown(), {
              description:
                'Chart values that follow from facts declared elsewhere, with placeholders: {{platform.<key>}}, {{environment.<key>}}, {{cluster.<key>}}, {{providers.<capability>.name}} and .namespace. A string that is one placeholder takes the value with its type. Merged in every cluster that installs the add-on, over values and highAvailabilityValues; overlays still win.',
            }),
          ),
          cloudValues: Type.Optional(
            Type.Record(Type.String(), Type.Unknown(), {
              description: 'Like clusterValues, merged only in cloud clusters (cloud not false): for facts a laptop cluster does not have (its EKS name, an IAM role, buckets).',
            }),
          ),
          requires: Type.Optional(
            Type.Array(AddonCapability, {
              uniqueItems: true,
              description: 'Installed only in clusters where other add-ons provide all of these (a log collector where something keeps the logs).',
            }),
          ),
          whenProvided: Type.Optional(
            Type.Object(Object.fromEntries(addonCapabilities.map((c) => [c, Type.Optional(Type.Record(Type.String(), Type.Unknown()))])), {
              additionalProperties: false,
              description:
                'Chart values merged only in clusters where an add-on provides the capability named by the key (a data source for the logs store), with the placeholders of clusterValues.',
            }),
          ),
          highAvailabilityValues: Type.Optional(
            Type.Record(Type.String(), Type.Unknown(), {
              description: 'Chart values merged over `values` in environments with highAvailability (replicas, disruption budgets, spread); overlays still win.',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type AddonCatalogue = Static<typeof AddonCatalogue>;
export type AddonSpec = AddonCatalogue['addons'][number];

/** Input-file size limits, in bytes: the default, and the most base/platform.yaml may raise it to. */
export const defaultMaxInputFileBytes = 1024 * 1024;
export const maxInputFileBytesCeiling = 16 * 1024 * 1024;

/** base/platform.yaml: facts that hold for every environment. */
export const PlatformSpec = Type.Object(
  {
    name: DnsLabel,
    repoURL: Type.String({ pattern: '^https://', description: 'This repository, as Argo CD clones it.' }),
    targetRevision: Type.String({ minLength: 1, description: 'The branch every cluster follows.' }),
    argocdNamespace: DnsLabel,
    nodeGroupLabel: Type.String({ minLength: 1, description: 'Node label that carries the node group name.' }),
    maxInputFileBytes: Type.Optional(
      Type.Integer({
        minimum: 1024,
        maximum: maxInputFileBytesCeiling,
        description:
          'The largest input file the renderer reads, in bytes (default 1048576, 1 MiB: a hundred times the largest input today). A larger file is refused before it is parsed.',
      }),
    ),
    postDeployTests: Type.Optional(
      Type.Object(
        {
          image: Type.String({
            minLength: 1,
            description:
              'The image of the post-deploy test Jobs (Argo CD PostSync hooks): it needs sh and curl, and is pinned by a release tag of a registry whose tags are immutable, or by a digest.',
          }),
        },
        { additionalProperties: false, description: 'The post-deploy tests every cluster runs after its apps sync (README, Post-deploy tests).' },
      ),
    ),
    clusterAutoscaler: Type.Object(
      {
        scaleDownUnneededTime: Type.String({ pattern: '^[0-9]+[smh]$' }),
        scaleDownDelayAfterAdd: Type.String({ pattern: '^[0-9]+[smh]$' }),
        scaleDownUtilizationThreshold: Type.Number({ minimum: 0, maximum: 1 }),
        version: Type.String({
          pattern: '^v[0-9]+\\.[0-9]+\\.[0-9]+$',
          description: "The autoscaler release the clusters run; its minor is the clusters' Kubernetes minor (renderer/pins.json), as the autoscaler requires.",
        }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type PlatformSpec = Static<typeof PlatformSpec>;

/** A reviewed exception needs a reason a reviewer can judge, not a placeholder. */
const Reason = Type.String({ minLength: 10, description: 'Why this exception is safe, for the reviewer (CODEOWNERS: platform owners).' });

/**
 * base/exceptions.yaml (optional): the only way past two guard rails, each entry with a reason. The file is covered
 * by CODEOWNERS, so every exception is reviewed by the platform owners.
 */
export const Exceptions = Type.Object(
  {
    secrets: Type.Optional(
      Type.Array(
        Type.Object(
          {
            file: Type.String({ minLength: 1, description: 'The input file, e.g. overlays/staging/apps/api-gateway.yaml.' }),
            path: Type.String({ minLength: 1, description: 'The data path of the value, dot-separated, e.g. env.SESSION_KEY_ID.' }),
            reason: Reason,
          },
          { additionalProperties: false },
        ),
        { description: 'Values the plaintext-secret scanner flags that are not secrets.' },
      ),
    ),
    handWritten: Type.Optional(
      Type.Array(
        Type.Object(
          {
            file: Type.String({ pattern: '^clusters/[^/]+/.+\\.yaml$', description: 'A file under clusters/<cluster>/ the renderer does not generate.' }),
            reason: Reason,
          },
          { additionalProperties: false },
        ),
        { description: 'Files under clusters/ that people write; validate checks them like rendered ones.' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type Exceptions = Static<typeof Exceptions>;

/** Every published schema, by file name under renderer/schema/. */
export const publishedSchemas: Record<string, TSchema> = {
  app: AppSpec,
  environment: EnvironmentSpec,
  versions: Versions,
  'app-override': AppOverride,
  defaults: Settings,
  addons: AddonCatalogue,
  platform: PlatformSpec,
  exceptions: Exceptions,
};
