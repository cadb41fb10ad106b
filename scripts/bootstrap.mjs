#!/usr/bin/env node
// npm run bootstrap: declared in renderer/src/cli/commands.ts; `npm run bootstrap -- --help` prints its options and exit codes.
import { run } from './lib/run.mjs';

await run('bootstrap');
