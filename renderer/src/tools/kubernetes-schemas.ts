/**
 * Kubernetes JSON Schemas for kubeconform, generated from the OpenAPI (Swagger 2.0) description of the pinned
 * Kubernetes version (api/openapi-spec/swagger.json in the k8s.io/kubernetes module). Pure: swagger in, files out.
 *
 * Matches what kubernetes-json-schema's "-standalone-strict" flavour gives kubeconform
 * (https://github.com/yannh/kubernetes-json-schema), so the same manifests pass and fail:
 * - one file per (group, version, kind) in `x-kubernetes-group-version-kind`, named the way kubeconform's
 *   `{{ .ResourceKind }}{{ .KindSuffix }}` template resolves: `{kind}-{first DNS label of the group}-{version}.json`,
 *   the group omitted for the core group (`service-v1.json`, `deployment-apps-v1.json`,
 *   `networkpolicy-networking-v1.json`), see schemaPath in pkg/registry/registry.go of kubeconform;
 * - standalone: each file carries the definitions it reaches under `definitions`, refs rewritten to
 *   `#/definitions/<name>`, so recursive types (JSONSchemaProps) work and nothing is fetched;
 * - strict: `additionalProperties: false` on every object that declares properties, so a misspelt field fails;
 * - permissive where Kubernetes is: int-or-string and Quantity take strings and numbers, optional fields take null.
 * Descriptions are dropped: kubeconform does not print them and they are most of the bytes.
 */
import { allowNull, intOrString, isObject, quantity, type Json, type JsonObject, type SchemaFile, convertSubschemas } from './jsonschema.js';

interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

interface Swagger {
  definitions: Record<string, JsonObject>;
}

const refPrefix = '#/definitions/';

/** Definitions replaced wholesale by a permissive form (see jsonschema.ts for why). */
const replacedDefinitions: Record<string, JsonObject> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': quantity,
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': intOrString,
};

/** `apiVersion` as manifests write it: `v1` for the core group, `group/version` otherwise. */
function apiVersionOf(gvk: Pick<GroupVersionKind, 'group' | 'version'>): string {
  return gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
}

/** The file name kubeconform looks up for a kind: `{{ .ResourceKind }}{{ .KindSuffix }}.json`. */
export function kubernetesSchemaFileName(kind: string, apiVersion: string): string {
  const parts = apiVersion.split('/');
  const firstLabel = parts[0]!.split('.')[0]!;
  const suffix = `-${firstLabel.toLowerCase()}` + (parts.length > 1 ? `-${parts[1]!.toLowerCase()}` : '');
  return `${kind.toLowerCase()}${suffix}.json`;
}

function parseSwagger(input: unknown): Swagger {
  if (!isObject(input) || !isObject(input.definitions)) throw new Error('swagger.json has no "definitions" object');
  return input as unknown as Swagger;
}

function refName(ref: string): string {
  if (!ref.startsWith(refPrefix)) throw new Error(`unsupported $ref '${ref}' (only local #/definitions/… refs are expected)`);
  return ref.slice(refPrefix.length);
}

/** Names of every definition reachable from `name`, itself included. */
function reachable(definitions: Record<string, JsonObject>, name: string): string[] {
  const seen = new Set<string>();
  const visit = (node: Json): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (isObject(node)) {
      if (typeof node.$ref === 'string') {
        const target = refName(node.$ref);
        if (!seen.has(target)) {
          if (!definitions[target]) throw new Error(`$ref to missing definition '${target}'`);
          seen.add(target);
          if (!replacedDefinitions[target]) visit(definitions[target]);
        }
      }
      for (const [key, value] of Object.entries(node)) if (key !== '$ref') visit(value);
    }
  };
  seen.add(name);
  visit(definitions[name]!);
  return [...seen].sort();
}

/**
 * Converts one Swagger schema into the draft-4 JSON Schema kubeconform compiles (its default draft).
 * `inBranch` is true under allOf/anyOf/oneOf/not, where a subset of properties is normal and strictness would
 * reject valid objects.
 */
