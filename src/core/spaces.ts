import { describeValue, SpaceMismatchError } from './errors.js';
import type { Rng } from './rng.js';

/** JSON form of a space, as written by {@link Space.toJSON} and read by {@link spaceFromJSON}. */
export type SpaceJSON =
  | { type: 'Box'; low: number[]; high: number[]; shape: number[] }
  | { type: 'Discrete'; n: number; start: number }
  | { type: 'MultiDiscrete'; nvec: number[]; start: number[] }
  | { type: 'MultiBinary'; n: number }
  | { type: 'Dict'; spaces: Record<string, SpaceJSON> }
  | { type: 'Tuple'; spaces: SpaceJSON[] };

/**
 * A set of valid observations or actions, with Gymnasium's semantics.
 *
 * `flatDim` and `flattenInto`/`unflatten` map elements to and from a flat
 * `Float32Array` for networks: discrete parts are one-hot encoded, as in
 * `gymnasium.spaces.flatten`.
 */
export interface Space<T> {
  readonly kind: SpaceJSON['type'];
  /** Shape of one element (`[]` for a scalar Discrete, `[n]` for vectors). Composite spaces have `[]`. */
  readonly shape: readonly number[];
  /** Length of the flat encoding. */
  readonly flatDim: number;
  /** A random element drawn from `rng`. */
  sample(rng: Rng): T;
  /** Whether `x` is an element of this space (type, shape and range). */
  contains(x: unknown): x is T;
  /** Why `x` is not an element, or `null` if it is. */
  explainMismatch(x: unknown): string | null;
  /** Writes the flat encoding of `x` into `out` at `offset`. */
  flattenInto(x: T, out: Float32Array, offset: number): void;
  /** Reads an element back from its flat encoding at `offset`. */
  unflatten(flat: ArrayLike<number>, offset?: number): T;
  /** JSON description of the space. */
  toJSON(): SpaceJSON;
}

/** Element type of a space. */
export type SpaceElement<S> = S extends Space<infer T> ? T : never;

/** The flat encoding of `x` in a new array. */
export function flatten<T>(space: Space<T>, x: T): Float32Array {
  const out = new Float32Array(space.flatDim);
  space.flattenInto(x, out, 0);
  return out;
}

/** Throws {@link SpaceMismatchError} naming `what` if `x` is not in `space`. */
export function assertInSpace<T>(space: Space<T>, x: unknown, what: string): asserts x is T {
  const why = space.explainMismatch(x);
  if (why !== null) throw new SpaceMismatchError(`${what} is not in ${describeSpace(space)}: ${why}`);
}

/** Short human-readable description, e.g. `Box(-1, 1, [3])` or `Discrete(2)`. */
export function describeSpace(space: Space<unknown>): string {
  const j = space.toJSON();
  switch (j.type) {
    case 'Box': {
      // Bounds are float32: print them at float32 precision (-1.2, not -1.2000000476837158).
      const short = (v: number | undefined) => String(Number((v as number).toPrecision(7)));
      const lo = j.low.length > 0 && j.low.every((v) => v === j.low[0]) ? short(j.low[0]) : 'low';
      const hi = j.high.length > 0 && j.high.every((v) => v === j.high[0]) ? short(j.high[0]) : 'high';
      return `Box(${lo}, ${hi}, [${j.shape.join(', ')}])`;
    }
    case 'Discrete':
      return j.start === 0 ? `Discrete(${j.n})` : `Discrete(${j.n}, start=${j.start})`;
    case 'MultiDiscrete':
      return `MultiDiscrete([${j.nvec.join(', ')}])`;
    case 'MultiBinary':
      return `MultiBinary(${j.n})`;
    case 'Dict':
      return `Dict(${Object.keys(j.spaces).join(', ')})`;
    case 'Tuple':
      return `Tuple(${j.spaces.length})`;
  }
}

