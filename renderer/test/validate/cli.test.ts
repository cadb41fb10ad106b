// npm run validate end to end: a small rendered repository in a temp folder, the real kubeconform, every format and
// exit code; and the committed clusters/ of this repository.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultRepoRoot } from '../../src/paths.js';
import { ensureTools } from '../../src/tools/ensure.js';
import { command } from '../../src/validate/cli.js';
import { runCaptured } from '../command.js';
import { cleanUp } from '../git-repo.js';
import { toolCheckout } from '../helm-repo.js';

const fixtures = path.join(defaultRepoRoot, 'renderer', 'test', 'fixtures', 'validate');
/** The web app's folder manifest in the fixture: its Deployment, Service, HorizontalPodAutoscaler and PodDisruptionBudget. */
const web = 'clusters/staging/apps/web/manifest.yaml';
let root: string;
let out: string[];
let err: string[];

beforeAll(() => ensureTools({ root: defaultRepoRoot, quiet: true }));

beforeEach(() => {
  // The repository's provisioned tools and schemas, shared rather than rebuilt for every test; the validation cache
  // (.cache/validate) stays this test's own.
  root = toolCheckout('validate', { schemas: true });
  cpSync(path.join(fixtures, 'repo', 'clusters'), path.join(root, 'clusters'), { recursive: true });
  out = [];
  err = [];
});
afterEach(() => cleanUp());

async function run(argv: string[], env: NodeJS.ProcessEnv = {}, at = root): Promise<number> {
  const result = await runCaptured(command, argv, at, env);
  out.push(...result.out);
  err.push(...result.err);
  return result.code;
}

function edit(file: string, from: string | RegExp, to: string): void {
  const full = path.join(root, file);
  const text = readFileSync(full, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`fixture edit did nothing in ${file}`);
  writeFileSync(full, next);
}

