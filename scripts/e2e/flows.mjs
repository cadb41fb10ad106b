// The GitOps loop for the laptop cluster and the flows a user relies on, against the real Argo CD: bootstrap, wait
// for Synced and Healthy, drift and self-heal, HPA ownership, the project fence, prune. Verdicts: renderer/src/e2e/applications.ts.
import { $ } from 'zx';
import { readdirSync, rmSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from './cluster.mjs';
import { commitAndPush } from './checks.mjs';
import { releaseAndPromote } from './release-flow.mjs';
import { createHostPods } from './host-pods.mjs';
import { applySecretData } from './webhooks.mjs';
import { scaleUpOnCpu } from './hpa.mjs';

const cluster = 'local';
const env = 'local';

/** The loop and the flows, in order: each phase its own step, all sharing one context (flowContext). */
export async function runLoopAndFlows(opts) {
  const ctx = await flowContext(opts);
  await statusBeforeBootstrap(ctx);
  await bootstrapPhase(ctx);
  await gitOpsLoop(ctx);
  await postDeploySmokeTest(ctx);
  await driftAndSelfHeal(ctx);
  await hpaOnMetrics(ctx);
  await fence(ctx);
  await prune(ctx);
  await releaseAndPromotePhase(ctx);
}

/** What every phase shares: the cluster access, the served work tree, the waits and the stand-ins. */
async function flowContext(run) {
  const { c, processes, kubectl, kubeconfig, served, argocd, nodes, log, load, stateDir, bin, pki, chartRepos = [] } = run;
  const { summarize, postSyncHooks } = await load('e2e/applications.js');
  const ns = c.argocdNamespace;
  const work = served.work;
  const argoEntries = argocd.entries;
  const getApps = async () => JSON.parse((await kubectl`get applications -n ${ns} -o json`).stdout).items;
  // A rendered folder's objects (one manifest per folder, one document per object), read as the renderer reads them.
  const { readManifestValues } = await load('manifests.js');
  const { repoPaths } = await load('paths.js');
  const renderedObjects = (folder) => {
    const file = repoPaths.manifest(folder);
    return readManifestValues(file, readFileSync(path.join(work, file), 'utf8'));
  };
  // The Applications the cluster's argocd folder renders.
  const expectedApps = () =>
    renderedObjects(repoPaths.argocdFolder(cluster))
      .filter((o) => o?.kind === 'Application')
      .map((o) => o.metadata.name);
  // Groups whose CRDs the e2e installs without a controller (the controllers come from add-on charts it cannot pull);
  // the stand-ins below cover what local uses, this list reports anything else instead of waiting for it.
  const controllerless = ['cert-manager.io'];
  const played = new Set();
  const say = (line) => played.has(line) || (played.add(line), log(`  stand-in: ${line}`));
  const hostPods = createHostPods({ c, bin, stateDir, processes, kubectl, ca: pki.ca, say });
  const standIns = async () => {
    await playChartControllers(kubectl, path.dirname(work), say);
    await hostPods.play();
  };
  const appNamespace = 'berrys-local';
  const commandEnv = { ...process.env, KUBECONFIG: kubeconfig, ARGOCD_SERVER: argocd.server, ARGOCD_AUTH_TOKEN: argocd.token };
  const inWork = $({ cwd: work, env: commandEnv, quiet: true, nothrow: true });

  const waitConverged = async (what, note, { timeoutMs = 240_000, extra } = {}) => {
    let summary;
    await waitFor(
      what,
      async () => {
        await standIns();
        summary = summarize(await getApps(), expectedApps(), controllerless, chartRepos);
        const waitingFor = summary.waiting.map((w) => `${w.name} ${w.why}`).join('; ');
        note(`${summary.ok.length} Synced+Healthy, ${summary.waiting.length} waiting${waitingFor ? `: ${waitingFor.slice(0, 300)}` : ''}`);
        if (!summary.done) return waitingFor;
        return extra ? extra() : true;
      },
      { processes, entries: [...argoEntries, ...hostPods.entries()], timeoutMs, intervalMs: 2000 },
    );
    return summary;
  };

  const deploymentsAvailable = async () => {
    const deps = JSON.parse((await kubectl`get deployments -n ${appNamespace} -o json`).stdout).items;
    const pods = JSON.parse((await kubectl`get pods -n ${appNamespace} -o json`).stdout).items;
    const fake = new Set(nodes.map((n) => n.metadata.name));
    const notAvailable = deps.filter(
      (d) => !d.status?.conditions?.some((x) => x.type === 'Available' && x.status === 'True') || (d.status?.updatedReplicas ?? 0) !== (d.spec.replicas ?? 1),
    );
    const offNode = pods.filter((p) => !fake.has(p.spec.nodeName ?? ''));
    if (deps.length === 0) return 'no Deployments yet';
    if (notAvailable.length) return `not Available: ${notAvailable.map((d) => d.metadata.name).join(', ')}`;
    if (offNode.length) return `pods not on a kwok node: ${offNode.map((p) => p.metadata.name).join(', ')}`;
    return true;
  };
  return { ...run, work, ns, argoEntries, getApps, renderedObjects, repoPaths, say, hostPods, appNamespace, inWork, waitConverged, deploymentsAvailable, postSyncHooks };
}

async function statusBeforeBootstrap(ctx) {
  const { phases, log, inWork } = ctx;
  // Before bootstrap no Application exists: `status --wait` must call them missing and keep waiting (Argo CD answers
  // 404 when asked within the project), never blame the token (403), and give up only at its timeout.
  await phases.run('status --wait before any Application exists: missing, not forbidden, waits out its timeout', async () => {
    const r = await inWork`npm run --silent status -- --env ${env} --wait --skip-charts --timeout 8 --interval 2`;
    const out = `${r.stdout}\n${r.stderr}`;
    if (r.exitCode === 0) throw new Error(`npm run status -- --wait passed with no Application in Argo CD: ${out.trim()}`);
    if (/forbidden|403/i.test(out)) throw new Error(`npm run status -- --wait blamed the token for Applications that do not exist yet: ${out.trim()}`);
    if (!/never appeared/.test(out)) throw new Error(`npm run status -- --wait did not say the Applications never appeared: ${out.trim()}`);
    log(
      `  exit ${r.exitCode} after its 8 s timeout: ${out
        .trim()
        .split('\n')
        .find((l) => /never appeared/.test(l))
        ?.trim()}`,
    );
  });
}

async function bootstrapPhase(ctx) {
  const { phases, contextName, log, inWork } = ctx;
  await phases.run('bootstrap (the real npm run bootstrap, context check included)', async () => {
    const r = await inWork`npm run --silent bootstrap -- --cluster ${cluster} --context ${contextName}`;
    for (const line of r.stdout.trim().split('\n')) log(`  ${line}`);
    if (r.exitCode !== 0) throw new Error(`npm run bootstrap failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  });
}

async function gitOpsLoop(ctx) {
  const { phases, kubectl, log, appNamespace, waitConverged, deploymentsAvailable } = ctx;
  await phases.run('GitOps loop: every Application Synced and Healthy, Deployments Available on kwok nodes', async ({ note }) => {
    const s = await waitConverged('the laptop cluster to converge', note, { extra: deploymentsAvailable, timeoutMs: 300_000 });
    log(`  Synced and Healthy: ${s.ok.join(', ')}`);
    for (const n of s.notChecked) log(`  not checked: ${n.name}: ${n.why}`);
    const deps = JSON.parse((await kubectl`get deployments -n ${appNamespace} -o json`).stdout).items;
    log(`  ${deps.length} Deployments Available on kwok nodes: ${deps.map((d) => d.metadata.name).join(', ')}`);
    return s;
  });
}

async function postDeploySmokeTest(ctx) {
  const { phases, processes, kubectl, log, ns, argoEntries, say, postSyncHooks } = ctx;
  // The post-deploy tests: the PostSync Job of the cluster's post-deploy Application, run by Argo CD after the apps.
  await phases.run('post-deploy smoke test: the PostSync hook of the last sync succeeded', async ({ note }) => {
    const appName = `${cluster}-post-deploy`;
    let verdict = { passed: false, lines: ['not read yet'] };
    await waitFor(
      `${appName}'s PostSync hooks to succeed`,
      async () => {
        verdict = postSyncHooks(JSON.parse((await kubectl`get application ${appName} -n ${ns} -o json`).stdout));
        return verdict.passed || verdict.lines.join('; ');
      },
      { timeoutMs: 180_000, intervalMs: 2_000, processes, entries: argoEntries, onWait: note },
    );
    for (const line of verdict.lines) log(`  ${appName}: ${line}`);
    say("the smoke test Job's pod: kwok completes it without running its container (no container runtime), so the readiness calls themselves are not made here");
  });
}

async function driftAndSelfHeal(ctx) {
  const { phases, processes, kubectl, log, argoEntries, appNamespace, inWork } = ctx;
  // Drift: a managed Deployment without an HPA is changed live; Argo CD must put it back, and status must see it.
  await phases.run('drift and self-heal', async ({ note }) => {
    const deps = JSON.parse((await kubectl`get deployments -n ${appNamespace} -o json`).stdout).items;
    const hpas = JSON.parse((await kubectl`get hpa -n ${appNamespace} -o json`).stdout).items.map((h) => h.spec.scaleTargetRef.name);
    const target = deps.find((d) => !hpas.includes(d.metadata.name));
    const name = target.metadata.name;
    const want = target.spec.replicas;
    await kubectl`scale deployment ${name} -n ${appNamespace} --replicas=${want + 2}`;
    const label = 'app.kubernetes.io/part-of';
    const labelWant = target.metadata.labels[label];
    await kubectl`label deployment ${name} -n ${appNamespace} ${`${label}=tampered`} --overwrite`;
    log(`  changed live: deployment/${name} replicas ${want} → ${want + 2}, label ${label} ${labelWant} → tampered`);
    // Self-heal races the status command (a process start each time), so ask a few times while the drift may last.
    let seen = '';
    for (let i = 0; i < 4 && !seen; i++) {
      const status = await inWork`npm run --silent status -- --env ${env}`;
      if (status.exitCode !== 0) throw new Error(`npm run status failed (exit ${status.exitCode}): ${status.stderr.trim() || status.stdout.trim()}`);
      seen =
        status.stdout
          .split('\n')
          .find((l) => l.includes(`${cluster}-${name}`) && /OutOfSync/.test(l))
          ?.trim() ?? '';
      if (i === 0) for (const l of status.stdout.trim().split('\n')) log(`    ${l}`);
    }
    log(`  npm run status while drifted: ${seen ? `reports ${seen.replace(/\s+/g, ' ')}` : 'did not see the drift in 4 tries (self-heal reverted it first)'}`);
    await waitFor(
      `Argo CD to revert deployment/${name}`,
      async () => {
        const d = JSON.parse((await kubectl`get deployment ${name} -n ${appNamespace} -o json`).stdout);
        note(`replicas ${d.spec.replicas}, label ${d.metadata.labels?.[label]}`);
        return (d.spec.replicas === want && d.metadata.labels?.[label] === labelWant) || `replicas ${d.spec.replicas}, label ${d.metadata.labels?.[label]}`;
      },
      { processes, entries: argoEntries, timeoutMs: 120_000, intervalMs: 1000 },
    );
    log(`  Argo CD reverted both: replicas ${want}, label ${label}=${labelWant}`);
  });
}

async function hpaOnMetrics(ctx) {
  const { c, phases, processes, kubectl, log, load, work, ns, argoEntries, renderedObjects, repoPaths, hostPods, appNamespace, waitConverged, deploymentsAvailable } = ctx;
  // Autoscaling on metrics: local has no HPA, so turn autoscaling on for one app in git as a user would. Its HPA must
  // read CPU from the real metrics-server (kwok's emulated usage); raising the pods' emulated CPU above the target
  // makes the real HPA controller scale the Deployment up, and Argo CD must leave that count alone (ignoreDifferences)
  // and stay Synced. The app is one another app calls, so the prune below (which removes an app nobody calls) never picks it.
  await phases.run('HPA on metrics: the real metrics-server, a scale-up on emulated CPU, Argo CD stays Synced', async ({ note }) => {
    const app = appNames(work).filter((a) => callers(work, a).length > 0)[0];
    const appName = `${cluster}-${app}`;
    const override = path.join('overlays', env, 'apps', `${app}.yaml`);
    const sha = await commitAndPush(work, `e2e: autoscale ${app} in ${env}`, (w) => {
      mkdirSync(path.join(w, 'overlays', env, 'apps'), { recursive: true });
      writeFileSync(
        path.join(w, override),
        `# yaml-language-server: $schema=../../../renderer/schema/app-override.schema.json\nautoscaling: { enabled: true, minReplicas: 1, maxReplicas: 3 }\n`,
      );
    });
    const rendered = renderedObjects(repoPaths.appFolder(cluster, app));
    const hpa = rendered.find((o) => o?.kind === 'HorizontalPodAutoscaler');
    const deployment = rendered.find((o) => o?.kind === 'Deployment');
    if (!hpa || !deployment) throw new Error(`rendering ${override} gave ${app} no HorizontalPodAutoscaler or no Deployment`);
    if ('replicas' in deployment.spec) throw new Error(`the rendered Deployment ${app} still sets spec.replicas (${deployment.spec.replicas}) under an HPA`);
    log(`  ${override} turns autoscaling on (1–3); rendered HPA ${hpa.metadata.name}, Deployment without spec.replicas; pushed ${sha.slice(0, 12)}`);
    const live = async () => ({
      app: JSON.parse((await kubectl`get application ${appName} -n ${ns} -o json`).stdout),
      deployment: JSON.parse((await kubectl`get deployment ${deployment.metadata.name} -n ${appNamespace} -o json`).stdout),
    });
    const entries = [...argoEntries, ...hostPods.entries()];
    await waitFor(
      `Argo CD to sync ${appName} at ${sha.slice(0, 12)} with its HPA Healthy`,
      async () => {
        const { app: a } = await live();
        const state = `${a.status?.sync?.status}/${a.status?.health?.status} at ${(a.status?.sync?.revision ?? '-').slice(0, 12)}`;
        note(state);
        return (a.status?.sync?.revision === sha && a.status?.sync?.status === 'Synced' && a.status?.health?.status === 'Healthy') || state;
      },
      { processes, entries, timeoutMs: 180_000, intervalMs: 2000 },
    );
    const driven = await scaleUpOnCpu({
      c,
      kubectl,
      load,
      argocdNamespace: ns,
      target: { appName, namespace: appNamespace, hpa: hpa.metadata.name, deployment },
      processes,
      entries,
      note,
      log,
    });
    await driven.lower();
    log(`  emulated CPU back to kwok's default (1m); the scale-down waits for the HPA's 300 s stabilisation window, not waited for`);
    // Put local back as it was (no HPA, replicas from git), so the flows after this one start from a Healthy cluster.
    const back = await commitAndPush(work, `e2e: stop autoscaling ${app} in ${env}`, (w) => rmSync(path.join(w, override)));
    await waitConverged(`every Application Synced and Healthy at ${back.slice(0, 12)}, ${app} without its HPA`, note, {
      extra: async () => {
        const a = JSON.parse((await kubectl`get application ${appName} -n ${ns} -o json`).stdout);
        if (a.status?.sync?.revision !== back) return `${appName} not yet at ${back.slice(0, 12)}`;
        return deploymentsAvailable();
      },
    });
    log(`  autoscaling turned off again in ${back.slice(0, 12)}: the HPA is pruned and git's replica count is back`);
  });
}

async function fence(ctx) {
  const { phases, processes, kubectl, served, log, work, ns, argoEntries } = ctx;
  // Fence: an Application in the environment's project that points at another environment's namespace.
  await phases.run('fence: an Application of project local aimed at another namespace is refused', async ({ note }) => {
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'e2e-fence-breaker', namespace: ns },
      spec: {
        project: env,
        source: { repoURL: served.repoUrl, targetRevision: 'main', path: `clusters/${cluster}/apps/web-dashboard` },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'berrys-production' },
        syncPolicy: { automated: { prune: false, selfHeal: false } },
      },
    };
    const file = path.join(path.dirname(work), 'fence-app.json');
    writeFileSync(file, JSON.stringify(app));
    await kubectl`apply -f ${file}`;
    let message = '';
    await waitFor(
      'Argo CD to refuse the Application',
      async () => {
        const a = JSON.parse((await kubectl`get application e2e-fence-breaker -n ${ns} -o json`).stdout);
        const cond = (a.status?.conditions ?? []).find((x) => /InvalidSpecError/.test(x.type));
        note(`sync ${a.status?.sync?.status ?? '-'}, conditions ${(a.status?.conditions ?? []).map((x) => x.type).join(',') || '-'}`);
        if (cond) message = cond.message;
        return Boolean(cond) || 'no InvalidSpecError yet';
      },
      { processes, entries: argoEntries, timeoutMs: 60_000, intervalMs: 1000 },
    );
    const prodObjects = (await kubectl`get deployments -n berrys-production -o name --ignore-not-found`).stdout.trim();
    if (prodObjects) throw new Error(`the fenced Application deployed into berrys-production: ${prodObjects}`);
    log(`  refused: ${message}`);
    await kubectl`delete application e2e-fence-breaker -n ${ns} --wait=false`;
  });
}

