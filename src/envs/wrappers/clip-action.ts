import type { MaybePromise } from '../../core/maybe-promise.js';
import { Box, type Space } from '../../core/spaces.js';
import type { Env, StepResult } from '../env.js';
import type { BatchedActions, VectorEnv, VectorStepResult } from '../vector/vector-env.js';
import { checkActionRow, checkFloatActions, requireBox } from './internal.js';
import { VectorWrapper, Wrapper } from './wrapper.js';

/**
 * Clips Box actions into the inner env's bounds before stepping, as Gymnasium's
 * `ClipAction`. The wrapper's action space is the unbounded Box of the same shape, so any
 * finite action is accepted. NaN stays NaN (the inner env rejects it).
 */
export class ClipAction<O = Float32Array> extends Wrapper<O, Float32Array> {
  private readonly innerBox: Box;
  private readonly space: Box;

  constructor(env: Env<O, Float32Array>) {
    super(env);
    this.innerBox = requireBox(env.actionSpace, 'ClipAction', 'action');
    this.space = new Box(-Infinity, Infinity, this.innerBox.shape);
  }

  override get actionSpace(): Space<Float32Array> {
    return this.space;
  }

  override step(action: Float32Array): MaybePromise<StepResult<O>> {
    const n = this.innerBox.flatDim;
    checkActionRow(action, n, 'ClipAction');
    // A fresh array: the inner env may keep the action it was given.
    const clipped = new Float32Array(n);
    clipInto(action, 0, clipped, 0, this.innerBox);
    return this.env.step(clipped);
  }
}

/** Writes `src[srcOffset …]` clipped into `box`'s bounds to `dst[dstOffset …]` (one row of `box.flatDim` entries). */
export function clipInto(src: ArrayLike<number>, srcOffset: number, dst: Float32Array, dstOffset: number, box: Box): void {
  for (let j = 0; j < box.flatDim; j++) {
    const v = src[srcOffset + j] as number;
    const lo = box.low[j] as number;
    const hi = box.high[j] as number;
    dst[dstOffset + j] = v < lo ? lo : v > hi ? hi : v;
  }
}

/** Vector version of {@link ClipAction}: clips every copy's row of a batched Box action into a reused buffer. */
export class VectorClipAction extends VectorWrapper {
  private readonly innerBox: Box;
  private readonly space: Box;
  private readonly buffer: Float32Array;

  constructor(env: VectorEnv) {
    super(env);
    this.innerBox = requireBox(env.singleActionSpace, 'VectorClipAction', 'action');
    this.space = new Box(-Infinity, Infinity, this.innerBox.shape);
    this.buffer = new Float32Array(env.numEnvs * this.innerBox.flatDim);
  }

  override get singleActionSpace(): Space<unknown> {
    return this.space;
  }

  override step(actions: BatchedActions): MaybePromise<VectorStepResult> {
    const d = this.innerBox.flatDim;
    checkFloatActions(actions, this.buffer.length, 'VectorClipAction');
    for (let i = 0; i < this.numEnvs; i++) clipInto(actions, i * d, this.buffer, i * d, this.innerBox);
    return this.env.step(this.buffer);
  }
}
