import { trajectoryScoreWeights } from '../algorithms/normalized-pg.js';
import type { PolicyCurvature } from './policy-curvature.js';

/** A time-major rollout (sample t·N + i) as HARPG's correction reads it. */
export interface RolloutSamples {
  readonly numSteps: number;
  readonly numEnvs: number;
  readonly observations: ArrayLike<number>;
  readonly actions: ArrayLike<number>;
  /** R_t: the discounted reward-to-go within the sample's episode. */
  readonly returns: ArrayLike<number>;
  /** 1 where an episode ended at the sample. */
  readonly episodeEnds: ArrayLike<number>;
}

/**
 * HARPG's Hessian-aided correction v = B(τ, θ)·u (Fatkhullin et al. 2023), averaged over the
 * trajectories τ_1 … τ_K (episode pieces) of a rollout:
 *
 *   v = (1/K)·Σ_k [⟨∇log p(τ_k|θ), u⟩·g(τ_k, θ) + ∇²Φ(τ_k, θ)·u],
 *   g(τ, θ) = ∇Φ(τ, θ),  Φ(τ, θ) = Σ_{t∈τ} R_t·log π(a_t|s_t).
 *
 * Its expectation over τ ~ p(·|θ) is the derivative of E[g(τ, θ)] along u (score-function term
 * plus pathwise term), which is what makes d_{t−1} + v track the gradient at the new iterate.
 * Three products at θ: ∇²Φ·u ({@link PolicyCurvature}), the per-sample ⟨∇log π, u⟩
 * ({@link PolicyCurvature.logProbDirectionalDerivatives}) and one gradient with weights ⟨∇log p(τ_k), u⟩·R_t / K.
 */
export class HarpgCorrection {
  private readonly weights: Float64Array;
  private readonly directional: Float64Array;
  private readonly scoreWeights: Float64Array;
  private readonly scorePart: Float64Array;

  constructor(
    private readonly curvature: PolicyCurvature,
    batchCapacity: number,
  ) {
    this.weights = new Float64Array(batchCapacity);
    this.directional = new Float64Array(batchCapacity);
    this.scoreWeights = new Float64Array(batchCapacity);
    this.scorePart = new Float64Array(curvature.spec.paramCount);
  }

  /** Writes v = B·u at `params` for the rollout, averaged with weight `scale` (1/K), into `out` (full parameter vector). */
  compute(params: Float64Array, samples: RolloutSamples, scale: number, u: Float64Array, out: Float64Array): void {
    const { numSteps, numEnvs, observations, actions, returns, episodeEnds } = samples;
    const B = numSteps * numEnvs;
    const w = this.weights.subarray(0, B);
    for (let b = 0; b < B; b++) w[b] = scale * (returns[b] as number);
    this.curvature.prepare(params, observations, B);
    this.curvature.logProbHessianVectorProduct(w, actions, u, out);
    this.curvature.logProbDirectionalDerivatives(actions, u, this.directional);
    trajectoryScoreWeights(numSteps, numEnvs, episodeEnds, this.directional, returns, scale, this.scoreWeights);
    this.curvature.logProbGradient(this.scoreWeights.subarray(0, B), actions, this.scorePart);
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (this.scorePart[i] as number);
  }
}
