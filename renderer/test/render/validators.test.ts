import { describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { publishedSchemas } from '../../src/model.js';
import { defaultRepoRoot } from '../../src/paths.js';
import { standaloneValidatorCode, validatorFor } from '../../src/validators.js';

/** Runs `check` with the validators the build precompiles (dist/validators.cjs), written to a scratch folder. */
async function withPrecompiled(check: (precompiled: Record<string, ValidateFunction>) => void): Promise<void> {
  // Inside the checkout, so that the generated code finds ajv's runtime helpers in node_modules.
  const dir = path.join(defaultRepoRoot, '.cache', `validators-test-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const file = path.join(dir, 'validators.cjs');
    writeFileSync(file, await standaloneValidatorCode());
    check(createRequire(file)(file) as Record<string, ValidateFunction>);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('precompiled validators', () => {
  it('refuse numbers that are not finite, as the run-time ones do', async () => {
    for (const value of [Infinity, -Infinity, NaN]) {
      expect(validatorFor(publishedSchemas.defaults!)({ replicas: value })).toBe(false);
      expect(validatorFor(publishedSchemas.platform!)({ clusterAutoscaler: { scaleDownUtilizationThreshold: value } })).toBe(false);
    }
    await withPrecompiled((precompiled) => {
      for (const value of [Infinity, -Infinity, NaN]) {
        expect(precompiled.defaults!({ replicas: value })).toBe(false);
        expect(precompiled.defaults!.errors!.map((e) => `${e.instancePath} ${e.keyword}`)).toContain('/replicas type');
      }
    });
  });

  it('report exactly what run-time compiled validators report', async () => {
    await withPrecompiled((precompiled) => {
      const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, strictNumbers: true });
      const samples: [string, unknown][] = [
        ['environment', { name: 'x', clusters: [{ name: 'Bad', role: 'main' }], extra: 1 }],
        ['app', { name: '../x', port: 'http', nodeGroup: 'gpu', calls: ['a', 'a'], dataStores: [] }],
        ['defaults', { replicas: 0, autoscaling: { maxReplica: 3 } }],
        ['versions', { 'api-gateway': '' }],
      ];
      for (const [name, value] of samples) {
        const runtime = ajv.compile(publishedSchemas[name]!);
        expect(precompiled[name]!(value)).toBe(false);
        expect(runtime(value)).toBe(false);
        // As plain data: the run-time errors' schemas also carry TypeBox's symbol keys, which no message reads.
        const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
        expect(plain(precompiled[name]!.errors)).toEqual(plain(runtime.errors));
      }
    });
  });
});
