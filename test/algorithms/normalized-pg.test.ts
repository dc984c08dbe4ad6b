import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/agents/algorithms.js';
import type { HarpgConfig, NpgIgtConfig } from '../../src/agents/npg-config.js';
import {
  countTrajectories,
  decaySchedule,
  harpgMomentumUpdate,
  igtExtrapolate,
  l2Norm,
  momentumUpdate,
  momentumWeight,
  normalizedStep,
  segmentPoint,
  subtract,
  trajectoryScoreWeights,
} from '../../src/algorithms/normalized-pg.js';
import { Rng } from '../../src/core/rng.js';

/** J(θ) = −½(θ − θ*)ᵀA(θ − θ*) with A symmetric positive definite: ∇J = −A(θ − θ*), ∇²J·u = −A·u. */
function quadratic(n: number, rng: Rng) {
  const M = Array.from({ length: n }, () => Float64Array.from({ length: n }, () => rng.normal()));
  const A = Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, j) => (i === j ? 1 : 0) + M.reduce((s, row) => s + (row[i] as number) * (row[j] as number), 0) / n));
  const optimum = Float64Array.from({ length: n }, () => rng.normal());
  const hvp = (u: ArrayLike<number>, out: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += (A[i] as Float64Array)[j]! * (u[j] as number);
      out[i] = -s;
    }
  };
  const diff = new Float64Array(n);
  const grad = (theta: ArrayLike<number>, out: Float64Array) => {
    subtract(theta, optimum, diff);
    hvp(diff, out);
  };
  return { grad, hvp, optimum };
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
};

describe('schedules (the paper code forms c_0·(2/(t+2))^p)', () => {
  it('N-PG-IGT defaults: η_t = (2/(t+2))^{4/5}, γ_t = γ_0·2/(t+2) at t = 0, 1, 10', () => {
    const c = resolveConfig({ algo: 'npg-igt', env: 'CartPole-v1' }) as NpgIgtConfig;
    expect([c.eta, c.etaPower, c.stepSizePower]).toEqual([1, 0.8, 1]);
    const eta = (t: number) => momentumWeight(c.eta, c.etaPower, t);
    const gamma = (t: number) => decaySchedule(c.stepSize, c.stepSizePower, t);
    expect(eta(0)).toBe(1);
    expect(eta(1)).toBeCloseTo(Math.pow(2 / 3, 0.8), 15);
    expect(eta(1)).toBeCloseTo(0.722981, 6);
    expect(eta(10)).toBeCloseTo(Math.pow(1 / 6, 0.8), 15);
    expect(eta(10)).toBeCloseTo(0.238495, 6);
    expect(gamma(0)).toBe(c.stepSize);
    expect(gamma(1)).toBeCloseTo((c.stepSize * 2) / 3, 15);
    expect(gamma(10)).toBeCloseTo(c.stepSize / 6, 15);
  });

  it('HARPG defaults: η_t = 2/(t+2), γ_t = γ_0·2/(t+2) at t = 0, 1, 10', () => {
    const c = resolveConfig({ algo: 'harpg', env: 'CartPole-v1' }) as HarpgConfig;
    expect([c.eta, c.etaPower, c.stepSizePower]).toEqual([1, 1, 1]);
    expect(momentumWeight(c.eta, c.etaPower, 0)).toBe(1);
    expect(momentumWeight(c.eta, c.etaPower, 1)).toBeCloseTo(2 / 3, 15);
    expect(momentumWeight(c.eta, c.etaPower, 10)).toBeCloseTo(1 / 6, 15);
    expect(decaySchedule(c.stepSize, c.stepSizePower, 10)).toBeCloseTo(c.stepSize / 6, 15);
  });

  it('η is capped at 1 and a power of 0 is a constant', () => {
    expect(momentumWeight(1, 0.8, 0)).toBe(1);
    expect(momentumWeight(3, 1, 1)).toBe(1);
    expect(decaySchedule(0.4, 0, 1000)).toBe(0.4);
  });
});

