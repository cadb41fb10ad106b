/**
 * The helm edge of the chart check: `helm template` and `helm show crds` with the pinned helm, run the way Argo CD
 * runs them for a Helm source (release name, namespace, values, --kube-version, --api-versions, CRDs included).
 * Building the arguments and reading helm's answer are pure.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoPaths } from '../paths.js';
import { cachePaths } from '../tools/layout.js';
import { ProgramNotFound, run } from '../process.js';

/** Raised when helm cannot run at all (missing binary); a chart helm refuses is a finding, not this. */
class HelmError extends Error {
  override readonly name = 'HelmError';
}

export interface TemplateInput {
  release: string;
  namespace: string;
  /** Repository-relative path of the chart archive. */
  archive: string;
  /** Repository-relative path of a values file (JSON, which is YAML). */
  valuesFile: string;
  kubernetesVersion: string;
  /** `group/version` and `group/version/Kind` of the custom resources the cluster serves. */
  apiVersions: readonly string[];
}

/**
 * The command line. --include-crds because Argo CD applies a chart's crds/ folder unless told to skip it;
 * --kube-version and --api-versions because charts branch on .Capabilities, and Argo CD passes the cluster's.
 */
function helmTemplateArgs(input: TemplateInput): string[] {
  return [
    'template',
    input.release,
    input.archive,
    '--namespace',
    input.namespace,
    '--values',
    input.valuesFile,
    '--kube-version',
    `v${input.kubernetesVersion}`,
    '--include-crds',
    ...[...input.apiVersions].sort().flatMap((v) => ['--api-versions', v]),
  ];
}

/** helm's own message without its "Error: " prefix and the stack of template names it repeats. */
export function helmMessage(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^(WARNING|walk\.go|coalesce\.go|Use --debug flag)/.test(l));
  return (lines.join('\n') || 'helm failed without a message').replace(/^Error: /, '');
}

/**
 * Helm's caches and configuration pointed at a folder of this checkout, so a chart check neither reads nor writes
 * the engineer's own helm set-up (repositories, registry logins).
 */
function helmEnv(root: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const home = path.join(root, cachePaths.toolsDir, 'helm-home');
  return { ...env, HELM_CACHE_HOME: path.join(home, 'cache'), HELM_CONFIG_HOME: path.join(home, 'config'), HELM_DATA_HOME: path.join(home, 'data') };
}

async function helm(root: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ ok: true; stdout: string } | { ok: false; message: string }> {
  const binary = path.join(root, cachePaths.tool('helm'));
  const result = await run(binary, args, { cwd: root, env: helmEnv(root, env) }).catch((err: Error) => {
    throw new HelmError(err instanceof ProgramNotFound ? `${cachePaths.tool('helm')} is missing; run npm run tools` : `could not run helm: ${err.message}`);
  });
  return result.code === 0 ? { ok: true, stdout: result.stdout } : { ok: false, message: helmMessage(result.stderr) };
}

/**
 * Renders one chart with `values`; `message` is helm's own when it refuses (a `required` value, a `fail`, a template
 * error). The values go to helm as a file named by their hash, so equal values are written once.
 */
export async function helmTemplate(root: string, input: Omit<TemplateInput, 'valuesFile'> & { values: unknown }, env: NodeJS.ProcessEnv = process.env) {
  const text = `${JSON.stringify(input.values, null, 2)}\n`;
  const valuesFile = `${repoPaths.chartsCache}/values/${createHash('sha256').update(text).digest('hex').slice(0, 16)}.json`;
  await mkdir(path.dirname(path.join(root, valuesFile)), { recursive: true });
  await writeFile(path.join(root, valuesFile), text);
  const result = await helm(root, helmTemplateArgs({ ...input, valuesFile }), env);
  // helm starts its output with `---`; parseManifestFile's fast path and its line lookup count that empty first
  // document differently (every line would point one document back), so it goes.
  return result.ok ? { ...result, stdout: result.stdout.replace(/^---\n/, '') } : result;
}

/** The chart's crds/ folders (its own and its dependencies'), which exist before any value is applied. */
export function helmShowCrds(root: string, archive: string, env: NodeJS.ProcessEnv = process.env) {
  return helm(root, ['show', 'crds', archive], env);
}
