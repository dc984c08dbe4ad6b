import { accumulateHeadGrad, headEntropy, headLogProb, prepareHead, type PolicyHead } from './policy-head.js';

/**
 * The stochastic stateful policy of S2PG (Al-Hafez et al. 2024; ALGORITHMS.md §6): an action head
 * π^a(a | o, z) and an internal-state kernel κ(z' | o, z), so that (a, z') is one extended action
 * of the extended state (o, z) and
 *
 *     log π(a, z' | o, z) = log π^a(a | o, z) + log κ(z' | o, z).
 *
 * Every policy-gradient quantity (ratio, score, entropy) is taken of this joint: dropping the
 * kernel's term removes the only learning signal z gets, because z is sampled, stored with the
 * transition and never backpropagated through. Each head is a {@link PolicyHead} (categorical or
 * Gaussian), so the action and the state may be of different kinds.
 */
export interface StatefulHeads {
  readonly action: PolicyHead;
  readonly state: PolicyHead;
}

/** Zeroes both heads' gradient outputs for `B` samples (and fills their categorical log-probs). */
export function prepareStatefulHeads(heads: StatefulHeads, B: number): void {
  prepareHead(heads.action, B);
  prepareHead(heads.state, B);
}

/** log π(a_b, z'_b | o_b, z_b), the joint log-prob of sample `b`. */
export function statefulLogProb(heads: StatefulHeads, b: number): number {
  return headLogProb(heads.action, b) + headLogProb(heads.state, b);
}

/** The joint entropy H(π^a) + H(κ) of sample `b` (the heads are independent given (o, z)). */
export function statefulEntropy(heads: StatefulHeads, b: number): number {
  return headEntropy(heads.action, b) + headEntropy(heads.state, b);
}

/**
 * Adds sample `b`'s ∂L/∂(outputs of both heads), given ∂L/∂log π(a, z') (which reaches both
 * terms of the joint) and ∂L/∂H of each head's entropy (separate, as SAC-RS weighs them apart).
 */
export function accumulateStatefulGrad(heads: StatefulHeads, b: number, gradLogp: number, gradActionEntropy: number, gradStateEntropy: number): void {
  accumulateHeadGrad(heads.action, b, gradLogp, gradActionEntropy);
  accumulateHeadGrad(heads.state, b, gradLogp, gradStateEntropy);
}
