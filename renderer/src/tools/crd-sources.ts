/**
 * The custom resources the repository renders, and where their CRDs live inside the pinned upstream Go modules.
 *
 * To validate a new custom resource: add one entry here. `source` is a key of `sources` in renderer/pins.json (add the
 * module there first if it is a new project), `file` the CRD's path inside that module, `kinds` the kinds it must
 * define (the tools step fails if the file does not, so a moved or renamed CRD is noticed when the pin is bumped).
 */
export interface CrdSource {
  source: string;
  file: string;
  kinds: string[];
}

export const crdSources: readonly CrdSource[] = [
  { source: 'argocd', file: 'manifests/crds/application-crd.yaml', kinds: ['Application'] },
  { source: 'argocd', file: 'manifests/crds/appproject-crd.yaml', kinds: ['AppProject'] },
  { source: 'argocd', file: 'manifests/crds/applicationset-crd.yaml', kinds: ['ApplicationSet'] },
  { source: 'externalSecrets', file: 'config/crds/bases/external-secrets.io_externalsecrets.yaml', kinds: ['ExternalSecret'] },
  { source: 'externalSecrets', file: 'config/crds/bases/external-secrets.io_secretstores.yaml', kinds: ['SecretStore'] },
  { source: 'externalSecrets', file: 'config/crds/bases/external-secrets.io_clustersecretstores.yaml', kinds: ['ClusterSecretStore'] },
  { source: 'certManager', file: 'deploy/crds/cert-manager.io_certificates.yaml', kinds: ['Certificate'] },
  { source: 'certManager', file: 'deploy/crds/cert-manager.io_issuers.yaml', kinds: ['Issuer'] },
  { source: 'certManager', file: 'deploy/crds/cert-manager.io_clusterissuers.yaml', kinds: ['ClusterIssuer'] },
];
