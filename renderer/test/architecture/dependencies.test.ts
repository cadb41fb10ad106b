// The architecture as dependency rules (.dependency-cruiser.cjs), checked by dependency-cruiser over renderer/src.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRepoRoot } from '../../src/paths.js';
import { run } from '../../src/process.js';

// Its command line, found from the package's entry (the package exports no path to its bin/ folder).
const depcruise = path.resolve(path.dirname(fileURLToPath(import.meta.resolve('dependency-cruiser'))), '..', '..', 'bin', 'dependency-cruise.mjs');
const config = path.join(defaultRepoRoot, '.dependency-cruiser.cjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}

/** Every rule dependency-cruiser finds broken under `root`'s renderer/src, one line each, and how many are errors. */
async function violations(root: string): Promise<{ errors: number; lines: string[] }> {
  const result = await run(process.execPath, [depcruise, 'renderer/src', '--config', config, '--output-type', 'json'], { cwd: root });
  if (result.code !== 0) throw new Error(`dependency-cruiser could not run: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as { summary: { error: number; violations: Violation[] } };
  const lines = report.summary.violations.map((v) => `${v.rule.name}: ${[v.from, ...(v.cycle?.map((c) => c.name) ?? [v.to])].join(' → ')}`);
  return { errors: report.summary.error, lines };
}

let scratch: string | undefined;
afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** A throw-away repository with the given TypeScript modules under renderer/src and this repository's tsconfig. */
function repoWith(modules: Record<string, string>): string {
  scratch = mkdtempSync(path.join(tmpdir(), 'dependency-rules-'));
  writeFileSync(
    path.join(scratch, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['renderer/src/**/*.ts'] }),
  );
  for (const [file, text] of Object.entries(modules)) {
    mkdirSync(path.dirname(path.join(scratch, 'renderer/src', file)), { recursive: true });
    writeFileSync(path.join(scratch, 'renderer/src', file), text);
  }
  return scratch;
}

describe('the dependency rules', () => {
  it(
    'hold for renderer/src: no cycle, commands only from the list, cli/ only the framework, no disk outside fs.ts in the pipeline, nothing imports bench/ or e2e/',
    { timeout: 120_000 },
    async () => {
      expect(await violations(defaultRepoRoot)).toEqual({ errors: 0, lines: [] });
    },
  );

  it('fail on an import cycle, naming every module on it', { timeout: 120_000 }, async () => {
    const root = repoWith({
      'render/a.ts': "import { b } from './b.js';\nexport const a = () => b();\n",
      'render/b.ts': "import type { A } from './c.js';\nexport const b = (): A => 1;\n",
      'render/c.ts': "import { a } from './a.js';\nexport type A = number;\nexport const c = a;\n",
    });
    const { errors, lines } = await violations(root);
    expect(errors).toBe(1);
    expect(lines).toContain('no-cycles: renderer/src/render/a.ts → renderer/src/render/b.ts → renderer/src/render/c.ts → renderer/src/render/a.ts');
  });

  it('fail when a stage imports a command, reads the disk itself, or imports the benchmark', { timeout: 120_000 }, async () => {
    const root = repoWith({
      'render/merge.ts':
        "import { readFileSync } from 'node:fs';\nimport { command } from '../validate/cli.js';\nimport { bench } from '../bench/generate.js';\nexport const m = [readFileSync, command, bench];\n",
      'validate/cli.ts': 'export const command = 1;\n',
      'bench/generate.ts': 'export const bench = 1;\n',
    });
    const { errors, lines } = await violations(root);
    expect(errors).toBe(5);
    expect(lines.sort()).toEqual([
      'commands-only-from-the-list: renderer/src/render/merge.ts → renderer/src/validate/cli.ts',
      'nothing-imports-bench-or-e2e: renderer/src/render/merge.ts → renderer/src/bench/generate.ts',
      'pipeline-touches-the-disk-only-through-fs: renderer/src/render/merge.ts → fs',
      'stages-do-not-import-commands: renderer/src/render/merge.ts → renderer/src/bench/generate.ts',
      'stages-do-not-import-commands: renderer/src/render/merge.ts → renderer/src/validate/cli.ts',
    ]);
  });
});
