import { ConfigError, SpaceMismatchError, describeValue } from '../../core/errors.js';
import { thenMaybe, type MaybePromise } from '../../core/maybe-promise.js';
import { Box, type Space } from '../../core/spaces.js';
import type { Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import type { BatchedActions, VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from '../vector/vector-env.js';
import { assignStepResult, clipValue, emptyStepResult, requireBox, requirePositive, type Mutable } from './internal.js';
import { RunningMeanStd, type RunningMeanStdState } from './running-mean-std.js';
import { VectorWrapper, Wrapper } from './wrapper.js';

/** Options of {@link NormalizeObservation} and {@link VectorNormalizeObservation}. */
export interface NormalizeObservationOptions {
  /** Added to the variance before the square root (default 1e-8, as Gymnasium). */
  readonly epsilon?: number;
  /** Clips normalised entries to `[-clip, clip]`; off by default (Gymnasium), SB3 and CleanRL use 10. */
  readonly clip?: number;
  /** Whether observations update the statistics (default true); set false to evaluate with frozen statistics. */
  readonly updateStats?: boolean;
}

/** Checkpoint of an observation normaliser. */
export interface NormalizeObservationState {
  readonly obsRms: RunningMeanStdState;
}

/** The shared normalisation: statistics, options and the per-entry `1/sqrt(var + eps)`. */
class ObservationNormalizer {
  readonly rms: RunningMeanStd;
  readonly epsilon: number;
  readonly clip: number | undefined;
  updateStats: boolean;
  private readonly invStd: Float64Array;

  constructor(size: number, options: NormalizeObservationOptions, wrapper: string) {
    this.epsilon = options.epsilon ?? 1e-8;
    requirePositive(this.epsilon, `${wrapper} epsilon`);
    if (options.clip !== undefined) requirePositive(options.clip, `${wrapper} clip`);
    this.clip = options.clip;
    this.updateStats = options.updateStats ?? true;
    this.rms = new RunningMeanStd(size);
    this.invStd = new Float64Array(size);
  }

  /** Output space: unbounded, or `[-clip, clip]`, with `shape`. */
  space(shape: readonly number[]): Box {
    const c = this.clip ?? Infinity;
    return new Box(-c, c, shape);
  }

  /** Updates the statistics with `rows` rows of `src` (if not frozen), then refreshes `1/std`. */
  observe(src: ArrayLike<number>, rows: number): void {
    if (this.updateStats) this.rms.update(src, rows);
    this.refresh();
  }

  /** Recomputes `1/sqrt(var + eps)` from the current statistics. */
  refresh(): void {
    for (let j = 0; j < this.invStd.length; j++) this.invStd[j] = 1 / Math.sqrt((this.rms.var[j] as number) + this.epsilon);
  }

  /** Writes the normalised row at `srcOffset` to `dst` at `dstOffset`, with the statistics as of the last {@link refresh}. */
  normalizeRow(src: ArrayLike<number>, srcOffset: number, dst: Float32Array, dstOffset: number): void {
    const mean = this.rms.mean;
    for (let j = 0; j < this.invStd.length; j++) {
      dst[dstOffset + j] = clipValue(((src[srcOffset + j] as number) - (mean[j] as number)) * (this.invStd[j] as number), this.clip);
    }
  }

  getState(): NormalizeObservationState {
    return { obsRms: this.rms.getState() };
  }

  setState(state: NormalizeObservationState, wrapper: string): void {
    if (typeof state !== 'object' || state === null || typeof state.obsRms !== 'object') {
      throw new ConfigError(`${wrapper} state must be { obsRms: { mean, var, count } }, got ${describeValue(state)}`);
    }
    this.rms.setState(state.obsRms);
    this.refresh();
  }
}

/**
 * Normalises Box observations to `(obs − mean) / sqrt(var + epsilon)` with running
 * statistics, as Gymnasium 1.x's `NormalizeObservation`: every observation (from `reset`
 * and `step`) first updates the statistics, then is normalised with them. Returns a new
 * array each call. The observation space becomes an unbounded Box (or `[-clip, clip]`).
 */
export class NormalizeObservation<A = unknown> extends Wrapper<Float32Array, A> {
  private readonly norm: ObservationNormalizer;
  private readonly space: Box;

  constructor(env: Env<Float32Array, A>, options: NormalizeObservationOptions = {}) {
    super(env);
    const box = requireBox(env.observationSpace, 'NormalizeObservation', 'observation');
    this.norm = new ObservationNormalizer(box.flatDim, options, 'NormalizeObservation');
    this.space = this.norm.space(box.shape);
  }

  override get observationSpace(): Space<Float32Array> {
    return this.space;
  }

  /** The running statistics (read them; restore with {@link setState}). */
  get obsRms(): RunningMeanStd {
    return this.norm.rms;
  }

  /** Whether observations update the statistics; false freezes them (evaluation). */
  get updateStats(): boolean {
    return this.norm.updateStats;
  }

  set updateStats(value: boolean) {
    this.norm.updateStats = value;
  }

  get epsilon(): number {
    return this.norm.epsilon;
  }

  get clip(): number | undefined {
    return this.norm.clip;
  }

  override reset(options?: ResetOptions): MaybePromise<ResetResult<Float32Array>> {
    return thenMaybe(this.env.reset(options), (r) => ({ ...r, observation: this.normalize(r.observation) }));
  }

  override step(action: A): MaybePromise<StepResult<Float32Array>> {
    return thenMaybe(this.env.step(action), (r) => ({ ...r, observation: this.normalize(r.observation) }));
  }

  private normalize(obs: Float32Array): Float32Array {
    const n = this.space.flatDim;
    if (obs.length !== n) throw new SpaceMismatchError(`NormalizeObservation expected an observation of ${n} entries, got ${describeValue(obs)}`);
    this.norm.observe(obs, 1);
    const out = new Float32Array(n);
    this.norm.normalizeRow(obs, 0, out, 0);
    return out;
  }

  /** A JSON-serialisable checkpoint of the statistics. */
  getState(): NormalizeObservationState {
    return this.norm.getState();
  }

  /** Restores statistics saved by {@link getState}. */
  setState(state: NormalizeObservationState): void {
    this.norm.setState(state, 'NormalizeObservation');
  }
}

/**
 * Vector version of {@link NormalizeObservation}: each batch of N observations updates the
 * statistics once (as Gymnasium's vector wrapper), then every row is normalised into a
 * reused buffer. Rows of `finalObservations` of copies that finished this step are
 * normalised with the same statistics (they do not update them), so a truncated episode
 * bootstraps from a value on the scale the critic sees. Works on any observation space,
 * since vector observations are already flat float32.
 */
export class VectorNormalizeObservation extends VectorWrapper {
  private readonly norm: ObservationNormalizer;
  private readonly space: Box;
  private readonly obsOut: Float32Array;
  private readonly finalOut: Float32Array;
  private readonly out: Mutable<VectorStepResult> = emptyStepResult();

  constructor(env: VectorEnv, options: NormalizeObservationOptions = {}) {
    super(env);
    const size = env.observationSize;
    this.norm = new ObservationNormalizer(size, options, 'VectorNormalizeObservation');
    const inner = env.singleObservationSpace;
    this.space = this.norm.space(inner instanceof Box ? inner.shape : [size]);
    this.obsOut = new Float32Array(env.numEnvs * size);
    this.finalOut = new Float32Array(env.numEnvs * size);
  }

  protected override ownSnapshot(): unknown {
    return this.norm.getState();
  }

  protected override restoreOwnSnapshot(own: unknown): void {
    this.norm.setState(own as NormalizeObservationState, 'VectorNormalizeObservation');
  }

  override get singleObservationSpace(): Space<unknown> {
    return this.space;
  }

  /** The running statistics (read them; restore with {@link setState}). */
  get obsRms(): RunningMeanStd {
    return this.norm.rms;
  }

  /** Normalises `rows` raw observations of `src` into `dst` with the current statistics, leaving them alone: for acting on observations that did not come through this env. */
  normalizeRows(src: ArrayLike<number>, rows: number, dst: Float32Array): void {
    const d = this.env.observationSize;
    for (let i = 0; i < rows; i++) this.norm.normalizeRow(src, i * d, dst, i * d);
  }

  /** Whether observations update the statistics; false freezes them (evaluation). */
  get updateStats(): boolean {
    return this.norm.updateStats;
  }

  set updateStats(value: boolean) {
    this.norm.updateStats = value;
  }

  get epsilon(): number {
    return this.norm.epsilon;
  }

  get clip(): number | undefined {
    return this.norm.clip;
  }

  override reset(options?: VectorResetOptions): MaybePromise<VectorResetResult> {
    return thenMaybe(this.env.reset(options), (r) => {
      this.normalizeBatch(r.observations);
      return { observations: this.obsOut, infos: r.infos };
    });
  }

  override step(actions: BatchedActions): MaybePromise<VectorStepResult> {
    return thenMaybe(this.env.step(actions), (r) => {
      this.normalizeBatch(r.observations);
      const d = this.observationSize;
      for (let i = 0; i < this.numEnvs; i++) {
        if (r.terminated[i] || r.truncated[i]) this.norm.normalizeRow(r.finalObservations, i * d, this.finalOut, i * d);
      }
      const out = assignStepResult(this.out, r);
      out.observations = this.obsOut;
      out.finalObservations = this.finalOut;
      return out;
    });
  }

  private normalizeBatch(obs: Float32Array): void {
    if (obs.length !== this.obsOut.length) {
      throw new SpaceMismatchError(`VectorNormalizeObservation expected ${this.numEnvs}×${this.observationSize} observations, got ${obs.length} entries`);
    }
    this.norm.observe(obs, this.numEnvs);
    const d = this.observationSize;
    for (let i = 0; i < this.numEnvs; i++) this.norm.normalizeRow(obs, i * d, this.obsOut, i * d);
  }

  /** A JSON-serialisable checkpoint of the statistics. */
  getState(): NormalizeObservationState {
    return this.norm.getState();
  }

  /** Restores statistics saved by {@link getState}. */
  setState(state: NormalizeObservationState): void {
    this.norm.setState(state, 'VectorNormalizeObservation');
  }
}
