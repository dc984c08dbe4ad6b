/** SAC's losses and gradients: closed forms, and every backward against central differences. */
import { describe, expect, it } from 'vitest';
import { actorLoss, entropyTerms, logOneMinusTanhSquared, softTargets, squashedLogProb, temperatureLoss } from '../../src/algorithms/sac.js';
import { SacPolicy } from '../../src/agents/sac/sac-policy.js';
import { ValueHeads } from '../../src/agents/offline/value-heads.js';
import { Rng } from '../../src/core/rng.js';
import { LayerNormMlp } from '../../src/nn/fast/index.js';
import { centralDifference } from '../helpers/finite-differences.js';

describe('SAC losses', () => {
  it('log(1 − tanh²u) in its stable form: equal to the direct one where that is accurate, finite far out', () => {
    for (const u of [-3, -0.7, 0, 0.2, 1.5, 4]) expect(logOneMinusTanhSquared(u)).toBeCloseTo(Math.log(1 - Math.tanh(u) ** 2), 12);
    // tanh(40) rounds to 1, so the direct form gives −∞; the limit is 2·(log 2 − |u|).
    expect(logOneMinusTanhSquared(40)).toBeCloseTo(2 * (Math.log(2) - 40), 10);
    expect(logOneMinusTanhSquared(-40)).toBeCloseTo(2 * (Math.log(2) - 40), 10);
  });

  it('log π of a squashed Gaussian is the Gaussian density of u less the log-Jacobian of tanh', () => {
    const mu = [0.3, -1.2];
    const logStd = [-0.5, 0.4];
    const eps = [0.8, -1.7];
    const u = mu.map((m, j) => m + Math.exp(logStd[j] as number) * (eps[j] as number));
    let direct = 0;
    for (let j = 0; j < 2; j++) {
      const s = Math.exp(logStd[j] as number);
      const gauss = -0.5 * (((u[j] as number) - (mu[j] as number)) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
      direct += gauss - Math.log(1 - Math.tanh(u[j] as number) ** 2);
    }
    expect(squashedLogProb(eps, logStd, u, 0, 2)).toBeCloseTo(direct, 12);
  });

  it('soft targets: r + bootstrap·(min Q̄ − Σ_g α_g log π′_g)', () => {
    const terms = new Float64Array(2);
    entropyTerms([-1.5, 3], [0.2], 2, terms);
    expect(Array.from(terms)).toEqual([0.2 * -1.5, 0.2 * 3]);
    const out = new Float64Array(2);
    softTargets([1, -2], [0.99, 0], [10, 5], terms, 2, out);
    expect(out[0]).toBeCloseTo(1 + 0.99 * (10 + 0.3), 12);
    expect(out[1]).toBe(-2);
    // Two groups (SAC-RS: the action and z′), each with its temperature.
    const two = new Float64Array(2);
    entropyTerms([-1.5, 0.5, 3, -2], [0.2, 0.05], 2, two);
    expect(two[0]).toBeCloseTo(0.2 * -1.5 + 0.05 * 0.5, 14);
    expect(two[1]).toBeCloseTo(0.2 * 3 + 0.05 * -2, 14);
  });

  it('the temperature rises while the entropy is below its target and falls above it; its gradient is exact', () => {
    const low = [2.0, 1.5, 2.5]; // log π high: entropy ≈ −2, target −1
    expect(temperatureLoss(0.1, low, -1, 3).grad).toBeLessThan(0); // descent raises log α
    expect(temperatureLoss(0.1, [-2, -1.5, -2.5], -1, 3).grad).toBeGreaterThan(0);
    const p = new Float64Array([0.3]);
    const fd = centralDifference(p, 0, () => temperatureLoss(p[0] as number, low, -1, 3).loss);
    expect(temperatureLoss(0.3, low, -1, 3).grad).toBeCloseTo(fd, 8);
    // One group of rows of two: the second entry of each row.
    expect(temperatureLoss(0.3, [9, 2.0, 9, 1.5, 9, 2.5], -1, 3, 2, 1)).toEqual(temperatureLoss(0.3, low, -1, 3));
  });

  it('the actor loss routes −1/B to the smaller head of each row, and its gradient is exact', () => {
    const q = new Float64Array([1, 5, -2, 3, 4, -3]); // heads × B = 2 × 3
    const terms = [0.1 * 0.5, 0.1 * -0.2, 0.1 * 1.0]; // α·log π
    const grad = new Float64Array(6);
    const loss = actorLoss(q, terms, 2, 3, grad);
    expect(loss).toBeCloseTo((0.1 * 0.5 - 1 + 0.1 * -0.2 - 4 + 0.1 * 1 - -3) / 3, 12);
    expect(Array.from(grad)).toEqual([-1 / 3, 0, 0, 0, -1 / 3, -1 / 3]);
    const scratch = new Float64Array(6);
    for (let k = 0; k < 6; k++) expect(grad[k]).toBeCloseTo(centralDifference(q, k, () => actorLoss(q, terms, 2, 3, scratch)), 8);
  });
});

describe('SAC networks', () => {
  it.each([
    ['one entropy group', undefined],
    ['two entropy groups (SAC-RS: a, then z′)', [1, 1]],
  ])('the policy backward matches central differences through the reparameterised, squashed and clamped sample: %s', (_name, groups) => {
    const policy = new SacPolicy({ observationSize: 3, actionSize: 2, hidden: [5], activation: 'relu', learningRate: 1e-3, rng: new Rng('sac-policy'), ...(groups !== undefined ? { groups } : {}) });
    const G = groups?.length ?? 1;
    const B = 4;
    const obs = Float64Array.from({ length: B * 3 }, (_, i) => Math.sin(1.3 * i));
    // Push one log σ output below −20 so the clamp is exercised: the bias of output A + 1.
    const params = policy.net.params;
    const last = policy.net.layers[policy.net.layers.length - 1];
    params[(last?.biasOffset as number) + 3] = -30;
    const wT = Float64Array.from({ length: B * 2 }, (_, i) => Math.cos(0.7 * i + 0.1));
    const wL = Float64Array.from({ length: B * G }, (_, i) => 0.3 - 0.2 * i);
    const loss = () => {
      const s = policy.sample(obs, B, new Rng('noise'));
      let l = 0;
      for (let k = 0; k < B * 2; k++) l += (wT[k] as number) * (s.actions[k] as number);
      for (let k = 0; k < B * G; k++) l += (wL[k] as number) * (s.logProbs[k] as number);
      return l;
    };
    loss();
    policy.backward(wT, wL);
    const analytic = Float64Array.from(policy.net.grads);
    let checked = 0;
    for (let k = 0; k < params.length; k++) {
      const fd = centralDifference(params, k, loss);
      expect(analytic[k], `parameter ${k}`).toBeCloseTo(fd, 6);
      if (Math.abs(fd) > 1e-4) checked++;
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('critics differentiate to their input (summed over heads), with and without LayerNorm', () => {
    const heads = new ValueHeads({ inputSize: 4, hidden: [6, 5], heads: 2, layerNorm: false, lr: 1e-3, rng: new Rng('q') });
    const B = 3;
    const input = Float64Array.from({ length: B * 4 }, (_, i) => Math.cos(0.9 * i));
    const w = Float64Array.from({ length: 2 * B }, (_, i) => 0.5 - 0.3 * i);
    const pass = heads.pass(0);
    const loss = () => {
      const v = pass.forward(input, B);
      let l = 0;
      for (let k = 0; k < 2 * B; k++) l += (w[k] as number) * (v[k] as number);
      return l;
    };
    loss();
    const g = Float64Array.from(pass.backwardToInput(w, B));
    for (let k = 0; k < input.length; k++) expect(g[k]).toBeCloseTo(centralDifference(input, k, loss), 7);

    const ln = new LayerNormMlp({ sizes: [4, 6, 5, 1], layerNorm: true });
    ln.initFanInUniform(new Rng('ln'));
    const wo = [0.7, -1.1, 0.4];
    const lnLoss = () => {
      const v = ln.forward(input, B);
      return (wo[0] as number) * (v[0] as number) + (wo[1] as number) * (v[1] as number) + (wo[2] as number) * (v[2] as number);
    };
    lnLoss();
    const gi = Float64Array.from(ln.backward(Float64Array.from(wo), B, true) as Float64Array);
    for (let k = 0; k < input.length; k++) expect(gi[k]).toBeCloseTo(centralDifference(input, k, lnLoss), 7);
  });
});
