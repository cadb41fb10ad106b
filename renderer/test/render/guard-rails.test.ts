/**
 * Each hole found with hostile or broken input, reproduced through the real render command on a real
 * temporary git repository. Every case asserts the exit code, the exact message (file, line, column, hint), and
 * that git sees nothing but the change the test itself made: a refused render writes nothing.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { command } from '../../src/render/cli.js';
import { runCaptured } from '../command.js';
import { defaultRepoRoot } from '../../src/paths.js';
import { generatedMarker } from '../../src/render/emit.js';
import { detectSecret } from '../../src/render/secrets.js';
import { parseManifestFile } from '../../src/manifests.js';
import { imageTagPinned } from '../../src/validate/rules.js';
import type { IndexCluster } from '../../src/cluster-index.js';
import { cleanUp, commitAll, gitIn, initRepo, tempDir } from '../git-repo.js';

afterAll(cleanUp);

let root: string;
let out: string[];
let err: string[];

beforeEach(() => {
  root = tempDir('guard');
  // .gitignore too: like any checkout, the render cache that `npm run render` keeps in .cache/ is ignored.
  for (const dir of ['apps', 'base', 'overlays', 'clusters', '.gitignore']) cpSync(path.join(defaultRepoRoot, dir), path.join(root, dir), { recursive: true });
  initRepo(root);
  commitAll(root, 'inputs and rendered clusters/');
  out = [];
  err = [];
});

async function render(...argv: string[]): Promise<number> {
  const result = await runCaptured(command, argv, root);
  out.push(...result.out);
  err.push(...result.err);
  return result.code;
}

/** What git sees changed: exactly the test's own edits, never a file the render wrote. */
function changed(): string[] {
  return gitIn(root, 'status', '--porcelain', '--untracked-files=all')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^\s*\S{1,2}\s/, ''))
    .sort();
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}

function read(file: string): string {
  return readFileSync(path.join(root, file), 'utf8');
}

const nothingWritten = (n: number) => `render failed with ${n} problem${n === 1 ? '' : 's'}; nothing was written.`;

describe('1. an interrupted render', () => {
  it('recognises staged files and empty or truncated generated files, repairs them and blames nobody', async () => {
    const service = 'clusters/staging/apps/api-gateway/manifest.yaml';
    const hpa = 'clusters/production/apps/web-dashboard/manifest.yaml';
    write(`${service}.render-4242.tmp`, 'half a fi');
    write('clusters/index.json.render-4242.tmp', '{"clus');
    write(service, '');
    write(hpa, generatedMarker.slice(0, 9));
    write('clusters/staging/apps/api-gateway/poddisruptionbudget-gone.yaml', '');
    expect(await render('--check')).toBe(3);
    expect(err).toEqual([
      'clusters/ is stale: the committed output differs from what the sources render.',
      `  differs:    ${hpa}`,
      `  differs:    ${service}`,
      '  not produced: clusters/index.json.render-4242.tmp',
      `  not produced: ${service}.render-4242.tmp`,
      '  not produced: clusters/staging/apps/api-gateway/poddisruptionbudget-gone.yaml',
      'hint: run `npm run render` and commit the result.',
    ]);
    err = [];
    expect(await render('--quiet')).toBe(0);
    expect(err).toEqual([]);
    expect(await render('--check')).toBe(0);
    expect(changed()).toEqual([]);
  });
});

