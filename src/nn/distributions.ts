import type { Rng } from '../core/rng.js';

/**
 * Action distributions on typed arrays, with the gradients PPO-style losses need.
 * Batched: row b of `logits`/`mean` belongs to sample b. Everything is float64.
 */

const LOG_2PI = Math.log(2 * Math.PI);

/** Categorical distribution over K classes, parameterised by unnormalised logits. */
export const categorical = {
  /** Writes log-softmax of each row of `logits` ([B×K]) into `out`. */
  logSoftmax(logits: ArrayLike<number>, batch: number, k: number, out: Float64Array): void {
    for (let b = 0; b < batch; b++) {
      const o = b * k;
      let max = -Infinity;
      for (let j = 0; j < k; j++) max = Math.max(max, logits[o + j] as number);
      let sum = 0;
      for (let j = 0; j < k; j++) sum += Math.exp((logits[o + j] as number) - max);
      const lse = max + Math.log(sum);
      for (let j = 0; j < k; j++) out[o + j] = (logits[o + j] as number) - lse;
    }
  },

  /** Entropy −Σ p log p of one row of log-probabilities. */
  entropyRow(logp: ArrayLike<number>, offset: number, k: number): number {
    let h = 0;
    for (let j = 0; j < k; j++) {
      const lp = logp[offset + j] as number;
      h -= Math.exp(lp) * lp;
    }
    return h;
  },

  /** Samples a class from one row of log-probabilities by inverting the CDF. */
  sampleRow(logp: ArrayLike<number>, offset: number, k: number, rng: Rng): number {
    const u = rng.uniform();
    let cdf = 0;
    for (let j = 0; j < k - 1; j++) {
      cdf += Math.exp(logp[offset + j] as number);
      if (u < cdf) return j;
    }
    return k - 1;
  },

  /** Index of the largest log-probability of a row (the deterministic action). */
  modeRow(logp: ArrayLike<number>, offset: number, k: number): number {
    let best = 0;
    for (let j = 1; j < k; j++) if ((logp[offset + j] as number) > (logp[offset + best] as number)) best = j;
    return best;
  },

  /** KL(p ‖ q) of two rows of log-probabilities. */
  klRow(logp: ArrayLike<number>, logq: ArrayLike<number>, offset: number, k: number): number {
    let kl = 0;
    for (let j = 0; j < k; j++) {
      const lp = logp[offset + j] as number;
      kl += Math.exp(lp) * (lp - (logq[offset + j] as number));
    }
    return kl;
  },

  /**
   * Adds `coef · ∂KL(p ‖ q)/∂z` to `gradLogits` (row at `offset`), where p = softmax(z) is the
   * row of `logp` and q (the row of `logq`) is held fixed: ∂KL/∂z_j = p_j·((log p_j − log q_j) − KL).
   * Zero when p = q.
   */
  accumulateKlGrad(logp: ArrayLike<number>, logq: ArrayLike<number>, offset: number, k: number, coef: number, gradLogits: Float64Array): void {
    const kl = categorical.klRow(logp, logq, offset, k);
    for (let j = 0; j < k; j++) {
      const lp = logp[offset + j] as number;
      gradLogits[offset + j] = (gradLogits[offset + j] as number) + coef * Math.exp(lp) * (lp - (logq[offset + j] as number) - kl);
    }
  },

  /**
   * Adds to `gradLogits` (row at `offset`) the gradient of `cLogp·log p(a) + cEntropy·H`
   * w.r.t. the logits: ∂log p(a)/∂z_j = 1[j=a] − p_j and ∂H/∂z_j = −p_j (log p_j + H).
   */
  accumulateGrad(logp: ArrayLike<number>, offset: number, k: number, action: number, cLogp: number, cEntropy: number, gradLogits: Float64Array): void {
    const h = cEntropy !== 0 ? categorical.entropyRow(logp, offset, k) : 0;
    for (let j = 0; j < k; j++) {
      const lp = logp[offset + j] as number;
      const p = Math.exp(lp);
      gradLogits[offset + j] = (gradLogits[offset + j] as number) + cLogp * ((j === action ? 1 : 0) - p) - cEntropy * p * (lp + h);
    }
  },
};

/**
 * Diagonal Gaussian with a mean and a log-std per sample, rows of `[B × D]` arrays. A
 * state-independent log-std (PPO's usual parameterisation) is the same row repeated; gSDE
 * gives each sample its own.
 */
