import { ConfigError, describeValue } from '../../core/errors.js';
import { thenMaybe, type MaybePromise } from '../../core/maybe-promise.js';
import { Box, type Space } from '../../core/spaces.js';
import type { Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import type { BatchedActions, VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from '../vector/vector-env.js';
import { assignStepResult, checkObservationLength, emptyStepResult, requireBox, type Mutable } from './internal.js';
import { VectorWrapper, Wrapper } from './wrapper.js';

/** Indices of the flat entries kept when `hidden` are removed from `size`, validated. */
function keptIndices(size: number, hidden: readonly number[], wrapper: string): Int32Array {
  const isHidden = new Uint8Array(size);
  for (const h of hidden) {
    if (!Number.isInteger(h) || h < 0 || h >= size) {
      throw new ConfigError(`${wrapper} hidden index ${describeValue(h)} is out of range: the observation has ${size} entries (valid indices 0..${size - 1})`);
    }
    if (isHidden[h]) throw new ConfigError(`${wrapper} hidden index ${h} is listed twice`);
    isHidden[h] = 1;
  }
  if (hidden.length === size) throw new ConfigError(`${wrapper} would hide all ${size} entries of the observation`);
  const kept = new Int32Array(size - hidden.length);
  let o = 0;
  for (let j = 0; j < size; j++) if (!isHidden[j]) kept[o++] = j;
  return kept;
}

/** The 1-D Box of the kept entries' bounds. */
function maskedSpace(box: Box, kept: Int32Array): Box {
  const low = new Float32Array(kept.length);
  const high = new Float32Array(kept.length);
  kept.forEach((j, o) => {
    low[o] = box.low[j] as number;
    high[o] = box.high[j] as number;
  });
  return new Box(low, high, [kept.length]);
}

function gather(src: ArrayLike<number>, srcOffset: number, kept: Int32Array, dst: Float32Array, dstOffset: number): void {
  for (let o = 0; o < kept.length; o++) dst[dstOffset + o] = src[srcOffset + (kept[o] as number)] as number;
}

/**
 * Removes the entries at `hiddenIndices` (flat indices) of a Box observation, to make a
 * partially observable version of an env: e.g. CartPole without velocities is
 * `new MaskObservation(env, [1, 3])`. The observation space is the 1-D Box of the kept
 * entries, in their original order. Returns a new array each call.
 */
export class MaskObservation<A = unknown> extends Wrapper<Float32Array, A> {
  /** Flat indices of the inner observation that are kept, ascending. */
  readonly keptIndices: Int32Array;
  private readonly innerSize: number;
  private readonly space: Box;

  constructor(env: Env<Float32Array, A>, hiddenIndices: readonly number[]) {
    super(env);
    const box = requireBox(env.observationSpace, 'MaskObservation', 'observation');
    this.innerSize = box.flatDim;
    this.keptIndices = keptIndices(box.flatDim, hiddenIndices, 'MaskObservation');
    this.space = maskedSpace(box, this.keptIndices);
  }

  override get observationSpace(): Space<Float32Array> {
    return this.space;
  }

  override reset(options?: ResetOptions): MaybePromise<ResetResult<Float32Array>> {
    return thenMaybe(this.env.reset(options), (r) => ({ observation: this.mask(r.observation), info: r.info }));
  }

  override step(action: A): MaybePromise<StepResult<Float32Array>> {
    return thenMaybe(this.env.step(action), (r) => ({ ...r, observation: this.mask(r.observation) }));
  }

  private mask(observation: Float32Array): Float32Array {
    checkObservationLength(observation, this.innerSize, 'MaskObservation');
    const out = new Float32Array(this.keptIndices.length);
    gather(observation, 0, this.keptIndices, out, 0);
    return out;
  }
}

/** Vector version of {@link MaskObservation}; also masks `finalObservations` rows of finished copies. Writes into reused buffers. */
export class VectorMaskObservation extends VectorWrapper {
  /** Flat indices of the inner observation that are kept, ascending. */
  readonly keptIndices: Int32Array;
  private readonly space: Box;
  private readonly obsOut: Float32Array;
  private readonly finalOut: Float32Array;
  private readonly out: Mutable<VectorStepResult> = emptyStepResult();

  constructor(env: VectorEnv, hiddenIndices: readonly number[]) {
    super(env);
    const box = requireBox(env.singleObservationSpace, 'VectorMaskObservation', 'observation');
    this.keptIndices = keptIndices(box.flatDim, hiddenIndices, 'VectorMaskObservation');
    this.space = maskedSpace(box, this.keptIndices);
    this.obsOut = new Float32Array(env.numEnvs * this.keptIndices.length);
    this.finalOut = new Float32Array(env.numEnvs * this.keptIndices.length);
  }

  override get singleObservationSpace(): Space<unknown> {
    return this.space;
  }

  override get observationSize(): number {
    return this.keptIndices.length;
  }

  override reset(options?: VectorResetOptions): MaybePromise<VectorResetResult> {
    return thenMaybe(this.env.reset(options), (r) => {
      this.maskBatch(r.observations);
      return { observations: this.obsOut, infos: r.infos };
    });
  }

  override step(actions: BatchedActions): MaybePromise<VectorStepResult> {
    return thenMaybe(this.env.step(actions), (r) => {
      this.maskBatch(r.observations);
      const n = this.env.observationSize;
      const m = this.keptIndices.length;
      for (let i = 0; i < this.numEnvs; i++) {
        if (r.terminated[i] || r.truncated[i]) gather(r.finalObservations, i * n, this.keptIndices, this.finalOut, i * m);
      }
      const out = assignStepResult(this.out, r);
      out.observations = this.obsOut;
      out.finalObservations = this.finalOut;
      return out;
    });
  }

  private maskBatch(observations: Float32Array): void {
    const n = this.env.observationSize;
    const m = this.keptIndices.length;
    checkObservationLength(observations, this.numEnvs * n, 'VectorMaskObservation');
    for (let i = 0; i < this.numEnvs; i++) gather(observations, i * n, this.keptIndices, this.obsOut, i * m);
  }
}
