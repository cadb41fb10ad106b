#!/usr/bin/env node
// npm run diff: declared in renderer/src/cli/commands.ts; `npm run diff -- --help` prints its options and exit codes.
import { run } from './lib/run.mjs';

await run('diff');
