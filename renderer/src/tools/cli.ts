/**
 * `npm run tools`: builds the pinned Go tools and generates the schemas when stale.
 * Errors (no Go, a module that cannot be downloaded) are printed once by the command layer (exit 1).
 */
import { defineCommand, standardExitCodes } from '../cli/command.js';
import { ensureTools } from './ensure.js';

export const command = defineCommand({
  name: 'tools',
  purpose:
    'builds kubeconform, actionlint, helm and gitleaks (renderer/pins.json) into .cache/tools/bin and generates the Kubernetes and CRD schemas into .cache/schemas, only when stale; needs Go ≥1.22',
  options: {
    quiet: { type: 'boolean', description: 'print nothing when everything is up to date' },
    force: { type: 'boolean', description: 'rebuild and regenerate even when up to date' },
  },
  exitCodes: { 0: 'tools and schemas are ready', ...standardExitCodes },
  async run(v, { root, io }) {
    await ensureTools({ root, quiet: v.quiet, force: v.force, log: io.err });
    return 0;
  },
});
