import { categorical, diagGaussian } from '../nn/distributions.js';
import { accumulateHeadGrad, headEntropy, headLogProb, prepareHead, valueLoss, type PolicyHead } from './policy-head.js';

/**
 * On-policy mirror-descent policy optimisation (MDPO, Tomar et al. 2020; ALGORITHMS.md §3) on
 * one batch, as a pure function of the networks' outputs, in the same form as {@link ppoLoss}:
 *
 *   L = −mean(ρ·A) + (1/t_k)·mean_s KL(π_θ(·|s) ‖ π_θk(·|s)) − c_e·mean H + c_v·L_V
 *   ρ = π_θ(a|s) / π_θk(a|s),   L_V the critic's (clipped) squared error (`valueLoss`)
 *
 * with the analytic KL of the head's distribution, new ‖ old; the old outputs are those of θ_k,
 * computed once per iteration before the m steps. It writes ∂L/∂(policy outputs) into the head's
 * gradient arrays and ∂(c_v·L_V)/∂V into `gradValues`. At θ = θ_k the KL term and its gradient
 * are 0, so the first of the m steps is a plain surrogate (policy-gradient) step.
 */
export interface MdpoLossHyper {
  /** The KL penalty 1/t_k. */
  readonly klCoef: number;
  /** ε_v of the critic's value clip (MDPO: 0.2), or null for the plain squared error. */
  readonly clipRangeVf: number | null;
  readonly entCoef: number;
  /** Weight of the value loss in L (0 when the critic has its own optimiser, as in MDPO). */
  readonly vfCoef: number;
}

/** The head's outputs at θ_k, rows laid out as the head's own. */
export type OldHeadOutputs =
  | {
      readonly kind: 'categorical';
      /** [B × K] log-probabilities (log-softmax of the old logits). */
      readonly logp: ArrayLike<number>;
    }
  | {
      readonly kind: 'gaussian';
      /** [B × D] old means. */
      readonly mean: ArrayLike<number>;
      /** [B × D] old per-sample log-std. */
      readonly logStd: ArrayLike<number>;
    };

/** What the rollout recorded for the batch's samples, plus the old head outputs. */
export interface MdpoSamples {
  readonly size: number;
  /** log π_θk(a|s) of the actions taken. */
  readonly oldLogProbs: ArrayLike<number>;
  /** Advantages, already standardised if the algorithm standardises them. */
  readonly advantages: ArrayLike<number>;
  readonly returns: ArrayLike<number>;
  readonly oldValues: ArrayLike<number>;
  readonly old: OldHeadOutputs;
}

/** Loss terms of one batch. */
export interface MdpoLossMetrics {
  /** −mean(ρ·A). */
  policyLoss: number;
  /** mean_s KL(π_θ ‖ π_θk), analytic. */
  kl: number;
  valueLoss: number;
  entropy: number;
  /** mean((ρ − 1) − log ρ), the sample-based KL(old ‖ new) estimate PPO reports. */
  approxKl: number;
  loss: number;
}

/** Computes the MDPO loss of a batch and writes its gradients w.r.t. the outputs (see module doc). */
export function mdpoLoss(head: PolicyHead, values: ArrayLike<number>, samples: MdpoSamples, hyper: MdpoLossHyper, gradValues: Float64Array): MdpoLossMetrics {
  const B = samples.size;
  const { klCoef, clipRangeVf, entCoef, vfCoef } = hyper;
  const old = samples.old;
  if (old.kind !== head.kind) throw new TypeError(`mdpoLoss: old outputs are ${old.kind}, the head is ${head.kind}`);
  let surrogateSum = 0;
  let klSum = 0;
  let approxKlSum = 0;
  let entropySum = 0;
  prepareHead(head, B);
  for (let b = 0; b < B; b++) {
    const logRatio = headLogProb(head, b) - (samples.oldLogProbs[b] as number);
    const ratio = Math.exp(logRatio);
    const adv = samples.advantages[b] as number;
    surrogateSum += ratio * adv;
    approxKlSum += ratio - 1 - logRatio;
    entropySum += headEntropy(head, b);
    // ∂(−ρA)/∂log π = −ρA.
    accumulateHeadGrad(head, b, (-ratio * adv) / B, -entCoef / B);
    if (head.kind === 'categorical' && old.kind === 'categorical') {
      const K = head.numActions;
      klSum += categorical.klRow(head.scratchLogp, old.logp, b * K, K);
      if (klCoef !== 0) categorical.accumulateKlGrad(head.scratchLogp, old.logp, b * K, K, klCoef / B, head.gradLogits);
    } else if (head.kind === 'gaussian' && old.kind === 'gaussian') {
      const D = head.actionDim;
      klSum += diagGaussian.klRow(head.mean, head.logStd, old.mean, old.logStd, b * D, D);
      if (klCoef !== 0) diagGaussian.accumulateKlGrad(head.mean, head.logStd, old.mean, old.logStd, b * D, D, klCoef / B, head.gradMean, head.gradLogStd);
    } else {
      throw new RangeError(`mdpoLoss: the KL term needs matching categorical or Gaussian heads, got ${head.kind} and ${old.kind}`);
    }
  }
  const valueLossMean = valueLoss(B, values, samples.returns, samples.oldValues, clipRangeVf, vfCoef, gradValues);
  const policyLoss = -surrogateSum / B;
  const kl = klSum / B;
  const entropy = entropySum / B;
  return { policyLoss, kl, valueLoss: valueLossMean, entropy, approxKl: approxKlSum / B, loss: policyLoss + klCoef * kl + vfCoef * valueLossMean - entCoef * entropy };
}

/**
 * MDPO's step size t_k = 1 − (k − 1)/K for iteration k = 0, 1, … (the reference's schedule,
 * ALGORITHMS.md §3a: k = 0 → 1 + 1/K, k = 1 → 1), with K the number of iterations the run
 * really makes (total steps / rollout size, rounded up). The KL penalty is 1/t_k.
 */
export function mdpoStepSize(k: number, totalIterations: number): number {
  return 1 - (k - 1) / totalIterations;
}

/** K of {@link mdpoStepSize}: the iterations of a run of `totalSteps` with rollouts of `rolloutSize` steps. */
export function mdpoIterations(totalSteps: number, rolloutSize: number): number {
  return Math.max(1, Math.ceil(totalSteps / rolloutSize));
}
