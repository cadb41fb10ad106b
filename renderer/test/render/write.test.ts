import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { command } from '../../src/render/cli.js';
import { runCaptured } from '../command.js';
import { defaultRepoRoot, repoPaths } from '../../src/paths.js';
import { applyWrite, planWrite, type WriteFs } from '../../src/render/write.js';
import { RenderError } from '../../src/errors.js';
import { generatedMarker } from '../../src/render/emit.js';

let root: string;
let out: string[];
let err: string[];

/** Every file of the tree except the render cache (git-ignored; the command keeps it up to date). */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === repoPaths.cacheDir) continue;
      if (statSync(path.join(dir, r)).isDirectory()) walk(r);
      else files[r] = readFileSync(path.join(dir, r), 'utf8');
    }
  };
  walk('');
  return files;
}

async function run(...argv: string[]): Promise<number> {
  const result = await runCaptured(command, argv, root);
  out.push(...result.out);
  err.push(...result.err);
  return result.code;
}

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'render-'));
  for (const dir of ['apps', 'base', 'overlays', 'clusters']) cpSync(path.join(defaultRepoRoot, dir), path.join(root, dir), { recursive: true });
  out = [];
  err = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('render command', () => {
  it('changes no byte when run on an up-to-date tree', async () => {
    const before = snapshot(root);
    expect(await run()).toBe(0);
    expect(snapshot(root)).toEqual(before);
    expect(out.at(-1)).toMatch(/^rendered \d+ files: 0 written, 0 removed, \d+ unchanged/);
  });

  it('--check exits 0 on a fresh tree and 3 naming the stale files when the committed output differs', async () => {
    expect(await run('--check')).toBe(0);
    const file = 'clusters/staging/apps/api-gateway/manifest.yaml';
    writeFileSync(path.join(root, file), readFileSync(path.join(root, file), 'utf8').replace('port: 8080', 'port: 9090'));
    rmSync(path.join(root, 'clusters/local/apps/web-dashboard/manifest.yaml'));
    err = [];
    expect(await run('--check')).toBe(3);
    expect(err).toEqual([
      'clusters/ is stale: the committed output differs from what the sources render.',
      '  differs:    clusters/local/apps/web-dashboard/manifest.yaml',
      `  differs:    ${file}`,
      'hint: run `npm run render` and commit the result.',
    ]);
  });

  it('--env renders one environment and leaves the others alone', async () => {
    rmSync(path.join(root, 'clusters/production'), { recursive: true });
    rmSync(path.join(root, 'clusters/staging'), { recursive: true });
    expect(await run('--env', 'staging')).toBe(0);
    expect(existsSync(path.join(root, 'clusters/staging/apps/api-gateway/manifest.yaml'))).toBe(true);
    expect(existsSync(path.join(root, 'clusters/production'))).toBe(false);
  });

  it('refuses an unknown environment as a usage error (exit 2) with the known ones as a hint', async () => {
    expect(await run('--env', 'prod')).toBe(2);
    expect(err[0]).toBe("Error: --env: unknown environment 'prod' (no folder overlays/prod); allowed: development, local, production, staging");
    expect(out).toEqual([]);
  });

  it('refuses an empty --env, which would otherwise render nothing', async () => {
    expect(await run('--env=')).toBe(2);
    expect(err[0]).toBe('Error: --env needs a value (got an empty one)');
  });

  it('exits 2 on an unknown option, suggesting the closest', async () => {
    expect(await run('--chek')).toBe(2);
    expect(err).toEqual([
      "Error: unknown option '--chek'; did you mean '--check'? allowed: --check, --quiet, --env",
      'usage: npm run render -- [--check] [--quiet] [--env <env>[,<env>]]',
      'run `npm run render -- --help` for every option and exit code',
    ]);
  });

  it('prunes the folder and the Application of an app removed from the catalogue, in the same render', async () => {
    rmSync(path.join(root, 'apps/service-integration.yaml'));
    for (const env of ['local', 'development', 'staging', 'production']) {
      const file = path.join(root, `overlays/${env}/versions.yaml`);
      writeFileSync(file, readFileSync(file, 'utf8').replace(/^service-integration: .*\n/m, ''));
    }
    const gateway = path.join(root, 'apps/api-gateway.yaml');
    writeFileSync(gateway, readFileSync(gateway, 'utf8').replace(', service-integration]', ']'));
    expect(await run()).toBe(0);
    expect(existsSync(path.join(root, 'clusters/production/apps/service-integration'))).toBe(false);
    expect(readFileSync(path.join(root, 'clusters/production/argocd/manifest.yaml'), 'utf8')).not.toContain('name: production-service-integration\n');
    expect(out).toContain('  removed clusters/production/apps/service-integration/manifest.yaml');
    expect(out).toContain('  wrote   clusters/production/argocd/manifest.yaml');
  });

  it('refuses a file it did not generate and leaves it as it was', async () => {
    const mine = 'clusters/production/apps/api-gateway/NOTES.md';
    writeFileSync(path.join(root, mine), 'hand-written\n');
    const before = snapshot(root);
    expect(await run()).toBe(1);
    expect(snapshot(root)).toEqual(before);
    expect(err[0]).toBe(
      `${mine}: error: a file under clusters/ that the renderer did not generate\n  hint: only the renderer writes clusters/ (Argo CD applies every file there): move the file out, or declare it under handWritten: in base/exceptions.yaml with a reason (the platform owners review that file)`,
    );
  });

  it('leaves clusters/ exactly as it was when the render fails on bad input', async () => {
    writeFileSync(path.join(root, 'overlays/production/apps/agent-orchestrator.yaml'), 'replicas: three\n');
    const before = snapshot(root);
    expect(await run()).toBe(1);
    expect(snapshot(root)).toEqual(before);
    expect(err.at(-1)).toBe('render failed with 1 problem; nothing was written.');
  });

  it('leaves clusters/ exactly as it was when writing fails half-way', async () => {
    // A change to every cluster, then a plain file where one cluster's app folder must be: the writer stages files
    // until it reaches that folder and fails; the staged files are removed and nothing is renamed into place.
    const defaults = path.join(root, 'base/defaults.yaml');
    writeFileSync(defaults, readFileSync(defaults, 'utf8').replace('logLevel: INFO', 'logLevel: WARNING'));
    rmSync(path.join(root, 'clusters/staging/apps/api-gateway'), { recursive: true });
    // Generated-looking, so it is not refused as a hand-written file before the write starts.
    writeFileSync(path.join(root, 'clusters/staging/apps/api-gateway'), `${generatedMarker}\n`);
    const before = snapshot(root);
    expect(await run()).toBe(1);
    expect(snapshot(root)).toEqual(before);
    expect(err[0]).toMatch(
      /^clusters\/staging\/apps\/api-gateway\/[a-z-]+\.yaml: error: a parent of this rendered file is a file, not a folder\n {2}hint: remove or rename the file that is in the way$/,
    );
  });
  it('removes the files and folders it created when writing fails half-way through a fresh tree', async () => {
    // No clusters/ at all but one plain file where a late app folder must go: the writer creates files and folders
    // in place until it reaches it, fails, and removes everything it created.
    rmSync(path.join(root, 'clusters'), { recursive: true });
    mkdirSync(path.join(root, 'clusters/staging/apps'), { recursive: true });
    writeFileSync(path.join(root, 'clusters/staging/apps/web-dashboard'), `${generatedMarker}\n`);
    const before = snapshot(root);
    expect(await run()).toBe(1);
    expect(snapshot(root)).toEqual(before);
    expect(readdirSync(path.join(root, 'clusters')).sort()).toEqual(['staging']);
  });
});

