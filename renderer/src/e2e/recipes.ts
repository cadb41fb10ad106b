/**
 * How `npm run e2e` builds the real control plane and Argo CD from the Go module proxy: one wrapper module per
 * upstream project, generated from renderer/pins.json (and, for Kubernetes and Argo CD, from the upstream go.mod
 * read at run time). Pure: the runner (scripts/e2e/build.mjs) writes these files and runs the commands.
 *
 * Why wrapper modules: kubernetes and argo-cd cannot be `go install`ed (their go.mod files carry `replace`
 * directives), so a module of our own requires them and repeats the replaces that matter.
 */
import { createHash } from 'node:crypto';
import type { ModulePin, Pins } from '../tools/pins.js';

/** The Go version line of every wrapper; Go raises it itself when a dependency needs more. */
export const wrapperGo = { kubernetes: '1.26.0', etcd: '1.26.0', argocd: '1.26.1' } as const;

/** Binaries each build leaves in the output folder. */
export const e2eBinaries = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl', 'kwok', 'argocd', 'metrics-server'] as const;

export interface E2ePins {
  kubernetes: ModulePin;
  argocd: ModulePin;
  etcd: ModulePin;
  kwok: ModulePin;
  gitopsEngine: ModulePin;
  /** The metrics-server release the metrics-server add-on chart runs (its appVersion), run as a host process. */
  metricsServer: ModulePin;
}

/** Picks what the e2e builds out of the pins; throws naming the missing entry. */
export function e2ePins(pins: Pins): E2ePins {
  const need = (section: 'sources' | 'e2e', name: string): ModulePin => {
    const pin = pins[section][name];
    if (!pin) throw new Error(`renderer/pins.json: "${section}.${name}" is missing; npm run e2e builds it`);
    return pin;
  };
  return {
    kubernetes: need('sources', 'kubernetes'),
    argocd: need('sources', 'argocd'),
    etcd: need('e2e', 'etcd'),
    kwok: need('e2e', 'kwok'),
    gitopsEngine: need('e2e', 'gitopsEngine'),
    metricsServer: need('e2e', 'metricsServer'),
  };
}

/** The cache folder name under .cache/tools/e2e/: changes whenever any pinned version (or a recipe) changes. */
export function buildKey(p: E2ePins): string {
  const text = JSON.stringify({ recipe: 1, wrapperGo, pins: [p.kubernetes, p.argocd, p.etcd, p.kwok, p.gitopsEngine, p.metricsServer] });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** `k8s.io/kubernetes v1.36.3` → `v0.36.3`: the staging modules are tagged with major version 0. */
export function stagingVersion(kubernetesVersion: string): string {
  const m = /^v1\.(\d+\.\d+)$/.exec(kubernetesVersion);
  if (!m) throw new Error(`cannot derive the staging module version from Kubernetes ${kubernetesVersion} (expected v1.<minor>.<patch>)`);
  return `v0.${m[1]}`;
}

/** The paths of go.mod `replace` lines that point into `./staging/`, in file order. */
export function stagingReplaces(goMod: string): string[] {
  const out: string[] = [];
  for (const line of goMod.split('\n')) {
    const m = /^\s*(?:replace\s+)?(\S+)\s*=>\s*\.\/staging\//.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

/**
 * `k8s.io/sample-cli-plugin` has no release at the staging version and nothing in the binaries needs it, so its
 * replace would only make resolution fail.
 */
const unpublishedStaging = new Set(['k8s.io/sample-cli-plugin']);

/** The first lines of every wrapper module: its name, Go version and the one upstream module it requires. */
function wrapperHead(name: keyof typeof wrapperGo, pin: ModulePin): string[] {
  return [`module berrys.local/e2e-${name}`, '', `go ${wrapperGo[name]}`, '', `require ${pin.module} ${pin.version}`, ''];
}

/** The wrapper go.mod for kube-apiserver, -controller-manager, -scheduler and kubectl. */
export function kubernetesGoMod(pin: ModulePin, upstreamGoMod: string): string {
  const v = stagingVersion(pin.version);
  const replaces = stagingReplaces(upstreamGoMod).filter((m) => !unpublishedStaging.has(m));
  if (replaces.length === 0) throw new Error(`${pin.module}@${pin.version}: its go.mod has no ./staging replaces; the build recipe needs updating`);
  return [...wrapperHead('kubernetes', pin), 'replace (', ...replaces.map((m) => `\t${m} => ${m} ${v}`), ')', ''].join('\n');
}

/** Without these the binaries report `v0.0.0-master+$Format:%H$`, which kubectl cannot parse. */
export function kubernetesLdflags(pin: ModulePin): string {
  const [major, minor] = pin.version.replace(/^v/, '').split('.');
  return ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']
    .flatMap((pkg) => [`-X ${pkg}.gitVersion=${pin.version}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`])
    .join(' ');
}

export const kubernetesPackages = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'].map((c) => `k8s.io/kubernetes/cmd/${c}`);

/**
 * `go install` of metrics-server's own command (its go.mod has no replaces), stamped with its version as its
 * Makefile does, so `/version` and the logs name the release.
 */
export function metricsServerInstall(pin: ModulePin): { target: string; ldflags: string } {
  return { target: `${pin.module}/cmd/metrics-server@${pin.version}`, ldflags: `-X ${pin.module}/pkg/version.gitVersion=${pin.version}` };
}

export function etcdGoMod(pin: ModulePin): string {
  return wrapperHead('etcd', pin).join('\n');
}

export const etcdMain = `package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
`;

/**
 * The `replace (...)` blocks and single `replace` lines of a go.mod, verbatim. Argo CD's own replaces pin the
 * Kubernetes libraries it was tested with; without them Go would pick newer ones that do not compile with it.
 */
export function replaceDirectives(goMod: string): string[] {
  const out: string[] = [];
  const lines = goMod.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^replace\s*\($/.test(line.trim())) {
      const block = [line];
      while (++i < lines.length && lines[i]!.trim() !== ')') block.push(lines[i]!);
      block.push(')');
      out.push(block.join('\n'));
    } else if (/^replace\s+\S/.test(line)) {
      out.push(line);
    }
  }
  return out;
}

/**
 * The wrapper go.mod for Argo CD: upstream's replaces, except the one into `./gitops-engine` (a nested module that
 * the module zip does not contain), which is pointed at the pinned gitops-engine pseudo-version instead.
 */
export function argocdGoMod(pin: ModulePin, upstreamGoMod: string, gitopsEngine: ModulePin): string {
  const local = new RegExp(`^\\s*(?:replace\\s+)?${gitopsEngine.module.replace(/[.]/g, '\\.')}\\s*=>\\s*\\./`);
  const replaces = replaceDirectives(upstreamGoMod)
    .map((d) =>
      d
        .split('\n')
        .filter((l) => !local.test(l))
        .join('\n'),
    )
    .filter((d) => !/^replace\s*\(\n\)$/.test(d) && d.trim() !== '');
  return [...wrapperHead('argocd', pin), ...replaces.flatMap((r) => [r, '']), `replace ${gitopsEngine.module} => ${gitopsEngine.module} ${gitopsEngine.version}`, ''].join('\n');
}

/** The names the one Argo CD binary answers to (it picks its role from the name it was started with). */
export const argocdRoles = ['argocd-server', 'argocd-repo-server', 'argocd-application-controller'] as const;
