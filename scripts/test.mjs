#!/usr/bin/env node
// npm test: provisions the pinned tools if missing or stale, compiles, then runs the whole vitest suite once.
// It ends with one plain summary line ("tests: N passed, N failed") that CI systems can read.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ensureBuilt, repoRoot } from './lib/run.mjs';

ensureBuilt();
const tools = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'tools.mjs'), '--quiet'], { stdio: 'inherit', cwd: repoRoot });
if (tools.status !== 0) process.exit(tools.status ?? 1);

mkdirSync(path.join(repoRoot, '.cache'), { recursive: true });
const report = path.join(repoRoot, '.cache', 'vitest-report.json');
const vitest = path.join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs');
const run = spawnSync(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: repoRoot,
});
if (existsSync(report)) {
  const { numPassedTests, numFailedTests, numPendingTests } = JSON.parse(readFileSync(report, 'utf8'));
  console.log(`tests: ${numPassedTests} passed, ${numFailedTests} failed${numPendingTests ? `, ${numPendingTests} skipped` : ''}`);
}
process.exit(run.status ?? 1);
