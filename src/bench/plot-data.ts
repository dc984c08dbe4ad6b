/**
 * The numbers behind the benchmark plots: pure functions from run records and learning
 * curves to the rows each chart draws. Every bootstrap is seeded from the algorithm and env
 * names, so the same sweep always gives the same rows.
 *
 * @module
 */

import { Rng } from '../core/rng.js';
import type { RunRecord } from './results.js';
import { aggregateIqm, performanceProfile, stratifiedBootstrapCI, type CurvePoint } from './statistics.js';

/** The evaluation learning curve of one finished run. */
export interface RunCurve {
  readonly algo: string;
  readonly env: string;
  readonly seed: number;
  /** Evaluation points in increasing step order. */
  readonly curve: readonly CurvePoint[];
}

/** One point of an IQM learning curve with its bootstrap band. */
export interface CurveBandRow {
  readonly algo: string;
  readonly env: string;
  readonly step: number;
  /** IQM over the runs of the latest evaluation return at or before `step`. */
  readonly iqm: number;
  readonly lower: number;
  readonly upper: number;
  /** Runs contributing to this point. */
  readonly runs: number;
}

/** Options of the bootstrap behind the bands. */
export interface BandOptions {
  /** Bootstrap resamples (default 2000). */
  readonly reps?: number;
}

/** The latest value of `curve` at or before `step` (curves are step-sorted), or undefined before its first point. */
function valueAt(curve: readonly CurvePoint[], step: number): number | undefined {
  let value: number | undefined;
  for (const p of curve) {
    if (p.step > step) break;
    value = p.value;
  }
  return value;
}

/**
 * IQM learning curves with 95% stratified-bootstrap bands (the env is the single task, so
 * the runs are resampled), one series per (algo, env).
 *
 * Runs of one algorithm usually evaluate at the same steps; when they do not (different
 * rollout sizes, a run that ended early), each point of the series is a step at which some
 * run evaluated, and every run contributes its latest evaluation at or before that step.
 */
