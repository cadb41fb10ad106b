/**
 * What a release or a promotion changes, decided without touching anything: which versions move, the refusals,
 * and the words (branch, commit message, pull request) that describe the change.
 */
import { allowedHint, closest, UsageError } from '../errors.js';
import type { PromotionChain } from '../cluster-index.js';
import { isReleaseTag, type Versions } from './versions.js';

/** Asked for something that is already so; entry points exit 1 with the message. */
class NothingToDo extends Error {
  override name = 'NothingToDo';
}

interface VersionChange {
  app: string;
  /** undefined when the app had no version in the target environment yet. */
  from: string | undefined;
  to: string;
  /** Rollback only: the newest commit at which the environment ran `to`. */
  ranAt?: string;
}

export interface Plan {
  kind: 'release' | 'promote' | 'rollback';
  /** The environment the versions come from (promote only). */
  source?: string;
  target: string;
  changes: VersionChange[];
  /** Apps that were asked for but already run the version (promote only). */
  unchanged: string[];
}

const chainText = (chain: PromotionChain) => chain.steps.join(' → ');

function chainEnv(name: string, flag: string, chain: PromotionChain): string {
  if (chain.steps.includes(name)) return name;
  if (chain.outside.includes(name)) {
    throw new UsageError(`${flag} ${name}: ${name} is outside the promotion chain (${chainText(chain)}); its versions are set by hand`);
  }
  throw new UsageError(`${flag}: unknown environment '${name}'; ${allowedHint(name, chain.steps)}`);
}

/** Works out the step from `--from` and/or `--to` (one implies the other) and refuses a skip or a step back. */
export function resolveStep(from: string | undefined, to: string | undefined, chain: PromotionChain): { source: string; target: string } {
  const steps = chain.steps;
  const text = chainText(chain);
  if (from === undefined && to === undefined) throw new UsageError(`say where to promote: --from <env> and/or --to <env> (${text})`);
  const source = from === undefined ? undefined : chainEnv(from, '--from', chain);
  const target = to === undefined ? undefined : chainEnv(to, '--to', chain);
  if (source !== undefined && target === undefined) {
    const next = steps[steps.indexOf(source) + 1];
    if (!next) throw new UsageError(`${source} is the end of the promotion chain (${text}); there is nothing to promote it to`);
    return { source, target: next };
  }
  if (source === undefined) {
    const previous = steps[steps.indexOf(target!) - 1];
    if (!previous) throw new UsageError(`${target} is the start of the promotion chain; new versions enter it with npm run release -- --app <app> --version <tag>`);
    return { source: previous, target: target! };
  }
  const step = steps.indexOf(target!) - steps.indexOf(source);
  if (step === 1) return { source, target: target! };
  if (step > 1) {
    const skipped = steps.slice(steps.indexOf(source) + 1, steps.indexOf(target!));
    throw new UsageError(
      `cannot promote from ${source} to ${target}: that skips ${skipped.join(', ')}; promote one step at a time (${text}): ` + `first --from ${source} --to ${skipped[0]}`,
    );
  }
  throw new UsageError(`cannot promote from ${source} to ${target}: versions move forward only (${text}); to go back, release the older version into ${steps[0]} and promote it`);
}

function checkApps(apps: string[], catalogue: string[]): void {
  for (const app of apps) {
    if (catalogue.includes(app)) continue;
    const guess = closest(app, catalogue);
    throw new UsageError(`unknown app '${app}'${guess ? ` (did you mean '${guess}'?)` : ''}; the apps are the files in apps/: ${catalogue.join(', ')}`);
  }
}

/** Parses `--app a,b` (also repeated flags); [] means every app. */
export function splitApps(values: string[] | undefined): string[] {
  const apps = (values ?? [])
    .flatMap((v) => v.split(','))
    .map((a) => a.trim())
    .filter(Boolean);
  return [...new Set(apps)];
}

/** A new version of one app enters the chain at its first step (`target`). */
export function planRelease(input: { app: string; version: string; catalogue: string[]; target: string; current: Versions }): Plan {
  checkApps([input.app], input.catalogue);
  if (!isReleaseTag(input.version)) {
    throw new UsageError(
      `'${input.version}' does not look like a release tag; use a semantic version such as 1.4.0, v1.4.0 or 1.4.0-rc.1 ` +
        `(a moving tag such as latest would leave the running version unknown)`,
    );
  }
  const current = input.current.get(input.app);
  if (current === input.version) throw new NothingToDo(`${input.app} already runs ${input.version} in ${input.target}; nothing to release`);
  return { kind: 'release', target: input.target, changes: [{ app: input.app, from: current, to: input.version }], unchanged: [] };
}

