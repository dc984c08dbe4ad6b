import { ConfigError, describeValue } from '../../core/errors.js';
import { thenMaybe, type MaybePromise } from '../../core/maybe-promise.js';
import type { Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import type { BatchedActions, VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from '../vector/vector-env.js';
import { assignStepResult, clipValue, emptyStepResult, requirePositive, type Mutable } from './internal.js';
import { RunningMeanStd, type RunningMeanStdState } from './running-mean-std.js';
import { VectorWrapper, Wrapper } from './wrapper.js';

/** Options of {@link NormalizeReward} and {@link VectorNormalizeReward}. */
export interface NormalizeRewardOptions {
  /** Discount of the return whose spread scales the rewards (default 0.99). */
  readonly gamma?: number;
  /** Added to the variance before the square root (default 1e-8, as Gymnasium). */
  readonly epsilon?: number;
  /** Clips normalised rewards to `[-clip, clip]`; off by default (Gymnasium), SB3 and CleanRL use 10. */
  readonly clip?: number;
  /** Whether rewards update the statistics (default true); set false to evaluate with frozen statistics. */
  readonly updateStats?: boolean;
}

/** Checkpoint of a reward normaliser (the return statistics; per-copy accumulators restart with episodes). */
export interface NormalizeRewardState {
  readonly returnRms: RunningMeanStdState;
}

/** The shared part: options, return statistics and the scaling of one reward. */
class RewardNormalizer {
  readonly rms = new RunningMeanStd(1);
  readonly gamma: number;
  readonly epsilon: number;
  readonly clip: number | undefined;
  updateStats: boolean;

  constructor(options: NormalizeRewardOptions, wrapper: string) {
    this.gamma = options.gamma ?? 0.99;
    if (!(Number.isFinite(this.gamma) && this.gamma >= 0 && this.gamma <= 1)) {
      throw new ConfigError(`${wrapper} gamma must be a number in [0, 1], got ${describeValue(this.gamma)}`);
    }
    this.epsilon = options.epsilon ?? 1e-8;
    requirePositive(this.epsilon, `${wrapper} epsilon`);
    if (options.clip !== undefined) requirePositive(options.clip, `${wrapper} clip`);
    this.clip = options.clip;
    this.updateStats = options.updateStats ?? true;
  }

  /** `1 / sqrt(var + epsilon)` of the discounted return. */
  scale(): number {
    return 1 / Math.sqrt((this.rms.var[0] as number) + this.epsilon);
  }

  getState(): NormalizeRewardState {
    return { returnRms: this.rms.getState() };
  }

  setState(state: NormalizeRewardState, wrapper: string): void {
    if (typeof state !== 'object' || state === null || typeof state.returnRms !== 'object') {
      throw new ConfigError(`${wrapper} state must be { returnRms: { mean, var, count } }, got ${describeValue(state)}`);
    }
    this.rms.setState(state.returnRms);
  }
}

/**
 * Scales rewards by the running standard deviation of the discounted return, as
 * Gymnasium's `NormalizeReward` and SB3's `VecNormalize`: each step the accumulator
 * becomes `G = gamma·G + reward`, `G` updates the statistics, and the reward is divided by
 * `sqrt(var(G) + epsilon)` (not centred, see openai/baselines#538). `G` restarts at 0
 * after a step that ends the episode (terminated or truncated) and at `reset`.
 */
export class NormalizeReward<O = Float32Array, A = unknown> extends Wrapper<O, A> {
  private readonly norm: RewardNormalizer;
  private discountedReturn = 0;

  constructor(env: Env<O, A>, options: NormalizeRewardOptions = {}) {
    super(env);
    this.norm = new RewardNormalizer(options, 'NormalizeReward');
  }

  /** Running statistics of the discounted return. */
  get returnRms(): RunningMeanStd {
    return this.norm.rms;
  }

  /** Whether rewards update the statistics; false freezes them (evaluation). */
  get updateStats(): boolean {
    return this.norm.updateStats;
  }

  set updateStats(value: boolean) {
    this.norm.updateStats = value;
  }

  get gamma(): number {
    return this.norm.gamma;
  }

  get epsilon(): number {
    return this.norm.epsilon;
  }

  get clip(): number | undefined {
    return this.norm.clip;
  }

  override reset(options?: ResetOptions): MaybePromise<ResetResult<O>> {
    this.discountedReturn = 0;
    return this.env.reset(options);
  }

  override step(action: A): MaybePromise<StepResult<O>> {
    return thenMaybe(this.env.step(action), (r) => {
      this.discountedReturn = this.discountedReturn * this.norm.gamma + r.reward;
      if (this.norm.updateStats) this.norm.rms.updateScalar(this.discountedReturn);
      const reward = clipValue(r.reward * this.norm.scale(), this.norm.clip);
      if (r.terminated || r.truncated) this.discountedReturn = 0;
      return { ...r, reward };
    });
  }

  /** A JSON-serialisable checkpoint of the statistics. */
  getState(): NormalizeRewardState {
    return this.norm.getState();
  }

  /** Restores statistics saved by {@link getState}. */
  setState(state: NormalizeRewardState): void {
    this.norm.setState(state, 'NormalizeReward');
  }
}

/**
 * Vector version of {@link NormalizeReward}: one discounted-return accumulator per copy,
 * each step's N returns update the statistics as one batch, and the scaled rewards are
 * written to a reused buffer.
 */
export class VectorNormalizeReward extends VectorWrapper {
  private readonly norm: RewardNormalizer;
  private readonly returns: Float64Array;
  private readonly rewardsOut: Float64Array;
  private readonly out: Mutable<VectorStepResult> = emptyStepResult();

  constructor(env: VectorEnv, options: NormalizeRewardOptions = {}) {
    super(env);
    this.norm = new RewardNormalizer(options, 'VectorNormalizeReward');
    this.returns = new Float64Array(env.numEnvs);
    this.rewardsOut = new Float64Array(env.numEnvs);
  }

  protected override ownSnapshot(): unknown {
    return { stats: this.norm.getState(), returns: this.returns.slice() };
  }

  protected override restoreOwnSnapshot(own: unknown): void {
    const s = own as { stats: NormalizeRewardState; returns: Float64Array };
    this.norm.setState(s.stats, 'VectorNormalizeReward');
    this.returns.set(s.returns);
  }

  /** Running statistics of the discounted return. */
  get returnRms(): RunningMeanStd {
    return this.norm.rms;
  }

  /** Whether rewards update the statistics; false freezes them (evaluation). */
  get updateStats(): boolean {
    return this.norm.updateStats;
  }

  set updateStats(value: boolean) {
    this.norm.updateStats = value;
  }

  get gamma(): number {
    return this.norm.gamma;
  }

  get epsilon(): number {
    return this.norm.epsilon;
  }

  get clip(): number | undefined {
    return this.norm.clip;
  }

  override reset(options?: VectorResetOptions): MaybePromise<VectorResetResult> {
    this.returns.fill(0);
    return this.env.reset(options);
  }

  override step(actions: BatchedActions): MaybePromise<VectorStepResult> {
    return thenMaybe(this.env.step(actions), (r) => {
      const n = this.numEnvs;
      const gamma = this.norm.gamma;
      for (let i = 0; i < n; i++) this.returns[i] = (this.returns[i] as number) * gamma + (r.rewards[i] as number);
      if (this.norm.updateStats) this.norm.rms.update(this.returns, n);
      const scale = this.norm.scale();
      for (let i = 0; i < n; i++) {
        this.rewardsOut[i] = clipValue((r.rewards[i] as number) * scale, this.norm.clip);
        if (r.terminated[i] || r.truncated[i]) this.returns[i] = 0;
      }
      const out = assignStepResult(this.out, r);
      out.rewards = this.rewardsOut;
      return out;
    });
  }

  /** A JSON-serialisable checkpoint of the statistics. */
  getState(): NormalizeRewardState {
    return this.norm.getState();
  }

  /** Restores statistics saved by {@link getState}. */
  setState(state: NormalizeRewardState): void {
    this.norm.setState(state, 'VectorNormalizeReward');
  }
}
