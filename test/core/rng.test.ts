import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import seedrandom from 'seedrandom';

import { Rng, type RngState } from '../../src/core/rng.js';

const seedArb = fc.oneof(fc.integer(), fc.nat(), fc.string({ maxLength: 10 }));
const nameArb = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: 0, max: 100 }));

const draw = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.uniform());

type Op = 'uniform' | 'range' | 'int' | 'uint32' | 'normal' | 'exponential' | 'shuffle';
const opArb = fc.constantFrom<Op>('uniform', 'range', 'int', 'uint32', 'normal', 'exponential', 'shuffle');

/** Applies one operation of the public API and returns what it produced. */
function apply(rng: Rng, op: Op): number | number[] {
  switch (op) {
    case 'uniform':
      return rng.uniform();
    case 'range':
      return rng.uniformRange(-3, 7);
    case 'int':
      return rng.int(17);
    case 'uint32':
      return rng.uint32();
    case 'normal':
      return rng.normal();
    case 'exponential':
      return rng.exponential();
    case 'shuffle':
      return rng.shuffle([0, 1, 2, 3, 4, 5]);
  }
}
const run = (rng: Rng, ops: readonly Op[]): (number | number[])[] => ops.map((op) => apply(rng, op));

// Statistical helpers. Tolerances below are 5 standard errors of the statistic (or a
// chi-square threshold with tail probability 1e-6): a correct generator fails with
// probability ~1e-6 whatever the seed; the seeds are fixed, so the tests are deterministic.
const mean = (xs: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  return s / xs.length;
};
const centralMoment = (xs: ArrayLike<number>, k: number): number => {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += ((xs[i] as number) - m) ** k;
  return s / xs.length;
};
const chiSquare = (counts: readonly number[], expected: number): number => counts.reduce((a, c) => a + (c - expected) ** 2 / expected, 0);

describe('Rng determinism', () => {
  it('the same seed gives the same sequence, for every operation', () => {
    fc.assert(
      fc.property(seedArb, fc.array(opArb, { minLength: 1, maxLength: 40 }), (seed, ops) => {
        expect(run(new Rng(seed), ops)).toEqual(run(new Rng(seed), ops));
      }),
    );
  });

  it('pins the sequence of a known seed (guards against silent changes of the generator or its seeding)', () => {
    const a = new Rng(42);
    const b = new Rng('42');
    expect(a.key).toBe('42');
    expect(draw(a, 5)).toEqual(draw(b, 5));
    const first = draw(new Rng(42), 3);
    for (const v of first) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
    // Exactly seedrandom's Alea seeded with the key, read through its 53-bit double().
    const ref = seedrandom.alea('42');
    expect(first).toEqual([ref.double(), ref.double(), ref.double()]);
    // Pinned values: a change here changes every seeded run and every stored checkpoint.
    expect(first).toEqual([0.6848634964661496, 0.8455933186223463, 0.563738122108285]);
  });

  it('different seeds give different sequences', () => {
    fc.assert(
      fc.property(seedArb, seedArb, (a, b) => {
        fc.pre(String(a) !== String(b));
        expect(draw(new Rng(a), 4)).not.toEqual(draw(new Rng(b), 4));
      }),
    );
  });

  it('the first draw of 10,000 consecutive integer seeds are all distinct', () => {
    // With 53-bit doubles a collision among 10^4 values has probability ~10^-8.
    const firsts = new Set<number>();
    for (let s = 0; s < 10_000; s++) firsts.add(new Rng(s).uniform());
    expect(firsts.size).toBe(10_000);
  });
});

