/**
 * Environments are isolated by construction. Random keys and values written into one environment's overlays
 * (settings, env, add-on Helm values, versions, and the keys JavaScript treats as object structure) either are
 * refused at a file of that environment, or change only that environment's cluster folders and its entries in
 * clusters/index.json; shared inputs (apps/, base/) may change every environment. Every file that changes names the
 * edited file in its header, and no file names another environment's overlay.
 * Bounded (a fixed seed, 30 runs, a shared job cache) to run in seconds; PROPERTY_RUNS and PROPERTY_SEED search more.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Document, parseDocument } from 'yaml';
import { renderRepository } from '../../src/render/render.js';
import { memoryReader, memoryStore } from '../../src/fs.js';
import { RenderError, formatProblem } from '../../src/errors.js';
import { JobCache } from '../../src/render/cache.js';
import { realInputs } from './fixture.js';

const inputs = realInputs();
const names = (pattern: RegExp) =>
  Object.keys(inputs)
    .map((f) => pattern.exec(f)?.[1])
    .filter((n): n is string => n !== undefined)
    .sort();
const envs = names(/^overlays\/([^/]+)\/environment\.yaml$/);
const apps = names(/^apps\/([^/]+)\.yaml$/);
const addons = [...inputs['base/addons.yaml']!.matchAll(/^ {2}- name: (\S+)$/gm)].map((m) => m[1]!);

const cache = new JobCache(memoryStore(), 'isolation');
type Files = Record<string, string>;

async function render(files: Files): Promise<Map<string, string>> {
  const result = await renderRepository(memoryReader(files), { wrapJob: (run) => cache.wrap(run) });
  return new Map(result.files.map((f) => [f.path, f.content]));
}

/** Files whose content differs between two renders, or that only one of them has. */
function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((f) => before.get(f) !== after.get(f)).sort();
}

/** The inputs a rendered manifest's header names. */
function headerSources(content: string): string[] {
  return /^# Sources: (.*)$/m.exec(content)?.[1]?.split(', ') ?? [];
}

interface ClusterEntry {
  name: string;
  environment: string;
}
const indexOf = (files: Map<string, string>) => JSON.parse(files.get('clusters/index.json')!) as { promotionChain: string[]; clusters: ClusterEntry[] };

/** `text` with the value at `at` set, creating the file (an added overlay) when there is none. */
function setIn(text: string | undefined, at: readonly unknown[], value: unknown): string {
  const doc = text === undefined ? new Document({}) : parseDocument(text);
  doc.setIn(at, doc.createNode(value));
  return doc.toString();
}

const baseline = await render(inputs);
const clustersOf = (env: string) =>
  indexOf(baseline)
    .clusters.filter((c) => c.environment === env)
    .map((c) => c.name);

describe('headers', () => {
  const edits: [string, string, (text: string) => string][] = [
    ["a callee's port", 'apps/api-gateway.yaml', (t) => t.replace('port: 8080', 'port: 8181')],
    ['the node-group label', 'base/platform.yaml', (t) => t.replace('nodeGroupLabel: berrys.io/node-group', 'nodeGroupLabel: berrys.io/pool')],
    ["the monitoring add-on's namespace", 'base/addons.yaml', (t) => t.replace('namespace: monitoring', 'namespace: observability')],
  ];
  for (const [what, file, edit] of edits) {
    it(`names the input that shaped a file in its header: ${what}`, async () => {
      const files = realInputs();
      files[file] = edit(files[file]!);
      expect(files[file]).not.toBe(inputs[file]);
      const after = await render(files);
      const changed = changedFiles(baseline, after).filter((f) => f.endsWith('.yaml'));
      expect(changed.length).toBeGreaterThan(0);
      expect(changed.filter((f) => !headerSources(after.get(f)!).includes(file))).toEqual([]);
    });
  }

  it("never names another environment's overlay in a cluster's files", () => {
    for (const { name, environment } of indexOf(baseline).clusters) {
      for (const [path, content] of baseline) {
        if (!path.startsWith(`clusters/${name}/`)) continue;
        expect(
          headerSources(content).filter((s) => s.startsWith('overlays/') && !s.startsWith(`overlays/${environment}/`)),
          path,
        ).toEqual([]);
      }
    }
  });
});

/** One write into one environment's overlays: a file of that environment, a data path in it, a value. */
interface Write {
  env: string;
  file: string;
  at: (string | number)[];
  value: unknown;
}

/** Keys JavaScript treats specially, settings an attacker would like to reach other environments, and any text. */
const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf') },
  { weight: 2, arbitrary: fc.constantFrom('externalEgress', 'ingress', 'writableRootFilesystem', 'namespace', 'replicas', 'env', 'settings') },
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);
const leaf = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -3, max: 20 }), fc.boolean(), fc.constant(null), fc.constantFrom('0.0.0.0/0', 'kube-system')) },
);
/** Nested mappings are Maps, so that a key such as `__proto__` is an entry and not a prototype. */
const value = fc.oneof({ weight: 3, arbitrary: leaf }, { weight: 2, arbitrary: fc.array(fc.tuple(key, leaf), { minLength: 1, maxLength: 3 }).map((entries) => new Map(entries)) });