describe('planWrite', () => {
  it('writes what differs, keeps what is equal and prunes only generated files of the rendered clusters', () => {
    const generated = `${generatedMarker} …\nkind: X\n`;
    const existing = new Map([
      ['clusters/a/apps/x/same.yaml', generated],
      ['clusters/a/apps/x/old.yaml', generated],
      ['clusters/a/apps/x/README.md', 'mine'],
      ['clusters/b/apps/y/old.yaml', generated],
    ]);
    const plan = planWrite(
      existing,
      [
        { path: 'clusters/a/apps/x/same.yaml', content: generated },
        { path: 'clusters/a/apps/x/new.yaml', content: generated },
      ],
      ['a'],
    );
    expect(plan).toEqual({
      write: [{ path: 'clusters/a/apps/x/new.yaml', content: generated }],
      remove: ['clusters/a/apps/x/old.yaml'],
      unchanged: 1,
      foreign: [expect.objectContaining({ file: 'clusters/a/apps/x/README.md', message: 'a file under clusters/ that the renderer did not generate' })],
    });
  });

  it('flags hand-written files in folders of no cluster, never prunes generated ones there, and removes staged leftovers anywhere', () => {
    const generated = `${generatedMarker} …\nkind: X\n`;
    const existing = new Map([
      ['clusters/gone/apps/x/manifest.yaml', generated],
      ['clusters/gone/apps/x/rolebinding.yaml', 'kind: RoleBinding\n'],
      ['clusters/index.json.render-77.tmp', '{"clus'],
    ]);
    const plan = planWrite(existing, [], { clusters: ['a'], allClusters: ['a'] });
    expect(plan.remove).toEqual(['clusters/index.json.render-77.tmp']);
    expect(plan.foreign.map((p) => p.file)).toEqual(['clusters/gone/apps/x/rolebinding.yaml']);
  });

  it('refuses to overwrite a hand-written file at a generated path', () => {
    expect(planWrite(new Map([['clusters/a/x.yaml', 'mine']]), [{ path: 'clusters/a/x.yaml', content: 'generated' }], ['a']).foreign.map((p) => `${p.file}: ${p.message}`)).toEqual(
      ['clusters/a/x.yaml: refusing to overwrite a file the renderer did not generate'],
    );
  });
});

