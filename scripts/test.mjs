#!/usr/bin/env node
// npm test: declared in renderer/src/cli/commands.ts; `npm test -- --help` prints its options and exit codes.
import { run } from './lib/run.mjs';

await run('test');
