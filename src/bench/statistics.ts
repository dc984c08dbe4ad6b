/**
 * Statistics for sample-complexity benchmarks, following the recommendations of
 * Agarwal et al. (2021), "Deep Reinforcement Learning at the Edge of the
 * Statistical Precipice" (the `rliable` library):
 *
 * - report robust aggregates (IQM) rather than only means or medians,
 * - attach stratified-bootstrap confidence intervals to every point estimate,
 * - show performance profiles (score distributions) with confidence bands,
 * - compare algorithms by the probability of improvement.
 *
 * Scores are organised as a matrix indexed `[task][run]`; tasks may have different
 * numbers of runs. Every resampling draws from an explicit {@link Rng}, so results are
 * reproducible from a seed. All functions are pure: they never modify their inputs.
 *
 * @module
 */

import { ConfigError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';

/** A sample of numbers: a plain array or a typed array. */
export type Sample = ArrayLike<number>;

/** Scores indexed `[task][run]`. */
export type ScoreMatrix = readonly Sample[];

/**
 * An aggregate metric of a whole score matrix, e.g. {@link aggregateIqm}.
 *
 * During a bootstrap it is called once per resample with a reused buffer: it must not
 * keep a reference to its argument or modify it.
 */
export type Aggregate = (scores: ScoreMatrix) => number;

/** A point estimate with a confidence interval. */
export interface Interval {
  readonly point: number;
  readonly lower: number;
  readonly upper: number;
}

/** Options of the bootstrap-based functions. */
export interface BootstrapOptions {
  /** Number of bootstrap resamples (default 2000, as in rliable). */
  readonly reps?: number;
  /** Coverage of the percentile interval, in (0, 1) (default 0.95). */
  readonly confidence?: number;
  /** The stream the resampling indices are drawn from. */
  readonly rng: Rng;
}

// ---------------------------------------------------------------------------
// Point statistics of one sample
// ---------------------------------------------------------------------------

function checkSample(values: Sample, where: string): void {
  if (values.length === 0) throw new ConfigError(`${where}: expected a non-empty sample, got length 0`);
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i])) throw new ConfigError(`${where}: value at index ${i} is NaN`);
  }
}

function sorted(values: Sample): Float64Array {
  // Float64Array#sort is numeric (not lexicographic) and leaves the input untouched.
  return Float64Array.from(values).sort();
}

