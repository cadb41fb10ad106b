/**
 * Schema errors as problems a person can act on (file, line, the field, what to write), for every schema-checked
 * file: the inputs (render/load.ts) and the JSON files the tools read (renderer/pins.json, base/charts.lock.json).
 * Kept apart from load.ts so that reading a good pins.json or lock loads neither TypeBox nor ajv: those files are
 * checked by code `npm run schema` compiles (pin-files-check.ts), and only a broken one pays for ajv's description.
 */
import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';
import { allowedHint, excerpt, RenderError, type Problem } from './errors.js';
import { parseSource, type DataPath, type Source } from './source.js';

/**
 * A JSON file the tools read, held to its schema: the value when `check` (the compiled schema) passes; otherwise a
 * RenderError naming the file, the line and the field, with `guide` as where to look. JSON.parse goes first: YAML
 * would also read what is not JSON (a trailing comma, a comment).
 */
export function checkJsonFile<T>(file: string, text: string, check: (value: unknown) => boolean, schema: object, guide: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const offset = Number(/at position (\d+)/.exec(message)?.[1] ?? NaN);
    const before = Number.isNaN(offset) ? undefined : text.slice(0, offset).split('\n');
    const at = before ? { line: before.length, col: before.at(-1)!.length + 1 } : {};
    throw new RenderError([{ file, ...at, message: `not valid JSON (${message.replace(/ in JSON at position \d+.*$/, '')})`, hint: `see ${guide}` }]);
  }
  if (check(value)) return value as T;
  const { source, problems } = parseSource(file, text);
  if (!source) throw new RenderError(problems);
  // verbose: errors carry their schema, which names the allowed keys and describes the expected form.
  const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const validate = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
  validate(source.value);
  throw new RenderError([...problems, ...describeSchemaErrors(source, validate.errors ?? [], guide)]);
}

function pathOf(instancePath: string): DataPath {
  return instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function display(path: DataPath): string {
  return path.length === 0 ? 'the file' : `'${path.join('.')}'`;
}

/** The offending value, as a short single-line excerpt: messages never echo more of a file than that. */
function got(value: unknown): string {
  return excerpt(value);
}

/** Turns ajv's errors into problems that read like a person wrote them, one per place. */
export function describeSchemaErrors(source: Source<unknown>, errors: ErrorObject[], guide: string): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  // A union reports one error per branch; when one error at the same place says what the value must be, the
  // branch noise (const/anyOf/type) under it is dropped so the message stays about the user's mistake.
  const unionPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const error of errors) {
    const path = pathOf(error.instancePath);
    const value = valueAt(source.value, path);
    let problem: Problem | undefined;
    if (error.keyword === 'additionalProperties' && patternOf(error.parentSchema)) {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      problem = {
        file: source.file,
        ...source.locate([...path, key], true),
        message: `invalid name '${key}' in ${display(path)}`,
        hint: `names in ${display(path)} must match ${patternOf(error.parentSchema)}`,
      };
    } else if (error.keyword === 'additionalProperties') {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys(propertiesAt(error.parentSchema));
      problem = {
        file: source.file,
        ...source.locate([...path, key], true),
        message: `unknown key '${key}'${path.length ? ` in ${display(path)}` : ''}`,
        hint: allowedHint(key, allowed),
      };
    } else if (unionPaths.has(error.instancePath) && error.keyword !== 'anyOf') {
      continue;
    } else if (error.keyword === 'anyOf') {
      const options = constOptions(error.parentSchema);
      problem = {
        file: source.file,
        ...source.locate(path),
        message: `${display(path)} must be one of ${options.length ? options.join(', ') : 'the documented forms'} (got ${got(value)})`,
        hint: options.length ? allowedHint(String(value), options) : `see ${guide}`,
      };
    } else if (error.keyword === 'type') {
      const expected = (error.params as { type: string }).type;
      const word = expected === 'integer' ? 'a whole number' : expected === 'object' ? 'a mapping' : expected === 'array' ? 'a list' : `a ${expected}`;
      problem = {
        file: source.file,
        ...source.locate(path),
        message: `${display(path)} must be ${word} (got ${got(value)})`,
        hint: expected === 'integer' ? 'write digits without quotes, e.g. 3' : `write ${word}`,
      };
    } else if (error.keyword === 'minimum' || error.keyword === 'maximum') {
      const limit = (error.params as { limit: number }).limit;
      const op = error.keyword === 'minimum' ? '≥' : '≤';
      problem = { file: source.file, ...source.locate(path), message: `${display(path)} must be ${op} ${limit} (got ${got(value)})`, hint: `use a value ${op} ${limit}` };
    } else if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      problem = {
        file: source.file,
        ...source.locate(path, true),
        message: `missing key '${[...path, missing].join('.')}'`,
        hint: `add ${missing}: …; see ${guide}`,
      };
    } else if (error.keyword === 'pattern') {
      const description = (error.parentSchema as { description?: string } | undefined)?.description;
      problem = {
        file: source.file,
        ...source.locate(path),
        message: `${display(path)} has an invalid value ${got(value)}`,
        hint: description ?? `it must match ${(error.params as { pattern: string }).pattern}`,
      };
    } else {
      problem = { file: source.file, ...source.locate(path), message: `${display(path)} ${error.message ?? 'is invalid'} (got ${got(value)})` };
    }
    const key = `${problem.line}:${problem.col}:${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

function valueAt(value: unknown, path: DataPath): unknown {
  let v = value;
  for (const s of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[s] : undefined;
  return v;
}

function propertiesAt(schema: unknown): Record<string, unknown> {
  return (schema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
}

/** The key pattern of a mapping whose keys are names (a TypeBox Record), if it is one. */
function patternOf(schema: unknown): string | undefined {
  return Object.keys((schema as { patternProperties?: Record<string, unknown> } | undefined)?.patternProperties ?? {})[0];
}

function constOptions(schema: unknown): string[] {
  const anyOf = (schema as { anyOf?: { const?: unknown }[] } | undefined)?.anyOf ?? [];
  return anyOf.every((s) => s.const !== undefined) ? anyOf.map((s) => String(s.const)) : [];
}
