#!/usr/bin/env node
// npm run validate: declared in renderer/src/cli/commands.ts; `npm run validate -- --help` prints its options and exit codes.
import { run } from './lib/run.mjs';

await run('validate');
