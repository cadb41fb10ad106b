// clusters/index.json: one schema, one reader, and the facts the commands take from it.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appApplication, clustersOf, environmentsOf, parseClusterIndex, primaryCluster, promotionChainOf } from '../../src/cluster-index.js';
import { defaultRepoRoot, repoPaths } from '../../src/paths.js';

const committed = () => parseClusterIndex(readFileSync(path.join(defaultRepoRoot, repoPaths.clusterIndex), 'utf8'));

const thrown = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
};

describe('parseClusterIndex', () => {
  it('reads the committed index', () => {
    const index = committed();
    expect(index.promotionChain).toEqual(['development', 'staging', 'production']);
    expect(index.clusters.map((c) => [c.name, c.environment, c.role, c.highAvailability])).toEqual([
      ['development', 'development', 'primary', false],
      ['local', 'local', 'primary', false],
      ['production', 'production', 'primary', true],
      ['production-dr', 'production', 'standby', true],
      ['staging', 'staging', 'primary', true],
    ]);
  });

  it('refuses text that is not JSON, naming the file and what to run', () => {
    expect(thrown(() => parseClusterIndex('{'))).toMatch(
      /^clusters\/index\.json: error: not valid JSON \(.+\)\n {2}hint: run npm run render \(and commit the result\) so that clusters\/ holds the rendered output$/,
    );
  });

  it('refuses an index written by an older renderer, naming the first field that breaks the contract', () => {
    const text = JSON.stringify({ generatedBy: 'x', clusters: [] });
    expect(thrown(() => parseClusterIndex(text))).toBe(
      "clusters/index.json: error: the index must have required property 'promotionChain' (the index does not follow the contract of this renderer)\n" +
        '  hint: run npm run render (and commit the result) so that clusters/ holds the rendered output',
    );
  });

  it('refuses a cluster without a role', () => {
    const index = committed();
    const { role: _role, ...cluster } = index.clusters[0]!;
    expect(thrown(() => parseClusterIndex(JSON.stringify({ ...index, clusters: [cluster] })))).toContain(
      "clusters/index.json: error: /clusters/0 must have required property 'role'",
    );
  });
});

describe('facts from the index', () => {
  it('lists environments outside the chain first, then the chain in order', () => {
    expect(environmentsOf(committed())).toEqual(['local', 'development', 'staging', 'production']);
    expect(promotionChainOf(committed())).toEqual({ steps: ['development', 'staging', 'production'], outside: ['local'] });
  });

  it("finds an environment's clusters and its primary, and refuses an unknown environment with a suggestion", () => {
    const index = committed();
    expect(clustersOf(index, 'production').map((c) => c.name)).toEqual(['production', 'production-dr']);
    expect(primaryCluster(index, 'production').name).toBe('production');
    expect(thrown(() => clustersOf(index, 'stagng'))).toBe(
      "clusters/index.json: error: no cluster of environment 'stagng'\n  hint: did you mean 'staging'? allowed: local, development, staging, production",
    );
  });

  it('names the Application of an app as the renderer wrote it', () => {
    expect(appApplication(primaryCluster(committed(), 'staging'), 'api-gateway')).toBe('staging-api-gateway');
    expect(appApplication(primaryCluster(committed(), 'staging'), 'billing')).toBeUndefined();
  });
});

describe('reading the index', () => {
  /** Runs `code` in a Node process whose module loader refuses any package from node_modules. */
  const withoutPackages = (code: string) => {
    const hooks = `export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      if (resolved.url.includes('/node_modules/')) throw new Error('loaded a package: ' + resolved.url);
      return resolved;
    }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
    return execFileSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, '--input-type=module', '-e', code], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
  };
  // The compiled modules, as the commands run them (npm test compiles dist/ first).
  const dist = (module: string) => JSON.stringify(path.join(defaultRepoRoot, 'dist', module));

  it('loads no package, neither TypeBox nor ajv: the compiled check in cluster-index-check.ts does the work', () => {
    const text = JSON.stringify(JSON.stringify(committed()));
    expect(withoutPackages(`const m = await import(${dist('cluster-index.js')}); console.log(m.parseClusterIndex(${text}).promotionChain.join());`)).toBe(
      'development,staging,production\n',
    );
  });

  it('is watched: the same loader refuses a module that imports TypeBox', () => {
    expect(() => withoutPackages(`await import(${dist('model.js')});`)).toThrow(/loaded a package: .*@sinclair\/typebox/);
  });
});
