#!/usr/bin/env node
// npm run promote: see renderer/src/promote/cli.ts (promoteMain) and the README.
import { load, repoRoot, runMain } from './lib/run.mjs';

const { promoteMain } = await load('promote/cli.js');
await runMain((argv) => promoteMain(argv, repoRoot));
