#!/usr/bin/env node
// npm run release: declared in renderer/src/cli/commands.ts; `npm run release -- --help` prints its options and exit codes.
import { run } from './lib/run.mjs';

await run('release');
