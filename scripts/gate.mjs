#!/usr/bin/env node
// npm run gate: declared in renderer/src/cli/commands.ts; `npm run gate -- --help` prints its options and exit codes.
import { run } from './lib/run.mjs';

await run('gate');
