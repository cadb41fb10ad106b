/**
 * The promotion chain as release, rollback, the gate and the version matrix read it. One function on purpose: when
 * the chain becomes data (environment.yaml `promotesFrom`, one typed reader), only this file changes.
 */
import { promotionChain } from '../paths.js';
import type { ChainEnv } from './plan.js';

/** The environments of the promotion chain, in order: versions enter at the first and move one step at a time. */
export function chain(): readonly ChainEnv[] {
  return promotionChain;
}
