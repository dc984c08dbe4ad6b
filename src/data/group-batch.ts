/**
 * The samples of one GRPO sampling stage: N = prompts × G copies, each recording its first
 * episode from the stage's reset — every turn's observation, action and sampling log-prob —
 * and the episode's return. Copy i's turn t lives at row `i·maxTurns + t`, so no compaction is
 * needed and nothing is allocated per stage. Copies i·G … i·G + G − 1 form group i (the same task
 * instance).
 * @module
 */

/** Shape of a {@link GroupBatch}. */
export interface GroupBatchShape {
  readonly numEnvs: number;
  readonly groupSize: number;
  /** Longest episode (the env's time limit). */
  readonly maxTurns: number;
  readonly observationSize: number;
  /** Entries per action (1 for Discrete). */
  readonly actionSize: number;
  readonly discrete: boolean;
}

/** A stage's episodes, one per copy, with per-turn samples. */
export class GroupBatch {
  readonly observations: Float32Array;
  readonly actions: Int32Array | Float32Array;
  /** log π_old of each sampled action. */
  readonly logProbs: Float64Array;
  /** Turns of each copy's episode (0 until it ends). */
  readonly lengths: Int32Array;
  /** Undiscounted return of each copy's episode (the outcome GRPO scores). */
  readonly returns: Float64Array;
  /** 1 where the episode's final info said `is_success: true`. */
  readonly successes: Uint8Array;
  /** 1 once the copy's episode has ended. */
  readonly finished: Uint8Array;

  constructor(readonly shape: GroupBatchShape) {
    const { numEnvs: N, maxTurns: T, observationSize, actionSize, groupSize } = shape;
    if (N % groupSize !== 0) throw new RangeError(`GroupBatch: ${N} copies do not split into groups of ${groupSize}`);
    this.observations = new Float32Array(N * T * observationSize);
    this.actions = shape.discrete ? new Int32Array(N * T * actionSize) : new Float32Array(N * T * actionSize);
    this.logProbs = new Float64Array(N * T);
    this.lengths = new Int32Array(N);
    this.returns = new Float64Array(N);
    this.successes = new Uint8Array(N);
    this.finished = new Uint8Array(N);
  }

  /** Number of groups (prompts). */
  get groups(): number {
    return this.shape.numEnvs / this.shape.groupSize;
  }

  /** Tokens recorded (the sum of the episode lengths). */
  get tokens(): number {
    let n = 0;
    for (let i = 0; i < this.shape.numEnvs; i++) n += this.lengths[i] as number;
    return n;
  }

  clear(): void {
    this.lengths.fill(0);
    this.returns.fill(0);
    this.successes.fill(0);
    this.finished.fill(0);
  }

  /** Records turn t of every unfinished copy: the observations it acted on, its actions and their log-probs. */
  addTurn(t: number, observations: Float32Array, actions: ArrayLike<number>, logProbs: ArrayLike<number>): void {
    const { numEnvs: N, maxTurns: T, observationSize: D, actionSize: A } = this.shape;
    for (let i = 0; i < N; i++) {
      if (this.finished[i] === 1) continue;
      const row = i * T + t;
      this.observations.set(observations.subarray(i * D, (i + 1) * D), row * D);
      for (let j = 0; j < A; j++) this.actions[row * A + j] = actions[i * A + j] as number;
      this.logProbs[row] = logProbs[i] as number;
    }
  }

  /** Adds the step's rewards to the unfinished copies and closes those whose episode ended at turn t. */
  endTurn(t: number, rewards: ArrayLike<number>, ended: (i: number) => boolean, success: (i: number) => boolean): void {
    for (let i = 0; i < this.shape.numEnvs; i++) {
      if (this.finished[i] === 1) continue;
      this.returns[i] = (this.returns[i] as number) + (rewards[i] as number);
      if (!ended(i)) continue;
      this.finished[i] = 1;
      this.lengths[i] = t + 1;
      this.successes[i] = success(i) ? 1 : 0;
    }
  }

  /** Whether every copy's episode has ended. */
  get complete(): boolean {
    return this.finished.every((f) => f === 1);
  }
}
