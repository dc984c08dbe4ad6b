import { accumulateHeadGrad, headEntropy, headLogProb, prepareHead, valueLoss, type PolicyHead } from './policy-head.js';

/**
 * The vanilla policy-gradient loss of A2C (Mnih et al. 2016, as SB3's `A2C.train`) and
 * REINFORCE (Williams 1992) on one batch, as a pure function of the networks' outputs:
 *
 *   L = −mean(A · log π(a|s)) + c_v · mean (V − R)² − c_e · mean H
 *
 * It returns the loss terms and writes ∂L/∂(policy outputs) into the head and ∂L/∂V into
 * `gradValues`, exactly as {@link ppoLoss} does, from the same per-sample helpers
 * (`policy-head.ts`). Why not `ppoLoss` with ρ ≡ 1: its gradient would be the same (∂(ρA)/∂log π
 * = ρA = A at ρ = 1), but the reported policy loss would be −mean(A), not −mean(A·log π), its
 * ratio/KL/clip bookkeeping would be noise, and ρ ≡ 1 would have to be forced by feeding the
 * current log-probs back as the "old" ones — three quirks to avoid a ten-line loop.
 *
 * Without a baseline (REINFORCE, `vfCoef` 0 and `returns` unused), pass the returns as the
 * advantages; with `vfCoef` 0 the value gradient is exactly 0.
 */
export interface PolicyGradientHyper {
  readonly entCoef: number;
  readonly vfCoef: number;
}

/** What the rollout recorded for the batch's samples. */
export interface PolicyGradientSamples {
  readonly size: number;
  /** The weight of each log-probability: advantages (A2C), or returns (REINFORCE without baseline). */
  readonly advantages: ArrayLike<number>;
  /** Regression targets of the critic. */
  readonly returns: ArrayLike<number>;
}

/** Loss terms of one batch. */
export interface PolicyGradientLossMetrics {
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  loss: number;
}

/** Computes the loss of a batch and writes its gradients w.r.t. the outputs (see module doc). */
export function policyGradientLoss(head: PolicyHead, values: ArrayLike<number>, samples: PolicyGradientSamples, hyper: PolicyGradientHyper, gradValues: Float64Array): PolicyGradientLossMetrics {
  const B = samples.size;
  const { entCoef, vfCoef } = hyper;
  let policySum = 0;
  let entropySum = 0;
  prepareHead(head, B);
  for (let b = 0; b < B; b++) {
    const adv = samples.advantages[b] as number;
    policySum += adv * headLogProb(head, b);
    entropySum += headEntropy(head, b);
    accumulateHeadGrad(head, b, -adv / B, -entCoef / B);
  }
  const valueLossMean = valueLoss(B, values, samples.returns, null, null, vfCoef, gradValues);
  const policyLoss = -policySum / B;
  const entropy = entropySum / B;
  return { policyLoss, valueLoss: valueLossMean, entropy, loss: policyLoss + vfCoef * valueLossMean - entCoef * entropy };
}
