import { describe, expect, it } from 'vitest';
import { argocdGoMod, buildKey, e2ePins, kubernetesGoMod, kubernetesLdflags, replaceDirectives, stagingReplaces, stagingVersion } from '../../src/e2e/recipes.js';
import { parsePins } from '../../src/tools/pins.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultRepoRoot } from '../../src/paths.js';

// An excerpt in the shape of k8s.io/kubernetes' own go.mod.
const kubernetesUpstream = `module k8s.io/kubernetes

go 1.26.0

require (
	k8s.io/api v0.0.0
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/client-go => ./staging/src/k8s.io/client-go
	k8s.io/sample-cli-plugin => ./staging/src/k8s.io/sample-cli-plugin
)
`;

const argocdUpstream = `module github.com/argoproj/argo-cd/v3

go 1.26.1

require github.com/argoproj/argo-cd/gitops-engine v0.7.1-0.20250908182407-97ad5b59a627

replace (
	github.com/golang/protobuf => github.com/golang/protobuf v1.5.4

	// Avoid CVE-2022-3064
	gopkg.in/yaml.v2 => gopkg.in/yaml.v2 v2.4.0
	k8s.io/api => k8s.io/api v0.36.1
)

replace github.com/argoproj/argo-cd/gitops-engine => ./gitops-engine
`;

const pin = (module: string, version: string) => ({ module, version });
const engine = pin('github.com/argoproj/argo-cd/gitops-engine', 'v0.0.0-20260914071520-c9c369efcc5b');

describe('e2e build recipes', () => {
  it('maps every ./staging replace to the staging release, leaving out the unpublished sample-cli-plugin', () => {
    expect(stagingReplaces(kubernetesUpstream)).toEqual(['k8s.io/api', 'k8s.io/client-go', 'k8s.io/sample-cli-plugin']);
    expect(kubernetesGoMod(pin('k8s.io/kubernetes', 'v1.36.3'), kubernetesUpstream)).toBe(
      'module berrys.local/e2e-kubernetes\n\ngo 1.26.0\n\nrequire k8s.io/kubernetes v1.36.3\n\nreplace (\n\tk8s.io/api => k8s.io/api v0.36.3\n\tk8s.io/client-go => k8s.io/client-go v0.36.3\n)\n',
    );
  });

  it('refuses a Kubernetes go.mod without staging replaces, and a version it cannot map', () => {
    expect(() => kubernetesGoMod(pin('k8s.io/kubernetes', 'v1.36.3'), 'module k8s.io/kubernetes\n')).toThrow(
      'k8s.io/kubernetes@v1.36.3: its go.mod has no ./staging replaces; the build recipe needs updating',
    );
    expect(() => stagingVersion('v2.0.0-rc.1')).toThrow('cannot derive the staging module version from Kubernetes v2.0.0-rc.1 (expected v1.<minor>.<patch>)');
  });

  it('stamps the version into both version packages, so kubectl can parse what the server reports', () => {
    expect(kubernetesLdflags(pin('k8s.io/kubernetes', 'v1.36.3'))).toBe(
      '-X k8s.io/component-base/version.gitVersion=v1.36.3 -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=36 ' +
        '-X k8s.io/client-go/pkg/version.gitVersion=v1.36.3 -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=36',
    );
  });

  it("copies Argo CD's replaces verbatim and points the nested gitops-engine at the pinned pseudo-version", () => {
    expect(replaceDirectives(argocdUpstream)).toHaveLength(2);
    const mod = argocdGoMod(pin('github.com/argoproj/argo-cd/v3', 'v3.5.7'), argocdUpstream, engine);
    expect(mod).toContain('\t// Avoid CVE-2022-3064\n\tgopkg.in/yaml.v2 => gopkg.in/yaml.v2 v2.4.0\n');
    expect(mod).not.toContain('./gitops-engine');
    expect(mod.trimEnd().split('\n').at(-1)).toBe(`replace ${engine.module} => ${engine.module} ${engine.version}`);
    expect(mod.startsWith('module berrys.local/e2e-argocd\n\ngo 1.26.1\n\nrequire github.com/argoproj/argo-cd/v3 v3.5.7\n')).toBe(true);
  });

  it('keys the binary cache on every pinned version, and reads them from renderer/pins.json', () => {
    const pins = parsePins(readFileSync(path.join(defaultRepoRoot, 'renderer/pins.json'), 'utf8'));
    const p = e2ePins(pins);
    expect(p.etcd.version).toMatch(/^v\d/);
    const key = buildKey(p);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(buildKey({ ...p, kwok: { ...p.kwok, version: 'v9.9.9' } })).not.toBe(key);
    expect(buildKey({ ...p, gitopsEngine: { ...p.gitopsEngine, version: 'v0.0.0-1' } })).not.toBe(key);
    expect(() => e2ePins({ ...pins, e2e: {} })).toThrow('renderer/pins.json: "e2e.etcd" is missing; npm run e2e builds it');
  });
});
