#!/usr/bin/env node
// npm run status: see renderer/src/promote/cli.ts (statusMain) and the README.
import { load, repoRoot, runMain } from './lib/run.mjs';

const { statusMain } = await load('promote/cli.js');
await runMain((argv) => statusMain(argv, repoRoot));
