import { categorical, diagGaussian } from '../nn/distributions.js';

/**
 * The per-sample pieces every policy-gradient loss here is built from (PPO's clipped objective,
 * A2C/REINFORCE's plain one): log π(a|s) and H of one sample from the policy's outputs, the
 * accumulation of ∂L/∂(outputs) from ∂L/∂log π and ∂L/∂H, and the squared-error value loss.
 */

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
    }
  | {
      /**
       * Two independent heads whose samples form one action, e.g. a stochastic stateful policy's
       * action head π^a(a | o, z) and internal-state kernel κ(z' | o, z) (S2PG): the log-prob and
       * entropy are the sums, and ∂L/∂log π reaches both parts (dropping the kernel's term would
       * remove its only learning signal).
       */
      readonly kind: 'joint';
      readonly action: PolicyHead;
      readonly state: PolicyHead;
    };

/** Zeroes the head's gradient outputs for `B` samples (and fills the categorical log-probs). */
export function prepareHead(head: PolicyHead, B: number): void {
  if (head.kind === 'joint') {
    prepareHead(head.action, B);
    prepareHead(head.state, B);
  } else if (head.kind === 'categorical') {
    const K = head.numActions;
    head.gradLogits.fill(0, 0, B * K);
    categorical.logSoftmax(head.logits, B, K, head.scratchLogp);
  } else {
    head.gradMean.fill(0, 0, B * head.actionDim);
    head.gradLogStd.fill(0, 0, B * head.actionDim);
  }
}

/** log π(a_b|s_b) of sample `b` (after {@link prepareHead}). */
export function headLogProb(head: PolicyHead, b: number): number {
  if (head.kind === 'joint') return headLogProb(head.action, b) + headLogProb(head.state, b);
  return head.kind === 'categorical'
    ? (head.scratchLogp[b * head.numActions + (head.actions[b] as number)] as number)
    : diagGaussian.logProbRow(head.actions, head.mean, head.logStd, b * head.actionDim, head.actionDim);
}

/** Entropy of the policy at sample `b` (after {@link prepareHead}). */
export function headEntropy(head: PolicyHead, b: number): number {
  if (head.kind === 'joint') return headEntropy(head.action, b) + headEntropy(head.state, b);
  return head.kind === 'categorical' ? categorical.entropyRow(head.scratchLogp, b * head.numActions, head.numActions) : diagGaussian.entropyRow(head.logStd, b * head.actionDim, head.actionDim);
}

/** Adds sample `b`'s ∂L/∂(outputs), given ∂L/∂log π(a_b|s_b) and ∂L/∂H_b, to the head's gradients. */
export function accumulateHeadGrad(head: PolicyHead, b: number, gradLogp: number, gradEntropy: number): void {
  if (head.kind === 'joint') {
    accumulateHeadGrad(head.action, b, gradLogp, gradEntropy);
    accumulateHeadGrad(head.state, b, gradLogp, gradEntropy);
  } else if (head.kind === 'categorical') {
    categorical.accumulateGrad(head.scratchLogp, b * head.numActions, head.numActions, head.actions[b] as number, gradLogp, gradEntropy, head.gradLogits);
  } else {
    diagGaussian.accumulateGrad(head.actions, head.mean, head.logStd, b * head.actionDim, head.actionDim, gradLogp, gradEntropy, head.gradMean, head.gradLogStd);
  }
}

/**
 * The value loss L_V = mean (V − R)² (SB3's mse, no ½), or with value clipping (ε_v not null)
 * mean max((V − R)², (V_old + clip(V − V_old, ±ε_v) − R)²). Writes ∂(c_v·L_V)/∂V into
 * `gradValues`; the max picks the clipped error only where it is larger, and its gradient is 0
 * when clipping is active. Returns L_V.
 */
export function valueLoss(B: number, values: ArrayLike<number>, returns: ArrayLike<number>, oldValues: ArrayLike<number> | null, clipRangeVf: number | null, vfCoef: number, gradValues: Float64Array): number {
  let valueSum = 0;
  for (let b = 0; b < B; b++) {
    const v = values[b] as number;
    const ret = returns[b] as number;
    const errU = v - ret;
    let err = errU;
    if (clipRangeVf !== null && oldValues !== null) {
      const vOld = oldValues[b] as number;
      const dv = v - vOld;
      const vClipped = vOld + (dv < -clipRangeVf ? -clipRangeVf : dv > clipRangeVf ? clipRangeVf : dv);
      const errC = vClipped - ret;
      if (errC * errC > errU * errU) err = Math.abs(dv) > clipRangeVf ? 0 : errC;
      valueSum += Math.max(errU * errU, errC * errC);
    } else {
      valueSum += errU * errU;
    }
    gradValues[b] = (vfCoef * 2 * err) / B;
  }
  return valueSum / B;
}
