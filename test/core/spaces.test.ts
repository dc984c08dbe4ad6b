import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { SpaceMismatchError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import {
  assertInSpace,
  Box,
  describeSpace,
  Dict,
  Discrete,
  flatten,
  MultiBinary,
  MultiDiscrete,
  spaceFromJSON,
  Tuple,
  type Space,
  type SpaceJSON,
} from '../../src/core/spaces.js';

// ---------------------------------------------------------------------------
// Generators: plain-data descriptions of spaces (readable counterexamples), built
// with the constructors, never with spaceFromJSON (which is itself under test).
// ---------------------------------------------------------------------------

type Spec =
  | { type: 'Box'; form: 'arrays'; shape: number[]; low: number[]; high: number[] }
  | { type: 'Box'; form: 'inferred'; low: number[]; high: number[] }
  | { type: 'Box'; form: 'scalars'; shape: number[]; low: number; high: number }
  | { type: 'Discrete'; n: number; start: number }
  | { type: 'MultiDiscrete'; nvec: number[]; start: number[] | null }
  | { type: 'MultiBinary'; n: number }
  | { type: 'Dict'; entries: [string, Spec][] }
  | { type: 'Tuple'; items: Spec[] };

/** Any finite float32 (they are exact JS numbers), with -0 normalised to 0 so deep equality is not tripped by signed zero. */
const f32 = fc.float({ noNaN: true, noDefaultInfinity: true }).map((v) => v + 0);
/** Moderate float32 values, so that sampled values are not dominated by huge magnitudes. */
const smallF32 = fc.float({ min: -100, max: 100, noNaN: true }).map((v) => v + 0);
const sortedPair = (a: number, b: number): [number, number] => (a <= b ? [a, b] : [b, a]);

/** One Box entry's [low, high]: bounded (wide, narrow, degenerate), half-bounded either way, or unbounded. */
const boxEntry: fc.Arbitrary<[number, number]> = fc.oneof(
  fc.tuple(f32, f32).map(([a, b]) => sortedPair(a, b)),
  fc.tuple(smallF32, smallF32).map(([a, b]) => sortedPair(a, b)),
  smallF32.map((a): [number, number] => [a, a]),
  f32.map((a): [number, number] => [a, Infinity]),
  f32.map((b): [number, number] => [-Infinity, b]),
  fc.constant<[number, number]>([-Infinity, Infinity]),
);

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const boxShape = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 });

const boxSpec: fc.Arbitrary<Spec> = fc.oneof(
  boxShape.chain((shape) =>
    fc.array(boxEntry, { minLength: product(shape), maxLength: product(shape) }).map(
      (entries): Spec => ({ type: 'Box', form: 'arrays', shape, low: entries.map((e) => e[0]), high: entries.map((e) => e[1]) }),
    ),
  ),
  fc.array(boxEntry, { maxLength: 5 }).map((entries): Spec => ({ type: 'Box', form: 'inferred', low: entries.map((e) => e[0]), high: entries.map((e) => e[1]) })),
  fc.tuple(boxShape, boxEntry).map(([shape, [low, high]]): Spec => ({ type: 'Box', form: 'scalars', shape, low, high })),
);

const discreteSpec: fc.Arbitrary<Spec> = fc.record({
  type: fc.constant('Discrete' as const),
  n: fc.integer({ min: 1, max: 12 }),
  start: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -1e9, max: 1e9 })),
});

const multiDiscreteSpec: fc.Arbitrary<Spec> = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: -4, max: 4 })), { maxLength: 4 })
  .chain((pairs) =>
    fc.boolean().map(
      (withStart): Spec => ({ type: 'MultiDiscrete', nvec: pairs.map((p) => p[0]), start: withStart ? pairs.map((p) => p[1]) : null }),
    ),
  );

const multiBinarySpec: fc.Arbitrary<Spec> = fc.record({ type: fc.constant('MultiBinary' as const), n: fc.integer({ min: 1, max: 8 }) });

const leafSpec = fc.oneof(boxSpec, discreteSpec, multiDiscreteSpec, multiBinarySpec);

/** Dict keys: arbitrary short strings plus the awkward ones (prototype names, integer-like keys that JS objects reorder). */
const dictKey = fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '10', '2', '9', 'a', 'B', '_', ''));

const { spec: anySpec } = fc.letrec<{ spec: Spec }>((tie) => ({
  spec: fc.oneof(
    { depthSize: 'small', maxDepth: 3, withCrossShrink: true },
    leafSpec,
    fc
      .uniqueArray(fc.tuple(dictKey, tie('spec')), { maxLength: 4, selector: (e) => e[0] })
      .map((entries): Spec => ({ type: 'Dict', entries })),
    fc.array(tie('spec'), { maxLength: 4 }).map((items): Spec => ({ type: 'Tuple', items })),
  ),
}));

