import { describe, expect, it } from 'vitest';
import { FittedQEvaluator } from '../../src/agents/offline/fitted-q-evaluator.js';
import { lagrangianValueEstimate, normalizedValueEstimate } from '../../src/algorithms/dual-dice.js';
import { fqeTargets, perStepValueBounds } from '../../src/algorithms/fitted-q-evaluation.js';
import { Rng } from '../../src/core/rng.js';
import { Discrete } from '../../src/core/spaces.js';
import { episodeBootstrap, sumPerEpisode } from '../../src/data/episode-bootstrap.js';
import { chainDataset } from '../data/helpers.js';

/**
 * A random tabular MDP with S states, A actions and an absorbing state that every (s, a) may
 * enter (an episode end), a random stochastic target π, initial distribution μ₀, and a random
 * data distribution d^D over the (s, a) pairs. Everything the estimators' formulas need, exactly.
 */
function tabularCase(seed: string) {
  const S = 3;
  const A = 2;
  const gamma = 0.9;
  const rng = new Rng(seed);
  const normalise = (v: number[]) => {
    const t = v.reduce((a, b) => a + b, 0);
    return v.map((x) => x / t);
  };
  // P[s][a] over S states plus the absorbing one (last).
  const P = Array.from({ length: S }, () => Array.from({ length: A }, () => normalise(Array.from({ length: S + 1 }, () => 0.1 + rng.uniform()))));
  const R = Array.from({ length: S }, () => Array.from({ length: A }, () => rng.normal()));
  const pi = Array.from({ length: S }, () => normalise(Array.from({ length: A }, () => 0.1 + rng.uniform())));
  const mu0 = normalise(Array.from({ length: S }, () => 0.1 + rng.uniform()));
  const dD = normalise(Array.from({ length: S * A }, () => 0.1 + rng.uniform()));
  const pair = (s: number, a: number) => s * A + a;
  // Q^π by iteration (the absorbing state's value is 0).
  const expectNext = (Q: number[], s: number, a: number) => {
    let v = 0;
    for (let s2 = 0; s2 < S; s2++) for (let a2 = 0; a2 < A; a2++) v += P[s]![a]![s2]! * pi[s2]![a2]! * Q[pair(s2, a2)]!;
    return v;
  };
  let Q = new Array<number>(S * A).fill(0);
  for (let it = 0; it < 2000; it++) Q = Q.map((_, k) => R[Math.floor(k / A)]![k % A]! + gamma * expectNext(Q, Math.floor(k / A), k % A));
  const V = mu0.reduce((v, m, s) => v + m * pi[s]!.reduce((w, p, a) => w + p * Q[pair(s, a)]!, 0), 0);
  // Discounted occupancy d^π over the pairs and the absorbing state: d = (1 − γ)·μ₀π + γ·P^πᵀd.
  let d = new Array<number>(S * A).fill(0);
  let dAbs = 0;
  for (let it = 0; it < 2000; it++) {
    const next = new Array<number>(S * A).fill(0);
    let intoAbs = 0;
    for (let s = 0; s < S; s++) for (let a = 0; a < A; a++) next[pair(s, a)] = (1 - gamma) * mu0[s]! * pi[s]![a]!;
    for (let s = 0; s < S; s++) {
      for (let a = 0; a < A; a++) {
        const m = d[pair(s, a)]!;
        for (let s2 = 0; s2 < S; s2++) for (let a2 = 0; a2 < A; a2++) next[pair(s2, a2)]! += gamma * m * P[s]![a]![s2]! * pi[s2]![a2]!;
        intoAbs += gamma * m * P[s]![a]![S]!;
      }
    }
    dAbs = intoAbs + gamma * dAbs;
    d = next;
  }
  const p = 0.1; // share of absorbing rows in the augmented data d̃ = (1 − p)·d^D + p·δ_absorbing
  const trueZeta = d.map((x, k) => x / ((1 - p) * dD[k]!));
  const trueZetaAbs = dAbs / p;
  /** The estimators' inputs for weights ζ and action values Q: data means and E_{s₀,a₀}[Q]. */
  const inputs = (zeta: number[], q: number[]) => {
    let zr = 0;
    let z = 0;
    let zd = 0;
    for (let s = 0; s < S; s++) {
      for (let a = 0; a < A; a++) {
        const k = pair(s, a);
        const delta = R[s]![a]! + gamma * expectNext(q, s, a) - q[k]!;
        zr += dD[k]! * zeta[k]! * R[s]![a]!;
        z += dD[k]! * zeta[k]!;
        zd += dD[k]! * zeta[k]! * delta;
      }
    }
    const initial = mu0.reduce((v, m, s) => v + m * pi[s]!.reduce((w, pr, a) => w + pr * q[pair(s, a)]!, 0), 0);
    return { zr, z, zd, initial };
  };
  return { gamma, p, V, Q, trueZeta, trueZetaAbs, inputs, rng };
}

