// npm run e2e -- --rehearse <cluster>: a rendered cluster (production first) in its own shape on 127.0.0.1. kwok nodes
// come from the node groups the capacity check sizes against; every chart comes from its repository or the local
// mirror and is installed by the real Argo CD with the pinned helm; the Applications sync in wave order. What cannot
// be real here is played by a named stand-in, printed with its reason. Verdicts: renderer/src/e2e/verdict.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { $ } from 'zx';
import { parseAllDocuments } from 'yaml';
import { chartMirrorFolder } from './chart-mirror.mjs';
import { repoRoot } from '../lib/run.mjs';
import path from 'node:path';
import { waitFor } from './cluster.mjs';
import { playChartControllers } from './flows.mjs';
import { createHostPods } from './host-pods.mjs';
import { applySecretData, createIssuer, createWebhookStandIn } from './webhooks.mjs';
import { randomBytes } from 'node:crypto';
import { scaleUpOnCpu } from './hpa.mjs';
import { drainOneNode, loseOneZone } from './disruption.mjs';
import { firstOtherStep, releaseAndPromote } from './release-flow.mjs';

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

export async function runRehearsal({ c, cluster, phases, processes, kubectl, kubeconfig, served, argocd, log, load, stateDir, bin, pki, chartRepos }) {
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
      waitingPods.length = 0;
      if (pods.length === 0) return;
      const present = new Set();
      for (const kind of ['secrets', 'configmaps']) {
        for (const o of JSON.parse((await kubectl`get ${kind} -A -o json`).stdout).items)
          present.add(`${kind === 'secrets' ? 'Secret' : 'ConfigMap'}/${o.metadata.namespace}/${o.metadata.name}`);
      }
      const ready = new Map(); // namespace -> pods whose references all exist
      for (const p of pods) {
        let missing = verdict.missingReferences(p, (k) => present.has(k));
        for (const r of missing.filter((m) => m.kind === 'Secret' && hookSecrets[m.name])) {
          const h = hookSecrets[r.name];
          await applySecretData(kubectl, path.dirname(work), { namespace: r.namespace, name: r.name, manager: 'e2e-hook-job', data: h.data() });
          present.add(`Secret/${r.namespace}/${r.name}`);
          say(`${h.job}: kwok completes the hook Job without running it, so the rehearsal makes its Secret ${r.namespace}/${r.name} (${h.keys})`);
        }
        missing = verdict.missingReferences(p, (k) => present.has(k));
        if (missing.length === 0) ready.set(p.metadata.namespace, [...(ready.get(p.metadata.namespace) ?? []), p.metadata.name]);
        else {
          const owner = p.metadata.ownerReferences?.[0];
          waitingPods.push({ pod: p.metadata.name, namespace: p.metadata.namespace, owner: owner ? `${owner.kind} ${owner.name}` : undefined, missing });
        }
      }
      for (const [namespace, names] of ready) await kubectl`annotate pod ${names} -n ${namespace} ${`${c.referencesPresentAnnotation}=present`} --overwrite`;
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
      // Argo CD's CRDs as bootstrap installs them: from the argo-cd chart the cluster pins, with its Application's
      // values, not from the Argo CD module this run's own Argo CD was built from (their versions can differ).
      if (input.argocd) {
        const { helmTemplate } = await load('validate/charts-helm.js');
        const { pullChart } = await load('validate/charts-repo.js');
        const { chart } = input.argocd;
        const pulled = await pullChart(work, chart).catch(() => ({ status: 'unreachable' }));
        const archive = pulled.status === 'pulled' ? path.resolve(work, pulled.file) : path.join(await chartMirrorFolder(repoRoot), `${chart.name}-${chart.version}.tgz`);
        const r = await helmTemplate(repoRoot, {
          release: input.argocd.release,
          namespace: input.argocd.namespace,
          archive,
          values: input.argocd.values,
          kubernetesVersion: input.kubernetesVersion,
          apiVersions: [],
        });
        if (!r.ok) throw new Error(`helm template of ${chart.name} ${chart.version} failed: ${r.message}`);
        const crds = parseAllDocuments(r.stdout)
          .map((d) => d.toJS())
          .filter((o) => o?.kind === 'CustomResourceDefinition');
        const crdFile = path.join(stateDir, 'argocd-crds.json');
        writeFileSync(crdFile, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: crds }));
        // The same field manager as the run's first install, so the fields that chart version lacks are removed.
        await kubectl`apply --server-side --force-conflicts -f ${crdFile}`;
        log(`  Argo CD's CRDs (${crds.map((o) => o.metadata.name).join(', ')}) from ${chart.name} ${chart.version} (${path.basename(archive)}), as bootstrap installs them`);
      }
      const file = path.join(stateDir, 'bootstrap.json');
      writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: input.documents.map((d) => d.object) }));
      await kubectl`apply --server-side -f ${file}`;
      log(`  applied ${input.documents.map((d) => `${d.object.kind} ${d.object.metadata.name}`).join(', ')} from ${input.documents[0].file}`);
    });

    // Every stand-in, one round: what the charts' controllers, webhooks and the kubelet would do by now.
    // Each stand-in on its own: one that fails this round (printed once per reason) does not hold the others back.
    const failed = new Set();
    const tick = async () => {
      for (const [name, play] of [
        ['chart controllers', () => playChartControllers(kubectl, path.dirname(work), say, issuer)],
        ['webhook responder', () => webhooks.play(w)],
        ['kubelet check', kubeletReferences],
        ['host pods', () => hostPods.play()],
      ]) {
        try {
          await play();
        } catch (err) {
          const line = `${name}: ${err.message.split('\n')[0].slice(0, 300)}`;
          if (!failed.has(line)) log(`  stand-in round failed (retried): ${line}`);
          failed.add(line);
        }
      }
    };

    say('kubelet: kwok runs no containers; the rehearsal starts a pod only when every Secret and ConfigMap it needs exists (kwok pod-ready waits for that check)');
    const { readManifestValues } = await load('manifests.js');
    const { repoPaths } = await load('paths.js');
    const argocdManifest = repoPaths.manifest(repoPaths.argocdFolder(cluster));
    const expected = readManifestValues(argocdManifest, readFileSync(path.join(work, argocdManifest), 'utf8'))
      .filter((o) => o?.kind === 'Application')
      .map((o) => o.metadata.name);
    let summary;
    try {
      await phases.run('every Application Synced and Healthy, in wave order', ({ note }) =>
        waitFor(
          `every Application of ${cluster} Synced and Healthy`,
          async () => {
            await tick();
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

    // From here on the stand-ins keep playing in the background (a replacement pod starts only once the kubelet
    // check passed; a new webhook pod gets its responder), while each phase disturbs the converged cluster.
    let ticking = true;
    const ticker = (async () => {
      while (ticking) {
        await tick().catch(() => {}); // a failed round is retried; the phases judge the outcome
        await new Promise((r) => setTimeout(r, 3000));
      }
    })();
    try {
      await afterConvergence();
    } finally {
      ticking = false;
      await ticker;
    }

    async function afterConvergence() {
      const entries = [...argocd.entries, ...hostPods.entries()];
      const pods = async () => JSON.parse((await kubectl`get pods -A -o json`).stdout).items.filter((p) => !p.metadata.deletionTimestamp);
      const hpas = JSON.parse((await kubectl`get hpa -A -o json`).stdout).items;
      const liveDeployment = async (h) => JSON.parse((await kubectl`get deployment ${h.spec.scaleTargetRef.name} -n ${h.metadata.namespace} -o json`).stdout);

      await phases.run('pods scheduled by the real scheduler at HPA minimums', async () => {
        const all = await pods();
        const pending = all.filter((p) => !p.spec.nodeName);
        const short = [];
        for (const h of hpas) {
          const d = await liveDeployment(h);
          if ((d.spec.replicas ?? 1) !== h.spec.minReplicas || (d.status?.availableReplicas ?? 0) < h.spec.minReplicas)
            short.push(`${h.metadata.namespace}/${d.metadata.name} ${d.status?.availableReplicas ?? 0} available of ${d.spec.replicas} (minimum ${h.spec.minReplicas})`);
        }
        log(`  ${all.length - pending.length} pods scheduled, ${pending.length} Pending; ${hpas.length} HPA targets at their minimum and Available`);
        if (pending.length) throw new Error(`pods Pending at HPA minimums: ${pending.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(', ')}`);
        if (short.length) throw new Error(`not Available at their HPA minimum: ${short.join(', ')}`);
      });

      // One app's HPA on metrics: the rendered HPA (70 % CPU), the real metrics-server, the real HPA controller.
      const demo = hpas.find((h) => h.spec.scaleTargetRef.name === 'api-gateway') ?? hpas[0];
      const demoApp = `${cluster}-${demo.spec.scaleTargetRef.name}`;
      const driven = await phases.run(`HPA ${demo.metadata.namespace}/${demo.metadata.name} scales up on emulated CPU above 70 %, Argo CD Synced throughout`, async ({ note }) =>
        scaleUpOnCpu({
          c,
          kubectl,
          load,
          argocdNamespace: ns,
          target: { appName: demoApp, namespace: demo.metadata.namespace, hpa: demo.metadata.name, deployment: await liveDeployment(demo) },
          processes,
          entries,
          note,
          log,
        }),
      );

      // Every HPA at its maximum, the way it gets there in production: load. Each target's pods report 5 × their CPU
      // request, the HPAs scale to maxReplicas, and the real scheduler places what fits on the node groups.
      await phases.run(`Pending at HPA maximums (${hpas.length} HPAs driven to maxReplicas by emulated CPU)`, async ({ note }) => {
        const targets = await Promise.all(hpas.map(async (h) => ({ h, d: await liveDeployment(h) })));
        const selectorOf = (d) =>
          Object.entries(d.spec.selector.matchLabels)
            .map(([k, v]) => `${k}=${v}`)
            .join(',');
        const hot = (d) => {
          const cpu = d.spec.template.spec.containers[0].resources?.requests?.cpu ?? '100m';
          return `${Math.round((/m$/.test(cpu) ? Number(cpu.slice(0, -1)) : Number(cpu) * 1000) * 5)}m`;
        };
        await waitFor(
          'every HPA at its maxReplicas',
          async () => {
            const below = [];
            for (const { h, d } of targets) {
              await kubectl`annotate pods -n ${h.metadata.namespace} -l ${selectorOf(d)} ${`${c.usageCpuAnnotation}=${hot(d)}`} --overwrite`;
              const now = await liveDeployment(h);
              if ((now.spec.replicas ?? 1) < h.spec.maxReplicas) below.push(`${now.metadata.name} ${now.spec.replicas}/${h.spec.maxReplicas}`);
            }
            note(below.length ? `below maximum: ${below.join(', ')}` : 'all at maximum');
            return below.length === 0 || below.join(', ');
          },
          { processes, entries, timeoutMs: 300_000, intervalMs: 5000 },
        );
        await new Promise((r) => setTimeout(r, 20_000)); // the scheduler's retries of what did not fit
        const all = await pods();
        const stuck = all.filter((p) => !p.spec.nodeName);
        const byApp = new Map();
        for (const p of stuck) {
          const app = p.metadata.labels?.['app.kubernetes.io/name'] ?? p.metadata.name;
          byApp.set(app, (byApp.get(app) ?? 0) + 1);
        }
        const why = stuck[0]?.status?.conditions?.find((x) => x.type === 'PodScheduled')?.message;
        log(
          `  at HPA maximums: ${all.length - stuck.length} pods scheduled, ${stuck.length} Pending${stuck.length ? ` (${[...byApp].map(([a, n]) => `${a} ${n}`).join(', ')}; the scheduler: ${why ?? '?'})` : ''}`,
        );
        writeFileSync(path.join(stateDir, 'pending-at-maximums.json'), `${JSON.stringify(Object.fromEntries(byApp), null, 2)}\n`);
        for (const { h, d } of targets) await kubectl`annotate pods -n ${h.metadata.namespace} -l ${selectorOf(d)} ${`${c.usageCpuAnnotation}-`}`;
        await driven.lower();
      });

      await phases.run(`HPA ${demo.metadata.name} and the others scale back down when the CPU is lowered, Argo CD Synced throughout`, async ({ note }) => {
        await driven.waitDown({ note });
        await waitFor(
          'every HPA target back at its minimum',
          async () => {
            const above = [];
            for (const h of hpas) {
              const d = await liveDeployment(h);
              if ((d.spec.replicas ?? 1) > h.spec.minReplicas || (d.status?.readyReplicas ?? 0) < h.spec.minReplicas) above.push(`${d.metadata.name} ${d.spec.replicas}`);
            }
            note(above.join(', ') || 'all at minimum');
            return above.length === 0 || above.join(', ');
          },
          { processes, entries, timeoutMs: 300_000, intervalMs: 10_000 },
        );
        log(`  every HPA target back at its minimum`);
      });

      await phases.run('kubectl drain of one node respects every PodDisruptionBudget', ({ note }) => drainOneNode({ kubectl, processes, entries, note, log }));

      await phases.run(`the gate refuses a promotion out of ${cluster} when it runs another image, asking the live Argo CD`, async ({ note }) => {
        const target = await gateTarget(work, load, cluster);
        say(
          `promotion chain: ${target.env} is the last environment, so the served clone alone puts it first (${target.env} → ${target.next}), a hypothetical step; the release, rollout and gate are otherwise the local run's own`,
        );
        const waitConverged = async (what, noteIt) =>
          waitFor(
            what,
            async () => {
              const s = summarize(await getApps(), expected, [], chartRepos);
              noteIt(`${s.ok.length} Synced+Healthy, ${s.waiting.length} waiting`);
              return (
                s.done ||
                s.waiting
                  .map((x) => `${x.name} ${x.why}`)
                  .join('; ')
                  .slice(0, 300)
              );
            },
            { processes, entries, timeoutMs: 300_000, intervalMs: 3000 },
          );
        await releaseAndPromote({
          app: target.app,
          cluster,
          env: target.env,
          work,
          kubectl,
          ns,
          appNamespace: demo.metadata.namespace,
          argocd,
          processes,
          kubeconfig,
          log,
          note,
          waitConverged,
          wholeEnvironment: false,
        });
      });

      await phases.run(`npm run status lists every Application of ${cluster}, add-ons included, with Argo CD's reasons`, async () => {
        const env = { ...process.env, KUBECONFIG: kubeconfig, ARGOCD_SERVER: argocd.server, ARGOCD_AUTH_TOKEN: argocd.token };
        const r = await $({ cwd: work, env, quiet: true, nothrow: true })`npm run --silent status -- --env ${cluster}`;
        const out = r.stdout;
        const missing = expected.filter((n) => !out.includes(n));
        for (const l of out.trim().split('\n')) log(`    ${l}`);
        if (missing.length) throw new Error(`npm run status (exit ${r.exitCode}) does not list ${missing.join(', ')}: ${r.stderr.trim()}`);
        log(`  npm run status -- --env ${cluster}: exit ${r.exitCode}, all ${expected.length} Applications listed`);
      });

      await phases.run('losing one zone leaves every app with ready replicas in the other two', ({ note }) => loseOneZone({ kubectl, processes, entries, note, log }));
    }
  }
}

/**
 * Secrets that a chart's hook Job makes by running its container (kwok completes Jobs without running them), by
 * the name the chart gives them: the rehearsal makes them when a pod needs one.
 */
const hookSecrets = {
  'argocd-redis': {
    job: "argo-cd chart's redis-secret-init PreSync Job",
    keys: 'auth, a random password',
    data: () => ({ auth: randomBytes(16).toString('hex') }),
  },
};

/**
 * The app the gate phase releases: one at the same version in the rehearsed cluster and in the primary cluster of the
 * environment the served clone promotes into (no downgrade there), read from the clone as the renderer resolves it.
 */
async function gateTarget(work, load, cluster) {
  const resolved = await resolvedRepo(work, load);
  const here = resolved.clusters.find((x) => x.name === cluster);
  const next = firstOtherStep(work, here.environment);
  const there = resolved.clusters.find((x) => x.environment === next && x.spec.role !== 'standby') ?? resolved.clusters.find((x) => x.environment === next);
  const versionOf = new Map(there.apps.map((a) => [a.name, a.version]));
  const app = here.apps
    .map((a) => a.name)
    .sort()
    .find((a) => versionOf.get(a) === here.apps.find((x) => x.name === a).version);
  if (!app) throw new Error(`no app runs the same version in ${cluster} and ${there.name}; the gate phase needs one`);
  return { app, env: here.environment, next };
}
