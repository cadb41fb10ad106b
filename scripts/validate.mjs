#!/usr/bin/env node
// npm run validate [-- --env <env>] [--cluster <c>] [--format human|json|github]: kubeconform (strict, offline
// schemas) and the policy rules over the rendered clusters/. Exit: 0 clean, 3 findings, 1 could not run, 2 usage.
import { load, repoRoot, runMain } from './lib/run.mjs';

const { main } = await load('validate/cli.js');
await runMain((argv) => main(argv, repoRoot));