describe('2. files under clusters/ the renderer did not write', () => {
  const binding = 'clusters/staging/apps/api-gateway/rolebinding-admin.yaml';
  const rolebinding =
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: admin\n  namespace: berrys-staging\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: admin\nsubjects:\n  - kind: User\n    name: mallory\n';
  const refused = `${binding}: error: a file under clusters/ that the renderer did not generate\n  hint: only the renderer writes clusters/ (Argo CD applies every file there): move the file out, or declare it under handWritten: in base/exceptions.yaml with a reason (the platform owners review that file)`;

  it('fails render --check (exit 3) and render (exit 1, nothing written) on a hand-written RoleBinding', async () => {
    write(binding, rolebinding);
    expect(await render('--check')).toBe(3);
    expect(err).toEqual([
      'clusters/ is stale: the committed output differs from what the sources render.',
      refused,
      'hint: only the renderer writes clusters/; see the hints above.',
    ]);
    err = [];
    expect(await render()).toBe(1);
    expect(err).toEqual([refused, nothingWritten(1)]);
    expect(changed()).toEqual([binding]);
  });

  it('fails on a file in a folder of no cluster, and on a symbolic link', async () => {
    write('clusters/attacker/rolebinding.yaml', rolebinding);
    symlinkSync('../../../base/platform.yaml', path.join(root, 'clusters/staging/apps/api-gateway/link.yaml'));
    expect(await render()).toBe(1);
    expect(err[0]).toMatch(/^clusters\/attacker\/rolebinding\.yaml: error: a file under clusters\/ that the renderer did not generate\n/);
    expect(err[0]).toMatch(/\nclusters\/staging\/apps\/api-gateway\/link\.yaml: error: a symbolic link \(or other special file\) under clusters\/\n/);
    expect(changed()).toEqual(['clusters/attacker/rolebinding.yaml', 'clusters/staging/apps/api-gateway/link.yaml']);
  });

  it('accepts a file declared in base/exceptions.yaml with a reason, and refuses a declaration without one', async () => {
    write(binding, rolebinding);
    const exceptions = read('base/exceptions.yaml').replace(
      'handWritten: []',
      `handWritten:\n  - file: ${binding}\n    reason: break-glass access for the on-call team, reviewed by the platform owners\n`,
    );
    write('base/exceptions.yaml', exceptions);
    expect(await render('--check')).toBe(0);
    expect(await render('--quiet')).toBe(0);
    write('base/exceptions.yaml', exceptions.replace(/reason: break-glass.*\n/, 'reason: ok\n'));
    expect(await render()).toBe(1);
    expect(err[0]).toBe('base/exceptions.yaml:15:13: error: \'handWritten.0.reason\' must NOT have fewer than 10 characters (got "ok")');
    expect(changed()).toEqual(['base/exceptions.yaml', binding]);
  });
});

describe('3. symbolic links and echoed content', () => {
  it('refuses an input that links to /proc/self/environ, naming the link and printing nothing of the environment', async () => {
    process.env.GUARD_TEST_CANARY = 'canary-value-that-must-not-print';
    mkdirSync(path.join(root, 'overlays/staging/apps'));
    symlinkSync('/proc/self/environ', path.join(root, 'overlays/staging/apps/api-gateway.yaml'));
    expect(await render()).toBe(1);
    expect(err).toEqual([
      'overlays/staging/apps/api-gateway.yaml: error: this input file is a symbolic link that resolves outside the repository\n  hint: input files must be regular files inside the repository: replace the link with the file itself (nothing was read through it)',
      nothingWritten(1),
    ]);
    expect(err.join('\n')).not.toContain('canary-value');
    expect(changed()).toEqual(['overlays/staging/apps/api-gateway.yaml']);
  });

  it('refuses a link to valid YAML outside the repository, and a folder linked from outside', async () => {
    const outside = tempDir('outside');
    writeFileSync(path.join(outside, 'override.yaml'), 'replicas: 2\n');
    mkdirSync(path.join(root, 'overlays/local/apps'));
    symlinkSync(path.join(outside, 'override.yaml'), path.join(root, 'overlays/local/apps/api-gateway.yaml'));
    symlinkSync(outside, path.join(root, 'overlays/staging/apps'));
    expect(await render()).toBe(1);
    expect(err[0]).toBe(
      'overlays/local/apps/api-gateway.yaml: error: this input file is a symbolic link that resolves outside the repository\n  hint: input files must be regular files inside the repository: replace the link with the file itself (nothing was read through it)\n' +
        'overlays/staging/apps/override.yaml: error: this input file resolves outside the repository through a symbolically linked folder\n  hint: input files must be regular files inside the repository: replace the link with the file itself (nothing was read through it)',
    );
    expect(changed()).toEqual(['overlays/local/apps/api-gateway.yaml', 'overlays/staging/apps']);
  });

  it('refuses an environment folder linked from outside the repository instead of silently dropping it', async () => {
    const outside = tempDir('outside-env');
    cpSync(path.join(root, 'overlays/staging'), outside, { recursive: true });
    symlinkSync(outside, path.join(root, 'overlays/qa'));
    expect(await render()).toBe(1);
    expect(err).toEqual([
      'overlays/qa: error: this input folder is a symbolic link that resolves outside the repository\n  hint: input folders must be inside the repository: replace the link with the folder itself (nothing was read through it)',
      nothingWritten(1),
    ]);
    expect(changed()).toEqual(['overlays/qa']);
  });

  it('quotes at most a short single-line excerpt of a value, without control characters', async () => {
    const hostile = `\u001b[2J\u001b[31mSECRET=${'x'.repeat(10_000)}\n::error::forged`;
    write('overlays/staging/apps/api-gateway.yaml', `replicas: ${JSON.stringify(hostile)}\n`);
    expect(await render()).toBe(1);
    expect(err[0]).toBe(
      `overlays/staging/apps/api-gateway.yaml:1:11: error: 'replicas' must be a whole number (got "\\u001b[2J\\u001b[31mSECRET=xxxxxxxxxxxx…)\n  hint: write digits without quotes, e.g. 3`,
    );
    // eslint-disable-next-line no-control-regex -- the point: no control character may reach the output
    expect(err.join('\n')).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(changed()).toEqual(['overlays/staging/apps/api-gateway.yaml']);
  });
});

