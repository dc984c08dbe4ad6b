/**
 * The training worlds of an analytic-gradient agent (APG): B worlds of a differentiable task
 * with their state arrays, per-world episode counters and reset streams, and the window that
 * steps and differentiates them. Locomotion tasks run on the physics engine
 * (`LocomotionWorlds`), `rxrl/Reach-v0` on the IK kinematics (`ReachWorlds`).
 * @module
 */

import { ConfigError } from '../../core/errors.js';
import type { DifferentiableTask, DifferentiableWindow, WorldArrays } from '../../envs/differentiable-task.js';
import { isReachEnv } from '../../envs/ik/differentiable-reach.js';
import type { LocomotionOptions } from '../../envs/locomotion/tasks.js';
import { differentiableTask, LocomotionWorlds } from './locomotion-worlds.js';
import { ReachWorlds } from './reach-worlds.js';

/** B worlds an APG agent trains in. */
export interface TrainingWorlds {
  readonly size: number;
  readonly diff: DifferentiableTask;
  readonly data: WorldArrays;
  /** Action bounds. */
  readonly actionLow: ArrayLike<number>;
  readonly actionHigh: ArrayLike<number>;
  /** Steps taken in each world's current episode. */
  readonly stepCounts: Int32Array;
  /** Raw return of each world's current episode so far. */
  readonly episodeReturns: Float64Array;
  /** Starts a new episode in world w. */
  resetWorld(w: number): void;
  /** Resets every world with fresh streams `${seed}/w`. */
  restart(seed: string): void;
  getSnapshot(): unknown;
  setSnapshot(snapshot: unknown): void;
  /** A differentiable window of `horizon` steps over these worlds. */
  createWindow(horizon: number): DifferentiableWindow;
}

/** The training worlds of `envId` (a locomotion env or rxrl/Reach-v0), or a ConfigError naming the envs an analytic-gradient agent supports. */
export function createTrainingWorlds(envId: string, algo: string, size: number, seed: string, contact: LocomotionOptions, envKwargs: Readonly<Record<string, unknown>> = {}): TrainingWorlds {
  if (isReachEnv(envId)) {
    if (Object.keys(contact).length > 0) throw new ConfigError(`${algo}: trainingContact applies to the physics tasks; ${envId} has no contact`);
    return new ReachWorlds(envId, size, seed, envKwargs);
  }
  return new LocomotionWorlds(differentiableTask(envId, algo), size, seed, contact);
}
