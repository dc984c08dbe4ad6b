/**
 * What the offline loop (`loop/offline-loop.ts`) needs from an agent that learns from a fixed
 * dataset: one gradient step per minibatch, acting for evaluation, and its state for
 * checkpoints.
 * @module
 */

import { SpaceMismatchError } from '../../core/errors.js';
import { Rng, type RngState } from '../../core/rng.js';
import { Box, describeSpace, type Space } from '../../core/spaces.js';
import type { OfflineBatch } from '../../data/offline-sampler.js';
import { OfflineGaussianPolicy, type OfflineGaussianPolicyState } from './gaussian-policy.js';
import type { OfflineConfig } from './offline-config.js';

/** Losses and diagnostics of one gradient step, by name (averaged by the loop over an iteration). */
export interface OfflineStepMetrics {
  readonly policyLoss: number;
  /** The value objective (NaN for algorithms without one: BC). */
  readonly valueLoss: number;
  /** Policy learning rate used. */
  readonly learningRate: number;
  /** Algorithm-specific diagnostics. */
  readonly details: Readonly<Record<string, number>>;
}

/** An agent trained on a fixed dataset. */
export interface OfflineAgent {
  /** One gradient step on `batch`; `progress` ∈ [0, 1] is the fraction of the budget used before it (drives schedules). */
  update(batch: OfflineBatch, progress: number): OfflineStepMetrics;
  /** Actions for `n` observations: the policy's mean (deterministic) or a sample, clipped to the action bounds. */
  act(observations: Float32Array, n: number, deterministic: boolean): { readonly actions: Float32Array };
  getState(): unknown;
  setState(state: unknown): void;
}

/** The Box action space the offline agents need (they fit a Gaussian to the dataset's actions). */
export function requireBoxActions(algo: string, envId: string, space: Space<unknown>): Box {
  if (space instanceof Box) return space;
  throw new SpaceMismatchError(`${algo} fits a Gaussian policy to continuous actions, but ${envId} has ${describeSpace(space)} actions; use a Box-action env`);
}

/** The extracted policy of an offline config, with its own initialisation stream. */
export function createOfflinePolicy(config: OfflineConfig, observationSize: number, actionSpace: Box, lr: number, weightDecay: number, rng: Rng): OfflineGaussianPolicy {
  return new OfflineGaussianPolicy({
    observationSize,
    actionSize: actionSpace.flatDim,
    hidden: config.policy.hidden,
    logStdMin: config.policy.logStdMin,
    logStdMax: config.policy.logStdMax,
    lr,
    weightDecay,
    low: actionSpace.low,
    high: actionSpace.high,
    rng: rng.split('policy'),
  });
}

/** Checkpointed state of an {@link ExtractedPolicyAgent}. */
interface ExtractedPolicyAgentState {
  readonly policy: OfflineGaussianPolicyState;
  readonly act: RngState;
  /** The algorithm's own networks and optimisers (null for BC). */
  readonly learner: unknown;
}

/**
 * The part every built-in offline agent shares: the extracted Gaussian policy, acting with its
 * own random stream, and checkpoints of both; an algorithm adds its {@link update} and the state
 * of its own networks.
 */
export abstract class ExtractedPolicyAgent implements OfflineAgent {
  readonly policy: OfflineGaussianPolicy;
  private actRng: Rng;

  protected constructor(policy: OfflineGaussianPolicy, rng: Rng) {
    this.policy = policy;
    this.actRng = rng.split('act');
  }

  abstract update(batch: OfflineBatch, progress: number): OfflineStepMetrics;

  /** The algorithm's networks and optimisers beside the policy. */
  protected abstract learnerState(): unknown;
  protected abstract setLearnerState(state: unknown): void;

  act(observations: Float32Array, n: number, deterministic: boolean, sampler: Rng = this.actRng): { readonly actions: Float32Array } {
    return { actions: this.policy.act(observations, n, deterministic, sampler) };
  }

  getState(): ExtractedPolicyAgentState {
    return { policy: this.policy.getState(), act: this.actRng.getState(), learner: this.learnerState() };
  }

  setState(state: unknown): void {
    const s = state as ExtractedPolicyAgentState;
    this.policy.setState(s.policy);
    this.actRng = Rng.fromState(s.act);
    this.setLearnerState(s.learner);
  }
}
