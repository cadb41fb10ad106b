// What a cluster must declare about its infrastructure, judged on the repository's own resolved clusters.
import { describe, expect, it } from 'vitest';
import { memoryReader } from '../../src/fs.js';
import { checkInfrastructure } from '../../src/render/infrastructure.js';
import { loadRepo } from '../../src/render/load.js';
import { resolveRepo } from '../../src/render/resolve.js';
import { realInputs } from './fixture.js';

async function problemsOf(change: (files: Record<string, string>) => void = () => {}) {
  const files = realInputs();
  change(files);
  const { repo } = await loadRepo(memoryReader(files));
  const { resolved } = resolveRepo(repo!);
  return resolved!.clusters.flatMap((c) => checkInfrastructure(c).map((p) => `${c.name} ${p.file}:${p.line}: ${p.message}`));
}

describe('checkInfrastructure', () => {
  it('finds nothing missing in the committed environments', async () => {
    expect(await problemsOf()).toEqual([]);
  });

  it('asks an environment of two clusters once for its NetworkPolicy enforcement, and never the laptop', async () => {
    const problems = await problemsOf((f) => {
      for (const env of ['production', 'local']) {
        f[`overlays/${env}/environment.yaml`] = f[`overlays/${env}/environment.yaml`]!.replace(/^networkPolicyEnforcement: .*\n/m, '');
      }
    });
    expect(problems).toEqual(["production overlays/production/environment.yaml:2: environment 'production' runs in the cloud but does not say what enforces its NetworkPolicies"]);
  });

  it('needs nothing of a cluster that pulls from the environment’s own registry', async () => {
    const problems = await problemsOf((f) => {
      const file = 'overlays/production/environment.yaml';
      const before = f[file]!;
      f[file] = before.replace(/ {4}imageRegistry: .*\n {4}#.*\n {4}imageReplication: .*\n/, '');
      expect(f[file]).not.toBe(before);
    });
    expect(problems).toEqual([]);
  });
});