describe('Rng.split', () => {
  it('a child depends only on the parent key and the name, not on how much the parent was consumed', () => {
    fc.assert(
      fc.property(seedArb, nameArb, fc.array(opArb, { maxLength: 30 }), (seed, name, ops) => {
        const fresh = new Rng(seed).split(name);
        const used = new Rng(seed);
        run(used, ops);
        const late = used.split(name);
        expect(late.key).toBe(fresh.key);
        expect(run(late, ['uniform', 'normal', 'normal', 'normal', 'int', 'uint32'])).toEqual(run(fresh, ['uniform', 'normal', 'normal', 'normal', 'int', 'uint32']));
      }),
    );
  });

  it('splitting does not consume or disturb the parent stream', () => {
    fc.assert(
      fc.property(seedArb, nameArb, (seed, name) => {
        const plain = new Rng(seed);
        const splitter = new Rng(seed);
        plain.normal();
        splitter.normal(); // leaves a spare normal pending in both
        splitter.split(name).uniform();
        expect(draw(splitter, 5)).toEqual(draw(plain, 5));
        expect(splitter.normal()).toBe(plain.normal());
      }),
    );
  });

  it("split('a') differs from split('b'), from the parent, and from another parent's split('a')", () => {
    fc.assert(
      fc.property(seedArb, nameArb, nameArb, (seed, a, b) => {
        fc.pre(String(a) !== String(b));
        const root = new Rng(seed);
        const seqA = draw(root.split(a), 4);
        expect(seqA).not.toEqual(draw(root.split(b), 4));
        expect(seqA).not.toEqual(draw(new Rng(seed), 4));
        expect(seqA).not.toEqual(draw(new Rng(`${String(seed)}x`).split(a), 4));
        expect(draw(root.split(a).split(b), 4)).not.toEqual(seqA);
      }),
    );
  });

  it('keys record the derivation path', () => {
    const env3 = new Rng(7).split('env').split(3);
    expect(env3.key).toBe('7/env/3');
    expect(draw(env3, 3)).toEqual(draw(new Rng(7).split('env').split('3'), 3));
  });

  it('sibling streams are uncorrelated', () => {
    const n = 20_000;
    const a = draw(new Rng('corr').split('a'), n);
    const b = draw(new Rng('corr').split('b'), n);
    let cov = 0;
    for (let i = 0; i < n; i++) cov += ((a[i] as number) - 0.5) * ((b[i] as number) - 0.5);
    // Correlation of independent uniforms: standard error 1/sqrt(n) = 0.0071; tolerance 5 se.
    const corr = cov / n / (1 / 12);
    expect(Math.abs(corr)).toBeLessThan(5 / Math.sqrt(n));
  });
});

describe('Rng.getState / Rng.fromState', () => {
  it('a restored stream continues the exact sequence, also after a JSON round trip', () => {
    fc.assert(
      fc.property(seedArb, fc.array(opArb, { maxLength: 30 }), fc.array(opArb, { minLength: 1, maxLength: 30 }), (seed, before, after) => {
        const rng = new Rng(seed);
        run(rng, before);
        const state = rng.getState();
        const text = JSON.stringify(state);
        const restored = Rng.fromState(state);
        const fromJson = Rng.fromState(JSON.parse(text) as RngState);
        const expected = run(rng, after);
        expect(run(restored, after)).toEqual(expected);
        expect(run(fromJson, after)).toEqual(expected);
        // The snapshot is a copy: continuing the original did not change it.
        expect(JSON.stringify(state)).toBe(text);
      }),
    );
  });

  it('includes a pending spare normal', () => {
    const rng = new Rng('spare');
    rng.normal(); // draws a Box–Muller pair, returns one, keeps the other
    const state = rng.getState();
    expect(state.spareNormal).not.toBeNull();
    const restored = Rng.fromState(state);
    const expected = [rng.normal(), rng.normal(), rng.normal(), rng.uniform()];
    expect([restored.normal(), restored.normal(), restored.normal(), restored.uniform()]).toEqual(expected);
    // The spare is the next normal, and returning it consumes no uniform draws.
    const again = Rng.fromState(state);
    expect(again.normal()).toBe(state.spareNormal);
    expect(again.getState().alea).toEqual(state.alea);
    expect(again.getState().spareNormal).toBeNull();
  });

  it('restoring twice from one state gives two identical streams, and keeps the key for splits', () => {
    const rng = new Rng(99);
    draw(rng, 7);
    const state = rng.getState();
    const a = Rng.fromState(state);
    const b = Rng.fromState(state);
    expect(draw(a, 10)).toEqual(draw(b, 10));
    expect(Rng.fromState(state).key).toBe('99');
    expect(draw(Rng.fromState(state).split('child'), 3)).toEqual(draw(new Rng(99).split('child'), 3));
  });
});

