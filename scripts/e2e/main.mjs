// The body of npm run e2e (declared in renderer/src/e2e/command.ts): proves the repository against a real API server and a real Argo CD on 127.0.0.1.
// Builds the pinned components once (.cache/tools/e2e/), starts them, dry-runs every rendered file server-side,
// runs the GitOps loop for the laptop cluster `local` and the flows, then stops everything it started, also on
// failure and Ctrl-C. Logs: .cache/e2e/logs/. See README "Run a real cluster on your laptop".
import { $ } from 'zx';
import fs, { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { load, repoRoot } from '../lib/run.mjs';
import { createPhases } from './phase.mjs';
import { createProcesses } from './processes.mjs';
import { ensureE2eBinaries, argocdBinDir } from './build.mjs';
import { makePki, writeKubeconfig, startControlPlane, startKwok } from './cluster.mjs';
import { startArgocd } from './argocd.mjs';
import { startGitServer } from './git-server.mjs';
import { renderedFiles, namespacesOf, dryRunAll, proveBrokenFileIsNamed, prepareServedRepo } from './checks.mjs';
import { runLoopAndFlows } from './flows.mjs';
import { chartMirrorFolder, startChartMirror, chartRepoReachable } from './chart-mirror.mjs';
import { removeHostPodAddresses } from './host-pods.mjs';
import { runRehearsal, rehearsalNodes, rehearsalTarget } from './rehearsal.mjs';

/** The add-on charts the laptop run installs for real; the others are listed, not waited for (see flows.mjs). */
const localCharts = ['metrics-server'];

/** Runs the whole end-to-end proof; resolves with the exit code (0 passed, 1 failed). */
export async function e2e({ keep, rehearse, at }) {
  const log = (line) => console.log(line);
  const stateDir = path.join(repoRoot, '.cache', 'e2e');
  // What every step shares: `servers` and `kept` (what --keep prints once the run has a verdict) fill in as the parts come up.
  const session = { rehearse, at, log, stateDir, phases: createPhases(log), processes: createProcesses(stateDir, log), servers: [], kept: {} };
  const stopEverything = stopper(session);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, async () => {
      log(`\n${sig}: stopping everything npm run e2e started`);
      await stopEverything();
      process.exit(130);
    });
  }
  let code = 0;
  try {
    try {
      await startAndProve(session);
      log('e2e: passed');
    } catch (err) {
      code = 1;
      log(`Error: ${err?.message ?? err}`);
      log(`logs: ${session.processes.logs}`);
    }
    if (keep) await keepRunning(session, code === 0 ? 'e2e passed' : 'e2e FAILED (see the error above)');
  } finally {
    await stopEverything();
    log(session.phases.summary());
  }
  return code;
}

/** Idempotent: a signal and the failure it causes in startAndProve both end up here, and both wait for the same stop. */
function stopper({ servers, processes, stateDir }) {
  let stopping;
  return () => {
    stopping ??= (async () => {
      for (const s of servers) s.close();
      await processes.stopAll();
      await removeHostPodAddresses(stateDir);
    })();
    return stopping;
  };
}

/**
 * The phases in order: binaries, control plane, CRDs and namespaces, the dry run, the target cluster's nodes, chart
 * sources, the served repository, Argo CD, then the laptop flows or the rehearsal.
 */
async function startAndProve(session) {
  const { phases, processes, log, stateDir, rehearse } = session;
  const recipes = await load('e2e/recipes.js');
  const c = await load('e2e/components.js');
  const dryRun = await load('e2e/dry-run.js');
  const { readPins } = await load('tools/ensure.js');
  const { crdSources } = await load('tools/crd-sources.js');
  const pins = await readPins(repoRoot);
  const built = await phases.run('binaries (.cache/tools/e2e)', () => ensureE2eBinaries({ root: repoRoot, recipes, pins, phases, log }));
  const { kubeconfig, contextName, kubectlCmd } = await freshState(session, built);
  const p = await controlPlanePhase(session, { c, built, kubeconfig, contextName });
  const { parseClusterIndex } = await load('cluster-index.js');
  const { index, files } = renderedFiles(repoRoot, parseClusterIndex, dryRun.manifestDocuments);
  await crdsAndNamespacesPhase(session, { c, crdSources, pins, kubectlCmd, files });
  await dryRunPhase(session, { dryRun, kube: p.kube, files });
  if (rehearse) await removeDryRunChartCrds(session, { crdSources, kubectlCmd });
  const { target, clusterObjects, nodes } = await targetCluster(session, { c, index, files });
  await phases.run(`kwok and ${nodes.length} fake nodes`, () =>
    startKwok({ c, bin: built.bin, kwokModule: built.kwokModule, stateDir, processes, kubeconfig, kubectl: kubectlCmd, nodes, fs, gatePodsOnReferences: Boolean(rehearse) }),
  );
  const chartSources = await chartSourcesPhase(session, { c, pki: p.pki, clusterObjects });
  const repoUrl = `https://127.0.0.1:${c.ports.gitDaemon}/agents-gitops.git`;
  const served = await servedRepoPhase(session, { c, pki: p.pki, chartSources, repoUrl });
  const argocd = await argocdPhase(session, { c, built, recipes, kubectlCmd, kubeconfig, repoUrl, chartSources });

  session.kept = { c, kubeconfig, contextName, bin: built.bin, argocd, served, repoUrl, ca: p.pki.ca };
  // What the laptop loop and a rehearsal both drive: the started components and where their inputs live.
  const run = {
    c,
    phases,
    processes,
    kubectl: kubectlCmd,
    kubeconfig,
    contextName,
    served,
    argocd,
    nodes,
    log,
    load,
    stateDir,
    bin: built.bin,
    pki: p.pki,
    chartRepos: chartSources.urls,
  };
  if (rehearse) await runRehearsal({ ...run, cluster: target });
  else await runLoopAndFlows(run);
}

