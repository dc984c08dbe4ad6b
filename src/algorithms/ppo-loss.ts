import { categorical, diagGaussian } from '../nn/distributions.js';

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

/** The policy's outputs on a minibatch and where their gradients go. */
export type PolicyHead =
  | {
      readonly kind: 'categorical';
      readonly numActions: number;
      /** [B × K] logits. */
      readonly logits: ArrayLike<number>;
      /** Actions taken, one per sample. */
      readonly actions: ArrayLike<number>;
      /** [B × K] output: ∂L/∂logits. */
      readonly gradLogits: Float64Array;
      /** [B × K] scratch for log-probabilities. */
      readonly scratchLogp: Float64Array;
    }
  | {
      readonly kind: 'gaussian';
      readonly actionDim: number;
      /** [B × D] means. */
      readonly mean: ArrayLike<number>;
      /** [B × D] log-std of each sample (rows repeat for a state-independent log-std). */
      readonly logStd: ArrayLike<number>;
      /** [B × D] actions taken (the unclipped samples). */
      readonly actions: ArrayLike<number>;
      /** [B × D] output: ∂L/∂mean. */
      readonly gradMean: Float64Array;
      /** [B × D] output: ∂L/∂logStd per sample. */
      readonly gradLogStd: Float64Array;
    };

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
 */
export function ppoLoss(head: PolicyHead, values: ArrayLike<number>, samples: PpoSamples, hyper: PpoLossHyper, gradValues: Float64Array): PpoLossMetrics {
  const B = samples.size;
  const { clipRange: eps, clipRangeVf, entCoef, vfCoef } = hyper;
  let policySum = 0;
  let klSum = 0;
  let clipped = 0;
  let entropySum = 0;

  if (head.kind === 'categorical') {
    const K = head.numActions;
    head.gradLogits.fill(0, 0, B * K);
    categorical.logSoftmax(head.logits, B, K, head.scratchLogp);
  } else {
    head.gradMean.fill(0, 0, B * head.actionDim);
    head.gradLogStd.fill(0, 0, B * head.actionDim);
  }

  for (let b = 0; b < B; b++) {
    let logp: number;
    if (head.kind === 'categorical') {
      logp = head.scratchLogp[b * head.numActions + (head.actions[b] as number)] as number;
      entropySum += categorical.entropyRow(head.scratchLogp, b * head.numActions, head.numActions);
    } else {
      logp = diagGaussian.logProbRow(head.actions, head.mean, head.logStd, b * head.actionDim, head.actionDim);
      entropySum += diagGaussian.entropyRow(head.logStd, b * head.actionDim, head.actionDim);
    }
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
    if (head.kind === 'categorical') {
      categorical.accumulateGrad(head.scratchLogp, b * head.numActions, head.numActions, head.actions[b] as number, gradLogp, -entCoef / B, head.gradLogits);
    } else {
      diagGaussian.accumulateGrad(head.actions, head.mean, head.logStd, b * head.actionDim, head.actionDim, gradLogp, -entCoef / B, head.gradMean, head.gradLogStd);
    }
  }

  let valueSum = 0;
  for (let b = 0; b < B; b++) {
    const v = values[b] as number;
    const ret = samples.returns[b] as number;
    const errU = v - ret;
    let err = errU;
    if (clipRangeVf !== null) {
      const vOld = samples.oldValues[b] as number;
      const dv = v - vOld;
      const vClipped = vOld + (dv < -clipRangeVf ? -clipRangeVf : dv > clipRangeVf ? clipRangeVf : dv);
      const errC = vClipped - ret;
      // The max picks the clipped error only where it is larger; its gradient is 0 when clipping is active.
      if (errC * errC > errU * errU) err = Math.abs(dv) > clipRangeVf ? 0 : errC;
      valueSum += Math.max(errU * errU, errC * errC);
    } else {
      valueSum += errU * errU;
    }
    gradValues[b] = (vfCoef * 2 * err) / B;
  }

  const policyLoss = -policySum / B;
  const valueLoss = valueSum / B;
  const entropy = entropySum / B;
  return { policyLoss, valueLoss, entropy, approxKl: klSum / B, clipFraction: clipped / B, loss: policyLoss + vfCoef * valueLoss - entCoef * entropy };
}
