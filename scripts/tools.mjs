#!/usr/bin/env node
// npm run tools: declared in renderer/src/cli/commands.ts; `npm run tools -- --help` prints its options and exit codes.
import { run } from './lib/run.mjs';

await run('tools');
