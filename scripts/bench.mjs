#!/usr/bin/env node
// npm run bench [-- --apps N] [--runs R] [--kustomize-runs K] [--skip-kustomize] [--keep]:
// renders a synthetic repository and its kustomize equivalent, prints a table, writes .cache/bench/. See README.md.
import { load, repoRoot, runMain } from './lib/run.mjs';

const { main } = await load('bench/cli.js');
await runMain((argv) => main(argv, repoRoot));
