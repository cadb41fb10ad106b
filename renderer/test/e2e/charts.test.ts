import { describe, expect, it } from 'vitest';
import { mirrorNotice, pointChartsAtMirror } from '../../src/e2e/charts.js';

const addons = `addons:
  - name: external-secrets
    chart: { repoURL: https://charts.external-secrets.io, name: external-secrets, version: 1.3.2 }
  - name: metrics-server
    chart: { repoURL: https://kubernetes-sigs.github.io/metrics-server/, name: metrics-server, version: 3.13.1 }
`;

describe('pointing chart sources at the local chart mirror', () => {
  it('rewrites only the named charts and remembers where they came from', () => {
    const r = pointChartsAtMirror(addons, ['metrics-server'], 'http://127.0.0.1:28879');
    expect(r.text).toContain('chart: { repoURL: http://127.0.0.1:28879, name: metrics-server, version: 3.13.1 }');
    expect(r.text).toContain('chart: { repoURL: https://charts.external-secrets.io, name: external-secrets, version: 1.3.2 }');
    expect(r.mirrored).toEqual([{ name: 'metrics-server', from: 'https://kubernetes-sigs.github.io/metrics-server/' }]);
  });

  it('refuses a chart base/addons.yaml does not have, naming it', () => {
    expect(() => pointChartsAtMirror(addons, ['metrics'], 'http://127.0.0.1:1')).toThrow(/base\/addons.yaml: no add-on with chart metrics /);
  });

  it('says that a mirror was used and that digests differ', () => {
    const { mirrored } = pointChartsAtMirror(addons, ['metrics-server', 'external-secrets'], 'http://127.0.0.1:28879');
    expect(mirrorNotice(mirrored, 'http://127.0.0.1:28879', '/srv/charts')).toBe(
      "chart mirror: metrics-server, external-secrets from http://127.0.0.1:28879 (/srv/charts), not from https://kubernetes-sigs.github.io/metrics-server/, https://charts.external-secrets.io: their archives are repackaged from each project's release tag, so their digests differ from base/charts.lock.json",
    );
  });
});