/** Arithmetic mean. Throws on an empty sample. */
export function mean(values: Sample): number {
  checkSample(values, 'mean');
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

/** Linear-interpolation quantile of an already sorted array (numpy's default `method='linear'`). */
function sortedQuantile(s: ArrayLike<number>, q: number): number {
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  const a = s[lo] as number;
  const b = s[hi] as number;
  return a + (pos - lo) * (b - a);
}

/**
 * The `q`-quantile, `q` in [0, 1], by linear interpolation between order statistics —
 * the same as `numpy.quantile(values, q)` with its default `method='linear'`.
 */
export function quantile(values: Sample, q: number): number {
  checkSample(values, 'quantile');
  if (!(q >= 0 && q <= 1)) throw new ConfigError(`quantile: expected q in [0, 1], got ${q}`);
  return sortedQuantile(sorted(values), q);
}

/** Median (mean of the two middle values for an even size), as `numpy.median`. */
export function median(values: Sample): number {
  checkSample(values, 'median');
  return sortedQuantile(sorted(values), 0.5);
}

/**
 * Interquartile mean: the mean of the middle 50% of the sorted values.
 *
 * Matches `scipy.stats.trim_mean(values, 0.25)`, which rliable uses: with `n` values,
 * `k = floor(0.25 · n)` values are cut from each end and the remaining `n − 2k` are
 * averaged. When `n` is not divisible by 4 this keeps *more* than half of the values
 * (no fractional weights): n = 5 averages the middle 3, n = 10 the middle 6, and for
 * n < 4 nothing is cut (IQM = mean).
 */
export function iqm(values: Sample): number {
  checkSample(values, 'iqm');
  const s = sorted(values);
  return trimmedMeanOfSorted(s);
}

function trimmedMeanOfSorted(s: ArrayLike<number>): number {
  const n = s.length;
  const cut = Math.floor(0.25 * n);
  let sum = 0;
  for (let i = cut; i < n - cut; i++) sum += s[i] as number;
  return sum / (n - 2 * cut);
}

// ---------------------------------------------------------------------------
// Aggregates of a score matrix (rliable's `metrics.aggregate_*`)
// ---------------------------------------------------------------------------

function checkMatrix(scores: ScoreMatrix, where: string): void {
  if (scores.length === 0) throw new ConfigError(`${where}: expected at least one task, got none`);
  scores.forEach((task, t) => {
    if (task.length === 0) throw new ConfigError(`${where}: task ${t} has no runs`);
  });
}

/** Mean over tasks of the per-task mean score (rliable `aggregate_mean`). */
export const aggregateMean: Aggregate = (scores) => {
  let sum = 0;
  for (const task of scores) sum += mean(task);
  return sum / scores.length;
};

/** Median over tasks of the per-task mean score (rliable `aggregate_median`). */
export const aggregateMedian: Aggregate = (scores) => median(scores.map((task) => mean(task)));

/** IQM of all runs of all tasks pooled together (rliable `aggregate_iqm`). */
export const aggregateIqm: Aggregate = (scores) => {
  let total = 0;
  for (const task of scores) total += task.length;
  const pooled = new Float64Array(total);
  let k = 0;
  for (const task of scores) for (let i = 0; i < task.length; i++) pooled[k++] = task[i] as number;
  return iqm(pooled);
};

// ---------------------------------------------------------------------------
// Stratified bootstrap
// ---------------------------------------------------------------------------

function resolveOptions(options: BootstrapOptions): { reps: number; alpha: number; rng: Rng } {
  const reps = options.reps ?? 2000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(reps) || reps < 1) throw new ConfigError(`bootstrap: expected reps to be a positive integer, got ${reps}`);
  if (!(confidence > 0 && confidence < 1)) throw new ConfigError(`bootstrap: expected confidence in (0, 1), got ${confidence}`);
  return { reps, alpha: 1 - confidence, rng: options.rng };
}

/**
 * Stratified bootstrap of a vector-valued statistic: in every resample, each group's
 * runs are drawn with replacement from that group only (group sizes are kept).
 * Returns one bootstrap distribution per output dimension, sorted ascending.
 */
function bootstrapDistributions(
  groups: ScoreMatrix,
  reps: number,
  rng: Rng,
  dims: number,
  statistic: (resampled: ScoreMatrix) => ArrayLike<number>,
): Float64Array[] {
  const buffers = groups.map((g) => new Float64Array(g.length));
  const out = Array.from({ length: dims }, () => new Float64Array(reps));
  for (let r = 0; r < reps; r++) {
    for (let g = 0; g < groups.length; g++) {
      const src = groups[g] as Sample;
      const buf = buffers[g] as Float64Array;
      for (let i = 0; i < buf.length; i++) buf[i] = src[rng.int(src.length)] as number;
    }
    const value = statistic(buffers);
    for (let d = 0; d < dims; d++) (out[d] as Float64Array)[r] = value[d] as number;
  }
  for (const dist of out) dist.sort();
  return out;
}

/** Percentile interval `[q(α/2), q(1 − α/2)]` of a sorted bootstrap distribution. */
function percentileInterval(point: number, dist: Float64Array, alpha: number): Interval {
  return { point, lower: sortedQuantile(dist, alpha / 2), upper: sortedQuantile(dist, 1 - alpha / 2) };
}

