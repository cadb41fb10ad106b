// Schema generation from a small swagger.json in the shape of Kubernetes' own.
import { describe, expect, it } from 'vitest';
import { kubernetesSchemaFileName, kubernetesSchemas, standaloneDefinition } from '../../src/tools/kubernetes-schemas.js';

const swagger = {
  definitions: {
    'io.k8s.api.core.v1.Service': {
      description: 'Service is …',
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', description: 'Standard metadata' },
        spec: { $ref: '#/definitions/io.k8s.api.core.v1.ServiceSpec' },
      },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'Service', version: 'v1' }],
    },
    'io.k8s.api.core.v1.ServiceSpec': {
      type: 'object',
      properties: {
        ports: { type: 'array', items: { $ref: '#/definitions/io.k8s.api.core.v1.ServicePort' } },
        selector: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    'io.k8s.api.core.v1.ServicePort': {
      type: 'object',
      required: ['port'],
      properties: {
        port: { type: 'integer', format: 'int32' },
        targetPort: { $ref: '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString' },
      },
    },
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string' },
    'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': { type: 'object', properties: { name: { type: 'string' } } },
    'io.k8s.api.networking.v1.NetworkPolicy': {
      type: 'object',
      properties: { spec: { type: 'object', properties: { limit: { $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity' } } } },
      'x-kubernetes-group-version-kind': [{ group: 'networking.k8s.io', kind: 'NetworkPolicy', version: 'v1' }],
    },
    'io.k8s.apiextensions.v1.JSONSchemaProps': {
      type: 'object',
      properties: {
        $ref: { type: 'string' },
        properties: { type: 'object', additionalProperties: { $ref: '#/definitions/io.k8s.apiextensions.v1.JSONSchemaProps' } },
      },
    },
    'io.k8s.apiextensions.v1.CustomResourceDefinition': {
      type: 'object',
      properties: { schema: { $ref: '#/definitions/io.k8s.apiextensions.v1.JSONSchemaProps' } },
      'x-kubernetes-group-version-kind': [{ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', version: 'v1' }],
    },
  },
};

describe('kubernetesSchemaFileName', () => {
  it("names files the way kubeconform's {{ .ResourceKind }}{{ .KindSuffix }} resolves", () => {
    expect(kubernetesSchemaFileName('Service', 'v1')).toBe('service-v1.json');
    expect(kubernetesSchemaFileName('Deployment', 'apps/v1')).toBe('deployment-apps-v1.json');
    expect(kubernetesSchemaFileName('NetworkPolicy', 'networking.k8s.io/v1')).toBe('networkpolicy-networking-v1.json');
    expect(kubernetesSchemaFileName('FlowSchema', 'flowcontrol.apiserver.k8s.io/v1')).toBe('flowschema-flowcontrol-v1.json');
  });
});

describe('kubernetesSchemas', () => {
  const files = kubernetesSchemas(swagger);
  const byPath = Object.fromEntries(files.map((f) => [f.path, f.schema]));

  it('writes one file per group, version and kind', () => {
    expect(files.map((f) => f.path)).toEqual(['customresourcedefinition-apiextensions-v1.json', 'networkpolicy-networking-v1.json', 'service-v1.json']);
  });

  it('makes each file standalone, with local definitions and no descriptions', () => {
    expect(byPath['service-v1.json']).toEqual({
      type: 'object',
      properties: {
        apiVersion: { type: 'string', enum: ['v1'] },
        kind: { type: 'string', enum: ['Service'] },
        metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
        spec: { $ref: '#/definitions/io.k8s.api.core.v1.ServiceSpec' },
      },
      additionalProperties: false,
      definitions: {
        'io.k8s.api.core.v1.ServicePort': {
          type: 'object',
          required: ['port'],
          properties: { port: { type: 'integer', format: 'int32' }, targetPort: { oneOf: [{ type: 'string' }, { type: 'integer' }] } },
          additionalProperties: false,
        },
        'io.k8s.api.core.v1.ServiceSpec': {
          type: 'object',
          properties: {
            ports: { type: ['array', 'null'], items: { $ref: '#/definitions/io.k8s.api.core.v1.ServicePort' } },
            selector: { type: ['object', 'null'], additionalProperties: { type: 'string' } },
          },
          additionalProperties: false,
        },
        'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': { type: 'object', properties: { name: { type: ['string', 'null'] } }, additionalProperties: false },
      },
    });
  });

  it('lets a Quantity be a string or a number', () => {
    expect(byPath['networkpolicy-networking-v1.json']!.properties).toMatchObject({
      spec: { properties: { limit: { oneOf: [{ type: 'string' }, { type: 'number' }] } } },
    });
  });

  it('keeps a recursive type (JSONSchemaProps) as a local definition that refers to itself', () => {
    const crd = byPath['customresourcedefinition-apiextensions-v1.json']!;
    expect(crd.definitions).toEqual({
      'io.k8s.apiextensions.v1.JSONSchemaProps': {
        type: 'object',
        properties: {
          $ref: { type: ['string', 'null'] },
          properties: { type: ['object', 'null'], additionalProperties: { $ref: '#/definitions/io.k8s.apiextensions.v1.JSONSchemaProps' } },
        },
        additionalProperties: false,
      },
    });
  });

  it('leaves objects open when not strict', () => {
    expect(kubernetesSchemas(swagger, { strict: false }).find((f) => f.path === 'service-v1.json')!.schema.additionalProperties).toBeUndefined();
  });

  it('refuses two kinds that would share a file name', () => {
    const clash = {
      definitions: {
        A: { type: 'object', 'x-kubernetes-group-version-kind': [{ group: 'policy.k8s.io', kind: 'Thing', version: 'v1' }] },
        B: { type: 'object', 'x-kubernetes-group-version-kind': [{ group: 'policy.example.com', kind: 'Thing', version: 'v1' }] },
      },
    };
    expect(() => kubernetesSchemas(clash)).toThrow('Thing policy.k8s.io/v1 and Thing policy.example.com/v1 would share the schema file thing-policy-v1.json');
  });

  it('refuses a $ref to a definition that does not exist', () => {
    expect(() => standaloneDefinition({ definitions: { A: { $ref: '#/definitions/Missing' } } }, 'A', { strict: true })).toThrow("$ref to missing definition 'Missing'");
  });
});
