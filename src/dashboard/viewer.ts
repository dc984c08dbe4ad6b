import { isPromiseLike, type MaybePromise } from '../core/maybe-promise.js';
import type { BatchedActions, VectorEnv, VectorResetOptions, VectorResetResult, VectorStepResult } from '../envs/vector/vector-env.js';
import { VectorNormalizeObservation } from '../envs/wrappers/normalize-observation.js';
import { VectorWrapper } from '../envs/wrappers/wrapper.js';
import type { PolicyActor } from '../loop/agent.js';
import type { LivePolicy } from '../loop/train.js';
import { buildEnv, buildOfflineEvalEnv, findWrapper } from '../loop/training-env.js';
import { isOfflineConfig } from '../agents/algorithms.js';
import type { Scene } from './protocol.js';
import { sceneOf } from './scene.js';

/** Keeps the raw observations of copy 0 of the env it wraps, for drawing. */
class ObservationTap extends VectorWrapper {
  last: Float32Array = new Float32Array(0);

  private keep<R extends { readonly observations: Float32Array }>(r: R): R {
    this.last = r.observations.slice(0, this.env.observationSize);
    return r;
  }

  override reset(options?: VectorResetOptions): MaybePromise<VectorResetResult> {
    const r = this.env.reset(options);
    return isPromiseLike(r) ? r.then((x) => this.keep(x)) : this.keep(r);
  }

  override step(actions: BatchedActions): MaybePromise<VectorStepResult> {
    const r = this.env.step(actions);
    return isPromiseLike(r) ? r.then((x) => this.keep(x)) : this.keep(r);
  }
}

/**
 * The agent acting on an env of its own while it trains, one step per frame, for the dashboard's
 * live picture: the env is built as the run's evaluation env is (the same wrappers, its
 * observation normaliser frozen at training's statistics of the moment), the actions are the
 * policy's mode, and nothing of training's state is touched (no random stream, no statistics;
 * a recurrent policy acts with a memory of its own, forgotten at each of the viewer's episodes).
 */
export class LiveViewer {
  private readonly env: VectorEnv;
  private readonly tap: ObservationTap;
  private readonly actor: PolicyActor;
  private observations: Float32Array | null = null;

  constructor(private readonly live: LivePolicy) {
    this.actor = live.policy.evaluationActor?.() ?? live.policy;
    let tap: ObservationTap | undefined;
    const around = (env: VectorEnv) => (tap = new ObservationTap(env));
    this.env = isOfflineConfig(live.config) ? buildOfflineEvalEnv(live.config.env, 1, around) : buildEnv(live.config, 1, around);
    this.tap = tap as ObservationTap;
    const norm = findWrapper(this.env, VectorNormalizeObservation);
    if (norm !== undefined) norm.updateStats = false;
  }

  /** Takes one step and returns the scene after it (null for an env the page cannot draw). */
  async frame(): Promise<Scene | null> {
    const stats = this.live.observationNormalizer();
    const norm = findWrapper(this.env, VectorNormalizeObservation);
    if (stats !== null && norm !== undefined) {
      norm.setState(stats);
      norm.updateStats = false;
    }
    if (this.observations === null) {
      const r = await this.env.reset({ seed: `${this.live.config.seed}/dashboard` });
      this.observations = Float32Array.from(r.observations);
      this.actor.resetMemory?.(0);
    } else {
      const { actions } = this.actor.act(this.observations, 1, true);
      const r = await this.env.step(actions);
      this.observations.set(r.observations);
      if (r.terminated[0] === 1 || r.truncated[0] === 1) this.actor.resetMemory?.(0);
    }
    return sceneOf(this.live.config.env, this.tap.env, this.tap.last);
  }

  async close(): Promise<void> {
    await this.env.close();
  }
}
