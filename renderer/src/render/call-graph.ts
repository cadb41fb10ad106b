/**
 * The call graph: who calls whom, from each app's `calls` in apps/. It gives every caller its *_URL variables and
 * egress rules and every callee its ingress rules (plan.ts), so its rules live in one place: every callee is in the
 * catalogue, the graph is layered (no cycles), and in each environment every callee of a deployed app is deployed,
 * unless the call waits for it (`{app: <callee>, when: deployed}`): then the call is wired only where the callee is
 * deployed, which lets a new service enter the chain after the app that calls it (README, Introduce a service).
 */
import { allowedHint, type Problem } from '../errors.js';
import type { AppSpec } from '../model.js';
import type { Source } from '../source.js';
import type { LoadedEnvironment, LoadedRepo } from './load.js';

/** One entry of an app's `calls`, read the same way whichever form it was written in. */
export interface DeclaredCall {
  callee: string;
  /** Declared `when: deployed`: wired only where the callee is deployed; elsewhere left out, with a note. */
  waits: boolean;
  /** Its position in `calls`, to point at it. */
  index: number;
}

/** The calls an app declares, in the order written. */
export function declaredCalls(spec: Pick<AppSpec, 'calls'>): DeclaredCall[] {
  return spec.calls.map((c, index) => (typeof c === 'string' ? { callee: c, waits: false, index } : { callee: c.app, waits: true, index }));
}

/** The variable that holds a callee's URL in its caller's pods. */
export function envVarName(app: string): string {
  return `${app.replace(/-/g, '_').toUpperCase()}_URL`;
}

/** The apps an app may call anywhere: the names its *_URL variables are derived from. */
export function calleeNames(spec: AppSpec): string[] {
  return declaredCalls(spec).map((c) => c.callee);
}

/** What the call graph is in one environment, among the apps deployed there. */
export interface EnvironmentCalls {
  /** Each deployed app's live calls: those it declares whose callee is deployed here, in the order written. */
  callsOf: Map<string, string[]>;
  /** Each deployed app's live callers, in catalogue order (they get ingress rules). */
  callersOf: Map<string, string[]>;
  /** Calls that wait for their callee here (`when: deployed`, callee not deployed): left out of the render. */
  waiting: { caller: string; callee: string }[];
}

/** The resolved call graph of every environment, its problems, and one note per environment where calls wait. */
export interface ResolvedCalls {
  byEnvironment: Map<string, EnvironmentCalls>;
  problems: Problem[];
  /** One line per environment where calls wait, for the render to print. */
  notes: string[];
}

/** Where a call is written: apps/<caller>.yaml, at its entry in `calls`. */
function callAt(app: Source<AppSpec>, index: number): Pick<Problem, 'file' | 'line' | 'col'> {
  return { file: app.file, ...app.locate(['calls', index]) };
}

/**
 * The first cycle found in `edges` (caller → callees), as [a, b, …, a], each distinct ring once (by its members).
 * Why cycles matter: the call graph orders first rollouts and is the network policy; services that call each other
 * in a ring can neither start nor be reasoned about alone, so the platform keeps its call graph layered.
 */
function findCycles(names: string[], edges: (name: string) => string[]): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const seen = new Set<string>();
  const cycles: string[][] = [];
  const visit = (name: string, trail: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      const key = cycle.slice(0, -1).sort().join(',');
      if (!seen.has(key)) cycles.push(cycle);
      seen.add(key);
      return;
    }
    state.set(name, 'visiting');
    for (const callee of edges(name)) visit(callee, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of names) visit(name, []);
  return cycles;
}

/**
 * Catalogue-wide rules, all problems at once: a call to an app that is not in the catalogue, the same callee twice,
 * and every cycle of calls that do not wait (such a ring is live wherever one of its apps is deployed). A ring with a
 * waiting call is judged per environment (`resolveCalls`): it is a cycle only where all of its calls are live.
 */
export function checkCallGraph(repo: LoadedRepo, appNames: string[], problems: Problem[]): void {
  for (const [name, app] of repo.apps) {
    const seen = new Set<string>();
    for (const call of declaredCalls(app.value)) {
      if (!repo.apps.has(call.callee)) {
        problems.push({ ...callAt(app, call.index), message: `app '${name}' calls '${call.callee}', which is not in the catalogue`, hint: allowedHint(call.callee, appNames) });
      }
      if (seen.has(call.callee)) {
        problems.push({ ...callAt(app, call.index), message: `app '${name}' declares its call to '${call.callee}' twice`, hint: 'keep one entry per callee' });
      }
      seen.add(call.callee);
    }
  }
  const firm = (name: string) => {
    const app = repo.apps.get(name);
    return app
      ? declaredCalls(app.value)
          .filter((c) => !c.waits && repo.apps.has(c.callee))
          .map((c) => c.callee)
      : [];
  };
  for (const cycle of findCycles(appNames, firm)) {
    const from = repo.apps.get(cycle[cycle.length - 2]!)!;
    problems.push({
      ...callAt(from, declaredCalls(from.value).find((c) => c.callee === cycle.at(-1))!.index),
      message: `dependency cycle: ${cycle.join(' → ')}`,
      hint: 'the call graph must be layered; remove one of these calls',
    });
  }
}

