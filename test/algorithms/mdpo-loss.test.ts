import { describe, expect, it } from 'vitest';
import { mdpoIterations, mdpoLoss, mdpoStepSize, type MdpoLossHyper, type MdpoSamples, type OldHeadOutputs } from '../../src/algorithms/mdpo-loss.js';
import type { PolicyHead } from '../../src/algorithms/policy-head.js';
import { Rng } from '../../src/core/rng.js';
import { categorical, diagGaussian } from '../../src/nn/distributions.js';
import { Adam } from '../../src/nn/fast/adam.js';
import { centralDifference } from '../helpers/finite-differences.js';

const B = 10;
const rng = new Rng(11);
const randn = (n: number, s = 1) => Float64Array.from({ length: n }, () => s * rng.normal());

function categoricalCase(K = 3) {
  const logits = randn(B * K);
  const actions = Int32Array.from({ length: B }, () => rng.int(K));
  const oldLogits = Float64Array.from(logits, (z) => z + 0.3 * rng.normal());
  const oldLogp = new Float64Array(B * K);
  categorical.logSoftmax(oldLogits, B, K, oldLogp);
  const oldLogProbs = Float64Array.from({ length: B }, (_, b) => oldLogp[b * K + (actions[b] as number)] as number);
  const old: OldHeadOutputs = { kind: 'categorical', logp: oldLogp };
  const samples: MdpoSamples = { size: B, oldLogProbs, advantages: randn(B), returns: randn(B), oldValues: randn(B), old };
  const head = () => ({ kind: 'categorical' as const, numActions: K, logits, actions, gradLogits: new Float64Array(B * K), scratchLogp: new Float64Array(B * K) });
  return { logits, oldLogits, samples, head, K };
}

function gaussianCase(D = 2) {
  const mean = randn(B * D, 0.5);
  const logStd = Float64Array.from({ length: B * D }, () => 0.3 * rng.normal());
  const actions = randn(B * D);
  const oldMean = Float64Array.from(mean, (m) => m + 0.2 * rng.normal());
  const oldLogStd = Float64Array.from(logStd, (s) => s + 0.1 * rng.normal());
  const oldLogProbs = Float64Array.from({ length: B }, (_, b) => diagGaussian.logProbRow(actions, oldMean, oldLogStd, b * D, D));
  const samples: MdpoSamples = { size: B, oldLogProbs, advantages: randn(B), returns: randn(B), oldValues: randn(B), old: { kind: 'gaussian', mean: oldMean, logStd: oldLogStd } };
  const head = () => ({ kind: 'gaussian' as const, actionDim: D, mean, logStd, actions, gradMean: new Float64Array(B * D), gradLogStd: new Float64Array(B * D) });
  return { mean, logStd, oldMean, oldLogStd, samples, head };
}

describe('KL gradients (distributions.ts) match finite differences', () => {
  it('categorical: ∂KL(p‖q)/∂z_j = p_j((log p_j − log q_j) − KL)', () => {
    const K = 4;
    const z = randn(K);
    const logq = new Float64Array(K);
    categorical.logSoftmax(randn(K), 1, K, logq);
    const kl = () => {
      const logp = new Float64Array(K);
      categorical.logSoftmax(z, 1, K, logp);
      return categorical.klRow(logp, logq, 0, K);
    };
    const logp = new Float64Array(K);
    categorical.logSoftmax(z, 1, K, logp);
    const g = new Float64Array(K);
    categorical.accumulateKlGrad(logp, logq, 0, K, 1.7, g);
    for (let j = 0; j < K; j++) expect(g[j]).toBeCloseTo(1.7 * centralDifference(z, j, kl), 8);
  });

  it('Gaussian: w.r.t. the mean and the log-std of p', () => {
    const D = 3;
    const [mp, lsp, mq, lsq] = [randn(D), randn(D, 0.4), randn(D), randn(D, 0.4)];
    const gm = new Float64Array(D);
    const gs = new Float64Array(D);
    diagGaussian.accumulateKlGrad(mp, lsp, mq, lsq, 0, D, 0.6, gm, gs);
    const kl = () => diagGaussian.klRow(mp, lsp, mq, lsq, 0, D);
    for (let j = 0; j < D; j++) {
      expect(gm[j]).toBeCloseTo(0.6 * centralDifference(mp, j, kl), 8);
      expect(gs[j]).toBeCloseTo(0.6 * centralDifference(lsp, j, kl), 8);
    }
  });
});

