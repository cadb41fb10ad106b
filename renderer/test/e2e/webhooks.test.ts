import { describe, expect, it } from 'vitest';
import { caBundlePatch, caInjection, reviewAnswer, serviceDnsNames, webhookTargets, type WebhookConfigurationLike } from '../../src/e2e/webhooks.js';

// Shaped like the live objects the pinned charts install (cert-manager v1.21.2, external-secrets 1.3.2,
// kube-prometheus-stack 79.5.0, aws-load-balancer-controller with enableCertManager).
const certManager: WebhookConfigurationLike = {
  kind: 'ValidatingWebhookConfiguration',
  metadata: { name: 'cert-manager-webhook', annotations: { 'cert-manager.io/inject-ca-from-secret': 'ingress/cert-manager-webhook-ca' } },
  webhooks: [{ name: 'webhook.cert-manager.io', clientConfig: { service: { namespace: 'ingress', name: 'cert-manager-webhook', path: '/validate' } } }],
};
const externalSecrets: WebhookConfigurationLike = {
  kind: 'ValidatingWebhookConfiguration',
  metadata: { name: 'secretstore-validate', labels: { 'external-secrets.io/component': 'webhook' } },
  webhooks: [
    {
      name: 'validate.secretstore.external-secrets.io',
      clientConfig: { service: { namespace: 'external-secrets', name: 'external-secrets-webhook', path: '/validate-external-secrets-io-v1-secretstore' } },
    },
    {
      name: 'validate.clustersecretstore.external-secrets.io',
      clientConfig: { caBundle: 'QUJD', service: { namespace: 'external-secrets', name: 'external-secrets-webhook', port: 443 } },
    },
  ],
};
const prometheusOperator: WebhookConfigurationLike = {
  kind: 'MutatingWebhookConfiguration',
  metadata: { name: 'kube-prometheus-stack-admission', labels: { app: 'kube-prometheus-stack-admission' } },
  webhooks: [
    {
      name: 'prometheusrulemutate.monitoring.coreos.com',
      clientConfig: { service: { namespace: 'monitoring', name: 'kube-prometheus-stack-operator', path: '/admission-prometheusrules/mutate' } },
    },
  ],
};
const loadBalancer: WebhookConfigurationLike = {
  kind: 'MutatingWebhookConfiguration',
  metadata: { name: 'aws-load-balancer-webhook', annotations: { 'cert-manager.io/inject-ca-from': 'kube-system/aws-load-balancer-serving-cert' } },
  webhooks: [{ name: 'mpod.elbv2.k8s.aws', clientConfig: { service: { namespace: 'kube-system', name: 'aws-load-balancer-webhook-service', port: 443 } } }],
};

describe("a chart's webhooks as the API server calls them", () => {
  it('takes each Service webhook with its port (443 when the chart gives none) and leaves URL webhooks out', () => {
    const withUrl = { ...certManager, webhooks: [...certManager.webhooks!, { name: 'outside', clientConfig: { url: 'https://example.test/hook' } }] };
    expect(webhookTargets(withUrl)).toEqual([{ index: 0, webhook: 'webhook.cert-manager.io', service: { namespace: 'ingress', name: 'cert-manager-webhook', port: 443 } }]);
  });

  it('names the DNS names the serving certificate must carry, <svc>.<ns>.svc among them', () => {
    expect(serviceDnsNames({ namespace: 'monitoring', name: 'kube-prometheus-stack-operator' })).toContain('kube-prometheus-stack-operator.monitoring.svc');
  });
});

describe('who injects the CA bundle, and into which Secret the certificate goes', () => {
  const noCertificates = () => undefined;
  it("cert-manager's own webhook: cainjector, from the Secret the annotation names", () => {
    expect(caInjection(certManager, noCertificates)).toMatchObject({
      by: expect.stringContaining('cainjector'),
      secret: { namespace: 'ingress', name: 'cert-manager-webhook-ca', ca: 'ca.crt' },
    });
  });

  it("a chart using cert-manager: cainjector, from the Certificate's Secret, created as the tls Secret cert-manager makes (a Secret's type is immutable)", () => {
    const secretOf = (nn: string) => (nn === 'kube-system/aws-load-balancer-serving-cert' ? 'aws-load-balancer-tls' : undefined);
    expect(caInjection(loadBalancer, secretOf).secret).toEqual({
      namespace: 'kube-system',
      name: 'aws-load-balancer-tls',
      ca: 'ca.crt',
      cert: 'tls.crt',
      key: 'tls.key',
      type: 'kubernetes.io/tls',
    });
  });

  it("External Secrets: its cert-controller, into the Secret named after the webhook's Service", () => {
    expect(caInjection(externalSecrets, noCertificates)).toMatchObject({
      by: expect.stringContaining('cert-controller'),
      secret: { namespace: 'external-secrets', name: 'external-secrets-webhook' },
    });
  });

  it("kube-prometheus-stack: the certgen Jobs, into the Secret named after the configuration, with certgen's key names", () => {
    expect(caInjection(prometheusOperator, noCertificates).secret).toEqual({
      namespace: 'monitoring',
      name: 'kube-prometheus-stack-admission',
      ca: 'ca',
      cert: 'cert',
      key: 'key',
    });
  });

  it('patches only the webhooks that do not trust the bundle yet, and nothing once all do', () => {
    expect(caBundlePatch(externalSecrets, 'QUJD')).toEqual([{ op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: 'QUJD' }]);
    const injected = { ...externalSecrets, webhooks: externalSecrets.webhooks!.map((x) => ({ ...x, clientConfig: { ...x.clientConfig, caBundle: 'QUJD' } })) };
    expect(caBundlePatch(injected, 'QUJD')).toBeUndefined();
  });
});

describe("the stand-in responder's answers", () => {
  it('allows an AdmissionReview without a patch, echoing its uid and version', () => {
    expect(reviewAnswer({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u1' } })).toEqual({
      status: 200,
      body: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u1', allowed: true } },
    });
  });

  it('converts a ConversionReview by relabelling each object to the desired version', () => {
    const r = reviewAnswer({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'ConversionReview',
      request: { uid: 'u2', desiredAPIVersion: 'external-secrets.io/v1', objects: [{ apiVersion: 'external-secrets.io/v1beta1' }] },
    });
    expect(r.body).toMatchObject({ response: { uid: 'u2', result: { status: 'Success' }, convertedObjects: [{ apiVersion: 'external-secrets.io/v1' }] } });
  });

  it('refuses a body that is no review', () => {
    expect(reviewAnswer({}).status).toBe(400);
    expect(reviewAnswer({ kind: 'TokenReview', request: { uid: 'u3' } }).status).toBe(400);
  });
});
