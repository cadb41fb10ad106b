/**
 * The platform's policy rules over rendered manifests. Each rule is pure: a cluster's parsed manifests in,
 * findings (file, line, rule, message) out. The list at the bottom is what `npm run validate` runs.
 */
import { containersOf, describe, get, isObj, kindOf, nameOf, namespaceOf, parseImage, podSpecPath, unpinnedTag, type ContainerRef, type Obj } from '../kube.js';
import { repoPaths } from '../paths.js';
import { deprecationOf, minorAtMost } from './deprecated-apis.js';
import type { Finding } from './findings.js';
import type { DataPath, Manifest } from '../manifests.js';
import type { IndexCluster } from '../cluster-index.js';
import { duplicateEnvNames } from '../render/kube-rules.js';
import { ofKind, podLabels, selectorMatches, serviceSelectorMatches, servingKinds } from './workloads.js';

export interface RuleContext {
  cluster: IndexCluster;
  /** Every document rendered for the cluster. */
  manifests: readonly Manifest[];
  /** Pinned Kubernetes version, "1.36.3". */
  kubernetesVersion: string;
}

export interface Rule {
  id: string;
  title: string;
  /** Why the rule exists, in a sentence or two; printed by --format json and in the README. */
  explanation: string;
  check(ctx: RuleContext): Finding[];
}

/** The annotation a workload carries, with the reason as its value, to keep a writable root filesystem. */
export const writableRootAnnotation = 'berrys.io/writable-root-filesystem';
/** Labels every rendered object carries (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/). */
const recommendedLabels = ['app.kubernetes.io/name', 'app.kubernetes.io/part-of', 'app.kubernetes.io/managed-by'] as const;
const minimumReplicas = 3;

function finding(m: Manifest, rule: string, path: DataPath, message: string, hint?: string): Finding {
  return { file: m.file, line: m.lineOf(path), rule, message, ...(hint ? { hint } : {}) };
}

function forEachContainer(ctx: RuleContext, fn: (m: Manifest, c: ContainerRef) => Finding[]): Finding[] {
  return ctx.manifests.flatMap((m) => containersOf(m.object).flatMap((c) => fn(m, c)));
}

