// The charts' admission webhooks in a rehearsal. Their programs (cert-manager's webhook, External Secrets' webhook,
// the Prometheus operator's admission endpoint) cannot be built here (see standInReason), and kwok runs no
// containers, so a failurePolicy: Fail webhook would refuse every create of its kinds. A stand-in responder takes
// their place through the real mechanism: a real HTTPS server listening on each webhook pod's own kwok IP and
// container port (the IP added to the loopback interface, as host-pods.mjs does for metrics-server), reached by the
// API server through the chart's own Service and EndpointSlice (--enable-aggregator-routing; webhooks use the same
// resolver), with a certificate for <svc>.<ns>.svc signed by the run's CA. The CA bundle is put into each
// configuration, and the certificate into the Secret the chart's injector would fill, as cert-manager's cainjector,
// External Secrets' cert-controller or kube-prometheus-stack's certgen Jobs would. Pure parts: renderer/src/e2e/webhooks.ts.
import { createServer } from 'node:https';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { $ } from 'zx';
import { addHostPodAddress } from './host-pods.mjs';

const standInReason =
  'the pinned controllers cannot be built from the Go module proxy here: github.com/cert-manager/cert-manager/cmd/{controller,webhook,cainjector}@v1.21.2 is not served (404; only the library module is), ' +
  'github.com/external-secrets/external-secrets@v1.3.2 is listed but not fetched whole (and .../apis@v1.3.2 is 404), ' +
  "github.com/prometheus-operator/prometheus-operator@v0.86.2 (kube-prometheus-stack 79.5.0's appVersion) is not served (only v0.85.0)";

/** Certificates signed by the run's CA, one per set of DNS names, made with openssl like the run's other certificates. */
export function createIssuer({ pki, dir }) {
  mkdirSync(dir, { recursive: true });
  const made = new Map();
  const caPem = readFileSync(pki.ca, 'utf8');
  return {
    caPem,
    caBundle: Buffer.from(caPem).toString('base64'),
    /** { ca, cert, key } PEM strings for `dnsNames` (the first is the subject). */
    async issue(dnsNames) {
      const id = dnsNames[0].replace(/[^a-z0-9.-]/gi, '_');
      if (made.has(id)) return made.get(id);
      const f = (ext) => path.join(dir, `${id}.${ext}`);
      writeFileSync(f('ext'), `subjectAltName=${dnsNames.map((d) => `DNS:${d}`).join(',')}\nextendedKeyUsage=serverAuth\n`);
      const q = $({ quiet: true });
      await q`openssl req -newkey rsa:2048 -nodes -keyout ${f('key')} -out ${f('csr')} -subj ${`/CN=${dnsNames[0]}`}`;
      await q`openssl x509 -req -in ${f('csr')} -CA ${pki.ca} -CAkey ${pki.caKey} -CAcreateserial -days 2 -out ${f('crt')} -extfile ${f('ext')}`;
      const out = { ca: caPem, cert: readFileSync(f('crt'), 'utf8'), key: readFileSync(f('key'), 'utf8') };
      made.set(id, out);
      return out;
    },
  };
}

/** Applies a Secret's data (base64 of each PEM) with its own field manager, creating the Secret if needed. */
export async function applySecretData(kubectl, dir, { namespace, name, type, manager, data }) {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    ...(type ? { type } : {}),
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
  const file = path.join(dir, `secret-${namespace}-${name}.json`);
  writeFileSync(file, JSON.stringify(secret));
  await kubectl`apply --server-side --force-conflicts --field-manager=${manager} -f ${file}`;
}

/**
 * Returns play() (call it while waiting for convergence: it serves every webhook whose pod has an IP, and injects
 * every configuration's CA bundle), entries() for nothing (the servers live in this process) and close().
 */