/** Copies the chosen apps' versions (all apps when none are chosen) from one environment to the next. */
export function planPromotion(input: { from?: string; to?: string; apps: string[]; catalogue: string[]; chain: PromotionChain; versions: (env: string) => Versions }): Plan {
  const { source, target } = resolveStep(input.from, input.to, input.chain);
  checkApps(input.apps, input.catalogue);
  const chosen = input.apps.length > 0 ? input.apps : input.catalogue;
  const sourceVersions = input.versions(source);
  const targetVersions = input.versions(target);
  const changes: VersionChange[] = [];
  const unchanged: string[] = [];
  for (const app of [...chosen].sort()) {
    const version = sourceVersions.get(app);
    if (version === undefined) {
      if (input.apps.length === 0) continue; // not deployed in the source yet: nothing to carry
      throw new UsageError(`${app} has no version in ${source} (overlays/${source}/versions.yaml), so there is nothing to promote to ${target}`);
    }
    const current = targetVersions.get(app);
    if (current === version) unchanged.push(app);
    else changes.push({ app, from: current, to: version });
  }
  if (changes.length === 0) {
    throw new NothingToDo(
      `nothing to promote from ${source} to ${target}: ${unchanged.length === 1 ? `${unchanged[0]} already runs` : `${unchanged.join(', ')} already run`} the same version${unchanged.length === 1 ? '' : 's'}`,
    );
  }
  return { kind: 'promote', source, target, changes, unchanged };
}

/**
 * Sets apps of one environment back to versions it ran before (`history`: each app's versions on the branch's
 * first-parent history, newest first). The default target is the newest version other than the current one.
 */
export function planRollback(input: {
  env: string;
  chain: PromotionChain;
  apps: string[];
  to?: string;
  catalogue: string[];
  current: Versions;
  history: ReadonlyMap<string, readonly { version: string; commit: string }[]>;
}): Plan {
  const target = chainEnv(input.env, '--env', input.chain);
  if (input.apps.length === 0) throw new UsageError('say which app to roll back: --app <app> (several: --app a,b)');
  if (input.to !== undefined && input.apps.length > 1)
    throw new UsageError('--to names one version, so it goes with one --app; roll several apps back to their previous versions without --to');
  checkApps(input.apps, input.catalogue);
  const changes: VersionChange[] = [];
  for (const app of [...input.apps].sort()) {
    const current = input.current.get(app);
    // Not deployed here now: a rollback restores it at the version it ran last (it was retired), if it ever ran here.
    if (current === undefined && (input.history.get(app) ?? []).length === 0) {
      throw new UsageError(
        `${target} never ran ${app} (no version in overlays/${target}/versions.yaml on this branch's history), so there is nothing to restore; ` +
          `it enters ${target} by promotion (npm run promote -- --to ${target} --app ${app})`,
      );
    }
    const past = (input.history.get(app) ?? []).filter((p) => p.version !== current);
    const ran = past.map((p) => p.version).join(', ') || 'nothing else';
    if (input.to !== undefined && input.to === current) throw new NothingToDo(`${app} already runs ${current} in ${target}; nothing to roll back`);
    const chosen = input.to === undefined ? past[0] : past.find((p) => p.version === input.to);
    if (!chosen) {
      throw new UsageError(
        input.to === undefined
          ? `${target} never ran a version of ${app} other than ${current}, so there is nothing to roll back to`
          : `${target} never ran ${app} ${input.to}: before ${current ?? 'its retirement'} it ran ${ran} (overlays/${target}/versions.yaml on this branch); ` +
              `a rollback goes back to one of those, a new version enters with npm run release`,
      );
    }
    changes.push({ app, from: current, to: chosen.version, ranAt: chosen.commit });
  }
  return { kind: 'rollback', target, changes, unchanged: [] };
}

const arrow = (c: VersionChange) => `${c.from ?? '(none)'} → ${c.to}`;

function appsShort(plan: Plan): string {
  return plan.changes.length <= 3 ? plan.changes.map((c) => c.app).join(', ') : `${plan.changes.length} apps`;
}

