#!/usr/bin/env node
// npm run diff [-- --base <ref>] [--head <ref>] [--format terminal|markdown|json] [--env <env>]: the rendered
// diff between two revisions, per environment and app. Exit 0 no change, 3 changes, 1 error, 2 usage. See README.md.
import { load, repoRoot, runMain } from './lib/run.mjs';

const { main } = await load('diff/cli.js');
await runMain((argv) => main(argv, repoRoot));
