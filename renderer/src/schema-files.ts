/** The published JSON Schemas (renderer/schema/*.schema.json) as files, generated from model.ts. */
import { publishedSchemas } from './model.js';
import { repoPaths } from './paths.js';
import type { EmittedFile } from './emit.js';

export function schemaFiles(): EmittedFile[] {
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
