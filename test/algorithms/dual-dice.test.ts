import { describe, expect, it } from 'vitest';
import { dualDiceGradients, normalizedValueEstimate } from '../../src/algorithms/dual-dice.js';
import { DualDiceEstimator } from '../../src/agents/offline/dual-dice-estimator.js';
import { Rng } from '../../src/core/rng.js';
import { Discrete } from '../../src/core/spaces.js';
import { chainDataset } from '../data/helpers.js';


/** The target policy of the chain tests: always right. */
const alwaysRight = { act: (_o: Float32Array, n: number) => ({ actions: new Int32Array(n).fill(1) }) };

describe('DualDICE saddle point (ALGORITHMS.md §8)', () => {
  it('the gradients equal central differences of L in ν, ν′, ν₀ and ζ', () => {
    const rng = new Rng('dualdice/fd');
    const B = 5;
    const B0 = 3;
    const v = (n: number) => Float64Array.from({ length: n }, () => rng.normal());
    const nu = v(B);
    const nuNext = v(B);
    const zeta = v(B);
    const nuInitial = v(B0);
    const bootstrap = Float64Array.of(0.9, 0, 0.9, 0.9, 0);
    const grads = { nu: new Float64Array(B), nuNext: new Float64Array(B), nuInitial: new Float64Array(B0), zetaDescent: new Float64Array(B) };
    const L = () => dualDiceGradients({ batch: B, nu, nuNext, zeta, bootstrap, nuInitial, initialBatch: B0, gamma: 0.9 }, { nu: new Float64Array(B), nuNext: new Float64Array(B), nuInitial: new Float64Array(B0), zetaDescent: new Float64Array(B) }).objective;
    dualDiceGradients({ batch: B, nu, nuNext, zeta, bootstrap, nuInitial, initialBatch: B0, gamma: 0.9 }, grads);
    const h = 1e-6;
    const check = (x: Float64Array, g: Float64Array, sign: number) => {
      for (let i = 0; i < x.length; i++) {
        const x0 = x[i] as number;
        x[i] = x0 + h;
        const p = L();
        x[i] = x0 - h;
        const m = L();
        x[i] = x0;
        expect(Math.abs(sign * (g[i] as number) - (p - m) / (2 * h))).toBeLessThan(1e-8);
      }
    };
    check(nu, grads.nu, 1);
    check(nuNext, grads.nuNext, 1);
    check(nuInitial, grads.nuInitial, 1);
    check(zeta, grads.zetaDescent, -1); // ζ ascends L: its descent direction is −∂L/∂ζ
  });

  it('the self-normalised estimate: exact with the true ratio, and invariant to the weights’ scale', () => {
    // A one-state MDP with reward 1 that never ends: V = 1/(1 − γ); at the saddle point ζ = 1 and ζ_abs = 0.
    expect(normalizedValueEstimate(1, 1, 0, 0.1, 0.9)).toBeCloseTo(10, 12);
    expect(normalizedValueEstimate(3, 3, 0, 0.1, 0.9)).toBeCloseTo(10, 12);
    // Ends after one step with reward 1: d^π puts 1 − γ on the data and γ on the absorbing state.
    const p = 0.1;
    expect(normalizedValueEstimate((0.1 / 0.9) * 1, 0.1 / 0.9, 0.9 / 0.1, p, 0.9)).toBeCloseTo(1, 12);
  });

  it('estimates a target policy’s value on a small chain MDP from uniformly random data (within 10%)', () => {
    // Episodes start in state 0 and are cut after 20 steps; the target is always right.
    const gamma = 0.9;
    const ds = chainDataset('chain', 300, false);
    const right = alwaysRight;
    // Always right from state 0: rewards from step 3 on, forever (the time limit is not part of the MDP).
    const truth = gamma ** 3 / (1 - gamma);
    const est = new DualDiceEstimator(ds, right, new Discrete(2), { gamma, hidden: [32], learningRate: 3e-4, batchSize: 128, seed: 1 });
    est.train(10_000);
    const e = est.estimate(500);
    expect(Math.abs(e.value - truth) / truth).toBeLessThan(0.1);
    expect(e.low).toBeLessThanOrEqual(e.value);
    expect(e.high).toBeGreaterThanOrEqual(e.value);
    // The behaviour's own value is far lower: the estimate is not just the data's average.
    const behaviour = normalizedValueEstimate(ds.rewards.reduce((a, b) => a + b, 0) / ds.size, 1, 0, 0, gamma);
    expect(behaviour).toBeLessThan(0.6 * truth);
  });

  it('follows episode ends through the absorbing state: a chain whose last state terminates with reward 1', () => {
    // Entering state 4 pays 1 and terminates. Behaviour uniform, target always right: V = γ³.
    const gamma = 0.9;
    const ds = chainDataset('chain-terminal', 400, true);
    const right = alwaysRight;
    const est = new DualDiceEstimator(ds, right, new Discrete(2), { gamma, hidden: [32], learningRate: 3e-4, batchSize: 128, seed: 1 });
    est.train(10_000);
    const e = est.estimate(500);
    expect(Math.abs(e.value - gamma ** 3) / gamma ** 3).toBeLessThan(0.1);
  });

  it('estimates a random target too: right with probability 0.7 on the terminating chain (within 10%)', () => {
    // The saddle point is linear in ν′, so one sampled next action per transition is unbiased.
    // (Reading ζ off ν as its best response γν′ − ν is not: the square adds ½γ²·Var[ν′], which
    // for this target gave −61% with one sampled a′, −29% with 8, −4% with 64.)
    const gamma = 0.9;
    const pRight = 0.7;
    const ds = chainDataset('chain-terminal', 400, true);
    const rng = new Rng('random-target');
    const target = { act: (_o: Float32Array, n: number) => ({ actions: Int32Array.from({ length: n }, () => (rng.uniform() < pRight ? 1 : 0)) }) };
    // V(s) by value iteration: right pays 1 on entering state 4 (and ends); left stays at 0 from 0.
    const v = new Float64Array(5);
    for (let it = 0; it < 500; it++) {
      for (let s = 0; s < 4; s++) v[s] = pRight * (s === 3 ? 1 : gamma * (v[s + 1] as number)) + (1 - pRight) * gamma * (v[Math.max(0, s - 1)] as number);
    }
    const truth = v[0] as number;
    const est = new DualDiceEstimator(ds, target, new Discrete(2), { gamma, hidden: [32], learningRate: 3e-4, batchSize: 128, seed: 1 });
    est.train(10_000);
    expect(Math.abs(est.estimate(10).value - truth) / truth).toBeLessThan(0.1);
  });
});
