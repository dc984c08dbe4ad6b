/**
 * Acting on the registered env's observations with a gradient agent's policy (evaluation,
 * `evaluatePolicy`): normalise with the current running statistics (SHAC evaluates with the
 * live `obs_rms`), take the squashed mean (deterministic) or a squashed sample, and report
 * log-probabilities and critic values in the on-policy agents' {@link ActOutput} shape.
 * @module
 */

import { Rng, type RngState } from '../../core/rng.js';
import type { ActOutput } from '../../loop/agent.js';
import type { SquashedGaussianPolicy } from './squashed-gaussian.js';
import type { WindowNormalizer } from './window-normalizer.js';

/** Anything that gives state values of normalised observations (a critic), for {@link ActOutput.values}. */
export interface ValueSource {
  values(obs: ArrayLike<number>, n: number, out: Float64Array): void;
}

/** The evaluation-time actor of a {@link SquashedGaussianPolicy}; buffers grow to the largest batch, then nothing allocates. */
export class PolicyActor {
  private capacity = 0;
  private obs = new Float64Array(0);
  private eps = new Float64Array(0);
  private squashed = new Float64Array(0);
  private actions = new Float32Array(0);
  private logProbs = new Float64Array(0);
  private values = new Float64Array(0);
  private readonly outputs = new Map<number, ActOutput>();

  constructor(
    private readonly policy: SquashedGaussianPolicy,
    private readonly normalizer: WindowNormalizer,
    private readonly critic: ValueSource | null,
    private rng: Rng,
  ) {}

  /** Actions for `n` raw observations (row-major); the returned object and its arrays are reused per `n`. */
  act(observations: Float32Array, n: number, deterministic: boolean, sampler: Rng = this.rng): ActOutput {
    this.ensure(n);
    const { observationSize: O, actionSize: nu } = this.policy;
    if (observations.length < n * O) throw new RangeError(`act: expected ${n} × ${O} observations, got ${observations.length} numbers`);
    const obs = this.obs.subarray(0, n * O);
    this.normalizer.normalizeLive(observations, n, obs);
    const eps = deterministic ? null : this.eps.subarray(0, n * nu);
    if (eps !== null) for (let i = 0; i < eps.length; i++) eps[i] = sampler.normal();
    const actions = this.actions.subarray(0, n * nu);
    const squashed = this.squashed.subarray(0, n * nu);
    this.policy.act(obs, n, eps, squashed, actions);
    const logProbs = this.logProbs.subarray(0, n);
    const values = this.values.subarray(0, n);
    this.policy.logProb(obs, n, squashed, logProbs);
    if (this.critic !== null) this.critic.values(obs, n, values);
    else values.fill(0);
    let out = this.outputs.get(n);
    if (out === undefined) {
      out = { actions, logProbs, values };
      this.outputs.set(n, out);
    }
    return out;
  }

  getRngState(): RngState {
    return this.rng.getState();
  }

  setRngState(state: RngState): void {
    this.rng = Rng.fromState(state);
  }

  private ensure(n: number): void {
    if (n <= this.capacity) return;
    const { observationSize: O, actionSize: nu } = this.policy;
    this.obs = new Float64Array(n * O);
    this.eps = new Float64Array(n * nu);
    this.squashed = new Float64Array(n * nu);
    this.actions = new Float32Array(n * nu);
    this.logProbs = new Float64Array(n);
    this.values = new Float64Array(n);
    this.outputs.clear();
    this.capacity = n;
  }
}
