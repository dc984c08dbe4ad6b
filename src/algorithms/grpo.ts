/**
 * GRPO's update rule (Shao et al. 2024, DeepSeekMath; ALGORITHMS.md §4) as pure functions over
 * token log-probabilities: group-normalised outcome advantages, the clipped token surrogate,
 * the k3 estimator of KL(π_θ ‖ π_ref), and the three loss aggregations TRL offers.
 *
 * A batch holds groups of G sampled sequences per task instance ("prompt"); sequence i has
 * |o_i| tokens, every token of it sharing the sequence's advantage Â_i.
 * @module
 */

/** TRL's ε added to the group standard deviation (`GRPOTrainer`: std + 1e-4). */
export const GRPO_STD_EPS = 1e-4;

/**
 * Â_i = (r_i − mean(r)) / (std(r) + ε) within each consecutive group of `groupSize` rewards,
 * with Bessel's correction in the std (TRL, `torch.std`); with `scale` "none", Â_i = r_i − mean(r)
 * (Dr. GRPO). A group whose rewards are all equal gets Â = 0 (never NaN). Writes `out`, returns it.
 */
export function groupAdvantages(rewards: ArrayLike<number>, groupSize: number, out: Float64Array, eps = GRPO_STD_EPS, scale: 'group' | 'none' = 'group'): Float64Array {
  if (!Number.isInteger(groupSize) || groupSize < 2) throw new RangeError(`GRPO needs groups of at least 2 samples, got ${groupSize}`);
  if (rewards.length % groupSize !== 0) throw new RangeError(`${rewards.length} rewards do not split into groups of ${groupSize}`);
  for (let g = 0; g < rewards.length; g += groupSize) {
    let mean = 0;
    for (let i = 0; i < groupSize; i++) mean += rewards[g + i] as number;
    mean /= groupSize;
    let ss = 0;
    for (let i = 0; i < groupSize; i++) ss += ((rewards[g + i] as number) - mean) ** 2;
    const std = Math.sqrt(ss / (groupSize - 1));
    for (let i = 0; i < groupSize; i++) {
      const d = (rewards[g + i] as number) - mean;
      out[g + i] = d === 0 ? 0 : scale === 'none' ? d : d / (std + eps);
    }
  }
  return out;
}

/** The k3 estimator e^u − u − 1, u = log π_ref − log π_θ: unbiased for KL(π_θ ‖ π_ref) on tokens sampled from π_θ, and ≥ 0. */
export function k3(logp: number, logRef: number): number {
  const u = logRef - logp;
  return Math.exp(u) - u - 1;
}

/** d k3 / d log π_θ = 1 − e^u. */
export function k3Grad(logp: number, logRef: number): number {
  return 1 - Math.exp(logRef - logp);
}

/** How token losses become the batch loss (TRL's `loss_type`). */
export type GrpoAggregation = 'grpo' | 'dapo' | 'dr_grpo';

/**
 * The weight of each token of sequence i in the batch loss:
 * - `grpo`: mean over the sequence's tokens, then over sequences: 1 / (S·|o_i|) (length-biased);
 * - `dapo`: sum over all tokens / the number of tokens in the batch: 1 / Σ|o|;
 * - `dr_grpo`: sum / (S·maxLength): 1 / (S·L_max).
 */
export function tokenWeight(aggregation: GrpoAggregation, sequences: number, length: number, totalTokens: number, maxLength: number): number {
  switch (aggregation) {
    case 'grpo':
      return 1 / (sequences * length);
    case 'dapo':
      return 1 / totalTokens;
    case 'dr_grpo':
      return 1 / (sequences * maxLength);
  }
}

/** Settings of {@link grpoLoss}. */
export interface GrpoHyper {
  /** Clip range below 1 (ε) and above (ε_high; DAPO recommends 0.28). */
  readonly clipLow: number;
  readonly clipHigh: number;
  /** β of the k3 KL term (0: no reference policy). */
  readonly klCoef: number;
  readonly aggregation: GrpoAggregation;
}

/** A batch of sampled sequences, token-major within each sequence. */
export interface GrpoTokens {
  /** Token count of each sequence. */
  readonly lengths: ArrayLike<number>;
  /** Per token: log π_θ (current), log π_old (sampling policy), log π_ref (reference; ignored when klCoef is 0). */
  readonly logp: ArrayLike<number>;
  readonly logpOld: ArrayLike<number>;
  readonly logpRef: ArrayLike<number>;
  /** Advantage of each sequence. */
  readonly advantages: ArrayLike<number>;
}

/** Diagnostics of {@link grpoLoss}. */
export interface GrpoLossMetrics {
  readonly loss: number;
  /** Mean of the k3 estimates over tokens. */
  readonly kl: number;
  /** Fraction of tokens whose ratio was clipped (the clip was active). */
  readonly clipFraction: number;
}

/**
 * The GRPO loss (to minimise) L = Σ_tokens w_i·[ −min(ρÂ, clip(ρ, 1−ε, 1+ε_high)Â) + β·k3 ], ρ =
 * exp(log π_θ − log π_old), with w_i the aggregation's token weight. Writes ∂L/∂log π_θ per token
 * into `gradLogp`.
 */
export function grpoLoss(t: GrpoTokens, h: GrpoHyper, gradLogp: Float64Array): GrpoLossMetrics {
  const S = t.lengths.length;
  let total = 0;
  let maxLength = 0;
  for (let i = 0; i < S; i++) {
    total += t.lengths[i] as number;
    maxLength = Math.max(maxLength, t.lengths[i] as number);
  }
  let loss = 0;
  let kl = 0;
  let clipped = 0;
  let k = 0;
  for (let i = 0; i < S; i++) {
    const len = t.lengths[i] as number;
    const w = tokenWeight(h.aggregation, S, len, total, maxLength);
    const A = t.advantages[i] as number;
    for (let j = 0; j < len; j++, k++) {
      const lp = t.logp[k] as number;
      const ratio = Math.exp(lp - (t.logpOld[k] as number));
      const clippedRatio = Math.min(Math.max(ratio, 1 - h.clipLow), 1 + h.clipHigh);
      const unclippedTerm = ratio * A;
      const clippedTerm = clippedRatio * A;
      // min(ρÂ, clip(ρ)Â): the gradient flows only through the unclipped branch when it is the smaller one.
      const useUnclipped = unclippedTerm <= clippedTerm;
      if (!useUnclipped) clipped++;
      let g = useUnclipped ? -A * ratio : 0;
      loss -= w * (useUnclipped ? unclippedTerm : clippedTerm);
      if (h.klCoef !== 0) {
        const ref = t.logpRef[k] as number;
        const e = k3(lp, ref);
        kl += e;
        loss += w * h.klCoef * e;
        g += h.klCoef * k3Grad(lp, ref);
      }
      gradLogp[k] = w * g;
    }
  }
  return { loss, kl: total > 0 ? kl / total : 0, clipFraction: total > 0 ? clipped / total : 0 };
}
