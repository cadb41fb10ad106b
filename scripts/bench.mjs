#!/usr/bin/env node
// npm run bench: declared in renderer/src/cli/commands.ts; `npm run bench -- --help` prints its options and exit codes.
import { run } from './lib/run.mjs';

await run('bench');
