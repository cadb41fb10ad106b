/**
 * The command line of every process `npm run e2e` starts, all on 127.0.0.1. Pure: paths in, argument lists out;
 * scripts/e2e/cluster.mjs and scripts/e2e/argocd.mjs start them.
 *
 * The API server listens on the port the laptop cluster declares (overlays/local → clusters/index.json
 * `apiServer: https://127.0.0.1:6443`), so bootstrap's context check passes because it is true. Every other port is
 * off the usual defaults, so a developer's own etcd, redis or Argo CD on this machine is left alone.
 */

export const ports = {
  etcdClient: 23790,
  etcdPeer: 23800,
  apiServer: 6443,
  controllerManager: 20257,
  scheduler: 20259,
  kwok: 20247,
  redis: 26379,
  repoServer: 28081,
  repoServerMetrics: 28084,
  controllerMetrics: 28082,
  argocdServer: 28080,
  argocdServerMetrics: 28083,
  gitDaemon: 29418,
  chartMirror: 28879,
} as const;

export const serviceClusterIpRange = '10.96.0.0/16';
/** The namespace Argo CD runs in; the rendered Applications and AppProjects live there. */
export const argocdNamespace = 'argocd';

/** Files of the control plane's PKI (see scripts/e2e/cluster.mjs, which makes them with openssl). */
export interface Pki {
  dir: string;
  ca: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  saKey: string;
  saPub: string;
  /** The aggregation layer's own CA and the client certificate the API server presents to aggregated APIs (metrics-server). */
  frontProxyCa: string;
  frontProxyCaKey: string;
  frontProxyClientCert: string;
  frontProxyClientKey: string;
}

export function pki(dir: string): Pki {
  return {
    dir,
    ca: `${dir}/ca.crt`,
    caKey: `${dir}/ca.key`,
    serverCert: `${dir}/apiserver.crt`,
    serverKey: `${dir}/apiserver.key`,
    adminCert: `${dir}/admin.crt`,
    adminKey: `${dir}/admin.key`,
    saKey: `${dir}/sa.key`,
    saPub: `${dir}/sa.pub`,
    frontProxyCa: `${dir}/front-proxy-ca.crt`,
    frontProxyCaKey: `${dir}/front-proxy-ca.key`,
    frontProxyClientCert: `${dir}/front-proxy-client.crt`,
    frontProxyClientKey: `${dir}/front-proxy-client.key`,
  };
}

export const apiServerUrl = `https://127.0.0.1:${ports.apiServer}`;

export function etcdArgs(dataDir: string): string[] {
  return [
    '--name=e2e',
    `--data-dir=${dataDir}`,
    `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`,
    `--advertise-client-urls=http://127.0.0.1:${ports.etcdClient}`,
    `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
    `--initial-cluster=e2e=http://127.0.0.1:${ports.etcdPeer}`,
    // A throwaway store: no fsync per write keeps it fast on a busy 2-core machine.
    '--unsafe-no-fsync',
    '--quota-backend-bytes=1073741824',
  ];
}

/** The common name of the API server's front-proxy client certificate (the only one aggregated APIs accept). */
export const frontProxyClientName = 'front-proxy-client';

export function apiServerArgs(p: Pki): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${ports.apiServer}`,
    // No Endpoints object for the `kubernetes` Service: nothing in the cluster reaches the API server through it.
    '--endpoint-reconciler-type=none',
    `--tls-cert-file=${p.serverCert}`,
    `--tls-private-key-file=${p.serverKey}`,
    `--client-ca-file=${p.ca}`,
    `--service-account-issuer=${apiServerUrl}`,
    `--service-account-key-file=${p.saPub}`,
    `--service-account-signing-key-file=${p.saKey}`,
    `--service-cluster-ip-range=${serviceClusterIpRange}`,
    '--authorization-mode=Node,RBAC',
    '--enable-priority-and-fairness=false',
    // As on EKS (and kubeadm): add-on charts run privileged node agents (the EBS CSI node DaemonSet); the default
    // (false) would refuse them, a difference from the real cluster, not a defect of the repository.
    '--allow-privileged=true',
    // The aggregation layer, as kubeadm configures it: the API server proves itself to aggregated APIs
    // (metrics-server) with a front-proxy client certificate, and they trust the user it names in these headers.
    `--requestheader-client-ca-file=${p.frontProxyCa}`,
    `--requestheader-allowed-names=${frontProxyClientName}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${p.frontProxyClientCert}`,
    `--proxy-client-key-file=${p.frontProxyClientKey}`,
    // No kube-proxy here, so a Service's cluster IP leads nowhere: the API server calls aggregated APIs and admission
    // webhooks at an endpoint of their Service instead (the EndpointSlice the real controller makes from the pod).
    '--enable-aggregator-routing=true',
  ];
}

/** What the controller manager and the scheduler both need: the admin kubeconfig for every client, loopback, one instance. */
function controlPlaneClientArgs(kubeconfig: string, securePort: number): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${securePort}`,
    '--leader-elect=false',
  ];
}

