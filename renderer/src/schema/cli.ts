/** `npm run schema`: writes (or checks) the published JSON Schemas of the input files. */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { schemaFiles } from '../schema-files.js';
import { defineCommand, standardExitCodes } from '../cli/command.js';

export const command = defineCommand({
  name: 'schema',
  purpose: "publishes the input files' JSON Schemas (editor hints) to renderer/schema/",
  options: {
    check: { type: 'boolean', description: 'write nothing; exit 3 when a published schema is stale' },
  },
  exitCodes: { 0: 'written, or (--check) up to date', ...standardExitCodes, 3: '--check: a schema file is stale' },
  async run(v, { root, io }) {
    const stale: string[] = [];
    for (const file of schemaFiles()) {
      const target = path.join(root, file.path);
      const current = await fsp.readFile(target, 'utf8').catch(() => undefined);
      if (current === file.content) continue;
      stale.push(file.path);
      if (!v.check) {
        await fsp.mkdir(path.dirname(target), { recursive: true });
        await fsp.writeFile(target, file.content);
      }
    }
    if (v.check && stale.length) {
      io.err(`stale schema files (run npm run schema): ${stale.join(', ')}`);
      return 3;
    }
    io.out(stale.length ? `wrote ${stale.join(', ')}` : 'schemas are up to date');
    return 0;
  },
});
