/**
 * The input schemas' validators. Compiling them with ajv costs about a quarter of a second on every render, so the
 * build step (scripts/lib/run.mjs) also writes them as standalone code to dist/validators.cjs; the loader uses
 * that file when it is there (compiled runs) and compiles at run time otherwise (tests running the sources).
 */
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import { publishedSchemas } from './model.js';

// verbose: errors carry their schema, which names the allowed keys and describes the expected form.
const options = { allErrors: true, strict: false, verbose: true, strictNumbers: true } as const;

/** Standalone CommonJS code of every published schema's validator, exported under the schema's name. */
export async function standaloneValidatorCode(): Promise<string> {
  // ajv's standalone module is CommonJS with `exports.default`; under NodeNext its import is the exports object.
  type Standalone = (ajv: Ajv, refs: Record<string, string>) => string;
  const imported = (await import('ajv/dist/standalone/index.js')) as unknown as { default: Standalone | { default: Standalone } };
  const standalone = typeof imported.default === 'function' ? imported.default : imported.default.default;
  const ajv = new Ajv({ ...options, code: { source: true, esm: false } });
  const refs: Record<string, string> = {};
  for (const [name, schema] of Object.entries(publishedSchemas)) {
    ajv.addSchema(schema, name);
    refs[name] = name;
  }
  return standalone(ajv, refs);
}

let precompiled: Record<string, ValidateFunction> | null | undefined;
let runtime: Ajv | undefined;
const compiled = new Map<TSchema, ValidateFunction>();
const names = new Map<TSchema, string>(Object.entries(publishedSchemas).map(([name, schema]) => [schema, name]));

/** The validator of one published schema: precompiled when the build wrote it, else compiled once here. */
export function validatorFor(schema: TSchema): ValidateFunction {
  let v = compiled.get(schema);
  if (v) return v;
  if (precompiled === undefined) {
    try {
      precompiled = createRequire(import.meta.url)('./validators.cjs') as Record<string, ValidateFunction>;
    } catch {
      precompiled = null;
    }
  }
  const name = names.get(schema);
  v = (name && precompiled?.[name]) || (runtime ??= new Ajv(options)).compile(schema);
  compiled.set(schema, v);
  return v;
}
