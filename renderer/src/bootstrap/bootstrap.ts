/**
 * `npm run bootstrap`: point a cluster at this repository once. Reads the rendered root Application (and its
 * AppProject), refuses a kube context that is not the declared cluster, installs Argo CD from its rendered add-on
 * Application when the cluster has one and Argo CD is not there yet (install.ts), checks that Argo CD is installed,
 * and server-side applies the documents. With dryRun it prints what it would do and contacts nothing.
 */
import { diskReader } from '../fs.js';
import { repoPaths } from '../paths.js';
import { readBootstrapInput, type BootstrapDocument, type BootstrapInput } from './documents.js';
import { BootstrapError } from './error.js';
import { renderArgocdInstall } from './install.js';
import { fieldManager, kubeApi, loadKubeConfig, type KubeApi } from './kube-api.js';
import { imageReplicationCheck, judgeVpcCni, vpcCni } from './preconditions.js';
import { resolveTarget, type Target } from './target.js';

export interface BootstrapOptions {
  /** Repository root holding clusters/ and renderer/pins.json. */
  root: string;
  cluster: string;
  dryRun?: boolean;
  /** Kube context to use; default the kube config's current context. */
  context?: string;
  /** Kube config file; default $KUBECONFIG, then ~/.kube/config. */
  kubeconfig?: string;
  env?: NodeJS.ProcessEnv;
  out?: (line: string) => void;
  /** Proceed although the declared NetworkPolicy enforcement is missing; the reason is printed. */
  allowUnenforced?: string;
  /** Waits between looks at the CRDs of a fresh install; tests pass one that does not wait. */
  sleep?: (ms: number) => Promise<void>;
}

/** How long a fresh install may take for the API server to serve Argo CD's CRDs. */
const crdWaitSeconds = 60;

type ApplyOutcome = 'created' | 'configured';

/** The resource (plural) of each Argo CD kind bootstrap applies; the CRD is `<plural>.argoproj.io`. */
const argoResources: Record<BootstrapDocument['object']['kind'], string> = {
  Application: 'applications',
  AppProject: 'appprojects',
};

/** Runs the command; throws RenderError (rendered files) or BootstrapError (kube config, cluster). */
export async function runBootstrap(opts: BootstrapOptions): Promise<void> {
  const out = opts.out ?? console.log;
  const input = await readBootstrapInput(diskReader(opts.root), opts.cluster);
  const { kc, view } = loadKubeConfig(opts.kubeconfig, opts.env);
  const target = resolveTarget(view, opts.context, input.cluster);
  if (opts.dryRun) {
    out(formatDryRun(input, target));
    return;
  }
  const api = kubeApi(kc, target.context);
  await checkPreconditions(api, input.cluster, opts.allowUnenforced, out);
  if (input.argocd && (await argocdMissing(api, input)).length > 0) await installArgocd(api, input, opts, out);
  await checkArgocdInstalled(api, input, target);
  const outcomes: ApplyOutcome[] = [];
  for (const doc of input.documents) {
    outcomes.push(await api.apply(doc.object, argoResources[doc.object.kind]));
  }
  out(formatApplied(input, target, outcomes));
}

/**
 * The cluster's declared preconditions (preconditions.ts): NetworkPolicy enforcement checked, refusing without it
 * unless allowed with a reason; image replication printed as the manual check it is.
 */
async function checkPreconditions(api: KubeApi, cluster: BootstrapInput['cluster'], allowUnenforced: string | undefined, out: (line: string) => void): Promise<void> {
  // Undeclared only where the render allows it (a laptop environment): nothing to check.
  const declared = cluster.preconditions;
  if (!declared) return;
  if (declared.networkPolicyEnforcement === 'none') {
    out(`NetworkPolicy enforcement: none, as environment '${cluster.environment}' declares: its NetworkPolicies are not enforced`);
  } else {
    const verdict = judgeVpcCni(await api.daemonSet(vpcCni.namespace, vpcCni.daemonSet), await api.configMap(vpcCni.namespace, vpcCni.configMap));
    const seen = verdict.seen.join('; ');
    if (verdict.enforced) {
      out(`NetworkPolicy enforcement: the VPC CNI's network-policy agent is on (${seen})`);
    } else if (allowUnenforced !== undefined) {
      out(`WARNING: NetworkPolicies are NOT enforced in cluster '${cluster.name}' (${seen}); going on because of --allow-unenforced: ${allowUnenforced}`);
    } else {
      throw new BootstrapError(
        `cluster '${cluster.name}' must enforce NetworkPolicies (environment '${cluster.environment}' declares networkPolicyEnforcement: vpc-cni), but the VPC CNI's network-policy agent is not on: ${seen}`,
        `turn it on in the infrastructure code (EKS add-on vpc-cni with configuration {"enableNetworkPolicy": "true"}) and run this again; or, knowing the policies will not hold, run it with --allow-unenforced "<reason>"`,
      );
    }
  }
  if (declared.imageReplication) out(imageReplicationCheck(declared.imageReplication));
}

/**
 * Installs Argo CD from its rendered add-on Application: its namespace, then the chart as the pinned helm renders it
 * with the Application's values (CRDs first), server-side applied by this command's field manager; then waits until
 * the API server serves the CRDs the root needs. When the root syncs, Argo CD's Application adopts every object.
 */
