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
 * used: terminal transitions lead to an absorbing state whose ν is 0, `bootstrap` = γ(1 − d)). Being linear in ν′, the
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
 * The discounted value from the learned weights, self-normalised over the occupancy of the MDP
 * in which terminal transitions lead to an absorbing state (reward 0, ν ≡ 0 there). The flow
 * equation gives the absorbing state's mass in closed form — d^π(abs) = γ/(1 − γ)·E_D[ζ·d] with d
 * the terminal flag — so the total mass is M = E_D[ζ] + γ/(1 − γ)·E_D[ζ·d] (1 at the saddle point)
 * and V̂ = E_D[ζ·r] / M / (1 − γ) = E_D[ζ·r] / ((1 − γ)·E_D[ζ] + γ·E_D[ζ·d]). The normalisation
 * removes the weights' overall scale error; nothing about the absorbing state is learned.
 */
export function normalizedValueEstimate(zetaRewardMean: number, zetaMean: number, zetaTerminalMean: number, gamma: number): number {
  return zetaRewardMean / ((1 - gamma) * zetaMean + gamma * zetaTerminalMean);
}

/** M = E_D[ζ] + γ/(1 − γ)·E_D[ζ·d], the mass of the occupancy the weights describe (1 when they are right). */
export function occupancyMass(zetaMean: number, zetaTerminalMean: number, gamma: number): number {
  return zetaMean + (gamma / (1 - gamma)) * zetaTerminalMean;
}
