/**
 * `npm test`: the system tools first (all missing ones named in one message, with how to install them), then the
 * pinned tools, then the whole vitest suite once, ending with one plain summary line that CI systems can read.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repoPaths } from '../paths.js';
import { run } from '../process.js';
import { ensureTools } from '../tools/ensure.js';
import { missingSystemTools, missingToolsMessage } from '../tools/system.js';
import { defineCommand, standardExitCodes } from '../cli/command.js';

export const command = defineCommand({
  name: 'test',
  purpose: 'checks the system tools, provisions the pinned tools, runs the linters (npm run lint) and the whole test suite once, and prints "tests: N passed, N failed"',
  options: {
    'test-name-pattern': { type: 'string', short: 't', value: '<pattern>', description: 'only tests whose name matches this regular expression' },
  },
  positionals: { value: '<filter>', description: 'only test files whose path contains one of these' },
  exitCodes: { 0: 'every test passed', 1: 'a test failed, or a system tool is missing (the message names each one and how to install it)', 2: standardExitCodes[2] },
  async run(v, { root, io, positionals }) {
    const missing = await missingSystemTools(io.env);
    if (missing.length) {
      io.err(`Error: ${missingToolsMessage(missing)}`);
      return 1;
    }
    await ensureTools({ root, quiet: true, log: io.err, env: io.env });
    // The linters first (package.json's lint script: ESLint, Prettier's check, knip); a failure fails the run at the
    // end, so one run still reports the tests too.
    const lint = await run('npm', ['run', '--silent', 'lint'], { cwd: root, env: io.env, inherit: true });
    if (lint.code !== 0) io.err(`Error: npm run lint failed (exit ${lint.code}); see above, and run npm run format for the formatting`);
    mkdirSync(path.join(root, repoPaths.cacheDir), { recursive: true });
    const report = path.join(root, repoPaths.cacheDir, 'vitest-report.json');
    const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
    const pattern = v['test-name-pattern'] === undefined ? [] : ['--testNamePattern', v['test-name-pattern']];
    const tests = await run(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...pattern, ...positionals], {
      cwd: root,
      env: io.env,
      inherit: true,
    });
    if (!existsSync(report)) return 1;
    const { numPassedTests, numFailedTests, numPendingTests } = JSON.parse(readFileSync(report, 'utf8')) as Record<string, number>;
    io.out(`tests: ${numPassedTests} passed, ${numFailedTests} failed${numPendingTests ? `, ${numPendingTests} skipped` : ''}`);
    // CI proves everything: a skipped test there is a tool or a condition CI failed to provide.
    if (io.env.CI === 'true' && numPendingTests) {
      io.err(`Error: ${numPendingTests} test${numPendingTests === 1 ? ' was' : 's were'} skipped; with CI=true every test must run`);
      return 1;
    }
    return tests.code === 0 && lint.code === 0 ? 0 : 1;
  },
});
