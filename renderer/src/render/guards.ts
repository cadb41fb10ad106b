/**
 * Merge-stage guard rails on one app in one cluster, reported at the input line that causes them: names Kubernetes
 * would refuse, requests above limits, a disruption budget that lets a drain take every pod, and plain env values
 * that would redefine a variable the renderer sets from a Secret or the call graph. Also the bookkeeping of
 * base/exceptions.yaml: an exception that matches nothing is stale and must go.
 */
import type { Problem, SourceLocation } from '../errors.js';
import type { DataPath, Source } from '../source.js';
import type { AppSpec, Exceptions, Settings } from '../model.js';
import type { MergedSettings } from './merge.js';
import { dns1035LabelError, labelValueError, requestsAboveLimits } from './kube-rules.js';
import { derivedEnvNames } from './plan.js';
import { detectSecret } from './secrets.js';

/** Names derived from an app's name that Kubernetes would refuse, reported once per app at its `name` line. */
export function checkAppNames(app: Source<AppSpec>, envs: string[]): Problem[] {
  const problems: Problem[] = [];
  const name = app.value.name;
  const at = () => ({ file: app.file, ...app.locate(['name']) });
  const serviceError = dns1035LabelError(name);
  if (serviceError)
    problems.push({
      ...at(),
      message: `app name '${name}' cannot name its Service: it ${serviceError}`,
      hint: 'a Service name is a DNS-1035 label; start the app name with a letter',
    });
  for (const env of envs) {
    // The longest label value derived from the name: app.kubernetes.io/instance = <app>-<environment>.
    const instance = `${name}-${env}`;
    const labelError = labelValueError(instance);
    if (labelError)
      problems.push({
        ...at(),
        message: `the label app.kubernetes.io/instance '${instance}' derived from app '${name}' in '${env}' ${labelError}`,
        hint: `shorten the app name to at most ${62 - env.length} characters`,
      });
  }
  return problems;
}

/** Guard rails on one app's merged settings in one cluster, at the line that set the offending value. */
export function checkAppGuards(app: Source<AppSpec>, cluster: string, settings: MergedSettings, settingAt: (path: DataPath) => SourceLocation): Problem[] {
  const problems: Problem[] = [];
  const what = `app '${app.value.name}' in cluster '${cluster}'`;
  problems.push(...requestsAboveLimits(settings.resources as Settings['resources'] & object, (path) => settingAt(path), what));
  const budget = settings.disruptionBudget;
  if (budget.enabled) {
    const autoscaled = settings.autoscaling.enabled;
    const minimum = autoscaled ? settings.autoscaling.minReplicas : settings.replicas;
    if (minimum - budget.maxUnavailable < 1) {
      const minAt = settingAt(autoscaled ? ['autoscaling', 'minReplicas'] : ['replicas']);
      problems.push({
        ...minAt,
        message: `the disruption budget of ${what} allows ${budget.maxUnavailable} unavailable pod${budget.maxUnavailable === 1 ? '' : 's'} while it may run only ${minimum}: a node drain can take the whole service down`,
        hint: budgetHint(settings, minimum),
      });
    }
  }
  const derived = derivedEnvNames(app.value);
  for (const key of Object.keys(settings.env ?? {}).sort()) {
    const source = derived.get(key);
    if (source) {
      problems.push({
        ...settingAt(['env', key]),
        message: `env '${key}' of ${what} would redefine a variable ${source}`,
        hint: 'remove it from env: (Kubernetes silently keeps the later of two equal names, so a plain value could replace a secret or a service address)',
      });
    }
  }
  return problems;
}

/**
 * Ways out of a budget that can take every pod, each checked to be one: a minimum raised above maxReplicas would
 * only trade this refusal for "min above max", and a budget of 0 is no budget.
 */
function budgetHint(settings: MergedSettings, minimum: number): string {
  const needed = settings.disruptionBudget.maxUnavailable + 1;
  const max = settings.autoscaling.maxReplicas;
  const raise = !settings.autoscaling.enabled
    ? `raise replicas to at least ${needed}`
    : needed > max
      ? `raise autoscaling.minReplicas and autoscaling.maxReplicas (now ${max}) to at least ${needed}`
      : `raise autoscaling.minReplicas to at least ${needed}`;
  const lower = minimum >= 2 ? `, lower disruptionBudget.maxUnavailable to ${minimum - 1}` : '';
  return `${raise}${lower}, or turn disruptionBudget off where one pod is enough`;
}

/** Secret exceptions that name no flagged value (a typo, or the value was removed) are refused as stale. */
export function checkSecretExceptions(exceptions: Source<Exceptions>, inputs: Source<unknown>[]): Problem[] {
  const problems: Problem[] = [];
  (exceptions.value.secrets ?? []).forEach((entry, i) => {
    const input = inputs.find((s) => s.file === entry.file);
    const value = input ? valueAt(input.value, entry.path.split('.')) : undefined;
    const key = entry.path.split('.').at(-1) ?? '';
    if (typeof value !== 'string' || detectSecret(key, value) === undefined) {
      problems.push({
        file: exceptions.file,
        ...exceptions.locate(['secrets', i]),
        message: `secret exception for '${entry.path}' in ${entry.file} matches no value the scanner flags`,
        hint: 'remove the stale entry; exceptions name exactly one flagged value each',
      });
    }
  });
  return problems;
}

function valueAt(value: unknown, path: string[]): unknown {
  let v = value;
  for (const s of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[s] : undefined;
  return v;
}