function product(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function isNumericArray(x: unknown): x is ArrayLike<number> {
  return (ArrayBuffer.isView(x) && !(x instanceof DataView) && !(x instanceof BigInt64Array) && !(x instanceof BigUint64Array)) || Array.isArray(x);
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Sets `obj[key] = value` as an own enumerable property, also for the key `"__proto__"`
 * (plain assignment would replace the object's prototype and drop the key).
 */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function toFloat32(values: number | ArrayLike<number>, size: number, name: string): Float32Array {
  if (typeof values === 'number') return new Float32Array(size).fill(values);
  if (values.length !== size) throw new SpaceMismatchError(`Box ${name} has ${values.length} entries, expected ${size} (the product of the shape)`);
  return Float32Array.from(values);
}

/** Continuous box of float32 values, bounded (or unbounded, ±Infinity) per entry. */
export class Box implements Space<Float32Array> {
  readonly kind = 'Box' as const;
  readonly low: Float32Array;
  readonly high: Float32Array;
  readonly shape: readonly number[];
  readonly flatDim: number;

  constructor(low: number | ArrayLike<number>, high: number | ArrayLike<number>, shape?: readonly number[]) {
    const inferred = shape ?? (typeof low !== 'number' ? [low.length] : typeof high !== 'number' ? [high.length] : undefined);
    if (inferred === undefined) throw new SpaceMismatchError('Box needs a shape when low and high are both scalars');
    if (inferred.some((d) => !Number.isInteger(d) || d < 0)) throw new SpaceMismatchError(`Box shape must be non-negative integers, got [${inferred.join(', ')}]`);
    this.shape = [...inferred];
    this.flatDim = product(this.shape);
    this.low = toFloat32(low, this.flatDim, 'low');
    this.high = toFloat32(high, this.flatDim, 'high');
    for (let i = 0; i < this.flatDim; i++) {
      const lo = this.low[i] as number;
      const hi = this.high[i] as number;
      if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) {
        throw new SpaceMismatchError(`Box bounds at index ${i} are invalid: low=${lo}, high=${hi} (need low <= high, no NaN)`);
      }
      // As Gymnasium: such an entry holds no finite value, and its JSON form (`null`) would read back as the opposite infinity.
      if (lo === Infinity || hi === -Infinity) {
        throw new SpaceMismatchError(`Box bounds at index ${i} are invalid: low=${lo}, high=${hi} (low cannot be Infinity, high cannot be -Infinity)`);
      }
    }
  }

  /** Whether every entry has finite lower and upper bounds. */
  isBounded(): boolean {
    for (let i = 0; i < this.flatDim; i++) if (!Number.isFinite(this.low[i]) || !Number.isFinite(this.high[i])) return false;
    return true;
  }

  sample(rng: Rng): Float32Array {
    const out = new Float32Array(this.flatDim);
    this.sampleInto(rng, out, 0);
    return out;
  }

  /**
   * Writes a sample at `offset` without allocating. As Gymnasium: uniform on a bounded
   * entry, normal on an unbounded one, shifted exponential on a half-bounded one.
   */
  sampleInto(rng: Rng, out: Float32Array, offset: number): void {
    for (let i = 0; i < this.flatDim; i++) {
      const lo = this.low[i] as number;
      const hi = this.high[i] as number;
      const loFinite = Number.isFinite(lo);
      const hiFinite = Number.isFinite(hi);
      let v: number;
      if (loFinite && hiFinite) v = lo + (hi - lo) * rng.uniform();
      else if (loFinite) v = lo + rng.exponential();
      else if (hiFinite) v = hi - rng.exponential();
      else v = rng.normal();
      // Rounding to float32 can step just past a bound; clamp as Gymnasium does.
      out[offset + i] = Math.fround(v) > hi ? hi : Math.fround(v) < lo ? lo : v;
    }
  }

  contains(x: unknown): x is Float32Array {
    return this.explainMismatch(x) === null;
  }

  explainMismatch(x: unknown): string | null {
    if (!(x instanceof Float32Array || x instanceof Float64Array || Array.isArray(x))) {
      return `expected a Float32Array of length ${this.flatDim}, got ${describeValue(x)}`;
    }
    if (x.length !== this.flatDim) return `expected length ${this.flatDim} (shape [${this.shape.join(', ')}]), got length ${x.length}`;
    for (let i = 0; i < this.flatDim; i++) {
      const v = x[i];
      if (typeof v !== 'number' || Number.isNaN(v)) return `entry ${i} is ${describeValue(v)}, expected a number`;
      const f = Math.fround(v);
      if (f < (this.low[i] as number) || f > (this.high[i] as number)) {
        return `entry ${i} = ${v} is outside [${this.low[i]}, ${this.high[i]}]`;
      }
    }
    return null;
  }

  flattenInto(x: Float32Array, out: Float32Array, offset: number): void {
    out.set(x, offset);
  }

  unflatten(flat: ArrayLike<number>, offset = 0): Float32Array {
    const out = new Float32Array(this.flatDim);
    for (let i = 0; i < this.flatDim; i++) out[i] = flat[offset + i] as number;
    return out;
  }

  toJSON(): SpaceJSON {
    return { type: 'Box', low: Array.from(this.low), high: Array.from(this.high), shape: [...this.shape] };
  }
}

/**
 * A Box whose first entry is a categorical choice in {0, …, `numChoices` − 1} and whose other
 * `continuousDim` entries are unbounded reals: the action of a stochastic stateful policy over a
 * discrete env, (a, z'). Buffers and loops treat it as the Box it is; policies that see this class
 * put a categorical head on the first entry and a Gaussian on the rest.
 */
export class HybridBox extends Box {
  constructor(
    readonly numChoices: number,
    readonly continuousDim: number,
  ) {
    if (!Number.isInteger(numChoices) || numChoices < 1) throw new SpaceMismatchError(`HybridBox needs a positive number of choices, got ${numChoices}`);
    super([0, ...new Array<number>(continuousDim).fill(-Infinity)], [numChoices - 1, ...new Array<number>(continuousDim).fill(Infinity)]);
  }

  override sampleInto(rng: Rng, out: Float32Array, offset: number): void {
    super.sampleInto(rng, out, offset);
    out[offset] = rng.int(this.numChoices);
  }

  override explainMismatch(x: unknown): string | null {
    const box = super.explainMismatch(x);
    if (box !== null) return box;
    const choice = (x as ArrayLike<number>)[0] as number;
    return Number.isInteger(choice) ? null : `entry 0 = ${choice} must be an integer choice in [0, ${this.numChoices - 1}]`;
  }
}

/** Integers `start, start+1, …, start+n-1`. Flattened as a one-hot vector of length n. */
export class Discrete implements Space<number> {
  readonly kind = 'Discrete' as const;
  readonly shape: readonly number[] = [];
  readonly flatDim: number;

  constructor(
    readonly n: number,
    readonly start = 0,
  ) {
    if (!Number.isInteger(n) || n <= 0) throw new SpaceMismatchError(`Discrete(n) needs a positive integer n, got ${describeValue(n)}`);
    if (!Number.isInteger(start)) throw new SpaceMismatchError(`Discrete start must be an integer, got ${describeValue(start)}`);
    this.flatDim = n;
  }

  sample(rng: Rng): number {
    return this.start + rng.int(this.n);
  }

  contains(x: unknown): x is number {
    return this.explainMismatch(x) === null;
  }

  explainMismatch(x: unknown): string | null {
    if (typeof x !== 'number' || !Number.isInteger(x)) return `expected an integer, got ${describeValue(x)}`;
    if (x < this.start || x >= this.start + this.n) return `${x} is outside [${this.start}, ${this.start + this.n - 1}]`;
    return null;
  }

  flattenInto(x: number, out: Float32Array, offset: number): void {
    out.fill(0, offset, offset + this.n);
    out[offset + x - this.start] = 1;
  }

  unflatten(flat: ArrayLike<number>, offset = 0): number {
    for (let i = 0; i < this.n; i++) if (flat[offset + i] !== 0) return this.start + i;
    throw new SpaceMismatchError(`flat Discrete(${this.n}) encoding at offset ${offset} has no non-zero entry`);
  }

  toJSON(): SpaceJSON {
    return { type: 'Discrete', n: this.n, start: this.start };
  }
}

/** A vector of independent discrete values, entry i in `[start_i, start_i + nvec_i)`. Flattened as concatenated one-hots. */
export class MultiDiscrete implements Space<Int32Array> {
  readonly kind = 'MultiDiscrete' as const;
  readonly nvec: Int32Array;
  readonly start: Int32Array;
  readonly shape: readonly number[];
  readonly flatDim: number;

  constructor(nvec: ArrayLike<number>, start?: ArrayLike<number>) {
    // Check before converting: Int32Array.from would silently truncate 2.5 to 2 and wrap 2**32 + 2 to 2.
    if (!isNumericArray(nvec)) throw new SpaceMismatchError(`MultiDiscrete nvec must be an array of positive integers, got ${describeValue(nvec)}`);
    if (start !== undefined && !isNumericArray(start)) throw new SpaceMismatchError(`MultiDiscrete start must be an array of integers, got ${describeValue(start)}`);
    if (start !== undefined && start.length !== nvec.length) throw new SpaceMismatchError(`MultiDiscrete start has ${start.length} entries, nvec has ${nvec.length}`);
    for (let i = 0; i < nvec.length; i++) {
      const n = nvec[i];
      const s = start === undefined ? 0 : start[i];
      if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw new SpaceMismatchError(`MultiDiscrete nvec[${i}] must be a positive integer, got ${describeValue(n)}`);
      if (typeof s !== 'number' || !Number.isInteger(s)) throw new SpaceMismatchError(`MultiDiscrete start[${i}] must be an integer, got ${describeValue(s)}`);
      if (n > INT32_MAX || s < INT32_MIN || s + n - 1 > INT32_MAX) {
        throw new SpaceMismatchError(`MultiDiscrete entry ${i} range [${s}, ${s + n - 1}] does not fit in an Int32Array (int32 range)`);
      }
    }
    this.nvec = Int32Array.from(nvec);
    this.start = start === undefined ? new Int32Array(this.nvec.length) : Int32Array.from(start);
    this.shape = [this.nvec.length];
    this.flatDim = this.nvec.reduce((a, b) => a + b, 0);
  }

  sample(rng: Rng): Int32Array {
    const out = new Int32Array(this.nvec.length);
    for (let i = 0; i < out.length; i++) out[i] = (this.start[i] as number) + rng.int(this.nvec[i] as number);
    return out;
  }

  contains(x: unknown): x is Int32Array {
    return this.explainMismatch(x) === null;
  }

  explainMismatch(x: unknown): string | null {
    if (!isNumericArray(x)) return `expected an Int32Array of length ${this.nvec.length}, got ${describeValue(x)}`;
    if (x.length !== this.nvec.length) return `expected length ${this.nvec.length}, got length ${x.length}`;
    for (let i = 0; i < x.length; i++) {
      const v = x[i] as number;
      const lo = this.start[i] as number;
      const hi = lo + (this.nvec[i] as number) - 1;
      if (!Number.isInteger(v) || v < lo || v > hi) return `entry ${i} = ${describeValue(v)} is not an integer in [${lo}, ${hi}]`;
    }
    return null;
  }

  flattenInto(x: Int32Array, out: Float32Array, offset: number): void {
    out.fill(0, offset, offset + this.flatDim);
    let o = offset;
    for (let i = 0; i < this.nvec.length; i++) {
      out[o + (x[i] as number) - (this.start[i] as number)] = 1;
      o += this.nvec[i] as number;
    }
  }

  unflatten(flat: ArrayLike<number>, offset = 0): Int32Array {
    const out = new Int32Array(this.nvec.length);
    let o = offset;
    for (let i = 0; i < this.nvec.length; i++) {
      const n = this.nvec[i] as number;
      let k = 0;
      while (k < n && flat[o + k] === 0) k++;
      if (k === n) throw new SpaceMismatchError(`flat MultiDiscrete encoding has no non-zero entry for component ${i}`);
      out[i] = (this.start[i] as number) + k;
      o += n;
    }
    return out;
  }

  toJSON(): SpaceJSON {
    return { type: 'MultiDiscrete', nvec: Array.from(this.nvec), start: Array.from(this.start) };
  }
}

/** A vector of n bits (0 or 1). */
export class MultiBinary implements Space<Uint8Array> {
  readonly kind = 'MultiBinary' as const;
  readonly shape: readonly number[];
  readonly flatDim: number;

  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n <= 0) throw new SpaceMismatchError(`MultiBinary(n) needs a positive integer n, got ${describeValue(n)}`);
    this.shape = [n];
    this.flatDim = n;
  }

  sample(rng: Rng): Uint8Array {
    const out = new Uint8Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = rng.int(2);
    return out;
  }

  contains(x: unknown): x is Uint8Array {
    return this.explainMismatch(x) === null;
  }

  explainMismatch(x: unknown): string | null {
    if (!isNumericArray(x)) return `expected a Uint8Array of length ${this.n}, got ${describeValue(x)}`;
    if (x.length !== this.n) return `expected length ${this.n}, got length ${x.length}`;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v !== 0 && v !== 1) return `entry ${i} = ${describeValue(v)} is not 0 or 1`;
    }
    return null;
  }

  flattenInto(x: Uint8Array, out: Float32Array, offset: number): void {
    for (let i = 0; i < this.n; i++) out[offset + i] = x[i] as number;
  }

  unflatten(flat: ArrayLike<number>, offset = 0): Uint8Array {
    const out = new Uint8Array(this.n);
    for (let i = 0; i < this.n; i++) out[i] = flat[offset + i] !== 0 ? 1 : 0;
    return out;
  }

  toJSON(): SpaceJSON {
    return { type: 'MultiBinary', n: this.n };
  }
}

