/**
 * Rules that read one object at a time: what the API server would refuse, and the platform's rules on each
 * workload, image, Secret and label. An edit need only re-check the objects it changed against these.
 */
import { containersOf, describe, get, isObj, kindOf, parseImage, podSpecPath, unpinnedTag, type Obj } from '../kube.js';
import { duplicateEnvNames, objectNameErrors } from '../render/kube-rules.js';
import type { DataPath } from '../source.js';
import { deprecationOf, minorAtMost } from './deprecated-apis.js';
import { findingAt, type ObjectRule, type PolicyObject } from './rule.js';
import { servingKinds } from './workloads.js';

/** The annotation a workload carries, with the reason as its value, to keep a writable root filesystem. */
export const writableRootAnnotation = 'berrys.io/writable-root-filesystem';
/** Labels every rendered object carries (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/). */
const recommendedLabels = ['app.kubernetes.io/name', 'app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by'] as const;

export const kubernetesNames: ObjectRule = {
  id: 'kubernetes-names',
  title: 'names, labels, ports and env as the API server accepts them',
  explanation:
    "Object, container and port names, label keys and values and env names follow Kubernetes' own validation (DNS-1123 and DNS-1035 names, label syntax, IANA port names), so the API server never refuses a synced object.",
  atRender: true,
  scope: 'object',
  check: (ctx, o) =>
    objectNameErrors(o.object as Obj).map((e) => ({
      ...o.locate([], 'field'),
      rule: 'kubernetes-names',
      message: `${e}, in cluster '${ctx.cluster.name}'`,
      hint: 'Kubernetes would refuse this object; shorten or rename the input it is derived from (names derive from app and cluster names)',
    })),
};

export const imageTagPinned: ObjectRule = {
  id: 'image-tag-pinned',
  title: 'image tags are pinned',
  explanation: "Every container image names a fixed version tag or a digest; 'latest' or no tag lets a restart run different code than what was reviewed.",
  atRender: true,
  scope: 'object',
  check: (ctx, o) =>
    containersOf(o.object).flatMap((c) => {
      const image = c.container.image;
      if (typeof image !== 'string' || image === '') return [findingAt(o, 'image-tag-pinned', c.path, `${describe(o.object)}: container '${c.name}' has no image`)];
      const unpinned = unpinnedTag(parseImage(image), ctx.cluster.pinnedVersions === true);
      if (!unpinned) return [];
      const hint = 'pin a release tag (…:1.4.2) or a digest (…@sha256:…); versions come from overlays/<env>/versions.yaml';
      const what = unpinned === 'no tag' ? 'has no tag' : "uses the tag 'latest'";
      return [findingAt(o, 'image-tag-pinned', [...c.path, 'image'], `${describe(o.object)}: container '${c.name}' image '${image}' ${what}`, hint)];
    }),
};

/** The dotted fields (`requests.cpu`, …) a container's `resources` leaves unset. */
function missingResources(resources: unknown, fields: readonly string[]): string[] {
  return fields.filter((p) => {
    const v = get(resources, p.split('.'));
    return v === undefined || v === null || v === '';
  });
}

/** Argo CD never runs Helm's test hooks (`helm test` only), so a chart's test pods never reach the cluster. */
function isHelmTest(o: Obj): boolean {
  const hook = get(o, ['metadata', 'annotations', 'helm.sh/hook']);
  return typeof hook === 'string' && hook.split(',').every((h) => h.trim().startsWith('test'));
}

/** The resources a chart's pods ask for: each container's, or the main container's of an operator-managed workload. */
function podResources(o: PolicyObject): { name: string; resources: unknown; path: DataPath }[] {
  const object = o.object;
  // The Prometheus operator makes the pods of these from spec.resources (its own sidecars carry their defaults).
  if (kindOf(object) === 'Prometheus' || kindOf(object) === 'Alertmanager')
    return [{ name: kindOf(object).toLowerCase(), resources: get(object, ['spec', 'resources']), path: ['spec'] }];
  return containersOf(object).map((c) => ({ name: c.name, resources: c.container.resources, path: c.path }));
}

/**
 * A chart's pods in a highAvailability environment: every container requests CPU and memory and has a memory limit.
 * A pod without requests is BestEffort: the scheduler packs it anywhere and the kubelet evicts it first under
 * pressure, so a platform component (the secret operator, the certificate webhook, the log store) is the first to go.
 * Run by validate's chart check on each add-on's `helm template` output, not on clusters/.
 */
