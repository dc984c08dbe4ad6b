/**
 * Episodes of a D4RL-layout dataset: where they start and end, how they ended, their returns.
 *
 * @module
 */

import type { OfflineDataset } from './dataset.js';

/** How an episode's last row ended it. */
export const EpisodeEndKind = {
  /** `terminals` set: a true end of the task. */
  Terminal: 1,
  /** `timeouts` set (and not `terminals`): cut by a time limit or the end of collection. */
  Timeout: 2,
  /**
   * No flag, but the next row does not continue it (`next_observations[i] ≠ observations[i+1]`),
   * or it is the dataset's last row: older D4RL files have such unflagged cuts.
   */
  Unflagged: 3,
} as const;
/** One of {@link EpisodeEndKind}'s values. */
export type EpisodeEndKind = (typeof EpisodeEndKind)[keyof typeof EpisodeEndKind];

/** The episodes of a dataset, as parallel arrays (episode `k` covers rows `starts[k] … starts[k] + lengths[k] − 1`). */
export interface Episodes {
  readonly count: number;
  readonly starts: Int32Array;
  readonly lengths: Int32Array;
  /** Undiscounted returns, summed in float64. */
  readonly returns: Float64Array;
  /** {@link EpisodeEndKind} of each episode. */
  readonly ends: Uint8Array;
}

/** Options of {@link splitEpisodes}. */
export interface SplitEpisodesOptions {
  /**
   * Also end an episode at an unflagged row whose next observation is not the following row's
   * observation (default true), as D4RL users do for files whose time-limit cuts are not flagged.
   */
  readonly detectUnflaggedCuts?: boolean;
}

function continues(ds: OfflineDataset, row: number): boolean {
  const d = ds.observationDim;
  const next = ds.nextObservations;
  const obs = ds.observations;
  const a = row * d;
  const b = (row + 1) * d;
  for (let j = 0; j < d; j++) if (next[a + j] !== obs[b + j]) return false;
  return true;
}

/**
 * Splits a dataset into its episodes: an episode ends at a row with `terminals` or `timeouts`
 * set, at the last row, and (unless disabled) where the next row does not continue it.
 */
export function splitEpisodes(ds: OfflineDataset, options: SplitEpisodesOptions = {}): Episodes {
  const detect = options.detectUnflaggedCuts ?? true;
  const starts: number[] = [];
  const lengths: number[] = [];
  const returns: number[] = [];
  const ends: number[] = [];
  let start = 0;
  let ret = 0;
  for (let i = 0; i < ds.size; i++) {
    ret += ds.rewards[i] as number;
    let end: EpisodeEndKind | 0 = 0;
    if (ds.terminals[i] === 1) end = EpisodeEndKind.Terminal;
    else if (ds.timeouts[i] === 1) end = EpisodeEndKind.Timeout;
    else if (i === ds.size - 1 || (detect && !continues(ds, i))) end = EpisodeEndKind.Unflagged;
    if (end !== 0) {
      starts.push(start);
      lengths.push(i + 1 - start);
      returns.push(ret);
      ends.push(end);
      start = i + 1;
      ret = 0;
    }
  }
  return { count: starts.length, starts: Int32Array.from(starts), lengths: Int32Array.from(lengths), returns: Float64Array.from(returns), ends: Uint8Array.from(ends) };
}

/** Summary of a set of returns. */
export interface ReturnStatistics {
  readonly count: number;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** 25th, 50th and 75th percentiles (linear interpolation, as numpy's default). */
  readonly p25: number;
  readonly median: number;
  readonly p75: number;
}

/** Linear-interpolation quantile of sorted values (numpy's default method). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return (sorted[lo] as number) + (pos - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/** Mean, population std, extremes and quartiles of `returns` (NaN for an empty set). */
export function returnStatistics(returns: ArrayLike<number>): ReturnStatistics {
  const sorted = Float64Array.from(returns).sort();
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i] as number;
  const mean = n > 0 ? sum / n : NaN;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += ((sorted[i] as number) - mean) ** 2;
  return {
    count: n,
    mean,
    std: n > 0 ? Math.sqrt(sq / n) : NaN,
    min: n > 0 ? (sorted[0] as number) : NaN,
    max: n > 0 ? (sorted[n - 1] as number) : NaN,
    p25: quantileSorted(sorted, 0.25),
    median: quantileSorted(sorted, 0.5),
    p75: quantileSorted(sorted, 0.75),
  };
}
