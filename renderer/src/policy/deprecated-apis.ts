/**
 * API versions Kubernetes has deprecated or removed, from the Kubernetes deprecation guide
 * (https://kubernetes.io/docs/reference/using-api/deprecation-guide/). A small table of what a GitOps repository is
 * likely to write; kubeconform also rejects removed versions (no schema), this table says what to use instead.
 */
export interface ApiDeprecation {
  apiVersion: string;
  /** Kinds concerned; undefined for every kind of that apiVersion. */
  kinds?: string[];
  /** Minor version ("1.25") the API version was deprecated in. */
  deprecatedIn: string;
  /** Minor version it is no longer served from; undefined while still served. */
  removedIn?: string;
  replacement: string;
}

const apiDeprecations: readonly ApiDeprecation[] = [
  { apiVersion: 'extensions/v1beta1', deprecatedIn: '1.8', removedIn: '1.22', replacement: 'apps/v1 (workloads), networking.k8s.io/v1 (Ingress, NetworkPolicy)' },
  { apiVersion: 'apps/v1beta1', deprecatedIn: '1.9', removedIn: '1.16', replacement: 'apps/v1' },
  { apiVersion: 'apps/v1beta2', deprecatedIn: '1.9', removedIn: '1.16', replacement: 'apps/v1' },
  { apiVersion: 'networking.k8s.io/v1beta1', kinds: ['Ingress', 'IngressClass'], deprecatedIn: '1.19', removedIn: '1.22', replacement: 'networking.k8s.io/v1' },
  {
    apiVersion: 'admissionregistration.k8s.io/v1beta1',
    kinds: ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
    deprecatedIn: '1.16',
    removedIn: '1.22',
    replacement: 'admissionregistration.k8s.io/v1',
  },
  { apiVersion: 'apiextensions.k8s.io/v1beta1', deprecatedIn: '1.16', removedIn: '1.22', replacement: 'apiextensions.k8s.io/v1' },
  { apiVersion: 'apiregistration.k8s.io/v1beta1', deprecatedIn: '1.19', removedIn: '1.22', replacement: 'apiregistration.k8s.io/v1' },
  { apiVersion: 'rbac.authorization.k8s.io/v1beta1', deprecatedIn: '1.17', removedIn: '1.22', replacement: 'rbac.authorization.k8s.io/v1' },
  { apiVersion: 'scheduling.k8s.io/v1beta1', deprecatedIn: '1.14', removedIn: '1.22', replacement: 'scheduling.k8s.io/v1' },
  { apiVersion: 'coordination.k8s.io/v1beta1', deprecatedIn: '1.14', removedIn: '1.22', replacement: 'coordination.k8s.io/v1' },
  { apiVersion: 'certificates.k8s.io/v1beta1', deprecatedIn: '1.19', removedIn: '1.22', replacement: 'certificates.k8s.io/v1' },
  {
    apiVersion: 'storage.k8s.io/v1beta1',
    kinds: ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'],
    deprecatedIn: '1.19',
    removedIn: '1.22',
    replacement: 'storage.k8s.io/v1',
  },
  { apiVersion: 'storage.k8s.io/v1beta1', kinds: ['CSIStorageCapacity'], deprecatedIn: '1.24', removedIn: '1.27', replacement: 'storage.k8s.io/v1' },
  { apiVersion: 'batch/v1beta1', kinds: ['CronJob'], deprecatedIn: '1.21', removedIn: '1.25', replacement: 'batch/v1' },
  { apiVersion: 'policy/v1beta1', kinds: ['PodDisruptionBudget'], deprecatedIn: '1.21', removedIn: '1.25', replacement: 'policy/v1' },
  { apiVersion: 'policy/v1beta1', kinds: ['PodSecurityPolicy'], deprecatedIn: '1.21', removedIn: '1.25', replacement: 'Pod Security Admission (namespace labels)' },
  { apiVersion: 'discovery.k8s.io/v1beta1', kinds: ['EndpointSlice'], deprecatedIn: '1.21', removedIn: '1.25', replacement: 'discovery.k8s.io/v1' },
  { apiVersion: 'events.k8s.io/v1beta1', kinds: ['Event'], deprecatedIn: '1.19', removedIn: '1.25', replacement: 'events.k8s.io/v1' },
  { apiVersion: 'node.k8s.io/v1beta1', kinds: ['RuntimeClass'], deprecatedIn: '1.20', removedIn: '1.25', replacement: 'node.k8s.io/v1' },
  { apiVersion: 'autoscaling/v2beta1', kinds: ['HorizontalPodAutoscaler'], deprecatedIn: '1.22', removedIn: '1.25', replacement: 'autoscaling/v2' },
  { apiVersion: 'autoscaling/v2beta2', kinds: ['HorizontalPodAutoscaler'], deprecatedIn: '1.23', removedIn: '1.26', replacement: 'autoscaling/v2' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1', deprecatedIn: '1.23', removedIn: '1.26', replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2', deprecatedIn: '1.26', removedIn: '1.29', replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', deprecatedIn: '1.29', removedIn: '1.32', replacement: 'flowcontrol.apiserver.k8s.io/v1' },
  { apiVersion: 'v1', kinds: ['Endpoints'], deprecatedIn: '1.33', replacement: 'discovery.k8s.io/v1 EndpointSlice' },
  { apiVersion: 'v1', kinds: ['ComponentStatus'], deprecatedIn: '1.19', replacement: 'the API server health endpoints (/livez, /readyz)' },
];

/** Compares "1.25" with "1.36.3" by major and minor. */
export function minorAtMost(minor: string, version: string): boolean {
  const [a1 = 0, a2 = 0] = minor.split('.').map(Number);
  const [b1 = 0, b2 = 0] = version.split('.').map(Number);
  return a1 < b1 || (a1 === b1 && a2 <= b2);
}

/** The deprecation entry that applies to an apiVersion/kind in `kubernetesVersion`, if any. */
export function deprecationOf(apiVersion: string, kind: string, kubernetesVersion: string): ApiDeprecation | undefined {
  return apiDeprecations.find((d) => d.apiVersion === apiVersion && (!d.kinds || d.kinds.includes(kind)) && minorAtMost(d.deprecatedIn, kubernetesVersion));
}
