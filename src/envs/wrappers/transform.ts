import { thenMaybe, type MaybePromise } from '../../core/maybe-promise.js';
import type { Space } from '../../core/spaces.js';
import type { Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import { Wrapper } from './wrapper.js';

/**
 * Applies `fn` to every observation (from `reset` and `step`), as Gymnasium's
 * `TransformObservation`. Pass `space` whenever `fn` changes the observation's type, shape
 * or range; without it the inner observation space is reported unchanged.
 */
export class TransformObservation<O, A = unknown, InnerO = O> extends Wrapper<O, A, InnerO, A> {
  private readonly fn: (observation: InnerO) => O;
  private readonly space: Space<O> | undefined;

  constructor(env: Env<InnerO, A>, fn: (observation: InnerO) => O, space?: Space<O>) {
    super(env);
    this.fn = fn;
    this.space = space;
  }

  override get observationSpace(): Space<O> {
    return this.space ?? super.observationSpace;
  }

  override reset(options?: ResetOptions): MaybePromise<ResetResult<O>> {
    return thenMaybe(this.env.reset(options), (r) => ({ observation: this.fn(r.observation), info: r.info }));
  }

  override step(action: A): MaybePromise<StepResult<O>> {
    return thenMaybe(this.env.step(action), (r) => ({ ...r, observation: this.fn(r.observation) }));
  }
}

/** Applies `fn` to every reward, as Gymnasium's `TransformReward` (e.g. `(r) => Math.sign(r)` for reward clipping). */
export class TransformReward<O = Float32Array, A = unknown> extends Wrapper<O, A> {
  private readonly fn: (reward: number) => number;

  constructor(env: Env<O, A>, fn: (reward: number) => number) {
    super(env);
    this.fn = fn;
  }

  override step(action: A): MaybePromise<StepResult<O>> {
    return thenMaybe(this.env.step(action), (r) => ({ ...r, reward: this.fn(r.reward) }));
  }
}
