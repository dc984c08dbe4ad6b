/**
 * Percentile intervals from resampling whole episodes: statistics that are functions of sums
 * over a dataset's rows (estimates of off-policy evaluation) get their sampling spread from
 * the episodes, the independent units of the data.
 * @module
 */

import { Rng } from '../core/rng.js';
import { quantileSorted, type Episodes } from './episodes.js';

/** Per-episode sums of row quantities: `columns[c][k]` is column c summed over episode k. */
export interface EpisodeSums {
  readonly episodes: Pick<Episodes, 'count' | 'lengths'>;
  readonly columns: readonly Float64Array[];
}

/**
 * Statistics of summed columns: `sums[c]` is column c summed over the (resampled) episodes,
 * `rows` their total length, `episodes` their number. Writes one value per statistic into `out`.
 */
export type EpisodeSumStatistics = (sums: Float64Array, rows: number, episodes: number, out: Float64Array) => void;

/** Lower and upper ends of each statistic's interval. */
export interface BootstrapIntervals {
  readonly low: Float64Array;
  readonly high: Float64Array;
}

/**
 * The `level` percentile intervals of `statisticCount` statistics under `resamples` draws of
 * as many episodes as the data has, with replacement, from the seeded stream `seed`.
 */
export function episodeBootstrap(data: EpisodeSums, statistics: EpisodeSumStatistics, statisticCount: number, resamples: number, seed: string, level = 0.95): BootstrapIntervals {
  if (!(resamples >= 1)) throw new RangeError(`episodeBootstrap: resamples must be ≥ 1, got ${resamples}`);
  const { count, lengths } = data.episodes;
  if (count === 0) throw new RangeError('episodeBootstrap: the data has no episode');
  const C = data.columns.length;
  const rng = new Rng(seed);
  const sums = new Float64Array(C);
  const values = new Float64Array(statisticCount);
  const draws = Array.from({ length: statisticCount }, () => new Float64Array(resamples));
  for (let r = 0; r < resamples; r++) {
    sums.fill(0);
    let rows = 0;
    for (let j = 0; j < count; j++) {
      const k = rng.int(count);
      for (let c = 0; c < C; c++) sums[c] = (sums[c] as number) + ((data.columns[c] as Float64Array)[k] as number);
      rows += lengths[k] as number;
    }
    statistics(sums, rows, count, values);
    for (let s = 0; s < statisticCount; s++) (draws[s] as Float64Array)[r] = values[s] as number;
  }
  const low = new Float64Array(statisticCount);
  const high = new Float64Array(statisticCount);
  const tail = (1 - level) / 2;
  for (let s = 0; s < statisticCount; s++) {
    const sorted = (draws[s] as Float64Array).sort();
    low[s] = quantileSorted(sorted, tail);
    high[s] = quantileSorted(sorted, 1 - tail);
  }
  return { low, high };
}

/** Sums of a per-row quantity over each episode. */
export function sumPerEpisode(rowValues: ArrayLike<number>, episodes: Pick<Episodes, 'count' | 'starts' | 'lengths'>): Float64Array {
  const out = new Float64Array(episodes.count);
  for (let k = 0; k < episodes.count; k++) {
    const start = episodes.starts[k] as number;
    const end = start + (episodes.lengths[k] as number);
    let s = 0;
    for (let i = start; i < end; i++) s += rowValues[i] as number;
    out[k] = s;
  }
  return out;
}