describe('4. env values that shadow secret-backed or derived variables', () => {
  it('refuses a plain value for a secret-backed and for a call-derived variable, at their lines', async () => {
    const file = 'overlays/production/apps/agent-orchestrator.yaml';
    appendFileSync(path.join(root, file), 'env:\n  DATABASE_URL: postgres://host/db\n  PLANNING_SYSTEM_URL: http://evil:80\n');
    expect(await render()).toBe(1);
    const hint = 'hint: remove it from env: (Kubernetes silently keeps the later of two equal names, so a plain value could replace a secret or a service address)';
    expect(err).toEqual([
      [
        `${file}:5:17: error: env 'DATABASE_URL' of app 'agent-orchestrator' in cluster 'production' would redefine a variable read from the Secret 'database-credentials'\n  ${hint}`,
        `${file}:5:17: error: env 'DATABASE_URL' of app 'agent-orchestrator' in cluster 'production-dr' would redefine a variable read from the Secret 'database-credentials'\n  ${hint}`,
        `${file}:6:24: error: env 'PLANNING_SYSTEM_URL' of app 'agent-orchestrator' in cluster 'production' would redefine a variable derived from the call to 'planning-system'\n  ${hint}`,
        `${file}:6:24: error: env 'PLANNING_SYSTEM_URL' of app 'agent-orchestrator' in cluster 'production-dr' would redefine a variable derived from the call to 'planning-system'\n  ${hint}`,
      ].join('\n'),
      nothingWritten(4),
    ]);
    expect(changed()).toEqual([file]);
  });
});

