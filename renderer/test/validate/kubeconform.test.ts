// The real kubeconform binary (built by the tools step) on real files in a temp folder, with the generated schemas.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRepoRoot } from '../../src/paths.js';
import { ensureTools, readPins } from '../../src/tools/ensure.js';
import type { Finding } from '../../src/validate/findings.js';
import { kubeconformArgs, kubeconformFindings, leafErrors, parseKubeconformReport, pointerSegments, runKubeconform } from '../../src/validate/kubeconform.js';
import { parseManifestFile, type Manifest } from '../../src/manifests.js';

const fixtures = path.join(defaultRepoRoot, 'renderer', 'test', 'fixtures', 'validate');
let dir: string;
let kubernetesVersion: string;

beforeAll(async () => {
  await ensureTools({ root: defaultRepoRoot, quiet: true });
  kubernetesVersion = (await readPins(defaultRepoRoot)).kubernetes;
  dir = mkdtempSync(path.join(tmpdir(), 'kubeconform-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Copies fixtures into the temp folder, runs kubeconform over them, and returns its findings. */
async function validate(...names: string[]): Promise<Finding[]> {
  const files = names.map((name) => {
    const file = path.join(dir, name);
    copyFileSync(path.join(fixtures, name), file);
    return file;
  });
  const byFile = new Map<string, Manifest[]>(files.map((f) => [f, parseManifestFile(f, readFileSync(f, 'utf8')).manifests]));
  const report = await runKubeconform(defaultRepoRoot, files, kubernetesVersion);
  return kubeconformFindings(report, byFile, kubernetesVersion);
}

describe('kubeconform with the generated schemas', () => {
  it('accepts a good Deployment and a good Argo CD Application', async () => {
    expect(await validate('good-deployment.yaml', 'good-application.yaml')).toEqual([]);
  });

  it('rejects an unknown field, naming the file and the field line', async () => {
    expect(await validate('unknown-field.yaml')).toEqual([
      { file: path.join(dir, 'unknown-field.yaml'), line: 13, rule: 'schema', message: "Service 'web': spec: additional properties 'sessionAffinityy' not allowed" },
    ]);
  });

  it('rejects a wrong type', async () => {
    expect(await validate('wrong-type.yaml')).toEqual([
      { file: path.join(dir, 'wrong-type.yaml'), line: 6, rule: 'schema', message: "Deployment 'web': spec.replicas: got string, want null or integer" },
    ]);
  });

  it('rejects a missing required field', async () => {
    expect(await validate('missing-required.yaml')).toEqual([
      { file: path.join(dir, 'missing-required.yaml'), line: 15, rule: 'schema', message: "Deployment 'web': spec.template.spec.containers[0]: missing property 'name'" },
    ]);
  });

  it('rejects a kind nobody has a schema for, naming the kind and the file', async () => {
    const [f, ...rest] = await validate('unknown-kind.yaml');
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      file: path.join(dir, 'unknown-kind.yaml'),
      line: 1,
      rule: 'schema-missing',
      message: `no schema for kind AgentPool (apiVersion berrys.io/v1) in Kubernetes ${kubernetesVersion} or the CRD list`,
    });
  });

  it('rejects an Argo CD Application with a misspelt field', async () => {
    expect(await validate('application-misspelt.yaml')).toEqual([
      {
        file: path.join(dir, 'application-misspelt.yaml'),
        line: 18,
        rule: 'schema',
        message: "Application 'test-web': spec.syncPolicy.automated: additional properties 'selfHeel' not allowed",
      },
    ]);
  });

  it('reports every file of a mixed run, each against its own file', async () => {
    const findings = await validate('good-deployment.yaml', 'wrong-type.yaml', 'unknown-kind.yaml');
    // Two workers: kubeconform reports in the order they finish; the gate sorts findings afterwards.
    expect(findings.map((f) => path.basename(f.file)).sort()).toEqual(['unknown-kind.yaml', 'wrong-type.yaml']);
  });
});

describe('kubeconformArgs', () => {
  it('runs strict with both offline schema locations and never ignores missing schemas', () => {
    const args = kubeconformArgs('/repo', ['a.yaml'], '1.36.3', 2);
    expect(args).toEqual([
      '-strict',
      '-summary',
      '-output',
      'json',
      '-n',
      '2',
      '-kubernetes-version',
      '1.36.3',
      '-schema-location',
      '/repo/.cache/schemas/kubernetes/{{ .ResourceKind }}{{ .KindSuffix }}.json',
      '-schema-location',
      '/repo/.cache/schemas/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json',
      'a.yaml',
    ]);
    expect(args).not.toContain('-ignore-missing-schemas');
  });

  it('gives kubeconform one worker per core by default, never fewer than two', () => {
    expect(kubeconformArgs('/repo', ['clusters/staging'], '1.36.3').slice(4, 6)).toEqual(['-n', String(Math.max(2, availableParallelism()))]);
  });
});

describe('parseKubeconformReport', () => {
  it('refuses output that is not the JSON report, quoting what kubeconform said', () => {
    expect(() => parseKubeconformReport('', 'failed initialising schema location registry')).toThrow(
      'kubeconform did not print its JSON report: failed initialising schema location registry',
    );
  });

  it('splits JSON pointers into data paths, unescaping ~1 and ~0', () => {
    expect(pointerSegments('/metadata/annotations/a~1b~0c/0')).toEqual(['metadata', 'annotations', 'a/b~c', 0]);
  });
});

describe('leafErrors', () => {
  const prefix = "problem validating schema. Check JSON formatting: jsonschema validation failed with 'file:///x/service-v1.json#' ";

  it('keeps the leaves of the error tree and drops "validation failed" parents', () => {
    const msg = `${prefix}- at '/metadata': additional properties 'lables' not allowed - at '/spec/ports/0': validation failed   - at '/spec/ports/0/protocol': got number, want null or string   - at '/spec/ports/0': additional properties 'extra' not allowed`;
    expect(leafErrors(msg)).toEqual([
      { path: '/metadata', msg: "additional properties 'lables' not allowed" },
      { path: '/spec/ports/0/protocol', msg: 'got number, want null or string' },
      { path: '/spec/ports/0', msg: "additional properties 'extra' not allowed" },
    ]);
  });

  it('folds the branches of a failed oneOf (an int-or-string field) into one error', () => {
    const msg = `${prefix}- at '/spec/ports/0/targetPort': oneOf failed, none matched   - at '/spec/ports/0/targetPort': got boolean, want string   - at '/spec/ports/0/targetPort': got boolean, want integer`;
    expect(leafErrors(msg)).toEqual([{ path: '/spec/ports/0/targetPort', msg: 'matches none of its allowed forms (got boolean, want string; got boolean, want integer)' }]);
  });
});
