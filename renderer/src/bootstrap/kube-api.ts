/**
 * The one module that talks to a Kubernetes API server, through @kubernetes/client-node: load a kube config, read a
 * namespace and a CustomResourceDefinition, and server-side apply one object. Everything else in bootstrap is pure.
 *
 * Why CustomObjectsApi and not KubernetesObjectApi.patch: the latter first fetches the API group's discovery
 * document on every call and returns only the body, so it cannot tell a 201 Created from a 200 OK; the typed
 * CustomObjectsApi call returns the status, and a header middleware (setHeaderOptions) turns its JSON patch into
 * an apply patch. The body stays JSON, which is YAML, so `application/apply-patch+yaml` accepts it.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ApiextensionsV1Api,
  ApiException,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { BootstrapError } from './error.js';
import type { KubeConfigView } from './target.js';

/** The field manager that owns what bootstrap applies (visible in `metadata.managedFields`). */
export const fieldManager = 'berrys-bootstrap';

export interface LoadedKubeConfig {
  kc: KubeConfig;
  view: KubeConfigView;
}

/**
 * Reads `file`, or the default kube config the way kubectl finds it: the files of $KUBECONFIG (merged, the first
 * file's current context wins, missing files skipped), else ~/.kube/config. Only local files are read; nothing is
 * contacted. Why not KubeConfig.loadFromDefault: it reads process.env only (untestable), lets a later $KUBECONFIG file
 * override the current context, and falls back to a made-up `http://localhost:8080` cluster instead of saying that
 * no kube config was found.
 */