export const diagGaussian = {
  /** log N(x; μ, σ²) of the row at `offset`. */
  logProbRow(x: ArrayLike<number>, mean: ArrayLike<number>, logStd: ArrayLike<number>, offset: number, d: number): number {
    let lp = 0;
    for (let j = 0; j < d; j++) {
      const ls = logStd[offset + j] as number;
      const z = ((x[offset + j] as number) - (mean[offset + j] as number)) * Math.exp(-ls);
      lp += -0.5 * z * z - ls - 0.5 * LOG_2PI;
    }
    return lp;
  },

  /** Entropy Σ_j (½ + ½ log 2π + log σ_j) of the row at `offset`. */
  entropyRow(logStd: ArrayLike<number>, offset: number, d: number): number {
    let h = 0;
    for (let j = 0; j < d; j++) h += 0.5 + 0.5 * LOG_2PI + (logStd[offset + j] as number);
    return h;
  },

  /** Writes a sample μ + σ·ε of the row at `offset` into `out` at `outOffset`. */
  sampleRow(mean: ArrayLike<number>, logStd: ArrayLike<number>, offset: number, d: number, rng: Rng, out: Float32Array | Float64Array, outOffset: number): void {
    for (let j = 0; j < d; j++) out[outOffset + j] = (mean[offset + j] as number) + Math.exp(logStd[offset + j] as number) * rng.normal();
  },

  /** KL(p ‖ q) between two diagonal Gaussians, the rows at `offset`. */
  klRow(meanP: ArrayLike<number>, logStdP: ArrayLike<number>, meanQ: ArrayLike<number>, logStdQ: ArrayLike<number>, offset: number, d: number): number {
    let kl = 0;
    for (let j = 0; j < d; j++) {
      const lsp = logStdP[offset + j] as number;
      const lsq = logStdQ[offset + j] as number;
      const dm = (meanP[offset + j] as number) - (meanQ[offset + j] as number);
      kl += lsq - lsp + (Math.exp(2 * lsp) + dm * dm) / (2 * Math.exp(2 * lsq)) - 0.5;
    }
    return kl;
  },

  /**
   * Adds `coef · ∂KL(p ‖ q)` w.r.t. p's mean (into `gradMean`) and log-std (into `gradLogStd`),
   * q held fixed, rows at `offset`: ∂KL/∂μ_p = (μ_p − μ_q)/σ_q², ∂KL/∂log σ_p = σ_p²/σ_q² − 1.
   * Zero when p = q.
   */
  accumulateKlGrad(meanP: ArrayLike<number>, logStdP: ArrayLike<number>, meanQ: ArrayLike<number>, logStdQ: ArrayLike<number>, offset: number, d: number, coef: number, gradMean: Float64Array, gradLogStd: Float64Array): void {
    for (let j = 0; j < d; j++) {
      const k = offset + j;
      const invVarQ = Math.exp(-2 * (logStdQ[k] as number));
      gradMean[k] = (gradMean[k] as number) + coef * ((meanP[k] as number) - (meanQ[k] as number)) * invVarQ;
      gradLogStd[k] = (gradLogStd[k] as number) + coef * (Math.exp(2 * (logStdP[k] as number)) * invVarQ - 1);
    }
  },

  /**
   * Adds the gradient of `cLogp·log p(x) + cEntropy·H` of the row at `offset` w.r.t. its mean
   * (into `gradMean`) and its log-std (into `gradLogStd`): ∂log p/∂μ = (x−μ)/σ²,
   * ∂log p/∂log σ = ((x−μ)/σ)² − 1, ∂H/∂log σ = 1.
   */
  accumulateGrad(x: ArrayLike<number>, mean: ArrayLike<number>, logStd: ArrayLike<number>, offset: number, d: number, cLogp: number, cEntropy: number, gradMean: Float64Array, gradLogStd: Float64Array): void {
    for (let j = 0; j < d; j++) {
      const k = offset + j;
      const invStd = Math.exp(-(logStd[k] as number));
      const z = ((x[k] as number) - (mean[k] as number)) * invStd;
      gradMean[k] = (gradMean[k] as number) + cLogp * z * invStd;
      gradLogStd[k] = (gradLogStd[k] as number) + cLogp * (z * z - 1) + cEntropy;
    }
  },
};
