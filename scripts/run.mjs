#!/usr/bin/env node
// The one entry point of every `npm run` command: `node scripts/run.mjs <command> [options]`. The commands are
// declared in renderer/src/cli/commands.ts (the one list); `npm run <command> -- --help` prints one's options.
import { run } from './lib/run.mjs';

await run(process.argv[2], process.argv.slice(3));
