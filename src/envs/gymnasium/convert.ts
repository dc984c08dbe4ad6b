import { describeValue, InvalidActionError } from '../../core/errors.js';
import type { Box, Space } from '../../core/spaces.js';
import type { Info } from '../env.js';
import { EMPTY_INFO } from '../vector/vector-env.js';

/**
 * Gymnasium's seed for rxrl's `seed`: a non-negative safe integer is passed as it is (so
 * `reset({ seed: 42 })` equals Gymnasium's `reset(seed=42)`); anything else (a string such as
 * the training loop's `"0/eval/3"`, a negative or fractional number) is hashed to a 32-bit
 * integer with FNV-1a, deterministically.
 */
export function gymnasiumSeed(seed: number | string): number {
  if (typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0) return seed;
  const text = String(seed);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  // Plain assignment of "__proto__" would replace the prototype instead of adding the key.
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Copy `j`'s info out of Gymnasium's batched vector info: every key `k` whose mask `_k` is set
 * at `j`, with its `j`-th entry (nested dicts recursively). Keys listed in `skip` are left out.
 * Returns the shared empty info when copy `j` has none.
 */
export function unbatchInfo(batched: Readonly<Record<string, unknown>>, j: number, skip?: ReadonlySet<string>): Info {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(batched)) {
    if (skip?.has(key)) continue;
    // `_k` is the mask of `k`, not an info of its own.
    if (key.startsWith('_') && Object.hasOwn(batched, key.slice(1))) continue;
    const mask = batched[`_${key}`];
    if (Array.isArray(mask) && mask[j] !== true) continue;
    const value = batched[key];
    const entry = isPlainObject(value) ? unbatchInfo(value, j) : Array.isArray(value) ? value[j] : value;
    out ??= {};
    setOwn(out, key, entry === EMPTY_INFO ? {} : entry);
  }
  return out ?? EMPTY_INFO;
}

/**
 * Checks and encodes the actions of a bridged vector env before they cross the pipe, so a bad
 * action fails here with a typed error naming the copy instead of deep in Python: Box entries
 * must be finite (out-of-range values are clipped when `clip` is set, as rxrl's built-in envs
 * do), Discrete/MultiDiscrete/MultiBinary values must lie in the space.
 */
export class ActionEncoder {
  /** Entries per copy: 1 for Discrete, the flat size otherwise. */
  readonly actionSize: number;
  private readonly isBox: boolean;
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;

  constructor(
    private readonly envId: string,
    space: Space<unknown>,
    private readonly clip: boolean,
  ) {
    const j = space.toJSON();
    this.isBox = j.type === 'Box';
    switch (j.type) {
      case 'Box':
        this.lo = Float64Array.from((space as Box).low);
        this.hi = Float64Array.from((space as Box).high);
        break;
      case 'Discrete':
        this.lo = Float64Array.of(j.start);
        this.hi = Float64Array.of(j.start + j.n - 1);
        break;
      case 'MultiDiscrete':
        this.lo = Float64Array.from(j.start);
        this.hi = Float64Array.from(j.nvec, (n, k) => (j.start[k] as number) + n - 1);
        break;
      case 'MultiBinary':
        this.lo = new Float64Array(j.n);
        this.hi = new Float64Array(j.n).fill(1);
        break;
      default:
        throw new InvalidActionError(`${envId}: vector envs need a Discrete, Box, MultiDiscrete or MultiBinary action space, got ${j.type}; use a single env (make without numEnvs) for ${j.type} actions`);
    }
    this.actionSize = this.lo.length;
  }

  /** Checks the batch's type and length. */
  checkBatch(actions: unknown, numEnvs: number): void {
    const okType = this.isBox ? actions instanceof Float32Array : actions instanceof Int32Array;
    if (!okType) throw new InvalidActionError(`${this.envId}: expected ${this.isBox ? 'a Float32Array' : 'an Int32Array'} of ${numEnvs}×${this.actionSize} actions, got ${describeValue(actions)}`);
    const n = (actions as ArrayLike<number>).length;
    if (n !== numEnvs * this.actionSize) throw new InvalidActionError(`${this.envId}: expected ${numEnvs}×${this.actionSize} = ${numEnvs * this.actionSize} action entries, got ${n}`);
  }

  /** Checks copies `start … start+count-1` of `actions` and writes them into `out` (a float32 or int32 view of the request). */
  encode(actions: ArrayLike<number>, start: number, count: number, out: Float32Array | Int32Array): void {
    const size = this.actionSize;
    const { lo, hi } = this;
    for (let c = 0; c < count; c++) {
      const base = (start + c) * size;
      for (let k = 0; k < size; k++) {
        let v = actions[base + k] as number;
        const low = lo[k] as number;
        const high = hi[k] as number;
        if (this.isBox) {
          if (!Number.isFinite(v)) throw new InvalidActionError(`${this.envId}: action of copy ${start + c}, entry ${k}, is ${describeValue(v)}; actions must be finite numbers (a NaN usually means the policy diverged)`);
          if (this.clip) v = v < low ? low : v > high ? high : v;
        } else if (v < low || v > high) {
          throw new InvalidActionError(`${this.envId}: action of copy ${start + c}${size > 1 ? `, component ${k},` : ''} is ${v}, outside [${low}, ${high}]`);
        }
        out[c * size + k] = v;
      }
    }
  }
}
