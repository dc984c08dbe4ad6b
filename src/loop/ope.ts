/**
 * Off-policy evaluation: a policy's discounted value estimated from a dataset alone (DualDICE's
 * occupancy correction, fitted Q evaluation, and the Lagrangian estimate that combines them),
 * and the Monte-Carlo value it is checked against.
 * `rxrl ope` is the command-line face of both.
 * @module
 */

import { DualDiceEstimator, type DualDiceOptions, type DualDiceProgress } from '../agents/offline/dual-dice-estimator.js';
import { FittedQEvaluator, type FittedQOptions, type FittedQProgress } from '../agents/offline/fitted-q-evaluator.js';
import { augmentedMass, lagrangianValueEstimate, normalizedValueEstimate } from '../algorithms/dual-dice.js';
import { ConfigError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { isPromiseLike } from '../core/maybe-promise.js';
import type { OfflineDataset } from '../data/dataset.js';
import { episodeBootstrap, sumPerEpisode } from '../data/episode-bootstrap.js';
import { splitEpisodes, type Episodes } from '../data/episodes.js';
import '../envs/index.js';
import { make } from '../envs/registry.js';
import type { VectorResetResult, VectorStepResult } from '../envs/vector/vector-env.js';
import type { PolicyActor } from './agent.js';
import type { RawObservationPolicy } from './evaluate-run.js';
import { meanStd } from './evaluate.js';

/** Options of {@link estimatePolicyValue}. */
export interface PolicyValueOptions extends DualDiceOptions {
  /** Gradient steps of the DualDICE saddle point and of fitted Q evaluation (default 20 000 each). */
  readonly steps?: number;
  /** Options of the fitted Q evaluation (by default γ, the batch size and the seed are DualDICE's). */
  readonly fittedQ?: FittedQOptions;
  /** Episode-bootstrap resamples of the intervals (default 2000). */
  readonly resamples?: number;
  readonly onProgress?: (p: DualDiceProgress) => void;
  readonly onFittedQProgress?: (p: FittedQProgress) => void;
}

/** An estimate with its 95% episode-bootstrap interval (the networks held fixed). */
export interface IntervalEstimate {
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

/** The estimates of {@link estimatePolicyValue}: the Lagrangian one and its two halves. */
export interface PolicyValueEstimates {
  /** The Lagrangian (doubly robust) estimate: fitted Q's value corrected by the DualDICE-weighted Bellman residuals of Q. */
  readonly lagrangian: IntervalEstimate;
  /** DualDICE's weights alone: E_d̃[ζ·r] / E_d̃[ζ] / (1 − γ). */
  readonly dualDice: IntervalEstimate;
  /** Fitted Q evaluation alone: E_{s₀, a₀∼π}[Q(s₀, a₀)]. */
  readonly fittedQ: IntervalEstimate;
  /** E_d̃[ζ] (the augmented occupancy's mass: 1 when ζ is right). */
  readonly meanWeight: number;
  readonly gamma: number;
}

/** Draws of the target's first action averaged per episode start (the primal term's Monte-Carlo noise). */
const START_ACTION_DRAWS = 8;

/**
 * A policy's discounted value from `dataset` alone: DualDICE learns the occupancy correction ζ,
 * fitted Q evaluation the action value Q, and the Lagrangian estimate (`lagrangianValueEstimate`)
 * combines them, exact when either is. All three come with episode-bootstrap intervals.
 */
export function estimatePolicyValue(dataset: OfflineDataset, policy: Pick<RawObservationPolicy, 'actor' | 'actionSpace' | 'observationSize'>, options: PolicyValueOptions = {}): PolicyValueEstimates {
  if (dataset.observationDim !== policy.observationSize) {
    throw new ConfigError(`the dataset's observations have ${dataset.observationDim} entries, the policy's env ${policy.observationSize}: evaluate a policy of the env the data comes from`);
  }
  const steps = options.steps ?? 20_000;
  const dice = new DualDiceEstimator(dataset, policy.actor, policy.actionSpace, options);
  dice.train(steps, options.onProgress);
  const fqe = new FittedQEvaluator(dataset, policy.actor, policy.actionSpace, {
    ...(options.gamma !== undefined ? { gamma: options.gamma } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...options.fittedQ,
  });
  fqe.train(steps, options.onFittedQProgress);

  const gamma = dice.gamma;
  const episodes = splitEpisodes(dataset);
  const zeta = dice.weights();
  const zetaAbs = dice.absorbingWeight();
  const p = dice.absorbingShare;
  const residuals = fqe.residuals();
  const zetaReward = zeta.map((z, i) => z * (dataset.rewards[i] as number));
  const zetaResidual = zeta.map((z, i) => z * (residuals[i] as number));
  const startValues = initialStateValues(dataset, episodes, fqe);
  const columns = [sumPerEpisode(zetaReward, episodes), sumPerEpisode(zeta, episodes), sumPerEpisode(zetaResidual, episodes), startValues];
  // [Lagrangian, DualDICE, fitted Q] of summed columns.
  const statistics = (sums: Float64Array, rows: number, count: number, out: Float64Array) => {
    const [zr, z, zd, start] = [sums[0] as number, sums[1] as number, sums[2] as number, sums[3] as number];
    out[0] = lagrangianValueEstimate(start / count, zd / rows, z / rows, zetaAbs, p, gamma);
    out[1] = normalizedValueEstimate(zr / rows, z / rows, zetaAbs, p, gamma);
    out[2] = start / count;
  };
  const point = new Float64Array(3);
  statistics(Float64Array.from(columns, (c) => c.reduce((a, b) => a + b, 0)), dataset.size, episodes.count, point);
  const ci = episodeBootstrap({ episodes, columns }, statistics, 3, options.resamples ?? 2000, 'ope/bootstrap');
  const interval = (k: number): IntervalEstimate => ({ value: point[k] as number, low: ci.low[k] as number, high: ci.high[k] as number });
  const zetaTotal = (columns[1] as Float64Array).reduce((a, b) => a + b, 0);
  return { lagrangian: interval(0), dualDice: interval(1), fittedQ: interval(2), meanWeight: augmentedMass(zetaTotal / dataset.size, zetaAbs, p), gamma };
}

/** Q(s₀, a₀) at each episode's first row, averaged over draws of a₀ ∼ π(s₀). */
function initialStateValues(dataset: OfflineDataset, episodes: Episodes, fqe: FittedQEvaluator): Float64Array {
  const d = dataset.observationDim;
  const n = episodes.count;
  const obs = new Float32Array(n * START_ACTION_DRAWS * d);
  for (let k = 0; k < n; k++) {
    const row = episodes.starts[k] as number;
    for (let j = 0; j < START_ACTION_DRAWS; j++) obs.set(dataset.observations.subarray(row * d, (row + 1) * d), (k * START_ACTION_DRAWS + j) * d);
  }
  const values = new Float64Array(n * START_ACTION_DRAWS);
  fqe.policyValues(obs, n * START_ACTION_DRAWS, values);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let j = 0; j < START_ACTION_DRAWS; j++) s += values[k * START_ACTION_DRAWS + j] as number;
    out[k] = s / START_ACTION_DRAWS;
  }
  return out;
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
 * `envId`, over `episodes` episodes from seeded resets, each run to termination or `horizon`;
 * the actor samples its actions from a stream of `seed`.
 */
export async function monteCarloValue(envId: string, actor: PolicyActor, o: MonteCarloOptions): Promise<{ mean: number; std: number; values: number[] }> {
  const horizon = o.horizon ?? discountHorizon(o.gamma);
  const env = make(envId, { numEnvs: 1, maxEpisodeSteps: horizon });
  // The policy's samples come from a stream of the rollouts' own seed.
  const sampler = new Rng(`monte-carlo/${o.seed}`);
  try {
    const values: number[] = [];
    for (let k = 0; k < o.episodes; k++) {
      const reset = env.reset({ seed: o.seed + k });
      const first: VectorResetResult = isPromiseLike(reset) ? await reset : reset;
      const obs = Float32Array.from(first.observations);
      let value = 0;
      let discount = 1;
      for (;;) {
        const step = env.step(actor.act(obs, 1, o.deterministic ?? false, sampler).actions);
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