const write: fc.Arbitrary<Write> = fc.constantFrom(...envs).chain((env) =>
  fc.oneof(
    fc.record({
      env: fc.constant(env),
      file: fc.constantFrom(...apps).map((app) => `overlays/${env}/apps/${app}.yaml`),
      at: fc.oneof(fc.tuple(key), fc.tuple(fc.constant('env'), key), fc.tuple(fc.constantFrom('autoscaling', 'resources', 'probes'), key)),
      value,
    }),
    fc.record({
      env: fc.constant(env),
      file: fc.constant(`overlays/${env}/environment.yaml`),
      at: fc.oneof(
        fc.tuple(fc.constant('settings'), fc.constant('env'), key),
        fc.tuple(fc.constant('settings'), key),
        fc.tuple(fc.constant('clusters'), fc.constant(0), fc.constant('settings'), fc.constant('env'), key),
        fc.tuple(fc.constant('addons'), fc.constantFrom(...addons), fc.constant('values'), key),
        fc.tuple(fc.constant('addons'), fc.constantFrom(...addons), fc.constant('values'), key, key),
      ),
      value,
    }),
    fc.record({ env: fc.constant(env), file: fc.constant(`overlays/${env}/versions.yaml`), at: fc.tuple(key), value }),
  ),
);

/** Writes the renderer accepts (an env variable, a Helm value), so that the property also sees renders. */
const accepted: fc.Arbitrary<Write> = fc.constantFrom(...envs).chain((env) =>
  fc.oneof(
    fc.record({
      env: fc.constant(env),
      file: fc.constantFrom(...apps).map((app) => `overlays/${env}/apps/${app}.yaml`),
      at: fc.tuple(fc.constant('env'), fc.stringMatching(/^[A-Z][A-Z0-9_]{0,10}$/)),
      value: fc.string({ maxLength: 12 }),
    }),
    fc.record({
      env: fc.constant(env),
      file: fc.constant(`overlays/${env}/environment.yaml`),
      at: fc.tuple(fc.constant('addons'), fc.constantFrom(...addons), fc.constant('values'), fc.string({ minLength: 1, maxLength: 10 })),
      value: leaf,
    }),
  ),
);

describe("one environment's overlays", () => {
  it("change only that environment's clusters, or are refused at a file of that environment", async () => {
    const cleanPrototype = Object.getOwnPropertyNames(Object.prototype).sort();
    let rendered = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(write, accepted), { minLength: 1, maxLength: 2 }), fc.nat(), async (writes, pick) => {
        // All writes of a run go to one environment: the first one's.
        const env = writes[0]!.env;
        const files = realInputs();
        for (const w of writes) {
          const file = w.file.replace(`overlays/${w.env}/`, `overlays/${env}/`);
          files[file] = setIn(files[file], w.at, w.value);
        }
        const edited = Object.keys(files).filter((f) => files[f] !== inputs[f]);
        let after: Map<string, string>;
        try {
          after = await render(files);
        } catch (err) {
          if (!(err instanceof RenderError)) throw err;
          refused++;
          for (const p of err.problems) expect(p.file.startsWith(`overlays/${env}/`), formatProblem(p)).toBe(true);
          return;
        } finally {
          expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(cleanPrototype);
        }
        rendered++;
        const mine = clustersOf(env);
        const changed = changedFiles(baseline, after);
        const elsewhere = changed.filter((f) => f !== 'clusters/index.json' && !mine.some((c) => f.startsWith(`clusters/${c}/`)));
        expect(elsewhere).toEqual([]);
        const others = (files: Map<string, string>) => ({ ...indexOf(files), clusters: indexOf(files).clusters.filter((c) => c.environment !== env) });
        expect(others(after)).toEqual(others(baseline));
        // Whatever changed names an edited file; `pick` samples one file per run for the other-environment check.
        for (const f of changed.filter((c) => c.endsWith('.yaml')))
          expect(
            edited.some((e) => headerSources(after.get(f)!).includes(e)),
            f,
          ).toBe(true);
        const sample = [...after.keys()].filter((f) => f.endsWith('.yaml'));
        const file = sample[pick % sample.length]!;
        const owner = indexOf(after).clusters.find((c) => file.startsWith(`clusters/${c.name}/`))!;
        expect(headerSources(after.get(file)!).filter((s) => s.startsWith('overlays/') && !s.startsWith(`overlays/${owner.environment}/`))).toEqual([]);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 30), seed: Number(process.env.PROPERTY_SEED ?? 20261206), endOnFailure: true },
    );
    // Both outcomes must occur, or the property says little.
    expect(rendered).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, 120_000);
});
