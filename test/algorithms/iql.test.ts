import { describe, expect, it } from 'vitest';
import { advantageWeights, expectileLoss, expectileValueLoss, twinRegressionLoss } from '../../src/algorithms/iql.js';
import { weightedGaussianNll } from '../../src/algorithms/weighted-likelihood.js';
import { cosineAnnealing } from '../../src/agents/offline/iql-agent.js';
import { Rng } from '../../src/core/rng.js';

describe('IQL (ALGORITHMS.md §8)', () => {
  it('expectile loss: |τ − 1(u < 0)|·u², asymmetric for τ ≠ ½', () => {
    expect(expectileLoss(2, 0.7)).toBeCloseTo(0.7 * 4, 15);
    expect(expectileLoss(-2, 0.7)).toBeCloseTo(0.3 * 4, 15);
    expect(expectileLoss(-2, 0.5)).toBe(expectileLoss(2, 0.5));
    expect(expectileLoss(0, 0.9)).toBe(0);
  });

  it('minimising the expectile loss over a constant v gives the τ-expectile (above the mean for τ = 0.7)', () => {
    const rng = new Rng('iql/expectile');
    const q = Float64Array.from({ length: 400 }, () => rng.normal());
    const mean = q.reduce((a, b) => a + b, 0) / q.length;
    // Gradient descent on v with the function's own gradient.
    let v = 0;
    const grad = new Float64Array(q.length);
    const adv = new Float64Array(q.length);
    for (let it = 0; it < 3000; it++) {
      expectileValueLoss(q, new Float64Array(q.length).fill(v), q.length, 0.7, grad, adv);
      v -= 0.5 * grad.reduce((a, b) => a + b, 0);
    }
    // The τ-expectile solves Σ |τ − 1(q < v)|·(q − v) = 0.
    const balance = Array.from(q).reduce((s, x) => s + Math.abs(0.7 - (x - v < 0 ? 1 : 0)) * (x - v), 0);
    expect(Math.abs(balance)).toBeLessThan(1e-6);
    expect(v).toBeGreaterThan(mean + 0.2);
  });

  it('the value-loss gradient equals central differences, and advantages are q − v', () => {
    const q = Float64Array.of(1, -0.5, 2, 0.3);
    const v = Float64Array.of(0.2, 0.4, 2.5, 0.1); // no residual at the kink u = 0, where the loss has no derivative
    const grad = new Float64Array(4);
    const adv = new Float64Array(4);
    expectileValueLoss(q, v, 4, 0.7, grad, adv);
    expect(Array.from(adv)).toEqual([1 - 0.2, -0.5 - 0.4, 2 - 2.5, 0.3 - 0.1]);
    for (let b = 0; b < 4; b++) {
      const h = 1e-6;
      const at = (x: number) => {
        const vv = v.slice();
        vv[b] = x;
        return expectileValueLoss(q, vv, 4, 0.7, new Float64Array(4), new Float64Array(4));
      };
      expect(Math.abs((grad[b] as number) - (at((v[b] as number) + h) - at((v[b] as number) - h)) / (2 * h))).toBeLessThan(1e-8);
    }
  });

  it('twin-Q regression averages the heads’ MSEs; advantage weights are min(exp(βA), 100)', () => {
    const gradQ = new Float64Array(4);
    const loss = twinRegressionLoss([1, 2, 0, 4], [1, 0], 2, 2, gradQ);
    // Head 1: errors 0, 2; head 2: −1, 4 → (2 + 8.5) / 2.
    expect(loss).toBe((4 / 2 + 17 / 2) / 2);
    expect(Array.from(gradQ)).toEqual([0, 1, -0.5, 2]);
    const w = new Float64Array(3);
    advantageWeights([0, 1, 10], 3, 3, 100, w);
    expect(Array.from(w)).toEqual([1, Math.exp(3), 100]);
  });

  it("the policy's learning rate follows CosineAnnealingLR to 0", () => {
    expect(cosineAnnealing(3e-4, 0)).toBe(3e-4);
    expect(cosineAnnealing(3e-4, 0.5)).toBeCloseTo(1.5e-4, 15);
    expect(cosineAnnealing(3e-4, 1)).toBeCloseTo(0, 15);
  });
});

describe('weighted Gaussian likelihood (policy extraction)', () => {
  it('gradients w.r.t. the means and the log-std equal central differences; clamped log-stds get none', () => {
    const rng = new Rng('wnll');
    const B = 5;
    const D = 3;
    const mean = Float64Array.from({ length: B * D }, () => rng.normal());
    const actions = Float64Array.from({ length: B * D }, () => rng.normal());
    const weights = Float64Array.from({ length: B }, () => rng.uniform() * 3);
    const logStd = Float64Array.of(-0.3, 0.4, 2.5); // the last is above the clamp at 2
    const loss = (m: Float64Array, ls: Float64Array) => weightedGaussianNll({ batch: B, actionDim: D, mean: m, logStd: ls, logStdMin: -5, logStdMax: 2, actions, weights }, new Float64Array(B * D), new Float64Array(D)).loss;
    const gradMean = new Float64Array(B * D);
    const gradLogStd = new Float64Array(D);
    weightedGaussianNll({ batch: B, actionDim: D, mean, logStd, logStdMin: -5, logStdMax: 2, actions, weights }, gradMean, gradLogStd);
    const h = 1e-6;
    for (let k = 0; k < B * D; k++) {
      const p = mean.slice();
      const m = mean.slice();
      p[k] = (mean[k] as number) + h;
      m[k] = (mean[k] as number) - h;
      expect(Math.abs((gradMean[k] as number) - (loss(p, logStd) - loss(m, logStd)) / (2 * h))).toBeLessThan(1e-7);
    }
    for (let j = 0; j < D; j++) {
      const p = logStd.slice();
      const m = logStd.slice();
      p[j] = (logStd[j] as number) + h;
      m[j] = (logStd[j] as number) - h;
      expect(Math.abs((gradLogStd[j] as number) - (loss(mean, p) - loss(mean, m)) / (2 * h))).toBeLessThan(1e-7);
    }
    expect(gradLogStd[2]).toBe(0);
    // Unit weights give the plain negative log-likelihood of N(0, 1) at 0: ½ log 2π per dimension.
    const nll = weightedGaussianNll({ batch: 1, actionDim: 1, mean: [0], logStd: [0], logStdMin: -5, logStdMax: 2, actions: [0], weights: [1] }, new Float64Array(1), new Float64Array(1));
    expect(nll.loss).toBeCloseTo(0.5 * Math.log(2 * Math.PI), 14);
  });
});
