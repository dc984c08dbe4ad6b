import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { categorical, diagGaussian } from '../../src/nn/distributions.js';

/** Central finite difference of f at x along coordinate j (step h; error O(h²) ≈ 1e-10 here). */
function fd(f: (x: Float64Array) => number, x: Float64Array, j: number, h = 1e-5): number {
  const a = x.slice();
  const b = x.slice();
  a[j] = (a[j] as number) + h;
  b[j] = (b[j] as number) - h;
  return (f(a) - f(b)) / (2 * h);
}

describe('categorical', () => {
  const logits = Float64Array.of(0.3, -1.2, 2.0, 0.5);
  const k = 4;
  const logp = new Float64Array(k);
  categorical.logSoftmax(logits, 1, k, logp);

  it('log-softmax normalises and is shift-invariant', () => {
    expect(logp.reduce((s, v) => s + Math.exp(v), 0)).toBeCloseTo(1, 14);
    const shifted = new Float64Array(k);
    categorical.logSoftmax(logits.map((v) => v + 1000), 1, k, shifted);
    shifted.forEach((v, j) => expect(v).toBeCloseTo(logp[j] as number, 10));
  });

  it('entropy of uniform logits is log K', () => {
    const u = new Float64Array(5);
    categorical.logSoftmax(new Float64Array(5), 1, 5, u);
    expect(categorical.entropyRow(u, 0, 5)).toBeCloseTo(Math.log(5), 14);
  });

  it('KL matches the closed form on p = [.5,.3,.2], q = [.2,.5,.3] (ALGORITHMS.md §4e)', () => {
    const p = Float64Array.from([0.5, 0.3, 0.2], Math.log);
    const q = Float64Array.from([0.2, 0.5, 0.3], Math.log);
    expect(categorical.klRow(p, q, 0, 3)).toBeCloseTo(0.223805, 6);
    expect(categorical.klRow(p, p, 0, 3)).toBe(0);
  });

  it('gradients of log p(a) and of the entropy match finite differences', () => {
    for (const [cLogp, cEnt] of [[1, 0], [0, 1], [-0.7, 0.3]] as const) {
      const f = (z: Float64Array) => {
        const lp = new Float64Array(k);
        categorical.logSoftmax(z, 1, k, lp);
        return cLogp * (lp[2] as number) + cEnt * categorical.entropyRow(lp, 0, k);
      };
      const grad = new Float64Array(k);
      categorical.accumulateGrad(logp, 0, k, 2, cLogp, cEnt, grad);
      for (let j = 0; j < k; j++) expect(grad[j]).toBeCloseTo(fd(f, logits, j), 8);
    }
  });

  it('samples follow the probabilities (5σ tolerance over 40k draws)', () => {
    const rng = new Rng(1);
    const counts = new Float64Array(k);
    const n = 40_000;
    for (let s = 0; s < n; s++) counts[categorical.sampleRow(logp, 0, k, rng)]! += 1;
    for (let j = 0; j < k; j++) {
      const p = Math.exp(logp[j] as number);
      expect(Math.abs((counts[j] as number) / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    }
    expect(categorical.modeRow(logp, 0, k)).toBe(2);
  });
});

describe('diagonal Gaussian', () => {
  const mean = Float64Array.of(0.4, -1.0);
  const logStd = Float64Array.of(-0.5, 0.3);
  const x = Float64Array.of(0.1, 0.7);

  it('log-prob equals the product of 1-D normal densities', () => {
    const pdf = (v: number, m: number, s: number) => Math.exp(-0.5 * ((v - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
    const expected = Math.log(pdf(0.1, 0.4, Math.exp(-0.5)) * pdf(0.7, -1.0, Math.exp(0.3)));
    expect(diagGaussian.logProbRow(x, mean, logStd, 0, 2)).toBeCloseTo(expected, 12);
  });

  it('entropy matches ½ log(2πe σ²) per dimension', () => {
    const expected = [-0.5, 0.3].reduce((s, ls) => s + 0.5 * Math.log(2 * Math.PI * Math.E * Math.exp(2 * ls)), 0);
    expect(diagGaussian.entropyRow(logStd, 0, 2)).toBeCloseTo(expected, 12);
  });

  it('gradients of log p and of the entropy w.r.t. mean and log-std match finite differences', () => {
    const gMean = new Float64Array(2);
    const gLogStd = new Float64Array(2);
    const f = (m: Float64Array, ls: Float64Array) => 1.3 * diagGaussian.logProbRow(x, m, ls, 0, 2) - 0.2 * diagGaussian.entropyRow(ls, 0, 2);
    diagGaussian.accumulateGrad(x, mean, logStd, 0, 2, 1.3, -0.2, gMean, gLogStd);
    for (let j = 0; j < 2; j++) {
      expect(gMean[j]).toBeCloseTo(fd((m) => f(m, logStd), mean, j), 8);
      expect(gLogStd[j]).toBeCloseTo(fd((ls) => f(mean, ls), logStd, j), 8);
    }
  });

  it('analytic KL matches a Monte-Carlo estimate (ALGORITHMS.md §3e)', () => {
    const meanQ = Float64Array.of(0.0, -0.5);
    const logStdQ = Float64Array.of(0.0, 0.1);
    const exact = diagGaussian.klRow(mean, logStd, meanQ, logStdQ, 0, 2);
    const rng = new Rng(3);
    const sample = new Float64Array(2);
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    for (let s = 0; s < n; s++) {
      diagGaussian.sampleRow(mean, logStd, 0, 2, rng, sample, 0);
      const v = diagGaussian.logProbRow(sample, mean, logStd, 0, 2) - diagGaussian.logProbRow(sample, meanQ, logStdQ, 0, 2);
      sum += v;
      sq += v * v;
    }
    const mc = sum / n;
    const se = Math.sqrt((sq / n - mc * mc) / n);
    // Within 5 standard errors of the Monte-Carlo mean.
    expect(Math.abs(mc - exact)).toBeLessThan(5 * se);
    expect(diagGaussian.klRow(mean, logStd, mean, logStd, 0, 2)).toBe(0);
  });
});
