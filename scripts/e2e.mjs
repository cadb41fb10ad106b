#!/usr/bin/env node
// npm run e2e: declared in renderer/src/e2e/command.ts; `npm run e2e -- --help` prints its options and exit codes.
import { run } from './lib/run.mjs';

await run('e2e');
// Why exit explicitly: the run ends child processes and servers it started, but a handle of theirs (a socket being
// closed) must not keep this process waiting after the verdict is printed.
process.exit(process.exitCode ?? 0);
