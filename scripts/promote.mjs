#!/usr/bin/env node
// npm run promote: declared in renderer/src/cli/commands.ts; `npm run promote -- --help` prints its options and exit codes.
import { run } from './lib/run.mjs';

await run('promote');