/** The step that deploys `app` in `env`: a release at the chain's start, a promotion further on, an edit outside it. */
function deployStep(app: string, env: LoadedEnvironment, chain: readonly string[]): string {
  const at = chain.indexOf(env.name);
  if (at === 0) return `npm run release -- --app ${app} --version <tag>`;
  if (at > 0) return `npm run promote -- --from ${chain[at - 1]} --to ${env.name} --app ${app}`;
  return `add '${app}: <version>' to ${env.versions.file}`;
}

/**
 * The call graph of every environment (each app's live calls and callers among the apps deployed there), with its
 * problems: a call that does not wait, to an app not deployed there; a ring of calls all live in one environment.
 * Calls that wait for their callee are left out where it is not deployed, said once per environment as a note.
 */
export function resolveCalls(repo: LoadedRepo, appNames: string[], chain: readonly string[]): ResolvedCalls {
  const byEnvironment = new Map<string, EnvironmentCalls>();
  const problems: Problem[] = [];
  const notes: string[] = [];
  const ringsIn = new Map<string, { cycle: string[]; envs: string[] }>();
  for (const env of [...repo.environments.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const deployed = (app: string) => env.versions.value[app] !== undefined && repo.apps.has(app);
    const callsOf = new Map<string, string[]>();
    const callersOf = new Map<string, string[]>();
    const waiting: { caller: string; callee: string }[] = [];
    for (const caller of appNames) {
      if (!deployed(caller)) continue;
      const live: string[] = [];
      for (const call of declaredCalls(repo.apps.get(caller)!.value)) {
        if (!repo.apps.has(call.callee) || live.includes(call.callee)) continue;
        if (deployed(call.callee)) {
          live.push(call.callee);
          callersOf.set(call.callee, [...(callersOf.get(call.callee) ?? []), caller]);
        } else if (call.waits) waiting.push({ caller, callee: call.callee });
        else {
          problems.push({
            file: env.versions.file,
            ...env.versions.locate([caller]),
            message: `app '${caller}' calls '${call.callee}', which is not deployed in '${env.name}' (no version in ${env.versions.file})`,
            hint:
              `to introduce or retire ${call.callee} gradually, make the call wait for it: {app: ${call.callee}, when: deployed} in apps/${caller}.yaml ` +
              `(then ${env.name} renders ${caller} without it); or deploy ${call.callee} here (${deployStep(call.callee, env, chain)}); or leave ${caller} out of ${env.name} too`,
          });
        }
      }
      callsOf.set(caller, live);
    }
    for (const cycle of findCycles(appNames, (name) => callsOf.get(name) ?? [])) {
      const key = cycle.slice(0, -1).sort().join(',');
      const ring = ringsIn.get(key) ?? { cycle, envs: [] };
      ring.envs.push(env.name);
      ringsIn.set(key, ring);
    }
    if (waiting.length > 0) {
      const each = waiting.map((w) => `${w.caller} → ${w.callee} (no ${envVarName(w.callee)})`);
      notes.push(`${env.name}: ${each.join(', ')}: wired once the callee is deployed in ${env.name} (when: deployed); no network policy rule for it yet`);
    }
    byEnvironment.set(env.name, { callsOf, callersOf, waiting });
  }
  // Rings of calls that do not wait are reported catalogue-wide (checkCallGraph); here only those a waiting call closes.
  for (const { cycle, envs } of ringsIn.values()) {
    const links = cycle.slice(0, -1).map((caller, i) => ({ caller, call: declaredCalls(repo.apps.get(caller)!.value).find((c) => c.callee === cycle[i + 1])! }));
    const waits = links.find((l) => l.call.waits);
    if (!waits) continue;
    problems.push({
      ...callAt(repo.apps.get(waits.caller)!, waits.call.index),
      message: `dependency cycle in ${envs.join(', ')}: ${cycle.join(' → ')} (every call of the ring is live there)`,
      hint: `the call graph must be layered in every environment; remove one of these calls, or retire one of its apps from ${envs.join(', ')}`,
    });
  }
  return { byEnvironment, problems, notes };
}
