/** `npm run schema [-- --check]`: writes (or checks) the published JSON Schemas of the input files. */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { schemaFiles } from '../schema-files.js';
import { parseArgs } from './args.js';

export async function main(argv: string[], root: string): Promise<number> {
  const args = parseArgs(argv, { flags: ['check'] });
  const stale: string[] = [];
  for (const file of schemaFiles()) {
    const target = path.join(root, file.path);
    const current = await fsp.readFile(target, 'utf8').catch(() => undefined);
    if (current === file.content) continue;
    stale.push(file.path);
    if (!args.flags.has('check')) {
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.writeFile(target, file.content);
    }
  }
  if (args.flags.has('check') && stale.length) {
    console.error(`stale schema files (run npm run schema): ${stale.join(', ')}`);
    return 3;
  }
  console.log(stale.length ? `wrote ${stale.join(', ')}` : 'schemas are up to date');
  return 0;
}
