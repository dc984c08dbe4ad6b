/**
 * The pieces of TD3 (Fujimoto et al. 2018) that are not SAC's, as Stable-Baselines3's `td3.py`
 * computes them: exploration noise on the deterministic action, target policy smoothing, and the
 * actor's loss on the first critic. Pure functions on typed arrays; actions live in [−1, 1]^A
 * (the agent rescales them to the env's bounds). The targets themselves are SAC's
 * {@link softTargets} with no entropy term.
 * @module
 */

import type { Rng } from '../core/rng.js';

/** Adds N(0, σ²) to each of `count` actions in place and clips them to [−1, 1] (SB3's action noise in `_sample_action`). */
export function addExplorationNoise(actions: Float64Array, count: number, sigma: number, rng: Rng): void {
  for (let k = 0; k < count; k++) actions[k] = Math.min(1, Math.max(-1, (actions[k] as number) + sigma * rng.normal()));
}

/**
 * Target policy smoothing: t′ ← clip(t′ + clip(ε, −c, c), −1, 1) with ε ~ N(0, σ²), in place on
 * `count` target actions — the critics' targets average over a small neighbourhood of the target
 * action, so the actor cannot exploit a narrow peak of Q.
 */
export function smoothTargetActions(actions: Float64Array, count: number, sigma: number, noiseClip: number, rng: Rng): void {
  for (let k = 0; k < count; k++) {
    const noise = Math.min(noiseClip, Math.max(-noiseClip, sigma * rng.normal()));
    actions[k] = Math.min(1, Math.max(-1, (actions[k] as number) + noise));
  }
}

/**
 * The deterministic actor's loss −mean_b Q_1(s_b, μ(s_b)) from `heads` head-major Q values of its
 * own actions: only the first critic drives the actor (SB3's `q1_forward`). Writes ∂L/∂Q (−1/B on
 * head 0, 0 on the others) into `gradQ` and returns the loss.
 */
export function deterministicActorLoss(q: ArrayLike<number>, heads: number, batch: number, gradQ: Float64Array): number {
  gradQ.fill(0, 0, heads * batch);
  let loss = 0;
  for (let b = 0; b < batch; b++) {
    loss -= (q[b] as number) / batch;
    gradQ[b] = -1 / batch;
  }
  return loss;
}
