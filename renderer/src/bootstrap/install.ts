/**
 * Installing Argo CD the first time, from its rendered Application (the add-on that provides `gitops`): the chart it
 * names, checked against base/charts.lock.json, rendered by the pinned helm with the Application's own values, as
 * Argo CD itself will render it. What is applied then is what Argo CD, once running, finds already in place and
 * adopts: from then on it manages itself (README, Bootstrap). The chart edges are validate's (one puller, one helm).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoPaths } from '../paths.js';
import { checkDigest, chartLabel, parseChartsLock, type ChartRef } from '../validate/charts-lock.js';
import { cachedArchive, pullChart } from '../validate/charts-repo.js';
import { helmTemplate } from '../validate/charts-helm.js';
import { BootstrapError } from './error.js';
import { readManifestValues } from '../manifests.js';

/** Argo CD's own add-on Application, as rendered. */
export interface ArgocdInstall {
  application: string;
  chart: ChartRef;
  release: string;
  namespace: string;
  values: Record<string, unknown>;
}

/** One object of the rendered chart. */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** Kinds that do not live in a namespace among those Argo CD's chart renders. */
const clusterScoped = new Set(['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'Namespace']);

/**
 * The objects to apply, in order: the CustomResourceDefinitions first (everything after may be read by something
 * that needs them), then the rest as helm rendered them. Helm test hooks are left out: Argo CD never runs them.
 */
function installOrder(source: string, text: string, namespace: string): ManifestObject[] {
  const objects = readManifestValues(source, text)
    .map((o) => o as ManifestObject | null)
    .filter((o): o is ManifestObject => o !== null && typeof o === 'object' && typeof o.kind === 'string')
    .filter((o) => !/\btest\b/.test(o.metadata.annotations?.['helm.sh/hook'] ?? ''))
    .map((o) => (clusterScoped.has(o.kind) || o.metadata.namespace ? o : { ...o, metadata: { ...o.metadata, namespace } }));
  return [...objects.filter((o) => o.kind === 'CustomResourceDefinition'), ...objects.filter((o) => o.kind !== 'CustomResourceDefinition')];
}

/**
 * The chart archive (pulled into .cache/charts, or already there), refused unless base/charts.lock.json has its
 * digest, rendered with the pinned helm; the objects in apply order.
 */
export async function renderArgocdInstall(root: string, install: ArgocdInstall, kubernetesVersion: string, env?: NodeJS.ProcessEnv): Promise<ManifestObject[]> {
  const label = chartLabel(install.chart);
  const pull = await pullChart(root, install.chart);
  if (pull.status === 'unreachable') {
    throw new BootstrapError(
      `cannot install Argo CD from ${install.application}: ${pull.reason}`,
      `run bootstrap where ${install.chart.repoURL} is reachable, or put the reviewed archive of ${label} at ${cachedArchive(install.chart)}`,
    );
  }
  if (pull.status === 'error') throw new BootstrapError(pull.message, pull.hint);
  const lockText = await readFile(path.join(root, repoPaths.chartsLock), 'utf8').catch(() => undefined);
  const verdict = checkDigest(parseChartsLock(lockText), install.chart, pull.digest);
  if (!verdict.ok) throw new BootstrapError(`will not install Argo CD from ${label}: ${verdict.message}`, verdict.hint);
  const rendered = await helmTemplate(
    root,
    { release: install.release, namespace: install.namespace, archive: pull.file, values: install.values, kubernetesVersion, apiVersions: [] },
    env,
  );
  if (!rendered.ok) throw new BootstrapError(`helm template of ${label} with the values of ${install.application} failed: ${rendered.message}`);
  return installOrder(`helm template of ${label}`, rendered.stdout, install.namespace);
}