export function createWebhookStandIn({ kubectl, issuer, stateDir, say, log }) {
  const servers = new Map(); // "ip:port" -> https.Server
  const dir = path.join(stateDir, 'webhooks');
  mkdirSync(dir, { recursive: true });
  const answered = new Map(); // "ip:port" -> count of reviews answered
  let said = false;
  return {
    servers: () => [...servers.keys()],
    answered: () => [...answered].map(([k, n]) => `${k} ${n}`),
    close: () => Promise.all([...servers.values()].filter(Boolean).map((s) => new Promise((r) => s.close(r)))),
    async play(w) {
      const list = async (what) => JSON.parse((await kubectl`get ${what} -A -o json`).stdout).items;
      const configs = [...(await list('validatingwebhookconfigurations')), ...(await list('mutatingwebhookconfigurations'))];
      if (configs.length === 0) return;
      if (!said) {
        said = true;
        say(`admission webhooks (cert-manager, External Secrets, the Prometheus operator): an HTTPS responder that allows every request (no patch), because ${standInReason}`);
      }
      const certificates = await list('certificates.cert-manager.io').catch(() => []);
      const certificateSecret = (nn) => certificates.find((x) => `${x.metadata.namespace}/${x.metadata.name}` === nn)?.spec.secretName;
      for (const config of configs) {
        const targets = w.webhookTargets(config);
        if (targets.length === 0) continue;
        const injection = w.caInjection(config, certificateSecret);
        const svc = targets[0].service;
        const material = await issuer.issue(w.serviceDnsNames(svc));
        if (injection.secret) {
          const s = injection.secret;
          const live = JSON.parse((await kubectl`get secret ${s.name} -n ${s.namespace} -o json --ignore-not-found`).stdout || 'null');
          if (live?.data?.[s.ca] !== Buffer.from(material.ca).toString('base64')) {
            await applySecretData(kubectl, dir, {
              namespace: s.namespace,
              name: s.name,
              type: s.type,
              manager: 'e2e-ca-injector',
              data: { [s.ca]: material.ca, [s.cert]: material.cert, [s.key]: material.key },
            });
          }
        }
        const patch = w.caBundlePatch(config, issuer.caBundle);
        if (patch) {
          const kind = config.kind === 'MutatingWebhookConfiguration' ? 'mutatingwebhookconfiguration' : 'validatingwebhookconfiguration';
          await kubectl`patch ${kind} ${config.metadata.name} --type=json --field-manager=e2e-ca-injector -p ${JSON.stringify(patch)}`;
          say(
            `CA injection: ${config.kind} ${config.metadata.name} trusts the run's CA, as ${injection.by} would${injection.secret ? `; its certificate in Secret ${injection.secret.namespace}/${injection.secret.name}` : ''}`,
          );
        }
        for (const t of targets) {
          for (const ep of await endpointsOf(kubectl, t.service)) {
            const key = `${ep.ip}:${ep.port}`;
            if (servers.has(key)) continue;
            servers.set(key, undefined); // claimed before the awaits below: one responder per address
            try {
              await addHostPodAddress(stateDir, ep.ip);
              const m = await issuer.issue(w.serviceDnsNames(t.service));
              servers.set(key, await serve(ep, m, w.reviewAnswer, () => answered.set(key, (answered.get(key) ?? 0) + 1)));
            } catch (err) {
              servers.delete(key); // the next round tries again
              throw err;
            }
            log?.(
              `  webhook responder: https://${key} for Service ${t.service.namespace}/${t.service.name}:${t.service.port} (pod ${ep.pod ?? '?'}), certificate for ${t.service.name}.${t.service.namespace}.svc`,
            );
          }
        }
      }
    },
  };
}

/** The ready endpoints (pod IP and container port) behind a Service port, from its EndpointSlices. */
async function endpointsOf(kubectl, { namespace, name, port }) {
  const service = JSON.parse((await kubectl`get service ${name} -n ${namespace} -o json --ignore-not-found`).stdout || 'null');
  if (!service) return [];
  const sp = service.spec.ports.find((p) => p.port === port);
  if (!sp) return [];
  const slices = JSON.parse((await kubectl`get endpointslices -n ${namespace} -l ${`kubernetes.io/service-name=${name}`} -o json`).stdout).items;
  const out = [];
  for (const s of slices) {
    const p = (s.ports ?? []).find((x) => (x.name ?? '') === (sp.name ?? '')) ?? (s.ports?.length === 1 ? s.ports[0] : undefined);
    if (!p?.port) continue;
    for (const e of s.endpoints ?? []) if (e.conditions?.ready !== false) for (const ip of e.addresses) out.push({ ip, port: p.port, pod: e.targetRef?.name });
  }
  return out;
}

function serve({ ip, port }, m, answer, counted) {
  const server = createServer({ key: m.key, cert: m.cert }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let review;
      try {
        review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        review = {};
      }
      const { status, body } = answer(review);
      if (status === 200) counted();
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => resolve(server));
  });
}
