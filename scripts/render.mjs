#!/usr/bin/env node
// npm run render: declared in renderer/src/cli/commands.ts; `npm run render -- --help` prints its options and exit codes.
import { run } from './lib/run.mjs';

await run('render');