describe('update rules', () => {
  it('IGT extrapolation θ̃ = θ + (1−η)/η·(θ − θ_prev); η = 1 gives θ', () => {
    const theta = Float64Array.of(1, -2, 0.5);
    const prev = Float64Array.of(0.5, -1, 0.5);
    const out = new Float64Array(3);
    igtExtrapolate(theta, prev, 0.25, out);
    expect(Array.from(out)).toEqual([1 + 3 * 0.5, -2 + 3 * -1, 0.5]);
    igtExtrapolate(theta, prev, 1, out);
    expect(Array.from(out)).toEqual(Array.from(theta));
  });

  it('momentum d ← (1−η)d + ηg and HARPG d ← (1−η)(d + v) + ηg', () => {
    const d = Float64Array.of(1, 2);
    momentumUpdate(d, Float64Array.of(3, -2), 0.25);
    expect(Array.from(d)).toEqual([0.75 + 0.75, 1.5 - 0.5]);
    const e = Float64Array.of(1, 2);
    harpgMomentumUpdate(e, Float64Array.of(1, 1), Float64Array.of(4, 0), 0.5);
    expect(Array.from(e)).toEqual([0.5 * 2 + 2, 0.5 * 3]);
  });

  it('the normalised step has length exactly γ along d, whatever the scale of d; a zero d does not move', () => {
    const rng = new Rng(1);
    for (const scale of [1e-8, 1, 1e6]) {
      const theta = Float64Array.from({ length: 50 }, () => rng.normal());
      const d = Float64Array.from({ length: 50 }, () => scale * rng.normal());
      const out = new Float64Array(50);
      const norm = normalizedStep(theta, d, 0.37, out);
      expect(norm).toBeCloseTo(l2Norm(d), 6);
      const step = new Float64Array(50);
      subtract(out, theta, step);
      expect(Math.abs(l2Norm(step) - 0.37)).toBeLessThan(1e-14);
      // Parallel to d: step·d = ‖step‖·‖d‖.
      const dot = step.reduce((s, x, i) => s + x * (d[i] as number), 0);
      expect(dot / (l2Norm(step) * l2Norm(d))).toBeCloseTo(1, 14);
    }
    const theta = Float64Array.of(1, 2);
    const out = new Float64Array(2);
    expect(normalizedStep(theta, new Float64Array(2), 0.5, out)).toBe(0);
    expect(Array.from(out)).toEqual([1, 2]);
    // In place (out = θ), as the agents call it.
    normalizedStep(theta, Float64Array.of(3, 4), 0.5, theta);
    expect(Array.from(theta)).toEqual([1 + 0.3, 2 + 0.4]);
  });

  it('the HARPG point q·θ + (1−q)·θ_prev', () => {
    const out = new Float64Array(2);
    segmentPoint(Float64Array.of(0, 10), Float64Array.of(4, 2), 0.25, out);
    expect(Array.from(out)).toEqual([1, 8]);
  });
});

describe('N-PG-IGT on a quadratic (exact gradients)', () => {
  it('transports the gradient exactly: d_t = ∇J(θ_t) at every t (plain momentum lags)', () => {
    const n = 6;
    const { grad, optimum } = quadratic(n, new Rng(4));
    const run = (extrapolate: boolean) => {
      const theta = new Float64Array(n);
      const prev = new Float64Array(n);
      const point = new Float64Array(n);
      const d = new Float64Array(n);
      const g = new Float64Array(n);
      const exact = new Float64Array(n);
      let worst = 0;
      for (let t = 0; t < 60; t++) {
        const eta = momentumWeight(1, 0.8, t);
        if (extrapolate) igtExtrapolate(theta, prev, eta, point);
        else point.set(theta);
        grad(point, g);
        if (t === 0) d.set(g);
        else momentumUpdate(d, g, eta);
        grad(theta, exact);
        worst = Math.max(worst, maxAbsDiff(d, exact) / l2Norm(exact));
        prev.set(theta);
        normalizedStep(theta, d, decaySchedule(0.5, 1, t), theta);
      }
      const dist = new Float64Array(n);
      subtract(theta, optimum, dist);
      return { worst, distance: l2Norm(dist), start: l2Norm(optimum) };
    };
    const igt = run(true);
    expect(igt.worst).toBeLessThan(1e-10);
    expect(igt.distance).toBeLessThan(0.2 * igt.start);
    expect(run(false).worst).toBeGreaterThan(1e-2);
  });
});

