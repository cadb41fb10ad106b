// CRD → JSON Schema conversion on small CRDs in the shape upstream projects ship.
import { describe, expect, it } from 'vitest';
import { crdSchemas, stripTemplates } from '../../src/tools/crd-schemas.js';

const crd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names:
    kind: Widget
    plural: widgets
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          description: A widget.
          type: object
          properties:
            apiVersion:
              type: string
            kind:
              type: string
            metadata:
              type: object
            spec:
              type: object
              required: [size]
              properties:
                size:
                  x-kubernetes-int-or-string: true
                  anyOf:
                    - type: integer
                    - type: string
                values:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                  properties:
                    known:
                      type: string
                mode:
                  type: string
                  nullable: true
                  enum: [fast, slow]
                choice:
                  type: object
                  properties:
                    a: { type: string }
                    b: { type: string }
                  oneOf:
                    - properties: { a: { type: string } }
                      required: [a]
                    - required: [b]
    - name: v1alpha1
      served: false
      storage: false
      schema:
        openAPIV3Schema:
          type: object
`;

describe('crdSchemas', () => {
  const [schema, ...others] = crdSchemas(crd, 'widgets.yaml', { strict: true });

  it('writes one file per served version, in the {group}/{kind}_{version}.json layout', () => {
    expect(others).toEqual([]);
    expect(schema).toMatchObject({ group: 'example.com', version: 'v1', kind: 'Widget', path: 'example.com/widget_v1.json' });
  });

  it('pins apiVersion and kind, and closes objects that declare properties', () => {
    expect(schema!.schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      properties: {
        apiVersion: { type: 'string', enum: ['example.com/v1'] },
        kind: { type: 'string', enum: ['Widget'] },
        spec: { type: 'object', required: ['size'], additionalProperties: false },
      },
    });
  });

  it('keeps unknown fields where the CRD preserves them, and int-or-string and nullable permissive', () => {
    const spec = (schema!.schema.properties as Record<string, { properties: Record<string, unknown> }>).spec!.properties;
    expect(spec.values).toEqual({ type: 'object', properties: { known: { type: 'string' } } });
    expect(spec.size).toEqual({ anyOf: [{ type: 'integer' }, { type: 'string' }] });
    expect(spec.mode).toEqual({ type: ['string', 'null'], enum: ['fast', 'slow', null] });
  });

  it('does not close the branches of a oneOf, which declare only some of the properties', () => {
    const spec = (schema!.schema.properties as Record<string, { properties: Record<string, unknown> }>).spec!.properties;
    expect(spec.choice).toMatchObject({ additionalProperties: false, oneOf: [{ properties: { a: { type: 'string' } }, required: ['a'] }, { required: ['b'] }] });
    expect((spec.choice as { oneOf: Array<Record<string, unknown>> }).oneOf[0]!.additionalProperties).toBeUndefined();
  });

  it("checks metadata against Kubernetes' ObjectMeta when given", () => {
    const objectMeta = { root: { type: 'object', properties: { name: { type: 'string' } }, additionalProperties: false }, definitions: {} };
    const [withMeta] = crdSchemas(crd, 'widgets.yaml', { strict: true, objectMeta });
    expect(withMeta!.schema.properties).toMatchObject({ metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' } });
    expect(withMeta!.schema.definitions).toEqual({ 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': objectMeta.root });
  });

  it('reads a Helm-templated CRD file', () => {
    const templated = `{{- if .Values.crds.enabled }}\n${crd.replace('name: widgets.example.com', 'name: widgets.example.com\n  labels:\n    app: {{ template "widget.name" . }}')}\n{{- end }}\n`;
    expect(crdSchemas(templated, 'templated.yaml', { strict: true }).map((s) => s.path)).toEqual(['example.com/widget_v1.json']);
  });

  it('refuses a served version without a schema, naming the file', () => {
    expect(() => crdSchemas(crd.replace('served: false', 'served: true'), 'widgets.yaml', { strict: true })).not.toThrow();
    const noSchema = crd.replace(/ {6}schema:\n {8}openAPIV3Schema:\n {10}type: object\n$/, '');
    expect(() => crdSchemas(noSchema.replace('served: false', 'served: true'), 'widgets.yaml', { strict: true })).toThrow(
      'widgets.yaml: Widget example.com/v1alpha1 has no schema.openAPIV3Schema',
    );
  });
});

describe('stripTemplates', () => {
  it('drops lines that are only template actions and replaces inline ones', () => {
    expect(stripTemplates('{{- if .Values.x }}\na: {{ .Values.y }}\n{{- end }}')).toBe('a: templated');
  });
});
