/**
 * Which cluster a kube context points at, and the guard that refuses the wrong one. Pure: it sees the kube config
 * as plain data (KubeConfigView), so the table of cases is tested without files or servers.
 */
import { allowedHint } from '../errors.js';
import { repoPaths } from '../paths.js';
import { BootstrapError } from './error.js';

/** The parts of a kube config the check needs. */
export interface KubeConfigView {
  /** Where it was read from, for messages: a file, `$KUBECONFIG`, … */
  source: string;
  currentContext: string;
  contexts: readonly { name: string; cluster: string }[];
  clusters: readonly { name: string; server: string }[];
}

/** The cluster as clusters/index.json declares it. */
export interface DeclaredCluster {
  name: string;
  environment: string;
  apiServer: string;
}

export interface Target {
  context: string;
  /** The server URL exactly as the kube config spells it; requests go there. */
  server: string;
}

/**
 * A server URL in one spelling: scheme and host lower-cased, the default port dropped (443 for https, 80 for http),
 * no trailing slash. `https://API.example.com:443/` and `https://api.example.com` are the same server.
 * Text that is not a URL is only trimmed, so it can still be compared and shown.
 */
export function normalizeServerUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    return url.trim().replace(/\/+$/, '');
  }
  // WHATWG URL already lower-cases scheme and host and drops the scheme's default port; the path keeps its case.
  const path = u.pathname.replace(/\/+$/, '');
  return `${u.protocol}//${u.host}${path}`;
}

/**
 * Picks the kube context (`--context`, else the current one) and refuses it unless its cluster's server is the
 * apiServer declared for `cluster`. Throws a BootstrapError naming the context and both URLs.
 */
export function resolveTarget(view: KubeConfigView, requested: string | undefined, cluster: DeclaredCluster): Target {
  const contextNames = view.contexts.map((c) => c.name);
  const matching = view.contexts
    .filter((c) => {
      const server = view.clusters.find((k) => k.name === c.cluster)?.server;
      return server !== undefined && normalizeServerUrl(server) === normalizeServerUrl(cluster.apiServer);
    })
    .map((c) => c.name);
  const pick =
    matching.length > 0
      ? `pass --context ${matching.join(' or --context ')} (${matching.length === 1 ? 'it points' : 'they point'} at ${cluster.apiServer})`
      : `add a context for ${cluster.apiServer} to the kube config (for EKS: aws eks update-kubeconfig --name <cluster> --region <region>), then pass --context <name>`;

  const name = requested ?? view.currentContext;
  if (!name) {
    throw new BootstrapError(`the kube config (${view.source}) has no current context`, pick);
  }
  const context = view.contexts.find((c) => c.name === name);
  if (!context) {
    throw new BootstrapError(`kube context '${name}' is not in the kube config (${view.source})`, contextNames.length > 0 ? allowedHint(name, contextNames) : pick);
  }
  const server = view.clusters.find((k) => k.name === context.cluster)?.server;
  if (server === undefined) {
    throw new BootstrapError(`kube context '${name}' names cluster '${context.cluster}', which is not in the kube config (${view.source})`, pick);
  }
  if (normalizeServerUrl(server) !== normalizeServerUrl(cluster.apiServer)) {
    throw new BootstrapError(
      `refusing kube context '${name}': its server ${server} is not ${cluster.apiServer}, the apiServer of cluster '${cluster.name}' in ${repoPaths.clusterIndex}`,
      `${pick}; if the cluster's address changed, change apiServer in ${repoPaths.environment(cluster.environment)} and run \`npm run render\``,
    );
  }
  return { context: name, server };
}