/**
 * Point estimate and stratified-bootstrap percentile confidence interval of an
 * aggregate metric (rliable `get_interval_estimates` with `StratifiedBootstrap`).
 *
 * Each resample draws, for every task independently, as many runs as the task has,
 * with replacement, from that task's runs only; `statistic` is then recomputed on the
 * whole resampled matrix. The interval is the `(1 − confidence)/2` and
 * `(1 + confidence)/2` quantiles (linear interpolation) of the `reps` resampled values;
 * `point` is the statistic of the original scores.
 *
 * @param scores - scores indexed `[task][run]`.
 * @param statistic - the aggregate, e.g. {@link aggregateIqm} or {@link aggregateMean}.
 */
export function stratifiedBootstrapCI(scores: ScoreMatrix, statistic: Aggregate, options: BootstrapOptions): Interval {
  checkMatrix(scores, 'stratifiedBootstrapCI');
  const { reps, alpha, rng } = resolveOptions(options);
  const scalar = [0];
  const [dist] = bootstrapDistributions(scores, reps, rng, 1, (m) => {
    scalar[0] = statistic(m);
    return scalar;
  });
  return percentileInterval(statistic(scores), dist as Float64Array, alpha);
}

// ---------------------------------------------------------------------------
// Performance profiles
// ---------------------------------------------------------------------------

/** One point of a performance profile: fraction of runs scoring above `tau`, with its band. */
export interface ProfilePoint extends Interval {
  readonly tau: number;
}

function fractionsAbove(scores: ScoreMatrix, taus: readonly number[], out: Float64Array): Float64Array {
  out.fill(0);
  let total = 0;
  for (const task of scores) {
    total += task.length;
    for (let i = 0; i < task.length; i++) {
      const v = task[i] as number;
      for (let j = 0; j < taus.length; j++) if (v > (taus[j] as number)) out[j] = (out[j] as number) + 1;
    }
  }
  for (let j = 0; j < taus.length; j++) out[j] = (out[j] as number) / total;
  return out;
}

/**
 * Performance profile (run-score distribution): for each threshold τ, the fraction of
 * all runs, pooled over tasks, whose score is strictly greater than τ — rliable's
 * `create_performance_profile` with its default run-score distribution
 * (`np.mean(scores > tau)`). With unequal run counts per task, tasks with more runs
 * weigh more.
 *
 * Confidence bands come from the same stratified bootstrap as
 * {@link stratifiedBootstrapCI}; one set of resamples is shared by all τ, so the band is
 * a set of pointwise intervals of one bootstrap curve distribution.
 */
export function performanceProfile(scores: ScoreMatrix, taus: readonly number[], options: BootstrapOptions): ProfilePoint[] {
  checkMatrix(scores, 'performanceProfile');
  const { reps, alpha, rng } = resolveOptions(options);
  const buf = new Float64Array(taus.length);
  const dists = bootstrapDistributions(scores, reps, rng, taus.length, (m) => fractionsAbove(m, taus, buf));
  const point = fractionsAbove(scores, taus, new Float64Array(taus.length));
  return taus.map((tau, j) => ({ tau, ...percentileInterval(point[j] as number, dists[j] as Float64Array, alpha) }));
}

// ---------------------------------------------------------------------------
// Probability of improvement
// ---------------------------------------------------------------------------

/** P(X > Y) + ½·P(X = Y) for one task: the Mann–Whitney U statistic of `x` divided by n·m. */
function pairwiseWinRate(x: Sample, y: Sample): number {
  let wins = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i] as number;
    for (let j = 0; j < y.length; j++) {
      const b = y[j] as number;
      if (a > b) wins += 1;
      else if (a === b) wins += 0.5;
    }
  }
  return wins / (x.length * y.length);
}

function averageWinRate(x: ScoreMatrix, y: ScoreMatrix): number {
  let sum = 0;
  for (let t = 0; t < x.length; t++) sum += pairwiseWinRate(x[t] as Sample, y[t] as Sample);
  return sum / x.length;
}

function checkPair(x: ScoreMatrix, y: ScoreMatrix, where: string): void {
  checkMatrix(x, where);
  checkMatrix(y, where);
  if (x.length !== y.length) {
    throw new ConfigError(`${where}: expected both algorithms to have the same tasks, got ${x.length} and ${y.length} tasks`);
  }
}

