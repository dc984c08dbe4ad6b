import { SpaceMismatchError } from '../../core/errors.js';
import { thenMaybe, type MaybePromise } from '../../core/maybe-promise.js';
import { Box, type Space } from '../../core/spaces.js';
import type { Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import type { BatchedActions, VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from '../vector/vector-env.js';
import { assignStepResult, checkObservationLength, copyRange, emptyStepResult, requireBox, requireInteger, type Mutable } from './internal.js';
import { VectorWrapper, Wrapper } from './wrapper.js';

/** Box of k stacked frames: shape `[k, ...shape]`, bounds repeated. */
function stackedSpace(box: Box, k: number): Box {
  const n = box.flatDim;
  const low = new Float32Array(k * n);
  const high = new Float32Array(k * n);
  for (let f = 0; f < k; f++) {
    low.set(box.low, f * n);
    high.set(box.high, f * n);
  }
  return new Box(low, high, [k, ...box.shape]);
}

/** Fills the k frames of the block at `base` with the row of `src` at `srcOffset` (padding at reset). */
function fillStack(stack: Float32Array, base: number, k: number, n: number, src: ArrayLike<number>, srcOffset: number): void {
  for (let f = 0; f < k; f++) copyRange(src, srcOffset, stack, base + f * n, n);
}

/** Drops the oldest frame of the block at `base` and appends the row of `src` at `srcOffset`. */
function pushFrame(stack: Float32Array, base: number, k: number, n: number, src: ArrayLike<number>, srcOffset: number): void {
  stack.copyWithin(base, base + n, base + k * n);
  copyRange(src, srcOffset, stack, base + (k - 1) * n, n);
}

/**
 * Stacks the last `k` Box observations, oldest first, as Gymnasium's
 * `FrameStackObservation` with `padding_type="reset"`: after `reset` every slot holds the
 * first observation. The observation is the flat concatenation of the k frames; the
 * space is the Box of shape `[k, ...shape]`. Returns a new array each call.
 */
export class FrameStack<A = unknown> extends Wrapper<Float32Array, A> {
  /** Number of stacked frames. */
  readonly k: number;
  private readonly frameSize: number;
  private readonly space: Box;
  private readonly stack: Float32Array;

  constructor(env: Env<Float32Array, A>, k: number) {
    super(env);
    requireInteger(k, 1, 'FrameStack k');
    const box = requireBox(env.observationSpace, 'FrameStack', 'observation');
    this.k = k;
    this.frameSize = box.flatDim;
    this.space = stackedSpace(box, k);
    this.stack = new Float32Array(k * box.flatDim);
  }

  override get observationSpace(): Space<Float32Array> {
    return this.space;
  }

  override reset(options?: ResetOptions): MaybePromise<ResetResult<Float32Array>> {
    return thenMaybe(this.env.reset(options), (r) => {
      checkObservationLength(r.observation, this.frameSize, 'FrameStack');
      fillStack(this.stack, 0, this.k, this.frameSize, r.observation, 0);
      return { observation: this.stack.slice(), info: r.info };
    });
  }

  override step(action: A): MaybePromise<StepResult<Float32Array>> {
    return thenMaybe(this.env.step(action), (r) => {
      checkObservationLength(r.observation, this.frameSize, 'FrameStack');
      pushFrame(this.stack, 0, this.k, this.frameSize, r.observation, 0);
      return { ...r, observation: this.stack.slice() };
    });
  }
}

/**
 * Vector version of {@link FrameStack}. With same-step autoreset, a copy that finished
 * this step starts a new stack padded with its new first observation, and its
 * `finalObservations` row is the stack of the finished episode's last k frames (the
 * value to bootstrap from). Writes into reused buffers.
 */
export class VectorFrameStack extends VectorWrapper {
  /** Number of stacked frames. */
  readonly k: number;
  private readonly frameSize: number;
  private readonly space: Box;
  private readonly stack: Float32Array;
  private readonly obsOut: Float32Array;
  private readonly finalOut: Float32Array;
  private readonly out: Mutable<VectorStepResult> = emptyStepResult();

  constructor(env: VectorEnv, k: number) {
    super(env);
    requireInteger(k, 1, 'VectorFrameStack k');
    const box = requireBox(env.singleObservationSpace, 'VectorFrameStack', 'observation');
    if (box.flatDim !== env.observationSize) {
      throw new SpaceMismatchError(`VectorFrameStack: observationSize is ${env.observationSize} but the observation space has ${box.flatDim} entries`);
    }
    this.k = k;
    this.frameSize = env.observationSize;
    this.space = stackedSpace(box, k);
    this.stack = new Float32Array(env.numEnvs * k * this.frameSize);
    this.obsOut = new Float32Array(this.stack.length);
    this.finalOut = new Float32Array(this.stack.length);
  }

  protected override ownSnapshot(): unknown {
    return { stack: this.stack.slice() };
  }

  protected override restoreOwnSnapshot(own: unknown): void {
    this.stack.set((own as { stack: Float32Array }).stack);
  }

  override get singleObservationSpace(): Space<unknown> {
    return this.space;
  }

  override get observationSize(): number {
    return this.k * this.frameSize;
  }

  override reset(options?: VectorResetOptions): MaybePromise<VectorResetResult> {
    return thenMaybe(this.env.reset(options), (r) => {
      const { k, frameSize: n } = this;
      checkObservationLength(r.observations, this.numEnvs * n, 'VectorFrameStack');
      for (let i = 0; i < this.numEnvs; i++) fillStack(this.stack, i * k * n, k, n, r.observations, i * n);
      this.obsOut.set(this.stack);
      return { observations: this.obsOut, infos: r.infos };
    });
  }

  override step(actions: BatchedActions): MaybePromise<VectorStepResult> {
    return thenMaybe(this.env.step(actions), (r) => {
      const { k, frameSize: n } = this;
      checkObservationLength(r.observations, this.numEnvs * n, 'VectorFrameStack');
      for (let i = 0; i < this.numEnvs; i++) {
        const base = i * k * n;
        if (r.terminated[i] || r.truncated[i]) {
          // Final stack: the older k−1 frames, then the episode's last observation.
          copyRange(this.stack, base + n, this.finalOut, base, (k - 1) * n);
          copyRange(r.finalObservations, i * n, this.finalOut, base + (k - 1) * n, n);
          fillStack(this.stack, base, k, n, r.observations, i * n);
        } else {
          pushFrame(this.stack, base, k, n, r.observations, i * n);
        }
      }
      this.obsOut.set(this.stack);
      const out = assignStepResult(this.out, r);
      out.observations = this.obsOut;
      out.finalObservations = this.finalOut;
      return out;
    });
  }
}
