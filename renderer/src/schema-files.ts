/**
 * The published JSON Schemas (renderer/schema/*.schema.json) as files, generated from model.ts, and the compiled
 * check of clusters/index.json's schema (cluster-index-check.ts, from cluster-index-schema.ts).
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ClusterIndex } from './cluster-index-schema.js';
import { ChartsLockSchema, PinsSchema } from './pin-files-schema.js';
import { publishedSchemas } from './model.js';
import { repoPaths } from './paths.js';
import type { EmittedFile } from './render/emit.js';

export function schemaFiles(): EmittedFile[] {
  return [...inputSchemaFiles(), clusterIndexCheckFile(), pinFilesCheckFile()];
}

function inputSchemaFiles(): EmittedFile[] {
  return Object.entries(publishedSchemas)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, schema]) => ({
      path: repoPaths.schema(name),
      content:
        JSON.stringify(
          { $schema: 'http://json-schema.org/draft-07/schema#', $comment: 'Generated from renderer/src/model.ts by npm run schema; do not edit.', title: name, ...schema },
          null,
          2,
        ) + '\n',
    }));
}

/**
 * TypeBox's compiled check of the index schema as plain code, with the schema as JSON for the error message. Why
 * generated: every command reads the index, and importing TypeBox to check it would cost more than an unchanged
 * render (see cluster-index-schema.ts).
 */
function clusterIndexCheckFile(): EmittedFile {
  const code = TypeCompiler.Code(ClusterIndex, [], { language: 'javascript' });
  return {
    path: repoPaths.clusterIndexCheck,
    content: [
      '// @ts-nocheck',
      '// Generated from renderer/src/cluster-index-schema.ts by npm run schema; do not edit.',
      '// The check TypeBox compiles from the schema, and the schema as JSON (cluster-index.ts describes a failure with it).',
      '',
      `export const clusterIndexSchema = ${JSON.stringify(ClusterIndex, null, 2)};`,
      '',
      '/** Whether a value follows the clusters/index.json schema. */',
      'export const checkClusterIndex: (value: unknown) => boolean = (() => {',
      ...code.split('\n').map((line) => (line ? `  ${line}` : line)),
      '})();',
      '',
    ].join('\n'),
  };
}

/** The same for renderer/pins.json and base/charts.lock.json (pin-files-schema.ts), which several commands read. */
function pinFilesCheckFile(): EmittedFile {
  const checkOf = (name: string, schema: TSchema, what: string) => [
    `export const ${name}Schema = ${JSON.stringify(schema, null, 2)};`,
    '',
    `/** Whether a value follows the ${what} schema. */`,
    `export const check${name[0]!.toUpperCase()}${name.slice(1)}: (value: unknown) => boolean = (() => {`,
    ...TypeCompiler.Code(schema, [], { language: 'javascript' })
      .split('\n')
      .map((line) => (line ? `  ${line}` : line)),
    '})();',
    '',
  ];
  return {
    path: repoPaths.pinFilesCheck,
    content: [
      '// @ts-nocheck',
      '// Generated from renderer/src/pin-files-schema.ts by npm run schema; do not edit.',
      '// The checks TypeBox compiles from the schemas, and the schemas as JSON (schema-problems.ts describes a failure with them).',
      '',
      ...checkOf('pins', PinsSchema, 'renderer/pins.json'),
      ...checkOf('chartsLock', ChartsLockSchema, 'base/charts.lock.json'),
    ].join('\n'),
  };
}
