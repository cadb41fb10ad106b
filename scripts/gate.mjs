#!/usr/bin/env node
// npm run gate: see renderer/src/promote/cli.ts (gateMain) and the README.
import { load, repoRoot, runMain } from './lib/run.mjs';

const { gateMain } = await load('promote/cli.js');
await runMain((argv) => gateMain(argv, repoRoot));
