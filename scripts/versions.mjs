#!/usr/bin/env node
// npm run versions: see renderer/src/promote/cli.ts (versionsMain) and the README (The version matrix).
import { load, repoRoot, runMain } from './lib/run.mjs';

const { versionsMain } = await load('promote/cli.js');
await runMain((argv) => versionsMain(argv, repoRoot));
