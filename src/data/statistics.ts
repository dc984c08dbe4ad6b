/**
 * Per-dimension statistics of a row-major matrix (a dataset's observations or actions): for
 * inspecting a dataset's state/action coverage, and for normalising observations the way
 * offline algorithms do (TD3+BC standardises states with the dataset's mean and std).
 *
 * @module
 */

/** Statistics of one dimension. */
export interface DimensionStatistics {
  readonly mean: number;
  /** Population standard deviation. */
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** 5th and 95th percentiles, from a histogram (within (max − min)/{@link HISTOGRAM_BINS}). */
  readonly p5: number;
  readonly p95: number;
  /**
   * Coverage: the effective fraction of `[min, max]` the data occupies — the perplexity
   * `exp(H)` of its histogram over {@link COVERAGE_BINS} equal bins, divided by the number of
   * bins. 1 is uniform over the range; 0.1 is as concentrated as data filling 2 of 20 bins
   * evenly (a narrow peak with a few outliers, or a few clusters).
   */
  readonly coverage: number;
}

/** Bins of the histogram the percentiles are read from. */
export const HISTOGRAM_BINS = 1000;
/** Bins of the coverage measure. */
export const COVERAGE_BINS = 20;

/**
 * Statistics of every column of a `rows × dim` row-major matrix, in two passes and O(dim ·
 * bins) memory (no sorting of copies). NaN fields for zero rows.
 */
export function dimensionStatistics(data: ArrayLike<number>, rows: number, dim: number): DimensionStatistics[] {
  const sum = new Float64Array(dim);
  const sq = new Float64Array(dim);
  const min = new Float64Array(dim).fill(Infinity);
  const max = new Float64Array(dim).fill(-Infinity);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dim; j++) {
      const v = data[r * dim + j] as number;
      sum[j] = (sum[j] as number) + v;
      sq[j] = (sq[j] as number) + v * v;
      if (v < (min[j] as number)) min[j] = v;
      if (v > (max[j] as number)) max[j] = v;
    }
  }
  const hist = new Float64Array(dim * HISTOGRAM_BINS);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dim; j++) {
      const lo = min[j] as number;
      const width = (max[j] as number) - lo;
      const v = data[r * dim + j] as number;
      const bin = width > 0 ? Math.min(HISTOGRAM_BINS - 1, Math.floor(((v - lo) / width) * HISTOGRAM_BINS)) : 0;
      hist[j * HISTOGRAM_BINS + bin] = (hist[j * HISTOGRAM_BINS + bin] as number) + 1;
    }
  }
  const out: DimensionStatistics[] = [];
  for (let j = 0; j < dim; j++) {
    if (rows === 0) {
      out.push({ mean: NaN, std: NaN, min: NaN, max: NaN, p5: NaN, p95: NaN, coverage: NaN });
      continue;
    }
    const mean = (sum[j] as number) / rows;
    const variance = Math.max(0, (sq[j] as number) / rows - mean * mean);
    const lo = min[j] as number;
    const hi = max[j] as number;
    const binWidth = (hi - lo) / HISTOGRAM_BINS;
    const percentile = (q: number) => {
      let seen = 0;
      for (let b = 0; b < HISTOGRAM_BINS; b++) {
        seen += hist[j * HISTOGRAM_BINS + b] as number;
        if (seen >= q * rows) return lo + (b + 0.5) * binWidth;
      }
      return hi;
    };
    // Coverage bins are groups of histogram bins (HISTOGRAM_BINS is a multiple of COVERAGE_BINS).
    const group = HISTOGRAM_BINS / COVERAGE_BINS;
    let entropy = 0;
    for (let c = 0; c < COVERAGE_BINS; c++) {
      let count = 0;
      for (let b = c * group; b < (c + 1) * group; b++) count += hist[j * HISTOGRAM_BINS + b] as number;
      if (count > 0) entropy -= (count / rows) * Math.log(count / rows);
    }
    out.push({ mean, std: Math.sqrt(variance), min: lo, max: hi, p5: hi > lo ? percentile(0.05) : lo, p95: hi > lo ? percentile(0.95) : hi, coverage: hi > lo ? Math.exp(entropy) / COVERAGE_BINS : 1 / COVERAGE_BINS });
  }
  return out;
}
