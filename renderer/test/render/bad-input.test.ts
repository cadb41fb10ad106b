import { describe, expect, it } from 'vitest';
import { realInputs, renderError } from './fixture.js';

type Files = Record<string, string>;

const override = 'overlays/production/apps/agent-orchestrator.yaml';
/** Where the autoscaler's chart version is in base/addons.yaml (line and entry), which move as the catalogue grows. */
const catalogueLines = realInputs()['base/addons.yaml']!.split('\n');
const autoscalerChartLine = catalogueLines.findIndex((l) => l.includes('version: 9.52.1')) + 1;
const autoscalerIndex = catalogueLines.slice(0, autoscalerChartLine).filter((l) => l.startsWith('  - name: ')).length - 1;
/** Where staging sets maxReplicas, which moves as its environment file grows. */
const stagingLines = realInputs()['overlays/staging/environment.yaml']!.split('\n');
const stagingMaxReplicasLine = stagingLines.findIndex((l) => l.includes('maxReplicas:')) + 1;

describe('bad input', () => {
  const cases: [string, (f: Files) => void, string][] = [
    [
      'malformed YAML',
      (f) => (f[override] = 'autoscaling:\n  maxReplicas: [10\n'),
      `${override}:3:1: error: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]\n  hint: fix the YAML syntax (indentation, a missing ":" or an unclosed quote); a YAML-aware editor with the schema line shows it as you type`,
    ],
    [
      'an unknown key (typo) in an overlay',
      (f) => (f[override] = 'autoscaling:\n  maxReplica: 10\n'),
      `${override}:2:3: error: unknown key 'maxReplica' in 'autoscaling'\n  hint: did you mean 'maxReplicas'? allowed: enabled, minReplicas, maxReplicas, cpuUtilization, memoryUtilization`,
    ],
    [
      'a wrong type',
      (f) => (f[override] = 'replicas: "three"\n'),
      `${override}:1:11: error: 'replicas' must be a whole number (got "three")\n  hint: write digits without quotes, e.g. 3`,
    ],
    ['zero replicas', (f) => (f[override] = 'replicas: 0\n'), `${override}:1:11: error: 'replicas' must be ≥ 1 (got 0)\n  hint: use a value ≥ 1`],
    ['negative replicas', (f) => (f[override] = 'replicas: -2\n'), `${override}:1:11: error: 'replicas' must be ≥ 1 (got -2)\n  hint: use a value ≥ 1`],
    [
      'min replicas above max',
      (f) => (f['overlays/staging/apps/planning-system.yaml'] = 'autoscaling:\n  minReplicas: 12\n'),
      `overlays/staging/apps/planning-system.yaml:2:16: error: autoscaling.minReplicas (12) is above autoscaling.maxReplicas (6) for app 'planning-system' in cluster 'staging'\n  hint: lower minReplicas or raise maxReplicas (maxReplicas is set at overlays/staging/environment.yaml:${stagingMaxReplicasLine})`,
    ],
    [
      'an overlay for an app that is not in the catalogue',
      (f) => (f['overlays/production/apps/agent-orchestrater.yaml'] = 'replicas: 2\n'),
      "overlays/production/apps/agent-orchestrater.yaml:1:1: error: overlay for app 'agent-orchestrater', which is not in the catalogue\n  hint: did you mean 'agent-orchestrator'? allowed: agent-orchestrator, api-gateway, model-orchestration, planning-system, project-coordinator, service-integration, tool-integration, web-dashboard; add apps/agent-orchestrater.yaml or remove this overlay",
    ],
    [
      'an app name that is not a DNS-1123 label',
      (f) => (f['apps/Bad_App.yaml'] = f['apps/api-gateway.yaml']!),
      'apps/Bad_App.yaml: error: app name \'Bad_App\' is not a valid DNS-1123 label\n  hint: use lower-case letters, digits and "-" (at most 63 characters), starting and ending with a letter or digit',
    ],
    [
      'an environment name that tries a path',
      (f) => (f['overlays/../x/environment.yaml'] = 'name: x\n'),
      'overlays/..: error: environment name \'..\' is not a valid DNS-1123 label\n  hint: use lower-case letters, digits and "-" (at most 63 characters), starting and ending with a letter or digit',
    ],
    [
      'an app whose name field tries a path',
      (f) => (f['apps/api-gateway.yaml'] = f['apps/api-gateway.yaml']!.replace('name: api-gateway', 'name: ../x')),
      'apps/api-gateway.yaml:2:7: error: \'name\' has an invalid value "../x"\n  hint: A DNS-1123 label: lower-case letters, digits and "-", at most 63 characters.',
    ],
    [
      'a template referencing a missing value',
      (f) => (f['base/templates/service.yaml.hbs'] = f['base/templates/service.yaml.hbs']!.replace('{{yaml app.port}}', '{{yaml app.prot}}')),
      "base/templates/service.yaml.hbs:12:13: error: template references a missing value 'app.prot'\n  hint: check the spelling against the values the renderer passes (see ARCHITECTURE.md, Template contexts)",
    ],
    [
      'a dependency on an app that does not exist',
      (f) => (f['apps/web-dashboard.yaml'] = f['apps/web-dashboard.yaml']!.replace('calls: [api-gateway]', 'calls: [api-gatewy]')),
      "apps/web-dashboard.yaml:7:9: error: app 'web-dashboard' calls 'api-gatewy', which is not in the catalogue\n  hint: did you mean 'api-gateway'? allowed: agent-orchestrator, api-gateway, model-orchestration, planning-system, project-coordinator, service-integration, tool-integration, web-dashboard",
    ],
    [
      'a dependency cycle',
      (f) => (f['apps/model-orchestration.yaml'] = f['apps/model-orchestration.yaml']!.replace('calls: []', 'calls: [agent-orchestrator]')),
      'apps/model-orchestration.yaml:7:9: error: dependency cycle: agent-orchestrator → model-orchestration → agent-orchestrator\n  hint: the call graph must be layered; remove one of these calls',
    ],
    [
      "an image tag 'latest' in staging",
      (f) => (f['overlays/staging/versions.yaml'] = f['overlays/staging/versions.yaml']!.replace('api-gateway: 1.8.3', 'api-gateway: latest')),
      "overlays/staging/versions.yaml:4:14: error: Deployment 'api-gateway': container 'api-gateway' image '222222222222.dkr.ecr.us-east-1.amazonaws.com/berrys/api-gateway:latest' uses the tag 'latest'\n  hint: pin a release tag (…:1.4.2) or a digest (…@sha256:…); versions come from overlays/<env>/versions.yaml",
    ],
    [
      'an app left out of production that a deployed app there calls',
      (f) => (f['overlays/production/versions.yaml'] = f['overlays/production/versions.yaml']!.replace('api-gateway: 1.8.3\n', '')),
      "overlays/production/versions.yaml:9:16: error: app 'web-dashboard' calls 'api-gateway', which is not deployed in 'production' (no version in overlays/production/versions.yaml)\n  hint: to introduce or retire api-gateway gradually, make the call wait for it: {app: api-gateway, when: deployed} in apps/web-dashboard.yaml (then production renders web-dashboard without it); or deploy api-gateway here (npm run promote -- --from staging --to production --app api-gateway); or leave web-dashboard out of production too",
    ],
    [
      'an app with no version in any environment',
      (f) => {
        for (const env of ['local', 'development', 'staging', 'production']) {
          f[`overlays/${env}/versions.yaml`] = f[`overlays/${env}/versions.yaml`]!.replace(/^web-dashboard: .*\n/m, '');
        }
      },
      "apps/web-dashboard.yaml:1:1: error: app 'web-dashboard' has no version in any environment, so it would be deployed nowhere\n  hint: a new app enters the promotion chain at its start: npm run release -- --app web-dashboard --version <release tag>",
    ],
    [
      'plaintext secrets in the inputs',
      (f) => (f[override] = 'env:\n  DB_PASSWORD: hunter2\n  UPSTREAM: https://bob:s3cret@example.com/\n'),
      `${override}:2:16: error: plaintext secret in 'env.DB_PASSWORD' (a value under the key 'DB_PASSWORD')\n  hint: never commit secrets: store it in the cloud secret store and let an ExternalSecret create the Kubernetes Secret (see README.md, Secrets); a value that is not a secret goes under secrets: in base/exceptions.yaml with a reason\n` +
        `${override}:3:13: error: plaintext secret in 'env.UPSTREAM' (a URL with a password in it)\n  hint: never commit secrets: store it in the cloud secret store and let an ExternalSecret create the Kubernetes Secret (see README.md, Secrets); a value that is not a secret goes under secrets: in base/exceptions.yaml with a reason`,
    ],
    [
      'an overlay that points an app at a namespace outside its project',
      (f) => (f['overlays/staging/apps/web-dashboard.yaml'] = 'namespace: kube-system\n'),
      "overlays/staging/apps/web-dashboard.yaml:1:12: error: Application 'staging-web-dashboard' is outside its project: destination namespace 'kube-system' is not among the project's destinations\n  hint: an app may only deploy to the namespaces of its environment's project 'staging'; remove the namespace override or change the project",
    ],
    [
      'a cluster name that does not match its environment',
      (f) => (f['overlays/staging/environment.yaml'] = f['overlays/staging/environment.yaml']!.replace('  - name: staging\n', '  - name: stage-eu\n')),
      "overlays/staging/environment.yaml:20:11: error: cluster 'stage-eu' does not belong to environment 'staging' by its name\n  hint: name it 'staging' or 'staging-<suffix>' (e.g. staging-dr), so a folder under clusters/ always says its environment",
    ],
    [
      'an add-on without a pinned chart version',
      (f) => (f['base/addons.yaml'] = f['base/addons.yaml']!.replace('version: 9.52.1', 'version: ^9.52.0')),
      `base/addons.yaml:${autoscalerChartLine}:99: error: 'addons.${autoscalerIndex}.chart.version' has an invalid value "^9.52.0"\n  hint: An exact chart version (no ranges, no wildcards).`,
    ],
    [
      'a cloud environment that does not say what enforces its NetworkPolicies',
      (f) => (f['overlays/staging/environment.yaml'] = f['overlays/staging/environment.yaml']!.replace('networkPolicyEnforcement: vpc-cni\n', '')),
      "overlays/staging/environment.yaml:2:7: error: environment 'staging' runs in the cloud but does not say what enforces its NetworkPolicies\n  hint: add networkPolicyEnforcement: vpc-cni (the EKS VPC CNI's network-policy agent, which npm run bootstrap checks for)",
    ],
    [
      'a standby pulling from its own registry without saying how the images get there',
      (f) => (f['overlays/production/environment.yaml'] = f['overlays/production/environment.yaml']!.replace(/ {4}imageReplication: .*\n/, '')),
      "overlays/production/environment.yaml:64:20: error: cluster 'production-dr' pulls from its own registry 333333333333.dkr.ecr.us-west-2.amazonaws.com, but nothing says how the images get there\n  hint: add imageReplication: { from: 333333333333.dkr.ecr.us-east-1.amazonaws.com, mechanism: ecr-replication } to the cluster (the infrastructure code configures the replication; bootstrap prints the check)",
    ],
    [
      'a cloud cluster with a load balancer controller but no WAF web ACL and certificate',
      (f) => (f['overlays/staging/environment.yaml'] = f['overlays/staging/environment.yaml']!.replace(/ {4}loadBalancer:\n( {6}.*\n)+/, '')),
      "overlays/staging/environment.yaml:20:11: error: cluster 'staging' installs aws-load-balancer-controller, but has no loadBalancer (the ALB's WAF web ACL and certificate)\n  hint: add loadBalancer: { wafAclArn: arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>, certificateArn: arn:aws:acm:<region>:<account>:certificate/<id> }, both in the cluster's region",
    ],
  ];

  for (const [name, mutate, expected] of cases) {
    it(`reports ${name} with file, line and hint`, async () => {
      expect(await renderError(mutate)).toBe(expected);
    });
  }

  it('reports duplicate resources, naming both templates', async () => {
    const message = await renderError((f) => {
      f['base/templates/service.yaml.hbs'] = `${f['base/templates/service.yaml.hbs']}---\n${f['base/templates/service.yaml.hbs']}`;
    });
    expect(message).toContain(
      "apps/agent-orchestrator.yaml: error: duplicate resource Service berrys-development/agent-orchestrator in cluster 'development' (from base/templates/service.yaml.hbs and base/templates/service.yaml.hbs)\n  hint: two inputs produce the same kind, namespace and name; rename one of them",
    );
  });

  it('reports every problem at once, sorted by file and line', async () => {
    const message = await renderError((f) => {
      f[override] = 'replicas: 0\nautoscaling:\n  maxReplica: 10\n';
      f['apps/web-dashboard.yaml'] = f['apps/web-dashboard.yaml']!.replace('port: 8080', 'port: http');
    });
    const lines = message.split('\n').filter((l) => l.includes(': error: '));
    expect(lines.map((l) => l.split(': error: ')[0])).toEqual(['apps/web-dashboard.yaml:5:7', `${override}:1:11`, `${override}:3:3`]);
  });

  it('refuses a template that inserts a value without the YAML-safe helper', async () => {
    expect(await renderError((f) => (f['base/templates/service.yaml.hbs'] = f['base/templates/service.yaml.hbs']!.replace('{{yaml app.port}}', '{{app.port}}')))).toBe(
      'base/templates/service.yaml.hbs:12:13: error: template inserts a value without {{yaml}}: {{app.port}}\n  hint: write {{yaml app.port}} so the value cannot change the YAML structure',
    );
  });
});
