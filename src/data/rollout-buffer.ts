import { computeGae } from '../algorithms/gae.js';

/** Shape of a {@link RolloutBuffer}. */
export interface RolloutBufferShape {
  /** Steps per copy in one rollout (SB3's `n_steps`). */
  readonly numSteps: number;
  readonly numEnvs: number;
  readonly observationSize: number;
  /** Entries per action: 1 for Discrete, the dimension for Box. */
  readonly actionSize: number;
  readonly discrete: boolean;
}

/**
 * On-policy storage for one rollout, time-major (`[T × N]`, sample index `t*N + i`), in typed
 * arrays allocated once. Every on-policy algorithm uses it: the loop writes one row of N per
 * step, then {@link RolloutBuffer.computeAdvantages} runs GAE, then the algorithm reads
 * minibatches by sample index.
 */
export class RolloutBuffer {
  readonly size: number;
  readonly observations: Float32Array;
  readonly actions: Float32Array | Int32Array;
  readonly logProbs: Float64Array;
  readonly values: Float64Array;
  readonly rewards: Float64Array;
  /** V of the next state: V(s_{t+1}), V(final obs) on truncation, 0 on termination. */
  readonly nextValues: Float64Array;
  /** 1 where the episode ended at this step. */
  readonly episodeEnds: Float64Array;
  readonly advantages: Float64Array;
  readonly returns: Float64Array;
  /** Each sample's turn: steps since its episode began (what EPO keys its entropy history by). */
  readonly turns: Int32Array;
  private filled = 0;

  constructor(readonly shape: RolloutBufferShape) {
    const { numSteps, numEnvs, observationSize, actionSize, discrete } = shape;
    this.size = numSteps * numEnvs;
    this.observations = new Float32Array(this.size * observationSize);
    this.actions = discrete ? new Int32Array(this.size * actionSize) : new Float32Array(this.size * actionSize);
    this.logProbs = new Float64Array(this.size);
    this.values = new Float64Array(this.size);
    this.rewards = new Float64Array(this.size);
    this.nextValues = new Float64Array(this.size);
    this.episodeEnds = new Float64Array(this.size);
    this.advantages = new Float64Array(this.size);
    this.returns = new Float64Array(this.size);
    this.turns = new Int32Array(this.size);
  }

  /** Steps (rows of N) written since the last {@link RolloutBuffer.clear}. */
  get stepsFilled(): number {
    return this.filled;
  }

  get full(): boolean {
    return this.filled === this.shape.numSteps;
  }

  clear(): void {
    this.filled = 0;
  }

  /**
   * Stores one step of all N copies: observations the actions were taken in, the actions, their
   * log-probs and values, and (when given) each copy's turn within its episode.
   */
  addStep(observations: Float32Array, actions: ArrayLike<number>, logProbs: ArrayLike<number>, values: ArrayLike<number>, rewards: ArrayLike<number>, turns?: ArrayLike<number>): void {
    if (this.full) throw new RangeError(`RolloutBuffer is full (${this.shape.numSteps} steps); call clear() first`);
    const { numEnvs: N, observationSize, actionSize } = this.shape;
    const row = this.filled * N;
    this.observations.set(observations.subarray(0, N * observationSize), row * observationSize);
    for (let k = 0; k < N * actionSize; k++) this.actions[row * actionSize + k] = actions[k] as number;
    for (let i = 0; i < N; i++) {
      this.logProbs[row + i] = logProbs[i] as number;
      this.values[row + i] = values[i] as number;
      this.rewards[row + i] = rewards[i] as number;
      this.turns[row + i] = turns === undefined ? 0 : (turns[i] as number);
    }
    this.filled++;
  }

  /**
   * Records, for the step just added, how each copy continued: `nextValue` per copy and whether
   * its episode ended there. The loop calls it once the next state's value is known.
   */
  setNextValues(step: number, nextValues: ArrayLike<number>, episodeEnds: ArrayLike<number>): void {
    const N = this.shape.numEnvs;
    for (let i = 0; i < N; i++) {
      this.nextValues[step * N + i] = nextValues[i] as number;
      this.episodeEnds[step * N + i] = episodeEnds[i] as number;
    }
  }

  /** Runs GAE over the full buffer. */
  computeAdvantages(gamma: number, lambda: number): void {
    if (!this.full) throw new RangeError(`RolloutBuffer holds ${this.filled} of ${this.shape.numSteps} steps; fill it before computing advantages`);
    computeGae({ numSteps: this.shape.numSteps, numEnvs: this.shape.numEnvs, rewards: this.rewards, values: this.values, nextValues: this.nextValues, episodeEnds: this.episodeEnds, gamma, lambda }, this.advantages, this.returns);
  }
}