describe('Rng distributions', () => {
  it('uniform() lies in [0, 1) and uses more than 32 bits', () => {
    const rng = new Rng('bits');
    let sawLowBits = false;
    for (let i = 0; i < 1000; i++) {
      const u = rng.uniform();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      expect(Number.isInteger(u * 2 ** 53)).toBe(true);
      if (!Number.isInteger(u * 2 ** 32)) sawLowBits = true;
    }
    expect(sawLowBits).toBe(true);
  });

  it('uniformRange(low, high) lies in [low, high)', () => {
    fc.assert(
      fc.property(seedArb, fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), (seed, low, width) => {
        const rng = new Rng(seed);
        const high = low + width;
        for (let i = 0; i < 20; i++) {
          const v = rng.uniformRange(low, high);
          expect(v).toBeGreaterThanOrEqual(low);
          expect(v).toBeLessThanOrEqual(high); // ≤: low + width·u can round up to high in floating point
        }
      }),
    );
  });

  it('normal() has the moments of a standard normal, and consecutive values (Box–Muller pairs) are uncorrelated', () => {
    const n = 200_000;
    const rng = new Rng('normal-moments');
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = rng.normal();
    const m = mean(xs);
    const v = centralMoment(xs, 2);
    // Standard errors for N(0, 1): mean 1/sqrt(n), variance sqrt(2/n), skewness sqrt(6/n), excess kurtosis sqrt(24/n).
    expect(Math.abs(m)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(v - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(centralMoment(xs, 3) / v ** 1.5)).toBeLessThan(5 * Math.sqrt(6 / n));
    expect(Math.abs(centralMoment(xs, 4) / v ** 2 - 3)).toBeLessThan(5 * Math.sqrt(24 / n));
    // Both halves of each pair (even and odd positions) are standard normal on their own.
    for (const parity of [0, 1]) {
      const half = xs.filter((_, i) => i % 2 === parity);
      expect(Math.abs(centralMoment(half, 2) - 1)).toBeLessThan(5 * Math.sqrt(2 / half.length));
    }
    let lag1 = 0;
    for (let i = 0; i + 1 < n; i++) lag1 += (xs[i] as number) * (xs[i + 1] as number);
    expect(Math.abs(lag1 / (n - 1))).toBeLessThan(5 / Math.sqrt(n));
  });

  it('exponential() is positive with mean 1 and variance 1', () => {
    const n = 200_000;
    const rng = new Rng('exp-moments');
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = rng.exponential();
    expect(xs.reduce((a, b) => Math.min(a, b), Infinity)).toBeGreaterThan(0);
    // Exp(1): standard error of the mean 1/sqrt(n); of the variance sqrt((μ4 − σ⁴)/n) = sqrt(8/n).
    expect(Math.abs(mean(xs) - 1)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(centralMoment(xs, 2) - 1)).toBeLessThan(5 * Math.sqrt(8 / n));
  });

  it.each([
    // [n, draws, chi-square threshold with n − 1 degrees of freedom at tail probability 1e-6]
    [2, 100_000, 23.93],
    [3, 100_000, 27.63],
    [7, 100_000, 38.26],
    [10, 100_000, 44.81],
    [1000, 200_000, 1226.05],
  ])('int(%i) covers [0, n) uniformly (%i draws, chi-square < %f)', (n, draws, threshold) => {
    const rng = new Rng(`int-${n}`);
    const counts = new Array<number>(n).fill(0);
    const outside: number[] = [];
    for (let i = 0; i < draws; i++) {
      const k = rng.int(n);
      if (Number.isInteger(k) && k >= 0 && k < n) counts[k]! += 1;
      else outside.push(k);
    }
    expect(outside).toEqual([]);
    expect(counts.every((c) => c > 0)).toBe(true);
    expect(chiSquare(counts, draws / n)).toBeLessThan(threshold);
  });

  it('int(n) is an integer in [0, n) for any n', () => {
    fc.assert(
      fc.property(seedArb, fc.integer({ min: 1, max: 2 ** 40 }), (seed, n) => {
        const rng = new Rng(seed);
        for (let i = 0; i < 10; i++) {
          const k = rng.int(n);
          expect(Number.isInteger(k)).toBe(true);
          expect(k).toBeGreaterThanOrEqual(0);
          expect(k).toBeLessThan(n);
        }
      }),
    );
  });

  it('uint32() is an unsigned 32-bit integer using the high bit', () => {
    const rng = new Rng('u32');
    let high = 0;
    for (let i = 0; i < 1000; i++) {
      const u = rng.uint32();
      expect(Number.isInteger(u) && u >= 0 && u < 2 ** 32).toBe(true);
      if (u >= 2 ** 31) high++;
    }
    // Binomial(1000, 1/2): sd ≈ 15.8; 100 is > 6 sd.
    expect(Math.abs(high - 500)).toBeLessThan(100);
  });
});

describe('Rng.shuffle', () => {
  it('returns the same array, holding a permutation of its elements', () => {
    fc.assert(
      fc.property(seedArb, fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 40 }), (seed, xs) => {
        const arr = [...xs];
        const out = new Rng(seed).shuffle(arr);
        expect(out).toBe(arr);
        expect([...out].sort((a, b) => a - b)).toEqual([...xs].sort((a, b) => a - b));
      }),
    );
  });

  it('works in place on typed arrays', () => {
    const arr = Int32Array.from({ length: 50 }, (_, i) => i);
    new Rng('typed').shuffle(arr);
    expect(Array.from(arr).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(arr)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('handles empty and single-element arrays', () => {
    expect(new Rng(1).shuffle([])).toEqual([]);
    expect(new Rng(1).shuffle(['x'])).toEqual(['x']);
  });

  it('gives all 24 orderings of 4 elements equally often (chi-square)', () => {
    const draws = 48_000;
    const rng = new Rng('shuffle-uniform');
    const counts = new Map<string, number>();
    for (let i = 0; i < draws; i++) {
      const key = rng.shuffle([0, 1, 2, 3]).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(24);
    // 23 degrees of freedom; threshold 70.55 has tail probability 1e-6.
    expect(chiSquare([...counts.values()], draws / 24)).toBeLessThan(70.55);
  });
});
