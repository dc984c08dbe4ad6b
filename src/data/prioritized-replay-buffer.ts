/**
 * Proportional prioritised experience replay (Schaul et al. 2016, "Prioritized Experience
 * Replay", §3.3): P(i) = p_i^α / Σ_k p_k^α with p_i = |δ_i| + ε, stratified sampling over a sum
 * tree, importance weights w_i = (N·P(i))^−β normalised by their maximum.
 *
 * @module
 */

import { ConfigError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { ReplayBuffer, type ReplayBufferOptions, type ReplayBufferState } from './replay-buffer.js';
import { SumTree } from './sum-tree.js';
import type { TransitionBatch } from './transitions.js';

/** Options of {@link PrioritizedReplayBuffer}. */
export interface PrioritizedReplayOptions extends ReplayBufferOptions {
  /** Priority exponent α (default 0.6, the paper's proportional variant; 0 is uniform). */
  readonly alpha?: number;
  /** Importance-sampling exponent β (default 0.4, the paper's β₀; anneal it to 1 by setting {@link PrioritizedReplayBuffer.beta}). */
  readonly beta?: number;
  /** Added to |δ| so no transition's priority is 0 (default 1e-6). */
  readonly epsilon?: number;
}

/**
 * A {@link ReplayBuffer} that samples transitions in proportion to their priority. New
 * transitions get the largest priority seen so far (so each is replayed at least once soon);
 * call {@link updatePriorities} with the TD errors of a sampled batch. `batch.weights` hold the
 * importance weights to multiply the per-sample losses with.
 */
export class PrioritizedReplayBuffer extends ReplayBuffer {
  readonly alpha: number;
  /** Importance-sampling exponent; mutable so a schedule can anneal it toward 1. */
  beta: number;
  readonly epsilon: number;
  private readonly tree: SumTree;
  private maxPriority = 1;

  constructor(options: PrioritizedReplayOptions) {
    super(options);
    this.alpha = options.alpha ?? 0.6;
    this.beta = options.beta ?? 0.4;
    this.epsilon = options.epsilon ?? 1e-6;
    if (!(this.alpha >= 0)) throw new ConfigError(`PrioritizedReplayBuffer alpha must be ≥ 0, got ${this.alpha}`);
    if (!(this.beta >= 0)) throw new ConfigError(`PrioritizedReplayBuffer beta must be ≥ 0, got ${this.beta}`);
    if (!(this.epsilon > 0)) throw new ConfigError(`PrioritizedReplayBuffer epsilon must be > 0, got ${this.epsilon}`);
    this.tree = new SumTree(this.capacity);
  }

  protected override onWrite(first: number, count: number): void {
    const p = this.maxPriority ** this.alpha;
    for (let s = first; s < first + count; s++) this.tree.set(s, p);
  }

  /** Stratified: the total priority mass is cut into `batchSize` equal segments and one slot drawn from each. */
  protected override sampleSlots(batch: TransitionBatch, batchSize: number, rng: Rng): void {
    const n = this.size;
    const total = this.tree.total();
    const segment = total / batchSize;
    // max_i w_i = (N · P_min)^−β: dividing by it keeps every weight ≤ 1 (the paper's normalisation).
    const maxWeight = (n * (this.tree.min() / total)) ** -this.beta;
    for (let b = 0; b < batchSize; b++) {
      let slot = this.tree.find((b + rng.uniform()) * segment);
      // Rounding can run past the last filled slot (its leaves are 0): take the last filled one.
      if (slot >= n) slot = n - 1;
      batch.indices[b] = slot;
      batch.weights[b] = (n * (this.tree.get(slot) / total)) ** -this.beta / maxWeight;
    }
  }

  /**
   * Sets the priorities of sampled slots from their TD errors: p = (|δ| + ε)^α. `count` defaults
   * to `indices.length` (pass `batch.size` when the index array is longer than the batch).
   */
  updatePriorities(indices: ArrayLike<number>, tdErrors: ArrayLike<number>, count: number = indices.length): void {
    if (tdErrors.length < count) throw new ConfigError(`updatePriorities: ${count} indices but ${tdErrors.length} TD errors`);
    for (let b = 0; b < count; b++) {
      const slot = indices[b] as number;
      const delta = tdErrors[b] as number;
      if (!Number.isInteger(slot) || slot < 0 || slot >= this.size) throw new ConfigError(`updatePriorities: index ${slot} (entry ${b}) is not a filled slot of this buffer (size ${this.size})`);
      if (!Number.isFinite(delta)) throw new ConfigError(`updatePriorities: TD error ${delta} for slot ${slot} (entry ${b}) is not finite`);
      const priority = Math.abs(delta) + this.epsilon;
      if (priority > this.maxPriority) this.maxPriority = priority;
      this.tree.set(slot, priority ** this.alpha);
    }
  }

  /** The sampling priority (p^α) of a slot. */
  priority(slot: number): number {
    return this.tree.get(slot);
  }

  override getState(): ReplayBufferState {
    return { ...super.getState(), priorities: { leaves: this.tree.leaves().slice(0, this.size), maxPriority: this.maxPriority, alpha: this.alpha, beta: this.beta, epsilon: this.epsilon } };
  }

  override setState(state: ReplayBufferState): void {
    super.setState(state);
    if (state.priorities === undefined) throw new ConfigError('replay-buffer state has no priorities: it was saved by a uniform ReplayBuffer; load it with ReplayBuffer.fromState');
    // The leaves are p^α: read with another α they would mean other priorities.
    if (state.priorities.alpha !== this.alpha) throw new ConfigError(`replay-buffer state has alpha ${state.priorities.alpha}, this buffer ${this.alpha}; build it with PrioritizedReplayBuffer.fromState`);
    const leaves = new Float64Array(this.capacity);
    leaves.set(state.priorities.leaves);
    this.tree.setLeaves(leaves);
    this.maxPriority = state.priorities.maxPriority;
  }

  /** A prioritised buffer rebuilt from {@link getState}, with the saved α, β and ε. */
  static override fromState(state: ReplayBufferState): PrioritizedReplayBuffer {
    const p = state.priorities;
    if (p === undefined) throw new ConfigError('replay-buffer state has no priorities: it was saved by a uniform ReplayBuffer; load it with ReplayBuffer.fromState');
    const buffer = new PrioritizedReplayBuffer({ ...state.options, alpha: p.alpha, beta: p.beta, epsilon: p.epsilon });
    buffer.setState(state);
    return buffer;
  }
}
