/**
 * The training worlds of APG on `rxrl/Reach-v0`: B worlds of the Reach task's kinematic
 * dynamics, reset with the env's own distribution (its kernel), differentiated through
 * {@link DifferentiableReach} and {@link ReachWindow}.
 * @module
 */

import type { Rng } from '../../core/rng.js';
import type { WorldArrays } from '../../envs/differentiable-task.js';
import { DifferentiableReach, ReachWindow } from '../../envs/ik/differentiable-reach.js';
import { ReachKernel, type ReachOptions } from '../../envs/ik/reach.js';
import { EpisodeWorlds } from './episode-worlds.js';
import type { TrainingWorlds } from './training-worlds.js';

/** B Reach worlds with per-world episode counters and reset streams. */
export class ReachWorlds extends EpisodeWorlds implements TrainingWorlds {
  readonly diff: DifferentiableReach;
  readonly data: WorldArrays;
  readonly actionLow: Float32Array;
  readonly actionHigh: Float32Array;
  private readonly kernel: ReachKernel;
  private readonly state: Float64Array;

  constructor(envId: string, size: number, seed: string, options: ReachOptions = {}) {
    super(envId, size);
    this.kernel = new ReachKernel(envId, options);
    const n = this.kernel.dof;
    this.diff = new DifferentiableReach(this.kernel, size);
    this.data = { qpos: new Float64Array((n + 3) * size), qvel: new Float64Array(0), ctrl: new Float64Array(n * size) };
    this.actionLow = this.kernel.actionSpace.low;
    this.actionHigh = this.kernel.actionSpace.high;
    this.state = new Float64Array(this.kernel.stateSize);
    this.restart(seed);
  }

  /** A new episode from the env's reset distribution (the kernel's `resetState`). */
  protected resetState(w: number, rng: Rng): void {
    this.kernel.resetState(this.state, 0, rng);
    const B = this.size;
    for (let i = 0; i < this.kernel.dof + 3; i++) this.data.qpos[i * B + w] = this.state[i] as number;
  }

  createWindow(horizon: number): ReachWindow {
    return new ReachWindow(this.data, this.kernel, this.size, horizon);
  }
}
