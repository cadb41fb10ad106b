#!/usr/bin/env node
// npm run bench [-- --apps N] [--runs R] [--kustomize-runs K] [--only <part>] [--skip-kustomize] [--keep]:
// measures a synthetic repository (render, floors, validate, the pull-request check, kustomize and cdk8s on the
// same objects), says each part as it goes, prints every figure beside its target, writes .cache/bench/. See README.md.
import { load, repoRoot, runMain } from './lib/run.mjs';

const { main } = await load('bench/cli.js');
await runMain((argv) => main(argv, repoRoot));
