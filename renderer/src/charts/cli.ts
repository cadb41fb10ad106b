/**
 * `npm run charts -- pull <dir>`: flags → options → pullCharts → printed outcomes and exit code. The one subcommand
 * is a positional so that later ones (list, verify) fit beside it.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { existsSync, statSync } from 'node:fs';
import { defineCommand, standardExitCodes } from '../cli/command.js';
import { UsageError } from '../errors.js';
import { repoPaths } from '../paths.js';
import { ensureTools } from '../tools/ensure.js';
import { serializeChartsLock } from '../validate/charts-lock.js';
import { pullCharts } from './pull.js';
import { failed, outcomeLines } from './verdict.js';

export const command = defineCommand({
  name: 'charts',
  purpose: 'pull <dir>: downloads every pinned add-on chart into <dir>, checks each archive against base/charts.lock.json and indexes <dir> as a Helm repository',
  positionals: { value: 'pull <dir>', description: 'the subcommand and the folder the archives go to' },
  options: {
    'update-lock': { type: 'boolean', description: `record the digests ${repoPaths.chartsLock} does not have yet (never changes one it has)` },
    mirror: {
      type: 'string',
      value: '<url|folder>',
      description: 'a Helm repository (or a folder holding one) to take a chart from when its published repository is unreachable; said per chart, never recorded in the lock',
    },
  },
  exitCodes: {
    0: 'every chart pulled, and verified, recorded or (said as such) taken from the mirror',
    ...standardExitCodes,
    3: 'an archive the lock does not know or that differs from it, or a chart that could not be pulled',
  },
  async run(v, { root, io, positionals }) {
    const [sub, dir, ...extra] = positionals;
    if (sub !== 'pull') throw new UsageError(sub === undefined ? 'missing subcommand; allowed: pull' : `unknown subcommand '${sub}'; allowed: pull`);
    if (dir === undefined) throw new UsageError('pull needs the folder to write the archives to: npm run charts -- pull <dir>');
    if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'; pull takes one folder`);
    const mirror = v.mirror === undefined ? undefined : mirrorUrl(v.mirror);
    await ensureTools({ root, quiet: true, log: io.err, env: io.env });
    const target = path.resolve(dir);
    io.out(`charts: pulling the charts ${repoPaths.addons} pins into ${target}${mirror ? ` (mirror where unreachable: ${mirror})` : ''}`);
    const result = await pullCharts({ root, dir: target, mirror, updateLock: v['update-lock'] ?? false, env: io.env });
    for (const c of result.charts) for (const line of outcomeLines(c.chart, c.outcome)) io.out(line);
    const recorded = result.charts.filter((c) => c.outcome.kind === 'recorded').length;
    if (recorded > 0) await writeFile(path.join(root, repoPaths.chartsLock), serializeChartsLock(result.lock));
    const mirrored = result.charts.filter((c) => c.outcome.kind === 'mirror').length;
    const bad = result.charts.filter((c) => failed(c.outcome)).length;
    const written = result.charts.filter((c) => c.file).length;
    io.out(
      `charts: ${written} of ${result.charts.length} archive(s) in ${target}${result.index ? `, indexed in ${result.index}` : ''}` +
        `${recorded ? `; ${recorded} digest(s) recorded in ${repoPaths.chartsLock}` : ''}` +
        `${mirrored ? `; ${mirrored} from the mirror, not verified against ${repoPaths.chartsLock}` : ''}` +
        `${bad ? `; ${bad} not usable (see above)` : ''}`,
    );
    return bad > 0 ? 3 : 0;
  },
});

/** A folder becomes a file: URL (the repository client reads it like a served one); a URL stays as it is. */
function mirrorUrl(value: string): string {
  if (/^https?:\/\//.test(value)) return value.replace(/\/+$/, '');
  if (existsSync(value) && statSync(value).isDirectory()) return pathToFileURL(path.resolve(value)).toString();
  throw new UsageError(`--mirror '${value}' is neither an http(s) URL nor a folder`);
}
