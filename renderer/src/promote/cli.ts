/**
 * The command lines of release, promote, rollback, gate, versions and status: flags → options → one library call → exit code.
 * Each takes the repository root from its entry point (scripts/lib/run.mjs knows it); `--root` overrides it.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { parseObservations, type ClusterObservation } from '../argocd/observe.js';
import { defineCommand, standardExitCodes, UsageError, type Io, type Values } from '../cli/command.js';
import { runPromote, runRelease, runRollback } from './change.js';
import { gateClusters, runGate } from './gate.js';
import { matrixFormats, runVersions } from './matrix.js';
import { splitApps } from './plan.js';
import { runStatus } from './status.js';

const changeOptions = {
  'open-pr': { type: 'boolean', description: 'push the branch and open a pull request (needs GITHUB_TOKEN and GITHUB_REPOSITORY)' },
  base: { type: 'string', value: '<branch>', description: 'the branch the pull request targets (default: the checked-out branch; needed on a detached HEAD)' },
  'dry-run': { type: 'boolean', description: 'print what would change and touch nothing' },
  root: { type: 'string', value: '<dir>', description: 'the repository to work on (default: this checkout)' },
} as const;

/** What every branch-making command passes on from the options it shares. */
function changeArgs(v: Values<typeof changeOptions>, root: string, io: Io) {
  return { root: v.root ?? root, openPr: v['open-pr'], base: v.base, dryRun: v['dry-run'], log: io.out };
}

const changeExitCodes = { 0: 'done (or printed, with --dry-run)', 1: 'error, or nothing to do (the versions are already there)', 2: standardExitCodes[2] };

export const releaseCommand = defineCommand({
  name: 'release',
  purpose: "sets an app's version in the first environment of the promotion chain, re-renders, commits on a branch (optionally opens a pull request)",
  options: {
    app: { type: 'string', required: true, value: '<app>', description: 'the app (a file in apps/)' },
    version: { type: 'string', required: true, value: '<tag>', description: 'the release tag, e.g. v1.4.2' },
    ...changeOptions,
    'auto-merge': { type: 'boolean', description: 'enable auto-merge on the pull request (needs --open-pr)' },
  },
  exitCodes: changeExitCodes,
  async run(v, { root, io }) {
    if (v['auto-merge'] && !v['open-pr']) throw new UsageError('--auto-merge needs --open-pr');
    await runRelease({ ...changeArgs(v, root, io), app: v.app!, version: v.version!, autoMerge: v['auto-merge'] });
    return 0;
  },
});

export const promoteCommand = defineCommand({
  name: 'promote',
  purpose: 'copies app versions one step along the promotion chain, re-renders, commits on a branch (optionally opens a pull request)',
  options: {
    from: { type: 'string', value: '<env>', description: 'the environment the versions come from' },
    to: { type: 'string', value: '<env>', description: 'the environment they go to (default: the next one after --from)' },
    app: { type: 'string', list: true, value: '<app>', description: 'only these apps (default: every app whose version differs)' },
    ...changeOptions,
  },
  exitCodes: changeExitCodes,
  async run(v, { root, io }) {
    await runPromote({ ...changeArgs(v, root, io), from: v.from, to: v.to, apps: splitApps(v.app) });
    return 0;
  },
});

export const rollbackCommand = defineCommand({
  name: 'rollback',
  purpose: 'sets apps of an environment back to a version it ran before (from the git history of its versions.yaml), re-renders, commits on a branch',
  options: {
    env: { type: 'string', required: true, value: '<env>', description: 'the environment to roll back' },
    app: { type: 'string', required: true, list: true, value: '<app>', description: 'the apps to roll back' },
    to: { type: 'string', value: '<version>', description: 'the version to go back to (default: the one before the current)' },
    ...changeOptions,
  },
  exitCodes: { ...changeExitCodes, 1: 'error: the version never ran in that environment, or nothing to do' },
  async run(v, { root, io }) {
    await runRollback({ ...changeArgs(v, root, io), environment: v.env!, apps: splitApps(v.app), to: v.to });
    return 0;
  },
});