export function loadKubeConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedKubeConfig {
  const kc = new KubeConfig();
  let source: string;
  let files: string[];
  if (file !== undefined) {
    source = file;
    files = [file];
  } else if (env.KUBECONFIG) {
    source = `$KUBECONFIG=${env.KUBECONFIG}`;
    files = env.KUBECONFIG.split(path.delimiter).filter((f) => f && existsSync(f));
  } else {
    source = path.join(env.HOME || os.homedir(), '.kube', 'config');
    files = existsSync(source) ? [source] : [];
  }
  if (files.length === 0) {
    throw new BootstrapError(
      `no kube config found: ${file === undefined && env.KUBECONFIG ? `none of the files in ${source} exists` : `$KUBECONFIG is not set and ${source} does not exist`}`,
      'pass --kubeconfig <file>, or set KUBECONFIG, pointing at a kube config with a context for the cluster',
    );
  }
  for (const [i, f] of files.entries()) {
    try {
      if (i === 0) {
        kc.loadFromFile(f);
      } else {
        const more = new KubeConfig();
        more.loadFromFile(f);
        kc.mergeConfig(more, Boolean(kc.getCurrentContext()));
      }
    } catch (err) {
      throw new BootstrapError(`cannot read the kube config ${f}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return {
    kc,
    view: {
      source,
      currentContext: kc.getCurrentContext() ?? '',
      contexts: kc.getContexts().map((c) => ({ name: c.name, cluster: c.cluster })),
      clusters: kc.getClusters().map((c) => ({ name: c.name, server: c.server })),
    },
  };
}

/** An object to apply: what the API path needs, and the body. */
interface ApplyObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
}

export interface KubeApi {
  readonly server: string;
  namespaceExists(name: string): Promise<boolean>;
  /** The versions a CRD serves, or undefined when the CRD is not installed. */
  crdServedVersions(name: string): Promise<string[] | undefined>;
  /** A DaemonSet or a ConfigMap as the API server has it, or undefined when there is none. */
  daemonSet(namespace: string, name: string): Promise<unknown>;
  configMap(namespace: string, name: string): Promise<unknown>;
  /** Server-side apply into the object's namespace; says whether the object was created or already existed. */
  apply(object: ApplyObject, plural: string): Promise<'created' | 'configured'>;
  /**
   * Server-side apply of an object of any kind the API server serves (Argo CD's chart): the resource is found through
   * the API's discovery, which KubernetesObjectApi reads and keeps.
   */
  applyAny(object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): Promise<void>;
}

/** Clients for `context` of a loaded kube config (the caller has already checked that it is the right cluster). */
export function kubeApi(kc: KubeConfig, context: string): KubeApi {
  kc.setCurrentContext(context);
  const server = kc.getCurrentCluster()!.server;
  const core = kc.makeApiClient(CoreV1Api);
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const apps = kc.makeApiClient(AppsV1Api);
  const orUndefined = (err: unknown): Promise<never> | undefined => (isNotFound(err) ? undefined : Promise.reject(err));
  const objects = KubernetesObjectApi.makeApiClient(kc);

  async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw explain(server, context, what, err);
    }
  }

  return {
    server,
    namespaceExists: (name) =>
      call(`GET namespace ${name}`, () =>
        core.readNamespace({ name }).then(
          () => true,
          (err) => (isNotFound(err) ? false : Promise.reject(err)),
        ),
      ),
    crdServedVersions: (name) =>
      call(`GET customresourcedefinition ${name}`, () =>
        extensions.readCustomResourceDefinition({ name }).then(
          (crd) => crd.spec.versions.filter((v) => v.served).map((v) => v.name),
          (err) => (isNotFound(err) ? undefined : Promise.reject(err)),
        ),
      ),
    daemonSet: (namespace, name) => call(`GET daemonset ${namespace}/${name}`, () => apps.readNamespacedDaemonSet({ namespace, name }).then((o) => o as unknown, orUndefined)),
    configMap: (namespace, name) => call(`GET configmap ${namespace}/${name}`, () => core.readNamespacedConfigMap({ namespace, name }).then((o) => o as unknown, orUndefined)),
    apply: (object, plural) => {
      const [group, version] = object.apiVersion.split('/') as [string, string];
      const { name, namespace } = object.metadata;
      return call(`server-side apply of ${object.kind} ${namespace}/${name}`, async () => {
        const response = await custom.patchNamespacedCustomObjectWithHttpInfo(
          { group, version, namespace, plural, name, body: object, fieldManager, force: true },
          setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
        );
        // The API server answers an apply patch with 201 when it created the object and 200 when it existed.
        return response.httpStatusCode === 201 ? 'created' : 'configured';
      });
    },
    applyAny: (object) => {
      const where = object.metadata.namespace ? `${object.metadata.namespace}/` : '';
      return call(`server-side apply of ${object.kind} ${where}${object.metadata.name}`, async () => {
        await objects.patch(object, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
      });
    },
  };
}

function isNotFound(err: unknown): boolean {
  return err instanceof ApiException && err.code === 404;
}

/** Turns a failed call into a message that says which server, which context and what to check. */
function explain(server: string, context: string, what: string, err: unknown): BootstrapError {
  if (err instanceof ApiException) {
    const said = statusMessage(err.body);
    const detail = said ? ` (the API server said: ${said})` : '';
    const hint =
      err.code === 401
        ? `the credentials of kube context '${context}' were refused; log in again (for EKS: aws eks update-kubeconfig) and retry`
        : err.code === 403
          ? `the user of kube context '${context}' may not do this; bootstrap needs get on namespaces and customresourcedefinitions (and, where the environment declares networkPolicyEnforcement: vpc-cni, on daemonset aws-node and configmap amazon-vpc-cni in kube-system), and patch on applications and appprojects in the argocd namespace (cluster-admin has all of them)`
          : undefined;
    return new BootstrapError(`${what} failed at ${server}: ${err.code}${detail}`, hint);
  }
  const e = err as Error & { code?: string };
  return new BootstrapError(
    `could not reach the Kubernetes API at ${server} (kube context '${context}') for ${what}: ${e.code ?? e.message}`,
    'check that the cluster is up and reachable from here (VPN, private endpoint, proxy)',
  );
}

/**
 * The `message` of the Kubernetes Status an error carries. The generated client hands some error bodies over parsed
 * and others (those of calls typed `any`, like the custom object patch) as the raw JSON text.
 */
function statusMessage(body: unknown): string {
  if (typeof body === 'string') {
    try {
      return statusMessage(JSON.parse(body));
    } catch {
      return body.trim().slice(0, 200);
    }
  }
  const message = body && typeof body === 'object' ? (body as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : '';
}
