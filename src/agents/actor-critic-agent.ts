import type { Rng } from '../core/rng.js';
import type { RolloutBuffer } from '../data/rollout-buffer.js';
import type { ActOutput, OnPolicyAgent } from '../loop/agent.js';
import type { UpdateMetrics } from '../loop/events.js';
import type { ActorCritic } from './actor-critic.js';

/**
 * Base of the built-in on-policy agents: acting, values and the gSDE noise schedule are the
 * {@link ActorCritic}'s; an algorithm supplies its `train()` and checkpoint state.
 */
export abstract class ActorCriticAgent implements OnPolicyAgent {
  abstract readonly net: ActorCritic;

  act(observations: Float32Array, n: number, deterministic: boolean, sampler?: Rng): ActOutput {
    return this.net.act(observations, n, deterministic, true, sampler);
  }

  predictValues(observations: Float32Array, n: number): Float64Array {
    return this.net.values(observations, n);
  }

  startRollout(): void {
    this.net.startRollout();
  }

  afterStep(stepInRollout: number): void {
    this.net.afterStep(stepInRollout);
  }

  abstract train(buffer: RolloutBuffer, progress: number): UpdateMetrics;
  abstract getState(): unknown;
  abstract setState(state: unknown): void;
}