/** Mapping from names to sub-spaces; keys are kept sorted, as Gymnasium does. */
export class Dict implements Space<Record<string, unknown>> {
  readonly kind = 'Dict' as const;
  readonly shape: readonly number[] = [];
  readonly spaces: Readonly<Record<string, Space<unknown>>>;
  readonly keys: readonly string[];
  readonly flatDim: number;

  constructor(spaces: Record<string, Space<unknown>>) {
    this.keys = Object.keys(spaces).sort();
    const sorted: Record<string, Space<unknown>> = {};
    for (const k of this.keys) setOwn(sorted, k, spaces[k]);
    this.spaces = sorted;
    this.flatDim = this.keys.reduce((a, k) => a + (sorted[k] as Space<unknown>).flatDim, 0);
  }

  private sub(key: string): Space<unknown> {
    return this.spaces[key] as Space<unknown>;
  }

  sample(rng: Rng): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of this.keys) setOwn(out, k, this.sub(k).sample(rng));
    return out;
  }

  contains(x: unknown): x is Record<string, unknown> {
    return this.explainMismatch(x) === null;
  }

  explainMismatch(x: unknown): string | null {
    if (typeof x !== 'object' || x === null || Array.isArray(x) || ArrayBuffer.isView(x)) return `expected an object with keys [${this.keys.join(', ')}], got ${describeValue(x)}`;
    const obj = x as Record<string, unknown>;
    const got = Object.keys(obj).sort();
    if (got.length !== this.keys.length || got.some((k, i) => k !== this.keys[i])) return `expected keys [${this.keys.join(', ')}], got [${got.join(', ')}]`;
    for (const k of this.keys) {
      const why = this.sub(k).explainMismatch(obj[k]);
      if (why !== null) return `key "${k}": ${why}`;
    }
    return null;
  }

  flattenInto(x: Record<string, unknown>, out: Float32Array, offset: number): void {
    let o = offset;
    for (const k of this.keys) {
      const s = this.sub(k);
      s.flattenInto(x[k], out, o);
      o += s.flatDim;
    }
  }

  unflatten(flat: ArrayLike<number>, offset = 0): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let o = offset;
    for (const k of this.keys) {
      const s = this.sub(k);
      setOwn(out, k, s.unflatten(flat, o));
      o += s.flatDim;
    }
    return out;
  }

  toJSON(): SpaceJSON {
    const spaces: Record<string, SpaceJSON> = {};
    for (const k of this.keys) setOwn(spaces, k, this.sub(k).toJSON());
    return { type: 'Dict', spaces };
  }
}

