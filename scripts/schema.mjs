#!/usr/bin/env node
// npm run schema: declared in renderer/src/cli/commands.ts; `npm run schema -- --help` prints its options and exit codes.
import { run } from './lib/run.mjs';

await run('schema');