function convert(node: Json, strict: boolean, inBranch = false): Json {
  if (!isObject(node)) return node;
  if (node.format === 'int-or-string') return intOrString;
  if (typeof node.$ref === 'string') {
    const target = refName(node.$ref);
    // Draft 4 ignores a $ref's siblings (descriptions here), so the ref alone says everything.
    return replacedDefinitions[target] ?? { $ref: `${refPrefix}${target}` };
  }
  const required = Array.isArray(node.required) ? node.required : [];
  const out: JsonObject = {};
  let sub: Json | undefined;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' || key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties' && isObject(value)) {
      const props: JsonObject = {};
      for (const [name, prop] of Object.entries(value)) {
        const converted = convert(prop, strict) as JsonObject;
        props[name] = required.includes(name) ? converted : allowNull(converted);
      }
      out.properties = props;
    } else if ((sub = convertSubschemas(key, value, (v, inBranch) => convert(v, strict, inBranch))) !== undefined) {
      out[key] = sub;
    } else if (key === 'patternProperties' && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, strict)]));
    } else {
      out[key] = value;
    }
  }
  if (strict && !inBranch && isObject(out.properties) && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/**
 * One definition as a self-contained schema: the converted root plus every definition it reaches.
 * Exported for the CRD generator, which reuses ObjectMeta for custom resources' metadata.
 */
export function standaloneDefinition(swaggerInput: unknown, name: string, options: { strict: boolean }): { root: JsonObject; definitions: JsonObject } {
  const { definitions } = parseSwagger(swaggerInput);
  if (!definitions[name]) throw new Error(`swagger.json has no definition '${name}'`);
  const root = convert(definitions[name]!, options.strict) as JsonObject;
  const local: JsonObject = {};
  for (const dep of reachable(definitions, name)) {
    // Replaced definitions are inlined where referenced (convert), so they need no entry of their own.
    if (dep !== name && !replacedDefinitions[dep]) local[dep] = convert(definitions[dep]!, options.strict);
  }
  // A type that (indirectly) contains itself needs its own definition too, for the refs pointing back at it.
  if (JSON.stringify([root, local]).includes(`"${refPrefix}${name}"`)) local[name] = root;
  return { root, definitions: local };
}

/** Every (group, version, kind) the swagger declares, with the definition that describes it. */
function kindsOf(swaggerInput: unknown): Array<GroupVersionKind & { definition: string }> {
  const { definitions } = parseSwagger(swaggerInput);
  const out: Array<GroupVersionKind & { definition: string }> = [];
  for (const [definition, schema] of Object.entries(definitions)) {
    const gvks = schema['x-kubernetes-group-version-kind'];
    if (!Array.isArray(gvks)) continue;
    for (const gvk of gvks) {
      if (isObject(gvk) && typeof gvk.kind === 'string' && typeof gvk.version === 'string') {
        out.push({ group: typeof gvk.group === 'string' ? gvk.group : '', version: gvk.version, kind: gvk.kind, definition });
      }
    }
  }
  return out.sort((a, b) => (a.definition + apiVersionOf(a) + a.kind).localeCompare(b.definition + apiVersionOf(b) + b.kind));
}

/**
 * All Kubernetes schema files for kubeconform from a parsed swagger.json. Throws when two kinds would share a
 * file name, which would make kubeconform validate one kind against the other's schema.
 */
export function kubernetesSchemas(swaggerInput: unknown, options: { strict: boolean } = { strict: true }): SchemaFile[] {
  const files = new Map<string, { apiVersion: string; kind: string; schema: JsonObject }>();
  const standalone = new Map<string, { root: JsonObject; definitions: JsonObject }>();
  for (const gvk of kindsOf(swaggerInput)) {
    const apiVersion = apiVersionOf(gvk);
    const path = kubernetesSchemaFileName(gvk.kind, apiVersion);
    const taken = files.get(path);
    if (taken) {
      if (taken.apiVersion === apiVersion && taken.kind === gvk.kind) continue;
      throw new Error(`${taken.kind} ${taken.apiVersion} and ${gvk.kind} ${apiVersion} would share the schema file ${path}`);
    }
    let def = standalone.get(gvk.definition);
    if (!def) standalone.set(gvk.definition, (def = standaloneDefinition(swaggerInput, gvk.definition, options)));
    const properties = isObject(def.root.properties) ? def.root.properties : {};
    const schema: JsonObject = {
      ...def.root,
      properties: {
        ...properties,
        apiVersion: { type: 'string', enum: [apiVersion] },
        kind: { type: 'string', enum: [gvk.kind] },
      },
    };
    if (Object.keys(def.definitions).length > 0) schema.definitions = def.definitions;
    files.set(path, { apiVersion, kind: gvk.kind, schema });
  }
  return [...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, { schema }]) => ({ path, schema }));
}
