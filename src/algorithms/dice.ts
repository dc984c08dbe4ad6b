/**
 * The update rules of the DICE family of offline RL (ALGORITHMS.md §7): the V-DICE objective
 *
 *     min_V (1 − λ)·E_D[V(s)] + λ·E_D[ f*(r + γ(1 − d)·V(s') − V(s)) ]
 *
 * with its three gradients — semi-gradient (V(s') from the target network), true-gradient
 * (both sides differentiated) and O-DICE's orthogonal-gradient update (Mao et al., ICLR 2024:
 * the backward gradient projected orthogonally to the forward one) — and the weighted
 * behaviour-cloning weights that extract the policy. Pure functions over value arrays: the
 * networks, their backward passes and the optimiser live in the agent
 * (`src/agents/offline/dice-agent.ts`).
 *
 * Value arrays hold `heads × B` entries, head-major (O-DICE trains twin value heads, both
 * with the same targets); `bootstrap[b]` is γ·(1 − terminal_b).
 * @module
 */

/** The f-divergence whose conjugate f* regularises the occupancy: Pearson χ² (O-DICE's default) or reverse KL. */
export type DiceDivergence = 'chi-square' | 'kl';

/**
 * The convex conjugate f*(y).
 * - Pearson χ², f(x) = (x − 1)²: f*(y) = y·ω − (ω − 1)² with ω = max(y/2 + 1, 0), i.e.
 *   y + y²/4 for y ≥ −2 and −1 below (piecewise: ω is clamped at 0).
 * - reverse KL, f(x) = x·log x: f*(y) = e^{y − 1}.
 */
export function fConjugate(divergence: DiceDivergence, y: number): number {
  if (divergence === 'kl') return Math.exp(y - 1);
  const w = Math.max(y / 2 + 1, 0);
  return y * w - (w - 1) * (w - 1);
}

/** The derivative of f* at y: ω = max(y/2 + 1, 0) for χ² (0 below −2, where f* is flat), e^{y − 1} for KL. */
export function fConjugateDerivative(divergence: DiceDivergence, y: number): number {
  return divergence === 'kl' ? Math.exp(y - 1) : Math.max(y / 2 + 1, 0);
}

/** Scalars shared by the DICE terms. */
export interface DiceTermInput {
  readonly heads: number;
  readonly batch: number;
  /** r_b (already scaled). */
  readonly rewards: ArrayLike<number>;
  /** γ·(1 − terminal_b). */
  readonly bootstrap: ArrayLike<number>;
  readonly divergence: DiceDivergence;
}

/**
 * The forward term λ·mean f*(δ_f), δ_f = r + γ(1 − d)·V̄(s') − V(s), with V̄(s') the target
 * network's value (min over its heads, no gradient). Writes δ_f into `residuals` (heads × B)
 * and ∂/∂V(s) into `gradValues` (overwritten); returns the term's value. The mean is over
 * heads and batch, so each head gets its own residual and gradient.
 */
export function diceForwardTerm(input: DiceTermInput, values: ArrayLike<number>, targetNext: ArrayLike<number>, lambda: number, residuals: Float64Array, gradValues: Float64Array): number {
  const { heads, batch, rewards, bootstrap, divergence } = input;
  const scale = lambda / (heads * batch);
  let sum = 0;
  for (let k = 0; k < heads; k++) {
    for (let b = 0; b < batch; b++) {
      const i = k * batch + b;
      const delta = (rewards[b] as number) + (bootstrap[b] as number) * (targetNext[b] as number) - (values[i] as number);
      residuals[i] = delta;
      sum += fConjugate(divergence, delta);
      gradValues[i] = -scale * fConjugateDerivative(divergence, delta);
    }
  }
  return scale * sum;
}

/**
 * O-DICE's backward term λη·mean f*(δ_b), δ_b = r + γ(1 − d)·V(s') − V̄(s): the online network
 * at s', the target at s (no gradient). Writes ∂/∂V(s') into `gradNextValues` (overwritten);
 * returns the term's value.
 */
