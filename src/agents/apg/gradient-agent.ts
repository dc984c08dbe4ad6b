/**
 * What the gradient-agent loop (`loop/gradient-loop.ts`) needs from an agent that learns by
 * differentiating through the simulator (APG, ILD): it owns its training worlds and runs whole
 * iterations (forward window, backward pass, updates), and acts on observations of the normal
 * registered env for evaluation.
 * @module
 */

import type { Rng } from '../../core/rng.js';
import type { ActOutput } from '../../loop/agent.js';
import type { UpdateMetrics } from '../../loop/events.js';

/** A training episode (or, for ILD, an imitation rollout) that ended during an iteration. */
export interface EpisodeEnd {
  /** Sum of the env's raw rewards. */
  readonly return: number;
  readonly length: number;
  readonly envIndex: number;
  /** Env steps into the iteration (over all worlds) at which it ended, in (0, stepsPerIteration]. */
  readonly stepOffset: number;
}

/** What one {@link GradientAgent.iterate} did. */
export interface GradientIteration {
  readonly metrics: UpdateMetrics;
  readonly episodes: readonly EpisodeEnd[];
}

/** An agent trained through the differentiable simulator. */
export interface GradientAgent {
  /** Env steps (summed over worlds) one iteration takes. */
  readonly stepsPerIteration: number;
  /** One iteration: simulate, differentiate, update. `progress` ∈ [0, 1] is the fraction of the budget used before it (drives schedules). */
  iterate(progress: number): GradientIteration;
  /** Actions for `n` observations of the registered env (evaluation), in the shape the on-policy agents return. */
  act(observations: Float32Array, n: number, deterministic: boolean, sampler?: Rng): ActOutput;
  /** Networks, optimisers, normaliser statistics, random streams and counters: everything but the training worlds. */
  getState(): unknown;
  setState(state: unknown): void;
  /** The training worlds' state (physics, episode counters, reset streams), or null if the agent keeps none between iterations. */
  getEnvSnapshot(): unknown;
  setEnvSnapshot(snapshot: unknown): void;
  /** Starts every training world on a new episode, seeded by `seed` (resuming without a snapshot). */
  restartEpisodes(seed: string): void;
}
