#!/usr/bin/env node
// npm run rollback: see renderer/src/promote/cli.ts (rollbackMain) and the README (Rollback).
import { load, repoRoot, runMain } from './lib/run.mjs';

const { rollbackMain } = await load('promote/cli.js');
await runMain((argv) => rollbackMain(argv, repoRoot));