/**
 * Probability that a run of algorithm X scores higher than a run of algorithm Y on a
 * task picked uniformly at random, ties counting ½ — rliable `probability_of_improvement`:
 * per task `U / (n·m)` with `U` the Mann–Whitney statistic of X
 * (`scipy.stats.mannwhitneyu(x, y).statistic`), averaged over tasks.
 *
 * The interval is a stratified *independent* bootstrap: the runs of X and of Y are
 * resampled separately within each task (rliable `StratifiedIndependentBootstrap`).
 *
 * @param x - scores of X, `[task][run]`.
 * @param y - scores of Y on the same tasks in the same order; run counts may differ.
 */
export function probabilityOfImprovement(x: ScoreMatrix, y: ScoreMatrix, options: BootstrapOptions): Interval {
  checkPair(x, y, 'probabilityOfImprovement');
  const { reps, alpha, rng } = resolveOptions(options);
  const tasks = x.length;
  const scalar = [0];
  const [dist] = bootstrapDistributions([...x, ...y], reps, rng, 1, (m) => {
    scalar[0] = averageWinRate(m.slice(0, tasks), m.slice(tasks));
    return scalar;
  });
  return percentileInterval(averageWinRate(x, y), dist as Float64Array, alpha);
}

// ---------------------------------------------------------------------------
// Two-sample comparison
// ---------------------------------------------------------------------------

/** Difference of an aggregate between two algorithms, with its interval. */
export interface Difference extends Interval {
  /** True when the interval excludes 0: the difference is significant at the chosen confidence. */
  readonly significant: boolean;
}

/**
 * Which differences are significant: the stratified-bootstrap percentile interval of
 * `statistic(x) − statistic(y)` (default statistic: {@link aggregateIqm}). X and Y are
 * resampled independently within each task; the difference is called significant when
 * the interval excludes 0.
 *
 * Why a bootstrap interval of the IQM difference rather than a permutation test: it
 * uses the same stratified resampling as every other interval here, it reports the size
 * of the difference with its uncertainty (not only a p-value), and its question —
 * "do the IQMs differ?" — is the one reported, whereas a permutation test's null is that
 * the two score distributions are identical. Caveats: percentile intervals are somewhat
 * too narrow with very few runs (below about 10 per algorithm), and no correction is made
 * for multiple comparisons.
 *
 * For steps-to-threshold, map unsolved runs to the budget first
 * ({@link censorAtBudget}). The IQM ignores the top quarter of the values, so as long as
 * at most `floor(n/4)` of the `n` pooled runs are unsolved, the censored values fall in
 * the trimmed part and the point IQM is exactly the uncensored one (individual bootstrap
 * resamples can still contain more censored runs).
 */
export function bootstrapDifferenceCI(
  x: ScoreMatrix,
  y: ScoreMatrix,
  options: BootstrapOptions & { readonly statistic?: Aggregate },
): Difference {
  checkPair(x, y, 'bootstrapDifferenceCI');
  const statistic = options.statistic ?? aggregateIqm;
  const { reps, alpha, rng } = resolveOptions(options);
  const tasks = x.length;
  const scalar = [0];
  const [dist] = bootstrapDistributions([...x, ...y], reps, rng, 1, (m) => {
    scalar[0] = statistic(m.slice(0, tasks)) - statistic(m.slice(tasks));
    return scalar;
  });
  const interval = percentileInterval(statistic(x) - statistic(y), dist as Float64Array, alpha);
  return { ...interval, significant: interval.lower > 0 || interval.upper < 0 };
}

// ---------------------------------------------------------------------------
// Sample complexity with censoring
// ---------------------------------------------------------------------------

/** One point of a learning curve. */
export interface CurvePoint {
  readonly step: number;
  readonly value: number;
}