/** Fixed-length sequence of sub-spaces. */
export class Tuple implements Space<unknown[]> {
  readonly kind = 'Tuple' as const;
  readonly shape: readonly number[] = [];
  readonly flatDim: number;

  constructor(readonly spaces: readonly Space<unknown>[]) {
    this.flatDim = spaces.reduce((a, s) => a + s.flatDim, 0);
  }

  sample(rng: Rng): unknown[] {
    return this.spaces.map((s) => s.sample(rng));
  }

  contains(x: unknown): x is unknown[] {
    return this.explainMismatch(x) === null;
  }

  explainMismatch(x: unknown): string | null {
    if (!Array.isArray(x)) return `expected an array of ${this.spaces.length} elements, got ${describeValue(x)}`;
    if (x.length !== this.spaces.length) return `expected ${this.spaces.length} elements, got ${x.length}`;
    for (let i = 0; i < x.length; i++) {
      const why = (this.spaces[i] as Space<unknown>).explainMismatch(x[i]);
      if (why !== null) return `element ${i}: ${why}`;
    }
    return null;
  }

  flattenInto(x: unknown[], out: Float32Array, offset: number): void {
    let o = offset;
    this.spaces.forEach((s, i) => {
      s.flattenInto(x[i], out, o);
      o += s.flatDim;
    });
  }