async function prune(ctx) {
  const { phases, processes, kubectl, log, work, argoEntries, getApps, appNamespace, inWork, waitConverged, deploymentsAvailable } = ctx;
  // Prune: remove an app nobody calls; its Application and objects go, nothing else.
  await phases.run('prune: an app removed in git is deleted, and nothing else', async ({ note }) => {
    const candidates = appNames(work).filter((a) => callers(work, a).length === 0);
    const victim = candidates[0];
    const before = JSON.parse((await kubectl`get deployments,services,serviceaccounts,networkpolicies -n ${appNamespace} -o json`).stdout).items.map(
      (o) => `${o.kind}/${o.metadata.name}`,
    );
    const sha = await commitAndPush(work, `e2e: remove ${victim}`, (w) => removeApp(w, victim));
    log(`  removed app ${victim} in ${sha.slice(0, 12)} (apps/, overlays/, rendered clusters/)`);
    await waitFor(
      `Argo CD to prune ${victim}`,
      async () => {
        const now = JSON.parse((await kubectl`get deployments,services,serviceaccounts,networkpolicies -n ${appNamespace} -o json`).stdout).items.map(
          (o) => `${o.kind}/${o.metadata.name}`,
        );
        const apps = (await getApps()).map((a) => a.metadata.name);
        const left = now.filter((o) => o.endsWith(`/${victim}`));
        note(`${left.length} objects of ${victim} left; Application ${apps.includes(`${cluster}-${victim}`) ? 'present' : 'gone'}`);
        if (left.length || apps.includes(`${cluster}-${victim}`)) return `left: ${left.join(', ') || `Application ${cluster}-${victim}`}`;
        const lost = before.filter((o) => !o.endsWith(`/${victim}`) && !now.includes(o));
        if (lost.length) throw new Error(`pruning ${victim} also deleted ${lost.join(', ')}`);
        return true;
      },
      { processes, entries: argoEntries, timeoutMs: 180_000, intervalMs: 2000 },
    );
    log(`  ${victim}'s Application and objects are gone; the other ${before.filter((o) => !o.endsWith(`/${victim}`)).length} objects stayed`);
    await waitConverged('the rest to stay Synced and Healthy', note, { extra: deploymentsAvailable });
    // The command a release pipeline waits with: every app of the environment Synced and Healthy at this commit.
    const wait = await inWork`npm run --silent status -- --env ${env} --wait --skip-charts --revision ${sha} --timeout 180 --interval 2`;
    if (wait.exitCode !== 0) throw new Error(`npm run status -- --wait --revision ${sha} exited ${wait.exitCode}: ${(wait.stderr || wait.stdout).trim()}`);
    log(`  npm run status -- --env ${env} --wait --revision ${sha.slice(0, 12)}: exit 0`);
  });
}

