/** The one call of the renderer from release, promote and rollback: a checkout rendered by its own code. */
import path from 'node:path';
import { run } from '../process.js';

/**
 * Renders the checkout at `root` the way a person would: `node <root>/scripts/run.mjs render` in that folder, so the
 * code that renders is the checkout's own. Throws with the renderer's output when it fails.
 */
export async function renderCheckout(root: string): Promise<void> {
  const result = await run(process.execPath, [path.join(root, 'scripts', 'run.mjs'), 'render', '--quiet'], { cwd: root });
  if (result.code === 0) return;
  const output = `${result.stderr}${result.stdout}`.trim();
  throw new Error(`rendering ${root} failed (node scripts/run.mjs render):\n${output || `exit ${result.code}`}`);
}
