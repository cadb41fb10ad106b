/**
 * Small shared pieces of the schema generators: the JSON value type, the output file type, and the kinds of
 * loosening Kubernetes needs where its OpenAPI types are stricter on paper than the API server is in practice.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One generated schema: `path` is relative to its schema folder (POSIX), `schema` is written as JSON. */
export interface SchemaFile {
  path: string;
  schema: JsonObject;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An int-or-string field (ports, maxSurge): Kubernetes takes either, so the schema must too. */
export const intOrString: JsonObject = { oneOf: [{ type: 'string' }, { type: 'integer' }] };

/**
 * A resource quantity ("500m", "1Gi", or a bare number like 2): OpenAPI says string, the API server also takes
 * numbers, and so does kubernetes-json-schema (https://github.com/yannh/kubernetes-json-schema).
 */
export const quantity: JsonObject = { oneOf: [{ type: 'string' }, { type: 'number' }] };

/** Adds "null" to a schema's type, for optional fields written as `field:` or `field: null`, which the API server accepts. */
export function allowNull(schema: JsonObject): JsonObject {
  const type = schema.type;
  if (typeof type === 'string' && type !== 'null') return { ...schema, type: [type, 'null'] };
  return schema;
}

/** Serialized form of a schema file: compact (the files are read by kubeconform, not people) with a final newline. */
export function serializeSchema(schema: JsonObject): string {
  return `${JSON.stringify(schema)}\n`;
}

/**
 * Converts the subschemas under one structural keyword with `convert`, the same way for both generators:
 * `additionalProperties` and `items` as they are, `not`, `allOf`, `anyOf` and `oneOf` as branches (`inBranch`: a
 * branch holds a subset of the properties, so strictness must not apply there). Undefined for any other keyword.
 */
export function convertSubschemas(key: string, value: Json, convert: (node: Json, inBranch: boolean) => Json): Json | undefined {
  if (key === 'additionalProperties' || key === 'not') return convert(value, key === 'not');
  if (key === 'items') return Array.isArray(value) ? value.map((v) => convert(v, false)) : convert(value, false);
  if ((key === 'allOf' || key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) return value.map((v) => convert(v, true));
  return undefined;
}
