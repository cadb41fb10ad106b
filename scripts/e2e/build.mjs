// Builds the pinned control plane, kwok and Argo CD from the Go module proxy into .cache/tools/e2e/<key>/bin, once
// per set of versions (the key comes from renderer/pins.json; see renderer/src/e2e/recipes.ts for the recipes).
// Go's build cache makes a rebuild after a key change mostly a relink.
import { $ } from 'zx';
import { existsSync, mkdirSync, writeFileSync, readFileSync, symlinkSync, rmSync, chmodSync, copyFileSync, renameSync } from 'node:fs';
import path from 'node:path';

async function goModJson(ref, env) {
  const out = await $({ env: { ...env, GOFLAGS: '-mod=mod', GO111MODULE: 'on' }, cwd: '/' })`go mod download -json ${ref}`.quiet();
  return JSON.parse(out.stdout);
}

export async function ensureE2eBinaries({ root, recipes, pins, phases, log }) {
  const p = recipes.e2ePins(pins);
  const key = recipes.buildKey(p);
  const dir = path.join(root, '.cache', 'tools', 'e2e', key);
  const bin = path.join(dir, 'bin');
  const src = path.join(root, '.cache', 'tools', 'e2e', 'src');
  const stamp = path.join(dir, 'stamp.json');
  const want = {
    kubernetes: p.kubernetes.version,
    argocd: p.argocd.version,
    etcd: p.etcd.version,
    kwok: p.kwok.version,
    gitopsEngine: p.gitopsEngine.version,
    metricsServer: p.metricsServer.version,
  };
  if (existsSync(stamp) && recipes.e2eBinaries.every((b) => existsSync(path.join(bin, b)))) {
    log(
      `  binaries for ${Object.entries(want)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} are cached in ${path.relative(root, dir)}`,
    );
    return {
      bin,
      dir,
      kwokModule: (await goModJson(`${p.kwok.module}@${p.kwok.version}`, process.env)).Dir,
      argocdModule: (await goModJson(`${p.argocd.module}@${p.argocd.version}`, process.env)).Dir,
    };
  }
  mkdirSync(bin, { recursive: true });
  const env = { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0' };
  const build = async (name, fn) => {
    if (fn.outputs.every((b) => existsSync(path.join(bin, b)))) return;
    await phases.run(`build ${name}`, async () => fn());
  };
  const wrapper = (name, files) => {
    const d = path.join(src, name);
    mkdirSync(d, { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(path.join(d, f), text);
    return d;
  };
  // Each binary is built to a temporary name and renamed, so an interrupted build never leaves a half-written file.
  const into = async (names, run) => {
    const tmp = path.join(dir, 'tmp');
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    await run(tmp);
    for (const n of names) renameSync(path.join(tmp, n), path.join(bin, n));
    rmSync(tmp, { recursive: true, force: true });
  };

  const etcd = async () => {
    const d = wrapper('etcd', { 'go.mod': recipes.etcdGoMod(p.etcd), 'main.go': recipes.etcdMain });
    await into(['etcd'], (out) => $({ cwd: d, env })`go build -o ${path.join(out, 'etcd')} .`.quiet());
  };
  etcd.outputs = ['etcd'];
  const kubernetes = async () => {
    const upstream = readFileSync((await goModJson(`${p.kubernetes.module}@${p.kubernetes.version}`, process.env)).GoMod, 'utf8');
    const d = wrapper('kubernetes', { 'go.mod': recipes.kubernetesGoMod(p.kubernetes, upstream) });
    const names = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'];
    await into(names, (out) => $({ cwd: d, env })`go build -o ${out + '/'} -ldflags ${recipes.kubernetesLdflags(p.kubernetes)} ${recipes.kubernetesPackages}`.quiet());
  };
  kubernetes.outputs = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'];
  const argocd = async () => {
    const upstream = readFileSync((await goModJson(`${p.argocd.module}@${p.argocd.version}`, process.env)).GoMod, 'utf8');
    const d = wrapper('argocd', { 'go.mod': recipes.argocdGoMod(p.argocd, upstream, p.gitopsEngine) });
    await into(['argocd'], (out) => $({ cwd: d, env })`go build -o ${path.join(out, 'argocd')} ${p.argocd.module}/cmd`.quiet());
  };
  argocd.outputs = ['argocd'];
  const kwok = async () => {
    // A plain `go install` from an empty folder, like the tools step (renderer/src/tools/go.ts).
    const scratch = path.join(src, 'kwok-scratch');
    mkdirSync(scratch, { recursive: true });
    await into(['kwok'], (out) => $({ cwd: scratch, env: { ...process.env, GOBIN: out, GO111MODULE: 'on' } })`go install ${p.kwok.module}/cmd/kwok@${p.kwok.version}`.quiet());
  };
  kwok.outputs = ['kwok'];
  const metricsServer = async () => {
    const scratch = path.join(src, 'metrics-server-scratch');
    mkdirSync(scratch, { recursive: true });
    const { target, ldflags } = recipes.metricsServerInstall(p.metricsServer);
    await into(['metrics-server'], (out) =>
      $({ cwd: scratch, env: { ...process.env, CGO_ENABLED: '0', GOBIN: out, GO111MODULE: 'on' } })`go install -ldflags ${ldflags} ${target}`.quiet(),
    );
  };
  metricsServer.outputs = ['metrics-server'];

  await build(`etcd ${p.etcd.version}`, etcd);
  await build(`kwok ${p.kwok.version}`, kwok);
  await build(`metrics-server ${p.metricsServer.version}`, metricsServer);
  await build(`Kubernetes ${p.kubernetes.version} (kube-apiserver, kube-controller-manager, kube-scheduler, kubectl)`, kubernetes);
  await build(`Argo CD ${p.argocd.version} (gitops-engine ${p.gitopsEngine.version}, an approximation of its pin)`, argocd);
  writeFileSync(stamp, `${JSON.stringify(want, null, 2)}\n`);
  return ensureE2eBinaries({ root, recipes, pins, phases, log });
}

/**
 * The one Argo CD binary under the names it answers to, plus git-verify-wrapper.sh, which v3.5's repo-server runs
 * from PATH for every manifest generation (the module ships it under hack/).
 */
export function argocdBinDir(bin, argocdModule, roles, stateDir) {
  const d = path.join(stateDir, 'argocd-bin');
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  for (const role of ['argocd', ...roles]) symlinkSync(path.join(bin, 'argocd'), path.join(d, role));
  copyFileSync(path.join(argocdModule, 'hack', 'git-verify-wrapper.sh'), path.join(d, 'git-verify-wrapper.sh'));
  chmodSync(path.join(d, 'git-verify-wrapper.sh'), 0o755);
  return d;
}
