/**
 * The PyPI edge of the tools step: one virtual environment under .cache/tools/venv and `pip install
 * <package>==<version>` into it for each pinned PyPI tool, so nothing touches the machine's Python.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { run, ToolsError } from './go.js';
import { cachePaths } from './layout.js';
import { pypiRef, type PypiPin } from './pins.js';

export const pythonMissingMessage = 'Python ≥3.9 with venv is needed to install zizmor from PyPI: apt-get install python3-venv';

/** Creates the virtual environment if needed and installs exactly the pinned version of one package. */
export async function pipInstall(root: string, pin: PypiPin, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const venv = path.join(root, cachePaths.pypiVenv);
  if (!existsSync(path.join(venv, 'bin', 'pip'))) {
    const made = await run('python3', ['-m', 'venv', venv], { cwd: root, env, missing: pythonMissingMessage });
    if (made.code !== 0) throw new ToolsError(`'python3 -m venv ${cachePaths.pypiVenv}' failed:\n${made.stderr.trim()}\n  hint: ${pythonMissingMessage}`);
  }
  const result = await run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '--no-input', pypiRef(pin)], { cwd: root, env });
  if (result.code !== 0) {
    throw new ToolsError(`'pip install ${pypiRef(pin)}' failed:\n${result.stderr.trim()}\n  hint: check the version in renderer/pins.json (pypiTools) and that PyPI is reachable.`);
  }
}
