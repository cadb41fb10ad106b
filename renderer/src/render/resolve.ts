/**
 * Stage 2, resolve: the loaded files → one resolved model per cluster, or every problem at once. Its steps: merge
 * every cluster (merge.ts, with the promotion chain from chain.ts), then the guard rails over the inputs and over
 * what the merge made (guards.ts, secrets.ts). The guards read the merged model, so they run here, after the merge,
 * and merge.ts never imports them.
 */
import type { Problem } from '../errors.js';
import type { LoadedRepo } from './load.js';
import { mergeRepo, type MergedAppSettings, type ResolvedRepo } from './merge.js';
import { checkAppGuards, checkAppNames, checkSecretExceptions } from './guards.js';
import { findPlaintextSecrets } from './secrets.js';

/** Resolves every cluster of every loaded environment: the resolved model, or every cross-file problem (then none). */
export function resolveRepo(repo: LoadedRepo): { resolved?: ResolvedRepo; problems: Problem[] } {
  const { merged, appSettings, problems } = mergeRepo(repo);
  problems.push(...checkInputGuards(repo), ...checkMergedGuards(appSettings));
  if (problems.length > 0) return { problems };
  return { resolved: merged, problems };
}

/** Plaintext secrets in any input, stale secret exceptions, and app names Kubernetes would refuse. */
function checkInputGuards(repo: LoadedRepo): Problem[] {
  const problems: Problem[] = [];
  const allowed = repo.exceptions?.value.secrets ?? [];
  const environments = [...repo.environments.values()];
  const inputs = [repo.platform, repo.defaults, repo.addons, ...repo.apps.values(), ...environments.flatMap((e) => [e.spec, e.versions, ...e.overrides.values()])];
  for (const source of inputs) problems.push(...findPlaintextSecrets(source, allowed));
  if (repo.exceptions) problems.push(...checkSecretExceptions(repo.exceptions, inputs));
  const envNames = [...repo.environments.keys()].sort();
  for (const app of repo.apps.values()) problems.push(...checkAppNames(app, envNames));
  return problems;
}

/** Each app's guard rails in each cluster, on its merged settings. */
function checkMergedGuards(appSettings: MergedAppSettings[]): Problem[] {
  return appSettings.flatMap(({ app, cluster, settings, settingAt }) => checkAppGuards(app, cluster, settings, settingAt));
}
