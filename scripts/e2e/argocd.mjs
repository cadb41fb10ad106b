// Argo CD outside pods, on 127.0.0.1: redis, the configuration objects its processes read from the cluster, then
// repo-server, application-controller and server (one binary; see build.mjs). Flags: renderer/src/e2e/components.ts.
import { $ } from 'zx';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from './cluster.mjs';

const partOf = { 'app.kubernetes.io/part-of': 'argocd' };

/**
 * The health check for Applications that the README's install step requires (Argo CD's documented Lua): without it
 * an Application is always Healthy to its parent, so the root's sync waves would not wait for the add-ons they order.
 */
const applicationHealth = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;

/** The ConfigMaps and Secret Argo CD's processes read at start (they refuse to run without them). */
function configObjects(ns, adminHash, repo, chartRepos) {
  const meta = (name, labels = partOf) => ({ name, namespace: ns, labels });
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('argocd-cm'),
      data: { 'admin.enabled': 'true', 'timeout.reconciliation': '10s', url: 'http://127.0.0.1', 'resource.customizations.health.argoproj.io_Application': applicationHealth },
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('argocd-rbac-cm'), data: { 'policy.default': 'role:readonly' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('argocd-cmd-params-cm'), data: {} },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('argocd-tls-certs-cm'), data: {} },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('argocd-ssh-known-hosts-cm'), data: {} },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('argocd-gpg-keys-cm'), data: {} },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('argocd-secret'),
      type: 'Opaque',
      stringData: {
        'server.secretkey': Math.random().toString(36).slice(2) + Date.now().toString(36),
        'admin.password': adminHash,
        'admin.passwordMtime': new Date().toISOString(),
      },
    },
    // The served repository uses the e2e CA, which Argo CD does not know: a throwaway repository on 127.0.0.1.
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('e2e-repository', { 'argocd.argoproj.io/secret-type': 'repository' }),
      type: 'Opaque',
      stringData: { type: 'git', url: repo, insecure: 'true' },
    },
    // The local chart mirror, on the same CA.
    ...chartRepos.map((url, i) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(`e2e-chart-mirror-${i}`, { 'argocd.argoproj.io/secret-type': 'repository' }),
      type: 'Opaque',
      stringData: { type: 'helm', name: `e2e-chart-mirror-${i}`, url, insecure: 'true' },
    })),
  ];
}

export async function startArgocd({ c, argocdBin, toolsBin, stateDir, processes, kubectl, kubeconfig, repoUrl, chartRepos = [], note }) {
  const ns = c.argocdNamespace;
  const password = `e2e-${Math.random().toString(36).slice(2, 10)}`;
  const adminHash = (await $`${path.join(argocdBin, 'argocd')} account bcrypt --password ${password}`.quiet()).stdout.trim();
  const file = path.join(stateDir, 'argocd-config.json');
  writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: configObjects(ns, adminHash, repoUrl, chartRepos) }));
  await kubectl`apply --server-side -f ${file}`;
  const redis = processes.start('redis', 'redis-server', c.redisArgs(stateDir));
  const env = { ...process.env, ...c.argocdEnv(kubeconfig, argocdBin, process.env.PATH ?? '', toolsBin) };
  // In a cluster the kubelet restarts a crashed Argo CD container; here the process is started again, said in the
  // output. The approximated gitops-engine (see docs/e2e.md) has been seen to panic once an APIService appears
  // (assignment to entry in nil map in clusterCache.startMissingWatches).
  const repo = processes.start('argocd-repo-server', path.join(argocdBin, 'argocd-repo-server'), c.repoServerArgs(), { env, cwd: stateDir, restarts: 3 });
  const controller = processes.start('argocd-application-controller', path.join(argocdBin, 'argocd-application-controller'), c.applicationControllerArgs(), {
    env,
    cwd: stateDir,
    restarts: 3,
  });
  const server = processes.start('argocd-server', path.join(argocdBin, 'argocd-server'), c.argocdServerArgs(), { env, cwd: stateDir, restarts: 3 });
  note('waiting for the Argo CD server');
  await waitFor('argocd-server /healthz', async () => (await fetch(`http://127.0.0.1:${c.ports.argocdServer}/healthz`)).ok, {
    processes,
    entries: [redis, repo, controller, server],
    timeoutMs: 120_000,
  });
  const session = await fetch(`http://127.0.0.1:${c.ports.argocdServer}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  if (!session.ok) throw new Error(`argocd-server refused the admin login: HTTP ${session.status} ${await session.text()}`);
  const { token } = await session.json();
  return { entries: [redis, repo, controller, server], token, server: `http://127.0.0.1:${c.ports.argocdServer}` };
}
