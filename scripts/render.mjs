#!/usr/bin/env node
// npm run render [-- --check] [--env <env>]: renders overlays into clusters/. See README.md.
import { load, repoRoot, runMain } from './lib/run.mjs';

const { main } = await load('cli/render.js');
await runMain((argv) => main(argv, repoRoot));