export function controllerManagerArgs(kubeconfig: string, p: Pki): string[] {
  return [
    ...controlPlaneClientArgs(kubeconfig, ports.controllerManager),
    '--use-service-account-credentials=false',
    `--service-account-private-key-file=${p.saKey}`,
    `--root-ca-file=${p.ca}`,
    `--cluster-signing-cert-file=${p.ca}`,
    `--cluster-signing-key-file=${p.caKey}`,
    `--service-cluster-ip-range=${serviceClusterIpRange}`,
    // No cloud and no pod network: these controllers would only fail and retry. Nor the TTL controller of finished
    // Jobs: a chart's hook Job with ttlSecondsAfterFinished: 60 (argo-cd's redis-secret-init) was deleted before the
    // Argo CD of a loaded 2-core machine saw it complete, failing the sync ("missing, it might have been deleted");
    // Argo CD's own hook-delete-policy still removes hooks.
    '--controllers=*,-cloud-node-lifecycle-controller,-node-ipam-controller,-service-lb-controller,-node-route-controller,-persistentvolume-attach-detach-controller,-ttl-after-finished-controller',
  ];
}

export function schedulerArgs(kubeconfig: string): string[] {
  return [...controlPlaneClientArgs(kubeconfig, ports.scheduler)];
}

/** The annotation that marks the fake nodes kwok manages (and nothing else). */
export const kwokNodeAnnotation = 'kwok.x-k8s.io/node';