/** Clears what an earlier run left; returns the kubeconfig, its context and the pinned kubectl against it. */
async function freshState({ processes, stateDir }, built) {
  await processes.cleanLeftovers();
  await removeHostPodAddresses(stateDir);
  for (const d of ['etcd', 'pki', 'logs']) rmSync(path.join(stateDir, d), { recursive: true, force: true });
  mkdirSync(processes.logs, { recursive: true });
  const kubeconfig = path.join(stateDir, 'kubeconfig');
  const contextName = 'berrys-e2e-local';
  // Every kubectl call: the built, pinned kubectl against the started API server.
  const $k = $({ quiet: true, env: { ...process.env, KUBECONFIG: kubeconfig } });
  const kubectlCmd = (strings, ...values) => $k(withKubectl(built.bin, strings), ...values);
  return { kubeconfig, contextName, kubectlCmd };
}

async function controlPlanePhase({ phases, processes, stateDir }, { c, built, kubeconfig, contextName }) {
  const { kubeHttp } = await load('e2e/kube-http.js');
  return phases.run('control plane: etcd, kube-apiserver, controller-manager, scheduler', async ({ note }) => {
    const pki = await makePki(c, path.join(stateDir, 'pki'));
    writeKubeconfig(c, pki, kubeconfig, contextName);
    const kube = kubeHttp({ server: c.apiServerUrl, ca: pki.ca, cert: pki.adminCert, key: pki.adminKey });
    await startControlPlane({ c, bin: built.bin, stateDir, processes, kube, kubeconfig, p: pki, note });
    return { pki, kube };
  });
}