describe('applyWrite', () => {
  const old = `${generatedMarker} old\n`;
  const next = `${generatedMarker} new\n`;
  const targets = ['clusters/a/x.yaml', 'clusters/a/y.yaml', 'clusters/b/z.yaml'];
  const plan = { write: targets.map((file) => ({ path: file, content: next })), remove: ['clusters/b/gone.yaml'], unchanged: 0, foreign: [] };

  beforeEach(() => {
    rmSync(path.join(root, 'clusters'), { recursive: true });
    for (const file of [...targets, 'clusters/b/gone.yaml']) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), old);
    }
  });

  /** The real file system, but the rename for which `fails` says so throws EACCES. */
  function failing(fails: (from: string, to: string) => boolean): WriteFs {
    return {
      mkdirSync,
      writeFileSync,
      linkSync,
      rmSync,
      renameSync: (from, to) => {
        if (fails(String(from), String(to))) throw Object.assign(new Error('denied'), { code: 'EACCES' });
        renameSync(from, to);
      },
    };
  }
  const relative = (file: string) => path.relative(root, file);
  const denied = (file: string) => ({
    file,
    message: 'permission denied: cannot write this rendered file',
    hint: `give your user write access (ls -l ${file}; chmod u+w) and run the command again`,
  });

  it.each([
    ['the first rename', (_from: string, to: string) => relative(to) === targets[0]],
    ['the last rename', (_from: string, to: string) => relative(to) === targets[2]],
    ['setting aside a removed file', (from: string) => relative(from) === 'clusters/b/gone.yaml'],
  ])('puts back every file it replaced, and leaves nothing staged, when %s fails', async (_step, fails) => {
    const before = snapshot(root);
    const error = await applyWrite(root, plan, failing(fails)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RenderError);
    expect((error as RenderError).problems).toHaveLength(1);
    expect(snapshot(root)).toEqual(before);
  });

  it('names each file it could not put back, and where its old content is', async () => {
    // The last rename fails, and so does putting back the first file.
    const fs = failing((from, to) => relative(to) === targets[2] || (from.endsWith('.old') && relative(to) === targets[0]));
    const error = await applyWrite(root, plan, fs).then(
      () => undefined,
      (e: unknown) => e,
    );
    const kept = `${targets[0]}.render-${process.pid}.old`;
    expect((error as RenderError).problems).toEqual([
      {
        file: targets[0],
        message: 'could not restore this rendered file after the failed write (EACCES)',
        hint: `its previous content is in ${kept}; move it back, or run npm run render again`,
      },
      denied(targets[2]!),
    ]);
    expect(readFileSync(path.join(root, kept), 'utf8')).toBe(old);
    expect(readFileSync(path.join(root, targets[1]!), 'utf8')).toBe(old);
  });

  it('replaces every file and removes the pruned one when nothing fails', async () => {
    await applyWrite(root, plan);
    expect(Object.entries(snapshot(root)).filter(([file]) => file.startsWith('clusters/'))).toEqual(targets.map((file) => [file, next]));
  });
});
