// The control plane of npm run e2e on 127.0.0.1: a PKI made with openssl, etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, and kwok with fake nodes. Command lines come from
// renderer/src/e2e/components.ts; this module only writes files, starts processes and waits for them.
import { $ } from 'zx';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A CA, the API server's serving certificate, an admin client certificate (O=system:masters), service-account keys. */
export async function makePki(c, dir) {
  const p = c.pki(dir);
  mkdirSync(dir, { recursive: true });
  const ext = (name, text) => {
    const f = path.join(dir, `${name}.ext`);
    writeFileSync(f, `${text}\n`);
    return f;
  };
  const q = $({ cwd: dir, quiet: true });
  await q`openssl req -x509 -newkey rsa:2048 -nodes -keyout ${p.caKey} -out ${p.ca} -days 2 -subj /CN=berrys-e2e-ca`;
  const sign = async (name, subj, extText) => {
    await q`openssl req -newkey rsa:2048 -nodes -keyout ${path.join(dir, `${name}.key`)} -out ${path.join(dir, `${name}.csr`)} -subj ${subj}`;
    await q`openssl x509 -req -in ${path.join(dir, `${name}.csr`)} -CA ${p.ca} -CAkey ${p.caKey} -CAcreateserial -days 2 -out ${path.join(dir, `${name}.crt`)} -extfile ${ext(name, extText)}`;
  };
  await sign(
    'apiserver',
    '/CN=kube-apiserver',
    `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:${c.serviceClusterIpRange.replace(/0\/\d+$/, '1')}\nextendedKeyUsage=serverAuth`,
  );
  await sign('admin', '/O=system:masters/CN=berrys-e2e-admin', 'extendedKeyUsage=clientAuth');
  // The aggregation layer's own CA, and the client certificate the API server presents to aggregated APIs.
  await q`openssl req -x509 -newkey rsa:2048 -nodes -keyout ${p.frontProxyCaKey} -out ${p.frontProxyCa} -days 2 -subj /CN=berrys-e2e-front-proxy-ca`;
  await q`openssl req -newkey rsa:2048 -nodes -keyout ${p.frontProxyClientKey} -out ${path.join(dir, 'front-proxy-client.csr')} -subj ${`/CN=${c.frontProxyClientName}`}`;
  await q`openssl x509 -req -in ${path.join(dir, 'front-proxy-client.csr')} -CA ${p.frontProxyCa} -CAkey ${p.frontProxyCaKey} -CAcreateserial -days 2 -out ${p.frontProxyClientCert} -extfile ${ext('front-proxy-client', 'extendedKeyUsage=clientAuth')}`;
  await q`openssl genrsa -out ${p.saKey} 2048`;
  await q`openssl rsa -in ${p.saKey} -pubout -out ${p.saPub}`;
  return p;
}

/**
 * A kube config whose context points at the started API server. Its server is spelled exactly as the laptop
 * cluster declares it in clusters/index.json, which is what bootstrap's context check compares.
 */
export function writeKubeconfig(c, p, file, contextName) {
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${contextName}`,
      '  cluster:',
      `    server: ${c.apiServerUrl}`,
      `    certificate-authority: ${p.ca}`,
      'users:',
      '- name: berrys-e2e-admin',
      '  user:',
      `    client-certificate: ${p.adminCert}`,
      `    client-key: ${p.adminKey}`,
      'contexts:',
      `- name: ${contextName}`,
      '  context:',
      `    cluster: ${contextName}`,
      '    user: berrys-e2e-admin',
      `current-context: ${contextName}`,
      '',
    ].join('\n'),
  );
  return file;
}

export async function waitFor(what, check, { timeoutMs = 120_000, intervalMs = 500, processes, entries = [], onWait } = {}) {
  const until = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    for (const e of entries) processes.assertRunning(e);
    try {
      const r = await check();
      if (r === true) return;
      last = typeof r === 'string' ? r : last;
    } catch (err) {
      last = err.message;
    }
    if (onWait && last) onWait(last);
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${last}` : ''}`);
    await sleep(intervalMs);
  }
}

export async function startControlPlane({ c, bin, stateDir, processes, kube, kubeconfig, p, note }) {
  const etcd = processes.start('etcd', path.join(bin, 'etcd'), c.etcdArgs(path.join(stateDir, 'etcd')));
  await waitFor('etcd', async () => (await fetch(`http://127.0.0.1:${c.ports.etcdClient}/health`)).ok, { processes, entries: [etcd] });
  note('etcd up; starting kube-apiserver');
  const api = processes.start('kube-apiserver', path.join(bin, 'kube-apiserver'), c.apiServerArgs(p));
  await waitFor(
    'kube-apiserver /readyz',
    async () => {
      const r = await kube('GET', '/readyz');
      return r.status === 200 || `HTTP ${r.status}`;
    },
    { processes, entries: [api], timeoutMs: 180_000 },
  );
  note('kube-apiserver ready; starting controller-manager and scheduler');
  const kcm = processes.start('kube-controller-manager', path.join(bin, 'kube-controller-manager'), c.controllerManagerArgs(kubeconfig, p));
  const sched = processes.start('kube-scheduler', path.join(bin, 'kube-scheduler'), c.schedulerArgs(kubeconfig));
  // The service-account token controller makes the `default` ServiceAccount of each namespace; pods need it.
  await waitFor(
    'the default ServiceAccount (kube-controller-manager working)',
    async () => (await kube('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200,
    {
      processes,
      entries: [kcm, sched],
      timeoutMs: 180_000,
    },
  );
  return [etcd, api, kcm, sched];
}

/** kwok with its module's own Stage definitions, then the fake nodes, waited for until Ready. */
export async function startKwok({ c, bin, kwokModule, stateDir, processes, kubeconfig, kubectl, nodes, fs, gatePodsOnReferences = false }) {
  const config = path.join(stateDir, 'kwok.yaml');
  const stages = c.kwokStageFiles.map((f) => {
    const text = fs.readFileSync(path.join(kwokModule, f), 'utf8').trim();
    return gatePodsOnReferences && f.endsWith('/pod-ready.yaml') ? c.gatePodReadyOnReferences(text) : text;
  });
  writeFileSync(config, `${stages.join('\n---\n')}\n`);
  const kwok = processes.start('kwok', path.join(bin, 'kwok'), c.kwokArgs(kubeconfig, config));
  const file = path.join(stateDir, 'nodes.json');
  writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: nodes }));
  await kubectl`apply -f ${file}`;
  await waitFor(
    `${nodes.length} fake nodes Ready`,
    async () => {
      const out = JSON.parse((await kubectl`get nodes -o json`).stdout);
      const ready = out.items.filter((n) => n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length;
      return ready === nodes.length || `${ready}/${nodes.length} Ready`;
    },
    { processes, entries: [kwok], timeoutMs: 120_000, intervalMs: 1000 },
  );
  return kwok;
}
