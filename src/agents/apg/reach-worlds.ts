/**
 * The training worlds of APG on `rxrl/Reach-v0`: B worlds of the Reach task's kinematic
 * dynamics, reset with the env's own distribution (its kernel), differentiated through
 * {@link DifferentiableReach} and {@link ReachWindow}.
 * @module
 */

import { ConfigError } from '../../core/errors.js';
import { Rng, type RngState } from '../../core/rng.js';
import type { WorldArrays } from '../../envs/differentiable-task.js';
import { DifferentiableReach, ReachWindow } from '../../envs/ik/differentiable-reach.js';
import { ReachKernel, type ReachOptions } from '../../envs/ik/reach.js';
import type { TrainingWorlds } from './training-worlds.js';

interface ReachWorldsSnapshot {
  readonly task: string;
  readonly qpos: Float64Array;
  readonly stepCounts: Int32Array;
  readonly episodeReturns: Float64Array;
  readonly rngs: readonly RngState[];
}

/** B Reach worlds with per-world episode counters and reset streams. */
export class ReachWorlds implements TrainingWorlds {
  readonly diff: DifferentiableReach;
  readonly data: WorldArrays;
  readonly actionLow: Float32Array;
  readonly actionHigh: Float32Array;
  readonly stepCounts: Int32Array;
  readonly episodeReturns: Float64Array;
  private readonly kernel: ReachKernel;
  private readonly state: Float64Array;
  private rngs: Rng[] = [];

  constructor(
    readonly envId: string,
    readonly size: number,
    seed: string,
    options: ReachOptions = {},
  ) {
    this.kernel = new ReachKernel(envId, options);
    const n = this.kernel.dof;
    this.diff = new DifferentiableReach(this.kernel, size);
    this.data = { qpos: new Float64Array((n + 3) * size), qvel: new Float64Array(0), ctrl: new Float64Array(n * size) };
    this.actionLow = this.kernel.actionSpace.low;
    this.actionHigh = this.kernel.actionSpace.high;
    this.stepCounts = new Int32Array(size);
    this.episodeReturns = new Float64Array(size);
    this.state = new Float64Array(this.kernel.stateSize);
    this.restart(seed);
  }

  restart(seed: string): void {
    const root = new Rng(seed);
    this.rngs = Array.from({ length: this.size }, (_, w) => root.split(w));
    for (let w = 0; w < this.size; w++) this.resetWorld(w);
  }

  /** A new episode in world w from the env's reset distribution (the kernel's `resetState`). */
  resetWorld(w: number): void {
    this.kernel.resetState(this.state, 0, this.rngs[w] as Rng);
    const B = this.size;
    for (let i = 0; i < this.kernel.dof + 3; i++) this.data.qpos[i * B + w] = this.state[i] as number;
    this.stepCounts[w] = 0;
    this.episodeReturns[w] = 0;
  }

  createWindow(horizon: number): ReachWindow {
    return new ReachWindow(this.data, this.kernel, this.size, horizon);
  }

  getSnapshot(): ReachWorldsSnapshot {
    return { task: this.envId, qpos: this.data.qpos.slice(), stepCounts: this.stepCounts.slice(), episodeReturns: this.episodeReturns.slice(), rngs: this.rngs.map((r) => r.getState()) };
  }

  setSnapshot(s: unknown): void {
    const snapshot = s as ReachWorldsSnapshot;
    if (snapshot.task !== this.envId || snapshot.qpos.length !== this.data.qpos.length) throw new ConfigError(`training worlds of ${snapshot.task} do not fit ${this.envId} × ${this.size}`);
    this.data.qpos.set(snapshot.qpos);
    this.stepCounts.set(snapshot.stepCounts);
    this.episodeReturns.set(snapshot.episodeReturns);
    this.rngs = snapshot.rngs.map((r) => Rng.fromState(r));
  }
}
