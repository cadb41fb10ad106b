#!/usr/bin/env node
// npm run tools [-- --quiet] [--force]: builds kubeconform and actionlint (renderer/pins.json) into .cache/tools/bin
// and generates the Kubernetes and CRD schemas into .cache/schemas, only when stale. Needs Go ≥1.22.
import { load, repoRoot, runMain } from './lib/run.mjs';

const { main } = await load('tools/cli.js');
await runMain((argv) => main(argv, repoRoot));
