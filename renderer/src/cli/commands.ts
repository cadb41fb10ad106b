/**
 * Every `npm run` command, by name. A command module is imported only when its command runs, so `npm run render`
 * never pays for loading the Kubernetes client. To add a command: declare it with `defineCommand` in its module, add
 * it here and add the npm script (`node scripts/run.mjs <name>`); the command-line test then checks
 * its --help and usage errors, and the README's command table must list it.
 */
import type { Command } from './command.js';

export const commands: Record<string, () => Promise<Command>> = {
  render: async () => (await import('../render/cli.js')).command,
  schema: async () => (await import('../schema/cli.js')).command,
  validate: async () => (await import('../validate/cli.js')).command,
  diff: async () => (await import('../diff/cli.js')).command,
  release: async () => (await import('../promote/cli.js')).releaseCommand,
  promote: async () => (await import('../promote/cli.js')).promoteCommand,
  rollback: async () => (await import('../promote/cli.js')).rollbackCommand,
  gate: async () => (await import('../promote/cli.js')).gateCommand,
  status: async () => (await import('../promote/cli.js')).statusCommand,
  versions: async () => (await import('../promote/cli.js')).versionsCommand,
  charts: async () => (await import('../charts/cli.js')).command,
  bootstrap: async () => (await import('../bootstrap/cli.js')).command,
  tools: async () => (await import('../tools/cli.js')).command,
  bench: async () => (await import('../bench/cli.js')).command,
  e2e: async () => (await import('../e2e/command.js')).command,
  test: async () => (await import('../test-suite/cli.js')).command,
};