export const chartPodResources: ObjectRule = {
  id: 'chart-pod-resources',
  title: 'add-on pods request CPU and memory and limit memory (highAvailability environments)',
  explanation:
    "In an environment with highAvailability: true, every container an add-on's chart renders (helm template with the cluster's values) requests CPU and memory and has a memory limit: a pod without requests is BestEffort, placed without regard to its node's capacity and evicted first.",
  atRender: false,
  scope: 'object',
  check: (ctx, o) => {
    if (!ctx.cluster.highAvailability || isHelmTest(o.object as Obj)) return [];
    return podResources(o).flatMap(({ name, resources, path }) => {
      const missing = missingResources(resources, ['requests.cpu', 'requests.memory', 'limits.memory']);
      if (missing.length === 0) return [];
      const bestEffort = missing.includes('requests.cpu') && missing.includes('requests.memory');
      return [
        findingAt(
          o,
          'chart-pod-resources',
          path,
          `${describe(o.object)}: container '${name}' has no ${missing.join(', ')}${bestEffort ? ' (a BestEffort pod)' : ''}`,
          "set its resources in the add-on's values",
        ),
      ];
    });
  },
};

export const resourcesSet: ObjectRule = {
  id: 'resources',
  title: 'requests and limits on every container',
  explanation: 'Requests let the scheduler place pods and the HPA compute utilisation; limits stop one container from starving its node.',
  atRender: false,
  scope: 'object',
  check: (_ctx, o) =>
    containersOf(o.object).flatMap((c) => {
      const missing = missingResources(c.container.resources, ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);
      if (missing.length === 0) return [];
      return [
        findingAt(
          o,
          'resources',
          [...c.path, 'resources'],
          `${describe(o.object)}: container '${c.name}' has no resources.${missing.join(', resources.')}`,
          'set them in apps/<app>.yaml (resources) or base/defaults.yaml',
        ),
      ];
    }),
};

export const probesSet: ObjectRule = {
  id: 'probes',
  title: 'readiness and liveness probes',
  explanation:
    'A readiness probe keeps traffic off pods that cannot serve yet; a liveness probe restarts pods that hang. Jobs and init containers are exempt: they run to completion.',
  atRender: false,
  scope: 'object',
  check: (_ctx, o) =>
    containersOf(o.object).flatMap((c) => {
      if (c.init || !(servingKinds as readonly string[]).includes(kindOf(o.object))) return [];
      const missing = ['readinessProbe', 'livenessProbe'].filter((p) => !isObj(c.container[p]));
      if (missing.length === 0) return [];
      return [findingAt(o, 'probes', c.path, `${describe(o.object)}: container '${c.name}' has no ${missing.join(' and no ')}`)];
    }),
};

export const podSecurityRestricted: ObjectRule = {
  id: 'pod-security',
  title: 'restricted pod security',
  explanation:
    'Pods meet the Kubernetes "restricted" Pod Security Standard: run as non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, no host namespaces; ' +
    `and a read-only root filesystem unless the workload says why not in the annotation ${writableRootAnnotation}.`,
  atRender: false,
  scope: 'object',
  check: (_ctx, o) => {
    const podPath = podSpecPath(o.object);
    if (!podPath) return [];
    const out: ReturnType<typeof findingAt>[] = [];
    const pod = get(o.object, podPath);
    const podCtx = isObj(pod) && isObj(pod.securityContext) ? pod.securityContext : {};
    const who = describe(o.object);
    const add = (path: DataPath, message: string, hint?: string) => out.push(findingAt(o, 'pod-security', path, `${who}: ${message}`, hint));
    for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
      if (isObj(pod) && pod[field] === true) add([...podPath, field], `${field} is true; pods must not share the node's namespaces`);
    }
    const annotations = o.object.metadata?.annotations;
    const writableReason = isObj(annotations) ? annotations[writableRootAnnotation] : undefined;
    const mayWriteRoot = typeof writableReason === 'string' && writableReason.trim() !== '';
    for (const c of containersOf(o.object)) {
      const sc: Obj = isObj(c.container.securityContext) ? c.container.securityContext : {};
      const scPath = [...c.path, 'securityContext'];
      const name = `container '${c.name}'`;
      const runAsNonRoot = sc.runAsNonRoot ?? podCtx.runAsNonRoot;
      if (runAsNonRoot !== true)
        add(
          sc.runAsNonRoot !== undefined ? [...scPath, 'runAsNonRoot'] : [...podPath, 'securityContext'],
          `${name} may run as root (runAsNonRoot is not true for the pod or the container)`,
        );
      const seccomp = get(sc, ['seccompProfile', 'type']) ?? get(podCtx, ['seccompProfile', 'type']);
      if (seccomp !== 'RuntimeDefault')
        add(scPath, `${name} has seccompProfile ${seccomp === undefined ? 'unset' : `'${String(seccomp)}'`}; set securityContext.seccompProfile.type: RuntimeDefault`);
      if (sc.allowPrivilegeEscalation !== false) add(scPath, `${name} does not set allowPrivilegeEscalation: false`);
      if (sc.privileged === true) add([...scPath, 'privileged'], `${name} is privileged`);
      const drop = get(sc, ['capabilities', 'drop']);
      if (!Array.isArray(drop) || !drop.includes('ALL')) add(scPath, `${name} does not drop all capabilities (capabilities.drop: [ALL])`);
      const added = get(sc, ['capabilities', 'add']);
      const extra = Array.isArray(added) ? added.filter((cap) => cap !== 'NET_BIND_SERVICE') : [];
      if (extra.length > 0) add([...scPath, 'capabilities', 'add'], `${name} adds capabilities ${extra.join(', ')} (only NET_BIND_SERVICE is allowed)`);
      if (sc.readOnlyRootFilesystem !== true && !mayWriteRoot) {
        add(
          scPath,
          `${name} has a writable root filesystem`,
          `set readOnlyRootFilesystem: true and mount an emptyDir where it writes, or give the reason in the annotation ${writableRootAnnotation}`,
        );
      }
    }
    return out;
  },
};

