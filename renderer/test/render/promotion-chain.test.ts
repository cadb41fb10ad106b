// The promotion chain is data: each overlays/<env>/environment.yaml names the environment it promotes from; the
// merge stage checks that they form one line and writes it to clusters/index.json.
import { describe, expect, it } from 'vitest';
import { parseClusterIndex } from '../../src/cluster-index.js';
import { RenderError } from '../../src/errors.js';
import { memoryReader } from '../../src/fs.js';
import { renderRepository } from '../../src/render/render.js';
import { realInputs } from './fixture.js';

type Files = Record<string, string>;

const env = (name: string) => `overlays/${name}/environment.yaml`;

/** Replaces the first `from` in an environment file. */
function edit(files: Files, name: string, from: string | RegExp, to: string): void {
  const before = files[env(name)]!;
  files[env(name)] = before.replace(from, to);
  if (files[env(name)] === before) throw new Error(`no ${String(from)} in ${env(name)}`);
}

/** A copy of an environment as another one: its folder, name, namespace and cluster names follow. */
function copyEnvironment(files: Files, from: string, to: string, promotesFrom: string): void {
  files[env(to)] = files[env(from)]!.replace(`name: ${from}`, `name: ${to}`)
    .replace(`namespace: berrys-${from}`, `namespace: berrys-${to}`)
    .replace(/^promotesFrom: .*$/m, `promotesFrom: ${promotesFrom}`)
    .replace(new RegExp(`- name: ${from}\\b`, 'g'), `- name: ${to}`);
  files[`overlays/${to}/versions.yaml`] = files[`overlays/${from}/versions.yaml`]!;
}

async function render(files: Files) {
  return renderRepository(memoryReader(files));
}

async function renderError(files: Files): Promise<string> {
  try {
    await render(files);
  } catch (err) {
    if (err instanceof RenderError) return err.message;
    throw err;
  }
  throw new Error('expected the render to fail');
}

const chainOf = async (files: Files) => parseClusterIndex((await render(files)).files.find((f) => f.path === 'clusters/index.json')!.content).promotionChain;

describe('the promotion chain', () => {
  it('follows promotesFrom from the environment that names none, leaving out those with promotion: none', async () => {
    expect(await chainOf(realInputs())).toEqual(['development', 'staging', 'production']);
  });

  it('takes a new environment between two others from the inputs alone', async () => {
    const files = realInputs();
    copyEnvironment(files, 'staging', 'qa', 'staging');
    edit(files, 'production', 'promotesFrom: staging', 'promotesFrom: qa');
    expect(await chainOf(files)).toEqual(['development', 'staging', 'qa', 'production']);
  });

  it('refuses two environments promoting from the same one, naming both lines', async () => {
    const files = realInputs();
    copyEnvironment(files, 'staging', 'qa', 'staging');
    expect(await renderError(files)).toBe(
      "overlays/qa/environment.yaml:8:1: error: environments 'production' and 'qa' both promote from 'staging'; the promotion chain is one line\n" +
        '  hint: make one of them promote from the other (overlays/production/environment.yaml:8)',
    );
  });

  it('refuses a cycle', async () => {
    const files = realInputs();
    edit(files, 'development', 'pinnedVersions: false\n', 'pinnedVersions: false\npromotesFrom: production\n');
    expect(await renderError(files)).toBe(
      'overlays/development/environment.yaml:8:1: error: promotion cycle: development ← production ← staging ← development\n' +
        '  hint: each environment in the chain names the one before it (promotesFrom: <env>), the first names none; `promotion: none` keeps one outside the chain',
    );
  });

  it('refuses an unknown environment with a suggestion, and one outside the chain', async () => {
    const files = realInputs();
    edit(files, 'production', 'promotesFrom: staging', 'promotesFrom: stagng');
    edit(files, 'staging', 'promotesFrom: development', 'promotesFrom: local');
    expect(await renderError(files)).toBe(
      "overlays/production/environment.yaml:8:1: error: environment 'production' promotes from 'stagng', which is not an environment\n" +
        "  hint: did you mean 'staging'? allowed: development, staging\n" +
        "overlays/staging/environment.yaml:8:1: error: environment 'staging' promotes from 'local', which is outside the promotion chain (promotion: none)\n" +
        '  hint: allowed: development, production',
    );
  });

  it('refuses two starts of the chain', async () => {
    const files = realInputs();
    edit(files, 'staging', 'promotesFrom: development\n', '');
    expect(await renderError(files)).toBe(
      "overlays/staging/environment.yaml:2:1: error: environments 'development' and 'staging' both start the promotion chain (neither names promotesFrom)\n" +
        '  hint: each environment in the chain names the one before it (promotesFrom: <env>), the first names none; `promotion: none` keeps one outside the chain',
    );
  });

  it('refuses promotesFrom on an environment outside the chain', async () => {
    const files = realInputs();
    edit(files, 'local', 'promotion: none\n', 'promotion: none\npromotesFrom: development\n');
    expect(await renderError(files)).toBe(
      "overlays/local/environment.yaml:11:1: error: environment 'local' is outside the promotion chain (promotion: none) but promotes from 'development'\n" +
        '  hint: remove one of the two',
    );
  });
});

describe('add-ons by what they provide', () => {
  it('refuses a cloud secret store when no add-on of the cluster provides secrets', async () => {
    const files = realInputs();
    files['base/addons.yaml'] = files['base/addons.yaml']!.replace('provides: [secrets]', 'provides: []');
    const message = await renderError(files);
    expect(message.split('\n').slice(0, 2)).toEqual([
      "overlays/development/environment.yaml:44:13: error: the secret store needs an operator to authenticate as in cluster 'development', but none of its add-ons provides 'secrets'",
      "  hint: add 'provides: [secrets]' to the add-on that does it in base/addons.yaml",
    ]);
  });
});
