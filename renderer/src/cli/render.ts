/**
 * `npm run render [-- --check] [--env <env>[,<env>]]`: options in, library call, printed result, exit code out.
 */
import { formatProblem, RenderError } from '../errors.js';
import { checkRepository, renderToDisk } from '../render.js';
import { withInterruptCleanup } from '../write.js';
import { parseArgs } from './args.js';

export const exitCodes = { ok: 0, error: 1, usage: 2, differs: 3 } as const;

export async function main(argv: string[], root: string, out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const args = parseArgs(argv, { flags: ['check', 'quiet'], values: ['env'] });
  const envs = args.values.get('env');
  const started = performance.now();
  try {
    if (args.flags.has('check')) {
      const result = await checkRepository(root, { envs, cache: true });
      if (result.upToDate) {
        if (!args.flags.has('quiet')) out(`clusters/ is up to date with its sources (${Math.round(performance.now() - started)} ms)`);
        return exitCodes.ok;
      }
      err(`clusters/ is stale: the committed output differs from what the sources render.`);
      for (const f of result.stale) err(`  differs:    ${f}`);
      for (const f of result.extra) err(`  not produced: ${f}`);
      for (const p of result.foreign) err(formatProblem(p));
      err(result.foreign.length > 0 && result.stale.length + result.extra.length === 0 ? 'hint: only the renderer writes clusters/; see the hints above.' : 'hint: run `npm run render` and commit the result.');
      return exitCodes.differs;
    }
    const result = await withInterruptCleanup(() => renderToDisk(root, { envs, cache: true }), (signal) => err(`render interrupted (${signal}): staged files removed; run npm run render again`));
    if (!args.flags.has('quiet')) {
      for (const f of result.written) out(`  wrote   ${f}`);
      for (const f of result.removed) out(`  removed ${f}`);
      out(`rendered ${result.written.length + result.unchanged} files: ${result.written.length} written, ${result.removed.length} removed, ${result.unchanged} unchanged (${Math.round(performance.now() - started)} ms)`);
    }
    return exitCodes.ok;
  } catch (e) {
    if (e instanceof RenderError) {
      err(e.message);
      err(`render failed with ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}; nothing was written.`);
      return exitCodes.error;
    }
    throw e;
  }
}
