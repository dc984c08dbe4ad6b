/**
 * The training worlds of a gradient agent: B worlds of a locomotion task in one
 * {@link LocomotionBatch} (physics state, resets with the env's noise), the differentiable
 * observation/reward view of the same task, and per-world reset streams.
 * @module
 */

import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import '../../envs/index.js';
import { DifferentiableLocomotion } from '../../envs/locomotion/differentiable.js';
import { LocomotionBatch } from '../../envs/locomotion/locomotion-env.js';
import { LOCOMOTION_MAX_EPISODE_STEPS, LOCOMOTION_TASKS, type LocomotionOptions, type LocomotionTask } from '../../envs/locomotion/tasks.js';
import { registration } from '../../envs/registry.js';
import { Rollout } from '../../physics/backward/rollout.js';
import type { PhysicsData } from '../../physics/state.js';
import { EpisodeWorlds, type WorldsSnapshot } from './episode-worlds.js';
import type { TrainingWorlds } from './training-worlds.js';

/** The locomotion task behind `envId`, or a ConfigError naming the envs a gradient agent can train on. */
export function differentiableTask(envId: string, algo: string): LocomotionTask {
  const task = LOCOMOTION_TASKS.find((t) => t.id === envId);
  if (task === undefined) {
    throw new ConfigError(`${algo} differentiates through rxrl's physics, so it needs one of its locomotion envs (${LOCOMOTION_TASKS.map((t) => t.id).join(', ')}); got "${envId}"`);
  }
  return task;
}

/** The registered time limit of `envId` (the locomotion default when it has none). */
export function registeredTimeLimit(envId: string): number {
  return registration(envId).maxEpisodeSteps ?? LOCOMOTION_MAX_EPISODE_STEPS;
}

/** Serialisable state of {@link LocomotionWorlds}. */
export type LocomotionWorldsSnapshot = WorldsSnapshot;

/** B worlds of a task with per-world episode counters and reset streams. */
export class LocomotionWorlds extends EpisodeWorlds implements TrainingWorlds {
  readonly batch: LocomotionBatch;
  readonly diff: DifferentiableLocomotion;
  readonly data: PhysicsData;
  readonly actionLow: Float32Array;
  readonly actionHigh: Float32Array;

  constructor(
    readonly task: LocomotionTask,
    size: number,
    seed: string,
    options: LocomotionOptions = {},
  ) {
    super(task.id, size);
    this.batch = new LocomotionBatch(task, size, options);
    this.diff = DifferentiableLocomotion.of(this.batch);
    this.data = this.batch.data;
    this.actionLow = this.batch.actionSpace.low;
    this.actionHigh = this.batch.actionSpace.high;
    this.restart(seed);
  }

  protected resetState(w: number, rng: Rng): void {
    this.batch.resetWorld(w, rng);
  }

  /** The physics window: `Rollout` over the worlds, one env step being the task's frame skip in substeps. */
  createWindow(horizon: number): Rollout {
    return new Rollout(this.batch.model, this.batch.data, { horizon, substeps: this.batch.settings.frameSkip });
  }
}