export const noSecretData: ObjectRule = {
  id: 'no-secret-data',
  title: 'no Secret data in git',
  explanation: 'Secret values never live in this repository: they come from the external secret store through ExternalSecret objects.',
  atRender: false,
  scope: 'object',
  check: (_ctx, o) => {
    if (kindOf(o.object) !== 'Secret') return [];
    return (['data', 'stringData'] as const)
      .filter((field) => isObj(o.object[field]) && Object.keys(o.object[field] as Obj).length > 0)
      .map((field) =>
        findingAt(o, 'no-secret-data', [field], `${describe(o.object)} carries ${field} in git`, 'declare an ExternalSecret that reads the value from the secret store instead'),
      );
  },
};

export const deprecatedApi: ObjectRule = {
  id: 'deprecated-api',
  title: 'no deprecated or removed API versions',
  explanation: 'Objects use API versions the pinned Kubernetes version serves and has not deprecated, so an upgrade does not break a sync.',
  atRender: false,
  scope: 'object',
  check: ({ kubernetesVersion }, o) => {
    if (kubernetesVersion === undefined) return [];
    const apiVersion = typeof o.object.apiVersion === 'string' ? o.object.apiVersion : '';
    const d = deprecationOf(apiVersion, kindOf(o.object), kubernetesVersion);
    if (!d) return [];
    const state =
      d.removedIn && minorAtMost(d.removedIn, kubernetesVersion)
        ? `was removed in Kubernetes ${d.removedIn}`
        : `is deprecated since Kubernetes ${d.deprecatedIn}${d.removedIn ? ` and removed in ${d.removedIn}` : ''}`;
    return [findingAt(o, 'deprecated-api', ['apiVersion'], `${describe(o.object)}: ${apiVersion} ${state} (clusters run ${kubernetesVersion})`, `use ${d.replacement}`)];
  },
};

export const recommendedLabelsSet: ObjectRule = {
  id: 'recommended-labels',
  title: 'recommended app.kubernetes.io labels',
  explanation: `Every rendered object carries ${recommendedLabels.join(', ')}, so dashboards, cost reports and kubectl selectors can tell what it belongs to and who manages it.`,
  atRender: false,
  scope: 'object',
  check: (_ctx, o) => {
    const labels = o.object.metadata?.labels;
    const missing = recommendedLabels.filter((l) => !isObj(labels) || typeof labels[l] !== 'string' || labels[l] === '');
    if (missing.length === 0) return [];
    return [
      findingAt(
        o,
        'recommended-labels',
        isObj(labels) ? ['metadata', 'labels'] : ['metadata'],
        `${describe(o.object)} has no label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
        'the renderer adds them in normalize.ts; a hand-written template must not drop metadata.labels',
      ),
    ];
  },
};

export const envNamesUnique: ObjectRule = {
  id: 'env-unique',
  title: 'no env name twice in a container',
  explanation: 'Kubernetes keeps the later of two env entries with one name, silently; a plain value could replace a secret-backed one.',
  atRender: true,
  scope: 'object',
  check: (_ctx, o) =>
    containersOf(o.object).flatMap((c) =>
      duplicateEnvNames(c.container).map((name) =>
        findingAt(
          o,
          'env-unique',
          [...c.path, 'env'],
          `${describe(o.object)}: container '${c.name}' lists env '${name}' more than once`,
          'keep one entry per name (in rendered output: remove it from the env: settings; see the render error)',
        ),
      ),
    ),
};
