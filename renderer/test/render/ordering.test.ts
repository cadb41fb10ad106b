// The sync-order check (ordering.ts): a consumer never syncs before its producer, and every consumed object has one.
// Each case changes one input of the real repository and asserts the exact refusal, located in the rendered files
// (or, for an add-on's declaration, in base/addons.yaml).
import { describe, expect, it } from 'vitest';
import { memoryReader } from '../../src/fs.js';
import { RenderError } from '../../src/errors.js';
import { renderRepository } from '../../src/render/render.js';
import { committedOutput, realInputs } from './fixture.js';

const output = committedOutput();

/** `file:line` of an object's document in the committed render (its `# <Kind> <name> (<template>)` comment). */
function lineOf(file: string, header: string): string {
  const line = output[file]!.split('\n').findIndex((l) => l.startsWith(`# ${header} (`));
  if (line < 0) throw new Error(`no ${header} in ${file}`);
  return `${file}:${line + 1}`;
}

/** `file:line:col` of the first occurrence of `text` in an input file. */
function inputAt(files: Record<string, string>, file: string, text: string, col = 1): string {
  const before = files[file]!.slice(0, files[file]!.indexOf(text));
  return `${file}:${before.split('\n').length}:${col}`;
}

async function refusal(change: (files: Record<string, string>) => void): Promise<string[]> {
  const files = realInputs();
  change(files);
  return renderRepository(memoryReader(files)).then(
    () => [],
    (e: unknown) => (e instanceof RenderError ? e.message.split('\n') : [String(e)]),
  );
}

function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`fixture text not found: ${from}`);
  return text.replace(from, to);
}

