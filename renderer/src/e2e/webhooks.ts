/**
 * The charts' admission webhooks in a rehearsal, where kwok runs no containers: which Service each webhook calls,
 * who would inject its CA bundle and from which Secret (cert-manager's cainjector, External Secrets' cert-controller,
 * kube-prometheus-stack's certgen hook Jobs), and the answers a stand-in responder gives (allow, no patch; convert by
 * relabelling the version). The rehearsal serves these answers over real HTTPS on each webhook pod's own IP and
 * port, so the API server reaches them through the chart's own Service and EndpointSlice. Pure.
 */

export interface WebhookConfigurationLike {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  webhooks?: { name: string; clientConfig: { caBundle?: string; service?: { namespace: string; name: string; port?: number; path?: string }; url?: string } }[];
}

export interface ServiceRef {
  namespace: string;
  name: string;
  port: number;
}

export interface WebhookTarget {
  /** Index into `webhooks`, for a JSON patch of its caBundle. */
  index: number;
  webhook: string;
  service: ServiceRef;
}

/** The webhooks of a configuration that call a Service (a `url` webhook is outside the cluster: not ours to serve). */
export function webhookTargets(config: WebhookConfigurationLike): WebhookTarget[] {
  return (config.webhooks ?? []).flatMap((w, index) =>
    w.clientConfig.service
      ? [{ index, webhook: w.name, service: { namespace: w.clientConfig.service.namespace, name: w.clientConfig.service.name, port: w.clientConfig.service.port ?? 443 } }]
      : [],
  );
}

/** The DNS names the API server checks a webhook's serving certificate against (it dials `<svc>.<ns>.svc`). */
export function serviceDnsNames(s: { namespace: string; name: string }): string[] {
  return [s.name, `${s.name}.${s.namespace}`, `${s.name}.${s.namespace}.svc`, `${s.name}.${s.namespace}.svc.cluster.local`];
}

export interface CaInjection {
  /** Who injects the CA bundle in a real cluster (printed with the stand-in). */
  by: string;
  /**
   * The Secret that component fills with the serving certificate, and its key names; undefined when it keeps none.
   * `type` is set when another component owns that Secret's type: a Secret's type is immutable, so whichever stand-in
   * creates it first must create it as its owner would (a Certificate's Secret is `kubernetes.io/tls`).
   */
  secret?: { namespace: string; name: string; ca: string; cert: string; key: string; type?: 'kubernetes.io/tls' };
}

/**
 * Who puts the CA bundle into this configuration in a real cluster, and the Secret holding the certificate the
 * webhook serves. `certificateSecret` maps a cert-manager Certificate (`ns/name`) to its spec.secretName.
 */
export function caInjection(config: WebhookConfigurationLike, certificateSecret: (namespacedName: string) => string | undefined): CaInjection {
  const a = config.metadata.annotations ?? {};
  const l = config.metadata.labels ?? {};
  const service = webhookTargets(config)[0]?.service;
  const tls = { ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' };
  const fromSecret = a['cert-manager.io/inject-ca-from-secret'];
  if (fromSecret) {
    const [namespace, name] = fromSecret.split('/') as [string, string];
    return { by: `cert-manager's cainjector, from Secret ${fromSecret} (which the cert-manager webhook makes for itself)`, secret: { namespace, name, ...tls } };
  }
  const fromCertificate = a['cert-manager.io/inject-ca-from'];
  if (fromCertificate) {
    const [namespace] = fromCertificate.split('/') as [string, string];
    const name = certificateSecret(fromCertificate);
    return {
      by: `cert-manager's cainjector, from Certificate ${fromCertificate}`,
      secret: name ? { namespace, name, ...tls, type: 'kubernetes.io/tls' } : undefined,
    };
  }
  if (l['external-secrets.io/component'] === 'webhook' && service)
    return { by: "External Secrets' cert-controller", secret: { namespace: service.namespace, name: service.name, ...tls } };
  if (l.app?.endsWith('-admission') && service)
    return {
      by: "kube-prometheus-stack's certgen hook Jobs (admission-create makes the Secret, admission-patch injects the bundle)",
      secret: { namespace: service.namespace, name: config.metadata.name, ca: 'ca', cert: 'cert', key: 'key' },
    };
  return { by: 'nobody known to the rehearsal (the chart sets no injector)' };
}

/** The caBundle patch that makes every Service webhook of `config` trust `caBundle`, or undefined when all do already. */
export function caBundlePatch(config: WebhookConfigurationLike, caBundle: string): { op: 'add'; path: string; value: string }[] | undefined {
  const ops = webhookTargets(config)
    .filter((t) => config.webhooks![t.index]!.clientConfig.caBundle !== caBundle)
    .map((t) => ({ op: 'add' as const, path: `/webhooks/${t.index}/clientConfig/caBundle`, value: caBundle }));
  return ops.length ? ops : undefined;
}

interface Review {
  apiVersion?: string;
  kind?: string;
  request?: { uid?: string; desiredAPIVersion?: string; objects?: { apiVersion?: string }[] };
}

/**
 * The stand-in's answer to an AdmissionReview (allowed, no patch) or a ConversionReview (each object relabelled to the
 * desired version: the charts here serve one schema per version). Anything else is a client error.
 */
export function reviewAnswer(review: Review): { status: number; body: unknown } {
  const uid = review.request?.uid;
  if (!uid) return { status: 400, body: { error: 'not an AdmissionReview or ConversionReview: request.uid is missing' } };
  if (review.kind === 'AdmissionReview') return { status: 200, body: { apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid, allowed: true } } };
  if (review.kind === 'ConversionReview') {
    const to = review.request!.desiredAPIVersion;
    return {
      status: 200,
      body: {
        apiVersion: review.apiVersion,
        kind: 'ConversionReview',
        response: { uid, result: { status: 'Success' }, convertedObjects: (review.request!.objects ?? []).map((o) => ({ ...o, apiVersion: to })) },
      },
    };
  }
  return { status: 400, body: { error: `cannot answer a ${review.kind ?? 'review without a kind'}` } };
}
