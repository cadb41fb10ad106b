// Report formatting: pure functions over a report value.
import { describe, expect, it } from 'vitest';
import { formatHuman, formatJson, githubAnnotation, summaryLines } from '../../src/validate/report.js';
import type { ValidationReport } from '../../src/validate/run.js';

const report: ValidationReport = {
  findings: [
    { file: 'clusters/a/x.yaml', line: 4, rule: 'probes', message: "Deployment 'x': container 'x' has no livenessProbe", cluster: 'a' },
    { file: 'clusters/a/x.yaml', line: 9, rule: 'resources', message: 'no limits', hint: 'set them', cluster: 'a' },
  ],
  environments: [
    { environment: 'production', clusters: ['a', 'a-dr'], files: 120, findings: 2 },
    { environment: 'staging', clusters: ['s'], files: 9, findings: 0 },
  ],
  files: 129,
  kubernetesVersion: '1.36.3',
  kubeconformVersion: 'v0.7.0',
  gitleaksVersion: 'v8.30.1',
  rules: [{ id: 'probes', title: 't', explanation: 'e' }],
};

describe('formatHuman', () => {
  it('groups findings under their file, without colour off a terminal', () => {
    expect(formatHuman(report, { color: false, ms: 1234 })).toEqual([
      'clusters/a/x.yaml',
      "     4  error  Deployment 'x': container 'x' has no livenessProbe  probes",
      '     9  error  no limits  resources',
      '        hint: set them',
      '',
      'environment  clusters  files  findings',
      'production   a, a-dr     120         2',
      'staging      s             9         0',
      '',
      'validate: 2 findings in 1 file; checked 129 files with kubeconform v0.7.0 against Kubernetes 1.36.3 and 1 policy rule, secrets with gitleaks v8.30.1 in 1.2 s',
    ]);
  });

  it('colours on a terminal', () => {
    expect(formatHuman(report, { color: true })[0]).toBe('\u001b[1mclusters/a/x.yaml\u001b[0m');
  });
});

describe('summaryLines', () => {
  it('right-aligns the counts', () => {
    expect(summaryLines(report)[2]).toBe('staging      s             9         0');
  });
});

describe('githubAnnotation', () => {
  it('escapes properties and multi-line messages as workflow commands require', () => {
    expect(githubAnnotation({ file: 'clusters/a,b.yaml', line: 3, rule: 'schema', message: "x: 100% 'wrong'", hint: 'fix it' })).toBe(
      "::error file=clusters/a%2Cb.yaml,line=3,title=schema::x: 100%25 'wrong'%0Ahint: fix it",
    );
  });
});

describe('formatJson', () => {
  it('prints one document with the verdict first', () => {
    const parsed = JSON.parse(formatJson(report));
    expect(Object.keys(parsed)).toEqual(['ok', 'kubernetesVersion', 'kubeconformVersion', 'gitleaksVersion', 'files', 'environments', 'findings', 'rules']);
    expect(parsed.ok).toBe(false);
  });
});
