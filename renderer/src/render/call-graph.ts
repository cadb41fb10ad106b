/**
 * The call graph: who calls whom, from each app's `calls` in apps/. It gives every caller its *_URL variables and
 * egress rules and every callee its ingress rules (plan.ts), so its rules live in one place: every callee is in the
 * catalogue, the graph is layered (no cycles), and in each environment every callee of a deployed app is deployed.
 */
import { allowedHint, type Problem } from '../errors.js';
import type { LoadedEnvironment, LoadedRepo } from './load.js';

/** Catalogue-wide rules, all problems at once: a call to an app that is not in the catalogue, and every cycle. */
export function checkCallGraph(repo: LoadedRepo, appNames: string[], problems: Problem[]): void {
  for (const [name, app] of repo.apps) {
    app.value.calls.forEach((callee, i) => {
      if (!repo.apps.has(callee)) {
        problems.push({
          file: app.file,
          ...app.locate(['calls', i]),
          message: `app '${name}' calls '${callee}', which is not in the catalogue`,
          hint: allowedHint(callee, appNames),
        });
      }
    });
  }
  // Why cycles matter: the call graph orders first rollouts and is the network policy; services that call each
  // other in a ring can neither start nor be reasoned about alone, so the platform keeps its call graph layered.
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      const key = [...cycle.slice(0, -1)].sort().join(',');
      if (reported.has(key)) return;
      reported.add(key);
      const from = repo.apps.get(cycle[cycle.length - 2]!)!;
      const index = from.value.calls.indexOf(name);
      problems.push({
        file: from.file,
        ...from.locate(['calls', index]),
        message: `dependency cycle: ${cycle.join(' → ')}`,
        hint: 'the call graph must be layered; remove one of these calls',
      });
      return;
    }
    state.set(name, 'visiting');
    for (const callee of repo.apps.get(name)?.value.calls ?? []) if (repo.apps.has(callee)) visit(callee, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of appNames) visit(name, []);
}

/** Who calls whom among the apps deployed in `env`: callee → its callers (deployed there), in `appNames` order. */
export function callersIn(repo: LoadedRepo, env: LoadedEnvironment, appNames: string[]): Map<string, string[]> {
  // Built once per environment: filtering every app per app is quadratic at 1,000 apps.
  const callersOf = new Map<string, string[]>();
  for (const caller of appNames) {
    if (env.versions.value[caller] === undefined) continue;
    for (const callee of new Set(repo.apps.get(caller)!.value.calls)) callersOf.set(callee, [...(callersOf.get(callee) ?? []), caller]);
  }
  return callersOf;
}

/** A deployed app's calls to apps of the catalogue that are not deployed in `env`: one problem each, at its version line. */
export function checkCalleesDeployed(repo: LoadedRepo, env: LoadedEnvironment, name: string): Problem[] {
  const problems: Problem[] = [];
  for (const callee of repo.apps.get(name)!.value.calls) {
    if (env.versions.value[callee] !== undefined || !repo.apps.has(callee)) continue;
    problems.push({
      file: env.versions.file,
      ...env.versions.locate([name]),
      message: `app '${name}' calls '${callee}', which is not deployed in '${env.name}' (no version in ${env.versions.file})`,
      hint: `deploy ${callee} in ${env.name} first (npm run promote), or leave ${name} out of ${env.name} too`,
    });
  }
  return problems;
}
