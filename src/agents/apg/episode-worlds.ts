/**
 * The bookkeeping every set of training worlds shares: per-world episode counters, per-world
 * reset streams (`${seed}/w`, the vector envs' per-copy seeding), resets, and snapshots of the
 * state arrays with all of it. A task supplies its state arrays and how one world is reset.
 * @module
 */

import { ConfigError } from '../../core/errors.js';
import { Rng, type RngState } from '../../core/rng.js';
import type { WorldArrays } from '../../envs/differentiable-task.js';

/** Serialisable state of training worlds. */
export interface WorldsSnapshot {
  readonly task: string;
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
  readonly stepCounts: Int32Array;
  readonly episodeReturns: Float64Array;
  readonly rngs: readonly RngState[];
}

/** B worlds of a task with per-world episode counters and reset streams. */
export abstract class EpisodeWorlds {
  /** Steps taken in each world's current episode. */
  readonly stepCounts: Int32Array;
  /** Raw return of each world's current episode so far. */
  readonly episodeReturns: Float64Array;
  private rngs: Rng[] = [];
  abstract readonly data: WorldArrays;

  protected constructor(
    /** The task's id, recorded in snapshots. */
    readonly taskId: string,
    readonly size: number,
  ) {
    this.stepCounts = new Int32Array(size);
    this.episodeReturns = new Float64Array(size);
  }

  /** Writes a new episode's start into world w's entries of {@link data}, drawing from `rng`. */
  protected abstract resetState(w: number, rng: Rng): void;

  /** Resets every world with fresh streams `${seed}/w`. */
  restart(seed: string): void {
    const root = new Rng(seed);
    this.rngs = Array.from({ length: this.size }, (_, w) => root.split(w));
    for (let w = 0; w < this.size; w++) this.resetWorld(w);
  }

  /** Starts a new episode in world w (the env's reset distribution). */
  resetWorld(w: number): void {
    this.resetState(w, this.rngs[w] as Rng);
    this.stepCounts[w] = 0;
    this.episodeReturns[w] = 0;
  }

  getSnapshot(): WorldsSnapshot {
    const { data } = this;
    return { task: this.taskId, qpos: data.qpos.slice(), qvel: data.qvel.slice(), stepCounts: this.stepCounts.slice(), episodeReturns: this.episodeReturns.slice(), rngs: this.rngs.map((r) => r.getState()) };
  }

  setSnapshot(s: unknown): void {
    const snapshot = s as WorldsSnapshot;
    const { data } = this;
    if (snapshot.task !== this.taskId || snapshot.qpos.length !== data.qpos.length || snapshot.qvel.length !== data.qvel.length || snapshot.rngs.length !== this.size) {
      throw new ConfigError(`training worlds of ${snapshot.task} × ${snapshot.rngs.length} do not fit ${this.taskId} × ${this.size}`);
    }
    data.qpos.set(snapshot.qpos);
    data.qvel.set(snapshot.qvel);
    this.stepCounts.set(snapshot.stepCounts);
    this.episodeReturns.set(snapshot.episodeReturns);
    this.rngs = snapshot.rngs.map((r) => Rng.fromState(r));
  }
}
