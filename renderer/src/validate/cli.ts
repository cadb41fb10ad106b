/**
 * `npm run validate [-- --env <env>] [--cluster <c>] [--format human|json|github] [--no-cache]`: provisions the tools
 * when stale, validates the rendered clusters (reusing .cache/validate/ for what did not change), prints the report. Exit codes: 0 clean, 3 findings, 1 could not run, 2 usage.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, UsageError } from '../cli/args.js';
import { repoPaths } from '../paths.js';
import { ensureTools } from '../tools/ensure.js';
import { parseChartsLock, serializeChartsLock, updateLock } from './charts-lock.js';
import { formatGithub, formatHuman, formatJson, formats, type Format } from './report.js';
import { validateRepository } from './run.js';

export const exitCodes = { ok: 0, error: 1, usage: 2, findings: 3 } as const;

export const usage = 'usage: npm run validate [-- --env <env>[,<env>]] [--cluster <cluster>[,<cluster>]] [--format human|json|github] [--no-cache] [--require-charts] [--update-lock]';

export interface ValidateIO {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Whether stdout is a terminal (colours). */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
}

const defaultIO: ValidateIO = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  isTTY: Boolean(process.stdout.isTTY),
  env: process.env,
};

export async function main(argv: string[], root: string, io: ValidateIO = defaultIO): Promise<number> {
  const started = performance.now();
  let format: Format | undefined;
  let envs: string[] | undefined;
  let clusters: string[] | undefined;
  let cache = true;
  let requireCharts = false;
  let writeLock = false;
  try {
    const args = parseArgs(argv, { flags: ['no-cache', 'require-charts', 'update-lock'], values: ['env', 'cluster', 'format'] });
    cache = !args.flags.has('no-cache');
    requireCharts = args.flags.has('require-charts');
    writeLock = args.flags.has('update-lock');
    const given = args.values.get('format');
    if (given && (given.length !== 1 || !formats.includes(given[0] as Format))) throw new UsageError(`--format must be one of ${formats.join(', ')} (got '${given.join(',')}')`);
    format = given?.[0] as Format | undefined;
    envs = args.values.get('env');
    clusters = args.values.get('cluster');
  } catch (e) {
    io.err(`Error: ${(e as Error).message}`);
    io.err(usage);
    return exitCodes.usage;
  }
  try {
    await ensureTools({ root, quiet: true, log: io.err, env: io.env });
    const lockFile = path.join(root, repoPaths.chartsLock);
    const lock = parseChartsLock(await readFile(lockFile, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e))));
    const report = await validateRepository(root, { envs, clusters, cache, charts: { lock, requireCharts, updateLock: writeLock, env: io.env } });
    if (writeLock && report.charts) {
      await writeFile(lockFile, serializeChartsLock(updateLock(lock, report.charts.digests)));
      io.err(`validate: recorded ${report.charts.digests.length} chart digest(s) in ${repoPaths.chartsLock}`);
    }
    const ms = performance.now() - started;
    if (format === 'json') {
      io.out(formatJson(report));
    } else if (format === 'github') {
      for (const line of formatGithub(report)) io.out(line);
      for (const line of formatHuman({ ...report, findings: [] }, { color: false, ms }).slice(0, -1)) io.out(line);
      io.out(formatHuman(report, { color: false, ms }).at(-1)!);
    } else {
      for (const line of formatHuman(report, { color: io.isTTY, ms })) io.out(line);
      if (io.env.GITHUB_ACTIONS === 'true') for (const line of formatGithub(report)) io.out(line);
    }
    return report.findings.length === 0 ? exitCodes.ok : exitCodes.findings;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`Error: ${e.message}`);
      io.err(usage);
      return exitCodes.usage;
    }
    io.err(`Error: ${(e as Error).message}`);
    return exitCodes.error;
  }
}
