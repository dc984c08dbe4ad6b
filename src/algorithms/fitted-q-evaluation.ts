/**
 * Fitted Q evaluation (FQE; Le, Voloshin & Yue 2019): the target policy's action value learned
 * by regression on its own Bellman targets, Q(s, a) ← r + γ(1 − d)·Q̄(s′, a′) with a′ ∼ π(s′)
 * and Q̄ a slowly moving copy of Q. The policy's value is then E_{s₀∼d₀, a₀∼π}[Q(s₀, a₀)].
 *
 * Values are kept in per-step units, Q̃ = (1 − γ)·Q, so that the network's outputs are of the
 * rewards' size whatever the horizon. A policy's per-step value lies between the least and the
 * largest reward, or 0 (the absorbing state's reward) where episodes end: bootstrapped values
 * are clipped to those bounds, which keeps the regression from feeding on its own overshoot.
 * @module
 */

/** Bounds of any policy's per-step value (1 − γ)·Q on data with these rewards: [min(0, r_min), max(0, r_max)]. */
export function perStepValueBounds(rewards: ArrayLike<number>): { readonly low: number; readonly high: number } {
  let low = 0;
  let high = 0;
  for (let i = 0; i < rewards.length; i++) {
    const r = rewards[i] as number;
    if (r < low) low = r;
    if (r > high) high = r;
  }
  return { low, high };
}

/**
 * Regression targets in per-step units, y_b = (1 − γ)·r_b + β_b·clip(Q̃′_b) with β_b = γ(1 − d_b)
 * (`bootstrap`), into `out`.
 */
export function fqeTargets(rewards: ArrayLike<number>, bootstrap: ArrayLike<number>, nextValues: ArrayLike<number>, batch: number, gamma: number, bounds: { readonly low: number; readonly high: number }, out: Float64Array): void {
  for (let b = 0; b < batch; b++) {
    const next = Math.min(Math.max(nextValues[b] as number, bounds.low), bounds.high);
    out[b] = (1 - gamma) * (rewards[b] as number) + (bootstrap[b] as number) * next;
  }
}