async function installArgocd(api: KubeApi, input: BootstrapInput, opts: BootstrapOptions, out: (line: string) => void): Promise<void> {
  const install = input.argocd!;
  const objects = await renderArgocdInstall(opts.root, install, input.kubernetesVersion, opts.env);
  await api.applyAny({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: install.namespace } });
  for (const object of objects) await api.applyAny(object);
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let waited = 0; (await argocdMissing(api, input)).length > 0; waited++) {
    if (waited >= crdWaitSeconds) break; // checkArgocdInstalled says what is still missing
    await sleep(1000);
  }
  out(
    `installed Argo CD in namespace ${install.namespace}: ${objects.length} objects of ${install.chart.name} ${install.chart.version} ` +
      `rendered with the values of ${install.application}, which manages it from now on`,
  );
}

/** What of Argo CD is missing: its namespace and the CRDs of the documents, each said once. */
async function argocdMissing(api: KubeApi, input: BootstrapInput): Promise<string[]> {
  const missing: string[] = [];
  const namespaces = [...new Set(input.documents.map((d) => d.object.metadata.namespace))];
  for (const ns of namespaces) {
    if (!(await api.namespaceExists(ns))) missing.push(`namespace '${ns}' does not exist`);
  }
  const seen = new Set<string>();
  for (const { object } of input.documents) {
    const crd = `${argoResources[object.kind]}.argoproj.io`;
    if (seen.has(crd)) continue;
    seen.add(crd);
    const version = object.apiVersion.split('/')[1]!;
    const served = await api.crdServedVersions(crd);
    if (served === undefined) missing.push(`CustomResourceDefinition '${crd}' does not exist`);
    else if (!served.includes(version)) missing.push(`CustomResourceDefinition '${crd}' does not serve ${version} (it serves ${served.join(', ') || 'nothing'})`);
  }
  return missing;
}

/** Both the namespace and the CRDs, checked before the documents are applied, reported together. */
async function checkArgocdInstalled(api: KubeApi, input: BootstrapInput, target: Target): Promise<void> {
  const missing = await argocdMissing(api, input);
  if (missing.length === 0) return;
  const ns = input.documents[input.documents.length - 1]!.object.metadata.namespace;
  const v = input.argocdVersion;
  throw new BootstrapError(
    `Argo CD is not installed in cluster '${input.cluster.name}' (kube context '${target.context}', ${target.server}): ${missing.join('; ')}`,
    `install Argo CD ${v} (the version pinned in renderer/pins.json) first: kubectl --context ${target.context} create namespace ${ns} && ` +
      `kubectl --context ${target.context} apply -n ${ns} --server-side --force-conflicts -f https://raw.githubusercontent.com/argoproj/argo-cd/${v}/manifests/install.yaml` +
      `; then run this command again`,
  );
}

/**
 * What --dry-run prints: a header in comments, then each document exactly as rendered, as one YAML stream (so it can
 * also be piped to `kubectl apply --server-side -f -`).
 */
function formatDryRun(input: BootstrapInput, target: Target): string {
  const c = input.cluster;
  const lines = [
    `# dry run: nothing was sent. Would server-side apply (field manager ${fieldManager}, force) to`,
    `# cluster ${c.name} (environment ${c.environment}, ${c.role}, ${c.region}) through kube context '${target.context}', server ${target.server}:`,
    ...(c.preconditions?.networkPolicyEnforcement === 'vpc-cni' ? [`# after checking that the VPC CNI's network-policy agent is on (networkPolicyEnforcement: vpc-cni)`] : []),
    ...(c.preconditions?.imageReplication ? [`# ${imageReplicationCheck(c.preconditions.imageReplication)}`] : []),
  ];
  if (input.argocd) {
    const a = input.argocd;
    lines.push(
      `# If Argo CD is not installed, first installs it: chart ${a.chart.name} ${a.chart.version} from ${a.chart.repoURL} (checked against ${repoPaths.chartsLock}),`,
      `# rendered by the pinned helm with the values of the Application ${a.application}, into namespace ${a.namespace}.`,
    );
  }
  for (const doc of input.documents) {
    lines.push('---', `# ${doc.object.kind} ${doc.object.metadata.namespace}/${doc.object.metadata.name} from ${doc.file}`, doc.text.replace(/\n+$/, ''));
  }
  return lines.join('\n');
}

/** What a real run prints: one line per object with its outcome, then what Argo CD does next. */
function formatApplied(input: BootstrapInput, target: Target, outcomes: ApplyOutcome[]): string {
  const c = input.cluster;
  const root = input.documents[input.documents.length - 1]!.object;
  const source = root.spec.source ?? {};
  const lines = [`applied to cluster ${c.name} through kube context '${target.context}', server ${target.server}:`];
  input.documents.forEach((doc, i) => {
    lines.push(`  ${outcomes[i]!.padEnd(10)} ${doc.object.kind} ${doc.object.metadata.namespace}/${doc.object.metadata.name}`);
  });
  const from = source.path && source.repoURL ? `${source.path} from ${source.repoURL} at ${source.targetRevision ?? 'HEAD'}` : `the source of ${root.metadata.name}`;
  lines.push(
    `Argo CD now syncs ${from}: the AppProjects and every other Application of ${c.name}, which sync the rest.`,
    `Watch it with: kubectl --context ${target.context} -n ${root.metadata.namespace} get applications`,
  );
  return lines.join('\n');
}
