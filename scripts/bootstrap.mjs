#!/usr/bin/env node
// npm run bootstrap -- --cluster <cluster> [--dry-run] [--context <kube-context>] [--kubeconfig <file>]
// Applies a cluster's rendered root Application once; see renderer/src/bootstrap/ and the README.
import { load, repoRoot, runMain } from './lib/run.mjs';

const { bootstrapMain } = await load('bootstrap/cli.js');
await runMain((argv) => bootstrapMain(argv, repoRoot));