describe('MDPO loss gradients match finite differences (ALGORITHMS.md §3)', () => {
  const HYPER: MdpoLossHyper = { klCoef: 1.8, clipRangeVf: 0.2, entCoef: 0.01, vfCoef: 0.5 };

  it('categorical head', () => {
    const { logits, samples, head, K } = categoricalCase();
    const values = Float64Array.from(samples.oldValues as Float64Array, (v) => v + 0.3 * rng.normal());
    const h = head();
    const gradValues = new Float64Array(B);
    const m = mdpoLoss(h, values, samples, HYPER, gradValues);
    expect(m.kl).toBeGreaterThan(0);
    const loss = () => mdpoLoss(head(), values, samples, HYPER, new Float64Array(B)).loss;
    for (let j = 0; j < B * K; j++) expect(h.gradLogits[j]).toBeCloseTo(centralDifference(logits, j, loss), 6);
    for (let b = 0; b < B; b++) expect(gradValues[b]).toBeCloseTo(centralDifference(values, b, loss), 6);
  });

  it('Gaussian head: mean and log-std', () => {
    const { mean, logStd, samples, head } = gaussianCase();
    const values = randn(B);
    const h = head();
    mdpoLoss(h, values, samples, HYPER, new Float64Array(B));
    const loss = () => mdpoLoss(head(), values, samples, HYPER, new Float64Array(B)).loss;
    for (let j = 0; j < mean.length; j++) expect(h.gradMean[j]).toBeCloseTo(centralDifference(mean, j, loss), 6);
    for (let j = 0; j < logStd.length; j++) expect(h.gradLogStd[j]).toBeCloseTo(centralDifference(logStd, j, loss), 6);
  });

  it('at θ = θ_k the gradient is the plain surrogate’s: ∇KL = 0 there (§3e)', () => {
    // Categorical: old outputs = the current ones.
    const c = categoricalCase();
    const logp = new Float64Array(B * c.K);
    categorical.logSoftmax(c.logits, B, c.K, logp);
    const oldLogProbs = Float64Array.from({ length: B }, (_, b) => logp[b * c.K + (c.head().actions[b] as number)] as number);
    const atK: MdpoSamples = { ...c.samples, oldLogProbs, old: { kind: 'categorical', logp } };
    const hyper = (klCoef: number): MdpoLossHyper => ({ klCoef, clipRangeVf: null, entCoef: 0, vfCoef: 0 });
    const withKl = c.head();
    const plain = c.head();
    expect(mdpoLoss(withKl, [], { ...atK, size: B }, hyper(1e6), new Float64Array(B)).kl).toBeCloseTo(0, 14);
    mdpoLoss(plain, [], atK, hyper(0), new Float64Array(B));
    for (let j = 0; j < B * c.K; j++) expect(withKl.gradLogits[j]).toBeCloseTo(plain.gradLogits[j] as number, 9);
    // And the plain surrogate's gradient is −∇ mean(ρA) = −mean(A ∇log π) at ρ = 1.
    const direct = new Float64Array(B * c.K);
    for (let b = 0; b < B; b++) categorical.accumulateGrad(logp, b * c.K, c.K, c.head().actions[b] as number, -(atK.advantages[b] as number) / B, 0, direct);
    for (let j = 0; j < B * c.K; j++) expect(plain.gradLogits[j]).toBeCloseTo(direct[j] as number, 12);

    // Gaussian.
    const g = gaussianCase();
    const D = 2;
    const gOldLogProbs = Float64Array.from({ length: B }, (_, b) => diagGaussian.logProbRow(g.head().actions, g.mean, g.logStd, b * D, D));
    const gAtK: MdpoSamples = { ...g.samples, oldLogProbs: gOldLogProbs, old: { kind: 'gaussian', mean: g.mean.slice(), logStd: g.logStd.slice() } };
    const gWith = g.head();
    const gPlain = g.head();
    mdpoLoss(gWith, [], gAtK, hyper(1e6), new Float64Array(B));
    mdpoLoss(gPlain, [], gAtK, hyper(0), new Float64Array(B));
    for (let j = 0; j < B * D; j++) {
      expect(gWith.gradMean[j]).toBeCloseTo(gPlain.gradMean[j] as number, 9);
      expect(gWith.gradLogStd[j]).toBeCloseTo(gPlain.gradLogStd[j] as number, 9);
    }
  });

  it('rejects old outputs of another distribution', () => {
    const c = categoricalCase();
    const g = gaussianCase();
    expect(() => mdpoLoss(c.head(), [], g.samples, { klCoef: 1, clipRangeVf: null, entCoef: 0, vfCoef: 0 }, new Float64Array(B))).toThrow(TypeError);
  });
});