describe('sync order', () => {
  it('renders the repository: every producer syncs before its consumers', async () => {
    expect(await refusal(() => {})).toEqual([]);
  });

  it('refuses an add-on that syncs in the wave of the platform folder that makes its secret, naming both files and lines', async () => {
    let files: Record<string, string> = {};
    const lines = await refusal((f) => {
      f['base/addons.yaml'] = replaceOnce(f['base/addons.yaml']!, '    syncWave: 3\n', '    syncWave: 2\n');
      files = f;
    });
    const consumer = lineOf('clusters/production/argocd/manifest.yaml', 'Application argocd/production-addon-kube-prometheus-stack');
    const producer = lineOf('clusters/production/platform/manifest.yaml', 'ExternalSecret monitoring/grafana-admin');
    const wave = inputAt(files, 'base/addons.yaml', '    syncWave: 2\n    local: false\n    provides: [monitoring]').replace(/:1$/, '');
    expect(lines).toContain(
      `${consumer}:1: error: add-on 'kube-prometheus-stack' (Application production-addon-kube-prometheus-stack) syncs in sync wave 2 ` +
        `(Application production-addon-kube-prometheus-stack, wave 0 inside it), not after ExternalSecret monitoring/grafana-admin at ${producer} ` +
        '(sync wave 2 (Application production-platform, wave -2 inside it)), which it needs for Secret monitoring/grafana-admin: the first sync would wait forever',
    );
    expect(lines).toContain(`  hint: give the add-on a syncWave after 2 (${wave}), or make the producer sync earlier`);
    // One refusal per cloud cluster (local does not install the add-on) and Secret it reads from the platform
    // folder (grafana-admin, grafana-database, alertmanager-receivers), each in its own files.
    const errors = lines.filter((l) => l.includes('error:'));
    expect([...new Set(errors.map((l) => l.split(':')[0]))]).toEqual(['development', 'production-dr', 'production', 'staging'].map((c) => `clusters/${c}/argocd/manifest.yaml`));
    for (const secret of ['grafana-admin', 'grafana-database', 'alertmanager-receivers'])
      expect(errors.filter((l) => l.includes(`which it needs for Secret monitoring/${secret}:`))).toHaveLength(4);
    expect(errors).toHaveLength(12);
  });

  it('refuses an add-on that reads a secret nothing produces, at its line in base/addons.yaml', async () => {
    let files: Record<string, string> = {};
    const lines = await refusal((f) => {
      f['base/addons.yaml'] = replaceOnce(f['base/addons.yaml']!, '      secrets: [alertmanager-receivers]\n', '      secrets: [alertmanager-slack]\n');
      files = f;
    });
    const consumer = lineOf('clusters/development/argocd/manifest.yaml', 'Application argocd/development-addon-kube-prometheus-stack');
    expect(lines.slice(0, 2)).toEqual([
      `${inputAt(files, 'base/addons.yaml', '      secrets: [alertmanager-slack]', 17)}: error: add-on 'kube-prometheus-stack' (Application development-addon-kube-prometheus-stack) at ${consumer} ` +
        "needs Secret monitoring/alertmanager-slack, which nothing rendered for cluster 'development' produces",
      "  hint: create it from the secret store (base/addons.yaml: the add-on's secrets, or an ExternalSecret in the platform folder), or remove the reference",
    ]);
  });

  it('refuses a custom resource whose CRD no add-on of the cluster installs', async () => {
    const lines = await refusal((f) => {
      f['base/addons.yaml'] = replaceOnce(f['base/addons.yaml']!, '    apiGroups: [cert-manager.io, acme.cert-manager.io]\n', '');
    });
    const issuer = lineOf('clusters/development/platform/manifest.yaml', 'ClusterIssuer letsencrypt');
    expect(lines.slice(0, 2)).toEqual([
      `${issuer}:1: error: ClusterIssuer letsencrypt at ${issuer} needs the CRD of ClusterIssuer (API group cert-manager.io), which nothing rendered for cluster 'development' produces`,
      '  hint: name the API group in the apiGroups of the add-on that installs its CRD (base/addons.yaml), and install that add-on in this cluster',
    ]);
  });

  it('refuses custom resources synced by another Application in the wave of the operator that installs their CRD', async () => {
    const lines = await refusal((f) => {
      f['base/addons.yaml'] = replaceOnce(
        f['base/addons.yaml']!,
        '    syncWave: 1\n    local: true\n    provides: [secrets]',
        '    syncWave: 2\n    local: true\n    provides: [secrets]',
      );
    });
    const store = lineOf('clusters/local/platform/manifest.yaml', 'ClusterSecretStore local-secrets');
    const operator = lineOf('clusters/local/argocd/manifest.yaml', 'Application argocd/local-addon-external-secrets');
    expect(lines).toContain(
      `${store}:1: error: ClusterSecretStore local-secrets syncs in sync wave 2 (Application local-platform, wave -3 inside it), not after add-on 'external-secrets' ` +
        `(Application local-addon-external-secrets) at ${operator} (sync wave 2 (Application local-addon-external-secrets, wave 0 inside it)), ` +
        'which it needs for the CRD of ClusterSecretStore (API group external-secrets.io): the first sync would wait forever',
    );
  });

  it('refuses a post-deploy test that syncs in the wave of the apps whose Services it calls, naming the hook and each Service', async () => {
    // As if the plan put the post-deploy tests' Application beside the apps: its PostSync hook would run after its
    // own sync only, possibly before the apps' Applications have synced at all.
    const lines = await renderRepository(memoryReader(realInputs()), {
      wrapJob: (run) => (template, job) => run(template, job.context.name === 'staging-post-deploy' ? { ...job, context: { ...job.context, wave: '4' } } : job),
    }).then(
      () => [],
      (e: unknown) => (e instanceof RenderError ? e.message.split('\n') : [String(e)]),
    );
    const hook = lineOf('clusters/staging/post-deploy/manifest.yaml', 'Job berrys-staging/smoke-test');
    const service = lineOf('clusters/staging/apps/api-gateway/manifest.yaml', 'Service berrys-staging/api-gateway');
    expect(lines).toContain(
      `${hook}:1: error: Job berrys-staging/smoke-test syncs in sync wave 4 (Application staging-post-deploy, a PostSync hook of it), not after ` +
        `Service berrys-staging/api-gateway at ${service} (sync wave 4 (Application staging-api-gateway, wave 0 inside it)), which it needs for ` +
        'Service berrys-staging/api-gateway (it calls http://api-gateway.berrys-staging.svc.cluster.local): the first sync would wait forever',
    );
    // One refusal per Service each test calls (the smoke test: every app), all of them staging's post-deploy Jobs.
    const refused = lines.filter((l) => l.includes('error:'));
    expect(refused.filter((l) => l.startsWith(`${hook}:1: error: Job berrys-staging/smoke-test`))).toHaveLength(8);
    expect(refused.every((l) => l.startsWith('clusters/staging/post-deploy/manifest.yaml:') && l.includes(': error: Job berrys-staging/'))).toBe(true);
  });
});
