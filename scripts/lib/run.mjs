// Shared edge for every entry point in scripts/: make sure the compiled renderer is fresh, then run one declared
// command (renderer/src/cli/commands.ts) through the command layer, which prints errors once and sets the exit code.
import { statSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

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

/** Runs node with arguments through zx (the repository's process runner), printing to this terminal; exits on failure. */
function node(args, failure) {
  // Performance (bench helper): zx is required here, when a build is needed, not imported at the top: importing it
  // costs about 50 ms of CPU, a sixth of a render whose inputs did not change, and most runs need no build.
  const { $ } = createRequire(import.meta.url)('zx/core');
  const result = $({ sync: true, stdio: 'inherit', nothrow: true, quiet: true, verbose: false, cwd: repoRoot })`${process.execPath} ${args}`;
  if (result.exitCode !== 0) {
    if (failure) console.error(`Error: ${failure}`);
    process.exit(result.exitCode ?? 1);
  }
}

// Why: entry points run compiled JavaScript so that no TypeScript loader is paid on every run;
// a stat of the sources is cheap and keeps an edited checkout from running stale code.
export function ensureBuilt({ force = false } = {}) {
  // Its own stamp, not tsc's .tsbuildinfo: a `tsc --noEmit` run refreshes that without emitting anything.
  const stamp = path.join(repoRoot, 'dist', '.build-stamp');
  const sources = path.join(repoRoot, 'renderer', 'src');
  if (!force && existsSync(stamp) && statSync(stamp).mtimeMs >= newestMtime(sources)) return;
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  node([tsc, '-p', path.join(repoRoot, 'tsconfig.build.json')], 'the renderer does not compile (see above); fix the TypeScript error and run again.');
  // The input schemas' validators as standalone code, so no render pays for compiling them (see validators.ts).
  node([
    '--input-type=module',
    '-e',
    `import { standaloneValidatorCode } from ${JSON.stringify(new URL('../../dist/validators.js', import.meta.url).href)};
import { writeFileSync } from 'node:fs';
writeFileSync(${JSON.stringify(path.join(repoRoot, 'dist', 'validators.cjs'))}, await standaloneValidatorCode());`,
  ]);
  writeFileSync(stamp, `${new Date(0).toISOString()}\n`);
}

/** Imports a compiled module of the renderer, e.g. `await load('render/cli.js')`. */
export async function load(modulePath) {
  ensureBuilt();
  return import(path.join(repoRoot, 'dist', modulePath));
}

/** Runs the command `name` with `argv` and sets the exit code from its answer; an unknown name is a usage error (2). */
export async function run(name, argv) {
  const [{ commands }, { runCommand, processIo }] = await Promise.all([load('cli/commands.js'), load('cli/command.js')]);
  if (!Object.hasOwn(commands, name ?? '')) {
    console.error(
      `Error: ${name ? `unknown command '${name}'` : 'no command given'}; usage: node scripts/run.mjs <command> [options]\n  commands: ${Object.keys(commands).join(', ')}`,
    );
    process.exitCode = 2;
    return;
  }
  process.exitCode = await runCommand(await commands[name](), argv, { root: repoRoot, io: processIo() });
}
