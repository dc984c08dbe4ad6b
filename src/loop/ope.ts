/**
 * Off-policy evaluation: a policy's discounted value estimated from a dataset alone (DualDICE,
 * `agents/offline/dual-dice-estimator.ts`), and the Monte-Carlo value it is checked against.
 * `rxrl ope` is the command-line face of both.
 * @module
 */

import { DualDiceEstimator, type DualDiceOptions, type DualDiceProgress, type ValueEstimate } from '../agents/offline/dual-dice-estimator.js';
import { ConfigError } from '../core/errors.js';
import { isPromiseLike } from '../core/maybe-promise.js';
import type { OfflineDataset } from '../data/dataset.js';
import '../envs/index.js';
import { make } from '../envs/registry.js';
import type { VectorResetResult, VectorStepResult } from '../envs/vector/vector-env.js';
import type { PolicyActor } from './agent.js';
import type { RawObservationPolicy } from './evaluate-run.js';
import { meanStd } from './evaluate.js';

/** Options of {@link estimatePolicyValue}. */
export interface PolicyValueOptions extends DualDiceOptions {
  /** Gradient steps of the saddle point (default 20 000). */
  readonly steps?: number;
  readonly onProgress?: (p: DualDiceProgress) => void;
}

/** DualDICE's estimate of `policy`'s discounted value from `dataset`, with its bootstrap interval. */
export function estimatePolicyValue(dataset: OfflineDataset, policy: Pick<RawObservationPolicy, 'actor' | 'actionSpace' | 'observationSize'>, options: PolicyValueOptions = {}): ValueEstimate {
  if (dataset.observationDim !== policy.observationSize) {
    throw new ConfigError(`the dataset's observations have ${dataset.observationDim} entries, the policy's env ${policy.observationSize}: evaluate a policy of the env the data comes from`);
  }
  const estimator = new DualDiceEstimator(dataset, policy.actor, policy.actionSpace, options);
  estimator.train(options.steps ?? 20_000, options.onProgress);
  return estimator.estimate();
}

/** Steps after which the discount has fallen below `tail` (γ^H < tail): the horizon of an effectively infinite-horizon return. */
export function discountHorizon(gamma: number, tail = 1e-4): number {
  return Math.ceil(Math.log(tail) / Math.log(gamma));
}

/** Options of {@link monteCarloValue}. */
export interface MonteCarloOptions {
  readonly episodes: number;
  readonly gamma: number;
  readonly seed: number;
  /** Take the policy's mode instead of sampling (default false: the policy as it acts). */
  readonly deterministic?: boolean;
  /** Step cap replacing the env's time limit (default {@link discountHorizon}: the discounted value DICE estimates ignores time limits). */
  readonly horizon?: number;
}

/**
 * The Monte-Carlo discounted value E[Σ_t γ^t r_t] of `actor` (acting on raw observations) in
 * `envId`, over `episodes` episodes from seeded resets, each run to termination or `horizon`.
 */
export async function monteCarloValue(envId: string, actor: PolicyActor, o: MonteCarloOptions): Promise<{ mean: number; std: number; values: number[] }> {
  const horizon = o.horizon ?? discountHorizon(o.gamma);
  const env = make(envId, { numEnvs: 1, maxEpisodeSteps: horizon });
  try {
    const values: number[] = [];
    for (let k = 0; k < o.episodes; k++) {
      const reset = env.reset({ seed: o.seed + k });
      const first: VectorResetResult = isPromiseLike(reset) ? await reset : reset;
      const obs = Float32Array.from(first.observations);
      let value = 0;
      let discount = 1;
      for (;;) {
        const step = env.step(actor.act(obs, 1, o.deterministic ?? false).actions);
        const r: VectorStepResult = isPromiseLike(step) ? await step : step;
        value += discount * (r.rewards[0] as number);
        discount *= o.gamma;
        if (r.terminated[0] === 1 || r.truncated[0] === 1) break;
        obs.set(r.observations);
      }
      values.push(value);
    }
    return { ...meanStd(values), values };
  } finally {
    await env.close();
  }
}