/** Builds the space and, independently of the implementation, the flat length it must have. */
function build(spec: Spec): { space: Space<unknown>; flatDim: number } {
  switch (spec.type) {
    case 'Box':
      if (spec.form === 'arrays') return { space: new Box(spec.low, spec.high, spec.shape), flatDim: product(spec.shape) };
      if (spec.form === 'inferred') return { space: new Box(spec.low, spec.high), flatDim: spec.low.length };
      return { space: new Box(spec.low, spec.high, spec.shape), flatDim: product(spec.shape) };
    case 'Discrete':
      return { space: new Discrete(spec.n, spec.start), flatDim: spec.n };
    case 'MultiDiscrete':
      return {
        space: spec.start === null ? new MultiDiscrete(spec.nvec) : new MultiDiscrete(spec.nvec, spec.start),
        flatDim: spec.nvec.reduce((a, b) => a + b, 0),
      };
    case 'MultiBinary':
      return { space: new MultiBinary(spec.n), flatDim: spec.n };
    case 'Dict': {
      const subs: Record<string, Space<unknown>> = {};
      let flatDim = 0;
      for (const [k, s] of spec.entries) {
        const b = build(s);
        // defineProperty: a plain assignment of "__proto__" would set the prototype instead of a key.
        Object.defineProperty(subs, k, { value: b.space, enumerable: true, writable: true, configurable: true });
        flatDim += b.flatDim;
      }
      return { space: new Dict(subs), flatDim };
    }
    case 'Tuple': {
      const built = spec.items.map(build);
      return { space: new Tuple(built.map((b) => b.space)), flatDim: built.reduce((a, b) => a + b.flatDim, 0) };
    }
  }
}

/**
 * Canonical form of a space element or JSON for deep comparison: typed arrays keep their
 * constructor name, objects become sorted [key, value] lists. (Vitest's toStrictEqual
 * compares `.constructor`, which is an ordinary data key in a Dict with a key "constructor".)
 */
function canon(x: unknown): unknown {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return { typed: x.constructor.name, values: Array.from(x as unknown as ArrayLike<number>) };
  if (Array.isArray(x)) return { array: x.map(canon) };
  if (typeof x === 'object' && x !== null) {
    expect(Object.getPrototypeOf(x)).toBe(Object.prototype);
    return { object: Object.keys(x).sort().map((k) => [k, canon((x as Record<string, unknown>)[k])]) };
  }
  return x;
}
const expectSame = (actual: unknown, expected: unknown): void => expect(canon(actual)).toStrictEqual(canon(expected));

const seedArb = fc.oneof(fc.integer(), fc.string({ maxLength: 8 }));
const jsonRoundTrip = (space: Space<unknown>): Space<unknown> => spaceFromJSON(JSON.parse(JSON.stringify(space.toJSON())) as SpaceJSON);

// ---------------------------------------------------------------------------
// Properties over random spaces of every kind
// ---------------------------------------------------------------------------

