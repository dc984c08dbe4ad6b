/**
 * The transition shapes the buffers share: rows going in (one vector-env step) and sampled
 * batches coming out.
 *
 * @module
 */

/**
 * N transitions, one per env copy of one vector step, row-major. Whoever hands these over may
 * reuse the arrays for the next step: a consumer copies what it keeps.
 */
export interface TransitionRows {
  /** N × observationDim. */
  readonly observations: Float32Array;
  /** N × actionDim (`Int32Array` for Discrete actions). */
  readonly actions: Float32Array | Int32Array;
  readonly rewards: Float64Array | Float32Array;
  /** N × observationDim: the observation after the action; a finished copy's final observation (not the reset one). */
  readonly nextObservations: Float32Array;
  /** 1 where the copy reached a terminal state (Gymnasium `terminated`). */
  readonly terminated: Uint8Array;
  /** 1 where the copy was cut (Gymnasium `truncated`). */
  readonly truncated: Uint8Array;
}

/** Something transitions can be recorded into (a replay buffer, a dataset builder). */
export interface TransitionSink {
  /** One vector step of transitions (rows are the env copies). The arrays are borrowed: copy them. */
  addTransitions(rows: TransitionRows): void;
  /** The env was reset: every episode in progress ends here without a terminal state. */
  cutEpisodes?(): void;
}

/**
 * A sampled minibatch, written in place by a buffer's `sample()` (the same object is reused by
 * the next call: no allocation per sample). With n-step returns, the Bellman target of row b is
 * `rewards[b] + discounts[b] · (1 − terminals[b]) · V(nextObservations[b])`.
 */
export interface TransitionBatch {
  /** Rows in this batch. */
  size: number;
  /** size × observationDim. */
  readonly observations: Float32Array;
  /** size × actionDim. */
  readonly actions: Float32Array | Int32Array;
  /** The (n-step) discounted return `Σ_{k<m} γ^k r_{t+k}` over the m steps used (m ≤ n, fewer when the episode ends). */
  readonly rewards: Float64Array;
  /** size × observationDim: the observation m steps later, to bootstrap from. */
  readonly nextObservations: Float32Array;
  /** 1 where the episode terminated within the m steps (no bootstrap). */
  readonly terminals: Uint8Array;
  /** γ^m: the discount of the bootstrap value. */
  readonly discounts: Float64Array;
  /** The buffer slots sampled (pass them back to `updatePriorities`). */
  readonly indices: Int32Array;
  /** Importance-sampling weights (1 for uniform sampling; PER's normalised `(N·P(i))^−β`). */
  readonly weights: Float32Array;
}

/** Allocates a {@link TransitionBatch} of `capacity` rows. */
export function allocateBatch(capacity: number, observationDim: number, actionDim: number, discrete: boolean): TransitionBatch {
  return {
    size: 0,
    observations: new Float32Array(capacity * observationDim),
    actions: discrete ? new Int32Array(capacity * actionDim) : new Float32Array(capacity * actionDim),
    rewards: new Float64Array(capacity),
    nextObservations: new Float32Array(capacity * observationDim),
    terminals: new Uint8Array(capacity),
    discounts: new Float64Array(capacity),
    indices: new Int32Array(capacity),
    weights: new Float32Array(capacity).fill(1),
  };
}
