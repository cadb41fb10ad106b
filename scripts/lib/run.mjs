// Shared edge for every entry point in scripts/: make sure the compiled renderer is fresh,
// then run one command function, print errors once, and turn the result into an exit code.
import { statSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

// Why: entry points run compiled JavaScript so that no TypeScript loader is paid on every run;
// a stat of the sources is cheap and keeps an edited checkout from running stale code.
export function ensureBuilt({ force = false } = {}) {
  // Its own stamp, not tsc's .tsbuildinfo: a `tsc --noEmit` run refreshes that without emitting anything.
  const stamp = path.join(repoRoot, 'dist', '.build-stamp');
  const sources = path.join(repoRoot, 'renderer', 'src');
  if (!force && existsSync(stamp) && statSync(stamp).mtimeMs >= newestMtime(sources)) return;
  const argocdTypes = path.join(repoRoot, 'scripts', 'lib', 'argocd-types.mjs');
  if (existsSync(argocdTypes)) {
    const result = spawnSync(process.execPath, [argocdTypes], { stdio: 'inherit' });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', path.join(repoRoot, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('Error: the renderer does not compile (see above); fix the TypeScript error and run again.');
    process.exit(1);
  }
  // The input schemas' validators as standalone code, so no render pays for compiling them (see validators.ts).
  const validators = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `import { standaloneValidatorCode } from ${JSON.stringify(new URL('../../dist/validators.js', import.meta.url).href)};
import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(path.join(repoRoot, 'dist', 'validators.cjs'))}, await standaloneValidatorCode());`],
    { stdio: 'inherit' },
  );
  if (validators.status !== 0) process.exit(validators.status ?? 1);
  writeFileSync(stamp, `${new Date(0).toISOString()}\n`);
}

/** Imports a compiled module of the renderer, e.g. `await load('cli/render.js')`. */
export async function load(modulePath) {
  ensureBuilt();
  return import(path.join(repoRoot, 'dist', modulePath));
}

/**
 * Runs `main(argv)` which returns an exit code; an exception is printed once as `Error: …`.
 * Usage errors (err.usage === true) exit 2, everything else 1.
 */
export async function runMain(main) {
  try {
    process.exitCode = (await main(process.argv.slice(2))) ?? 0;
  } catch (err) {
    console.error(`Error: ${err?.message ?? err}`);
    process.exitCode = err?.usage ? 2 : 1;
  }
}