export const gateCommand = defineCommand({
  name: 'gate',
  purpose:
    "the promotion gate of a pull request: labels every version change and refuses one that skips a step of the chain (unless it is a rollback or a hotfix its trailer names), a new environment's untried version, and clusters/ the base branch's renderer does not make from the pull request's inputs",
  options: {
    base: { type: 'string', value: '<commit>', description: 'the base commit (in a pull request: github.event.pull_request.base.sha); required unless --argocd-clusters' },
    head: { type: 'string', value: '<commit>', description: 'the head commit (default: HEAD)' },
    'argocd-observations': {
      type: 'string',
      value: '<folder>',
      description: 'read what Argo CD runs from these files (npm run versions -- --live --format json) instead of asking it',
    },
    'argocd-clusters': { type: 'boolean', description: 'print, as JSON, the clusters whose Argo CD the gate asks, and exit' },
    root: changeOptions.root,
  },
  exitCodes: { 0: 'the gate passed', ...standardExitCodes, 3: 'the gate refused the change' },
  async run(v, { root: defaultRoot, io }) {
    const root = v.root ?? defaultRoot;
    if (v['argocd-clusters']) {
      io.out(JSON.stringify(await gateClusters(root, v.base ?? 'HEAD')));
      return 0;
    }
    if (!v.base) throw new UsageError('--base is required (in a pull request: the base commit, github.event.pull_request.base.sha)');
    const observations = v['argocd-observations'] === undefined ? undefined : await readObservations(v['argocd-observations']);
    const result = await runGate({ root, base: v.base, head: v.head, observations, log: io.out });
    return result.passed ? 0 : 3;
  },
});

/** Every `*.json` in a folder, as written by `npm run versions -- --live --format json --output …`. */
async function readObservations(dir: string): Promise<ClusterObservation[]> {
  const files = (await fsp.readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  const all: ClusterObservation[] = [];
  for (const f of files) all.push(...parseObservations(path.join(dir, f), await fsp.readFile(path.join(dir, f), 'utf8')));
  return all;
}

export const versionsCommand = defineCommand({
  name: 'versions',
  purpose: "the environment × app matrix of versions in git, differences marked; with --live, what each cluster's Argo CD runs",
  options: {
    format: { type: 'string', value: '<format>', choices: matrixFormats, description: 'text (default), markdown or json' },
    live: { type: 'boolean', description: "add what each cluster's Argo CD runs (ARGOCD_SERVER_<CLUSTER>, ARGOCD_AUTH_TOKEN_<CLUSTER>)" },
    cluster: { type: 'string', value: '<cluster>', description: 'with --live: only this cluster' },
    output: { type: 'string', value: '<file>', description: 'write the matrix to this file instead of printing it' },
    root: changeOptions.root,
  },
  exitCodes: { 0: 'printed', ...standardExitCodes },
  async run(v, { root, io }) {
    await runVersions({
      root: v.root ?? root,
      format: v.format as (typeof matrixFormats)[number] | undefined,
      live: v.live,
      cluster: v.cluster,
      output: v.output,
      processEnv: io.env,
      log: io.out,
    });
    return 0;
  },
});

export const statusCommand = defineCommand({
  name: 'status',
  purpose: "every Argo CD Application of an environment, add-ons included: sync, health and Argo CD's reasons, optionally waiting until they run a revision",
  options: {
    env: { type: 'string', required: true, value: '<env>', description: 'the environment' },
    wait: { type: 'boolean', description: 'wait until every Application exists and is synced and healthy' },
    revision: { type: 'string', value: '<commit>', description: 'with --wait: wait for this revision' },
    timeout: { type: 'string', value: '<seconds>', description: 'with --wait: give up after this long (default 600)' },
    interval: { type: 'string', value: '<seconds>', description: 'with --wait: poll this often (default 5)' },
    'skip-charts': { type: 'boolean', description: 'with --wait: list chart add-ons but do not wait for them (a cluster that cannot pull charts)' },
    root: changeOptions.root,
  },
  exitCodes: {
    0: 'printed (with --wait: every Application is synced and healthy)',
    ...standardExitCodes,
    1: 'Argo CD error, an Application the token may not read, or --wait timed out',
  },
  async run(v, { root, io }) {
    await runStatus({
      root: v.root ?? root,
      env: v.env!,
      wait: v.wait,
      revision: v.revision,
      timeoutSeconds: seconds(v.timeout, '--timeout', 600),
      intervalMs: seconds(v.interval, '--interval', 5) * 1000,
      skipCharts: v['skip-charts'],
      log: io.out,
      processEnv: io.env,
    });
    return 0;
  },
});

function seconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a number of seconds greater than 0 (got '${value}')`);
  return n;
}
