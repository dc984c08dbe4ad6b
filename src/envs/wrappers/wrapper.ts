import type { MaybePromise } from '../../core/maybe-promise.js';
import type { Space } from '../../core/spaces.js';
import type { AnyEnv, Env, EnvSpec, ResetOptions, ResetResult, StepResult } from '../env.js';
import { ConfigError } from '../../core/errors.js';
import { isSnapshotVectorEnv, type BatchedActions, type VectorEnv, type VectorResetOptions, type VectorResetResult, type VectorStepResult } from '../vector/vector-env.js';

/**
 * Base class of single-env wrappers, as Gymnasium's `gym.Wrapper`: every member forwards
 * to the wrapped `env` until a subclass overrides it.
 *
 * The default members hand the inner env's values through unchanged, so a subclass whose
 * observation type `O` differs from `InnerO` (or action type `A` from `InnerA`) must
 * override the corresponding space getter and `reset`/`step`.
 *
 * Sync stays sync: overrides compose with `thenMaybe`, so a synchronous inner env gives
 * plain values and an asynchronous one gives promises.
 */
export class Wrapper<O = Float32Array, A = unknown, InnerO = O, InnerA = A> implements Env<O, A> {
  /** The wrapped environment. */
  readonly env: Env<InnerO, InnerA>;
  // Own spec once assigned; until then the inner env's spec shows through.
  private ownSpec: { value: EnvSpec | undefined } | undefined;

  constructor(env: Env<InnerO, InnerA>) {
    this.env = env;
  }

  /** The inner env's observation space unless a subclass overrides it. */
  get observationSpace(): Space<O> {
    return this.env.observationSpace as unknown as Space<O>;
  }

  /** The inner env's action space unless a subclass overrides it. */
  get actionSpace(): Space<A> {
    return this.env.actionSpace as unknown as Space<A>;
  }

  /** The inner env's spec, unless one was assigned to this wrapper. */
  get spec(): EnvSpec | undefined {
    return this.ownSpec === undefined ? this.env.spec : this.ownSpec.value;
  }

  set spec(value: EnvSpec | undefined) {
    this.ownSpec = { value };
  }

  /** The innermost environment, below every {@link Wrapper}. */
  get unwrapped(): AnyEnv {
    return this.env instanceof Wrapper ? (this.env.unwrapped as AnyEnv) : (this.env as AnyEnv);
  }

  reset(options?: ResetOptions): MaybePromise<ResetResult<O>> {
    return this.env.reset(options) as unknown as MaybePromise<ResetResult<O>>;
  }

  step(action: A): MaybePromise<StepResult<O>> {
    return this.env.step(action as unknown as InnerA) as unknown as MaybePromise<StepResult<O>>;
  }

  close(): MaybePromise<void> {
    return this.env.close();
  }
}

/**
 * Base class of vector-env wrappers, as Gymnasium's `VectorWrapper`: every member forwards
 * to the wrapped `env` until a subclass overrides it. Subclasses that change the
 * observation layout override `singleObservationSpace` and `observationSize` (as getters).
 */
export class VectorWrapper implements VectorEnv {
  /** The wrapped vector environment. */
  readonly env: VectorEnv;

  constructor(env: VectorEnv) {
    this.env = env;
  }

  get numEnvs(): number {
    return this.env.numEnvs;
  }

  get singleObservationSpace(): Space<unknown> {
    return this.env.singleObservationSpace;
  }

  get singleActionSpace(): Space<unknown> {
    return this.env.singleActionSpace;
  }

  get observationSize(): number {
    return this.env.observationSize;
  }

  get actionSize(): number {
    return this.env.actionSize;
  }

  get spec(): EnvSpec | undefined {
    return this.env.spec;
  }

  /** The innermost vector environment, below every {@link VectorWrapper}. */
  get unwrapped(): VectorEnv {
    return this.env instanceof VectorWrapper ? this.env.unwrapped : this.env;
  }

  reset(options?: VectorResetOptions): MaybePromise<VectorResetResult> {
    return this.env.reset(options);
  }

  step(actions: BatchedActions): MaybePromise<VectorStepResult> {
    return this.env.step(actions);
  }

  close(): MaybePromise<void> {
    return this.env.close();
  }

  /**
   * Saves the wrapped env's state and this wrapper's own (see `SnapshotVectorEnv`); throws
   * naming the env below that cannot save its state.
   */
  getSnapshot(): VectorWrapperSnapshot {
    if (!isSnapshotVectorEnv(this.env)) throw new ConfigError(`${this.env.constructor.name} cannot save its state, so ${this.constructor.name} cannot either`);
    return { inner: this.env.getSnapshot(), own: this.ownSnapshot() };
  }

  setSnapshot(snapshot: unknown): void {
    const s = snapshot as VectorWrapperSnapshot;
    if (!isSnapshotVectorEnv(this.env)) throw new ConfigError(`${this.env.constructor.name} cannot restore a state`);
    this.env.setSnapshot(s.inner);
    this.restoreOwnSnapshot(s.own);
  }

  /** This wrapper's own state beyond its configuration; `null` for a stateless wrapper. Stateful subclasses override both hooks. */
  protected ownSnapshot(): unknown {
    return null;
  }

  protected restoreOwnSnapshot(_own: unknown): void {}
}

/** What {@link VectorWrapper.getSnapshot} returns. */
export interface VectorWrapperSnapshot {
  readonly inner: unknown;
  readonly own: unknown;
}
