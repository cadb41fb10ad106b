/**
 * The call graph across environments: a call declared `when: deployed` is wired only where its callee is deployed,
 * so a new service can enter the chain after the app that calls it. Rendered from the real inputs, in memory.
 */
import { describe, expect, it } from 'vitest';
import { memoryReader } from '../../src/fs.js';
import { renderRepository } from '../../src/render/render.js';
import { realInputs, renderError } from './fixture.js';

type Files = Record<string, string>;

/** billing-service in development only, and api-gateway calling it in the given form. */
function introduceBilling(files: Files, call: string): void {
  files['apps/billing-service.yaml'] = files['apps/tool-integration.yaml']!.replace('name: tool-integration', 'name: billing-service').replace(
    'berrys/tool-integration',
    'berrys/billing-service',
  );
  files['apps/api-gateway.yaml'] = files['apps/api-gateway.yaml']!.replace('calls: [agent-orchestrator,', `calls: [${call}, agent-orchestrator,`);
  files['overlays/development/versions.yaml'] += 'billing-service: 1.0.0\n';
}

async function render(files: Files) {
  const result = await renderRepository(memoryReader(files));
  const manifest = (cluster: string, app: string) => result.files.find((f) => f.path === `clusters/${cluster}/apps/${app}/manifest.yaml`)?.content ?? '';
  return { result, manifest };
}

describe('call graph', () => {
  it('wires a call that waits for its callee only where the callee is deployed, and says so once per environment where it waits', async () => {
    const files = realInputs();
    introduceBilling(files, '{app: billing-service, when: deployed}');
    const { result, manifest } = await render(files);
    const gateway = manifest('development', 'api-gateway');
    expect(gateway).toContain('- name: BILLING_SERVICE_URL\n              value: http://billing-service.berrys-development.svc.cluster.local:8080');
    expect(gateway).toContain('app.kubernetes.io/name: billing-service');
    expect(manifest('development', 'billing-service')).toMatch(/from:\n\s+- podSelector:\n\s+matchLabels:\n\s+app.kubernetes.io\/name: api-gateway/);
    for (const cluster of ['local', 'staging', 'production', 'production-dr']) {
      expect(manifest(cluster, 'api-gateway')).not.toContain('BILLING_SERVICE_URL');
      expect(manifest(cluster, 'api-gateway')).not.toContain('billing-service');
    }
    expect(result.notes).toEqual(
      ['local', 'production', 'staging'].map(
        (env) => `${env}: api-gateway → billing-service (no BILLING_SERVICE_URL): wired once the callee is deployed in ${env} (when: deployed); no network policy rule for it yet`,
      ),
    );
  });

  it('renders the environments where the callee is not deployed exactly as before the call was declared', async () => {
    const before = await render(realInputs());
    const files = realInputs();
    introduceBilling(files, '{app: billing-service, when: deployed}');
    const after = await render(files);
    for (const cluster of ['local', 'staging', 'production', 'production-dr']) {
      expect(after.manifest(cluster, 'api-gateway')).toBe(before.manifest(cluster, 'api-gateway'));
    }
  });

  it('refuses a plain call to an app not deployed where the caller is, and its hint offers the waiting call first', async () => {
    const message = await renderError((f) => introduceBilling(f, 'billing-service'));
    expect(message).toContain(
      "overlays/staging/versions.yaml:4:14: error: app 'api-gateway' calls 'billing-service', which is not deployed in 'staging' (no version in overlays/staging/versions.yaml)\n" +
        '  hint: to introduce or retire billing-service gradually, make the call wait for it: {app: billing-service, when: deployed} in apps/api-gateway.yaml (then staging renders api-gateway without it); ' +
        'or deploy billing-service here (npm run promote -- --from development --to staging --app billing-service); or leave api-gateway out of staging too',
    );
    expect(message).toContain("or deploy billing-service here (add 'billing-service: <version>' to overlays/local/versions.yaml)");
  });

  it('refuses the reverse call where both calls are live, and accepts it where they never are in the same environment', async () => {
    const files = realInputs();
    introduceBilling(files, '{app: billing-service, when: deployed}');
    files['apps/billing-service.yaml'] = files['apps/billing-service.yaml']!.replace('calls: []', 'calls: [{app: api-gateway, when: deployed}]');
    expect(await renderError((f) => Object.assign(f, files))).toBe(
      'apps/api-gateway.yaml:7:9: error: dependency cycle in development: api-gateway → billing-service → api-gateway (every call of the ring is live there)\n' +
        '  hint: the call graph must be layered in every environment; remove one of these calls, or retire one of its apps from development',
    );
    // Two new services calling each other, deployed in different environments: the ring is never live, so it renders.
    const apart = realInputs();
    introduceBilling(apart, '{app: billing-service, when: deployed}');
    apart['apps/billing-service.yaml'] = apart['apps/billing-service.yaml']!.replace('calls: []', 'calls: [{app: invoice-service, when: deployed}]');
    apart['apps/invoice-service.yaml'] = apart['apps/billing-service.yaml']!.replace(/billing-service/g, 'invoice-service').replace(
      'invoice-service, when',
      'billing-service, when',
    );
    apart['overlays/local/versions.yaml'] += 'invoice-service: 0.1.0\n';
    const { result, manifest } = await render(apart);
    expect(manifest('development', 'billing-service')).not.toContain('INVOICE_SERVICE_URL');
    expect(manifest('local', 'invoice-service')).not.toContain('BILLING_SERVICE_URL');
    expect(result.notes.find((n) => n.startsWith('development:'))).toBe(
      'development: billing-service → invoice-service (no INVOICE_SERVICE_URL): wired once the callee is deployed in development (when: deployed); no network policy rule for it yet',
    );
  });

  it('still refuses a ring of calls that do not wait, wherever its apps are', async () => {
    const message = await renderError((f) => (f['apps/tool-integration.yaml'] = f['apps/tool-integration.yaml']!.replace('calls: []', 'calls: [agent-orchestrator]')));
    expect(message).toContain('error: dependency cycle: agent-orchestrator → tool-integration → agent-orchestrator');
  });

  it('refuses the same callee declared twice, in either form', async () => {
    const message = await renderError(
      (f) => (f['apps/web-dashboard.yaml'] = f['apps/web-dashboard.yaml']!.replace('calls: [api-gateway]', 'calls: [api-gateway, {app: api-gateway, when: deployed}]')),
    );
    expect(message).toBe("apps/web-dashboard.yaml:7:22: error: app 'web-dashboard' declares its call to 'api-gateway' twice\n  hint: keep one entry per callee");
  });
});