export const imageTagPinned: Rule = {
  id: 'image-tag-pinned',
  title: 'image tags are pinned',
  explanation: "Every container image names a fixed version tag or a digest; 'latest' or no tag lets a restart run different code than what was reviewed.",
  check: (ctx) =>
    forEachContainer(ctx, (m, c) => {
      const image = c.container.image;
      if (typeof image !== 'string' || image === '') return [finding(m, 'image-tag-pinned', c.path, `${describe(m.object)}: container '${c.name}' has no image`)];
      const unpinned = unpinnedTag(parseImage(image), ctx.cluster.pinnedVersions === true);
      if (!unpinned) return [];
      const hint = 'pin a release tag (…:1.4.2) or a digest (…@sha256:…); versions come from overlays/<env>/versions.yaml';
      const what = unpinned === 'no tag' ? 'has no tag' : "uses the tag 'latest'";
      return [finding(m, 'image-tag-pinned', [...c.path, 'image'], `${describe(m.object)}: container '${c.name}' image '${image}' ${what}`, hint)];
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
function podResources(m: Manifest): { name: string; resources: unknown; path: DataPath }[] {
  const o = m.object;
  // The Prometheus operator makes the pods of these from spec.resources (its own sidecars carry their defaults).
  if (kindOf(o) === 'Prometheus' || kindOf(o) === 'Alertmanager') return [{ name: kindOf(o).toLowerCase(), resources: get(o, ['spec', 'resources']), path: ['spec'] }];
  return containersOf(o).map((c) => ({ name: c.name, resources: c.container.resources, path: c.path }));
}

/**
 * A chart's pods in a highAvailability environment: every container requests CPU and memory and has a memory limit.
 * A pod without requests is BestEffort: the scheduler packs it anywhere and the kubelet evicts it first under
 * pressure, so a platform component (the secret operator, the certificate webhook, the log store) is the first to go.
 */
export const chartPodResources: Rule = {
  id: 'chart-pod-resources',
  title: 'add-on pods request CPU and memory and limit memory (highAvailability environments)',
  explanation:
    "In an environment with highAvailability: true, every container an add-on's chart renders (helm template with the cluster's values) requests CPU and memory and has a memory limit: a pod without requests is BestEffort, placed without regard to its node's capacity and evicted first.",
  check: (ctx) => {
    if (!ctx.cluster.highAvailability) return [];
    return ctx.manifests.flatMap((m) => {
      if (isHelmTest(m.object)) return [];
      return podResources(m).flatMap(({ name, resources, path }) => {
        const missing = missingResources(resources, ['requests.cpu', 'requests.memory', 'limits.memory']);
        if (missing.length === 0) return [];
        const bestEffort = missing.includes('requests.cpu') && missing.includes('requests.memory');
        return [
          finding(
            m,
            'chart-pod-resources',
            path,
            `${describe(m.object)}: container '${name}' has no ${missing.join(', ')}${bestEffort ? ' (a BestEffort pod)' : ''}`,
            "set its resources in the add-on's values",
          ),
        ];
      });
    });
  },
};

export const resourcesSet: Rule = {
  id: 'resources',
  title: 'requests and limits on every container',
  explanation: 'Requests let the scheduler place pods and the HPA compute utilisation; limits stop one container from starving its node.',
  check: (ctx) =>
    forEachContainer(ctx, (m, c) => {
      const missing = missingResources(c.container.resources, ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);
      if (missing.length === 0) return [];
      return [
        finding(
          m,
          'resources',
          [...c.path, 'resources'],
          `${describe(m.object)}: container '${c.name}' has no resources.${missing.join(', resources.')}`,
          'set them in apps/<app>.yaml (resources) or base/defaults.yaml',
        ),
      ];
    }),
};

export const probesSet: Rule = {
  id: 'probes',
  title: 'readiness and liveness probes',
  explanation:
    'A readiness probe keeps traffic off pods that cannot serve yet; a liveness probe restarts pods that hang. Jobs and init containers are exempt: they run to completion.',
  check: (ctx) =>
    forEachContainer(ctx, (m, c) => {
      if (c.init || !(servingKinds as readonly string[]).includes(kindOf(m.object))) return [];
      const missing = ['readinessProbe', 'livenessProbe'].filter((p) => !isObj(c.container[p]));
      if (missing.length === 0) return [];
      return [finding(m, 'probes', c.path, `${describe(m.object)}: container '${c.name}' has no ${missing.join(' and no ')}`)];
    }),
};

export const podSecurityRestricted: Rule = {
  id: 'pod-security',
  title: 'restricted pod security',
  explanation:
    'Pods meet the Kubernetes "restricted" Pod Security Standard: run as non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp, no host namespaces; ' +
    `and a read-only root filesystem unless the workload says why not in the annotation ${writableRootAnnotation}.`,
  check: (ctx) =>
    ctx.manifests.flatMap((m) => {
      const podPath = podSpecPath(m.object);
      if (!podPath) return [];
      const out: Finding[] = [];
      const pod = get(m.object, podPath);
      const podCtx = isObj(pod) && isObj(pod.securityContext) ? pod.securityContext : {};
      const who = describe(m.object);
      const add = (path: DataPath, message: string, hint?: string) => out.push(finding(m, 'pod-security', path, `${who}: ${message}`, hint));
      for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
        if (isObj(pod) && pod[field] === true) add([...podPath, field], `${field} is true; pods must not share the node's namespaces`);
      }
      const annotations = m.object.metadata?.annotations;
      const writableReason = isObj(annotations) ? annotations[writableRootAnnotation] : undefined;
      const mayWriteRoot = typeof writableReason === 'string' && writableReason.trim() !== '';
      for (const c of containersOf(m.object)) {
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
    }),
};

export const noSecretData: Rule = {
  id: 'no-secret-data',
  title: 'no Secret data in git',
  explanation: 'Secret values never live in this repository: they come from the external secret store through ExternalSecret objects.',
  check: (ctx) =>
    ofKind(ctx.manifests, 'Secret').flatMap((m) =>
      (['data', 'stringData'] as const)
        .filter((field) => isObj(m.object[field]) && Object.keys(m.object[field] as Obj).length > 0)
        .map((field) =>
          finding(m, 'no-secret-data', [field], `${describe(m.object)} carries ${field} in git`, 'declare an ExternalSecret that reads the value from the secret store instead'),
        ),
    ),
};

function needsHighAvailability(cluster: IndexCluster): boolean {
  return cluster.role === 'primary' && cluster.highAvailability;
}

const standbyNote = 'Standby clusters are exempt: a warm standby serves no traffic until failover, and failover scales it up.';

export const highAvailabilityReplicas: Rule = {
  id: 'ha-replicas',
  title: 'at least 3 replicas in high-availability environments',
  explanation: `Every Deployment in a primary cluster of an environment with highAvailability: true (overlays/<env>/environment.yaml) keeps at least ${minimumReplicas} pods (an HPA with minReplicas ≥ ${minimumReplicas}, or replicas ≥ ${minimumReplicas}), so losing a node or a zone does not take it down. ${standbyNote}`,
  check: (ctx) => {
    if (!needsHighAvailability(ctx.cluster)) return [];
    // Indexed once per cluster: a lookup per Deployment keeps the rule linear in the number of objects.
    const hpaOf = new Map<string, Manifest>();
    for (const h of ofKind(ctx.manifests, 'HorizontalPodAutoscaler')) {
      if (get(h.object, ['spec', 'scaleTargetRef', 'kind']) !== 'Deployment') continue;
      const key = `${namespaceOf(h.object) ?? ''}\u0000${String(get(h.object, ['spec', 'scaleTargetRef', 'name']))}`;
      if (!hpaOf.has(key)) hpaOf.set(key, h);
    }
    return ofKind(ctx.manifests, 'Deployment').flatMap((m) => {
      const hpa = hpaOf.get(`${namespaceOf(m.object) ?? ''}\u0000${nameOf(m.object)}`);
      if (hpa) {
        const min = get(hpa.object, ['spec', 'minReplicas']) ?? 1;
        if (typeof min === 'number' && min >= minimumReplicas) return [];
        return [
          finding(
            hpa,
            'ha-replicas',
            ['spec', 'minReplicas'],
            `${describe(hpa.object)} lets ${describe(m.object)} scale down to ${String(min)} replica(s); ${ctx.cluster.environment} needs at least ${minimumReplicas}`,
          ),
        ];
      }
      const replicas = get(m.object, ['spec', 'replicas']) ?? 1;
      if (typeof replicas === 'number' && replicas >= minimumReplicas) return [];
      return [
        finding(
          m,
          'ha-replicas',
          ['spec', 'replicas'],
          `${describe(m.object)} runs ${String(replicas)} replica(s) and has no HorizontalPodAutoscaler; ${ctx.cluster.environment} needs at least ${minimumReplicas}`,
        ),
      ];
    });
  },
};

export const podDisruptionBudget: Rule = {
  id: 'pdb',
  title: 'a PodDisruptionBudget per Deployment in high-availability environments',
  explanation: `Every Deployment in a primary cluster of an environment with highAvailability: true (overlays/<env>/environment.yaml) is selected by a PodDisruptionBudget, so node drains and upgrades keep enough pods running. ${standbyNote}`,
  check: (ctx) => {
    if (!needsHighAvailability(ctx.cluster)) return [];
    // Budgets indexed by namespace and their selector's first matchLabels entry, so a Deployment is compared with the
    // budgets that can select it, not with every budget of the namespace (1,000 apps: a million comparisons per
    // cluster). A budget without matchLabels (an empty selector, or expressions only) stays on its namespace's list.
    const byLabel = new Map<string, Manifest[]>();
    const add = (key: string, p: Manifest) => {
      const list = byLabel.get(key);
      if (list) list.push(p);
      else byLabel.set(key, [p]);
    };
    for (const p of ofKind(ctx.manifests, 'PodDisruptionBudget')) {
      const ns = namespaceOf(p.object) ?? '';
      const matchLabels = get(p.object, ['spec', 'selector', 'matchLabels']);
      const first = isObj(matchLabels) ? Object.entries(matchLabels)[0] : undefined;
      add(first ? `${ns}\u0000${first[0]}=${String(first[1])}` : ns, p);
    }
    return ofKind(ctx.manifests, 'Deployment').flatMap((m) => {
      const labels = podLabels(m.object);
      const ns = namespaceOf(m.object) ?? '';
      const candidates = [ns, ...Object.entries(labels).map(([k, v]) => `${ns}\u0000${k}=${v}`)].flatMap((key) => byLabel.get(key) ?? []);
      const covered = candidates.some((p) => selectorMatches(get(p.object, ['spec', 'selector']), labels));
      return covered ? [] : [finding(m, 'pdb', ['metadata', 'name'], `${describe(m.object)} has no PodDisruptionBudget selecting its pods in ${ctx.cluster.environment}`)];
    });
  },
};

function isDefaultDeny(m: Manifest): boolean {
  const spec = m.object.spec;
  if (!isObj(spec)) return false;
  const selector = spec.podSelector;
  const selectsAll = isObj(selector) && Object.values(selector).every((v) => v === null || (Array.isArray(v) ? v.length === 0 : isObj(v) && Object.keys(v).length === 0));
  const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
  const noRules = (r: unknown) => r === undefined || r === null || (Array.isArray(r) && r.length === 0);
  return selectsAll && types.includes('Ingress') && types.includes('Egress') && noRules(spec.ingress) && noRules(spec.egress);
}

export const defaultDenyNetworkPolicy: Rule = {
  id: 'default-deny',
  title: 'default-deny NetworkPolicy in the platform namespace',
  explanation:
    "The platform's namespace has a NetworkPolicy selecting every pod (podSelector {}) with policyTypes Ingress and Egress and no rules, so only traffic another policy allows flows.",
  check: (ctx) => {
    const ns = ctx.cluster.namespace;
    if (ofKind(ctx.manifests, 'NetworkPolicy', ns).some(isDefaultDeny)) return [];
    const namespace = ofKind(ctx.manifests, 'Namespace').find((m) => nameOf(m.object) === ns);
    const message = `namespace '${ns}' of cluster '${ctx.cluster.name}' has no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, Egress], no rules)`;
    return [namespace ? finding(namespace, 'default-deny', ['metadata', 'name'], message) : { file: repoPaths.clusterIndex, line: 1, rule: 'default-deny', message }];
  },
};

export const serviceSelectsWorkload: Rule = {
  id: 'service-selects-workload',
  title: 'every Service selects a workload',
  explanation: 'A Service whose selector matches no pod template in the same cluster and namespace has no endpoints: its callers fail. ExternalName Services are exempt.',
  check: (ctx) => {
    // Workloads indexed by namespace and pod label (key=value): a Service looks up the workloads carrying its
    // selector's first label instead of comparing itself with every workload of the cluster.
    const byLabel = new Map<string, Manifest[]>();
    for (const w of ctx.manifests) {
      if (!podSpecPath(w.object)) continue;
      for (const [k, v] of Object.entries(podLabels(w.object))) {
        const key = `${namespaceOf(w.object) ?? ''}\u0000${k}=${v}`;
        const list = byLabel.get(key);
        if (list) list.push(w);
        else byLabel.set(key, [w]);
      }
    }
    return ofKind(ctx.manifests, 'Service').flatMap((m) => {
      if (get(m.object, ['spec', 'type']) === 'ExternalName') return [];
      const selector = get(m.object, ['spec', 'selector']);
      if (!isObj(selector) || Object.keys(selector).length === 0)
        return [finding(m, 'service-selects-workload', ['spec'], `${describe(m.object)} has no selector, so it selects no workload`)];
      const ns = namespaceOf(m.object);
      const [firstKey, firstValue] = Object.entries(selector)[0]!;
      const candidates = byLabel.get(`${ns ?? ''}\u0000${firstKey}=${String(firstValue)}`) ?? [];
      if (candidates.some((w) => serviceSelectorMatches(selector, podLabels(w.object)))) return [];
      const wanted = Object.entries(selector)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',');
      return [
        finding(
          m,
          'service-selects-workload',
          ['spec', 'selector'],
          `${describe(m.object)} selects no workload in namespace '${ns ?? ''}' of cluster '${ctx.cluster.name}' (selector ${wanted})`,
        ),
      ];
    });
  },
};

export const deprecatedApi: Rule = {
  id: 'deprecated-api',
  title: 'no deprecated or removed API versions',
  explanation: 'Objects use API versions the pinned Kubernetes version serves and has not deprecated, so an upgrade does not break a sync.',
  check: (ctx) =>
    ctx.manifests.flatMap((m) => {
      const apiVersion = typeof m.object.apiVersion === 'string' ? m.object.apiVersion : '';
      const d = deprecationOf(apiVersion, kindOf(m.object), ctx.kubernetesVersion);
      if (!d) return [];
      const state =
        d.removedIn && minorAtMost(d.removedIn, ctx.kubernetesVersion)
          ? `was removed in Kubernetes ${d.removedIn}`
          : `is deprecated since Kubernetes ${d.deprecatedIn}${d.removedIn ? ` and removed in ${d.removedIn}` : ''}`;
      return [finding(m, 'deprecated-api', ['apiVersion'], `${describe(m.object)}: ${apiVersion} ${state} (clusters run ${ctx.kubernetesVersion})`, `use ${d.replacement}`)];
    }),
};

export const recommendedLabelsSet: Rule = {
  id: 'recommended-labels',
  title: 'recommended app.kubernetes.io labels',
  explanation: `Every rendered object carries ${recommendedLabels.join(', ')}, so dashboards, cost reports and kubectl selectors can tell what it belongs to and who manages it.`,
  check: (ctx) =>
    ctx.manifests.flatMap((m) => {
      const labels = m.object.metadata?.labels;
      const missing = recommendedLabels.filter((l) => !isObj(labels) || typeof labels[l] !== 'string' || labels[l] === '');
      if (missing.length === 0) return [];
      return [
        finding(
          m,
          'recommended-labels',
          isObj(labels) ? ['metadata', 'labels'] : ['metadata'],
          `${describe(m.object)} has no label${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
          'the renderer adds them in normalize.ts; a hand-written template must not drop metadata.labels',
        ),
      ];
    }),
};

/** The render refuses the same (kube-rules.ts duplicateEnvNames); this catches what came under clusters/ otherwise. */
const envNamesUnique: Rule = {
  id: 'env-unique',
  title: 'no env name twice in a container',
  explanation: 'Kubernetes keeps the later of two env entries with one name, silently; a plain value could replace a secret-backed one.',
  check: (ctx) =>
    ctx.manifests.flatMap((m) =>
      containersOf(m.object).flatMap((c) =>
        duplicateEnvNames(c.container).map((name) => ({
          file: m.file,
          line: m.lineOf([...c.path, 'env']),
          rule: 'env-unique',
          message: `${describe(m.object)}: container '${c.name}' lists env '${name}' more than once`,
          hint: 'keep one entry per name (in rendered output: remove it from the env: settings; see the render error)',
        })),
      ),
    ),
};

/** Every policy rule `npm run validate` runs, in report order. */
export const rules: readonly Rule[] = [
  imageTagPinned,
  resourcesSet,
  probesSet,
  podSecurityRestricted,
  noSecretData,
  highAvailabilityReplicas,
  podDisruptionBudget,
  defaultDenyNetworkPolicy,
  serviceSelectsWorkload,
  deprecatedApi,
  recommendedLabelsSet,
  envNamesUnique,
];

/** Runs every rule over one cluster. */
export function checkPolicies(ctx: RuleContext, ruleList: readonly Rule[] = rules): Finding[] {
  return ruleList.flatMap((r) => r.check(ctx));
}
