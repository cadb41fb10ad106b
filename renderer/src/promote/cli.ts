/**
 * The command lines of release, promote, rollback, gate, versions and status: flags → options → one library call → exit code.
 * Exit codes (ARCHITECTURE.md): 0 done, 1 error or nothing to do, 2 usage, 3 the gate refused.
 * Each takes the repository root from its entry point (scripts/lib/run.mjs knows it); `--root` overrides it.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseObservations, type ClusterObservation } from '../argocd/observe.js';
import { defaultRepoRoot } from '../paths.js';
import { runPromote, runRelease, runRollback } from './change.js';
import { gateClusters, runGate } from './gate.js';
import { runVersions } from './matrix.js';
import { splitApps, UsageError } from './plan.js';
import { runStatus } from './status.js';

/** Runs parseArgs and turns its complaints (unknown flag, missing value) into usage errors. */
function flags<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]}\n${usage}`);
  }
}

const releaseUsage = 'usage: npm run release -- --app <app> --version <tag> [--open-pr] [--auto-merge] [--base <branch>] [--dry-run]';
const promoteUsage = 'usage: npm run promote -- --from <env> [--to <env>] [--app a,b] [--open-pr] [--base <branch>] [--dry-run]';
const rollbackUsage = 'usage: npm run rollback -- --env <env> --app <app>[,<app>…] [--to <version>] [--open-pr] [--base <branch>] [--dry-run]';
const gateUsage =
  'usage: npm run gate -- --base <commit> [--head <commit>] [--argocd-observations <folder>]\n' +
  '       npm run gate -- --argocd-clusters [--base <commit>]   (JSON: the clusters whose Argo CD the gate asks)';
const versionsUsage = 'usage: npm run versions -- [--format text|markdown|json] [--live [--cluster <cluster>]] [--output <file>]';
const statusUsage = 'usage: npm run status -- --env <env> [--wait [--revision <commit>] [--timeout <seconds>] [--interval <seconds>]]';

const changeFlags = {
  help: { type: 'boolean', short: 'h' },
  'open-pr': { type: 'boolean' },
  base: { type: 'string' },
  'dry-run': { type: 'boolean' },
  root: { type: 'string' },
} as const;

export async function releaseMain(argv: string[], repoRoot: string = defaultRepoRoot): Promise<number> {
  const v = flags(releaseUsage, () =>
    parseArgs({ args: argv, strict: true, options: { ...changeFlags, app: { type: 'string' }, version: { type: 'string' }, 'auto-merge': { type: 'boolean' } } }).values,
  );
  if (v.help) return help(releaseUsage);
  if (!v.app || !v.version) throw new UsageError(`--app and --version are required\n${releaseUsage}`);
  if (v['auto-merge'] && !v['open-pr']) throw new UsageError(`--auto-merge needs --open-pr\n${releaseUsage}`);
  await runRelease({
    root: v.root ?? repoRoot,
    app: v.app,
    version: v.version,
    openPr: v['open-pr'],
    autoMerge: v['auto-merge'],
    base: v.base,
    dryRun: v['dry-run'],
  });
  return 0;
}

export async function promoteMain(argv: string[], repoRoot: string = defaultRepoRoot): Promise<number> {
  const v = flags(promoteUsage, () =>
    parseArgs({ args: argv, strict: true, options: { ...changeFlags, from: { type: 'string' }, to: { type: 'string' }, app: { type: 'string', multiple: true } } }).values,
  );
  if (v.help) return help(promoteUsage);
  await runPromote({
    root: v.root ?? repoRoot,
    from: v.from,
    to: v.to,
    apps: splitApps(v.app),
    openPr: v['open-pr'],
    base: v.base,
    dryRun: v['dry-run'],
  });
  return 0;
}

export async function rollbackMain(argv: string[], repoRoot: string = defaultRepoRoot): Promise<number> {
  const v = flags(rollbackUsage, () =>
    parseArgs({ args: argv, strict: true, options: { ...changeFlags, env: { type: 'string' }, app: { type: 'string', multiple: true }, to: { type: 'string' } } }).values,
  );
  if (v.help) return help(rollbackUsage);
  if (!v.env) throw new UsageError(`--env is required\n${rollbackUsage}`);
  await runRollback({
    root: v.root ?? repoRoot,
    environment: v.env,
    apps: splitApps(v.app),
    to: v.to,
    openPr: v['open-pr'],
    base: v.base,
    dryRun: v['dry-run'],
  });
  return 0;
}

export async function gateMain(argv: string[], repoRoot: string = defaultRepoRoot): Promise<number> {
  const v = flags(gateUsage, () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        base: { type: 'string' },
        head: { type: 'string' },
        root: { type: 'string' },
        'argocd-observations': { type: 'string' },
        'argocd-clusters': { type: 'boolean' },
      },
    }).values,
  );
  if (v.help) return help(gateUsage);
  const root = v.root ?? repoRoot;
  if (v['argocd-clusters']) {
    console.log(JSON.stringify(await gateClusters(root, v.base ?? 'HEAD')));
    return 0;
  }
  if (!v.base) throw new UsageError(`--base is required (in a pull request: the base commit, github.event.pull_request.base.sha)\n${gateUsage}`);
  const observations = v['argocd-observations'] === undefined ? undefined : await readObservations(v['argocd-observations']);
  const result = await runGate({ root, base: v.base, head: v.head, observations });
  return result.passed ? 0 : 3;
}

/** Every `*.json` in a folder, as written by `npm run versions -- --live --format json --output …`. */
async function readObservations(dir: string): Promise<ClusterObservation[]> {
  const files = (await fsp.readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  const all: ClusterObservation[] = [];
  for (const f of files) all.push(...parseObservations(path.join(dir, f), await fsp.readFile(path.join(dir, f), 'utf8')));
  return all;
}

export async function versionsMain(argv: string[], repoRoot: string = defaultRepoRoot): Promise<number> {
  const v = flags(versionsUsage, () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        format: { type: 'string' },
        live: { type: 'boolean' },
        cluster: { type: 'string' },
        output: { type: 'string' },
        root: { type: 'string' },
      },
    }).values,
  );
  if (v.help) return help(versionsUsage);
  const format = v.format ?? 'text';
  if (format !== 'text' && format !== 'markdown' && format !== 'json') throw new UsageError(`--format: '${format}' is not one of text, markdown, json\n${versionsUsage}`);
  await runVersions({ root: v.root ?? repoRoot, format, live: v.live, cluster: v.cluster, output: v.output });
  return 0;
}

export async function statusMain(argv: string[], repoRoot: string = defaultRepoRoot): Promise<number> {
  const v = flags(statusUsage, () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
      help: { type: 'boolean', short: 'h' },
      env: { type: 'string' },
      wait: { type: 'boolean' },
      revision: { type: 'string' },
      timeout: { type: 'string' },
      interval: { type: 'string' },
      root: { type: 'string' },
      },
    }).values,
  );
  if (v.help) return help(statusUsage);
  if (!v.env) throw new UsageError(`--env is required\n${statusUsage}`);
  await runStatus({
    root: v.root ?? repoRoot,
    env: v.env,
    wait: v.wait,
    revision: v.revision,
    timeoutSeconds: seconds(v.timeout, '--timeout', 600),
    intervalMs: seconds(v.interval, '--interval', 5) * 1000,
  });
  return 0;
}

function seconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a number of seconds greater than 0 (got '${value}')`);
  return n;
}

function help(usage: string): number {
  console.log(usage);
  return 0;
}