describe('the Lagrangian estimate (doubly robust)', () => {
  for (const seed of ['mdp-a', 'mdp-b', 'mdp-c']) {
    it(`is exact with the true weights and any Q, and with the true Q and any weights (${seed})`, () => {
      const c = tabularCase(seed);
      const randomQ = c.Q.map(() => 5 * c.rng.normal());
      const randomZeta = c.trueZeta.map(() => 0.2 + 2 * c.rng.uniform());
      const randomZetaAbs = 3 * c.rng.uniform();
      // The DualDICE estimate itself is exact at the true weights…
      const t = c.inputs(c.trueZeta, randomQ);
      expect(normalizedValueEstimate(t.zr, t.z, c.trueZetaAbs, c.p, c.gamma)).toBeCloseTo(c.V, 10);
      // …and the Lagrangian stays exact when one of the two is wrong.
      expect(lagrangianValueEstimate(t.initial, t.zd, t.z, c.trueZetaAbs, c.p, c.gamma)).toBeCloseTo(c.V, 10);
      const q = c.inputs(randomZeta, c.Q);
      expect(lagrangianValueEstimate(q.initial, q.zd, q.z, randomZetaAbs, c.p, c.gamma)).toBeCloseTo(c.V, 10);
      // With both wrong it is not (the check above can fail).
      const w = c.inputs(randomZeta, randomQ);
      expect(Math.abs(lagrangianValueEstimate(w.initial, w.zd, w.z, randomZetaAbs, c.p, c.gamma) - c.V)).toBeGreaterThan(1e-3);
      expect(Math.abs(normalizedValueEstimate(w.zr, w.z, randomZetaAbs, c.p, c.gamma) - c.V)).toBeGreaterThan(1e-3);
    });
  }
});