export function kwokArgs(kubeconfig: string, config: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--config=${config}`,
    `--manage-nodes-with-annotation-selector=${kwokNodeAnnotation}=fake`,
    '--manage-all-nodes=false',
    `--server-address=127.0.0.1:${ports.kwok}`,
    // Each node's kubelet port (status.daemonEndpoints) is kwok's own server, which serves the nodes' /metrics/resource.
    `--node-port=${ports.kwok}`,
    '--node-lease-duration-seconds=40',
    `--cidr=${podCidr}`,
    '--node-ip=127.0.0.1',
  ];
}

/**
 * kwok gives pods IPs from this range (the API server rejects loopback addresses in EndpointSlices). A host process
 * that plays a pod (metrics-server) gets its pod's IP added to the loopback interface and listens there, so the API
 * server reaches it through the pod's Service and EndpointSlice exactly as in a cluster (--enable-aggregator-routing).
 */
export const podCidr = '10.244.0.0/16';

/** The annotation metrics-server reads for a node's resource-metrics path; kwok serves one path per node. */
export const resourceMetricsPathAnnotation = 'metrics.k8s.io/resource-metrics-path';
export function resourceMetricsPath(nodeName: string): string {
  return `/metrics/nodes/${nodeName}/metrics/resource`;
}

/** kwok's own Stage definitions, shipped in its module under kustomize/stage/: nodes become Ready, pods Running. */
export const kwokStageFiles = [
  'kustomize/stage/node/fast/node-initialize.yaml',
  'kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'kustomize/stage/pod/fast/pod-ready.yaml',
  'kustomize/stage/pod/fast/pod-complete.yaml',
  'kustomize/stage/pod/fast/pod-delete.yaml',
  // Emulated resource usage: each pod's CPU and memory from its annotations kwok.x-k8s.io/usage-cpu and -memory
  // (1m and 1Mi without them), served per node as a kubelet's /metrics/resource for metrics-server to scrape.
  'kustomize/metrics/usage/usage-from-annotation.yaml',
  'kustomize/metrics/resource/metrics-resource.yaml',
];

/** The annotation kwok's usage-from-annotation reads for a pod's emulated CPU usage. */
export const usageCpuAnnotation = 'kwok.x-k8s.io/usage-cpu';

export function redisArgs(dir: string): string[] {
  return ['--bind', '127.0.0.1', '--port', String(ports.redis), '--save', '', '--appendonly', 'no', '--dir', dir];
}

const redis = `127.0.0.1:${ports.redis}`;
const repoServer = `127.0.0.1:${ports.repoServer}`;

/**
 * Argo CD's repo-server without TLS (its default wants a mounted certificate) and without a client CA; GPG is
 * switched off in its environment (see argocdEnv).
 */
export function repoServerArgs(): string[] {
  return [
    '--address=127.0.0.1',
    `--port=${ports.repoServer}`,
    `--metrics-address=127.0.0.1`,
    `--metrics-port=${ports.repoServerMetrics}`,
    `--redis=${redis}`,
    '--disable-tls',
    '--client-ca-path=',
    '--loglevel=info',
  ];
}

export function applicationControllerArgs(): string[] {
  return [
    `--namespace=${argocdNamespace}`,
    `--repo-server=${repoServer}`,
    '--repo-server-plaintext',
    `--redis=${redis}`,
    `--metrics-port=${ports.controllerMetrics}`,
    // Faster than the production defaults, so that drift is reverted and waves progress within the run.
    '--self-heal-timeout-seconds=2',
    '--loglevel=info',
  ];
}

export function argocdServerArgs(): string[] {
  return [
    `--namespace=${argocdNamespace}`,
    '--insecure',
    '--address=127.0.0.1',
    `--port=${ports.argocdServer}`,
    `--metrics-port=${ports.argocdServerMetrics}`,
    `--repo-server=${repoServer}`,
    '--repo-server-plaintext',
    `--redis=${redis}`,
    '--dex-server=http://127.0.0.1:1',
    '--loglevel=info',
  ];
}

/**
 * The environment of every Argo CD process. ARGOCD_FAKE_IN_CLUSTER is Argo CD's own switch for running outside a
 * pod: the in-cluster destination (https://kubernetes.default.svc) then uses $KUBECONFIG instead of a mounted
 * service-account token (RawRestConfig in pkg/apis/application/v1alpha1/types.go).
 */
export function argocdEnv(kubeconfig: string, binDir: string, basePath: string, toolsBin: string): Record<string, string> {
  return {
    KUBECONFIG: kubeconfig,
    ARGOCD_FAKE_IN_CLUSTER: 'true',
    ARGOCD_GPG_ENABLED: 'false',
    // The repo-server runs git-verify-wrapper.sh from PATH for every manifest generation, and `helm` (the pinned
    // one from the tools step) for every chart source.
    PATH: `${binDir}:${toolsBin}:${basePath}`,
    ARGOCD_RECONCILIATION_TIMEOUT: '10s',
  };
}

/**
 * metrics-server as a host process playing the chart's pod: the container's own arguments from the live
 * Deployment, with what a host needs instead of a pod's mounts and network: listen on the pod's IP and port, a
 * kube config with the chart's ServiceAccount token (so the chart's RBAC is what is exercised), certificates in a
 * folder of its own, and `--kubelet-insecure-tls` because kwok's kubelet endpoint serves a self-signed certificate.
 */
export function metricsServerArgs(containerArgs: readonly string[], { podIp, kubeconfig, certDir }: { podIp: string; kubeconfig: string; certDir: string }): string[] {
  const replaced = new Set(['--cert-dir', '--bind-address', '--kubeconfig', '--authentication-kubeconfig', '--authorization-kubeconfig', '--kubelet-insecure-tls']);
  const kept = containerArgs.filter((a) => !replaced.has(a.split('=')[0]!));
  return [
    ...kept,
    `--bind-address=${podIp}`,
    `--cert-dir=${certDir}`,
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--kubelet-insecure-tls',
  ];
}

/**
 * The annotation a rehearsal puts on a pod once every Secret and ConfigMap it needs exists: the one kubelet check that
 * decides sync order (a pod without its Secret never starts), which kwok does not make. See verdict.ts.
 */
export const referencesPresentAnnotation = 'berrys.io/rehearsal-references';

/**
 * kwok's pod-ready Stage, made to wait for `referencesPresentAnnotation`: the stage's selector gets one more match
 * expression. Throws when the stage text no longer has the selector this edits.
 */
export function gatePodReadyOnReferences(stageText: string): string {
  const anchor = '  selector:\n    matchExpressions:\n';
  if (!stageText.includes('name: pod-ready') || !stageText.includes(anchor))
    throw new Error("kwok's pod-ready stage has no selector.matchExpressions to gate on the rehearsal's reference check");
  return stageText.replace(anchor, `${anchor}    - key: '.metadata.annotations."${referencesPresentAnnotation}"'\n      operator: 'In'\n      values:\n      - 'present'\n`);
}
