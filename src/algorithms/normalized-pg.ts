/**
 * Update rules of the normalised momentum policy-gradient methods of Fatkhullin, Barakat,
 * Kireeva & He, "Stochastic Policy Gradient Methods: Improved Sample Complexity for
 * Fisher-non-degenerate Policies" (ICML 2023): N-PG-IGT (implicit gradient transport) and
 * (N)-HARPG (Hessian-aided recursive momentum). Pure functions on flat parameter vectors; the
 * agents (`src/agents/npg-igt-agent.ts`, `src/agents/harpg-agent.ts`) supply the stochastic
 * gradients and Hessian-vector products. Everything writes into caller-owned arrays, so an
 * iteration allocates nothing.
 * @module
 */

/**
 * The decaying schedules of the paper's experiment code (the authors' garage fork:
 * `NIGT_optimizer.py`, `STORMHess_optimizer.py`): c_t = c_0·(2/(t+2))^p for iteration
 * t = 0, 1, 2, …, so c_0 is the value at t = 0 and p the decay exponent (0: constant).
 */
export function decaySchedule(initial: number, power: number, t: number): number {
  return initial * Math.pow(2 / (t + 2), power);
}

/** The momentum weight η_t: {@link decaySchedule}, capped at 1 (η = 1 keeps only the new gradient). */
export function momentumWeight(initial: number, power: number, t: number): number {
  return Math.min(1, decaySchedule(initial, power, t));
}

/** ‖v‖₂. */
export function l2Norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] as number) * (v[i] as number);
  return Math.sqrt(s);
}

/**
 * N-PG-IGT's extrapolated point θ̃_t = θ_t + (1−η_t)/η_t·(θ_t − θ_{t−1}) into `out`, where the
 * gradient of iteration t is taken. Why: with the same η_t here and in the momentum update,
 * the momentum (1−η)·∇J(θ_{t−1}) + η·∇J(θ̃_t) equals ∇J(θ_t) exactly when J is quadratic, so
 * averaging no longer lags behind the iterate (Arnold et al. 2019).
 */
export function igtExtrapolate(theta: ArrayLike<number>, thetaPrev: ArrayLike<number>, eta: number, out: Float64Array): void {
  const k = (1 - eta) / eta;
  for (let i = 0; i < out.length; i++) {
    const t = theta[i] as number;
    out[i] = t + k * (t - (thetaPrev[i] as number));
  }
}

/** The momentum update d ← (1−η)·d + η·g, in place (N-PG-IGT, with g taken at θ̃_t). */
export function momentumUpdate(d: Float64Array, g: ArrayLike<number>, eta: number): void {
  for (let i = 0; i < d.length; i++) d[i] = (1 - eta) * (d[i] as number) + eta * (g[i] as number);
}

/**
 * HARPG's recursive momentum d ← (1−η)·(d + v) + η·g, in place: `v` ≈ ∇J(θ_t) − ∇J(θ_{t−1})
 * (a Hessian-vector product along θ_t − θ_{t−1}) carries the old estimate to the new iterate,
 * `g` is the fresh stochastic gradient.
 */
export function harpgMomentumUpdate(d: Float64Array, v: ArrayLike<number>, g: ArrayLike<number>, eta: number): void {
  for (let i = 0; i < d.length; i++) d[i] = (1 - eta) * ((d[i] as number) + (v[i] as number)) + eta * (g[i] as number);
}

/**
 * The normalised ascent step θ_{t+1} = θ_t + γ·d/‖d‖ into `out` (may be `theta` itself): a
 * step of length exactly γ whatever the gradient's scale. Returns ‖d‖; a zero `d` (no signal,
 * e.g. every return 0) leaves θ unchanged instead of dividing by zero.
 */
export function normalizedStep(theta: ArrayLike<number>, d: ArrayLike<number>, gamma: number, out: Float64Array): number {
  const norm = l2Norm(d);
  const s = norm > 0 ? gamma / norm : 0;
  for (let i = 0; i < out.length; i++) out[i] = (theta[i] as number) + s * (d[i] as number);
  return norm;
}

/** HARPG's random point on the last step, θ̂ = q·θ_t + (1−q)·θ_{t−1}, into `out` (q ~ U(0, 1) by the caller). */
export function segmentPoint(thetaPrev: ArrayLike<number>, theta: ArrayLike<number>, q: number, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = q * (theta[i] as number) + (1 - q) * (thetaPrev[i] as number);
}

/** out = a − b. */
export function subtract(a: ArrayLike<number>, b: ArrayLike<number>, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = (a[i] as number) - (b[i] as number);
}

/**
 * Trajectories (episode pieces) in a time-major rollout of `numSteps` × `numEnvs` samples
 * (index t·N + i): each copy's run is cut at every step with `episodeEnds` = 1, and a
 * piece still running at the rollout's end counts as one too.
 */
export function countTrajectories(numSteps: number, numEnvs: number, episodeEnds: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < numEnvs; i++) {
    for (let t = 0; t < numSteps; t++) if (episodeEnds[t * numEnvs + i] === 1) count++;
    if (numSteps > 0 && episodeEnds[(numSteps - 1) * numEnvs + i] !== 1) count++;
  }
  return count;
}

/**
 * The weights that turn HARPG's first term into one gradient call: for every trajectory τ_k of
 * the rollout, S_k = Σ_{t∈τ_k} δ_t (δ_t = ⟨∇log π(a_t|s_t), u⟩, so S_k = ⟨∇log p(τ_k|θ), u⟩),
 * and out_t = scale·S_{k(t)}·R_t — then ∇_θ Σ_t out_t·log π(a_t|s_t) = scale·Σ_k S_k·g(τ_k),
 * with g(τ_k) = Σ_{t∈τ_k} R_t·∇log π(a_t|s_t).
 */
export function trajectoryScoreWeights(numSteps: number, numEnvs: number, episodeEnds: ArrayLike<number>, directional: ArrayLike<number>, returns: ArrayLike<number>, scale: number, out: Float64Array): void {
  for (let i = 0; i < numEnvs; i++) {
    let start = 0;
    for (let t = 0; t < numSteps; t++) {
      const last = t === numSteps - 1 || episodeEnds[t * numEnvs + i] === 1;
      if (!last) continue;
      let s = 0;
      for (let r = start; r <= t; r++) s += directional[r * numEnvs + i] as number;
      for (let r = start; r <= t; r++) out[r * numEnvs + i] = scale * s * (returns[r * numEnvs + i] as number);
      start = t + 1;
    }
  }
}