describe('MDPO step-size schedule (§3a, §3e)', () => {
  it('t_k = 1 − (k − 1)/K: k = 0 → 1 + 1/K, k = 1 → 1, falling to 2/K at the last iteration', () => {
    const K = 40;
    expect(mdpoStepSize(0, K)).toBeCloseTo(1 + 1 / K, 15);
    expect(mdpoStepSize(1, K)).toBe(1);
    expect(mdpoStepSize(K - 1, K)).toBeCloseTo(2 / K, 15);
  });

  it('K is the run’s real number of iterations', () => {
    expect(mdpoIterations(100_000, 8 * 32)).toBe(391); // the loop runs ⌈1e5 / 256⌉ rollouts
    expect(mdpoIterations(1_000_000, 2048)).toBe(489);
    expect(mdpoIterations(100, 2048)).toBe(1);
  });
});

describe('MDPO m-step update (§3e)', () => {
  /** m Adam steps on free logits from θ_k with penalty 1/t; returns the mean KL(π_θ ‖ π_θk) after. */
  function mSteps(klCoef: number): number {
    const K = 3;
    const r = new Rng(5);
    const logits = Float64Array.from({ length: B * K }, () => r.normal());
    const logp = new Float64Array(B * K);
    categorical.logSoftmax(logits, B, K, logp);
    const actions = Int32Array.from({ length: B }, () => r.int(K));
    const samples: MdpoSamples = {
      size: B,
      oldLogProbs: Float64Array.from({ length: B }, (_, b) => logp[b * K + (actions[b] as number)] as number),
      advantages: Float64Array.from({ length: B }, () => r.normal()),
      returns: new Float64Array(B),
      oldValues: new Float64Array(B),
      old: { kind: 'categorical', logp: logp.slice() },
    };
    const adam = new Adam(B * K, { eps: 1e-5 });
    let kl = 0;
    for (let step = 0; step <= 10; step++) {
      const head: PolicyHead = { kind: 'categorical', numActions: K, logits, actions, gradLogits: new Float64Array(B * K), scratchLogp: new Float64Array(B * K) };
      kl = mdpoLoss(head, [], samples, { klCoef, clipRangeVf: null, entCoef: 0, vfCoef: 0 }, new Float64Array(B)).kl;
      if (step < 10) adam.step(logits, head.gradLogits, 0.05);
    }
    return kl;
  }

  it('as 1/t → ∞ the KL after the m steps → 0', () => {
    // Adam's steps have a size ≈ lr whatever the penalty (and the first is a plain surrogate
    // step), so the KL does not reach exactly 0; it falls with the penalty to O(lr²).
    const free = mSteps(0);
    const kls = [1, 100, 1e4].map(mSteps);
    expect(free).toBeGreaterThan(1e-2);
    expect(kls[0]).toBeLessThan(free);
    expect(kls[1]).toBeLessThan(kls[0] as number);
    expect(kls[2]).toBeLessThan(0.01 * free);
    expect(kls[2]).toBeLessThan(1e-3);
  });
});
