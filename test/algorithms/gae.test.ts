import { describe, expect, it } from 'vitest';
import { computeGae, normalizeInPlace } from '../../src/algorithms/gae.js';

function gae(rewards: number[], values: number[], nextValues: number[], ends: number[], gamma: number, lambda: number) {
  const T = rewards.length;
  const adv = new Float64Array(T);
  const ret = new Float64Array(T);
  computeGae({ numSteps: T, numEnvs: 1, rewards, values, nextValues, episodeEnds: ends, gamma, lambda }, adv, ret);
  return { adv: [...adv], ret: [...ret] };
}

/** Slow reference: A_t as the explicit λ-weighted sum of TD errors up to the episode end. */
function referenceGae(rewards: number[], values: number[], nextValues: number[], ends: number[], gamma: number, lambda: number): number[] {
  return rewards.map((_, t) => {
    let sum = 0;
    let weight = 1;
    for (let u = t; u < rewards.length; u++) {
      sum += weight * ((rewards[u] as number) + gamma * (nextValues[u] as number) - (values[u] as number));
      if (ends[u] === 1) break;
      weight *= gamma * lambda;
    }
    return sum;
  });
}

describe('GAE', () => {
  it('matches the spec golden values with no episode end (ALGORITHMS.md §1e)', () => {
    // r = [1,1,1], V = .5 everywhere, bootstrap V = .5, γ = .9, λ = .8.
    const { adv, ret } = gae([1, 1, 1], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0, 0, 0], 0.9, 0.8);
    [2.12648, 1.634, 0.95].forEach((a, t) => expect(adv[t]).toBeCloseTo(a, 10));
    [2.62648, 2.134, 1.45].forEach((r, t) => expect(ret[t]).toBeCloseTo(r, 10));
  });

  it('matches the spec golden values with a termination at t=1', () => {
    // Terminated at t=1: no bootstrap (next value 0) and the trace stops.
    const { adv } = gae([1, 1, 1], [0.5, 0.5, 0.5], [0.5, 0, 0.5], [0, 1, 0], 0.9, 0.8);
    [1.31, 0.5, 0.95].forEach((a, t) => expect(adv[t]).toBeCloseTo(a, 10));
  });

  it('bootstraps a truncation from the final observation but stops the trace', () => {
    // Truncated at t=1 with V(final obs) = 2: δ_1 = 1 + .9·2 − .5.
    const { adv } = gae([1, 1, 1], [0.5, 0.5, 0.5], [0.5, 2, 0.5], [0, 1, 0], 0.9, 0.8);
    expect(adv[1]).toBeCloseTo(2.3, 12);
    expect(adv[0]).toBeCloseTo(1 + 0.9 * 0.5 - 0.5 + 0.72 * 2.3, 12);
  });

  it('equals the explicit λ-sum on random data with several copies', () => {
    const T = 50;
    const N = 3;
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const r = Array.from({ length: T * N }, rand);
    const v = Array.from({ length: T * N }, rand);
    const ends = Array.from({ length: T * N }, () => (rand() < 0.1 ? 1 : 0));
    const nv = v.map((_, k) => (ends[k] === 1 ? (rand() < 0.5 ? 0 : rand()) : (v[k + N] ?? rand())));
    const adv = new Float64Array(T * N);
    const ret = new Float64Array(T * N);
    computeGae({ numSteps: T, numEnvs: N, rewards: r, values: v, nextValues: nv, episodeEnds: ends, gamma: 0.99, lambda: 0.95 }, adv, ret);
    for (let i = 0; i < N; i++) {
      const col = (a: number[]) => Array.from({ length: T }, (_, t) => a[t * N + i] as number);
      const ref = referenceGae(col(r), col(v), col(nv), col(ends), 0.99, 0.95);
      ref.forEach((a, t) => expect(adv[t * N + i]).toBeCloseTo(a, 10));
    }
  });

  it('normalises to mean 0 and unit (Bessel) std', () => {
    const x = Float64Array.of(1, 2, 3, 4, 10);
    normalizeInPlace(x);
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const std = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (x.length - 1));
    expect(mean).toBeCloseTo(0, 12);
    expect(std).toBeCloseTo(1, 6);
  });
});
