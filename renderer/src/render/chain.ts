/**
 * The promotion chain: the environments versions move through, in order, from each environment's `promotesFrom`.
 * Part of the merge stage (merge.ts); every problem names the environment file and line.
 */
import { allowedHint, type Problem } from '../errors.js';
import type { LoadedEnvironment } from './load.js';

/**
 * The promotion chain from each environment's `promotesFrom`: one line from the one environment that names none
 * (where releases enter) to the end, every environment not marked `promotion: none` on it exactly once.
 */
export function resolvePromotionChain(environments: LoadedEnvironment[], problems: Problem[]): string[] {
  const before = problems.length;
  const envs = [...environments].sort((a, b) => (a.name < b.name ? -1 : 1));
  const members = envs.filter((e) => e.spec.value.promotion !== 'none');
  const memberNames = members.map((e) => e.name);
  const at = (env: LoadedEnvironment, key: string) => ({ file: env.spec.file, ...env.spec.locate([key], true) });
  const fix = 'each environment in the chain names the one before it (promotesFrom: <env>), the first names none; `promotion: none` keeps one outside the chain';
  for (const env of envs.filter((e) => e.spec.value.promotion === 'none' && e.spec.value.promotesFrom !== undefined)) {
    problems.push({
      ...at(env, 'promotesFrom'),
      message: `environment '${env.name}' is outside the promotion chain (promotion: none) but promotes from '${env.spec.value.promotesFrom}'`,
      hint: 'remove one of the two',
    });
  }
  const next = new Map<string, LoadedEnvironment>();
  for (const env of members) {
    const from = env.spec.value.promotesFrom;
    if (from === undefined) continue;
    if (from === env.name) {
      problems.push({ ...at(env, 'promotesFrom'), message: `environment '${env.name}' promotes from itself`, hint: fix });
    } else if (!memberNames.includes(from)) {
      const outside = envs.some((e) => e.name === from);
      problems.push({
        ...at(env, 'promotesFrom'),
        message: outside
          ? `environment '${env.name}' promotes from '${from}', which is outside the promotion chain (promotion: none)`
          : `environment '${env.name}' promotes from '${from}', which is not an environment`,
        hint: allowedHint(
          from,
          memberNames.filter((n) => n !== env.name),
        ),
      });
    } else if (next.has(from)) {
      const other = next.get(from)!;
      problems.push({
        ...at(env, 'promotesFrom'),
        message: `environments '${other.name}' and '${env.name}' both promote from '${from}'; the promotion chain is one line`,
        hint: `make one of them promote from the other (${other.spec.file}:${at(other, 'promotesFrom').line})`,
      });
    } else next.set(from, env);
  }
  if (problems.length > before) return [];
  const firsts = members.filter((e) => e.spec.value.promotesFrom === undefined);
  if (firsts.length > 1) {
    for (const env of firsts.slice(1)) {
      problems.push({
        ...at(env, 'name'),
        message: `environments ${firsts.map((e) => `'${e.name}'`).join(' and ')} both start the promotion chain (neither names promotesFrom)`,
        hint: fix,
      });
    }
    return [];
  }
  const chain: string[] = [];
  for (let env = firsts[0]; env; env = next.get(env.name)) chain.push(env.name);
  const left = members.filter((e) => !chain.includes(e.name));
  if (left.length > 0) {
    // Every environment off the line has one predecessor and no two share one, so they form rings.
    const cycle: string[] = [left[0]!.name];
    for (let from = left[0]!.spec.value.promotesFrom!; !cycle.includes(from); from = envs.find((e) => e.name === from)!.spec.value.promotesFrom!) cycle.push(from);
    const env = left[0]!;
    problems.push({ ...at(env, 'promotesFrom'), message: `promotion cycle: ${[...cycle, cycle[0]].join(' ← ')}`, hint: fix });
    return [];
  }
  return chain;
}
