import { describe, expect, it } from 'vitest';
import { policyGradientLoss, type PolicyGradientHyper, type PolicyGradientSamples } from '../../src/algorithms/policy-gradient-loss.js';
import { Rng } from '../../src/core/rng.js';
import { centralDifference } from '../helpers/finite-differences.js';

describe('policy-gradient loss (A2C / REINFORCE)', () => {
  it('a known value: one categorical sample', () => {
    // logits [0, 0] → p = [½, ½]; action 0, A = 2, V = 1, R = 3, c_e = 0.1, c_v = 0.5.
    const head = { kind: 'categorical' as const, numActions: 2, logits: [0, 0], actions: [0], gradLogits: new Float64Array(2), scratchLogp: new Float64Array(2) };
    const gradValues = new Float64Array(1);
    const m = policyGradientLoss(head, [1], { size: 1, advantages: [2], returns: [3] }, { entCoef: 0.1, vfCoef: 0.5 }, gradValues);
    expect(m.policyLoss).toBeCloseTo(2 * Math.LN2, 14); // −A·log ½
    expect(m.valueLoss).toBe(4); // (1 − 3)²
    expect(m.entropy).toBeCloseTo(Math.LN2, 14);
    expect(m.loss).toBeCloseTo(2 * Math.LN2 + 0.5 * 4 - 0.1 * Math.LN2, 14);
    // ∂(−A log p_0)/∂z = −A(e_0 − p) = [−1, 1]; the entropy is stationary at the uniform policy.
    expect(head.gradLogits[0]).toBeCloseTo(-1, 14);
    expect(head.gradLogits[1]).toBeCloseTo(1, 14);
    expect(gradValues[0]).toBe(-2); // c_v · 2 (V − R)
  });

  it('vfCoef 0 (REINFORCE without a baseline) leaves no value gradient', () => {
    const head = { kind: 'categorical' as const, numActions: 3, logits: [0.3, -0.2, 0.1], actions: [2], gradLogits: new Float64Array(3), scratchLogp: new Float64Array(3) };
    const gradValues = Float64Array.of(7);
    policyGradientLoss(head, [0], { size: 1, advantages: [5], returns: [5] }, { entCoef: 0, vfCoef: 0 }, gradValues);
    expect(gradValues[0] === 0).toBe(true); // ±0
  });
});

describe('policy-gradient loss gradients match finite differences', () => {
  const B = 10;
  const rng = new Rng(11);
  const randn = (n: number, s = 1) => Float64Array.from({ length: n }, () => s * rng.normal());
  const hyper: PolicyGradientHyper = { entCoef: 0.02, vfCoef: 0.5 };
  const samples = (): PolicyGradientSamples => ({ size: B, advantages: randn(B), returns: randn(B) });

  it('categorical head and values', () => {
    const K = 4;
    const logits = randn(B * K);
    const actions = Int32Array.from({ length: B }, () => rng.int(K));
    const values = randn(B);
    const s = samples();
    const head = { kind: 'categorical' as const, numActions: K, logits, actions, gradLogits: new Float64Array(B * K), scratchLogp: new Float64Array(B * K) };
    const gradValues = new Float64Array(B);
    policyGradientLoss(head, values, s, hyper, gradValues);
    const analytic = { logits: head.gradLogits.slice(), values: gradValues.slice() };
    const loss = () => policyGradientLoss({ ...head, gradLogits: new Float64Array(B * K), scratchLogp: new Float64Array(B * K) }, values, s, hyper, new Float64Array(B)).loss;
    for (let j = 0; j < B * K; j++) expect(analytic.logits[j]).toBeCloseTo(centralDifference(logits, j, loss), 7);
    for (let b = 0; b < B; b++) expect(analytic.values[b]).toBeCloseTo(centralDifference(values, b, loss), 7);
  });

  it('Gaussian head: mean and per-sample log-std', () => {
    const D = 3;
    const mean = randn(B * D, 0.5);
    const logStd = randn(B * D, 0.3);
    const actions = randn(B * D);
    const values = randn(B);
    const s = samples();
    const head = { kind: 'gaussian' as const, actionDim: D, mean, logStd, actions, gradMean: new Float64Array(B * D), gradLogStd: new Float64Array(B * D) };
    policyGradientLoss(head, values, s, hyper, new Float64Array(B));
    const analyticMean = head.gradMean.slice();
    const analyticLogStd = head.gradLogStd.slice();
    const loss = () => policyGradientLoss({ ...head, gradMean: new Float64Array(B * D), gradLogStd: new Float64Array(B * D) }, values, s, hyper, new Float64Array(B)).loss;
    for (let j = 0; j < B * D; j++) expect(analyticMean[j]).toBeCloseTo(centralDifference(mean, j, loss), 7);
    for (let j = 0; j < B * D; j++) expect(analyticLogStd[j]).toBeCloseTo(centralDifference(logStd, j, loss), 7);
  });
});
