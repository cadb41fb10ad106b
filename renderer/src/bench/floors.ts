/**
 * The benchmark's floors: single stages timed alone, so that a regression in one shows even while the whole
 * render stays within its targets.
 * - the secret scanner over one 1 MB value (it was quadratic: a 200 KB value took 202 s);
 * - the serialiser over every object of the rendered tree (the bytes of `clusters/` as the render writes them).
 * Each runs in its own process (the benchmark starts it through `measure`, with a time limit, so a scanner that
 * has become quadratic again is stopped and reported instead of holding the benchmark for hours).
 */
import { parseAllDocuments } from 'yaml';
import { repoPaths } from '../paths.js';
import { toYaml } from '../render/emit.js';
import { fastParseAll } from '../render/fastparse.js';
import { parseSource } from '../source.js';
// The scanner is called through this one import, so a rewritten scanner is measured without changing the benchmark.
import { findPlaintextSecrets } from '../render/secrets.js';
import { readRenderedTree } from '../render/write.js';

export interface FloorResult {
  /** Seconds of the measured work alone (no start-up, no reading). */
  seconds: number;
  /** CPU seconds (user + system) of the same work: on a shared machine, the steadier figure. */
  cpuSeconds: number;
  /** What was measured, for the table: bytes scanned or objects serialised. */
  units: number;
}

/**
 * Starts a wall and CPU clock; calling the result reads both, in seconds. CPU time is the whole process's, worker
 * threads included (process.cpuUsage is getrusage of the process).
 */
function startClock(): () => { seconds: number; cpuSeconds: number } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - wall) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
  };
}

/** Wall and CPU seconds (CPU: the whole process, worker threads included). */
export interface Times {
  wallSeconds: number;
  cpuSeconds: number;
}

/** Starts a clock (floors.ts); calling the result reads it as Times, which `median` (measure.ts) orders by wall time. */
export function timer(): () => Times {
  const clock = startClock();
  return () => {
    const { seconds, cpuSeconds } = clock();
    return { wallSeconds: seconds, cpuSeconds };
  };
}

/**
 * One input file holding a `bytes`-long value that looks like a base64 blob (a certificate bundle, a config file):
 * letters and digits with no secret in it, deterministic. A run of letters is the worst case of a regex that
 * backtracks per start position.
 */
export function largeValueFile(bytes: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let state = 7;
  const chars: string[] = new Array(bytes);
  for (let i = 0; i < bytes; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    chars[i] = alphabet[state % alphabet.length]!;
  }
  return `settings:\n  bundle: ${chars.join('')}\n`;
}

/** Times the secret scanner over one file holding a `bytes`-long value; throws if it reports a secret there. */
export function scannerFloor(bytes: number): FloorResult {
  const { source, problems } = parseSource('apps/bench-large-value.yaml', largeValueFile(bytes));
  if (!source) throw new Error(`the large-value file does not parse: ${problems.map((p) => p.message).join('; ')}`);
  const clock = startClock();
  const found = findPlaintextSecrets(source);
  const times = clock();
  if (found.length > 0) throw new Error(`the scanner reports a secret in a value that has none: ${found[0]!.message}`);
  return { ...times, units: bytes };
}

/**
 * Times the serialiser over every object of the rendered tree under `root` (parsing them first, untimed).
 * @public called by name from a child process (bench/cli.ts callArgs), which knip cannot follow
 */
export async function serializerFloor(root: string): Promise<FloorResult> {
  const objects: unknown[] = [];
  for (const [file, content] of await readRenderedTree(root)) {
    if (!file.endsWith('.yaml')) continue;
    // A file fastparse does not read (a block scalar, say an Alloy configuration in an add-on's values) is read by
    // the library; parsing is not timed, only the serialiser is.
    const docs = fastParseAll(content) ?? parseAllDocuments(content).map((d) => d.toJS() as unknown);
    objects.push(...docs.filter((d) => d !== null && d !== undefined));
  }
  const clock = startClock();
  let bytes = 0;
  for (const o of objects) bytes += toYaml(o).length;
  const times = clock();
  if (bytes === 0) throw new Error(`no objects under ${root}/clusters to serialise`);
  return { ...times, units: objects.length };
}

/** One YAML job done by the library the renderer picked and by the `yaml` library alone, on the same text. */
export interface YamlComparison {
  what: string;
  chosen: string;
  chosenCpuSeconds: number;
  yamlCpuSeconds: number;
  units: number;
}

/**
 * The CPU seconds of the fastest of `rounds` rounds of `work` (the first warms the code up). The chosen libraries
 * take three rounds, their small figures need it; the `yaml` library alone one, its figure is large and its rounds
 * cost the benchmark tens of seconds each on a busy machine.
 */
function bestOf(rounds: number, work: () => void): number {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const clock = startClock();
    work();
    best = Math.min(best, clock().cpuSeconds);
  }
  return best;
}

/**
 * What the second and third YAML libraries save against the `yaml` library alone, on the tree under `root`:
 * fastparse.ts against `parseAllDocuments` on the rendered manifests (the render's template output is the same
 * YAML subset), js-yaml against `parse` on the input files, and serialize.ts against the library writer it stands
 * in for (libraryToYaml) on every rendered object. Each figure is CPU time in one process: the chosen library's best of three rounds, the `yaml` library's one.
 * @public called by name from a child process (bench/cli.ts callArgs), which knip cannot follow
 */
export async function yamlLibrariesFloor(root: string): Promise<YamlComparison[]> {
  const yaml = await import('yaml');
  const jsYaml = (await import('js-yaml')).default;
  const { libraryToYaml } = await import('../render/emit.js');
  const rendered = [...(await readRenderedTree(root))].filter(([file]) => file.endsWith('.yaml')).map(([, text]) => text);
  const inputs = (await readInputTexts(root)).filter((text) => text.length > 0);
  const objects = rendered.flatMap((text) => (fastParseAll(text) ?? []).filter((d) => d !== null && d !== undefined));
  return [
    {
      what: 'read the rendered manifests',
      chosen: 'fastparse.ts',
      chosenCpuSeconds: bestOf(3, () => rendered.forEach((t) => fastParseAll(t))),
      yamlCpuSeconds: bestOf(1, () => rendered.forEach((t) => yaml.parseAllDocuments(t).forEach((d) => d.toJS()))),
      units: rendered.length,
    },
    {
      what: 'read the input files',
      chosen: 'js-yaml',
      chosenCpuSeconds: bestOf(3, () => inputs.forEach((t) => jsYaml.load(t))),
      yamlCpuSeconds: bestOf(1, () => inputs.forEach((t) => yaml.parse(t))),
      units: inputs.length,
    },
    {
      what: 'write every rendered object',
      chosen: 'serialize.ts',
      chosenCpuSeconds: bestOf(3, () => objects.forEach((o) => toYaml(o))),
      yamlCpuSeconds: bestOf(1, () => objects.forEach((o) => libraryToYaml(o))),
      units: objects.length,
    },
  ];
}

/** The text of every .yaml input file (apps/, base/, overlays/) under `root`, read through the render's reader. */
async function readInputTexts(root: string): Promise<string[]> {
  const { diskReader } = await import('../fs.js');
  const reader = diskReader(root);
  const texts: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await reader.list(dir)) {
      const child = `${dir}/${e.name}`;
      if (e.isDir) await walk(child);
      else if (child.endsWith('.yaml')) texts.push((await reader.read(child)) ?? '');
    }
  };
  for (const dir of [repoPaths.appsDir, repoPaths.baseDir, repoPaths.overlaysDir]) await walk(dir);
  return texts;
}
