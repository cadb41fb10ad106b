/**
 * `npm run bench [-- --apps N] [--runs R] [--kustomize-runs K] [--skip-kustomize] [--keep]`: builds a synthetic
 * repository of N apps × the environments in a temporary folder, renders it through the real command line as whole
 * processes (full, nothing changed, one overlay edit, --check, validate, diff), renders the equivalent kustomize
 * tree with `kubectl kustomize`, checks that both give the same objects, prints a table and writes
 * `.cache/bench/bench-<N>-apps.json`. Exit codes: 0 done, 1 a step failed or the renderers disagree, 2 usage.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, UsageError } from '../cli/args.js';
import { repoPaths } from '../paths.js';
import { readRenderedTree } from '../write.js';
import { compareModels, kustomizeObjects, kustomizeTree, objectModel, overlayEdit, renderedAppObjects, syntheticInputs } from './generate.js';
import { hasGnuTime, measure, median, type Measurement } from './measure.js';

export interface ScenarioResult {
  name: string;
  command: string;
  available: boolean;
  note?: string;
  runs: number;
  wallSeconds?: number;
  cpuSeconds?: number | null;
  maxRssMiB?: number | null;
  resources?: number;
  resourcesPerSecond?: number;
  exitCode?: number;
  allWallSeconds?: number[];
}

export interface BenchReport {
  apps: number;
  /** Environments of the synthetic repository (the real repository's overlays). */
  environments: number;
  machine: { cpus: number; memoryGiB: number; node: string; platform: string; kubectl: string | null; gnuTime: boolean };
  renderedFiles: number;
  scenarios: ScenarioResult[];
  kustomize: ScenarioResult & { equal?: boolean; differences?: string[] };
  ratioToKustomize: number | null;
  targets: { name: string; met: boolean | null; detail: string }[];
}

const kubectlCandidates = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'];

function findKubectl(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'kubectl'))) return path.join(dir, 'kubectl');
  }
  return kubectlCandidates.find((c) => existsSync(c));
}

function readTree(root: string, rel: string, into: Record<string, string>): void {
  for (const name of readdirSync(path.join(root, rel))) {
    const child = `${rel}/${name}`;
    if (statSync(path.join(root, child)).isDirectory()) readTree(root, child, into);
    else into[child] = readFileSync(path.join(root, child), 'utf8');
  }
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
}

/** The temporary repository: generated inputs, copied entry points, the checkout's node_modules and dist linked. */
function prepareRepo(realRoot: string, tmp: string, apps: number): Record<string, string> {
  const real: Record<string, string> = {};
  readTree(realRoot, repoPaths.baseDir, real);
  readTree(realRoot, repoPaths.overlaysDir, real);
  const inputs = syntheticInputs({ apps }, real);
  writeTree(tmp, inputs);
  for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json', repoPaths.pins]) {
    if (existsSync(path.join(realRoot, file))) cpSync(path.join(realRoot, file), path.join(tmp, file));
  }
  cpSync(path.join(realRoot, 'scripts'), path.join(tmp, 'scripts'), { recursive: true });
  // dist/ is copied, not linked: the whole run measures one build even while someone edits and rebuilds the
  // checkout. renderer/src is an empty folder so that the entry points' freshness check (scripts/lib/run.mjs) finds
  // nothing newer than that build and never pays a compile inside a measurement.
  cpSync(path.join(realRoot, 'dist'), path.join(tmp, 'dist'), { recursive: true });
  mkdirSync(path.join(tmp, 'renderer', 'src'), { recursive: true });
  for (const link of ['node_modules', 'renderer/schema', '.cache/tools', '.cache/schemas', '.cache/generated']) {
    if (!existsSync(path.join(realRoot, link))) continue;
    mkdirSync(path.dirname(path.join(tmp, link)), { recursive: true });
    symlinkSync(path.join(realRoot, link), path.join(tmp, link));
  }
  writeFileSync(path.join(tmp, '.gitignore'), 'node_modules\ndist\n.cache\nrenderer/schema\n');
  return inputs;
}