describe('spaces: properties over random (nested) spaces', () => {
  it('every sample is contained in its space, and explainMismatch agrees', () => {
    fc.assert(
      fc.property(anySpec, seedArb, (spec, seed) => {
        const { space } = build(spec);
        const rng = new Rng(seed);
        for (let i = 0; i < 5; i++) {
          const x = space.sample(rng);
          expect(space.explainMismatch(x)).toBeNull();
          expect(space.contains(x)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('unflatten(flatten(x)) equals x, also at a non-zero offset', () => {
    fc.assert(
      fc.property(anySpec, seedArb, fc.integer({ min: 0, max: 4 }), (spec, seed, pad) => {
        const { space } = build(spec);
        const x = space.sample(new Rng(seed));
        const flat = flatten(space, x);
        expectSame(space.unflatten(flat), x);
        const padded = new Float32Array(space.flatDim + 2 * pad).fill(7);
        space.flattenInto(x, padded, pad);
        expectSame(space.unflatten(padded, pad), x);
      }),
      { numRuns: 300 },
    );
  });

  it('flatDim equals the independently computed flat length, and flattenInto writes exactly that range', () => {
    fc.assert(
      fc.property(anySpec, seedArb, fc.integer({ min: 0, max: 4 }), (spec, seed, pad) => {
        const { space, flatDim } = build(spec);
        expect(space.flatDim).toBe(flatDim);
        const x = space.sample(new Rng(seed));
        expect(flatten(space, x).length).toBe(flatDim);
        // NaN sentinels: every slot of [pad, pad + flatDim) must be written, nothing outside it.
        const out = new Float32Array(flatDim + 2 * pad).fill(Number.NaN);
        space.flattenInto(x, out, pad);
        for (let i = 0; i < out.length; i++) {
          const inside = i >= pad && i < pad + flatDim;
          expect(Number.isNaN(out[i]), `slot ${i} (${inside ? 'inside' : 'outside'} the written range)`).toBe(!inside);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('JSON round trip gives an equal space (same JSON, same samples for the same seed, infinite bounds kept)', () => {
    fc.assert(
      fc.property(anySpec, seedArb, (spec, seed) => {
        const { space } = build(spec);
        const back = jsonRoundTrip(space);
        expect(back.constructor).toBe(space.constructor);
        expect(back.kind).toBe(space.kind);
        expect(back.shape).toEqual(space.shape);
        expect(back.flatDim).toBe(space.flatDim);
        expectSame(back.toJSON(), space.toJSON());
        expect(describeSpace(back)).toBe(describeSpace(space));
        const x = space.sample(new Rng(seed));
        expectSame(back.sample(new Rng(seed)), x);
        expect(back.contains(x)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('Dict sorts its keys, and the order the keys were given in does not matter', () => {
    const dictSpec = fc.uniqueArray(fc.tuple(dictKey, leafSpec), { maxLength: 6, selector: (e) => e[0] });
    fc.assert(
      fc.property(dictSpec, seedArb, (entries, seed) => {
        const { space } = build({ type: 'Dict', entries });
        const reversed = build({ type: 'Dict', entries: [...entries].reverse() }).space;
        const dict = space as Dict;
        const sortedKeys = entries.map((e) => e[0]).sort();
        expect(dict.keys).toEqual(sortedKeys);
        expect((reversed as Dict).keys).toEqual(sortedKeys);
        expect(Object.keys(dict.spaces).sort()).toEqual(sortedKeys);
        const x = dict.sample(new Rng(seed));
        expect(Object.keys(x).sort()).toEqual(sortedKeys);
        // Same space regardless of the given order: same samples, same flat layout.
        expectSame(reversed.sample(new Rng(seed)), x);
        expect(flatten(reversed, x)).toEqual(flatten(dict, x));
        // The flat layout is the sub-encodings concatenated in sorted key order.
        const parts = sortedKeys.flatMap((k) => Array.from(flatten(dict.spaces[k] as Space<unknown>, x[k])));
        expect(Array.from(flatten(dict, x))).toEqual(parts);
      }),
      { numRuns: 200 },
    );
  });

  it('Box rejects a value one float32 step past any finite bound, naming the entry', () => {
    const boxWithFiniteBound = boxSpec.filter((s) => {
      const b = build(s).space as Box;
      return Array.from(b.low).some(Number.isFinite) || Array.from(b.high).some(Number.isFinite);
    });
    fc.assert(
      fc.property(boxWithFiniteBound, seedArb, fc.nat(), (spec, seed, pick) => {
        const box = build(spec).space as Box;
        const x = box.sample(new Rng(seed));
        const finite: { i: number; side: 'low' | 'high' }[] = [];
        for (let i = 0; i < box.flatDim; i++) {
          if (Number.isFinite(box.low[i]) && (box.low[i] as number) > -3.4e38) finite.push({ i, side: 'low' });
          if (Number.isFinite(box.high[i]) && (box.high[i] as number) < 3.4e38) finite.push({ i, side: 'high' });
        }
        fc.pre(finite.length > 0);
        const { i, side } = finite[pick % finite.length] as { i: number; side: 'low' | 'high' };
        const bound = (side === 'low' ? box.low[i] : box.high[i]) as number;
        const bad = Float32Array.from(x);
        bad[i] = nextFloat32(bound, side === 'low' ? -1 : 1);
        expect(box.contains(bad)).toBe(false);
        expect(box.explainMismatch(bad)).toMatch(new RegExp(`^entry ${i} = `));
      }),
      { numRuns: 200 },
    );
  });
});

/** The float32 next to `v` (a float32) in direction `dir`. */
function nextFloat32(v: number, dir: 1 | -1): number {
  const f = new Float32Array([v]);
  const u = new Int32Array(f.buffer);
  if (v === 0) return dir * 2 ** -149;
  u[0] = (u[0] as number) + (v > 0 ? dir : -dir);
  return f[0] as number;
}

// ---------------------------------------------------------------------------
// Concrete checks
// ---------------------------------------------------------------------------

describe('Discrete', () => {
  it('Discrete(3, start=-1) contains exactly -1, 0, 1', () => {
    const d = new Discrete(3, -1);
    for (const v of [-1, 0, 1]) expect(d.contains(v)).toBe(true);
    for (const v of [2, -2, 0.5, Number.NaN, Infinity, '0', null, undefined, [0], 0n]) expect(d.contains(v)).toBe(false);
    expect(d.explainMismatch(2)).toBe('2 is outside [-1, 1]');
    expect(d.explainMismatch(0.5)).toBe('expected an integer, got 0.5');
    expect(d.flatDim).toBe(3);
    expect(d.shape).toEqual([]);
  });

  it('samples cover every value of Discrete(3, start=-1) and nothing else', () => {
    const d = new Discrete(3, -1);
    const rng = new Rng('discrete-cover');
    const counts = new Map<number, number>();
    for (let i = 0; i < 3000; i++) {
      const v = d.sample(rng);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-1, 0, 1]);
    // Each count is Binomial(3000, 1/3): mean 1000, sd ≈ 25.8; 150 is ~6 sd.
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(150);
  });

  it('flattens to the hand-written one-hot vectors and back', () => {
    const d = new Discrete(4);
    expect(Array.from(flatten(d, 0))).toEqual([1, 0, 0, 0]);
    expect(Array.from(flatten(d, 2))).toEqual([0, 0, 1, 0]);
    const s = new Discrete(3, -1);
    expect(Array.from(flatten(s, -1))).toEqual([1, 0, 0]);
    expect(Array.from(flatten(s, 1))).toEqual([0, 0, 1]);
    expect(s.unflatten([0, 1, 0])).toBe(0);
    expect(s.unflatten([9, 9, 0, 0, 1], 2)).toBe(1);
    // flattenInto clears stale entries of its own range.
    const out = new Float32Array([1, 1, 1, 1]);
    d.flattenInto(3, out, 0);
    expect(Array.from(out)).toEqual([0, 0, 0, 1]);
  });

  it('unflatten of an all-zero encoding throws', () => {
    expect(() => new Discrete(3).unflatten([0, 0, 0])).toThrow(SpaceMismatchError);
  });
});

describe('MultiDiscrete and MultiBinary', () => {
  it('MultiDiscrete flattens to concatenated one-hots', () => {
    const md = new MultiDiscrete([2, 3, 1], [0, -1, 5]);
    expect(md.flatDim).toBe(6);
    expect(md.shape).toEqual([3]);
    const x = Int32Array.from([1, -1, 5]);
    expect(md.contains(x)).toBe(true);
    expect(Array.from(flatten(md, x))).toEqual([0, 1, /**/ 1, 0, 0, /**/ 1]);
    const y = Int32Array.from([0, 1, 5]);
    expect(Array.from(flatten(md, y))).toEqual([1, 0, /**/ 0, 0, 1, /**/ 1]);
    expect(md.unflatten([0, 1, 1, 0, 0, 1])).toStrictEqual(x);
  });

  it('MultiDiscrete checks type, length and per-entry range', () => {
    const md = new MultiDiscrete([2, 3], [0, -1]);
    expect(md.contains([1, 1])).toBe(true);
    expect(md.contains(Int32Array.from([0, -1]))).toBe(true);
    expect(md.explainMismatch([1, 2])).toBe('entry 1 = 2 is not an integer in [-1, 1]');
    expect(md.explainMismatch([0.5, 0])).toBe('entry 0 = 0.5 is not an integer in [0, 1]');
    expect(md.explainMismatch([0])).toBe('expected length 2, got length 1');
    expect(md.contains('01')).toBe(false);
    expect(md.contains(3)).toBe(false);
  });

  it('MultiBinary holds only 0/1 vectors and flattens as itself', () => {
    const mb = new MultiBinary(3);
    expect(mb.contains(Uint8Array.from([1, 0, 1]))).toBe(true);
    expect(mb.contains([0, 0, 0])).toBe(true);
    expect(mb.explainMismatch([0, 2, 0])).toBe('entry 1 = 2 is not 0 or 1');
    expect(mb.contains([0, 1])).toBe(false);
    expect(Array.from(flatten(mb, Uint8Array.from([1, 0, 1])))).toEqual([1, 0, 1]);
  });
});

describe('Box', () => {
  const box = new Box(-1, 1, [3]);

  it('accepts arrays in range, including the bounds themselves', () => {
    expect(box.contains(Float32Array.from([-1, 0, 1]))).toBe(true);
    expect(box.contains([-1, 0.25, 1])).toBe(true);
    expect(box.contains(Float64Array.from([0, 0, 0]))).toBe(true);
  });

  it('rejects NaN, wrong length, wrong type and out-of-bound entries with a message naming the index and bounds', () => {
    expect(box.contains([0, Number.NaN, 0])).toBe(false);
    expect(box.explainMismatch([0, Number.NaN, 0])).toBe('entry 1 is NaN, expected a number');
    expect(box.contains([0, 0])).toBe(false);
    expect(box.explainMismatch([0, 0])).toBe('expected length 3 (shape [3]), got length 2');
    expect(box.contains([0, 0, 0, 0])).toBe(false);
    expect(box.contains([0, 0, 1.5])).toBe(false);
    expect(box.explainMismatch([0, 0, 1.5])).toBe('entry 2 = 1.5 is outside [-1, 1]');
    expect(box.explainMismatch([-1.0001, 0, 0])).toBe('entry 0 = -1.0001 is outside [-1, 1]');
    expect(box.contains([0, '0', 0])).toBe(false);
    expect(box.explainMismatch([0, '0', 0])).toMatch(/^entry 1 is "0"/);
    for (const bad of [0, 'abc', null, undefined, { length: 3 }, Int32Array.from([0, 0, 0])]) {
      expect(box.contains(bad)).toBe(false);
      expect(box.explainMismatch(bad)).toMatch(/^expected a Float32Array of length 3, got /);
    }
  });

  it('uses per-entry bounds in the message', () => {
    const b = new Box([0, -5], [1, 5]);
    expect(b.shape).toEqual([2]);
    expect(b.explainMismatch([0.5, -6])).toBe('entry 1 = -6 is outside [-5, 5]');
  });

  it('handles unbounded and half-bounded entries, including ±Infinity values', () => {
    const b = new Box([-Infinity, 0, -Infinity], [Infinity, Infinity, 1]);
    expect(b.isBounded()).toBe(false);
    expect(new Box(-1, 1, [2]).isBounded()).toBe(true);
    expect(b.contains([1e30, 1e30, -1e30])).toBe(true);
    expect(b.contains([-Infinity, Infinity, -Infinity])).toBe(true);
    expect(b.explainMismatch([0, -Infinity, 0])).toBe('entry 1 = -Infinity is outside [0, Infinity]');
    expect(b.explainMismatch([0, 0, 2])).toBe('entry 2 = 2 is outside [-Infinity, 1]');
  });

  it('supports multi-dimensional shapes and scalar shape []', () => {
    const m = new Box(0, 1, [2, 3]);
    expect(m.flatDim).toBe(6);
    expect(m.shape).toEqual([2, 3]);
    const s = new Box(0, 1, []);
    expect(s.flatDim).toBe(1);
    expect(s.contains([0.5])).toBe(true);
  });

  it('JSON keeps infinite bounds (as null in the text, ±Infinity when read back)', () => {
    const b = new Box([-Infinity, 0, -Infinity], [Infinity, Infinity, 1]);
    const text = JSON.stringify(b.toJSON());
    expect(text).toBe('{"type":"Box","low":[null,0,null],"high":[null,null,1],"shape":[3]}');
    const back = spaceFromJSON(JSON.parse(text) as SpaceJSON) as Box;
    expect(Array.from(back.low)).toEqual([-Infinity, 0, -Infinity]);
    expect(Array.from(back.high)).toEqual([Infinity, Infinity, 1]);
  });
});

// ---------------------------------------------------------------------------
// Sampling distributions. Tolerances are 5 standard errors of the statistic:
// a correct sampler fails with probability below ~1e-6 (for any seed), while
// a wrong distribution (wrong range, wrong family, wrong scale) misses by many
// standard errors. The seeds are fixed, so the tests are also deterministic.
// ---------------------------------------------------------------------------

const N = 20_000;

function column(space: Box, seed: string, n: number): Float64Array[] {
  const rng = new Rng(seed);
  const cols = Array.from({ length: space.flatDim }, () => new Float64Array(n));
  for (let s = 0; s < n; s++) {
    const x = space.sample(rng);
    for (let i = 0; i < space.flatDim; i++) (cols[i] as Float64Array)[s] = x[i] as number;
  }
  return cols;
}
const mean = (xs: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  return s / xs.length;
};
const variance = (xs: ArrayLike<number>): number => {
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += ((xs[i] as number) - m) ** 2;
  return s / (xs.length - 1);
};

describe('Box sampling distributions', () => {
  it('bounded entries are uniform on [low, high]: mean, variance and a 10-bin chi-square', () => {
    const lows = [-1, 0, 10];
    const highs = [1, 5, 10.5];
    const cols = column(new Box(lows, highs), 'box-uniform', N);
    cols.forEach((xs, i) => {
      const lo = lows[i] as number;
      const hi = highs[i] as number;
      const w = hi - lo;
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(lo);
      expect(Math.max(...xs)).toBeLessThanOrEqual(hi);
      // Mean of U(lo, hi): (lo+hi)/2, standard error w/sqrt(12N) (0.0082 for w = 5 and N = 20k).
      expect(Math.abs(mean(xs) - (lo + hi) / 2)).toBeLessThan((5 * w) / Math.sqrt(12 * N));
      // Sample variance: w²/12, standard error w²·sqrt(1/80 − 1/144)/sqrt(N) (from the 4th central moment w⁴/80).
      expect(Math.abs(variance(xs) - (w * w) / 12)).toBeLessThan((5 * w * w * Math.sqrt(1 / 80 - 1 / 144)) / Math.sqrt(N));
      // 10 equal bins, 2000 expected each; chi-square with 9 df exceeds 44.81 with probability 1e-6.
      const bins = new Array<number>(10).fill(0);
      for (const v of xs) bins[Math.min(9, Math.floor(((v - lo) / w) * 10))]! += 1;
      const chi2 = bins.reduce((a, c) => a + (c - N / 10) ** 2 / (N / 10), 0);
      expect(chi2).toBeLessThan(44.81);
    });
  });

  it('a degenerate entry (low = high) always samples that value', () => {
    const b = new Box([3, -2], [3, 2]);
    const rng = new Rng('degenerate');
    for (let i = 0; i < 100; i++) expect(b.sample(rng)[0]).toBe(3);
  });

  it('unbounded entries look standard normal: mean, variance, P(|x| < 1), independence of neighbours', () => {
    const [a, b] = column(new Box(-Infinity, Infinity, [2]), 'box-normal', N) as [Float64Array, Float64Array];
    for (const xs of [a, b]) {
      // Mean 0 with standard error 1/sqrt(N) = 0.0071; tolerance 5 se = 0.035.
      expect(Math.abs(mean(xs))).toBeLessThan(5 / Math.sqrt(N));
      // Variance 1 with standard error sqrt(2/N) = 0.01; tolerance 5 se = 0.05.
      expect(Math.abs(variance(xs) - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
      // P(|Z| < 1) = 0.6827, standard error sqrt(p(1-p)/N) = 0.0033; tolerance 5 se.
      const p = 0.682689;
      const inside = xs.filter((v) => Math.abs(v) < 1).length / N;
      expect(Math.abs(inside - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N));
    }
    // The two entries come from one Box–Muller pair; they must still be uncorrelated (se 1/sqrt(N)).
    let cov = 0;
    for (let i = 0; i < N; i++) cov += (a[i] as number) * (b[i] as number);
    expect(Math.abs(cov / N)).toBeLessThan(5 / Math.sqrt(N));
  });

  it('half-bounded entries are shifted exponentials on the bounded side', () => {
    const [up, down] = column(new Box([2, -Infinity], [Infinity, -3]), 'box-half', N) as [Float64Array, Float64Array];
    expect(Math.min(...up)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...down)).toBeLessThanOrEqual(-3);
    // Exp(1) has mean 1 and sd 1: standard error of the mean 1/sqrt(N); tolerance 5 se = 0.035.
    expect(Math.abs(mean(up) - 3)).toBeLessThan(5 / Math.sqrt(N));
    expect(Math.abs(mean(down) + 4)).toBeLessThan(5 / Math.sqrt(N));
  });
});

// ---------------------------------------------------------------------------
// Composite spaces and helpers
// ---------------------------------------------------------------------------

describe('Dict and Tuple', () => {
  it('Dict flattens in sorted key order, whatever the insertion order', () => {
    const d = new Dict({ b: new Discrete(2), a: new Box(-1, 1, [2]) });
    expect(d.keys).toEqual(['a', 'b']);
    const json = d.toJSON();
    expect(json.type === 'Dict' && Object.keys(json.spaces)).toEqual(['a', 'b']);
    const x = { b: 1, a: Float32Array.from([0.5, -0.5]) };
    expect(d.contains(x)).toBe(true);
    expect(Array.from(flatten(d, x))).toEqual([0.5, -0.5, 0, 1]);
    expect(d.unflatten([0.5, -0.5, 0, 1])).toStrictEqual(x);
    expect(describeSpace(d)).toBe('Dict(a, b)');
  });

  it('Dict explains missing, extra and invalid keys', () => {
    const d = new Dict({ b: new Discrete(2), a: new Discrete(3) });
    expect(d.explainMismatch({ a: 0 })).toBe('expected keys [a, b], got [a]');
    expect(d.explainMismatch({ a: 0, b: 0, c: 0 })).toBe('expected keys [a, b], got [a, b, c]');
    expect(d.explainMismatch({ a: 0, b: 5 })).toBe('key "b": 5 is outside [0, 1]');
    expect(d.explainMismatch([0, 0])).toMatch(/^expected an object with keys \[a, b\], got /);
    expect(d.contains(null)).toBe(false);
    expect(d.contains(Float32Array.from([0, 0]))).toBe(false);
  });

  it('Dict handles awkward keys such as "__proto__" as ordinary keys', () => {
    const subs = {} as Record<string, Space<unknown>>;
    Object.defineProperty(subs, '__proto__', { value: new Discrete(2), enumerable: true });
    subs['constructor'] = new Discrete(3);
    const d = new Dict(subs);
    expect(d.keys).toEqual(['__proto__', 'constructor']);
    expect(d.flatDim).toBe(5);
    const x = d.sample(new Rng(1));
    expect(Object.keys(x)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(x)).toBe(Object.prototype);
    expect(d.contains(x)).toBe(true);
    expectSame(d.unflatten(flatten(d, x)), x);
    const text = JSON.stringify(d.toJSON());
    expect(text).toContain('"__proto__"');
    const back = spaceFromJSON(JSON.parse(text) as SpaceJSON);
    expect(back.flatDim).toBe(5);
    expect(back.contains(x)).toBe(true);
  });

  it('Tuple checks arity and elements, and flattens in order', () => {
    const t = new Tuple([new Discrete(2), new MultiBinary(2)]);
    expect(t.flatDim).toBe(4);
    const x = [0, Uint8Array.from([1, 0])];
    expect(t.contains(x)).toBe(true);
    expect(Array.from(flatten(t, x))).toEqual([1, 0, 1, 0]);
    expect(t.unflatten([1, 0, 1, 0])).toStrictEqual(x);
    expect(t.explainMismatch([0])).toBe('expected 2 elements, got 1');
    expect(t.explainMismatch([0, [1, 2]])).toBe('element 1: entry 1 = 2 is not 0 or 1');
    expect(t.explainMismatch({ 0: 0, 1: [1, 0], length: 2 })).toMatch(/^expected an array of 2 elements/);
  });

  it('empty Dict and Tuple contain only the empty element', () => {
    expect(new Dict({}).contains({})).toBe(true);
    expect(new Dict({}).flatDim).toBe(0);
    expect(new Tuple([]).contains([])).toBe(true);
    expect(new Tuple([]).contains([0])).toBe(false);
  });
});

describe('assertInSpace and describeSpace', () => {
  it('assertInSpace passes for members and throws SpaceMismatchError naming what, the space and the reason', () => {
    const b = new Box(-1, 1, [3]);
    expect(() => assertInSpace(b, [0, 0, 0], 'action')).not.toThrow();
    expect(() => assertInSpace(b, [0, 0, 2], 'action')).toThrow(SpaceMismatchError);
    expect(() => assertInSpace(b, [0, 0, 2], 'action')).toThrow('action is not in Box(-1, 1, [3]): entry 2 = 2 is outside [-1, 1]');
  });

  it('describeSpace gives short descriptions', () => {
    expect(describeSpace(new Box(-1, 1, [3]))).toBe('Box(-1, 1, [3])');
    expect(describeSpace(new Box([0, -1], [1, 1]))).toBe('Box(low, 1, [2])');
    expect(describeSpace(new Box(-Infinity, Infinity, [2, 2]))).toBe('Box(-Infinity, Infinity, [2, 2])');
    expect(describeSpace(new Box(0, 1, [0]))).toBe('Box(low, high, [0])');
    expect(describeSpace(new Discrete(2))).toBe('Discrete(2)');
    expect(describeSpace(new Discrete(3, -1))).toBe('Discrete(3, start=-1)');
    expect(describeSpace(new MultiDiscrete([2, 3]))).toBe('MultiDiscrete([2, 3])');
    expect(describeSpace(new MultiBinary(4))).toBe('MultiBinary(4)');
    expect(describeSpace(new Tuple([new Discrete(2)]))).toBe('Tuple(1)');
  });

  it('spaceFromJSON rejects an unknown type', () => {
    expect(() => spaceFromJSON({ type: 'Graph' } as unknown as SpaceJSON)).toThrow(SpaceMismatchError);
    expect(() => spaceFromJSON({ type: 'Graph' } as unknown as SpaceJSON)).toThrow('unknown space type in JSON: "Graph"');
  });
});

describe('invalid constructor arguments throw SpaceMismatchError with a helpful message', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['Discrete(0)', () => new Discrete(0), /Discrete\(n\) needs a positive integer n, got 0/],
    ['Discrete(-2)', () => new Discrete(-2), /positive integer n, got -2/],
    ['Discrete(2.5)', () => new Discrete(2.5), /positive integer n, got 2\.5/],
    ['Discrete(NaN)', () => new Discrete(Number.NaN), /positive integer n, got NaN/],
    ['Discrete(Infinity)', () => new Discrete(Infinity), /positive integer n, got Infinity/],
    ['Discrete(3, 0.5)', () => new Discrete(3, 0.5), /Discrete start must be an integer, got 0\.5/],
    ['Box with scalar bounds and no shape', () => new Box(0, 1), /Box needs a shape when low and high are both scalars/],
    ['Box low > high', () => new Box([0, 2], [1, 1]), /Box bounds at index 1 are invalid: low=2, high=1/],
    ['Box NaN bound', () => new Box(Number.NaN, 1, [2]), /Box bounds at index 0 are invalid: low=NaN, high=1/],
    ['Box low = +Infinity', () => new Box(Infinity, Infinity, [1]), /index 0 .*low cannot be Infinity/],
    ['Box high = -Infinity', () => new Box(-Infinity, -Infinity, [1]), /index 0 .*high cannot be -Infinity/],
    ['Box negative shape', () => new Box(0, 1, [2, -1]), /Box shape must be non-negative integers, got \[2, -1\]/],
    ['Box fractional shape', () => new Box(0, 1, [1.5]), /Box shape must be non-negative integers, got \[1\.5\]/],
    ['Box low of wrong length', () => new Box([0, 0], 1, [3]), /Box low has 2 entries, expected 3/],
    ['Box high of wrong length', () => new Box([0, 0], [1]), /Box high has 1 entries, expected 2/],
    ['MultiDiscrete nvec 0', () => new MultiDiscrete([2, 0]), /MultiDiscrete nvec\[1\] must be a positive integer, got 0/],
    ['MultiDiscrete fractional nvec', () => new MultiDiscrete([2.5]), /MultiDiscrete nvec\[0\] must be a positive integer, got 2\.5/],
    ['MultiDiscrete NaN nvec', () => new MultiDiscrete([Number.NaN]), /nvec\[0\] must be a positive integer, got NaN/],
    ['MultiDiscrete nvec beyond int32', () => new MultiDiscrete([2 ** 32 + 2]), /does not fit in an Int32Array/],
    ['MultiDiscrete start + nvec beyond int32', () => new MultiDiscrete([2], [2 ** 31 - 1]), /entry 0 range \[2147483647, 2147483648\] does not fit/],
    ['MultiDiscrete fractional start', () => new MultiDiscrete([2, 2], [0, 0.5]), /MultiDiscrete start\[1\] must be an integer, got 0\.5/],
    ['MultiDiscrete start length', () => new MultiDiscrete([2, 2], [0]), /MultiDiscrete start has 1 entries, nvec has 2/],
    ['MultiDiscrete nvec not an array', () => new MultiDiscrete(3 as unknown as number[]), /nvec must be an array of positive integers, got 3/],
    ['MultiBinary(0)', () => new MultiBinary(0), /MultiBinary\(n\) needs a positive integer n, got 0/],
    ['MultiBinary(1.5)', () => new MultiBinary(1.5), /positive integer n, got 1\.5/],
  ];
  it.each(cases)('%s', (_name, make, message) => {
    let caught: unknown;
    try {
      make();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SpaceMismatchError);
    expect((caught as Error).name).toBe('SpaceMismatchError');
    expect((caught as Error).message).toMatch(message);
  });

  it('accepts the edge values that are valid', () => {
    expect(new MultiDiscrete([2], [2 ** 31 - 2]).sample(new Rng(0))[0]).toBeGreaterThanOrEqual(2 ** 31 - 2);
    expect(new MultiDiscrete([]).flatDim).toBe(0);
    expect(new Box(0, 1, [0]).flatDim).toBe(0);
    expect(new Box(-Infinity, Infinity, [1]).isBounded()).toBe(false);
  });
});
