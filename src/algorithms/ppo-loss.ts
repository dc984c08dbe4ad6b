import { accumulateHeadGrad, headEntropy, headLogProb, prepareHead, valueLoss, type PolicyHead } from './policy-head.js';

export type { PolicyHead } from './policy-head.js';

/**
 * PPO's clipped objective (Schulman et al. 2017) on one minibatch, as a pure function of the
 * networks' outputs: it returns the loss terms and writes the gradient of the total loss
 * w.r.t. those outputs, which the networks then backpropagate. Written once for both action
 * distributions.
 *
 *   L = −mean min(ρA, clip(ρ, 1−ε, 1+ε)A) + c_v·L_V − c_e·mean H
 *   L_V = mean (V − R)²                                 (SB3's mse; no ½)
 *   L_V = mean max((V − R)², (V_old + clip(V − V_old, ±ε_v) − R)²)   with value clipping
 */
export interface PpoLossHyper {
  /** ε of the ratio clip. */
  readonly clipRange: number;
  /** ε_v of the value clip, or null for the plain squared error (SB3's default). */
  readonly clipRangeVf: number | null;
  readonly entCoef: number;
  readonly vfCoef: number;
}

/** What the rollout recorded for the minibatch's samples. */
export interface PpoSamples {
  readonly size: number;
  readonly oldLogProbs: ArrayLike<number>;
  /** Advantages, already normalised if the algorithm normalises them. */
  readonly advantages: ArrayLike<number>;
  readonly returns: ArrayLike<number>;
  readonly oldValues: ArrayLike<number>;
}

/** Loss terms and diagnostics of one minibatch (the names CleanRL and SB3 log). */
export interface PpoLossMetrics {
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  /** mean((ρ − 1) − log ρ), the low-variance KL(old ‖ new) estimate. */
  approxKl: number;
  /** Fraction of samples whose ratio left [1 − ε, 1 + ε]. */
  clipFraction: number;
  loss: number;
}

/**
 * Computes the PPO loss of a minibatch and writes ∂L/∂(policy outputs) into the head's gradient
 * arrays and ∂L/∂V into `gradValues`. Gradient conventions follow autograd of the formula:
 * inside the clip range both branches agree and the gradient flows; outside it, the clipped
 * branch is chosen only when it is the smaller one, and then the gradient is zero.
 * `extraGradEntropy[b]`, when given, is added to sample b's ∂L/∂H (its loss is the caller's).
 */
export function ppoLoss(head: PolicyHead, values: ArrayLike<number>, samples: PpoSamples, hyper: PpoLossHyper, gradValues: Float64Array, extraGradEntropy?: ArrayLike<number>): PpoLossMetrics {
  const B = samples.size;
  const { clipRange: eps, clipRangeVf, entCoef, vfCoef } = hyper;
  let policySum = 0;
  let klSum = 0;
  let clipped = 0;
  let entropySum = 0;

  prepareHead(head, B);
  for (let b = 0; b < B; b++) {
    const logp = headLogProb(head, b);
    entropySum += headEntropy(head, b);
    const logRatio = logp - (samples.oldLogProbs[b] as number);
    const ratio = Math.exp(logRatio);
    const adv = samples.advantages[b] as number;
    const unclippedObj = ratio * adv;
    const clippedRatio = ratio < 1 - eps ? 1 - eps : ratio > 1 + eps ? 1 + eps : ratio;
    const clippedObj = clippedRatio * adv;
    policySum += Math.min(unclippedObj, clippedObj);
    klSum += ratio - 1 - logRatio;
    const outside = ratio < 1 - eps || ratio > 1 + eps;
    if (outside) clipped++;
    // ∂(−min)/∂log ρ = −ρA unless the clipped branch is the strictly smaller, constant one.
    const gradLogp = outside && clippedObj < unclippedObj ? 0 : -unclippedObj / B;
    // An extra per-sample ∂L/∂H (EPO's entropy terms) joins the bonus's.
    accumulateHeadGrad(head, b, gradLogp, extraGradEntropy === undefined ? -entCoef / B : -entCoef / B + (extraGradEntropy[b] as number));
  }
  const valueLossMean = valueLoss(B, values, samples.returns, samples.oldValues, clipRangeVf, vfCoef, gradValues);

  const policyLoss = -policySum / B;
  const entropy = entropySum / B;
  return { policyLoss, valueLoss: valueLossMean, entropy, approxKl: klSum / B, clipFraction: clipped / B, loss: policyLoss + vfCoef * valueLossMean - entCoef * entropy };
}
