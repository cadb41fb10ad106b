/**
 * `npm run render`: options in, library call, printed result, exit code out.
 */
import { formatProblem, RenderError } from '../errors.js';
import { checkRepository, renderToDisk } from './render.js';
import { withInterruptCleanup } from './write.js';
import { defineCommand, standardExitCodes } from '../cli/command.js';

export const command = defineCommand({
  name: 'render',
  purpose: 'renders apps/, base/ and overlays/ into the committed manifests under clusters/ (or checks that they are up to date)',
  options: {
    check: { type: 'boolean', description: 'write nothing; exit 3 when clusters/ differs from what the sources render' },
    quiet: { type: 'boolean', description: 'print nothing on success' },
    env: { type: 'string', list: true, value: '<env>', description: 'only these environments (the folders in overlays/)' },
  },
  exitCodes: { 0: 'rendered, or (--check) up to date', ...standardExitCodes, 3: '--check: clusters/ is stale' },
  async run(v, { root, io }) {
    const envs = v.env;
    const started = performance.now();
    try {
      if (v.check) {
        const result = await checkRepository(root, { envs, cache: true });
        if (!v.quiet) for (const note of result.notes) io.out(`note: ${note}`);
        if (result.upToDate) {
          if (!v.quiet) io.out(`clusters/ is up to date with its sources (${Math.round(performance.now() - started)} ms)`);
          return 0;
        }
        io.err(`clusters/ is stale: the committed output differs from what the sources render.`);
        for (const f of result.stale) io.err(`  differs:    ${f}`);
        for (const f of result.extra) io.err(`  not produced: ${f}`);
        for (const p of result.foreign) io.err(formatProblem(p));
        io.err(
          result.foreign.length > 0 && result.stale.length + result.extra.length === 0
            ? 'hint: only the renderer writes clusters/; see the hints above.'
            : 'hint: run `npm run render` and commit the result.',
        );
        return 3;
      }
      const result = await withInterruptCleanup(
        () => renderToDisk(root, { envs, cache: true }),
        (signal) => io.err(`render interrupted (${signal}): nothing staged is left and clusters/ is either as it was or fully written; run npm run render again`),
      );
      if (!v.quiet) {
        for (const note of result.notes) io.out(`note: ${note}`);
        for (const f of result.written) io.out(`  wrote   ${f}`);
        for (const f of result.removed) io.out(`  removed ${f}`);
        io.out(
          `rendered ${result.written.length + result.unchanged} files: ${result.written.length} written, ${result.removed.length} removed, ${result.unchanged} unchanged (${Math.round(performance.now() - started)} ms)`,
        );
      }
      return 0;
    } catch (e) {
      if (e instanceof RenderError) {
        io.err(e.message);
        io.err(`render failed with ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}; nothing was written.`);
        return 1;
      }
      throw e;
    }
  },
});
