/**
 * How Argo CD decides whether an AppProject admits an Application: the source repository must be listed and the
 * destination (server and namespace) must match one of the project's destinations. Used by the check stage and by
 * the tests that prove one environment's Applications cannot land in another's project.
 */

export interface AppProjectSpec {
  sourceRepos: string[];
  destinations: { server?: string; name?: string; namespace: string }[];
  clusterResourceWhitelist?: { group: string; kind: string }[];
  namespaceResourceWhitelist?: { group: string; kind: string }[];
}

export interface ApplicationSpec {
  project: string;
  source: { repoURL: string; path?: string; chart?: string; targetRevision: string };
  destination: { server?: string; name?: string; namespace: string };
}

/** Argo CD's destination and repository patterns are globs; `*` matches any run of characters. */
function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(value);
}

/** true when the project admits the Application, else the reason it does not. */
export function projectPermits(project: AppProjectSpec, app: ApplicationSpec): true | string {
  if (!project.sourceRepos.some((r) => globMatch(r, app.source.repoURL))) return `source ${app.source.repoURL} is not among the project's sourceRepos`;
  const ok = project.destinations.some(
    (d) =>
      (d.server === undefined || app.destination.server === undefined ? d.name === app.destination.name : globMatch(d.server, app.destination.server)) &&
      globMatch(d.namespace, app.destination.namespace),
  );
  return ok ? true : `destination namespace '${app.destination.namespace}' is not among the project's destinations`;
}
