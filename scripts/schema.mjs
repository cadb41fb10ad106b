#!/usr/bin/env node
// npm run schema [-- --check]: publishes the input files' JSON Schemas to renderer/schema/.
import { load, repoRoot, runMain } from './lib/run.mjs';

const { main } = await load('cli/schema.js');
await runMain((argv) => main(argv, repoRoot));
