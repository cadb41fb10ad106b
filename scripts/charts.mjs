#!/usr/bin/env node
// npm run charts: declared in renderer/src/cli/commands.ts; `npm run charts -- --help` prints its options and exit codes.
import { run } from './lib/run.mjs';

await run('charts');
