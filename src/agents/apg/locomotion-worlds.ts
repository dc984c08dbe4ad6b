/**
 * The training worlds of a gradient agent: B worlds of a locomotion task in one
 * {@link LocomotionBatch} (physics state, resets with the env's noise), the differentiable
 * observation/reward view of the same task, and per-world reset streams.
 * @module
 */

import { ConfigError } from '../../core/errors.js';
import { Rng, type RngState } from '../../core/rng.js';
import '../../envs/index.js';
import { DifferentiableLocomotion } from '../../envs/locomotion/differentiable.js';
import { LocomotionBatch } from '../../envs/locomotion/locomotion-env.js';
import { LOCOMOTION_MAX_EPISODE_STEPS, LOCOMOTION_TASKS, type LocomotionOptions, type LocomotionTask } from '../../envs/locomotion/tasks.js';
import { registration } from '../../envs/registry.js';
import { Rollout } from '../../physics/backward/rollout.js';
import type { PhysicsData } from '../../physics/state.js';
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
export interface LocomotionWorldsSnapshot {
  readonly task: string;
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
  readonly stepCounts: Int32Array;
  readonly episodeReturns: Float64Array;
  readonly rngs: readonly RngState[];
}

/** B worlds of a task with per-world episode counters and reset streams. */
export class LocomotionWorlds implements TrainingWorlds {
  readonly batch: LocomotionBatch;
  readonly diff: DifferentiableLocomotion;
  /** Steps taken in each world's current episode. */
  readonly stepCounts: Int32Array;
  /** Raw return of each world's current episode so far. */
  readonly episodeReturns: Float64Array;
  private rngs: Rng[];
  readonly data: PhysicsData;
  readonly actionLow: Float32Array;
  readonly actionHigh: Float32Array;

  constructor(
    readonly task: LocomotionTask,
    readonly size: number,
    seed: string,
    options: LocomotionOptions = {},
  ) {
    this.batch = new LocomotionBatch(task, size, options);
    this.diff = DifferentiableLocomotion.of(this.batch);
    this.data = this.batch.data;
    this.actionLow = this.batch.actionSpace.low;
    this.actionHigh = this.batch.actionSpace.high;
    this.stepCounts = new Int32Array(size);
    this.episodeReturns = new Float64Array(size);
    this.rngs = [];
    this.restart(seed);
  }

  /** Resets every world with fresh streams `${seed}/w` (the vector envs' per-copy seeding). */
  restart(seed: string): void {
    const root = new Rng(seed);
    this.rngs = Array.from({ length: this.size }, (_, w) => root.split(w));
    for (let w = 0; w < this.size; w++) this.resetWorld(w);
  }

  /** Starts a new episode in world w (the env's reset distribution). */
  resetWorld(w: number): void {
    this.batch.resetWorld(w, this.rngs[w] as Rng);
    this.stepCounts[w] = 0;
    this.episodeReturns[w] = 0;
  }

  /** The physics window: `Rollout` over the worlds, one env step being the task's frame skip in substeps. */
  createWindow(horizon: number): Rollout {
    return new Rollout(this.batch.model, this.batch.data, { horizon, substeps: this.batch.settings.frameSkip });
  }

  getSnapshot(): LocomotionWorldsSnapshot {
    const { data } = this.batch;
    return { task: this.task.id, qpos: data.qpos.slice(), qvel: data.qvel.slice(), stepCounts: this.stepCounts.slice(), episodeReturns: this.episodeReturns.slice(), rngs: this.rngs.map((r) => r.getState()) };
  }

  setSnapshot(s: unknown): void {
    const snapshot = s as LocomotionWorldsSnapshot;
    const { data } = this.batch;
    if (snapshot.task !== this.task.id || snapshot.qpos.length !== data.qpos.length || snapshot.qvel.length !== data.qvel.length || snapshot.rngs.length !== this.size) {
      throw new ConfigError(`training worlds of ${snapshot.task} × ${snapshot.rngs.length} do not fit ${this.task.id} × ${this.size}`);
    }
    data.qpos.set(snapshot.qpos);
    data.qvel.set(snapshot.qvel);
    this.stepCounts.set(snapshot.stepCounts);
    this.episodeReturns.set(snapshot.episodeReturns);
    this.rngs = snapshot.rngs.map((s) => Rng.fromState(s));
  }
}