export function learningCurveRows(curves: readonly RunCurve[], options: BandOptions = {}): CurveBandRow[] {
  const groups = new Map<string, RunCurve[]>();
  for (const c of curves) {
    if (c.curve.length === 0) continue;
    const key = JSON.stringify([c.algo, c.env]);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const rows: CurveBandRow[] = [];
  for (const runs of groups.values()) {
    const { algo, env } = runs[0] as RunCurve;
    const steps = [...new Set(runs.flatMap((r) => r.curve.map((p) => p.step)))].sort((a, b) => a - b);
    const rng = new Rng(`bench/curve/${algo}/${env}`);
    for (const step of steps) {
      const values = runs.map((r) => valueAt(r.curve, step)).filter((v): v is number => v !== undefined);
      if (values.length === 0) continue;
      const ci = stratifiedBootstrapCI([values], aggregateIqm, { rng: rng.split(step), ...(options.reps !== undefined ? { reps: options.reps } : {}) });
      rows.push({ algo, env, step, iqm: ci.point, lower: ci.lower, upper: ci.upper, runs: values.length });
    }
  }
  return rows;
}

/** One run in the sample-complexity plot. */
export interface SampleComplexityRow {
  readonly algo: string;
  readonly env: string;
  readonly seed: number;
  /** The axis label of the algorithm: `ppo (2/3 solved)`. */
  readonly label: string;
  /** Steps to threshold, or the budget for an unsolved (right-censored) run. */
  readonly steps: number;
  readonly solved: boolean;
  /** Vertical offset within the algorithm's band, in [−0.5, 0.5], so runs with equal steps stay visible. */
  readonly jitter: number;
}

/** The Kaplan–Meier median of one algorithm's steps to threshold, as drawn. */
export interface MedianRow {
  readonly algo: string;
  readonly env: string;
  readonly label: string;
  readonly steps: number;
}

/** `ppo (2/3 solved)`: the algorithm's label on the sample-complexity axis. */
export const solvedLabel = (algo: string, solved: number, runs: number): string => `${algo} (${solved}/${runs} solved)`;

/**
 * Steps to threshold per finished run of `env`, unsolved runs censored at `budget`, labelled
 * with each algorithm's fraction solved. Runs without a threshold verdict (no threshold, or
 * not finished) are left out.
 */
export function sampleComplexityRows(records: readonly RunRecord[], env: string, algos: readonly string[], budget: number): SampleComplexityRow[] {
  const rows: SampleComplexityRow[] = [];
  for (const algo of algos) {
    const mine = records.filter((r) => r.algo === algo && r.env === env && r.status === 'ok' && r.solved !== null);
    const label = solvedLabel(algo, mine.filter((r) => r.solved === true).length, mine.length);
    mine.forEach((r, i) => {
      const solved = r.solved === true && r.stepsToThreshold !== null;
      // Spread the seeds evenly over the middle 70% of the band: deterministic, unlike random jitter.
      const jitter = mine.length === 1 ? 0 : 0.7 * (i / (mine.length - 1) - 0.5);
      rows.push({ algo, env, seed: r.seed, label, steps: solved ? (r.stepsToThreshold as number) : budget, solved, jitter });
    });
  }
  return rows;
}

/** One finished run's final return, min–max normalised over all finished runs of its env. */
export interface NormalizedScore {
  readonly algo: string;
  readonly env: string;
  readonly seed: number;
  readonly score: number;
  /** In [0, 1]: 0 is the env's worst final return in the sweep, 1 its best. */
  readonly normalized: number;
}

/**
 * Normalises the final evaluation returns per env: `(score − min) / (max − min)` over every
 * finished run of that env, all algorithms together, so scores of different envs become
 * comparable. When all runs of an env score the same, each gets 1 (none is worse than the best).
 */
export function normalizeScores(records: readonly RunRecord[]): NormalizedScore[] {
  const ok = records.filter((r) => r.status === 'ok' && r.finalEval !== null);
  const out: NormalizedScore[] = [];
  for (const env of [...new Set(ok.map((r) => r.env))]) {
    const mine = ok.filter((r) => r.env === env);
    const scores = mine.map((r) => r.finalEval as number);
    const lo = Math.min(...scores);
    const hi = Math.max(...scores);
    for (const r of mine) {
      const score = r.finalEval as number;
      out.push({ algo: r.algo, env, seed: r.seed, score, normalized: hi > lo ? (score - lo) / (hi - lo) : 1 });
    }
  }
  return out;
}

/** One point of an algorithm's performance profile. */
export interface ProfileRow {
  readonly algo: string;
  readonly tau: number;
  /** Fraction of runs with normalised score > τ, with its 95% bootstrap band. */
  readonly fraction: number;
  readonly lower: number;
  readonly upper: number;
}

/** Options of {@link performanceProfileRows}. */
export interface ProfileOptions extends BandOptions {
  /** Number of τ values, evenly spaced over [0, 1] (default 101). */
  readonly points?: number;
}

/**
 * Performance profiles of the normalised scores, one per algorithm, each pooling its runs of
 * every env; the 95% band comes from a bootstrap stratified by env. Algorithms without a
 * finished run are left out.
 */
export function performanceProfileRows(scores: readonly NormalizedScore[], algos: readonly string[], options: ProfileOptions = {}): ProfileRow[] {
  const points = options.points ?? 101;
  const taus = Array.from({ length: points }, (_, i) => i / (points - 1));
  const rows: ProfileRow[] = [];
  for (const algo of algos) {
    const mine = scores.filter((s) => s.algo === algo);
    const envs = [...new Set(mine.map((s) => s.env))];
    if (envs.length === 0) continue;
    const matrix = envs.map((env) => mine.filter((s) => s.env === env).map((s) => s.normalized));
    const profile = performanceProfile(matrix, taus, { rng: new Rng(`bench/profile/${algo}`), ...(options.reps !== undefined ? { reps: options.reps } : {}) });
    for (const p of profile) rows.push({ algo, tau: p.tau, fraction: p.point, lower: p.lower, upper: p.upper });
  }
  return rows;
}
