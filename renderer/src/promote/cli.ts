/**
 * The command lines of release, promote, gate and status: flags → options → one library call → exit code.
 * Each takes the repository root from its entry point (scripts/lib/run.mjs knows it); `--root` overrides it.
 */
import { defineCommand, standardExitCodes, UsageError } from '../cli/command.js';
import { runPromote, runRelease } from './change.js';
import { runGate } from './gate.js';
import { splitApps } from './plan.js';
import { runStatus } from './status.js';

const changeOptions = {
  'open-pr': { type: 'boolean', description: 'push the branch and open a pull request (needs GITHUB_TOKEN and GITHUB_REPOSITORY)' },
  base: { type: 'string', value: '<branch>', description: 'the branch the pull request targets (default: main)' },
  'dry-run': { type: 'boolean', description: 'print what would change and touch nothing' },
  root: { type: 'string', value: '<dir>', description: 'the repository to work on (default: this checkout)' },
} as const;

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
    await runRelease({
      root: v.root ?? root,
      app: v.app!,
      version: v.version!,
      openPr: v['open-pr'],
      autoMerge: v['auto-merge'],
      base: v.base,
      dryRun: v['dry-run'],
      log: io.out,
    });
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
    await runPromote({
      root: v.root ?? root,
      from: v.from,
      to: v.to,
      apps: splitApps(v.app),
      openPr: v['open-pr'],
      base: v.base,
      dryRun: v['dry-run'],
      log: io.out,
    });
    return 0;
  },
});

export const gateCommand = defineCommand({
  name: 'gate',
  purpose: 'the promotion gate of a pull request: refuses versions that skip a step of the chain or are not healthy in the previous environment',
  options: {
    base: { type: 'string', required: true, value: '<commit>', description: 'the base commit (in a pull request: github.event.pull_request.base.sha)' },
    head: { type: 'string', value: '<commit>', description: 'the head commit (default: HEAD)' },
    root: changeOptions.root,
  },
  exitCodes: { 0: 'the gate passed', ...standardExitCodes, 3: 'the gate refused the change' },
  async run(v, { root, io }) {
    const result = await runGate({ root: v.root ?? root, base: v.base!, head: v.head, log: io.out });
    return result.passed ? 0 : 3;
  },
});

export const statusCommand = defineCommand({
  name: 'status',
  purpose: "an environment's Argo CD Applications: sync and health, optionally waiting until they run a revision",
  options: {
    env: { type: 'string', required: true, value: '<env>', description: 'the environment' },
    wait: { type: 'boolean', description: 'wait until every Application is synced and healthy' },
    revision: { type: 'string', value: '<commit>', description: 'with --wait: wait for this revision' },
    timeout: { type: 'string', value: '<seconds>', description: 'with --wait: give up after this long (default 600)' },
    interval: { type: 'string', value: '<seconds>', description: 'with --wait: poll this often (default 5)' },
    root: changeOptions.root,
  },
  exitCodes: { 0: 'printed (with --wait: every Application is synced and healthy)', ...standardExitCodes },
  async run(v, { root, io }) {
    await runStatus({
      root: v.root ?? root,
      env: v.env!,
      wait: v.wait,
      revision: v.revision,
      timeoutSeconds: seconds(v.timeout, '--timeout', 600),
      intervalMs: seconds(v.interval, '--interval', 5) * 1000,
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
