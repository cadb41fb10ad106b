/**
 * Rules that relate objects of one cluster: no resource twice; Argo CD Applications, their projects and the folders
 * they sync; and, in high-availability environments, replicas, disruption budgets, the default-deny policy and
 * Services that select a workload.
 */
import type { SourceLocation } from '../errors.js';
import { describe, get, isObj, kindOf, nameOf, namespaceOf, podSpecPath } from '../kube.js';
import { repoPaths } from '../paths.js';
import { projectPermits, type AppProjectSpec, type ApplicationSpec } from '../render/argocd-rules.js';
import { findingAt, type PolicyCluster, type PolicyFinding, type PolicyObject, type SpanningRule } from './rule.js';
import { ofKind, podLabels, selectorMatches, serviceSelectorMatches } from './workloads.js';

const minimumReplicas = 3;

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
}

export const uniqueResources: SpanningRule = {
  id: 'unique-resources',
  title: 'no resource twice in a cluster',
  explanation: 'Two objects of one group, kind, namespace and name would overwrite each other in the cluster, and Argo CD would report both folders out of sync forever.',
  atRender: true,
  scope: 'spanning',
  check: (ctx) => {
    const findings: PolicyFinding[] = [];
    const seen = new Map<string, PolicyObject>();
    for (const o of ctx.objects) {
      const ns = namespaceOf(o.object);
      const key = `${groupOf(String(o.object.apiVersion ?? ''))}/${kindOf(o.object)}/${ns ?? ''}/${nameOf(o.object)}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, o);
        continue;
      }
      findings.push(
        findingAt(
          o,
          'unique-resources',
          [],
          `duplicate resource ${kindOf(o.object)} ${ns ? `${ns}/` : ''}${nameOf(o.object)} in cluster '${ctx.cluster.name}' (from ${first.madeBy} and ${o.madeBy})`,
          'two inputs produce the same kind, namespace and name; rename one of them',
          'input',
        ),
      );
    }
    return findings;
  },
};

/** The cluster's Applications that sync a folder of this repository, by that folder. */
function applicationsByFolder(objects: readonly PolicyObject[]): Map<string, PolicyObject[]> {
  const byPath = new Map<string, PolicyObject[]>();
  for (const a of ofKind(objects, 'Application')) {
    const path = (a.object.spec as ApplicationSpec | undefined)?.source?.path;
    if (path !== undefined) byPath.set(path, [...(byPath.get(path) ?? []), a]);
  }
  return byPath;
}

export const applicationFolders: SpanningRule = {
  id: 'application-folders',
  title: 'every folder synced by exactly one Application, every Application syncing a rendered folder',
  explanation:
    'Argo CD syncs each folder of clusters/<cluster>/ through one Application: a folder nobody syncs never reaches the cluster, an Application on an empty folder syncs nothing (or prunes everything), two on one folder fight over its objects.',
  atRender: true,
  scope: 'spanning',
  check: (ctx) => {
    const findings: PolicyFinding[] = [];
    const folders = new Set(ctx.objects.map((o) => o.folder));
    const byPath = applicationsByFolder(ctx.objects);
    for (const a of ofKind(ctx.objects, 'Application')) {
      const path = (a.object.spec as ApplicationSpec).source.path;
      if (path !== undefined && !folders.has(path))
        findings.push(
          findingAt(
            a,
            'application-folders',
            ['spec', 'source', 'path'],
            `Application '${nameOf(a.object)}' syncs '${path}', which the render leaves empty`,
            'every Application must point at a rendered, non-empty folder',
            'application',
          ),
        );
    }
    for (const [path, apps] of byPath) {
      if (apps.length > 1)
        findings.push(
          findingAt(
            apps[1]!,
            'application-folders',
            ['spec', 'source', 'path'],
            `two Applications sync the same folder '${path}': ${apps.map((a) => nameOf(a.object)).join(', ')}`,
            'each rendered folder is synced by exactly one Application',
            'overlay',
          ),
        );
    }
    for (const folder of [...folders].sort()) {
      if (!byPath.has(folder))
        findings.push({
          file: folder,
          rule: 'application-folders',
          message: `folder '${folder}' is rendered but no Application syncs it`,
          hint: 'add the folder to the plan stage so an Application syncs it',
        });
    }
    return findings;
  },
};

export const applicationProjects: SpanningRule = {
  id: 'application-projects',
  title: 'every Application inside what its AppProject admits',
  explanation:
    "Argo CD refuses to sync an Application whose source repository or destination its AppProject does not admit (Argo CD's own glob and deny rules), so one environment's Applications cannot land in another's namespaces.",
  atRender: true,
  scope: 'spanning',
  check: (ctx) => {
    const projects = new Map(ofKind(ctx.objects, 'AppProject').map((p) => [nameOf(p.object), p.object.spec as AppProjectSpec]));
    return ofKind(ctx.objects, 'Application').flatMap((a) => {
      const spec = a.object.spec as ApplicationSpec;
      const project = projects.get(spec.project);
      const verdict = project ? projectPermits(project, spec) : `project '${spec.project}' is not rendered for cluster '${ctx.cluster.name}'`;
      if (verdict === true) return [];
      return [
        findingAt(
          a,
          'application-projects',
          ['spec', 'project'],
          `Application '${nameOf(a.object)}' is outside its project: ${verdict}`,
          `an app may only deploy to the namespaces of its environment's project '${spec.project}'; remove the namespace override or change the project`,
          'application',
        ),
      ];
    });
  },
};

