#!/usr/bin/env node
// Compiles the renderer into dist/. The Argo CD API types are generated first into the
// git-ignored cache because the Argo CD client is type-checked against them.
import { ensureBuilt } from './lib/run.mjs';

ensureBuilt({ force: true });
