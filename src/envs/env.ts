import type { MaybePromise } from '../core/maybe-promise.js';
import type { Space } from '../core/spaces.js';

/** Extra per-step or per-reset information, as Gymnasium's `info` dict. */
export type Info = Record<string, unknown>;


/** Arguments of {@link Env.reset}. */
export interface ResetOptions {
  /** Reseeds the environment's random stream; without it the stream continues (or is seeded from the clock on first use). */
  readonly seed?: number | string;
  /** Environment-specific options. Built-in classic envs accept `{ state: number[] }` to set the physical state. */
  readonly options?: Readonly<Record<string, unknown>>;
}

/** What {@link Env.reset} returns. */
export interface ResetResult<O> {
  readonly observation: O;
  readonly info: Info;
}

/** What {@link Env.step} returns. `terminated` (a true end: do not bootstrap) and `truncated` (a cut: bootstrap) are never merged. */
export interface StepResult<O> {
  readonly observation: O;
  readonly reward: number;
  readonly terminated: boolean;
  readonly truncated: boolean;
  readonly info: Info;
}

/** Registry metadata of an environment. */
export interface EnvSpec {
  readonly id: string;
  /** Episodes are truncated after this many steps (by the TimeLimit wrapper or the vector env). */
  readonly maxEpisodeSteps?: number;
  /** Return at which the task counts as solved. */
  readonly rewardThreshold?: number;
  /** Keyword arguments the env was made with. */
  readonly kwargs?: Readonly<Record<string, unknown>>;
}

/**
 * A single environment with Gymnasium's semantics. Implementations may be synchronous
 * (every built-in env) or return promises (bridged or threaded envs); callers handle both.
 */
export interface Env<O = Float32Array, A = unknown> {
  readonly observationSpace: Space<O>;
  readonly actionSpace: Space<A>;
  /** Set by `make()`; `undefined` for an env constructed directly. */
  spec: EnvSpec | undefined;
  reset(options?: ResetOptions): MaybePromise<ResetResult<O>>;
  step(action: A): MaybePromise<StepResult<O>>;
  close(): MaybePromise<void>;
}

/** Any env, whatever its element types (for code that only passes envs along). */
export type AnyEnv = Env<unknown, unknown>;
