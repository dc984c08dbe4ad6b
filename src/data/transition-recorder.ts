/**
 * A vector-env wrapper that hands every transition to a sink (a dataset builder, a replay
 * buffer) without changing what passes through.
 *
 * @module
 */

import { thenMaybe, type MaybePromise } from '../core/maybe-promise.js';
import { Box, Discrete } from '../core/spaces.js';
import type { BatchedActions, VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from '../envs/vector/vector-env.js';
import { VectorWrapper } from '../envs/wrappers/wrapper.js';
import type { TransitionRows, TransitionSink } from './transitions.js';

/**
 * Records `(observation, action, reward, next observation, terminated, truncated)` of every copy
 * at every step into `sink`. Place it directly above the env whose raw observations and rewards
 * the data should hold (below normalisers). The recorded action of a bounded Box is clipped to
 * the bounds — the action the built-in envs apply — while the env still receives the action as
 * given, so recording never changes a run. A reset cuts the episodes in progress.
 */
export class TransitionRecorder extends VectorWrapper {
  readonly sink: TransitionSink;
  private readonly previous: Float32Array;
  private readonly rows: { observations: Float32Array; actions: Float32Array | Int32Array; rewards: Float64Array; nextObservations: Float32Array; terminated: Uint8Array; truncated: Uint8Array };
  private readonly low: Float32Array | undefined;
  private readonly high: Float32Array | undefined;
  private started = false;

  constructor(env: VectorEnv, sink: TransitionSink) {
    super(env);
    this.sink = sink;
    const N = env.numEnvs;
    const d = env.observationSize;
    const discrete = env.singleActionSpace instanceof Discrete;
    this.previous = new Float32Array(N * d);
    this.rows = {
      observations: this.previous,
      actions: discrete ? new Int32Array(N * env.actionSize) : new Float32Array(N * env.actionSize),
      rewards: new Float64Array(N),
      nextObservations: new Float32Array(N * d),
      terminated: new Uint8Array(N),
      truncated: new Uint8Array(N),
    };
    const space = env.singleActionSpace;
    if (space instanceof Box) {
      this.low = space.low;
      this.high = space.high;
    }
  }

  override reset(options?: VectorResetOptions): MaybePromise<VectorResetResult> {
    if (this.started) this.sink.cutEpisodes?.();
    return thenMaybe(this.env.reset(options), (r) => {
      this.previous.set(r.observations);
      this.started = true;
      return r;
    });
  }

  override step(actions: BatchedActions): MaybePromise<VectorStepResult> {
    // Copy now: the caller may reuse its action buffer while an asynchronous step is running.
    this.copyActions(actions);
    return thenMaybe(this.env.step(actions), (r) => {
      this.record(r);
      return r;
    });
  }

  private copyActions(actions: BatchedActions): void {
    const out = this.rows.actions;
    const { low, high } = this;
    if (low === undefined || high === undefined) {
      out.set(actions);
      return;
    }
    const a = low.length;
    for (let k = 0; k < out.length; k++) {
      const v = actions[k] as number;
      const lo = low[k % a] as number;
      const hi = high[k % a] as number;
      out[k] = v < lo ? lo : v > hi ? hi : v;
    }
  }

  private record(r: VectorStepResult): void {
    const rows: TransitionRows = this.rows;
    const d = this.observationSize;
    const next = this.rows.nextObservations;
    next.set(r.observations);
    for (let i = 0; i < this.numEnvs; i++) {
      if (r.terminated[i] === 1 || r.truncated[i] === 1) {
        for (let j = 0; j < d; j++) next[i * d + j] = r.finalObservations[i * d + j] as number;
      }
    }
    this.rows.rewards.set(r.rewards);
    this.rows.terminated.set(r.terminated);
    this.rows.truncated.set(r.truncated);
    this.sink.addTransitions(rows);
    this.previous.set(r.observations);
  }
}
