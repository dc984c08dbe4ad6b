/**
 * DualDICE off-policy evaluation (Nachum et al. 2019; the saddle-point form of
 * google-research/dice_rl `neural_dice.py` with its DualDICE settings: no primal
 * regulariser, dual regulariser 1, f(x) = ½x², zero reward in the constraint):
 *
 *     min_ν max_ζ  (1 − γ)·E_{s₀∼d₀, a₀∼π}[ν(s₀, a₀)] + E_D[ ζ(s, a)·(γ(1 − d)·ν(s′, a′) − ν(s, a)) ] − ½·E_D[ζ(s, a)²],   a′ ∼ π(s′)
 *
 * The inner maximum is ζ* = γν′ − ν, and at the saddle point ζ*·d^D = (1 − γ)·d₀π + γ·P^π(ζ*·d^D):
 * the Bellman flow equation of the discounted occupancy d^π, so ζ* = d^π/d^D, the correction
 * that reweights the dataset's transitions into the target policy's. Then the policy's
 * discounted value is V^π = E_D[ζ·r] / (1 − γ) (see {@link normalizedValueEstimate} for the form
 * used, with terminal transitions leading to an absorbing state). Being linear in ν′, the
 * objective needs one sampled next action only, for any policy.
 * @module
 */

/** One minibatch's values of the two networks and the data they were computed on. */
export interface DualDiceSamples {
  readonly batch: number;
  /** ν(s_b, a_b). */
  readonly nu: ArrayLike<number>;
  /** ν(s′_b, a′_b), a′ ∼ π(s′_b). */
  readonly nuNext: ArrayLike<number>;
  /** ζ(s_b, a_b). */
  readonly zeta: ArrayLike<number>;
  /** γ·(1 − terminal_b). */
  readonly bootstrap: ArrayLike<number>;
  /** ν(s₀_i, a₀_i) on a batch of initial states, a₀ ∼ π(s₀). */
  readonly nuInitial: ArrayLike<number>;
  readonly initialBatch: number;
  readonly gamma: number;
}

/** Cotangents of the saddle-point objective L, written by {@link dualDiceGradients} (all overwritten). */
export interface DualDiceGradients {
  /** ∂L/∂ν(s, a) = −ζ/B. */
  readonly nu: Float64Array;
  /** ∂L/∂ν(s′, a′) = ζ·γ(1 − d)/B. */
  readonly nuNext: Float64Array;
  /** ∂L/∂ν(s₀, a₀) = (1 − γ)/B₀. */
  readonly nuInitial: Float64Array;
  /** −∂L/∂ζ = (ζ − δ)/B, so that descending it is ζ's ascent. */
  readonly zetaDescent: Float64Array;
}

/** Evaluates L and writes the gradients ν descends and ζ ascends (as a descent direction). Returns L and the mean residual δ = γ(1 − d)ν′ − ν. */
export function dualDiceGradients(s: DualDiceSamples, out: DualDiceGradients): { objective: number; meanResidual: number } {
  const B = s.batch;
  let cross = 0;
  let square = 0;
  let residualSum = 0;
  for (let b = 0; b < B; b++) {
    const z = s.zeta[b] as number;
    const g = s.bootstrap[b] as number;
    const delta = g * (s.nuNext[b] as number) - (s.nu[b] as number);
    cross += z * delta;
    square += z * z;
    residualSum += delta;
    out.nu[b] = -z / B;
    out.nuNext[b] = (z * g) / B;
    out.zetaDescent[b] = (z - delta) / B;
  }
  let initial = 0;
  for (let i = 0; i < s.initialBatch; i++) {
    initial += s.nuInitial[i] as number;
    out.nuInitial[i] = (1 - s.gamma) / s.initialBatch;
  }
  const objective = ((1 - s.gamma) * initial) / s.initialBatch + cross / B - (0.5 * square) / B;
  return { objective, meanResidual: residualSum / B };
}

/**
 * The discounted value from the learned weights, self-normalised over the data mixed with the
 * absorbing state that terminal transitions lead to (share p of the mixture, weight ζ_abs,
 * reward 0): V̂ = E_d̃[ζ·r] / E_d̃[ζ] / (1 − γ) with E_d̃[ζ·r] = (1 − p)·mean_D(ζ·r) and
 * E_d̃[ζ] = (1 − p)·mean_D(ζ) + p·ζ_abs. At the saddle point E_d̃[ζ] = 1 (the augmented
 * occupancy has mass 1), so the normalisation only removes the weights' overall scale error.
 */
export function normalizedValueEstimate(zetaRewardMean: number, zetaMean: number, absorbingWeight: number, absorbingShare: number, gamma: number): number {
  return ((1 - absorbingShare) * zetaRewardMean) / augmentedMass(zetaMean, absorbingWeight, absorbingShare) / (1 - gamma);
}

/** E_d̃[ζ] = (1 − p)·mean_D(ζ) + p·ζ_abs: the mass the weights give the data mixed with the absorbing state (1 at the saddle point). */
export function augmentedMass(zetaMean: number, absorbingWeight: number, absorbingShare: number): number {
  return (1 - absorbingShare) * zetaMean + absorbingShare * absorbingWeight;
}

/**
 * The Lagrangian estimate (Yang et al. 2020, "Off-policy evaluation via the regularized
 * Lagrangian"): the DICE objective with the reward in it, evaluated at any Q and any weights ζ,
 *
 *     V̂ = E_{s₀, a₀∼π}[Q(s₀, a₀)] + E_d̃[ζ·δ] / E_d̃[ζ] / (1 − γ),   δ = r + γ(1 − d)·Q(s′, a′) − Q(s, a),
 *
 * with δ = 0 on the absorbing state. The flow equation of the discounted occupancy gives
 * E_{d^π}[δ] = (1 − γ)·(V^π − E_{s₀,a₀}[Q]) for every Q, so V̂ is exact when ζ = d^π/d^D whatever Q,
 * and exact when Q = Q^π whatever ζ (δ then has mean 0 at every (s, a)): doubly robust.
 * `initialValue` is E_{s₀,a₀}[Q]; the other arguments as in {@link normalizedValueEstimate}, with
 * δ in place of r.
 */
export function lagrangianValueEstimate(initialValue: number, zetaResidualMean: number, zetaMean: number, absorbingWeight: number, absorbingShare: number, gamma: number): number {
  return initialValue + normalizedValueEstimate(zetaResidualMean, zetaMean, absorbingWeight, absorbingShare, gamma);
}