describe('5. the secret scanner', () => {
  it('refuses an AWS secret access key under its usual name, at its line', async () => {
    const file = 'overlays/staging/apps/api-gateway.yaml';
    write(file, 'env:\n  AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n');
    expect(await render()).toBe(1);
    expect(err[0]).toBe(
      `${file}:2:26: error: plaintext secret in 'env.AWS_SECRET_ACCESS_KEY' (an AWS secret access key)\n  hint: never commit secrets: store it in the cloud secret store and let an ExternalSecret create the Kubernetes Secret (see README.md, Secrets); a value that is not a secret goes under secrets: in base/exceptions.yaml with a reason`,
    );
    expect(changed()).toEqual([file]);
  });

  it('allows a flagged value only through a reasoned entry in base/exceptions.yaml, and refuses a stale entry', async () => {
    const file = 'overlays/staging/apps/api-gateway.yaml';
    write(file, 'env:\n  SIGNING_KEY_ID: Zk3u9QpL2xR7vT1bN8mW4cY6\n');
    expect(await render()).toBe(1);
    expect(err[0]).toMatch(
      /^overlays\/staging\/apps\/api-gateway\.yaml:2:19: error: plaintext secret in 'env\.SIGNING_KEY_ID' \(a random-looking value under the key 'SIGNING_KEY_ID'\)\n/,
    );
    const entry = (p: string) => `secrets:\n  - file: ${file}\n    path: ${p}\n    reason: a public key id the gateway hands to clients\n`;
    write('base/exceptions.yaml', read('base/exceptions.yaml').replace('secrets: []\n', entry('env.SIGNING_KEY_ID')));
    err = [];
    expect(await render('--quiet')).toBe(0);
    write('base/exceptions.yaml', read('base/exceptions.yaml').replace('env.SIGNING_KEY_ID', 'env.SIGNING_KEY'));
    expect(await render()).toBe(1);
    expect(err[0]).toBe(
      "base/exceptions.yaml:13:5: error: secret exception for 'env.SIGNING_KEY' in overlays/staging/apps/api-gateway.yaml matches no value the scanner flags\n  hint: remove the stale entry; exceptions name exactly one flagged value each\n" +
        `${file}:2:19: error: plaintext secret in 'env.SIGNING_KEY_ID' (a random-looking value under the key 'SIGNING_KEY_ID')\n  hint: never commit secrets: store it in the cloud secret store and let an ExternalSecret create the Kubernetes Secret (see README.md, Secrets); a value that is not a secret goes under secrets: in base/exceptions.yaml with a reason`,
    );
    // Only the accepted render wrote, and only staging's files (they now name the new override as a source).
    expect(changed().filter((f) => !f.startsWith('clusters/staging/'))).toEqual(['base/exceptions.yaml', file]);
    expect(read('clusters/staging/apps/api-gateway/manifest.yaml')).toContain('name: SIGNING_KEY_ID');
  });

  it.each([
    ['URL', 'UPSTREAM', 'amqp://svc:hunter2pass@mq.internal:5672/vhost', 'a URL with a password in it'],
    ['AWS access key id', 'X', 'id AKIAIOSFODNN7EXAMPLE here', 'an AWS access key id'],
    ['AWS secret key', 'X', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'an AWS secret access key'],
    ['PEM key', 'X', `-----BEGIN ${'OPENSSH'} PRIVATE KEY-----\n${'b3BlbnNzaC1rZXktdjE='.repeat(4)}\n-----END OPENSSH PRIVATE KEY-----`, 'a private key'],
    ['GitHub token', 'X', `ghp_${'a1B2'.repeat(9)}`, 'a GitHub token'],
    ['GitHub fine-grained token', 'X', `github_pat_${'A1b2_'.repeat(12)}`, 'a GitHub token'],
    ['GitLab token', 'X', `gl${'pat'}-aB3dE5fG7hJ9kL1mN3pQ`, 'a GitLab token'],
    ['Slack token', 'X', 'xoxb-123456789012-abcdefABCDEF', 'a Slack token'],
    ['JWT', 'X', `Bearer ${'eyJhbGciOiJIUzI1NiJ9'}.${'eyJzdWIiOiIxMjM0NTY3ODkwIn0'}.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U`, 'a JSON Web Token'],
    ['Google API key', 'X', `AI${'za'}Sy${'a1B2c3D4e5'.repeat(3)}abc`, 'a Google API key'],
    ['Stripe key', 'X', `sk${'_live_'}${'a1B2c3D4e5'.repeat(3)}`, 'a Stripe secret key'],
    ['Azure connection string', 'X', `DefaultEndpointsProtocol=https;AccountName=x;Account${'Key'}=${'a1B2c3D4'.repeat(11)}==;`, 'an Azure storage account key'],
    [
      'base64-encoded PEM key',
      'X',
      Buffer.from(`-----BEGIN ${'RSA PRIVATE'} KEY-----\n${'MIIBOgIBAAJB'.repeat(6)}\n-----END RSA PRIVATE KEY-----`).toString('base64'),
      'a private key (base64)',
    ],
    ['random value under *PASSWORD*', 'DB_PASSWORD_FILE_CONTENT', 'q8Z!rT3#vL9@pX2$', "a random-looking value under the key 'DB_PASSWORD_FILE_CONTENT'"],
    ['value under a secret name', 'apiToken', 'abc', "a value under the key 'apiToken'"],
  ])('finds a %s', (_what, key, value, found) => {
    expect(detectSecret(key, value)).toBe(found);
  });

  it.each([
    ['KEY_PREFIX', 'users'],
    ['TOKEN_TTL', '3600'],
    ['remoteKey', 'berrys/staging/database'],
    ['DATABASE_URL', 'postgres://app@db.internal:5432/app'],
    ['GIT_SHA', '3f2a9c1e7b3d5a4c6e8f0a1b2c3d4e5f6a7b8c9d'],
    ['MONKEY_MODE', 'enabled-for-chaos-tests'],
  ])('leaves %s: %s alone', (key, value) => {
    expect(detectSecret(key, value)).toBeUndefined();
  });

  it('scans a 1 MB value without quadratic blow-up', () => {
    // Inputs that made the old regular expressions quadratic: long runs of scheme characters, and token prefixes.
    // A linear scan of 1 MB costs tens of milliseconds of CPU and a quadratic one minutes, so the bound below is
    // three orders of magnitude from either; it counts this process's CPU time, not the wall clock, so a busy machine
    // does not move it. The time itself is a figure of the benchmark (npm run bench, the scanner floor).
    for (const unit of ['a', 'eyJ', 'ghp_', 'x://', 'AKIA', '-----BEGIN ']) {
      const big = unit.repeat(Math.ceil(1_000_000 / unit.length));
      const before = process.cpuUsage();
      detectSecret('VALUE', big);
      const { user, system } = process.cpuUsage(before);
      expect((user + system) / 1000, `${unit}: CPU ms for 1 MB`).toBeLessThan(5_000);
    }
  });
});