describe('HARPG recursion on a quadratic with a known Hessian-vector product', () => {
  const n = 6;
  function run(qOf: (t: number) => number) {
    const { grad, hvp, optimum } = quadratic(n, new Rng(5));
    const theta = new Float64Array(n);
    const prev = new Float64Array(n);
    const hat = new Float64Array(n);
    const d = new Float64Array(n);
    const g = new Float64Array(n);
    const u = new Float64Array(n);
    const v = new Float64Array(n);
    const exact = new Float64Array(n);
    const gHat = new Float64Array(n);
    let worstTracking = 0;
    let worstRecursion = 0;
    let errPrev = new Float64Array(n);
    for (let t = 0; t < 80; t++) {
      const eta = momentumWeight(1, 1, t);
      if (t === 0) {
        grad(theta, d);
      } else {
        const q = qOf(t);
        segmentPoint(prev, theta, q, hat);
        subtract(theta, prev, u);
        hvp(u, v);
        grad(hat, g);
        harpgMomentumUpdate(d, v, g, eta);
        // e_t = d_t − ∇J(θ_t) obeys e_t = (1−η)e_{t−1} + η(∇J(θ̂) − ∇J(θ_t)) on a quadratic.
        grad(theta, exact);
        grad(hat, gHat);
        const err = new Float64Array(n);
        subtract(d, exact, err);
        const predicted = Float64Array.from(errPrev, (e, i) => (1 - eta) * e + eta * ((gHat[i] as number) - (exact[i] as number)));
        worstRecursion = Math.max(worstRecursion, maxAbsDiff(err, predicted));
        worstTracking = Math.max(worstTracking, l2Norm(err) / l2Norm(exact));
        errPrev = err;
      }
      prev.set(theta);
      normalizedStep(theta, d, decaySchedule(0.5, 1, t), theta);
    }
    const dist = new Float64Array(n);
    subtract(theta, optimum, dist);
    return { worstTracking, worstRecursion, distance: l2Norm(dist), start: l2Norm(optimum) };
  }

  it('with q = 1 (gradient at the new iterate) d_t is exactly ∇J(θ_t)', () => {
    const r = run(() => 1);
    expect(r.worstTracking).toBeLessThan(1e-10);
    expect(r.distance).toBeLessThan(0.2 * r.start);
  });

  it('with random q the error follows e_t = (1−η_t)e_{t−1} + η_t(∇J(θ̂_t) − ∇J(θ_t)), and θ still converges', () => {
    const rng = new Rng(9);
    const r = run(() => rng.uniform());
    expect(r.worstRecursion).toBeLessThan(1e-10);
    expect(r.worstTracking).toBeGreaterThan(1e-6); // θ̂ ≠ θ_t: not exact, so the check above has something to check
    expect(r.distance).toBeLessThan(0.2 * r.start);
  });

  it('without the Hessian correction (v = 0) the momentum lags', () => {
    const { grad } = quadratic(n, new Rng(5));
    const theta = new Float64Array(n);
    const d = new Float64Array(n);
    const g = new Float64Array(n);
    const exact = new Float64Array(n);
    let worst = 0;
    for (let t = 0; t < 30; t++) {
      grad(theta, g);
      if (t === 0) d.set(g);
      else harpgMomentumUpdate(d, new Float64Array(n), g, momentumWeight(1, 1, t));
      grad(theta, exact);
      worst = Math.max(worst, maxAbsDiff(d, exact) / l2Norm(exact));
      normalizedStep(theta, d, decaySchedule(0.5, 1, t), theta);
    }
    expect(worst).toBeGreaterThan(1e-2);
  });
});

describe('trajectories of a time-major rollout', () => {
  // 2 copies × 4 steps (index t·2 + i). Copy 0 ends at t = 1 and t = 3; copy 1 ends at t = 2 and runs on.
  const ends = Float64Array.of(0, 0, 1, 0, 0, 1, 1, 0);

  it('counts every episode piece, including the ones still running', () => {
    expect(countTrajectories(4, 2, ends)).toBe(4);
    expect(countTrajectories(3, 1, Float64Array.of(0, 0, 1))).toBe(1);
    expect(countTrajectories(3, 1, Float64Array.of(0, 0, 0))).toBe(1);
    expect(countTrajectories(3, 1, Float64Array.of(1, 1, 1))).toBe(3);
  });

  it('weights each sample by scale·S_k·R_t with S_k the sum of its trajectory’s directional derivatives', () => {
    const delta = Float64Array.of(1, 10, 2, 20, 3, 30, 4, 40);
    const returns = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const out = new Float64Array(8);
    trajectoryScoreWeights(4, 2, ends, delta, returns, 0.5, out);
    // Copy 0: pieces {t0, t1} (S = 1 + 2 = 3) and {t2, t3} (S = 3 + 4 = 7).
    // Copy 1: pieces {t0, t1, t2} (S = 10 + 20 + 30 = 60) and {t3} (S = 40).
    expect(Array.from(out)).toEqual([0.5 * 3 * 1, 0.5 * 60 * 2, 0.5 * 3 * 3, 0.5 * 60 * 4, 0.5 * 7 * 5, 0.5 * 60 * 6, 0.5 * 7 * 7, 0.5 * 40 * 8]);
  });
});