  unflatten(flat: ArrayLike<number>, offset = 0): unknown[] {
    let o = offset;
    return this.spaces.map((s) => {
      const v = s.unflatten(flat, o);
      o += s.flatDim;
      return v;
    });
  }

  toJSON(): SpaceJSON {
    return { type: 'Tuple', spaces: this.spaces.map((s) => s.toJSON()) };
  }
}

/** Rebuilds a space from its JSON form. Infinite Box bounds survive a JSON round trip as `null` and come back as ±Infinity. */
export function spaceFromJSON(json: SpaceJSON): Space<unknown> {
  switch (json.type) {
    case 'Box': {
      const fix = (arr: (number | null)[], inf: number) => arr.map((v) => (v === null ? inf : v));
      return new Box(fix(json.low, -Infinity), fix(json.high, Infinity), json.shape);
    }
    case 'Discrete':
      return new Discrete(json.n, json.start);
    case 'MultiDiscrete':
      return new MultiDiscrete(json.nvec, json.start);
    case 'MultiBinary':
      return new MultiBinary(json.n);
    case 'Dict': {
      const spaces: Record<string, Space<unknown>> = {};
      for (const [k, v] of Object.entries(json.spaces)) setOwn(spaces, k, spaceFromJSON(v));
      return new Dict(spaces);
    }
    case 'Tuple':
      return new Tuple(json.spaces.map(spaceFromJSON));
    default:
      throw new SpaceMismatchError(`unknown space type in JSON: ${describeValue((json as { type?: unknown }).type)}`);
  }
}
