import { describe, expect, it } from 'vitest';
import { epoPhaseWeight, smoothingMask, smoothingPenalty, TurnEntropyHistory } from '../../src/algorithms/epo.js';
import { groupAdvantages, grpoLoss, k3, k3Grad } from '../../src/algorithms/grpo.js';
import { Rng } from '../../src/core/rng.js';

describe('GRPO (ALGORITHMS.md §4 (e))', () => {
  it('group advantages: [1,0,0,1,1,0,0,0] → +1.20738 for the 1s, −0.72443 for the 0s (Bessel std 0.51755, ε 1e-4)', () => {
    const a = groupAdvantages([1, 0, 0, 1, 1, 0, 0, 0], 8, new Float64Array(8));
    for (const [i, r] of [1, 0, 0, 1, 1, 0, 0, 0].entries()) expect(a[i]).toBeCloseTo(r === 1 ? 1.20738 : -0.72443, 4);
    expect(Math.abs(a.reduce((s, v) => s + v, 0))).toBeLessThan(1e-12);
    const mean = 3 / 8;
    const std = Math.sqrt([1, 0, 0, 1, 1, 0, 0, 0].reduce((s, r) => s + (r - mean) ** 2, 0) / 7);
    expect(std).toBeCloseTo(0.51755, 5);
  });

  it('an all-equal group gets advantages 0, never NaN; groups are normalised separately', () => {
    const a = groupAdvantages([1, 1, 1, 1, 0, 2], 2, new Float64Array(6));
    expect(Array.from(a.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(a[4]).toBeCloseTo(-1 / (Math.SQRT2 + 1e-4), 12);
    expect(() => groupAdvantages([1, 2, 3], 2, new Float64Array(3))).toThrow(RangeError);
  });

  it('k3 is 0 at the reference, ≥ 0 on random logits, and its Monte-Carlo mean is KL(p‖q) = 0.223805', () => {
    expect(k3(-1.3, -1.3)).toBe(0);
    const rng = new Rng('k3');
    for (let i = 0; i < 1000; i++) expect(k3(rng.normal() * 3, rng.normal() * 3)).toBeGreaterThanOrEqual(0);
    const p = [0.5, 0.3, 0.2];
    const q = [0.2, 0.5, 0.3];
    const kl = p.reduce((s, pi, i) => s + pi * Math.log(pi / (q[i] as number)), 0);
    expect(kl).toBeCloseTo(0.223805, 5);
    let sum = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      const x = u < 0.5 ? 0 : u < 0.8 ? 1 : 2;
      sum += k3(Math.log(p[x] as number), Math.log(q[x] as number));
    }
    // Standard error of the mean here ≈ 0.0015: 3e-3 is two of them.
    expect(Math.abs(sum / n - kl)).toBeLessThan(0.003);
    const h = 1e-6;
    expect(k3Grad(-0.7, -1.1)).toBeCloseTo((k3(-0.7 + h, -1.1) - k3(-0.7 - h, -1.1)) / (2 * h), 8);
  });

  it('at ρ = 1 and β = 0 the "grpo" gradient is −(1/G)Σ_i (1/|o_i|)Σ_t Â_i per token; the aggregations weight tokens as documented', () => {
    const lengths = [2, 3, 1];
    const advantages = [0.5, -1, 2];
    const logp = [-1, -2, -0.5, -0.3, -1.1, -0.9];
    const tokens = { lengths, logp, logpOld: logp, logpRef: logp, advantages };
    const grad = new Float64Array(6);
    grpoLoss(tokens, { clipLow: 0.2, clipHigh: 0.2, klCoef: 0, aggregation: 'grpo' }, grad);
    const expected = [-0.5 / (3 * 2), -0.5 / (3 * 2), 1 / (3 * 3), 1 / (3 * 3), 1 / (3 * 3), -2 / (3 * 1)];
    expected.forEach((e, i) => expect(grad[i]).toBeCloseTo(e, 12));
    grpoLoss(tokens, { clipLow: 0.2, clipHigh: 0.2, klCoef: 0, aggregation: 'dapo' }, grad);
    expect(grad[0]).toBeCloseTo(-0.5 / 6, 12);
    grpoLoss(tokens, { clipLow: 0.2, clipHigh: 0.2, klCoef: 0, aggregation: 'dr_grpo' }, grad);
    expect(grad[5]).toBeCloseTo(-2 / (3 * 3), 12);
  });

  it('the loss gradient equals central differences, through the clip and the KL term', () => {
    const rng = new Rng('grpo-fd');
    const lengths = [3, 2, 4];
    const n = 9;
    const logpOld = Array.from({ length: n }, () => -1 + 0.5 * rng.normal());
    const logpRef = Array.from({ length: n }, () => -1 + 0.5 * rng.normal());
    // Some ratios far outside the clip range (gradient 0 there), some inside.
    const logp = logpOld.map((v, i) => v + (i % 3 === 0 ? 0.6 : 0.05 * rng.normal()));
    const advantages = [1.2, -0.7, 0.4];
    const hyper = { clipLow: 0.2, clipHigh: 0.28, klCoef: 0.04, aggregation: 'grpo' as const };
    const grad = new Float64Array(n);
    grpoLoss({ lengths, logp, logpOld, logpRef, advantages }, hyper, grad);
    for (let k = 0; k < n; k++) {
      const h = 1e-6;
      const at = (d: number) => grpoLoss({ lengths, logp: logp.map((v, i) => (i === k ? v + d : v)), logpOld, logpRef, advantages }, hyper, new Float64Array(n)).loss;
      expect(Math.abs((grad[k] as number) - (at(h) - at(-h)) / (2 * h))).toBeLessThan(1e-8);
    }
  });
});

describe('EPO (ALGORITHMS.md §5 (e))', () => {
  it('β_k golden values', () => {
    const golden: [number, number][] = [
      [0, 1.0],
      [25, 0.9027],
      [50, 0.8527],
      [75, 0.8271],
      [76, 0.7686],
      [100, 0.2943],
      [125, 0.1083],
      [150, 0.0398],
    ];
    for (const [k, b] of golden) expect(epoPhaseWeight(k)).toBeCloseTo(b, 4);
  });

  it('the mask with H̄ = 1, κ = (0.8, 1.2), α = 0.1: H = [0.5, 1.0, 1.3] → m = [0.1, 0, 0.1]', () => {
    const band = { low: 0.8, high: 1.2, penalty: 0.1 };
    expect([0.5, 1.0, 1.3].map((h) => smoothingMask(h, 1, band))).toEqual([0.1, 0, 0.1]);
  });

  it("the code-faithful smoothing term has zero gradient in H; the differentiable variant's is nonzero outside the band", () => {
    const band = { low: 0.8, high: 1.2, penalty: 0.1 };
    const h = 1e-6;
    for (const H of [0.5, 1.0, 1.3]) {
      // The faithful term c·m(H) is piecewise constant: its central difference away from the band's edges is 0.
      expect((smoothingMask(H + h, 1, band) - smoothingMask(H - h, 1, band)) / (2 * h)).toBe(0);
      const p = smoothingPenalty(H, 1, band);
      const fd = (smoothingPenalty(H + h, 1, band).value - smoothingPenalty(H - h, 1, band).value) / (2 * h);
      expect(p.grad).toBeCloseTo(fd, 8);
      expect(p.grad !== 0).toBe(H !== 1.0);
    }
  });

  it('the entropy history is keyed by the real turn and survives a checkpoint', () => {
    const hist = new TurnEntropyHistory();
    hist.record(3, 1.0);
    hist.record(3, 2.0);
    hist.record(0, 0.5);
    expect(hist.mean(3)).toBe(1.5);
    expect(hist.mean(1)).toBeUndefined();
    const copy = new TurnEntropyHistory();
    copy.setState(hist.getState());
    expect(copy.mean(3)).toBe(1.5);
  });
});
