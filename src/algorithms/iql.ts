/**
 * Implicit Q-learning's update rules (Kostrikov et al., ICLR 2022; ALGORITHMS.md §8), as pure
 * functions over value arrays; the networks and optimisers live in
 * `src/agents/offline/iql-agent.ts`.
 *
 * - Value: expectile regression of V(s) towards min_k Q̄_k(s, a), L_V = mean |τ − 1(u < 0)|·u²,
 *   u = Q̄ − V (τ = 0.7: an upper expectile, an in-sample approximation of max_a Q).
 * - Q: both heads regress to r + γ(1 − d)·V(s'), L_Q = (1/2) Σ_k mean (Q_k − y)² for twin heads.
 * - Policy: advantage-weighted regression, weights min(exp(β·(Q̄ − V)), 100).
 * @module
 */

/** The expectile loss |τ − 1(u < 0)|·u² of one residual u. */
export function expectileLoss(u: number, tau: number): number {
  return Math.abs(tau - (u < 0 ? 1 : 0)) * u * u;
}

/**
 * IQL's value loss mean |τ − 1(u < 0)|·u² with u = q_b − v_b: writes ∂L/∂v into `gradValues`
 * and the advantages u into `advantages` (both overwritten); returns the loss.
 */
export function expectileValueLoss(q: ArrayLike<number>, v: ArrayLike<number>, batch: number, tau: number, gradValues: Float64Array, advantages: Float64Array): number {
  let sum = 0;
  for (let b = 0; b < batch; b++) {
    const u = (q[b] as number) - (v[b] as number);
    advantages[b] = u;
    const w = Math.abs(tau - (u < 0 ? 1 : 0));
    sum += w * u * u;
    gradValues[b] = (-2 * w * u) / batch;
  }
  return sum / batch;
}

/**
 * The twin-Q regression (1/heads)·Σ_k mean_b (Q_k(s_b, a_b) − y_b)² (each head to the same
 * targets: the reference's average of the heads' MSEs), `q` head-major `heads × B`: writes ∂L/∂q into `gradQ`;
 * returns the loss.
 */
export function twinRegressionLoss(q: ArrayLike<number>, targets: ArrayLike<number>, heads: number, batch: number, gradQ: Float64Array): number {
  let sum = 0;
  const scale = 1 / (heads * batch);
  for (let k = 0; k < heads; k++) {
    for (let b = 0; b < batch; b++) {
      const i = k * batch + b;
      const e = (q[i] as number) - (targets[b] as number);
      sum += e * e;
      gradQ[i] = 2 * scale * e;
    }
  }
  return scale * sum;
}

/** Advantage weights min(exp(β·A_b), maxWeight) into `out`. */
export function advantageWeights(advantages: ArrayLike<number>, batch: number, beta: number, maxWeight: number, out: Float64Array): void {
  for (let b = 0; b < batch; b++) out[b] = Math.min(Math.exp(beta * (advantages[b] as number)), maxWeight);
}
