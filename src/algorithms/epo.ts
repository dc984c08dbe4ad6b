/**
 * EPO's entropy terms (Entropy-regularised Policy Optimisation for multi-turn agents,
 * arXiv 2509.22576; ALGORITHMS.md §5), after the released verl code: the trajectory-level
 * entropy bonus, the entropy *smoothing* against each turn's historical average entropy, and the
 * adaptive phase weight β_k. Pure functions; the agent adds them to PPO's or GRPO's loss:
 *
 *     L = L_PPO/GRPO − c_H·[ H − c_s·agg(β_k·m) ] (+ c_KL·KL).
 * @module
 */

/** The phase schedule's length K, hard-coded in the released code. */
export const EPO_PHASE_LENGTH = 150;

/**
 * β_k: 1 − 0.2·(1 − e^{−2k/(K/2)}) for k ≤ K/2, then 0.8·e^{−3(k − K/2)/(K − K/2)} (it drops from
 * 0.827 to 0.8 at K/2, as the code does).
 */
export function epoPhaseWeight(k: number, K = EPO_PHASE_LENGTH): number {
  const half = K / 2;
  return k <= half ? 1 - 0.2 * (1 - Math.exp((-2 * k) / half)) : 0.8 * Math.exp((-3 * (k - half)) / (K - half));
}

/** Bounds of the smoothing band around the historical entropy, and the penalty outside it. */
export interface SmoothingBand {
  /** κ_l, κ_r: tokens with κ_l·H̄ < H < κ_r·H̄ are inside (config default 0.8, 1.2). */
  readonly low: number;
  readonly high: number;
  /** α: the mask value outside the band (ALFWorld 0.1, ScienceWorld 0.05). */
  readonly penalty: number;
}

/**
 * The released code's smoothing mask m = 0 inside (κ_l·H̄, κ_r·H̄), α outside. Built from a
 * comparison, it is constant in the policy's parameters: the smoothing term it weights has
 * **zero gradient** and only changes the logged loss.
 */
export function smoothingMask(entropy: number, historical: number, band: SmoothingBand): number {
  return entropy > band.low * historical && entropy < band.high * historical ? 0 : band.penalty;
}

/**
 * A differentiable alternative (ALGORITHMS.md's suggestion, a deviation from the paper's code):
 * α·|H − H̄| outside the band, 0 inside; its derivative in H is ±α outside. Returns the penalty
 * and d/dH.
 */
export function smoothingPenalty(entropy: number, historical: number, band: SmoothingBand): { value: number; grad: number } {
  if (smoothingMask(entropy, historical, band) === 0) return { value: 0, grad: 0 };
  const d = entropy - historical;
  return { value: band.penalty * Math.abs(d), grad: band.penalty * Math.sign(d) };
}

/**
 * Per-turn historical entropy H̄_t: the mean over training iterations of each turn's batch-mean
 * token entropy, keyed by the real turn index (the released code left-pads its history, so short
 * episodes misalign it).
 */
export class TurnEntropyHistory {
  private readonly sums: number[] = [];
  private readonly counts: number[] = [];

  /** Records one iteration's batch-mean entropy of turn `turn`. */
  record(turn: number, meanEntropy: number): void {
    if (!Number.isInteger(turn) || turn < 0) throw new RangeError(`turn must be a non-negative integer, got ${turn}`);
    this.sums[turn] = (this.sums[turn] ?? 0) + meanEntropy;
    this.counts[turn] = (this.counts[turn] ?? 0) + 1;
  }

  /** H̄ of `turn`, or undefined before it was ever recorded. */
  mean(turn: number): number | undefined {
    const c = this.counts[turn];
    return c === undefined || c === 0 ? undefined : (this.sums[turn] as number) / c;
  }

  getState(): { sums: number[]; counts: number[] } {
    return { sums: [...this.sums].map((v) => v ?? 0), counts: [...this.counts].map((v) => v ?? 0) };
  }

  setState(state: { sums: readonly number[]; counts: readonly number[] }): void {
    this.sums.length = 0;
    this.counts.length = 0;
    this.sums.push(...state.sums);
    this.counts.push(...state.counts);
  }
}

/** The settings {@link epoEntropyGradients} needs (the `epo` block of an EPO config). */
export interface EpoTermSettings {
  /** c_H. */
  readonly entropyCoef: number;
  /** c_s. */
  readonly smoothCoef: number;
  readonly bandLow: number;
  readonly bandHigh: number;
  /** α. */
  readonly penalty: number;
  readonly smoothing: 'differentiable' | 'code';
  /** Smooth only batches holding a turn ≥ this. */
  readonly smoothFromTurn: number;
}

/** What {@link epoEntropyGradients} adds to a minibatch's loss, for the logs. */
export interface EpoTermMetrics {
  /** −c_H·H̄ + c_H·c_s·β·mean(smoothing): EPO's share of the loss. */
  readonly loss: number;
  /** Mean smoothing value (mask or penalty) over the samples. */
  readonly smoothing: number;
  /** Fraction of samples outside their turn's band. */
  readonly outside: number;
}

/**
 * EPO's terms −c_H·[H − c_s·mean(β·smoothing)] over B samples whose per-sample entropies are
 * `entropy[b]` at turns `turns[b]`: writes each sample's ∂/∂H_b into `gradEntropy` (−c_H/B, plus
 * c_H·c_s·β·∂penalty/∂H/B with the differentiable smoothing; the code's mask adds nothing, being
 * constant in θ). Smoothing applies once the history holds turn 0 and the batch holds a turn ≥
 * `smoothFromTurn` (the released code's gate).
 */
export function epoEntropyGradients(entropy: ArrayLike<number>, turns: ArrayLike<number>, B: number, history: TurnEntropyHistory, s: EpoTermSettings, beta: number, gradEntropy: Float64Array): EpoTermMetrics {
  let late = false;
  for (let b = 0; b < B && !late; b++) late = (turns[b] as number) >= s.smoothFromTurn;
  const smooth = late && history.mean(0) !== undefined;
  const band: SmoothingBand = { low: s.bandLow, high: s.bandHigh, penalty: s.penalty };
  const weight = (s.entropyCoef * s.smoothCoef * beta) / B;
  let meanEntropy = 0;
  let smoothing = 0;
  let outside = 0;
  for (let b = 0; b < B; b++) {
    const H = entropy[b] as number;
    meanEntropy += H / B;
    let g = -s.entropyCoef / B;
    const historical = smooth ? history.mean(turns[b] as number) : undefined;
    if (historical !== undefined) {
      if (s.smoothing === 'code') {
        const m = smoothingMask(H, historical, band);
        smoothing += m;
        if (m !== 0) outside++;
      } else {
        const p = smoothingPenalty(H, historical, band);
        smoothing += p.value;
        if (p.value !== 0) outside++;
        g += weight * p.grad;
      }
    }
    gradEntropy[b] = g;
  }
  return { loss: -s.entropyCoef * meanEntropy + weight * smoothing, smoothing: smoothing / B, outside: outside / B };
}
