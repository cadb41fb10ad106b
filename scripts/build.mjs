#!/usr/bin/env node
// Compiles the renderer into dist/ (npm ci runs this as prepare). Needs only Node: the Argo CD API types are
// committed (renderer/src/argocd/argocd-api.generated.d.ts), so installing and rendering need no Go.
import { ensureBuilt } from './lib/run.mjs';

ensureBuilt({ force: true });