function git(cwd: string, args: string[]): void {
  execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', '-c', 'commit.gpgsign=false', ...args], { cwd, stdio: 'ignore' });
}

function countRendered(root: string): number {
  let n = 0;
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name.endsWith('.yaml')) n++;
    }
  };
  if (existsSync(path.join(root, repoPaths.clustersDir))) walk(path.join(root, repoPaths.clustersDir));
  return n;
}

function summarize(name: string, command: string, runs: Measurement[], resources?: number): ScenarioResult {
  const m = median(runs);
  return {
    name,
    command,
    available: true,
    runs: runs.length,
    wallSeconds: m.wallSeconds,
    cpuSeconds: m.cpuSeconds,
    maxRssMiB: Math.max(...runs.map((r) => r.maxRssMiB ?? 0)) || m.maxRssMiB,
    exitCode: m.exitCode,
    allWallSeconds: runs.map((r) => r.wallSeconds),
    ...(resources !== undefined ? { resources, resourcesPerSecond: resources / m.wallSeconds } : {}),
  };
}

function fail(step: string, m: Measurement): never {
  throw new Error(`${step} exited ${m.exitCode}:\n${(m.stderr || m.stdout).trim().split('\n').slice(0, 20).join('\n')}`);
}

export async function main(argv: string[], realRoot: string, out: (line: string) => void = console.log): Promise<number> {
  const args = parseArgs(argv, { flags: ['skip-kustomize', 'keep'], values: ['apps', 'runs', 'kustomize-runs'] });
  const num = (name: string, fallback: number) => {
    const raw = args.values.get(name)?.at(-1);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number ≥ 1 (got '${raw}')`);
    return n;
  };
  const apps = num('apps', 250);
  const runs = num('runs', 3);
  const kustomizeRuns = num('kustomize-runs', 1);
  const kubectl = args.flags.has('skip-kustomize') ? undefined : findKubectl();
  const node = process.execPath;
  const render = path.join('scripts', 'render.mjs');

  const tmp = mkdtempSync(path.join(os.tmpdir(), `berrys-bench-${apps}-`));
  out(`bench: ${apps} apps in ${tmp}${hasGnuTime() ? '' : ' (GNU time not installed: wall time only; apt-get install time)'}`);
  try {
    const inputs = prepareRepo(realRoot, tmp, apps);
    const scenarios: ScenarioResult[] = [];
    const timed = async (label: string, cmdArgs: string[], before?: (i: number) => void, okCodes = [0]) => {
      const results: Measurement[] = [];
      for (let i = 0; i < runs; i++) {
        before?.(i);
        const m = await measure(node, cmdArgs, tmp);
        if (!okCodes.includes(m.exitCode)) fail(label, m);
        results.push(m);
      }
      return results;
    };

    const full = await timed('full render', [render], () => {
      rmSync(path.join(tmp, repoPaths.clustersDir), { recursive: true, force: true });
      rmSync(path.join(tmp, repoPaths.renderCacheDir), { recursive: true, force: true });
    });
    const files = countRendered(tmp);
    scenarios.push(summarize('full render (clean clusters/ and cache)', 'node scripts/render.mjs', full, files));
    git(tmp, ['init', '-q', '-b', 'main']);
    git(tmp, ['add', '-A']);
    git(tmp, ['commit', '-q', '-m', 'first render']);

    scenarios.push(summarize('render, nothing changed', 'node scripts/render.mjs', await timed('unchanged render', [render]), files));

    const edit = overlayEdit(inputs);
    const original = inputs[edit.path];
    const editRuns = await timed('render after one overlay edit', [render], (i) => {
      const edited = (runs - 1 - i) % 2 === 0;
      const target = path.join(tmp, edit.path);
      if (edited) writeTree(tmp, { [edit.path]: edit.content });
      else if (original !== undefined) writeFileSync(target, original);
      else rmSync(target, { force: true });
    });
    scenarios.push(summarize(`render after one overlay edit (${edit.path})`, 'node scripts/render.mjs', editRuns, files));
    scenarios.push(summarize('render --check', 'node scripts/render.mjs --check', await timed('render --check', [render, '--check']), files));

    for (const [name, script, extra, ok] of [
      ['validate', 'validate.mjs', [] as string[], [0, 3]],
      ['diff (working tree against the first render)', 'diff.mjs', ['--base', 'HEAD'], [0, 3]],
    ] as const) {
      if (!existsSync(path.join(realRoot, 'scripts', script))) {
        scenarios.push({ name, command: `node scripts/${script}`, available: false, runs: 0, note: `not available (scripts/${script} does not exist yet)` });
        continue;
      }
      try {
        scenarios.push(summarize(name, `node scripts/${script} ${extra.join(' ')}`.trim(), await timed(name, [path.join('scripts', script), ...extra], undefined, [...ok]), files));
      } catch (err) {
        scenarios.push({ name, command: `node scripts/${script}`, available: false, runs: 0, note: `failed: ${(err as Error).message.split('\n').slice(0, 3).join(' ')}` });
      }
    }

    let kustomize: BenchReport['kustomize'] = { name: 'kubectl kustomize (every cluster overlay, in sequence)', command: 'kubectl kustomize kustomize/overlays/<cluster>', available: false, runs: 0 };
    if (!kubectl) {
      kustomize.note = args.flags.has('skip-kustomize') ? 'skipped (--skip-kustomize)' : 'skipped: kubectl is not installed';
    } else {
      const rendered = await readRenderedTree(tmp);
      writeTree(tmp, kustomizeTree(rendered));
      const clusters = readdirSync(path.join(tmp, 'kustomize', 'overlays')).sort();
      const totals: Measurement[] = [];
      const differences: string[] = [];
      let objects = 0;
      for (let r = 0; r < kustomizeRuns; r++) {
        const perCluster: Measurement[] = [];
        for (const cluster of clusters) {
          const m = await measure(kubectl, ['kustomize', path.join('kustomize', 'overlays', cluster)], tmp);
          if (m.exitCode !== 0) fail(`kubectl kustomize ${cluster}`, m);
          perCluster.push(m);
          if (r === 0) {
            const theirs = kustomizeObjects(m.stdout);
            objects += theirs.length;
            differences.push(...compareModels(objectModel(renderedAppObjects(rendered, cluster)), objectModel(theirs)).map((d) => `${cluster}: ${d}`));
          }
          m.stdout = '';
        }
        totals.push({
          wallSeconds: perCluster.reduce((s, m) => s + m.wallSeconds, 0),
          cpuSeconds: perCluster.every((m) => m.cpuSeconds !== null) ? perCluster.reduce((s, m) => s + m.cpuSeconds!, 0) : null,
          maxRssMiB: perCluster.every((m) => m.maxRssMiB !== null) ? Math.max(...perCluster.map((m) => m.maxRssMiB!)) : null,
          exitCode: 0,
          stdout: '',
          stderr: '',
        });
      }
      kustomize = { ...kustomize, ...summarize(kustomize.name, kustomize.command, totals, objects), equal: differences.length === 0, differences: differences.slice(0, 20) };
      kustomize.note = `kustomize renders only the app objects (${objects}); this renderer also renders the Argo CD and platform folders`;
    }

    const fullWall = scenarios[0]!.wallSeconds!;
    const ratio = kustomize.wallSeconds !== undefined ? kustomize.wallSeconds / fullWall : null;
    const report: BenchReport = {
      apps,
      environments: Object.keys(inputs).filter((f) => /^overlays\/[^/]+\/environment\.yaml$/.test(f)).length,
      machine: {
        cpus: os.availableParallelism(),
        memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
        node: process.version,
        platform: `${os.type()} ${os.release()} ${os.arch()}`,
        kubectl: kubectl ? execFileSync(kubectl, ['version', '--client'], { encoding: 'utf8' }).trim().split('\n').join('; ') : null,
        gnuTime: hasGnuTime(),
      },
      renderedFiles: files,
      scenarios,
      kustomize,
      ratioToKustomize: ratio,
      targets: targetsFor(apps, scenarios, ratio),
    };
    const outFile = path.join(realRoot, repoPaths.cacheDir, 'bench', `bench-${apps}-apps.json`);
    mkdirSync(path.dirname(outFile), { recursive: true });
    writeFileSync(outFile, JSON.stringify(report, null, 2) + '\n');
    for (const line of formatReport(report)) out(line);
    out(`written ${path.relative(realRoot, outFile)}`);
    if (kustomize.equal === false) {
      out('Error: the two renderers disagree on the objects (see above)');
      return 1;
    }
    return 0;
  } finally {
    if (args.flags.has('keep')) out(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

/** The targets of issue 6 for this size, evaluated on the measured figures. */
export function targetsFor(apps: number, scenarios: ScenarioResult[], ratio: number | null): BenchReport['targets'] {
  const wall = (prefix: string) => scenarios.find((s) => s.name.startsWith(prefix))?.wallSeconds;
  const t: BenchReport['targets'] = [];
  const full = wall('full render');
  const check = (name: string, value: number | undefined, limit: number, unit = 's') =>
    t.push({ name, met: value === undefined ? null : value < limit, detail: value === undefined ? 'not measured' : `${value.toFixed(2)} ${unit} (limit ${limit} ${unit})` });
  if (apps === 250) {
    check('full render < 2 s', full, 2);
    t.push({ name: 'full render ≥ 30× faster than kustomize', met: ratio === null ? null : ratio >= 30, detail: ratio === null ? 'kustomize not measured' : `${ratio.toFixed(1)}×` });
    check('nothing-changed render < 0.5 s', wall('render, nothing changed'), 0.5);
    check('one-overlay-edit render < 0.5 s', wall('render after one overlay edit'), 0.5);
  }
  if (apps === 1000) {
    check('full render < 8 s', full, 8);
    const rss = scenarios[0]?.maxRssMiB ?? undefined;
    check('full render peak memory < 1 GB', rss ?? undefined, 1024, 'MiB');
  }
  return t;
}

export function formatReport(r: BenchReport): string[] {
  const rows = [...r.scenarios, r.kustomize].map((s) => [
    s.name,
    s.available ? s.wallSeconds!.toFixed(3) : '–',
    s.available && s.cpuSeconds != null ? s.cpuSeconds.toFixed(2) : '–',
    s.available && s.maxRssMiB != null ? s.maxRssMiB.toFixed(0) : '–',
    s.available && s.resourcesPerSecond !== undefined ? Math.round(s.resourcesPerSecond).toString() : '–',
    s.available ? `${s.exitCode}` : (s.note ?? ''),
  ]);
  const header = ['scenario', 'wall s', 'cpu s', 'max RSS MiB', 'resources/s', 'exit'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const fmt = (row: string[]) => row.map((c, i) => (i === 0 || i === 5 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  const lines = [
    `${r.apps} apps × ${r.environments} environments: ${r.renderedFiles} rendered files; ${r.machine.cpus} CPUs, ${r.machine.memoryGiB} GiB, node ${r.machine.node}`,
    fmt(header),
    fmt(header.map((_, i) => '-'.repeat(widths[i]!))),
    ...rows.map(fmt),
  ];
  if (r.kustomize.note) lines.push(`kustomize: ${r.kustomize.note}`);
  if (r.kustomize.equal !== undefined) lines.push(r.kustomize.equal ? 'same objects from both renderers (kind/namespace/name, images, replicas, env, resources, autoscaler bounds, ports)' : `DIFFERENT objects:\n  ${r.kustomize.differences!.join('\n  ')}`);
  if (r.ratioToKustomize !== null) lines.push(`full render is ${r.ratioToKustomize.toFixed(1)}× faster than kubectl kustomize`);
  for (const t of r.targets) lines.push(`target ${t.met === null ? '?' : t.met ? 'met ' : 'MISSED'}: ${t.name}: ${t.detail}`);
  return lines;
}
