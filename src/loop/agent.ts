import type { Rng } from '../core/rng.js';
import type { RolloutBuffer } from '../data/rollout-buffer.js';
import type { BatchedActions } from '../envs/vector/vector-env.js';
import type { UpdateMetrics } from './events.js';

/** Buffers an agent fills when it acts on a batch of observations (reused every call). */
export interface ActOutput {
  readonly actions: BatchedActions;
  readonly logProbs: Float64Array;
  readonly values: Float64Array;
}

/** Anything that acts: every built-in agent (on-policy, gradient-based, offline); what evaluation needs. */
export interface PolicyActor {
  /**
   * Actions for `n` observations (the policy's mode when `deterministic`). `sampler`, when given,
   * is the random stream to sample from instead of the agent's own (evaluation passes its own, so
   * a sampled evaluation leaves training's stream untouched).
   */
  act(observations: Float32Array, n: number, deterministic: boolean, sampler?: Rng): { readonly actions: BatchedActions };
  /** Forgets copy `copy`'s memory at its episode start (recurrent policies only). */
  resetMemory?(copy: number): void;
  /** An actor on the same policy with a memory of its own (a new one at each call), for evaluation and viewers between training steps (recurrent policies only). */
  evaluationActor?(): PolicyActor;
}

/**
 * What the on-policy loop needs from an agent. The loop is written once (collect a rollout,
 * compute advantages, let the agent train, log); an algorithm is its `train()` — the
 * division of labour of SB3's `OnPolicyAlgorithm`.
 */
export interface OnPolicyAgent {
  /** Actions (sampled, or the mode when `deterministic`), their log-probs and the critic's values for `n` observations. */
  act(observations: Float32Array, n: number, deterministic: boolean): ActOutput;
  /** The critic's values for `n` observations. */
  predictValues(observations: Float32Array, n: number): Float64Array;
  /** Called before each rollout (e.g. to resample exploration noise). */
  startRollout(): void;
  /** Called after each env step of the rollout (e.g. periodic noise resampling). */
  afterStep(stepInRollout: number): void;
  /** Recurrent agents: forget copy `copy`'s memory; the loop calls it when the copy's episode ends (after bootstrapping from it). */
  resetMemory?(copy: number): void;
  /** One training iteration on a full rollout buffer; `progress` ∈ [0, 1] drives schedules. */
  train(buffer: RolloutBuffer, progress: number): UpdateMetrics;
  /** Everything needed to resume bit-identically (parameters, optimizer, random streams). */
  getState(): unknown;
  setState(state: unknown): void;
}