export function diceBackwardTerm(input: DiceTermInput, nextValues: ArrayLike<number>, target: ArrayLike<number>, lambdaEta: number, gradNextValues: Float64Array): number {
  const { heads, batch, rewards, bootstrap, divergence } = input;
  const scale = lambdaEta / (heads * batch);
  let sum = 0;
  for (let k = 0; k < heads; k++) {
    for (let b = 0; b < batch; b++) {
      const i = k * batch + b;
      const g = bootstrap[b] as number;
      const delta = (rewards[b] as number) + g * (nextValues[i] as number) - (target[b] as number);
      sum += fConjugate(divergence, delta);
      gradNextValues[i] = scale * fConjugateDerivative(divergence, delta) * g;
    }
  }
  return scale * sum;
}

/**
 * The true-gradient term λ·mean f*(δ), δ = r + γ(1 − d)·V(s') − V(s) with the online network on
 * both sides: writes δ into `residuals`, ∂/∂V(s) into `gradValues` and ∂/∂V(s') into
 * `gradNextValues` (both overwritten); returns the term's value.
 */
export function diceTrueGradientTerm(input: DiceTermInput, values: ArrayLike<number>, nextValues: ArrayLike<number>, lambda: number, residuals: Float64Array, gradValues: Float64Array, gradNextValues: Float64Array): number {
  const { heads, batch, rewards, bootstrap, divergence } = input;
  const scale = lambda / (heads * batch);
  let sum = 0;
  for (let k = 0; k < heads; k++) {
    for (let b = 0; b < batch; b++) {
      const i = k * batch + b;
      const g = bootstrap[b] as number;
      const delta = (rewards[b] as number) + g * (nextValues[i] as number) - (values[i] as number);
      residuals[i] = delta;
      sum += fConjugate(divergence, delta);
      const d = scale * fConjugateDerivative(divergence, delta);
      gradValues[i] = -d;
      gradNextValues[i] = d * g;
    }
  }
  return scale * sum;
}

/** The linear term (1 − λ)·mean V(s): adds its gradient (1 − λ)/(heads·B) to every entry of `gradValues`; returns the term's value. */
export function diceValueTerm(heads: number, batch: number, values: ArrayLike<number>, lambda: number, gradValues: Float64Array): number {
  const n = heads * batch;
  const scale = (1 - lambda) / n;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += values[i] as number;
    gradValues[i] = (gradValues[i] as number) + scale;
  }
  return scale * sum;
}

/** Below this squared norm the forward gradient is taken as zero (O-DICE's `max(‖g_f‖², 1e-10)`). */
export const MIN_PROJECTION_NORM = 1e-10;

/**
 * O-DICE's orthogonal-gradient combination of the two dual gradients (flattened over every
 * value parameter, both heads together — projecting per tensor would be wrong):
 *
 *     out = g_f + (g_b − c·g_f),   c = ⟨g_f, g_b⟩ / max(‖g_f‖², 1e-10)
 *
 * so the backward gradient only contributes its part orthogonal to the forward one and can never
 * undo it. `out` may be `gb`. Returns c.
 */
export function orthogonalDualGradient(gf: ArrayLike<number>, gb: ArrayLike<number>, out: Float64Array): number {
  const n = gf.length;
  let dot = 0;
  let norm2 = 0;
  for (let i = 0; i < n; i++) {
    const f = gf[i] as number;
    dot += f * (gb[i] as number);
    norm2 += f * f;
  }
  const c = dot / Math.max(norm2, MIN_PROJECTION_NORM);
  const keep = 1 - c;
  for (let i = 0; i < n; i++) out[i] = keep * (gf[i] as number) + (gb[i] as number);
  return c;
}

/**
 * Weights of O-DICE's policy extraction, `w = min(max(δ_f, 0), maxWeight)` per head, averaged
 * over the heads (the reference broadcasts the [B] log-likelihood against the [heads, B]
 * weights). ReLU is the reference code's χ² `f'⁻¹`; the closed form for f = (x − 1)² would be
 * max(0, 1 + δ/2) — the code's choice is kept to reproduce its numbers. Writes `out[b]`.
 */
export function diceExtractionWeights(heads: number, batch: number, residuals: ArrayLike<number>, maxWeight: number, out: Float64Array): void {
  for (let b = 0; b < batch; b++) {
    let w = 0;
    for (let k = 0; k < heads; k++) w += Math.min(Math.max(residuals[k * batch + b] as number, 0), maxWeight);
    out[b] = w / heads;
  }
}
