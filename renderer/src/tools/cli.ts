/**
 * `npm run tools [-- --quiet] [--force]`: builds the pinned Go tools and generates the schemas when stale.
 * Errors (no Go, a module that cannot be downloaded) are thrown and printed once by scripts/lib/run.mjs (exit 1).
 */
import { parseArgs } from '../cli/args.js';
import { ensureTools } from './ensure.js';

export async function main(argv: string[], root: string, log: (line: string) => void = console.error): Promise<number> {
  const args = parseArgs(argv, { flags: ['quiet', 'force'] });
  await ensureTools({ root, quiet: args.flags.has('quiet'), force: args.flags.has('force'), log });
  return 0;
}
