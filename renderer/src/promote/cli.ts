/**
 * The command lines of release, promote, gate and status: flags → options → one library call → exit code.
 * Exit codes (ARCHITECTURE.md): 0 done, 1 error or nothing to do, 2 usage, 3 the gate refused.
 * Each takes the repository root from its entry point (scripts/lib/run.mjs knows it); `--root` overrides it.
 */
import { parseArgs } from 'node:util';
import { defaultRepoRoot } from '../paths.js';
import { runPromote, runRelease, runRollback } from './change.js';
import { runGate } from './gate.js';
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
const gateUsage = 'usage: npm run gate -- --base <commit> [--head <commit>]';
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
    parseArgs({ args: argv, strict: true, options: { help: { type: 'boolean', short: 'h' }, base: { type: 'string' }, head: { type: 'string' }, root: { type: 'string' } } }).values,
  );
  if (v.help) return help(gateUsage);
  if (!v.base) throw new UsageError(`--base is required (in a pull request: the base commit, github.event.pull_request.base.sha)\n${gateUsage}`);
  const result = await runGate({ root: v.root ?? repoRoot, base: v.base, head: v.head });
  return result.passed ? 0 : 3;
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
