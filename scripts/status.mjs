#!/usr/bin/env node
// npm run status: declared in renderer/src/cli/commands.ts; `npm run status -- --help` prints its options and exit codes.
import { run } from './lib/run.mjs';

await run('status');
