#!/usr/bin/env node
// npm run versions: declared in renderer/src/cli/commands.ts; `npm run versions -- --help` prints its options and exit codes.
import { run } from './lib/run.mjs';

await run('versions');
