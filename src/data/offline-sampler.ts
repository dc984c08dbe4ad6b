/**
 * Minibatches for offline learning: uniform samples of a dataset's transitions with rewards
 * scaled as the reference codes scale them and the bootstrap factor γ·(1 − terminal) ready.
 *
 * @module
 */

import { ConfigError } from '../core/errors.js';
import { Rng, type RngState } from '../core/rng.js';
import type { OfflineDataset } from './dataset.js';
import { EpisodeEndKind, splitEpisodes } from './episodes.js';
import { ReplayBuffer } from './replay-buffer.js';

/** One sampled minibatch (reused by the next {@link OfflineSampler.next}). */
export interface OfflineBatch {
  readonly size: number;
  /** size × observationDim. */
  readonly observations: Float32Array;
  /** size × actionDim. */
  readonly actions: Float32Array | Int32Array;
  /** size × observationDim. */
  readonly nextObservations: Float32Array;
  /** Rewards times the sampler's scale. */
  readonly rewards: Float64Array;
  /** γ·(1 − terminal): the factor of the next state's value in a Bellman target (0 at a true end, γ at a time-limit cut). */
  readonly bootstrap: Float64Array;
}

/**
 * The spread `max − min` of the returns of a dataset's complete episodes, as O-DICE and
 * IQL-PyTorch compute it for their MuJoCo reward scaling (`return_range`): an episode counts
 * when it ended in a terminal state or lasted `maxEpisodeSteps` (a time-limit cut); without a
 * limit, every episode but a trailing cut one. Undefined for fewer than one counted episode.
 */
export function returnRange(ds: OfflineDataset, maxEpisodeSteps?: number): { min: number; max: number; episodes: number } | undefined {
  const ep = splitEpisodes(ds);
  let min = Infinity;
  let max = -Infinity;
  let counted = 0;
  for (let k = 0; k < ep.count; k++) {
    const complete = ep.ends[k] === EpisodeEndKind.Terminal || (maxEpisodeSteps !== undefined ? (ep.lengths[k] as number) >= maxEpisodeSteps : k < ep.count - 1);
    if (!complete) continue;
    const r = ep.returns[k] as number;
    min = Math.min(min, r);
    max = Math.max(max, r);
    counted++;
  }
  return counted === 0 ? undefined : { min, max, episodes: counted };
}

/**
 * The reward scale `1000 / (max − min)` of the reference codes' MuJoCo preprocessing (rewards
 * divided by the return range of the dataset's episodes, times the maximal episode length 1000),
 * so that returns span ~1000 whatever the task's reward magnitude. Throws when the dataset's
 * complete episodes all have the same return (give a number as the scale instead).
 */
export function returnRangeRewardScale(ds: OfflineDataset, maxEpisodeSteps?: number): number {
  const range = returnRange(ds, maxEpisodeSteps);
  if (range === undefined || !(range.max > range.min)) {
    const what = range === undefined ? 'has no complete episode' : `has ${range.episodes} complete episode(s), all with return ${range.min}`;
    throw new ConfigError(`the dataset ${what}, so its return range cannot scale the rewards: set rewardScale to a number (1 keeps the rewards)`);
  }
  return 1000 / (range.max - range.min);
}

/** Options of {@link OfflineSampler}. */
export interface OfflineSamplerOptions {
  readonly batchSize: number;
  readonly gamma: number;
  /** Factor applied to every sampled reward. */
  readonly rewardScale: number;
  /** The sampling stream (checkpointed through {@link OfflineSampler.getState}). */
  readonly rng: Rng;
}

/** Uniform minibatches of an offline dataset, without allocation per batch. */
export class OfflineSampler {
  readonly batchSize: number;
  readonly rewardScale: number;
  private readonly buffer: ReplayBuffer;
  private rng: Rng;
  private readonly rewards: Float64Array;
  private readonly bootstrap: Float64Array;
  private batch: OfflineBatch | undefined;

  constructor(ds: OfflineDataset, options: OfflineSamplerOptions) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1) throw new ConfigError(`batchSize must be a positive integer, got ${options.batchSize}`);
    if (!(options.rewardScale > 0) || !Number.isFinite(options.rewardScale)) throw new ConfigError(`rewardScale must be a positive number, got ${options.rewardScale}`);
    this.buffer = ReplayBuffer.fromDataset(ds, { gamma: options.gamma });
    this.batchSize = options.batchSize;
    this.rewardScale = options.rewardScale;
    this.rng = options.rng;
    this.rewards = new Float64Array(options.batchSize);
    this.bootstrap = new Float64Array(options.batchSize);
  }

  /** The next minibatch. */
  next(): OfflineBatch {
    const b = this.buffer.sample(this.batchSize, this.rng);
    for (let i = 0; i < b.size; i++) {
      this.rewards[i] = (b.rewards[i] as number) * this.rewardScale;
      this.bootstrap[i] = (b.discounts[i] as number) * (1 - (b.terminals[i] as number));
    }
    // The replay buffer reuses its batch arrays, so one view object serves every call.
    this.batch ??= { size: b.size, observations: b.observations, actions: b.actions, nextObservations: b.nextObservations, rewards: this.rewards, bootstrap: this.bootstrap };
    return this.batch;
  }

  getState(): RngState {
    return this.rng.getState();
  }

  setState(state: RngState): void {
    this.rng = Rng.fromState(state);
  }
}