describe('6. Kubernetes rules on derived names and resources', () => {
  function addApp(name: string): string {
    const file = `apps/${name}.yaml`;
    write(file, read('apps/tool-integration.yaml').replace('name: tool-integration', `name: ${name}`));
    for (const env of ['local', 'development', 'staging', 'production']) appendFileSync(path.join(root, `overlays/${env}/versions.yaml`), `${name}: 1.0.0\n`);
    return file;
  }

  it('refuses an app whose name cannot name a Service (DNS-1035), at the name line', async () => {
    addApp('9lives');
    expect(await render()).toBe(1);
    expect(err[0]).toBe(
      'apps/9lives.yaml:2:7: error: app name \'9lives\' cannot name its Service: it must start with a lower-case letter, then lower-case letters, digits and "-", ending with a letter or digit\n  hint: a Service name is a DNS-1035 label; start the app name with a letter',
    );
    expect(changed().filter((f) => f.startsWith('clusters/'))).toEqual([]);
  });

  it('refuses an app name whose derived label value would exceed 63 characters', async () => {
    const name = `a${'b'.repeat(61)}c`;
    addApp(name);
    expect(await render()).toBe(1);
    expect(err[0]).toContain(
      `apps/${name}.yaml:2:7: error: the label app.kubernetes.io/instance '${name}-development' derived from app '${name}' in 'development' is 75 characters long (at most 63)\n  hint: shorten the app name to at most 51 characters`,
    );
    expect(changed().filter((f) => f.startsWith('clusters/'))).toEqual([]);
  });

  it('refuses a memory request above its limit, at the request line', async () => {
    const file = 'overlays/staging/apps/api-gateway.yaml';
    write(file, 'resources:\n  requests:\n    memory: 4Gi\n');
    expect(await render()).toBe(1);
    expect(err).toEqual([
      `${file}:3:13: error: resources.requests.memory (4Gi) is above resources.limits.memory (2Gi) for app 'api-gateway' in cluster 'staging'\n  hint: lower the request or raise the limit (the limit is set at base/defaults.yaml:21); Kubernetes refuses a request above its limit`,
      nothingWritten(1),
    ]);
    expect(changed()).toEqual([file]);
  });
});

describe('7. errors name the file, the role of the path and what to do', () => {
  it('refuses a YAML alias bomb at the file and line of the first alias', async () => {
    const file = 'overlays/staging/apps/api-gateway.yaml';
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    write(file, `${levels.join('\n')}\n`);
    expect(await render()).toBe(1);
    expect(err).toEqual([
      `${file}:2:8: error: YAML aliases expand this file to more than 100,000 values\n  hint: write the values out instead of nesting aliases (*name) of anchors (&name); input files never need more than a few aliases`,
      nothingWritten(1),
    ]);
    expect(changed()).toEqual([file]);
  });

  it.each([
    ['empty', ''],
    ['comment-only', '# yaml-language-server: $schema=../../../renderer/schema/app-override.schema.json\n# nothing yet\n'],
  ])('refuses an %s input file, consistently for every kind of input', async (_what, text) => {
    write('overlays/staging/apps/api-gateway.yaml', text);
    write('overlays/local/versions.yaml', text);
    expect(await render()).toBe(1);
    const empty = (file: string) =>
      `${file}:1:1: error: the file is empty (or holds only comments)\n  hint: write its settings (see the schema named on its first line), or delete the file if it is an optional override`;
    expect(err).toEqual([[empty('overlays/local/versions.yaml'), empty('overlays/staging/apps/api-gateway.yaml')].join('\n'), nothingWritten(2)]);
    expect(changed()).toEqual(['overlays/local/versions.yaml', 'overlays/staging/apps/api-gateway.yaml']);
  });
});