describe('fitted Q evaluation', () => {
  it('targets: (1 − γ)·r plus the bootstrapped value clipped to the per-step bounds; none after a terminal', () => {
    const bounds = perStepValueBounds(Float64Array.of(1, 0.5, 1));
    expect(bounds).toEqual({ low: 0, high: 1 });
    expect(perStepValueBounds(Float64Array.of(-3, -1))).toEqual({ low: -3, high: 0 });
    const out = new Float64Array(3);
    fqeTargets(Float64Array.of(1, 1, 1), Float64Array.of(0.9, 0.9, 0), Float64Array.of(0.5, 1.7, 0.5), 3, 0.9, bounds, out);
    expect(out[0]).toBeCloseTo(0.1 + 0.9 * 0.5, 14);
    expect(out[1]).toBeCloseTo(0.1 + 0.9 * 1, 14); // 1.7 is clipped to the largest per-step value
    expect(out[2]).toBeCloseTo(0.1, 14);
  });

  it('values a target on the chain MDPs within 5%: always right (never ending, and terminating), and right with probability 0.7', () => {
    const gamma = 0.9;
    const right = { act: (_o: Float32Array, n: number) => ({ actions: new Int32Array(n).fill(1) }) };
    const open = new FittedQEvaluator(chainDataset('chain', 300, false), right, new Discrete(2), { gamma, hidden: [32], batchSize: 128, seed: 1 });
    open.train(6000);
    const start = new Float32Array([1, 0, 0, 0, 0]);
    const value = (f: FittedQEvaluator) => {
      const v = new Float64Array(1);
      f.policyValues(start, 1, v);
      return v[0] as number;
    };
    const openTruth = gamma ** 3 / (1 - gamma);
    expect(Math.abs(value(open) - openTruth) / openTruth).toBeLessThan(0.05);

    const ending = new FittedQEvaluator(chainDataset('chain-terminal', 400, true), right, new Discrete(2), { gamma, hidden: [32], batchSize: 128, seed: 1 });
    ending.train(6000);
    expect(Math.abs(value(ending) - gamma ** 3) / gamma ** 3).toBeLessThan(0.05);

    const pRight = 0.7;
    const rng = new Rng('fqe-random-target');
    const random = { act: (_o: Float32Array, n: number) => ({ actions: Int32Array.from({ length: n }, () => (rng.uniform() < pRight ? 1 : 0)) }) };
    const v = new Float64Array(5);
    for (let it = 0; it < 500; it++) {
      for (let s = 0; s < 4; s++) v[s] = pRight * (s === 3 ? 1 : gamma * (v[s + 1] as number)) + (1 - pRight) * gamma * (v[Math.max(0, s - 1)] as number);
    }
    const randomFqe = new FittedQEvaluator(chainDataset('chain-terminal', 400, true), random, new Discrete(2), { gamma, hidden: [32], batchSize: 128, seed: 1 });
    randomFqe.train(6000);
    const draws = new Float64Array(2000);
    randomFqe.policyValues(new Float32Array(2000 * 5).map((_, i) => (i % 5 === 0 ? 1 : 0)), 2000, draws);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(Math.abs(mean - (v[0] as number)) / (v[0] as number)).toBeLessThan(0.05);
  });

  it('names a bad discount or target rate', () => {
    const ds = chainDataset('chain', 5, false);
    const right = { act: (_o: Float32Array, n: number) => ({ actions: new Int32Array(n).fill(1) }) };
    expect(() => new FittedQEvaluator(ds, right, new Discrete(2), { gamma: 1 })).toThrow(/discount in \(0, 1\)/);
    expect(() => new FittedQEvaluator(ds, right, new Discrete(2), { targetUpdateRate: 0 })).toThrow(/targetUpdateRate must be in \(0, 1\]/);
  });

  it('its Bellman residuals are those of its own values on the dataset rows', () => {
    const gamma = 0.9;
    const right = { act: (_o: Float32Array, n: number) => ({ actions: new Int32Array(n).fill(1) }) };
    const ds = chainDataset('chain-terminal', 50, true);
    const f = new FittedQEvaluator(ds, right, new Discrete(2), { gamma, hidden: [8], batchSize: 32, seed: 2 });
    f.train(200);
    const residuals = f.residuals();
    const here = new Float64Array(ds.size);
    const next = new Float64Array(ds.size);
    f.values(ds.observations, ds.actions, ds.size, here);
    f.values(ds.nextObservations, new Int32Array(ds.size).fill(1), ds.size, next);
    for (let i = 0; i < ds.size; i++) {
      const bootstrap = ds.terminals[i] ? 0 : gamma;
      expect(residuals[i]).toBeCloseTo((ds.rewards[i] as number) + bootstrap * (next[i] as number) - (here[i] as number), 10);
    }
  });
});

describe('episode bootstrap', () => {
  it('is seeded, brackets the full-data statistic, and has no width when every episode is alike', () => {
    const episodes = { count: 40, starts: Int32Array.from({ length: 40 }, (_, k) => 5 * k), lengths: new Int32Array(40).fill(5) };
    const rng = new Rng('bootstrap-data');
    const rows = Float64Array.from({ length: 200 }, () => rng.normal());
    const columns = [sumPerEpisode(rows, episodes)];
    const mean = (sums: Float64Array, n: number, _e: number, out: Float64Array) => (out[0] = (sums[0] as number) / n);
    const a = episodeBootstrap({ episodes, columns }, mean, 1, 500, 's');
    const b = episodeBootstrap({ episodes, columns }, mean, 1, 500, 's');
    expect(a).toEqual(b);
    const full = rows.reduce((x, y) => x + y, 0) / rows.length;
    expect(a.low[0]).toBeLessThan(full);
    expect(a.high[0]).toBeGreaterThan(full);
    // A 95% interval of a mean of 200 standard normals in 40 episodes: about ±1.96·√(1/200).
    expect((a.high[0] as number) - (a.low[0] as number)).toBeGreaterThan(0.15);
    expect((a.high[0] as number) - (a.low[0] as number)).toBeLessThan(0.45);
    const same = episodeBootstrap({ episodes, columns: [new Float64Array(40).fill(2)] }, mean, 1, 100, 's');
    expect(same.low[0]).toBeCloseTo(0.4, 14);
    expect(same.high[0]).toBeCloseTo(0.4, 14);
  });
});
