/**
 * What a version change does to the call graph of its environment: a call that waits for its callee
 * (`when: deployed`, render/call-graph.ts) is wired when the callee enters and left out when it leaves, so the
 * caller's folder changes with it (its *_URL variable and network policy rule), as does the callee's (its ingress
 * rule). Pure: the gate reads the versions and the apps' calls of both sides and labels each change by its cause.
 */
import type { DeclaredCall } from '../render/call-graph.js';
import type { Versions } from './versions.js';

/** Each app's declared calls (apps/<app>.yaml). */
export type AppCalls = Map<string, DeclaredCall[]>;

/** A call that starts or stops being live in an environment, and the app whose entry or exit caused it. */
export interface WiringChange {
  env: string;
  caller: string;
  callee: string;
  /** `wired`: live now (URL variable, network policy rules); `unwired`: left out now. */
  now: 'wired' | 'unwired';
  /** The app that entered or left the environment and so caused it; undefined when the declaration itself changed. */
  by: string | undefined;
}

/** The calls live in an environment: both ends deployed (a plain call's callee must be, or the render refuses). */
function liveCalls(calls: AppCalls, versions: Versions): Set<string> {
  const live = new Set<string>();
  for (const [caller, declared] of calls) {
    if (!versions.has(caller)) continue;
    for (const call of declared) if (versions.has(call.callee)) live.add(`${caller}\u0000${call.callee}`);
  }
  return live;
}

/** The calls that start or stop being live in `env` between two sides, each with the app whose move caused it. */
export function wiringChanges(env: string, before: { calls: AppCalls; versions: Versions }, after: { calls: AppCalls; versions: Versions }): WiringChange[] {
  const was = liveCalls(before.calls, before.versions);
  const is = liveCalls(after.calls, after.versions);
  const moved = (app: string) => before.versions.has(app) !== after.versions.has(app);
  const changes: WiringChange[] = [];
  const add = (key: string, now: WiringChange['now']) => {
    const [caller, callee] = key.split('\u0000') as [string, string];
    changes.push({ env, caller, callee, now, by: moved(callee) ? callee : moved(caller) ? caller : undefined });
  };
  for (const key of is) if (!was.has(key)) add(key, 'wired');
  for (const key of was) if (!is.has(key)) add(key, 'unwired');
  return changes.sort((a, b) => (`${a.caller} ${a.callee}` < `${b.caller} ${b.callee}` ? -1 : 1));
}

/** A rendered file of the last environment that changes because of a version change, and why. */
export interface CausedChange {
  env: string;
  /** The app whose version change causes it. */
  app: string;
  file: string;
  why: string;
}

/**
 * The rendered files of `clusters` that version changes of `env` explain: the argocd folder's manifest when an app
 * enters or leaves (its Application), and the folders of the apps whose calls it wires or unwires. A folder whose own
 * inputs changed too is not explained by the move: it stays listed for review. Only files that `changed` holds.
 */
export function causedChanges(
  env: string,
  clusters: string[],
  moves: { app: string; base: string | undefined; head: string | undefined }[],
  wiring: WiringChange[],
  paths: { argocdManifest: (cluster: string) => string; appManifest: (cluster: string, app: string) => string; appInputs: (app: string) => string[] },
  changed: ReadonlySet<string>,
): CausedChange[] {
  const out: CausedChange[] = [];
  for (const move of moves) {
    if ((move.base === undefined) === (move.head === undefined)) continue;
    const why = move.head === undefined ? `its Application leaves (${move.app} retired)` : `its new Application (${move.app})`;
    for (const cluster of clusters) out.push({ env, app: move.app, file: paths.argocdManifest(cluster), why });
  }
  for (const w of wiring) {
    if (w.by === undefined) continue;
    const what = `${w.caller} → ${w.callee} ${w.now === 'wired' ? 'wired' : 'left out'}`;
    for (const app of [w.caller, w.callee]) {
      if (app === w.by || paths.appInputs(app).some((f) => changed.has(f))) continue;
      const why = app === w.caller ? `${what} (its URL variable and egress rule)` : `${what} (its ingress rule)`;
      for (const cluster of clusters) out.push({ env, app: w.by, file: paths.appManifest(cluster, app), why });
    }
  }
  return out.filter((c) => changed.has(c.file));
}
