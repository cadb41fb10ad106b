/**
 * `npm run bootstrap -- --cluster <cluster> [--dry-run] [--context <kube-context>] [--kubeconfig <file>]`:
 * flags → options → runBootstrap → exit code. Exit codes: 0 applied (or printed), 1 error or refused, 2 usage.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../cli/args.js';
import { defaultRepoRoot } from '../paths.js';
import { runBootstrap } from './bootstrap.js';

export const bootstrapUsage = 'usage: npm run bootstrap -- --cluster <cluster> [--dry-run] [--context <kube-context>] [--kubeconfig <file>]';

export async function bootstrapMain(argv: string[], root: string = defaultRepoRoot, out: (line: string) => void = console.log): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        cluster: { type: 'string' },
        'dry-run': { type: 'boolean' },
        context: { type: 'string' },
        kubeconfig: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message.split('\n')[0]}\n${bootstrapUsage}`);
  }
  if (values.help) {
    out(bootstrapUsage);
    return 0;
  }
  if (!values.cluster) throw new UsageError(`--cluster is required (a name from clusters/index.json)\n${bootstrapUsage}`);
  await runBootstrap({
    root,
    cluster: values.cluster,
    dryRun: values['dry-run'],
    context: values.context,
    kubeconfig: values.kubeconfig,
    out,
  });
  return 0;
}
