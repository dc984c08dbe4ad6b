/**
 * SHAC's TD(λ) critic targets over one window (NVlabs/DiffRL `SHAC.compute_target_values`,
 * critic_method td-lambda), for T steps × B worlds stored step-major (`t·B + w`):
 *
 *     for t = T−1 … 0 (done_t ∈ {0, 1}; the last step of a window counts as done):
 *       lam ← lam·λ·(1 − done_t) + done_t
 *       A   ← (1 − done_t)·(λγ·A + γ·V_{t+1} + (1 − lam)/(1 − λ)·r_t)
 *       B   ← γ·(V_{t+1}·done_t + B·(1 − done_t)) + r_t
 *       y_t ← (1 − λ)·A + lam·B
 *
 * with V_{t+1} the (target) critic's value of the state after step t: 0 after a termination,
 * the value of the final observation at a time limit or at the window's end. This is the
 * λ-return truncated at episode and window ends.
 * @module
 */

/**
 * Writes the TD(λ) targets into `out` ([T·B]). `dones` must be 1 at every step after which the
 * world's trajectory does not continue inside the window (episode end, and the window's last
 * step). `scratch` needs 3·B entries. Requires λ < 1 (SHAC divides by 1 − λ).
 */
export function tdLambdaTargets(rewards: ArrayLike<number>, nextValues: ArrayLike<number>, dones: ArrayLike<number>, T: number, B: number, gamma: number, lambda: number, out: Float64Array, scratch: Float64Array): void {
  if (!(lambda < 1)) throw new RangeError(`tdLambdaTargets: λ must be < 1, got ${lambda}`);
  const A = scratch.subarray(0, B);
  const Bi = scratch.subarray(B, 2 * B);
  const lam = scratch.subarray(2 * B, 3 * B);
  A.fill(0);
  Bi.fill(0);
  lam.fill(1);
  for (let t = T - 1; t >= 0; t--) {
    for (let w = 0; w < B; w++) {
      const k = t * B + w;
      const d = dones[k] as number;
      const r = rewards[k] as number;
      const v = nextValues[k] as number;
      const l = (lam[w] as number) * lambda * (1 - d) + d;
      lam[w] = l;
      const a = (1 - d) * (lambda * gamma * (A[w] as number) + gamma * v + ((1 - l) / (1 - lambda)) * r);
      A[w] = a;
      const b = gamma * (v * d + (Bi[w] as number) * (1 - d)) + r;
      Bi[w] = b;
      out[k] = (1 - lambda) * a + l * b;
    }
  }
}
