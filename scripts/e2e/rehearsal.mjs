// npm run e2e -- --rehearse <cluster>: a rendered cluster (production first) in its own shape on 127.0.0.1. kwok nodes
// come from the node groups the capacity check sizes against; every chart comes from its repository or the local
// mirror and is installed by the real Argo CD with the pinned helm; the Applications sync in wave order. What cannot
// be real here is played by a named stand-in, printed with its reason. Verdicts: renderer/src/e2e/verdict.ts.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from './cluster.mjs';
import { playChartControllers } from './flows.mjs';
import { createHostPods } from './host-pods.mjs';
import { createIssuer, createWebhookStandIn } from './webhooks.mjs';

/** The repository as the renderer resolves it (environments merged over base), from this checkout. */
async function resolvedRepo(root, load) {
  const { loadRepo } = await load('render/load.js');
  const { resolveRepo } = await load('render/resolve.js');
  const { diskReader } = await load('fs.js');
  const loaded = await loadRepo(diskReader(root));
  if (!loaded.repo) throw new Error(`the repository does not load: ${loaded.problems.map((p) => p.message).join('; ')}`);
  const { resolved, problems } = resolveRepo(loaded.repo);
  if (!resolved) throw new Error(`the repository does not resolve: ${problems.map((p) => p.message).join('; ')}`);
  return resolved;
}

/**
 * The cluster to rehearse: a cluster name, or `last`, the primary cluster of the promotion chain's last environment
 * (what the nightly workflow rehearses, so that it names no environment itself).
 */
export async function rehearsalTarget({ root, load, name }) {
  if (name !== 'last') return name;
  const resolved = await resolvedRepo(root, load);
  const env = resolved.promotionChain.at(-1);
  const primary = resolved.clusters.find((x) => x.environment === env && x.spec.role !== 'standby') ?? resolved.clusters.find((x) => x.environment === env);
  if (!primary) throw new Error(`the promotion chain ends in ${env ?? 'nothing'}, which has no cluster to rehearse`);
  return primary.name;
}

/** kwok nodes for every node group of `cluster`, through the renderer's own reader of the environment data. */
export async function rehearsalNodes({ root, load, cluster, log }) {
  const { nodeGroupsOf } = await load('render/node-groups.js');
  const { nodeGroupNodes } = await load('e2e/nodes.js');
  const resolved = await resolvedRepo(root, load);
  const c = resolved.clusters.find((x) => x.name === cluster);
  const groups = nodeGroupsOf(c);
  if (groups.length === 0) throw new Error(`cluster ${cluster} declares no node groups (overlays/${c.environment}/environment.yaml nodeGroups); a rehearsal needs them`);
  for (const g of groups)
    log(
      `  node group ${g.name}: ${g.maxNodes} × ${g.instanceType} (${g.allocatable.cpuMillis}m CPU, ${Math.round(g.allocatable.memoryBytes / 2 ** 20)}Mi allocatable; min ${g.minNodes}) over ${g.zones.join(', ')}; label ${resolved.platform.nodeGroupLabel}=${g.name}`,
    );
  log(`  nodes at each group's maximum: the cluster autoscaler's decisions are not played (stand-in: every group already at its maximum)`);
  return nodeGroupNodes(groups, resolved.platform.nodeGroupLabel, 'max');
}

