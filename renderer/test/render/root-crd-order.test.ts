// The root Application of a cluster creates the add-ons, and the add-ons bring CRDs. An object of the root whose kind
// one of those CRDs defines must not stop the root's first wave on a new cluster, where that kind does not exist yet.
import { describe, expect, it } from 'vitest';
import { committedOutput, documentsOf } from './fixture.js';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
}

// Kinds a new cluster serves before any add-on: Kubernetes' own groups and Argo CD's (bootstrap installs Argo CD).
const builtIn =
  /^(v1|(apps|batch|policy|autoscaling|rbac\.authorization\.k8s\.io|networking\.k8s\.io|storage\.k8s\.io|scheduling\.k8s\.io|admissionregistration\.k8s\.io|apiextensions\.k8s\.io|argoproj\.io)\/.+)$/;

describe("a root Application's objects of an add-on's kind", () => {
  const output = committedOutput();
  const roots = Object.keys(output).filter((f) => /^clusters\/[^/]+\/argocd\/manifest\.yaml$/.test(f));

  it('exist in the rendered roots (the check below has something to hold)', () => {
    const addOnKinds = roots.flatMap((f) => (documentsOf(output[f]!) as Obj[]).filter((o) => o && !builtIn.test(o.apiVersion)));
    expect(addOnKinds.map((o) => o.kind)).toContain('ExternalSecret');
  });

  it('skip the dry run while their CRD is missing, so the add-ons of the earlier waves can install it', () => {
    for (const f of roots) {
      for (const o of (documentsOf(output[f]!) as Obj[]).filter((x) => x && !builtIn.test(x.apiVersion))) {
        expect({ file: f, object: `${o.kind} ${o.metadata.name}`, syncOptions: o.metadata.annotations?.['argocd.argoproj.io/sync-options'] }).toEqual({
          file: f,
          object: `${o.kind} ${o.metadata.name}`,
          syncOptions: expect.stringContaining('SkipDryRunOnMissingResource=true'),
        });
      }
    }
  });
});
