/**
 * JSON Schemas of custom resources for kubeconform, generated from the CustomResourceDefinitions shipped inside
 * the pinned upstream Go modules. Pure: CRD text in, files out.
 *
 * Each served version's openAPIV3Schema becomes `{group}/{kind}_{version}.json` (the layout of the datree
 * CRDs-catalog that kubeconform's docs use with `{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`),
 * strict like the Kubernetes schemas: `additionalProperties: false` wherever properties are declared, except
 * where the CRD itself says unknown fields are kept (`x-kubernetes-preserve-unknown-fields`). `metadata` is checked
 * against Kubernetes' own ObjectMeta, which the CRD schemas leave open.
 */
import { parseAllDocuments } from 'yaml';
import { allowNull, isObject, type Json, type JsonObject, type SchemaFile, convertSubschemas } from './jsonschema.js';

export interface CrdSchemaOptions {
  strict: boolean;
  /** Kubernetes' ObjectMeta as a standalone schema (see standaloneDefinition); metadata stays open without it. */
  objectMeta?: { root: JsonObject; definitions: JsonObject };
}

const objectMetaName = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/**
 * Helm-templated CRD files (cert-manager shipped them that way for a while) are not YAML until rendered:
 * lines that are only a template action (`{{- if .Values.crds.enabled }}`) are dropped and inline actions
 * (`{{ include "labels" . }}`) become a placeholder, which keeps the schema part intact.
 */
export function stripTemplates(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*\{\{-?[^}]*-?\}\}\s*$/.test(line))
    .map((line) => line.replace(/\{\{-?[^}]*-?\}\}/g, 'templated'))
    .join('\n');
}

/** Converts one openAPIV3Schema node to draft-4 JSON Schema; `inBranch` as in kubernetes-schemas.ts. */
function convert(node: Json, strict: boolean, inBranch = false): Json {
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  let sub: Json | undefined;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' || key === 'nullable' || key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, prop]) => [name, convert(prop, strict)]));
    } else if ((sub = convertSubschemas(key, value, (v, inBranch) => convert(v, strict, inBranch))) !== undefined) {
      out[key] = sub;
    } else {
      out[key] = value;
    }
  }
  if (node['x-kubernetes-int-or-string'] === true || node.format === 'int-or-string') {
    delete out.type;
    delete out.format;
    if (!out.anyOf && !out.oneOf) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (node['x-kubernetes-embedded-resource'] === true) {
    // The API server accepts apiVersion, kind and metadata on an embedded object even when the CRD omits them.
    out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...(isObject(out.properties) ? out.properties : {}) };
  }
  const keepsUnknown = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (strict && !inBranch && !keepsUnknown && isObject(out.properties) && out.additionalProperties === undefined) out.additionalProperties = false;
  if (node.nullable === true) {
    const withNull = allowNull(out);
    if (Array.isArray(withNull.enum) && !withNull.enum.includes(null)) withNull.enum = [...withNull.enum, null];
    return withNull;
  }
  return out;
}

export interface CrdVersionSchema extends SchemaFile {
  group: string;
  version: string;
  kind: string;
}

/**
 * Schemas of every served version of every CRD in a (possibly multi-document, possibly templated) YAML text.
 * `where` names the file in error messages.
 */
export function crdSchemas(text: string, where: string, options: CrdSchemaOptions): CrdVersionSchema[] {
  const out: CrdVersionSchema[] = [];
  for (const doc of parseAllDocuments(stripTemplates(text))) {
    if (doc.errors.length > 0) throw new Error(`${where}: not valid YAML: ${doc.errors[0]!.message}`);
    const crd = doc.toJS() as Json;
    if (!isObject(crd) || crd.kind !== 'CustomResourceDefinition') continue;
    const spec = crd.spec;
    if (!isObject(spec) || typeof spec.group !== 'string' || !isObject(spec.names) || typeof spec.names.kind !== 'string' || !Array.isArray(spec.versions)) {
      throw new Error(`${where}: a CustomResourceDefinition without spec.group, spec.names.kind or spec.versions`);
    }
    const { group } = spec;
    const kind = spec.names.kind;
    for (const v of spec.versions) {
      if (!isObject(v) || typeof v.name !== 'string' || v.served === false) continue;
      const schemaNode = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
      if (!isObject(schemaNode)) throw new Error(`${where}: ${kind} ${group}/${v.name} has no schema.openAPIV3Schema`);
      const root = convert(schemaNode, options.strict) as JsonObject;
      const properties: JsonObject = {
        ...(isObject(root.properties) ? root.properties : {}),
        apiVersion: { type: 'string', enum: [`${group}/${v.name}`] },
        kind: { type: 'string', enum: [kind] },
      };
      const schema: JsonObject = { ...root, type: 'object', properties };
      if (options.objectMeta) {
        properties.metadata = { $ref: `#/definitions/${objectMetaName}` };
        schema.definitions = { ...options.objectMeta.definitions, [objectMetaName]: options.objectMeta.root };
      }
      if (options.strict && schema.additionalProperties === undefined) schema.additionalProperties = false;
      out.push({ group, version: v.name, kind, path: `${group}/${kind.toLowerCase()}_${v.name}.json`, schema });
    }
  }
  return out;
}
