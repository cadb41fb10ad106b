#!/usr/bin/env node
// npm run release: see renderer/src/promote/cli.ts (releaseMain) and the README.
import { load, repoRoot, runMain } from './lib/run.mjs';

const { releaseMain } = await load('promote/cli.js');
await runMain((argv) => releaseMain(argv, repoRoot));
