/**
 * Weighted maximum likelihood of dataset actions under a diagonal Gaussian policy with a
 * state-independent, clamped log-std — the policy-extraction step of BC (weights 1), IQL
 * (advantage weights) and O-DICE (residual weights). Pure function over the policy's outputs.
 * @module
 */

const LOG_2PI = Math.log(2 * Math.PI);

/** The log-std the policy acts and is scored with: the parameter clamped to [min, max]. */
export function clampLogStd(logStd: number, min: number, max: number): number {
  return Math.min(Math.max(logStd, min), max);
}

/** The Gaussian policy's outputs on a batch and where the loss gradients go. */
export interface WeightedGaussianBatch {
  readonly batch: number;
  readonly actionDim: number;
  /** [B × D] means. */
  readonly mean: ArrayLike<number>;
  /** [D] log-std parameters, before clamping. */
  readonly logStd: ArrayLike<number>;
  readonly logStdMin: number;
  readonly logStdMax: number;
  /** [B × D] dataset actions. */
  readonly actions: ArrayLike<number>;
  /** [B] weights (detached). */
  readonly weights: ArrayLike<number>;
}

/**
 * L = mean_b w_b·(−log N(a_b; μ_b, diag σ²)), σ = exp(clamp(logStd, min, max)). Writes ∂L/∂μ
 * into `gradMean` ([B × D]) and ∂L/∂logStd into `gradLogStd` ([D]; zero where the clamp is
 * active, as PyTorch's clamp passes no gradient there), both overwritten. Returns L and the
 * mean unweighted negative log-likelihood.
 */
export function weightedGaussianNll(x: WeightedGaussianBatch, gradMean: Float64Array, gradLogStd: Float64Array): { loss: number; nll: number } {
  const { batch: B, actionDim: D, mean, logStd, actions, weights } = x;
  let loss = 0;
  let nllSum = 0;
  gradLogStd.fill(0, 0, D);
  for (let b = 0; b < B; b++) {
    const w = weights[b] as number;
    let nll = 0;
    for (let j = 0; j < D; j++) {
      const ls = clampLogStd(logStd[j] as number, x.logStdMin, x.logStdMax);
      const invStd = Math.exp(-ls);
      const k = b * D + j;
      const z = ((actions[k] as number) - (mean[k] as number)) * invStd;
      nll += 0.5 * z * z + ls + 0.5 * LOG_2PI;
      gradMean[k] = (-w * z * invStd) / B;
      gradLogStd[j] = (gradLogStd[j] as number) + (w * (1 - z * z)) / B;
    }
    loss += w * nll;
    nllSum += nll;
  }
  for (let j = 0; j < D; j++) {
    const raw = logStd[j] as number;
    if (raw < x.logStdMin || raw > x.logStdMax) gradLogStd[j] = 0;
  }
  return { loss: loss / B, nll: nllSum / B };
}
