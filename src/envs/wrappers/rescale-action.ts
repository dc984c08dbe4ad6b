import { ConfigError, SpaceMismatchError } from '../../core/errors.js';
import type { MaybePromise } from '../../core/maybe-promise.js';
import { Box, describeSpace, type Space } from '../../core/spaces.js';
import type { Env, StepResult } from '../env.js';
import type { BatchedActions, VectorEnv, VectorStepResult } from '../vector/vector-env.js';
import { checkActionRow, checkFloatActions, requireBox } from './internal.js';
import { VectorWrapper, Wrapper } from './wrapper.js';

/** Per-entry affine map from `[min, max]` onto the inner Box's `[low, high]`. */
class AffineActionMap {
  readonly space: Box;
  private readonly gradient: Float64Array;
  private readonly intercept: Float64Array;

  constructor(
    private readonly inner: Box,
    min: number | ArrayLike<number>,
    max: number | ArrayLike<number>,
    wrapper: string,
  ) {
    for (let j = 0; j < inner.flatDim; j++) {
      if (!Number.isFinite(inner.low[j]) || !Number.isFinite(inner.high[j])) {
        throw new SpaceMismatchError(`${wrapper} needs a bounded Box action space, got ${describeSpace(inner)} with entry ${j} in [${inner.low[j]}, ${inner.high[j]}]`);
      }
    }
    this.space = new Box(min, max, inner.shape);
    this.gradient = new Float64Array(inner.flatDim);
    this.intercept = new Float64Array(inner.flatDim);
    for (let j = 0; j < inner.flatDim; j++) {
      const lo = this.space.low[j] as number;
      const hi = this.space.high[j] as number;
      if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
        throw new ConfigError(`${wrapper} min and max must be finite with min < max, got min=${lo}, max=${hi} at entry ${j}`);
      }
      const g = ((inner.high[j] as number) - (inner.low[j] as number)) / (hi - lo);
      this.gradient[j] = g;
      this.intercept[j] = (inner.low[j] as number) - g * lo;
    }
  }

  /** Maps one action row; the result is clipped into the inner bounds (float rounding can overshoot, as in Gymnasium 1.x). */
  apply(src: ArrayLike<number>, srcOffset: number, dst: Float32Array, dstOffset: number): void {
    for (let j = 0; j < this.inner.flatDim; j++) {
      const v = (this.intercept[j] as number) + (this.gradient[j] as number) * (src[srcOffset + j] as number);
      const lo = this.inner.low[j] as number;
      const hi = this.inner.high[j] as number;
      dst[dstOffset + j] = v < lo ? lo : v > hi ? hi : v;
    }
  }
}

/**
 * Lets the agent act in `[min, max]` (scalars or per-entry arrays) and maps actions
 * linearly onto the inner env's bounded Box `[low, high]`, as Gymnasium's `RescaleAction`.
 * The usual use is `new RescaleAction(env, -1, 1)` for a tanh-squashed policy.
 */
export class RescaleAction<O = Float32Array> extends Wrapper<O, Float32Array> {
  private readonly map: AffineActionMap;

  constructor(env: Env<O, Float32Array>, min: number | ArrayLike<number>, max: number | ArrayLike<number>) {
    super(env);
    this.map = new AffineActionMap(requireBox(env.actionSpace, 'RescaleAction', 'action'), min, max, 'RescaleAction');
  }

  /** `Box(min, max)` with the inner shape. */
  override get actionSpace(): Space<Float32Array> {
    return this.map.space;
  }

  override step(action: Float32Array): MaybePromise<StepResult<O>> {
    const n = this.map.space.flatDim;
    checkActionRow(action, n, 'RescaleAction');
    // A fresh array: the inner env may keep the action it was given.
    const out = new Float32Array(n);
    this.map.apply(action, 0, out, 0);
    return this.env.step(out);
  }
}

/** Vector version of {@link RescaleAction}, writing into a reused buffer. */
export class VectorRescaleAction extends VectorWrapper {
  private readonly map: AffineActionMap;
  private readonly buffer: Float32Array;

  constructor(env: VectorEnv, min: number | ArrayLike<number>, max: number | ArrayLike<number>) {
    super(env);
    this.map = new AffineActionMap(requireBox(env.singleActionSpace, 'VectorRescaleAction', 'action'), min, max, 'VectorRescaleAction');
    this.buffer = new Float32Array(env.numEnvs * this.map.space.flatDim);
  }

  override get singleActionSpace(): Space<unknown> {
    return this.map.space;
  }

  override step(actions: BatchedActions): MaybePromise<VectorStepResult> {
    const d = this.map.space.flatDim;
    checkFloatActions(actions, this.buffer.length, 'VectorRescaleAction');
    for (let i = 0; i < this.numEnvs; i++) this.map.apply(actions, i * d, this.buffer, i * d);
    return this.env.step(this.buffer);
  }
}
