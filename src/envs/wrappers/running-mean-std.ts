import { ConfigError, describeValue } from '../../core/errors.js';

/** JSON form of a {@link RunningMeanStd}, stored in checkpoints. */
export interface RunningMeanStdState {
  readonly mean: number[];
  readonly var: number[];
  readonly count: number;
}

/**
 * Running per-entry mean and (population) variance of a stream of vectors, as
 * Gymnasium's and Stable-Baselines3's `RunningMeanStd`.
 *
 * Batches are merged with the parallel formula of Chan et al., so updating batch by batch
 * gives the same result (up to rounding) as one update over their concatenation. The
 * statistics start at mean 0, variance 1 and count `epsilon` (1e-4), a tiny prior that
 * keeps the first normalisations finite; that prior is why the values differ very
 * slightly from the plain mean and variance of the data.
 */
export class RunningMeanStd {
  /** Length of each vector. */
  readonly size: number;
  readonly mean: Float64Array;
  /** Population variance (ddof 0) of each entry. */
  readonly var: Float64Array;
  /** Number of vectors seen, plus the initial `epsilon`. */
  count: number;
  // Scratch for a batch's moments, so updates allocate nothing.
  private readonly batchMean: Float64Array;
  private readonly batchVar: Float64Array;

  constructor(size: number, epsilon = 1e-4) {
    if (!Number.isInteger(size) || size < 0) throw new ConfigError(`RunningMeanStd size must be a non-negative integer, got ${describeValue(size)}`);
    if (!(Number.isFinite(epsilon) && epsilon > 0)) throw new ConfigError(`RunningMeanStd epsilon must be a finite number > 0, got ${describeValue(epsilon)}`);
    this.size = size;
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.count = epsilon;
    this.batchMean = new Float64Array(size);
    this.batchVar = new Float64Array(size);
  }

  /**
   * Merges a batch of `batchCount` vectors stored row-major in `batch`, starting at
   * `offset` (`batchCount × size` entries).
   */
  update(batch: ArrayLike<number>, batchCount: number, offset = 0): void {
    const n = this.size;
    if (!Number.isInteger(batchCount) || batchCount < 0) throw new ConfigError(`RunningMeanStd.update batchCount must be a non-negative integer, got ${describeValue(batchCount)}`);
    if (batch.length < offset + batchCount * n) {
      throw new ConfigError(`RunningMeanStd.update expected ${batchCount} rows of ${n} entries from offset ${offset} (${offset + batchCount * n} entries), got ${batch.length}`);
    }
    if (batchCount === 0) return;
    const bm = this.batchMean;
    const bv = this.batchVar;
    bm.fill(0);
    bv.fill(0);
    for (let r = 0; r < batchCount; r++) {
      const o = offset + r * n;
      for (let j = 0; j < n; j++) bm[j] = (bm[j] as number) + (batch[o + j] as number);
    }
    for (let j = 0; j < n; j++) bm[j] = (bm[j] as number) / batchCount;
    // Two-pass variance: stable for entries with a large mean.
    for (let r = 0; r < batchCount; r++) {
      const o = offset + r * n;
      for (let j = 0; j < n; j++) {
        const d = (batch[o + j] as number) - (bm[j] as number);
        bv[j] = (bv[j] as number) + d * d;
      }
    }
    for (let j = 0; j < n; j++) bv[j] = (bv[j] as number) / batchCount;
    this.updateFromMoments(bm, bv, batchCount);
  }

  /** Merges a single scalar observation (for `size` 1, e.g. returns). */
  updateScalar(x: number): void {
    if (this.size !== 1) throw new ConfigError(`RunningMeanStd.updateScalar needs size 1, this one has size ${this.size}`);
    this.batchMean[0] = x;
    this.batchVar[0] = 0;
    this.updateFromMoments(this.batchMean, this.batchVar, 1);
  }

  /** Merges a batch given by its per-entry mean, population variance and count (Chan et al.). */
  updateFromMoments(batchMean: ArrayLike<number>, batchVar: ArrayLike<number>, batchCount: number): void {
    if (batchCount <= 0) return;
    const count = this.count;
    const total = count + batchCount;
    for (let j = 0; j < this.size; j++) {
      const mean = this.mean[j] as number;
      const delta = (batchMean[j] as number) - mean;
      const m2 = (this.var[j] as number) * count + (batchVar[j] as number) * batchCount + ((delta * delta * count) * batchCount) / total;
      this.mean[j] = mean + (delta * batchCount) / total;
      this.var[j] = m2 / total;
    }
    this.count = total;
  }

  /** A JSON-serialisable copy of the statistics. */
  getState(): RunningMeanStdState {
    return { mean: Array.from(this.mean), var: Array.from(this.var), count: this.count };
  }

  /** Restores statistics saved by {@link getState}; throws {@link ConfigError} if they do not fit. */
  setState(state: RunningMeanStdState): void {
    const s = state as Partial<RunningMeanStdState> | null | undefined;
    if (typeof s !== 'object' || s === null || !Array.isArray(s.mean) || !Array.isArray(s.var) || typeof s.count !== 'number') {
      throw new ConfigError(`RunningMeanStd state must be { mean: number[], var: number[], count: number }, got ${describeValue(state)}`);
    }
    if (s.mean.length !== this.size || s.var.length !== this.size) {
      throw new ConfigError(`RunningMeanStd state has mean of length ${s.mean.length} and var of length ${s.var.length}, expected ${this.size}`);
    }
    if (!(Number.isFinite(s.count) && s.count > 0)) throw new ConfigError(`RunningMeanStd state count must be a finite number > 0, got ${describeValue(s.count)}`);
    for (let j = 0; j < this.size; j++) {
      const m = s.mean[j];
      const v = s.var[j];
      if (typeof m !== 'number' || !Number.isFinite(m)) throw new ConfigError(`RunningMeanStd state mean[${j}] must be a finite number, got ${describeValue(m)}`);
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ConfigError(`RunningMeanStd state var[${j}] must be a finite number >= 0, got ${describeValue(v)}`);
    }
    this.mean.set(s.mean);
    this.var.set(s.var);
    this.count = s.count;
  }
}