describe('8. render and validate agree; budgets fit the minimum replicas', () => {
  it("applies one tag policy per environment: development takes 'latest' in render and validate alike, staging in neither", async () => {
    const file = 'overlays/development/versions.yaml';
    write(file, read(file).replace('api-gateway: 1.9.0', 'api-gateway: latest'));
    expect(await render('--quiet')).toBe(0);
    const rendered = 'clusters/development/apps/api-gateway/manifest.yaml';
    const { manifests } = parseManifestFile(rendered, read(rendered));
    expect(read(rendered)).toMatch(/image: .*\/berrys\/api-gateway:latest\n/);
    const index = JSON.parse(read('clusters/index.json')) as { clusters: IndexCluster[] };
    const policyOf = (name: string) => index.clusters.find((c) => c.name === name)!;
    const findings = (cluster: IndexCluster) => imageTagPinned.check({ cluster, manifests, kubernetesVersion: '1.36.0' }).map((f) => `${f.line} ${f.rule}`);
    expect(findings(policyOf('development'))).toEqual([]);
    // The same Deployment under staging's policy is refused by validate, as the render refuses 'latest' there.
    const imageLine =
      read(rendered)
        .split('\n')
        .findIndex((l) => /image: .*\/berrys\/api-gateway:latest$/.test(l)) + 1;
    expect(findings(policyOf('staging'))).toEqual([`${imageLine} image-tag-pinned`]);
    write('overlays/staging/versions.yaml', read('overlays/staging/versions.yaml').replace(/api-gateway: .*/, 'api-gateway: latest'));
    expect(await render()).toBe(1);
    // The one image-tag rule (policy/object-rules.ts) refuses it at render, pointing at the version's line.
    expect(err[0]).toMatch(
      /^overlays\/staging\/versions\.yaml:\d+:14: error: Deployment 'api-gateway': container 'api-gateway' image '\S+\/berrys\/api-gateway:latest' uses the tag 'latest'\n/,
    );
    expect(changed().filter((f) => !f.startsWith('clusters/development/'))).toEqual([file, 'overlays/staging/versions.yaml']);
  });

  it('refuses a disruption budget that allows as many unavailable pods as the minimum replicas, at the minimum', async () => {
    const file = 'overlays/production/environment.yaml';
    write(file, read(file).replace('minReplicas: 2', 'minReplicas: 1'));
    expect(await render()).toBe(1);
    const lines = err[0]!.split('\n');
    expect(lines.length).toBe(16);
    expect(lines[0]).toBe(
      `${file}:77:22: error: the disruption budget of app 'agent-orchestrator' in cluster 'production-dr' allows 1 unavailable pod while it may run only 1: a node drain can take the whole service down`,
    );
    expect(lines[1]).toBe('  hint: raise autoscaling.minReplicas to at least 2, or turn disruptionBudget off where one pod is enough');
    expect(changed()).toEqual([file]);
  });
});

describe('9. keys from files are data', () => {
  it('refuses a __proto__ key in a development overlay through the command, writing nothing in any cluster', async () => {
    const file = 'overlays/development/apps/web-dashboard.yaml';
    write(file, 'env:\n  __proto__:\n    externalEgress: true\n');
    expect(await render()).toBe(1);
    expect(err).toEqual([
      `${file}:2:3: error: the key '__proto__' is not allowed (in 'env')\n  hint: rename or remove it: '__proto__', 'constructor', 'prototype' are refused as keys anywhere in input files, because JavaScript reads them as object structure, not data`,
      nothingWritten(1),
    ]);
    expect(changed()).toEqual([file]);
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('externalEgress');
  });
});
