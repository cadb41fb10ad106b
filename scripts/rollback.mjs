#!/usr/bin/env node
// npm run rollback: declared in renderer/src/cli/commands.ts; `npm run rollback -- --help` prints its options and exit codes.
import { run } from './lib/run.mjs';

await run('rollback');
