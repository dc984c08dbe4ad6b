/**
 * Sum and min segment trees over a fixed number of non-negative leaves, for proportional
 * prioritised replay (Schaul et al. 2016): O(log n) update, O(log n) search of the leaf where a
 * prefix sum crosses a given mass, O(1) total and minimum.
 *
 * @module
 */

/** A sum tree with a min tree beside it. Leaves start at 0 (never sampled). */
export class SumTree {
  /** Number of leaves. */
  readonly capacity: number;
  /** Leaves live at `[size, 2·size)`; `size` is the power of two ≥ capacity. */
  private readonly size: number;
  private readonly sums: Float64Array;
  private readonly mins: Float64Array;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`SumTree capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    let size = 1;
    while (size < capacity) size *= 2;
    this.size = size;
    this.sums = new Float64Array(2 * size);
    // Empty leaves are +∞ in the min tree, so they never count as the minimum.
    this.mins = new Float64Array(2 * size).fill(Infinity);
  }

  /** Sets leaf `i` to `value` (≥ 0) and refreshes its ancestors from their children (no drift from incremental updates). */
  set(i: number, value: number): void {
    let j = i + this.size;
    this.sums[j] = value;
    this.mins[j] = value > 0 ? value : Infinity;
    for (j >>= 1; j >= 1; j >>= 1) {
      const l = 2 * j;
      this.sums[j] = (this.sums[l] as number) + (this.sums[l + 1] as number);
      this.mins[j] = Math.min(this.mins[l] as number, this.mins[l + 1] as number);
    }
  }

  get(i: number): number {
    return this.sums[i + this.size] as number;
  }

  /** Sum of all leaves. */
  total(): number {
    return this.sums[1] as number;
  }

  /** Smallest positive leaf (∞ when all are 0). */
  min(): number {
    return this.mins[1] as number;
  }

  /**
   * The leaf `i` with `Σ_{k<i} leaf_k ≤ mass < Σ_{k≤i} leaf_k`, for `mass` in `[0, total)`.
   * Rounding can make the search run past the last positive leaf; callers clamp to their filled range.
   */
  find(mass: number): number {
    let j = 1;
    while (j < this.size) {
      const l = 2 * j;
      const left = this.sums[l] as number;
      if (mass < left) j = l;
      else {
        mass -= left;
        j = l + 1;
      }
    }
    return j - this.size;
  }

  /** The leaves, for checkpoints. */
  leaves(): Float64Array {
    return this.sums.slice(this.size, this.size + this.capacity);
  }

  /** Restores leaves saved by {@link leaves}, rebuilding the inner nodes. */
  setLeaves(values: Float64Array): void {
    if (values.length !== this.capacity) throw new RangeError(`SumTree.setLeaves: expected ${this.capacity} leaves, got ${values.length}`);
    for (let i = 0; i < this.capacity; i++) {
      const v = values[i] as number;
      this.sums[this.size + i] = v;
      this.mins[this.size + i] = v > 0 ? v : Infinity;
    }
    for (let j = this.size - 1; j >= 1; j--) {
      this.sums[j] = (this.sums[2 * j] as number) + (this.sums[2 * j + 1] as number);
      this.mins[j] = Math.min(this.mins[2 * j] as number, this.mins[2 * j + 1] as number);
    }
  }
}