async function crdsAndNamespacesPhase({ phases, stateDir }, { c, crdSources, pins, kubectlCmd, files }) {
  const { goModDownload } = await load('tools/go.js');
  await phases.run(`CRDs of the pinned modules (${crdSources.length}) and namespaces`, async () => {
    const dirs = new Map();
    const crdFiles = [];
    for (const s of crdSources) {
      if (!dirs.has(s.source)) dirs.set(s.source, await goModDownload(pins.sources[s.source]));
      crdFiles.push('-f', path.join(dirs.get(s.source), s.file));
    }
    await kubectlCmd`apply --server-side ${crdFiles}`;
    await kubectlCmd`wait --for condition=established --timeout=60s crd --all`;
    const list = path.join(stateDir, 'namespaces.json');
    const items = [c.argocdNamespace, ...namespacesOf(files)].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
    fs.writeFileSync(list, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    await kubectlCmd`apply -f ${list}`;
  });
}

async function dryRunPhase({ phases, log }, { dryRun, kube, files }) {
  await phases.run(`server-side dry run of every rendered document (${files.length})`, async () => {
    const result = await dryRunAll({ dryRun, kube, files, log });
    const lines = dryRun.formatDryRunFindings(result.findings);
    for (const line of lines) log(`  ${line}`);
    if (result.findings.length > 0) throw new Error(`the API server rejected or warned about ${new Set(result.findings.map((f) => f.file)).size} rendered document(s); see above`);
    log(`  all ${result.checked} accepted without a warning`);
    log(`  broken-file check: ${await proveBrokenFileIsNamed({ dryRun, kube, files })}`);
  });
}

/**
 * A rehearsal installs the add-on charts, and they bring their own CRDs: the ones put in for the dry run (from the
 * pinned modules, another field manager, other labels) would keep those Applications OutOfSync.
 */
async function removeDryRunChartCrds({ log }, { crdSources, kubectlCmd }) {
  const fromCharts = crdSources.filter((s) => s.source !== 'argocd').map((s) => path.basename(s.file).replace(/^([^_]+)_(.+)\.yaml$/, '$2.$1'));
  await kubectlCmd`delete crd ${fromCharts} --ignore-not-found --wait=true`;
  log(`  removed the dry run's chart CRDs (${fromCharts.join(', ')}): the charts install their own`);
}

/** The cluster the run drives (the laptop's, or the one rehearsed), its rendered objects and the fake nodes it needs. */
async function targetCluster({ rehearse, at, log }, { c, index, files }) {
  const { fakeNodes } = await load('e2e/nodes.js');
  const target = rehearse ? await rehearsalTarget({ root: repoRoot, load, name: rehearse }) : 'local';
  const cluster = index.clusters.find((x) => x.name === target);
  if (!cluster) throw new Error(`clusters/index.json has no cluster \`${target}\`${rehearse ? ' to rehearse' : '; the GitOps loop runs against the laptop cluster'}`);
  if (!rehearse && cluster.apiServer.replace(/\/+$/, '') !== c.apiServerUrl)
    throw new Error(`the laptop cluster declares apiServer ${cluster.apiServer}, but the e2e API server listens on ${c.apiServerUrl}`);
  if (at && !rehearse) throw new Error('--at <commit> goes with --rehearse <cluster>');
  // With --at, the served commit's own rendered Applications decide which charts it pulls.
  const { readManifestValues } = await load('manifests.js');
  const { repoPaths } = await load('paths.js');
  const atFile = repoPaths.manifest(repoPaths.argocdFolder(target));
  const atManifest = at ? (await $`git -C ${repoRoot} show ${`${at}:${atFile}`}`.quiet()).stdout : undefined;
  const clusterObjects = at ? readManifestValues(atFile, atManifest) : files.filter((f) => f.cluster === target).map((f) => parseYaml(f.content));
  const nodes = rehearse
    ? await rehearsalNodes({ root: repoRoot, load, cluster: target, log })
    : fakeNodes(
        clusterObjects.filter((o) => o?.kind === 'Deployment'),
        cluster.region,
      );
  return { target, clusterObjects, nodes };
}

/** Where Argo CD pulls each installed chart from: its repository when reachable, else a local mirror started here. */
async function chartSourcesPhase({ phases, log, rehearse, servers }, { c, pki, clusterObjects }) {
  // The laptop installs metrics-server for real; a rehearsal every chart its cluster renders.
  const wantedCharts = rehearse
    ? [...new Set(clusterObjects.filter((o) => o?.kind === 'Application' && o.spec?.source?.chart).map((o) => o.spec.source.chart))].sort()
    : localCharts;
  return phases.run(`chart sources: ${wantedCharts.join(', ')} (their repositories, else the local mirror)`, async () => {
    const addons = parseYaml(fs.readFileSync(path.join(repoRoot, 'base', 'addons.yaml'), 'utf8'));
    const unreachable = [];
    for (const name of wantedCharts) {
      const repo = (addons.addons ?? addons).find?.((a) => a.chart?.name === name)?.chart?.repoURL;
      if (!repo || !(await chartRepoReachable(repo))) unreachable.push(name);
      else log(`  ${name}: ${repo} is reachable; Argo CD pulls it from there`);
    }
    if (unreachable.length === 0) return { mirrored: [], urls: [] };
    const folder = await chartMirrorFolder(repoRoot);
    if (!folder)
      throw new Error(
        `${unreachable.join(', ')}: the chart repositories are unreachable and no chart mirror was found (set BERRYS_CHART_MIRROR to a folder with index.yaml and the archives)`,
      );
    const mirror = await startChartMirror({ folder, port: c.ports.chartMirror, cert: pki.serverCert, key: pki.serverKey });
    servers.push(mirror);
    return { folder, url: mirror.url, unreachable, urls: [mirror.url] };
  });
}

/** The clone Argo CD reads, its sources adjusted for this run, served over HTTPS on 127.0.0.1. */
async function servedRepoPhase({ phases, log, stateDir, rehearse, at, servers }, { c, pki, chartSources, repoUrl }) {
  const charts = await load('e2e/charts.js');
  return phases.run('served repository (a clone with its repoURL on 127.0.0.1, rendered and committed)', async () => {
    const adjustSources = (work) => {
      // The Argo CD add-on's configuration becomes this run's Argo CD's (they share the argocd namespace, as a
      // self-managed Argo CD does). Its chart's default ignores status-only updates of every resource; with the
      // approximated gitops-engine those updates then never reach the cluster cache, and every health stays
      // Progressing (seen with CRDs and Deployments). The served clone alone turns that feature off.
      if (rehearse) {
        const file = path.join(work, 'base', 'addons.yaml');
        const text = fs.readFileSync(file, 'utf8');
        const anchor = '      configs:\n        cm:\n';
        if (text.split(anchor).length !== 2) throw new Error(`base/addons.yaml: expected one argo-cd \`configs: cm:\` block to adjust for the rehearsal`);
        fs.writeFileSync(file, text.replace(anchor, `${anchor}          resource.ignoreResourceUpdatesEnabled: "false"\n`));
        log(
          '  stand-in: Argo CD add-on config (served clone only): resource.ignoreResourceUpdatesEnabled "false", because with the approximated gitops-engine the chart\'s ignoreResourceUpdates.all (/status) left every health Progressing',
        );
      }
      if (!chartSources.url) return;
      const file = path.join(work, 'base', 'addons.yaml');
      const r = charts.pointChartsAtMirror(fs.readFileSync(file, 'utf8'), chartSources.unreachable, chartSources.url);
      fs.writeFileSync(file, r.text);
      log(`  ${charts.mirrorNotice(r.mirrored, chartSources.url, chartSources.folder)}`);
    };
    const s = await prepareServedRepo({ root: repoRoot, stateDir, repoUrl, log, adjustSources, commit: at });
    servers.push(await startGitServer({ projectRoot: path.dirname(s.bare), port: c.ports.gitDaemon, cert: pki.serverCert, key: pki.serverKey, log: () => {} }));
    return s;
  });
}

async function argocdPhase({ phases, processes, stateDir }, { c, built, recipes, kubectlCmd, kubeconfig, repoUrl, chartSources }) {
  if (!fs.existsSync(path.join(repoRoot, '.cache', 'tools', 'bin', 'helm')))
    throw new Error(".cache/tools/bin/helm is missing: Argo CD's repo-server runs the pinned helm for chart add-ons; run npm run tools first");
  const argocdBin = argocdBinDir(built.bin, built.argocdModule, recipes.argocdRoles, stateDir);
  return phases.run('Argo CD: redis, repo-server, application-controller, server', ({ note }) =>
    startArgocd({
      c,
      argocdBin,
      toolsBin: path.join(repoRoot, '.cache', 'tools', 'bin'),
      stateDir,
      processes,
      kubectl: kubectlCmd,
      kubeconfig,
      repoUrl,
      chartRepos: chartSources.urls,
      note,
    }),
  );
}

/**
 * --keep: the verdict, how to reach the cluster, where to push (the served repository accepts pushes over HTTPS
 * with the e2e CA, or through its folder), and what the flows changed there compared with this checkout.
 */
async function keepRunning({ kept, log, stateDir, processes }, verdict) {
  if (!kept.argocd) {
    log(`--keep: ${verdict}; nothing to keep (the run stopped before Argo CD was up)`);
    return;
  }
  const { c, kubeconfig, contextName, bin, argocd, served, repoUrl, ca } = kept;
  fs.writeFileSync(path.join(stateDir, 'argocd-token'), `${argocd.token}\n`, { mode: 0o600 });
  const head = (await $`git -C ${repoRoot} rev-parse HEAD`.quiet()).stdout.trim();
  const commits = (await $`git -C ${served.bare} log --format=%h\ %s ${head}..main`.quiet()).stdout.trim().split('\n').filter(Boolean);
  const files = (await $`git -C ${served.bare} diff --stat=120 ${head} main -- apps overlays base`.quiet()).stdout.trim();
  log(
    [
      '',
      `--keep: ${verdict}. The cluster stays up. Reach it with:`,
      `  export KUBECONFIG=${kubeconfig}   # context ${contextName}, ${c.apiServerUrl}`,
      `  ${path.join(bin, 'kubectl')} get applications -n ${c.argocdNamespace}`,
      `  Argo CD API: ${argocd.server} (ARGOCD_SERVER=${argocd.server} ARGOCD_AUTH_TOKEN=$(cat ${path.join(stateDir, 'argocd-token')}))`,
      `Push changes for Argo CD to ${repoUrl} (branch main), from this checkout:`,
      `  git -c http.sslCAInfo=${ca} push ${repoUrl} HEAD:main     # or: git push ${served.bare} HEAD:main`,
      `  (the working clone ${served.work} already has it as origin)`,
      `The served repository is not this checkout: ${commits.length} commit(s) on top of ${head.slice(0, 12)}:`,
      ...commits.map((l) => `  ${l}`),
      ...(files ? ['  changed sources (apps/ overlays/ base/) against this checkout:', ...files.split('\n').map((l) => `  ${l}`)] : []),
      `  A push from this checkout must build on served main (git pull ${served.bare} main first) or it is refused as non-fast-forward.`,
      `  logs: ${processes.logs}`,
      `Stop it with: kill ${process.pid}  (or Ctrl-C here)`,
    ].join('\n'),
  );
  await new Promise(() => {});
}

/** Prefixes a zx template with the built kubectl binary. */
function withKubectl(bin, strings) {
  const out = [...strings];
  out[0] = `${path.join(bin, 'kubectl')} ${out[0]}`;
  return Object.assign(out, { raw: out });
}