/** The commit's first line and one line per app, old → new. */
export function commitMessage(plan: Plan): string {
  const only = plan.changes.length === 1 ? plan.changes[0]! : undefined;
  const subject =
    plan.kind === 'release'
      ? `release ${plan.changes[0]!.app} ${plan.changes[0]!.to} to ${plan.target}`
      : plan.kind === 'rollback'
        ? `rollback ${plan.target}: ${only ? `${only.app} ${arrow(only)}` : appsShort(plan)}`
        : `promote ${plan.source} → ${plan.target}: ${appsShort(plan)}`;
  const lines = plan.changes.map((c) => `- ${c.app}: ${arrow(c)}${c.ranAt ? ` (${plan.target} ran it at ${c.ranAt.slice(0, 12)})` : ''}`);
  const why =
    plan.kind === 'release'
      ? `A new version enters the promotion chain at ${plan.target}.`
      : plan.kind === 'rollback'
        ? `Rolls ${plan.target} back to versions it ran before (overlays/${plan.target}/versions.yaml) and re-renders clusters/.`
        : `Copies the versions ${plan.source} runs into ${plan.target} (overlays/${plan.target}/versions.yaml) and re-renders clusters/.`;
  return `${subject}\n\n${why}\n\n${lines.join('\n')}\n`;
}

/** The kind of change a branch name says it holds (`branchName`), or undefined for any other branch. */
export function changeBranchKind(branch: string): Plan['kind'] | undefined {
  const kind = branch.split('/')[0];
  return kind === 'release' || kind === 'promote' || kind === 'rollback' ? kind : undefined;
}

/** A readable, deterministic branch name; git refuses some characters, so only [a-z0-9._-] and / are used. */
export function branchName(plan: Plan): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-');
  if (plan.kind === 'release') return `release/${clean(plan.changes[0]!.app)}-${clean(plan.changes[0]!.to)}`;
  const parts = plan.changes.map((c) => `${c.app}-${c.to}`);
  const joined = clean(parts.join('_'));
  return `${plan.kind}/${plan.target}/${joined.length <= 80 ? joined : `${plan.changes.length}-apps-${shortHash(joined)}`}`;
}

function shortHash(text: string): string {
  // FNV-1a: deterministic and dependency-free; only needs to tell two long branch names apart.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** A Markdown (and terminal-readable) table of the versions that move. */
export function versionTable(plan: Plan): string {
  const rows = plan.changes.map((c) => `| ${c.app} | ${c.from ?? '(none)'} | ${c.to} |`);
  const head =
    plan.kind === 'release'
      ? `| app | ${plan.target} now | release |`
      : plan.kind === 'rollback'
        ? `| app | ${plan.target} now | roll back to |`
        : `| app | ${plan.target} now | from ${plan.source} |`;
  return [head, '| --- | --- | --- |', ...rows].join('\n');
}

/**
 * The command line that makes this plan again, for hints after a failure. Rerun from the same checkout it names the
 * same branch, which `release`/`promote`/`rollback` then reuse (see change.ts).
 */
export function commandLine(plan: Plan, flags: { base?: string; openPr?: boolean; autoMerge?: boolean }): string {
  const apps = plan.changes.map((c) => c.app).join(',');
  const only = plan.changes.length === 1 ? plan.changes[0]! : undefined;
  const what =
    plan.kind === 'release'
      ? `--app ${apps} --version ${plan.changes[0]!.to}`
      : plan.kind === 'rollback'
        ? `--env ${plan.target} --app ${apps}${only ? ` --to ${only.to}` : ''}`
        : `--from ${plan.source} --to ${plan.target} --app ${apps}`;
  const extra = [flags.base && `--base ${flags.base}`, flags.openPr && '--open-pr', flags.autoMerge && '--auto-merge'].filter(Boolean);
  return [`npm run ${plan.kind} --`, what, ...extra].join(' ');
}

export function prTitle(plan: Plan): string {
  return commitMessage(plan).split('\n')[0]!;
}

/**
 * The pull request's body: what moves, what the render changed, what merging does, and (when given) the version
 * matrix after the change, so a reviewer sees every environment at once.
 */
export function prBody(plan: Plan, diffSummary: string, matrix?: string): string {
  const after =
    plan.kind === 'release'
      ? `Merging puts this version into ${plan.target}; Argo CD then syncs the ${plan.target} cluster.`
      : plan.kind === 'rollback'
        ? `Merging is the rollback: Argo CD then syncs ${plan.target}. The promotion gate passes it because ${plan.target} ran these versions before, and labels it a rollback.`
        : `Merging is the promotion: Argo CD then syncs ${plan.target}. The promotion gate checks that these are the versions ${plan.source} runs` +
          ` (and, when it can reach Argo CD, that ${plan.source} is Synced and Healthy at them).`;
  const unchanged = plan.unchanged.length > 0 ? `\nAlready the same in ${plan.target}: ${plan.unchanged.join(', ')}.\n` : '';
  return [
    `### Versions`,
    '',
    versionTable(plan),
    unchanged,
    `### Rendered changes`,
    '',
    '```',
    diffSummary || '(no rendered file changed)',
    '```',
    '',
    after,
    '',
    ...(matrix ? ['### Versions in every environment after this change', '', matrix, ''] : []),
  ].join('\n');
}