export async function runRehearsal({ c, cluster, phases, processes, kubectl, served, argocd, log, load, stateDir, bin, pki, chartRepos }) {
  const { summarize } = await load('e2e/applications.js');
  const verdict = await load('e2e/verdict.js');
  const ns = c.argocdNamespace;
  const work = served.work;
  const played = new Set();
  const say = (line) => played.has(line) || (played.add(line), log(`  stand-in: ${line}`));
  const hostPods = createHostPods({ c, bin, stateDir, processes, kubectl, ca: pki.ca, say });
  const getApps = async () => JSON.parse((await kubectl`get applications -n ${ns} -o json`).stdout).items;
  const w = await load('e2e/webhooks.js');
  const issuer = createIssuer({ pki, dir: path.join(stateDir, 'issued') });
  const webhooks = createWebhookStandIn({ kubectl, issuer, stateDir, say, log });
  try {
    await converge();
  } finally {
    log(`  webhook responders: ${webhooks.answered().join(', ') || 'none answered'}`);
    await webhooks.close();
  }

  async function converge() {
    // The kubelet's check that decides sync order: a pod starts only when every Secret and ConfigMap it needs exists.
    const waitingPods = [];
    const kubeletReferences = async () => {
      const pods = JSON.parse((await kubectl`get pods -A -o json`).stdout).items.filter(
        (p) => p.spec.nodeName && p.metadata.annotations?.[c.referencesPresentAnnotation] !== 'present',
      );
      if (pods.length === 0) return;
      const present = new Set();
      for (const kind of ['secrets', 'configmaps']) {
        for (const o of JSON.parse((await kubectl`get ${kind} -A -o json`).stdout).items)
          present.add(`${kind === 'secrets' ? 'Secret' : 'ConfigMap'}/${o.metadata.namespace}/${o.metadata.name}`);
      }
      waitingPods.length = 0;
      for (const p of pods) {
        const missing = verdict.missingReferences(p, (k) => present.has(k));
        if (missing.length === 0) {
          await kubectl`annotate pod ${p.metadata.name} -n ${p.metadata.namespace} ${`${c.referencesPresentAnnotation}=present`} --overwrite`;
        } else {
          const owner = p.metadata.ownerReferences?.[0];
          waitingPods.push({ pod: p.metadata.name, namespace: p.metadata.namespace, owner: owner ? `${owner.kind} ${owner.name}` : undefined, missing });
        }
      }
    };

    // What bootstrap applies (its own reader: the root Application and its AppProject), applied without its context
    // check; the root then creates every other Application in wave order, as on the first day of the real cluster.
    await phases.run(`${cluster}'s root Application applied, as npm run bootstrap would`, async () => {
      const { readBootstrapInput } = await load('bootstrap/documents.js');
      const { diskReader } = await load('fs.js');
      const input = await readBootstrapInput(diskReader(work), cluster);
      say(
        `bootstrap: ${cluster} declares its own API server (${input.cluster.apiServer}), so bootstrap's context check (rightly) refuses 127.0.0.1; the rehearsal applies what bootstrap reads (the root Application and its AppProject)`,
      );
      const file = path.join(stateDir, 'bootstrap.json');
      writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: input.documents.map((d) => d.object) }));
      await kubectl`apply --server-side -f ${file}`;
      log(`  applied ${input.documents.map((d) => `${d.object.kind} ${d.object.metadata.name}`).join(', ')} from ${input.documents[0].file}`);
    });

    say('kubelet: kwok runs no containers; the rehearsal starts a pod only when every Secret and ConfigMap it needs exists (kwok pod-ready waits for that check)');
    const { parseAllDocuments } = await import('yaml');
    const { readFileSync } = await import('node:fs');
    const expected = parseAllDocuments(readFileSync(path.join(work, 'clusters', cluster, 'argocd', 'manifest.yaml'), 'utf8'))
      .map((d) => d.toJS())
      .filter((o) => o?.kind === 'Application')
      .map((o) => o.metadata.name);
    let summary;
    try {
      await phases.run('every Application Synced and Healthy, in wave order', ({ note }) =>
        waitFor(
          `every Application of ${cluster} Synced and Healthy`,
          async () => {
            await playChartControllers(kubectl, path.dirname(work), say, issuer);
            await webhooks.play(w);
            await kubeletReferences();
            await hostPods.play();
            summary = summarize(await getApps(), expected, [], chartRepos);
            const live = await getApps();
            const v = verdict.stallVerdict(
              live,
              waitingPods,
              expected.filter((n) => !live.some((a) => a.metadata.name === n)),
            );
            note(`${summary.ok.length} Synced+Healthy, ${summary.waiting.length} waiting${v ? `; lowest wave ${v.wave}: ${v.application} ${v.state}` : ''}`);
            return summary.done || `${summary.waiting.length} waiting`;
          },
          { processes, entries: [...argocd.entries, ...hostPods.entries()], timeoutMs: Number(process.env.BERRYS_REHEARSAL_SYNC_TIMEOUT ?? 900) * 1000, intervalMs: 3000 },
        ),
      );
    } catch (err) {
      const live = await getApps();
      const v = verdict.stallVerdict(
        live,
        waitingPods,
        expected.filter((n) => !live.some((a) => a.metadata.name === n)),
      );
      if (v) throw new Error(`the rehearsal of ${cluster} did not converge: ${verdict.formatStall(v)}\n(${err.message.slice(0, 300)})`);
      throw err;
    }
    log(`  Synced and Healthy: ${summary.ok.join(', ')}`);
    for (const n of summary.notChecked) log(`  not checked: ${n.name}: ${n.why}`);

    await phases.run('pods scheduled by the real scheduler at HPA minimums; Pending at HPA maximums', async ({ note }) => {
      const pods = JSON.parse((await kubectl`get pods -A -o json`).stdout).items;
      const pending = pods.filter((p) => !p.spec.nodeName);
      log(`  at minimums: ${pods.length - pending.length} pods scheduled, ${pending.length} Pending`);
      if (pending.length) throw new Error(`pods Pending at HPA minimums: ${pending.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(', ')}`);
      const hpas = JSON.parse((await kubectl`get hpa -A -o json`).stdout).items;
      for (const h of hpas) await kubectl`scale deployment ${h.spec.scaleTargetRef.name} -n ${h.metadata.namespace} --replicas=${h.spec.maxReplicas}`;
      await new Promise((r) => setTimeout(r, 20_000));
      note('counting');
      const after = JSON.parse((await kubectl`get pods -A -o json`).stdout).items.filter((p) => !p.metadata.deletionTimestamp);
      const stuck = after.filter((p) => !p.spec.nodeName);
      const byApp = new Map();
      for (const p of stuck)
        byApp.set(p.metadata.labels?.['app.kubernetes.io/name'] ?? p.metadata.name, (byApp.get(p.metadata.labels?.['app.kubernetes.io/name'] ?? p.metadata.name) ?? 0) + 1);
      log(
        `  at HPA maximums (${hpas.length} HPAs scaled to maxReplicas): ${after.length - stuck.length} scheduled, ${stuck.length} Pending${stuck.length ? ` (${[...byApp].map(([a, n]) => `${a} ${n}`).join(', ')})` : ''}`,
      );
      writeFileSync(path.join(stateDir, 'pending-at-maximums.json'), `${JSON.stringify([...byApp], null, 2)}\n`);
      for (const h of hpas) await kubectl`scale deployment ${h.spec.scaleTargetRef.name} -n ${h.metadata.namespace} --replicas=${h.spec.minReplicas}`;
    });
  }
}
