/**
 * `npm run diff -- [--base <ref>] [--head <ref>] [--format terminal|markdown|json] [--env <env>[,<env>]] [--no-render-check] [--charts]`:
 * flags in, one comparison, printed result, exit code out (0 no change, 3 changes, 1 error, 2 usage).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, UsageError } from '../cli/args.js';
import { repoPaths } from '../paths.js';
import { parseChartsLock } from '../validate/charts-lock.js';
import { withRenderedCharts } from './charts.js';
import { compareTrees } from './compare.js';
import { loadTrees, resolveBase, resolveHead } from './git.js';
import { formatJson } from './json.js';
import { formatMarkdown } from './markdown.js';
import { checkHeadRendered, type RenderCheck } from './render-check.js';
import { formatTerminal } from './terminal.js';

export const exitCodes = { noChange: 0, error: 1, usage: 2, changes: 3 } as const;
const formats = ['terminal', 'markdown', 'json'] as const;
type Format = (typeof formats)[number];

export const usage = `usage: npm run diff -- [--base <ref>] [--head <ref>] [--format terminal|markdown|json] [--env <env>[,<env>]] [--no-render-check] [--charts]
  --base    the revision to compare with (default: the merge base of HEAD with main, else origin/main)
  --head    the revision to compare (default: the working tree)
  --format  terminal (default; coloured on a TTY), markdown (the pull-request comment) or json
  --env     only these environments
  --no-render-check  compare without first checking that the head's clusters/ is what its sources render
  --charts  also render each add-on's chart on both sides (helm template) and compare the resources it creates
exit codes: 0 no change, 3 changes found, 1 error, 2 usage`;

export interface DiffIo {
  out: (text: string) => void;
  err: (line: string) => void;
  /** Colour the terminal format (stdout is a TTY and NO_COLOR is unset). */
  color: boolean;
}

const defaultIo: DiffIo = {
  out: (text) => process.stdout.write(text),
  err: (line) => console.error(line),
  color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
};

function single(values: Map<string, string[]>, name: string): string | undefined {
  const v = values.get(name);
  if (v && v.length !== 1) throw new UsageError(`--${name} takes one value (got ${v.join(', ')})`);
  return v?.[0];
}

export async function main(argv: string[], root: string, io: DiffIo = defaultIo, renderCheck: RenderCheck = checkHeadRendered): Promise<number> {
  const args = parseArgs(argv, { flags: ['no-render-check', 'help', 'charts'], values: ['base', 'head', 'format', 'env'] });
  if (args.flags.has('help')) {
    io.out(`${usage}\n`);
    return exitCodes.noChange;
  }
  const format = (single(args.values, 'format') ?? 'terminal') as Format;
  if (!formats.includes(format)) throw new UsageError(`--format must be one of ${formats.join(', ')} (got '${format}')`);
  const envs = args.values.get('env');

  const head = await resolveHead(root, single(args.values, 'head'));
  const base = await resolveBase(root, single(args.values, 'base'));
  const renderChecked = !args.flags.has('no-render-check');
  if (renderChecked) await renderCheck(root, head.revision);

  let trees = await loadTrees(root, base.commit, head.revision);
  if (args.flags.has('charts')) {
    const lockText = await readFile(path.join(root, repoPaths.chartsLock), 'utf8').catch(() => undefined);
    const expanded = await withRenderedCharts(root, trees, { lock: parseChartsLock(lockText) });
    for (const note of expanded.notes) io.err(`diff: ${note}`);
    trees = expanded;
  }
  const report = compareTrees(trees.base, trees.head, { envs });
  const sides = { base, head: head.side, renderChecked };
  if (format === 'json') io.out(formatJson(report, sides));
  else if (format === 'markdown') io.out(formatMarkdown(report, sides));
  else io.out(formatTerminal(report, { ...sides, color: io.color }));
  return report.changes.length > 0 ? exitCodes.changes : exitCodes.noChange;
}