function needsHighAvailability(cluster: PolicyCluster): boolean {
  return cluster.role === 'primary' && cluster.highAvailability;
}

const standbyNote = 'Standby clusters are exempt: a warm standby serves no traffic until failover, and failover scales it up.';

export const highAvailabilityReplicas: SpanningRule = {
  id: 'ha-replicas',
  title: 'at least 3 replicas in high-availability environments',
  explanation: `Every Deployment in a primary cluster of an environment with highAvailability: true (overlays/<env>/environment.yaml) keeps at least ${minimumReplicas} pods (an HPA with minReplicas ≥ ${minimumReplicas}, or replicas ≥ ${minimumReplicas}), so losing a node or a zone does not take it down. ${standbyNote}`,
  atRender: false,
  scope: 'spanning',
  check: (ctx) => {
    if (!needsHighAvailability(ctx.cluster)) return [];
    // Indexed once per cluster: a lookup per Deployment keeps the rule linear in the number of objects.
    const hpaOf = new Map<string, PolicyObject>();
    for (const h of ofKind(ctx.objects, 'HorizontalPodAutoscaler')) {
      if (get(h.object, ['spec', 'scaleTargetRef', 'kind']) !== 'Deployment') continue;
      const key = `${namespaceOf(h.object) ?? ''}\u0000${String(get(h.object, ['spec', 'scaleTargetRef', 'name']))}`;
      if (!hpaOf.has(key)) hpaOf.set(key, h);
    }
    return ofKind(ctx.objects, 'Deployment').flatMap((m) => {
      const hpa = hpaOf.get(`${namespaceOf(m.object) ?? ''}\u0000${nameOf(m.object)}`);
      if (hpa) {
        const min = get(hpa.object, ['spec', 'minReplicas']) ?? 1;
        if (typeof min === 'number' && min >= minimumReplicas) return [];
        return [
          findingAt(
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
        findingAt(
          m,
          'ha-replicas',
          ['spec', 'replicas'],
          `${describe(m.object)} runs ${String(replicas)} replica(s) and has no HorizontalPodAutoscaler; ${ctx.cluster.environment} needs at least ${minimumReplicas}`,
        ),
      ];
    });
  },
};

export const podDisruptionBudget: SpanningRule = {
  id: 'pdb',
  title: 'a PodDisruptionBudget per Deployment in high-availability environments',
  explanation: `Every Deployment in a primary cluster of an environment with highAvailability: true (overlays/<env>/environment.yaml) is selected by a PodDisruptionBudget, so node drains and upgrades keep enough pods running. ${standbyNote}`,
  atRender: false,
  scope: 'spanning',
  check: (ctx) => {
    if (!needsHighAvailability(ctx.cluster)) return [];
    // Budgets indexed by namespace and their selector's first matchLabels entry, so a Deployment is compared with the
    // budgets that can select it, not with every budget of the namespace (1,000 apps: a million comparisons per
    // cluster). A budget without matchLabels (an empty selector, or expressions only) stays on its namespace's list.
    const byLabel = new Map<string, PolicyObject[]>();
    const add = (key: string, p: PolicyObject) => {
      const list = byLabel.get(key);
      if (list) list.push(p);
      else byLabel.set(key, [p]);
    };
    for (const p of ofKind(ctx.objects, 'PodDisruptionBudget')) {
      const ns = namespaceOf(p.object) ?? '';
      const matchLabels = get(p.object, ['spec', 'selector', 'matchLabels']);
      const first = isObj(matchLabels) ? Object.entries(matchLabels)[0] : undefined;
      add(first ? `${ns}\u0000${first[0]}=${String(first[1])}` : ns, p);
    }
    return ofKind(ctx.objects, 'Deployment').flatMap((m) => {
      const labels = podLabels(m.object);
      const ns = namespaceOf(m.object) ?? '';
      const candidates = [ns, ...Object.entries(labels).map(([k, v]) => `${ns}\u0000${k}=${v}`)].flatMap((key) => byLabel.get(key) ?? []);
      const covered = candidates.some((p) => selectorMatches(get(p.object, ['spec', 'selector']), labels));
      return covered ? [] : [findingAt(m, 'pdb', ['metadata', 'name'], `${describe(m.object)} has no PodDisruptionBudget selecting its pods in ${ctx.cluster.environment}`)];
    });
  },
};

function isDefaultDeny(m: PolicyObject): boolean {
  const spec = m.object.spec;
  if (!isObj(spec)) return false;
  const selector = spec.podSelector;
  const selectsAll = isObj(selector) && Object.values(selector).every((v) => v === null || (Array.isArray(v) ? v.length === 0 : isObj(v) && Object.keys(v).length === 0));
  const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
  const noRules = (r: unknown) => r === undefined || r === null || (Array.isArray(r) && r.length === 0);
  return selectsAll && types.includes('Ingress') && types.includes('Egress') && noRules(spec.ingress) && noRules(spec.egress);
}

export const defaultDenyNetworkPolicy: SpanningRule = {
  id: 'default-deny',
  title: 'default-deny NetworkPolicy in the platform namespace',
  explanation:
    "The platform's namespace has a NetworkPolicy selecting every pod (podSelector {}) with policyTypes Ingress and Egress and no rules, so only traffic another policy allows flows.",
  atRender: false,
  scope: 'spanning',
  check: (ctx) => {
    const ns = ctx.cluster.namespace;
    if (ofKind(ctx.objects, 'NetworkPolicy', ns).some(isDefaultDeny)) return [];
    const namespace = ofKind(ctx.objects, 'Namespace').find((m) => nameOf(m.object) === ns);
    const message = `namespace '${ns}' of cluster '${ctx.cluster.name}' has no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, Egress], no rules)`;
    const indexFile: SourceLocation = { file: repoPaths.clusterIndex, line: 1 };
    return [namespace ? findingAt(namespace, 'default-deny', ['metadata', 'name'], message) : { ...indexFile, rule: 'default-deny', message }];
  },
};

export const serviceSelectsWorkload: SpanningRule = {
  id: 'service-selects-workload',
  title: 'every Service selects a workload',
  explanation: 'A Service whose selector matches no pod template in the same cluster and namespace has no endpoints: its callers fail. ExternalName Services are exempt.',
  atRender: false,
  scope: 'spanning',
  check: (ctx) => {
    // Workloads indexed by namespace and pod label (key=value): a Service looks up the workloads carrying its
    // selector's first label instead of comparing itself with every workload of the cluster.
    const byLabel = new Map<string, PolicyObject[]>();
    for (const w of ctx.objects) {
      if (!podSpecPath(w.object)) continue;
      for (const [k, v] of Object.entries(podLabels(w.object))) {
        const key = `${namespaceOf(w.object) ?? ''}\u0000${k}=${v}`;
        const list = byLabel.get(key);
        if (list) list.push(w);
        else byLabel.set(key, [w]);
      }
    }
    return ofKind(ctx.objects, 'Service').flatMap((m) => {
      if (get(m.object, ['spec', 'type']) === 'ExternalName') return [];
      const selector = get(m.object, ['spec', 'selector']);
      if (!isObj(selector) || Object.keys(selector).length === 0)
        return [findingAt(m, 'service-selects-workload', ['spec'], `${describe(m.object)} has no selector, so it selects no workload`)];
      const ns = namespaceOf(m.object);
      const [firstKey, firstValue] = Object.entries(selector)[0]!;
      const candidates = byLabel.get(`${ns ?? ''}\u0000${firstKey}=${String(firstValue)}`) ?? [];
      if (candidates.some((w) => serviceSelectorMatches(selector, podLabels(w.object)))) return [];
      const wanted = Object.entries(selector)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',');
      return [
        findingAt(
          m,
          'service-selects-workload',
          ['spec', 'selector'],
          `${describe(m.object)} selects no workload in namespace '${ns ?? ''}' of cluster '${ctx.cluster.name}' (selector ${wanted})`,
        ),
      ];
    });
  },
};
