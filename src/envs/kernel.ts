import type { Rng } from '../core/rng.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { Info } from './env.js';
import type { BatchedActions } from './vector/vector-env.js';

/** Reusable output slot of {@link EnvKernel.step}, so a step allocates nothing. */
export interface KernelStepOut {
  reward: number;
  terminated: boolean;
}

/**
 * The dynamics of a built-in environment written once over structure-of-arrays buffers.
 *
 * The same kernel serves the single env (`KernelEnv`, one copy) and the native vector env
 * (`KernelVectorEnv`, N copies in one tight loop), so there is one implementation of each
 * environment's physics. Copy i's physical state lives at `state[i*stateSize … (i+1)*stateSize)`
 * in float64 (Gymnasium computes in float64 too); observations are written as float32.
 */
export interface EnvKernel {
  /** Gymnasium id of the environment this kernel reproduces. */
  readonly id: string;
  readonly observationSpace: Box;
  readonly actionSpace: Box | Discrete;
  /** Floats of physical state per copy (the layout of Gymnasium's `env.unwrapped.state`). */
  readonly stateSize: number;
  /** Entries per copy in the batched action array (1 for Discrete). */
  readonly actionSize: number;
  /** Samples copy i's initial state (Gymnasium's reset distribution). */
  resetState(state: Float64Array, offset: number, rng: Rng): void;
  /**
   * Advances one copy by one step with the action at `actions[actionOffset …]`.
   * The action is already validated (integer in range, or finite floats); Box actions are
   * not clipped beforehand, the kernel clips them as Gymnasium does.
   */
  step(state: Float64Array, offset: number, actions: BatchedActions, actionOffset: number, out: KernelStepOut): void;
  /** Writes copy i's observation. */
  observe(state: Float64Array, offset: number, obs: Float32Array, obsOffset: number): void;
  /** The info of a finished episode (e.g. `is_success`), read before the copy is reset; default empty. */
  finalInfo?(state: Float64Array, offset: number): Info;
  /** A picture of copy i in text, lines separated by newlines, for people (Gymnasium's `ansi` render mode); optional. */
  renderText?(state: Float64Array, offset: number): string;
}
