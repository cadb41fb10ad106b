// Pods whose program must really run, played by host processes: kwok runs no containers, so the program a chart
// deploys (metrics-server) is built from its pinned Go module and started on this machine, listening on its kwok
// pod's own IP and port: that IP is added to the loopback interface (as root, or through passwordless sudo as on a GitHub runner).
// The API server then reaches it exactly as in a cluster: APIService → Service → EndpointSlice of the pod
// (--enable-aggregator-routing). Its arguments are the live container's, with the host-only changes
// metricsServerArgs names. The addresses are recorded and removed when the run stops (and by the next run).
import { $ } from 'zx';
import { writeFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

const addressFile = (stateDir) => path.join(stateDir, 'host-pod-addresses.json');
/** `ip` as root: directly when this process is root (this machine, CI containers), else through `sudo -n` (a runner). */
const ip = (args) => (process.getuid?.() === 0 ? $`ip ${args}` : $`sudo -n ip ${args}`).quiet().nothrow();

/** Removes the pod IPs a run added to the loopback interface (this run's, or a killed run's). */
export async function removeHostPodAddresses(stateDir) {
  const file = addressFile(stateDir);
  if (!existsSync(file)) return;
  for (const address of JSON.parse(readFileSync(file, 'utf8'))) await ip(['addr', 'del', `${address}/32`, 'dev', 'lo']);
  writeFileSync(file, '[]\n');
}

export async function addHostPodAddress(stateDir, address) {
  const file = addressFile(stateDir);
  const known = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : [];
  writeFileSync(file, `${JSON.stringify([...new Set([...known, address])])}\n`);
  const r = await ip(['addr', 'add', `${address}/32`, 'dev', 'lo']);
  if (r.exitCode !== 0 && !/File exists|already assigned/.test(r.stderr))
    throw new Error(`could not add the pod IP ${address} to the loopback interface (ip addr add needs root or passwordless sudo): ${r.stderr.trim()}`);
}

/** A kube config that authenticates as a ServiceAccount (a short-lived token), so the chart's own RBAC is exercised. */
async function serviceAccountKubeconfig({ c, kubectl, ca, namespace, serviceAccount, file }) {
  const token = (await kubectl`create token ${serviceAccount} -n ${namespace} --duration=4h`).stdout.trim();
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: e2e, cluster: { server: '${c.apiServerUrl}', certificate-authority: '${ca}' } }]`,
      `users: [{ name: ${serviceAccount}, user: { token: '${token}' } }]`,
      `contexts: [{ name: e2e, context: { cluster: e2e, user: ${serviceAccount} } }]`,
      'current-context: e2e',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return file;
}

/**
 * Returns play(): call it while waiting for convergence; once a pod of the metrics-server chart has an IP, it starts
 * the real metrics-server there (once per pod) and reports it through `say`.
 */
export function createHostPods({ c, bin, stateDir, processes, kubectl, ca, say }) {
  const started = new Map();
  const hosts = [{ name: 'metrics-server', selector: 'app.kubernetes.io/name=metrics-server', binary: 'metrics-server', args: c.metricsServerArgs }];
  return {
    entries: () => [...started.values()],
    async play() {
      for (const h of hosts) {
        // Every replica of the chart's Deployment: the Service spreads the API server's requests over all of them.
        const pods = JSON.parse((await kubectl`get pods -A -l ${h.selector} -o json`).stdout).items.filter(
          (p) => p.status?.podIP && p.spec.nodeName && !p.metadata.deletionTimestamp,
        );
        for (const pod of pods) {
          const key = `${h.name}/${pod.metadata.name}`;
          if (started.has(key)) continue;
          const container = pod.spec.containers.find((x) => x.name === h.name) ?? pod.spec.containers[0];
          const dir = path.join(stateDir, 'host-pods', h.name, pod.metadata.name);
          mkdirSync(dir, { recursive: true });
          const kubeconfig = await serviceAccountKubeconfig({
            c,
            kubectl,
            ca,
            namespace: pod.metadata.namespace,
            serviceAccount: pod.spec.serviceAccountName ?? 'default',
            file: path.join(dir, 'kubeconfig'),
          });
          await addHostPodAddress(stateDir, pod.status.podIP);
          const args = h.args([...(container.command ?? []).slice(1), ...(container.args ?? [])], { podIp: pod.status.podIP, kubeconfig, certDir: dir });
          started.set(key, processes.start(started.size ? `${h.name}-${started.size + 1}` : h.name, path.join(bin, h.binary), args));
          say(
            `${h.name} ${container.image}: the real program (built from its Go module) runs as a host process on pod ${pod.metadata.namespace}/${pod.metadata.name}'s IP ${pod.status.podIP}, as ServiceAccount ${pod.spec.serviceAccountName}; kwok plays the pod itself`,
          );
        }
      }
    },
  };
}