describe('npm run validate', () => {
  it('exits 0 on a clean repository and prints the summary per environment', async () => {
    expect(await run([])).toBe(0);
    expect(err).toEqual([]);
    expect(out.slice(0, 3)).toEqual(['environment  clusters  files  findings', 'staging      staging       3         0', '']);
    expect(out[3]).toMatch(
      /^validate: no findings; checked 3 files with kubeconform v0\.7\.0 against Kubernetes \d+\.\d+\.\d+ and 16 policy rules, secrets with gitleaks v8\.30\.1 in \d+\.\d s$/,
    );
  });

  it('exits 3 with every finding, schema and policy, sorted by file and line', async () => {
    edit(web, 'image: registry.example/berrys/web:1.2.3', 'image: registry.example/berrys/web:latest');
    edit(web, /^ {2}ports:/m, '  sessionAffinityy: None\n  ports:');
    edit(web, 'minReplicas: 3', 'minReplicas: 2');
    edit('clusters/staging/argocd/manifest.yaml', 'selfHeal', 'selfHeel');
    expect(await run(['--format', 'json'])).toBe(3);
    const report = JSON.parse(out.join('\n'));
    expect(report.ok).toBe(false);
    expect(report.environments).toEqual([{ environment: 'staging', clusters: ['staging'], files: 3, findings: 4 }]);
    expect(report.findings.map((f: { file: string; line: number; rule: string }) => `${f.file}:${f.line} ${f.rule}`)).toEqual([
      `${web}:28 image-tag-pinned`,
      `${web}:67 schema`,
      `${web}:88 ha-replicas`,
      'clusters/staging/argocd/manifest.yaml:35 schema',
    ]);
    expect(report.findings[1]).toEqual({
      file: web,
      line: 67,
      rule: 'schema',
      message: "Service 'web': spec: additional properties 'sessionAffinityy' not allowed",
      cluster: 'staging',
    });
  });

  it('groups human output by file', async () => {
    edit(web, 'image: registry.example/berrys/web:1.2.3', 'image: registry.example/berrys/web:latest');
    expect(await run([])).toBe(3);
    expect(out.slice(0, 4)).toEqual([
      web,
      "    28  error  Deployment 'web': container 'web' image 'registry.example/berrys/web:latest' uses the tag 'latest'  image-tag-pinned",
      '        hint: pin a release tag (…:1.4.2) or a digest (…@sha256:…); versions come from overlays/<env>/versions.yaml',
      '',
    ]);
    expect(out.at(-1)).toMatch(/^validate: 1 finding in 1 file; checked 3 files/);
  });

  it('adds GitHub annotations when it runs in GitHub Actions', async () => {
    edit(web, 'app.kubernetes.io/name: web\n  ports', 'app.kubernetes.io/name: wbe\n  ports');
    expect(await run([], { GITHUB_ACTIONS: 'true' })).toBe(3);
    expect(out.filter((l) => l.startsWith('::'))).toEqual([
      `::error file=${web},line=65,title=service-selects-workload::Service 'web' selects no workload in namespace 'berrys-staging' of cluster 'staging' (selector app.kubernetes.io/name=wbe)`,
    ]);
  });

  it('names the file and line of a document whose kind has no schema', async () => {
    // A document more in the platform folder's manifest, after its NetworkPolicy (lines 1 to 17).
    const platform = path.join(root, 'clusters/staging/platform/manifest.yaml');
    writeFileSync(platform, `${readFileSync(platform, 'utf8')}---\n# AgentPool pool\n${readFileSync(path.join(fixtures, 'unknown-kind.yaml'), 'utf8')}`);
    expect(await run(['--format', 'github'])).toBe(3);
    expect(out[0]).toMatch(/^::error file=clusters\/staging\/platform\/manifest.yaml,line=20,title=schema-missing::no schema for kind AgentPool \(apiVersion berrys.io\/v1\)/);
  });

  it('finds a file under clusters/ the renderer did not generate (a hand-written RoleBinding once passed)', async () => {
    const binding = 'clusters/staging/apps/web/rolebinding-admin.yaml';
    writeFileSync(
      path.join(root, binding),
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: admin\n  namespace: berrys-staging\n  labels:\n    app.kubernetes.io/name: web\n    app.kubernetes.io/part-of: berrys-agents\n    app.kubernetes.io/managed-by: berrys-renderer\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: admin\nsubjects:\n  - kind: User\n    name: mallory\n    apiGroup: rbac.authorization.k8s.io\n',
    );
    expect(await run(['--format', 'github'])).toBe(3);
    expect(out.filter((l) => l.startsWith('::'))).toEqual([
      `::error file=${binding},line=1,title=generated-only::a file under clusters/ that the renderer did not generate%0Ahint: only the renderer writes clusters/ (Argo CD applies every file there): move the file out, or declare it under handWritten: in base/exceptions.yaml with a reason (the platform owners review that file)`,
    ]);
  });

  it('checks a file declared hand-written in base/exceptions.yaml like a rendered one, duplicate env names included', async () => {
    const extra = 'clusters/staging/apps/web/deployment-extra.yaml';
    // The folder's first document, the Deployment, without the generated header and its own comment line.
    const deployment = readFileSync(path.join(root, web), 'utf8')
      .split('---\n')[0]!
      .split('\n')
      .slice(3)
      .join('\n')
      .replace('  name: web\n', '  name: extra\n')
      .replace(
        '          ports:',
        '          env:\n            - name: DATABASE_URL\n              value: postgres://db/app\n            - name: DATABASE_URL\n              value: postgres://evil/app\n          ports:',
      );
    writeFileSync(path.join(root, extra), deployment);
    mkdirSync(path.join(root, 'base'));
    writeFileSync(path.join(root, 'base/exceptions.yaml'), `handWritten:\n  - file: ${extra}\n    reason: a test of a declared hand-written file\n`);
    expect(await run(['--format', 'json'])).toBe(3);
    const found = JSON.parse(out.join('\n'))
      .findings.filter((f: { file: string }) => f.file === extra)
      .map((f: { line: number; rule: string; message: string }) => `${f.line} ${f.rule}: ${f.message}`);
    expect(found).toEqual([
      "10 ha-replicas: Deployment 'extra' runs 1 replica(s) and has no HorizontalPodAutoscaler; staging needs at least 3",
      "26 env-unique: Deployment 'extra': container 'web' lists env 'DATABASE_URL' more than once",
    ]);
  });

  it('exits 2 on an unknown environment, suggesting the closest', async () => {
    expect(await run(['--env', 'stagin'])).toBe(2);
    expect(err).toEqual([
      "Error: unknown environment 'stagin' in clusters/index.json; did you mean 'staging'? allowed: staging",
      'usage: npm run validate -- [--env <env>[,<env>]] [--cluster <cluster>[,<cluster>]] [--format <format>] [--no-cache] [--require-charts] [--update-lock]',
      'run `npm run validate -- --help` for every option and exit code',
    ]);
  });

  it('exits 2 on an unknown format', async () => {
    expect(await run(['--format', 'xml'])).toBe(2);
    expect(err[0]).toBe("Error: --format: unknown value 'xml'; allowed: human, json, github");
  });

  it('exits 1 when there is nothing rendered to validate', async () => {
    rmSync(path.join(root, 'clusters'), { recursive: true });
    expect(await run([])).toBe(1);
    expect(err).toEqual([
      'Error: clusters/index.json: error: the cluster index is missing\n  hint: run npm run render (and commit the result) so that clusters/ holds the rendered output',
    ]);
  });
});

describe('the committed clusters/ of this repository', () => {
  it('pass validation with zero findings', async () => {
    const code = await run(['--format', 'json'], {}, defaultRepoRoot);
    const report = JSON.parse(out.join('\n'));
    expect(report.findings).toEqual([]);
    expect(code).toBe(0);
  });
});
