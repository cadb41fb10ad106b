/**
 * The Argo CD API as types, generated from the official description of the pinned Argo CD version
 * (scripts/lib/argocd-types.mjs writes the committed argocd-api.generated.d.ts), and the
 * configuration of the client, read from the environment.
 */
import type { components, paths } from './argocd-api.generated.js';

export type ArgocdPaths = paths;
export type Application = components['schemas']['v1alpha1Application'];
export type RuntimeError = components['schemas']['runtimeError'];

/** Where one cluster's Argo CD answers, and the token to show it. */
export interface ArgocdConfig {
  server: string;
  token: string;
  /** The environment variable the server came from, named in messages so a person knows what to fix. */
  serverVariable: string;
  tokenVariable: string;
}

/** `production-dr` → `PRODUCTION_DR`: the suffix of the per-cluster and per-environment variables. */
export function variableSuffix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/**
 * Finds the Argo CD for a cluster: `ARGOCD_SERVER_<CLUSTER>`, then `ARGOCD_SERVER_<ENV>`, then `ARGOCD_SERVER`
 * (and the same for `ARGOCD_AUTH_TOKEN`), because each cluster may run its own Argo CD.
 * Returns undefined when no server is configured (the caller says what it skipped); a server without a token
 * is a mistake and throws.
 */
export function argocdConfig(env: NodeJS.ProcessEnv, cluster: string, environment: string): ArgocdConfig | undefined {
  const names = (base: string) => [...new Set([`${base}_${variableSuffix(cluster)}`, `${base}_${variableSuffix(environment)}`, base])];
  const pick = (base: string) => {
    for (const name of names(base)) {
      const value = env[name]?.trim();
      if (value) return { name, value };
    }
    return undefined;
  };
  const server = pick('ARGOCD_SERVER');
  if (!server) return undefined;
  const token = pick('ARGOCD_AUTH_TOKEN');
  if (!token) {
    throw new Error(
      `${server.name} is set but no Argo CD token is: set ${names('ARGOCD_AUTH_TOKEN').join(' or ')} ` +
        `(an API token of a read-only Argo CD account: argocd account generate-token --account <name>)`,
    );
  }
  // Like the argocd CLI, accept a bare host name and assume HTTPS.
  const url = /^https?:\/\//.test(server.value) ? server.value : `https://${server.value}`;
  return { server: url.replace(/\/+$/, ''), token: token.value, serverVariable: server.name, tokenVariable: token.name };
}