async function releaseAndPromotePhase(ctx) {
  const { phases, processes, kubectl, kubeconfig, argocd, log, work, ns, appNamespace, waitConverged } = ctx;
  await phases.run('release and promote: Argo CD rolls the release out, the gate asks the real Argo CD', async ({ note }) => {
    const app = appNames(work).filter((a) => callers(work, a).length > 0)[1];
    await releaseAndPromote({ app, cluster, env, work, kubectl, ns, appNamespace, argocd, processes, kubeconfig, log, note, waitConverged });
  });
}

/**
 * Plays the controllers of the two add-on charts local installs, which no chart repository can deliver here:
 * External Secrets (the store and each ExternalSecret become Ready, and its target Secret is created with a
 * placeholder) and the ingress controller (each Ingress gets a load-balancer address). Without them the platform
 * Application's sync waits forever on the secret store's wave (normalize.ts) and its network policies are never applied, and Ingresses stay
 * Progressing. Everything they do is printed as a stand-in, so the report says what was not real.
 */
export async function playChartControllers(kubectl, dir, say, issuer) {
  const list = async (what) => JSON.parse((await kubectl`get ${what} -A -o json`).stdout).items;
  const ready = (o) => (o.status?.conditions ?? []).some((x) => x.type === 'Ready' && x.status === 'True');
  const condition = (reason) => ({
    status: {
      conditions: [
        { type: 'Ready', status: 'True', reason, message: 'played by npm run e2e: the external-secrets chart is not reachable', lastTransitionTime: new Date().toISOString() },
      ],
    },
  });
  for (const s of await list('clustersecretstores.external-secrets.io')) {
    if (ready(s)) continue;
    await kubectl`patch clustersecretstore ${s.metadata.name} --subresource=status --type=merge -p ${JSON.stringify(condition('Valid'))}`;
    say(`External Secrets controller: ClusterSecretStore ${s.metadata.name} marked Ready`);
  }
  for (const e of await list('externalsecrets.external-secrets.io')) {
    if (ready(e)) continue;
    const name = e.spec.target?.name ?? e.metadata.name;
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: e.metadata.namespace, labels: { 'berrys.io/e2e-stand-in': 'external-secrets' } },
      stringData: Object.fromEntries((e.spec.data ?? []).map((d) => [d.secretKey, 'e2e-placeholder'])),
    };
    const file = path.join(dir, `secret-${e.metadata.namespace}-${name}.json`);
    writeFileSync(file, JSON.stringify(secret));
    await kubectl`apply -f ${file}`;
    await kubectl`patch externalsecret ${e.metadata.name} -n ${e.metadata.namespace} --subresource=status --type=merge -p ${JSON.stringify(condition('SecretSynced'))}`;
    say(`External Secrets controller: ExternalSecret ${e.metadata.namespace}/${e.metadata.name} marked Ready, Secret ${name} created with a placeholder`);
  }
  // cert-manager's controller does not run here (its ACME issuer needs the internet and Route 53): issuers and
  // certificates are marked Ready, where their CRDs exist (a rehearsal installs the chart; the laptop has the CRDs).
  for (const kind of ['clusterissuers.cert-manager.io', 'issuers.cert-manager.io', 'certificates.cert-manager.io']) {
    const items = await list(kind).catch(() => []); // no such CRD (yet): nothing to play
    for (const o of items) {
      if (ready(o)) continue;
      const cond = {
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'E2eStandIn',
              message: 'played by npm run e2e: ACME and Route 53 need the internet',
              lastTransitionTime: new Date().toISOString(),
            },
          ],
        },
      };
      const where = o.metadata.namespace ? ['-n', o.metadata.namespace] : [];
      // A Certificate's Secret is what its pods mount: issued by the run's CA (a rehearsal has one to give).
      if (o.kind === 'Certificate' && issuer && o.spec.secretName) {
        const m = await issuer.issue(o.spec.dnsNames?.length ? o.spec.dnsNames : [o.spec.commonName ?? o.metadata.name]);
        await applySecretData(kubectl, dir, {
          namespace: o.metadata.namespace,
          name: o.spec.secretName,
          type: 'kubernetes.io/tls',
          manager: 'cert-manager-certificates-issuing',
          data: { 'ca.crt': m.ca, 'tls.crt': m.cert, 'tls.key': m.key },
        });
        say(`cert-manager controller: Certificate ${o.metadata.namespace}/${o.metadata.name}'s Secret ${o.spec.secretName} issued by the run's CA`);
      }
      await kubectl`patch ${kind} ${o.metadata.name} ${where} --subresource=status --type=merge -p ${JSON.stringify(cond)}`;
      say(`cert-manager controller: ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name} marked Ready (ACME and Route 53 need the internet)`);
    }
  }
  // The Prometheus operator does not run here (see webhooks.mjs standInReason): each Prometheus gets the status it
  // would report once its StatefulSet is ready, which is what Argo CD's health check for Prometheus reads.
  for (const o of await list('prometheuses.monitoring.coreos.com').catch(() => [])) {
    if ((o.status?.conditions ?? []).some((x) => x.type === 'Available' && x.status === 'True')) continue;
    const replicas = o.spec.replicas ?? 1;
    const now = new Date().toISOString();
    const status = {
      status: {
        availableReplicas: replicas,
        replicas,
        updatedReplicas: replicas,
        unavailableReplicas: 0,
        paused: false,
        conditions: ['Available', 'Reconciled'].map((type) => ({
          type,
          status: 'True',
          reason: 'E2eStandIn',
          message: 'played by npm run e2e',
          lastTransitionTime: now,
          observedGeneration: o.metadata.generation,
        })),
      },
    };
    await kubectl`patch prometheuses.monitoring.coreos.com ${o.metadata.name} -n ${o.metadata.namespace} --subresource=status --type=merge -p ${JSON.stringify(status)}`;
    say(`Prometheus operator: Prometheus ${o.metadata.namespace}/${o.metadata.name} reports ${replicas} available replicas (its StatefulSet is not made)`);
  }
  // The EBS CSI controller's provisioner does not run here (EBS volumes need AWS): each claim the scheduler has
  // given a node (WaitForFirstConsumer) gets a PersistentVolume of the class's driver, pinned to that node's zone as
  // an EBS volume is, and the real PersistentVolume controller binds the two.
  const classes = await list('storageclasses.storage.k8s.io');
  for (const claim of await list('persistentvolumeclaims')) {
    const node = claim.metadata.annotations?.['volume.kubernetes.io/selected-node'];
    const sc = classes.find((x) => x.metadata.name === claim.spec.storageClassName);
    if (claim.spec.volumeName || !node || sc?.provisioner !== 'ebs.csi.aws.com') continue;
    const zone = JSON.parse((await kubectl`get node ${node} -o json`).stdout).metadata.labels?.['topology.kubernetes.io/zone'];
    const pv = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `pvc-${claim.metadata.uid}`, annotations: { 'pv.kubernetes.io/provisioned-by': sc.provisioner } },
      spec: {
        capacity: { storage: claim.spec.resources.requests.storage },
        accessModes: claim.spec.accessModes,
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: sc.metadata.name,
        volumeMode: claim.spec.volumeMode ?? 'Filesystem',
        claimRef: { namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid },
        csi: { driver: sc.provisioner, volumeHandle: `vol-e2e${claim.metadata.uid.replace(/-/g, '').slice(0, 17)}`, fsType: 'ext4' },
        ...(zone ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [zone] }] }] } } } : {}),
      },
    };
    const file = path.join(dir, `pv-${claim.metadata.uid}.json`);
    writeFileSync(file, JSON.stringify(pv));
    await kubectl`apply -f ${file}`;
    say(
      `EBS CSI controller: PersistentVolumeClaim ${claim.metadata.namespace}/${claim.metadata.name} gets a PersistentVolume of ${sc.provisioner} in ${zone ?? 'no zone'} (EBS volumes need AWS)`,
    );
  }
  for (const i of await list('ingresses.networking.k8s.io')) {
    if (i.status?.loadBalancer?.ingress?.length) continue;
    await kubectl`patch ingress ${i.metadata.name} -n ${i.metadata.namespace} --subresource=status --type=merge -p ${JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } } })}`;
    say(`ingress controller: Ingress ${i.metadata.namespace}/${i.metadata.name} given the address 127.0.0.1`);
  }
}

/** The catalogue's apps, sorted. */
function appNames(work) {
  return readdirSync(path.join(work, 'apps'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

/** The catalogue files whose `calls:` name `app`. */
function callers(work, app) {
  return readdirSync(path.join(work, 'apps')).filter((f) => new RegExp(`calls:.*\\b${app}\\b`).test(readFileSync(path.join(work, 'apps', f), 'utf8')));
}

/** Removes an app from the catalogue and every overlay, as a person would. */
function removeApp(work, app) {
  rmSync(path.join(work, 'apps', `${app}.yaml`));
  for (const env of readdirSync(path.join(work, 'overlays'))) {
    rmSync(path.join(work, 'overlays', env, 'apps', `${app}.yaml`), { force: true });
    const versions = path.join(work, 'overlays', env, 'versions.yaml');
    const text = readFileSync(versions, 'utf8');
    writeFileSync(
      versions,
      text
        .split('\n')
        .filter((l) => !new RegExp(`^\\s*${app}:`).test(l))
        .join('\n'),
    );
  }
}
