import { describe, expect, it } from 'vitest';
import { ppoLoss, type PolicyHead, type PpoLossHyper, type PpoSamples } from '../../src/algorithms/ppo-loss.js';
import { Rng } from '../../src/core/rng.js';
import { centralDifference } from '../helpers/finite-differences.js';

const HYPER: PpoLossHyper = { clipRange: 0.2, clipRangeVf: null, entCoef: 0, vfCoef: 0.5 };

/** A one-sample categorical head whose new log-prob of action 0 is log(ρ) above the old one. */
function singleSample(ratio: number, advantage: number) {
  const logits = Float64Array.of(0, 0); // p = [.5, .5]
  const head: PolicyHead = { kind: 'categorical', numActions: 2, logits, actions: [0], gradLogits: new Float64Array(2), scratchLogp: new Float64Array(2) };
  const samples: PpoSamples = { size: 1, oldLogProbs: [Math.log(0.5) - Math.log(ratio)], advantages: [advantage], returns: [0], oldValues: [0] };
  const metrics = ppoLoss(head, [0], samples, HYPER, new Float64Array(1));
  return { metrics, grad: head.gradLogits };
}

describe('PPO clipped objective (ALGORITHMS.md §1e)', () => {
  it('ρ = 1.5, A = +1: the clipped branch is active and the gradient is 0', () => {
    const { grad, metrics } = singleSample(1.5, 1);
    expect([...grad]).toEqual([0, 0]);
    expect(metrics.policyLoss).toBeCloseTo(-1.2, 12);
    expect(metrics.clipFraction).toBe(1);
  });

  it('ρ = 0.5, A = −1: the gradient is 0', () => {
    const { grad } = singleSample(0.5, -1);
    expect([...grad]).toEqual([0, 0]);
  });

  it('ρ = 1.5, A = −1: the unclipped branch is active and the gradient is nonzero', () => {
    const { grad, metrics } = singleSample(1.5, -1);
    // ∂L/∂z_0 = −ρA·(1 − p_0) = 1.5 · 0.5.
    expect(grad[0]).toBeCloseTo(0.75, 12);
    expect(grad[1]).toBeCloseTo(-0.75, 12);
    expect(metrics.policyLoss).toBeCloseTo(1.5, 12);
  });

  it('approx_kl is 0 when ρ = 1', () => {
    expect(singleSample(1, 0.3).metrics.approxKl).toBe(0);
  });
});

describe('PPO loss gradients match finite differences', () => {
  const B = 12;
  const rng = new Rng(4);
  const randn = (n: number, s = 1) => Float64Array.from({ length: n }, () => s * rng.normal());
  // Ratios within ±0.5 of 1 so that some samples are clipped and some are not; values away from clip kinks.
  const samplesFor = (oldLogProbs: Float64Array): PpoSamples => ({ size: B, oldLogProbs, advantages: randn(B), returns: randn(B), oldValues: randn(B) });

  for (const hyper of [HYPER, { clipRange: 0.2, clipRangeVf: 0.3, entCoef: 0.01, vfCoef: 0.5 }] as PpoLossHyper[]) {
    it(`categorical head, value clip ${hyper.clipRangeVf}, entropy ${hyper.entCoef}`, () => {
      const K = 3;
      const logits = randn(B * K);
      const actions = Int32Array.from({ length: B }, () => rng.int(K));
      const values = randn(B);
      const oldLogProbs = Float64Array.from({ length: B }, () => Math.log(1 / K) + 0.4 * rng.normal());
      const samples = samplesFor(oldLogProbs);
      const head = { kind: 'categorical' as const, numActions: K, logits, actions, gradLogits: new Float64Array(B * K), scratchLogp: new Float64Array(B * K) };
      const gradValues = new Float64Array(B);
      const metrics = ppoLoss(head, values, samples, hyper, gradValues);
      expect(metrics.clipFraction).toBeGreaterThan(0);
      expect(metrics.clipFraction).toBeLessThan(1);
      const analytic = { logits: head.gradLogits.slice(), values: gradValues.slice() };
      const loss = () => ppoLoss({ ...head, gradLogits: new Float64Array(B * K), scratchLogp: new Float64Array(B * K) }, values, samples, hyper, new Float64Array(B)).loss;
      // Central differences with h = 1e-6 on a piecewise-smooth loss: 1e-6 absolute tolerance.
      for (let j = 0; j < B * K; j++) expect(analytic.logits[j]).toBeCloseTo(centralDifference(logits, j, loss), 6);
      for (let b = 0; b < B; b++) expect(analytic.values[b]).toBeCloseTo(centralDifference(values, b, loss), 6);
    });
  }

  it('Gaussian head: mean and log-std', () => {
    const D = 2;
    const hyper = { clipRange: 0.2, clipRangeVf: null, entCoef: 0.01, vfCoef: 0.5 };
    const mean = randn(B * D, 0.5);
    // Per-sample log-std, as gSDE gives (a state-independent one is the same row repeated).
    const logStd = Float64Array.from({ length: B * D }, () => 0.3 * rng.normal());
    const actions = randn(B * D);
    const values = randn(B);
    const oldLogProbs = Float64Array.from({ length: B }, () => -2.2 + 0.3 * rng.normal());
    const samples = samplesFor(oldLogProbs);
    const head = { kind: 'gaussian' as const, actionDim: D, mean, logStd, actions, gradMean: new Float64Array(B * D), gradLogStd: new Float64Array(B * D) };
    ppoLoss(head, values, samples, hyper, new Float64Array(B));
    const analyticMean = head.gradMean.slice();
    const analyticLogStd = head.gradLogStd.slice();
    const loss = () => ppoLoss({ ...head, gradMean: new Float64Array(B * D), gradLogStd: new Float64Array(B * D) }, values, samples, hyper, new Float64Array(B)).loss;
    for (let j = 0; j < B * D; j++) expect(analyticMean[j]).toBeCloseTo(centralDifference(mean, j, loss), 6);
    for (let j = 0; j < B * D; j++) expect(analyticLogStd[j]).toBeCloseTo(centralDifference(logStd, j, loss), 6);
  });
});