/**
 * Sample complexity of one run: the first `step` of the curve whose `value` is at least
 * `threshold`, or `null` when the run never reaches it (unsolved within its budget).
 *
 * @param curve - evaluation points in increasing `step` order (throws otherwise).
 */
export function stepsToThreshold(curve: readonly CurvePoint[], threshold: number): number | null {
  for (let i = 0; i < curve.length; i++) {
    const p = curve[i] as CurvePoint;
    if (i > 0 && p.step < (curve[i - 1] as CurvePoint).step) {
      throw new ConfigError(`stepsToThreshold: expected steps in increasing order, got ${p.step} after ${(curve[i - 1] as CurvePoint).step} at index ${i}`);
    }
    if (p.value >= threshold) return p.step;
  }
  return null;
}

/** Summary of steps-to-threshold over the runs of one algorithm. */
export interface StepsSummary {
  /** Number of runs. */
  readonly runs: number;
  /** Number of runs that reached the threshold. */
  readonly solved: number;
  /** `solved / runs`. */
  readonly fraction: number;
  /** Median steps over solved runs only (`null` when none solved) — optimistic when some runs failed. */
  readonly median: number | null;
  /** 25% and 75% quantiles over solved runs only (numpy linear interpolation), `null` when none solved. */
  readonly quartiles: readonly [number, number] | null;
  /**
   * Kaplan–Meier median with unsolved runs right-censored at the budget: the smallest
   * step `t` at which the estimated fraction of runs still unsolved, S(t), is ≤ ½.
   * `null` when fewer than half of the runs are solved (median not reached within the budget).
   */
  readonly kaplanMeierMedian: number | null;
}

/**
 * Summarises steps-to-threshold results, where `null` marks an unsolved run.
 *
 * The plain median and quartiles use solved runs only, which flatters an algorithm that
 * often fails; `kaplanMeierMedian` instead treats every unsolved run as right-censored at
 * `budget` (it would have needed more than `budget` steps). Since every censoring time
 * is at or after the last solve, the Kaplan–Meier survival curve reduces to
 * S(t) = 1 − #{solved at ≤ t} / runs, computed here with integer counts; the median is
 * the first `t` with S(t) ≤ ½ (the convention of e.g. `lifelines`).
 *
 * @param results - steps-to-threshold per run (`null` = unsolved).
 * @param budget - the step budget each run was given; solved steps must not exceed it.
 */
export function summarizeStepsToThreshold(results: readonly (number | null)[], budget: number): StepsSummary {
  if (results.length === 0) throw new ConfigError('summarizeStepsToThreshold: expected at least one run, got none');
  const solvedSteps: number[] = [];
  for (const [i, r] of results.entries()) {
    if (r === null) continue;
    if (!(r >= 0 && r <= budget)) {
      throw new ConfigError(`summarizeStepsToThreshold: run ${i} solved at step ${r}, outside [0, budget = ${budget}]`);
    }
    solvedSteps.push(r);
  }
  const runs = results.length;
  const solved = solvedSteps.length;
  const s = Float64Array.from(solvedSteps).sort();
  let kaplanMeierMedian: number | null = null;
  // S(t) ≤ ½  ⟺  2·(runs − solved≤t) ≤ runs; the first sorted solve index k satisfying it is the median.
  for (let k = 0; k < solved; k++) {
    if (2 * (runs - (k + 1)) <= runs) {
      kaplanMeierMedian = s[k] as number;
      break;
    }
  }
  return {
    runs,
    solved,
    fraction: solved / runs,
    median: solved > 0 ? sortedQuantile(s, 0.5) : null,
    quartiles: solved > 0 ? [sortedQuantile(s, 0.25), sortedQuantile(s, 0.75)] : null,
    kaplanMeierMedian,
  };
}

/** Replaces unsolved runs (`null`) by `budget`, e.g. to feed {@link bootstrapDifferenceCI}. */
export function censorAtBudget(results: readonly (number | null)[], budget: number): number[] {
  return results.map((r) => r ?? budget);
}
