import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Rng } from '../core/rng.js';
import { registration } from '../envs/registry.js';
import type { RunSummary, TrainEvent } from '../loop/events.js';
import { reportMarkdown } from './report-markdown.js';
import { aggregateIqm, aggregateMean, bootstrapDifferenceCI, censorAtBudget, probabilityOfImprovement, stepsToThreshold, stratifiedBootstrapCI, summarizeStepsToThreshold, type CurvePoint, type Difference, type Interval, type StepsSummary } from './statistics.js';
import { runDir, sweepRuns, type SweepDefinition, type SweepRun } from './sweep.js';

/** `error.json` of a failed run, written by the sweep. */
export interface RunFailure {
  readonly error: string;
  readonly wallSeconds: number;
}

/** Writes a failed run's `error.json`, creating its folder (a child that failed early may have left none); the next sweep retries the run. */
export function writeRunFailure(dir: string, failure: RunFailure): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'error.json'), `${JSON.stringify(failure, null, 2)}\n`);
}

/** One row of `runs.csv`. */
export interface RunRecord {
  readonly algo: string;
  readonly env: string;
  readonly seed: number;
  /** `ok`: finished; `failed`: its child reported an error; `missing`: not run (the sweep was interrupted). */
  readonly status: 'ok' | 'failed' | 'missing';
  readonly finalEval: number | null;
  /** First evaluation step whose deterministic mean return reached the threshold; null if never (or no threshold). */
  readonly stepsToThreshold: number | null;
  /** Whether it reached the threshold; null when the env has no threshold or the run did not finish. */
  readonly solved: boolean | null;
  readonly totalSteps: number | null;
  readonly wallSeconds: number | null;
  readonly error: string | null;
}

/** Statistics of one algorithm on one env over its finished runs. */
export interface CellSummary {
  readonly algo: string;
  readonly env: string;
  readonly runs: number;
  readonly completed: number;
  readonly failed: number;
  readonly threshold: number | null;
  /** IQM of the final evaluation means, with its bootstrap 95% CI (null when no run finished). */
  readonly finalEvalIqm: Interval | null;
  readonly finalEvalMean: Interval | null;
  /** Steps-to-threshold over the finished runs, unsolved runs censored at the budget (null without a threshold). */
  readonly stepsToThreshold: StepsSummary | null;
}

/** Two algorithms compared on one env: X − Y, where X comes first in the sweep's algorithm list. */
export interface PairComparison {
  readonly env: string;
  readonly x: string;
  readonly y: string;
  /** P(final return of a run of X > one of Y), ties counting ½, with its bootstrap 95% CI; null unless both have finished runs. */
  readonly probabilityOfImprovement: Interval | null;
  /** IQM(final return of X) − IQM(final return of Y), with its bootstrap 95% CI; null unless both have finished runs. */
  readonly finalEvalIqmDifference: Difference | null;
  /**
   * IQM(steps to threshold of X) − IQM(… of Y), unsolved runs counted at the env's budget
   * (negative: X gets there sooner); null without a threshold or unless both have finished runs.
   */
  readonly stepsIqmDifference: Difference | null;
}

/** `OUT/summary.json`. */
export interface SweepSummary {
  readonly definition: SweepDefinition;
  /** The `--threshold` the results were computed with; null: each env's registered reward threshold. */
  readonly threshold: ThresholdOption | null;
  /** How the confidence intervals were computed. */
  readonly method: string;
  /** How the pairwise comparisons were computed. */
  readonly comparisonMethod: string;
  readonly runs: { readonly total: number; readonly ok: number; readonly failed: number; readonly missing: number };
  readonly cells: readonly CellSummary[];
  /** Every pair of algorithms on every env. */
  readonly comparisons: readonly PairComparison[];
}

const METHOD =
  'Per algorithm and env (returns of different envs are on different scales, so nothing is aggregated across envs): ' +
  'IQM and mean of the final deterministic evaluation over the finished runs, with 95% percentile intervals of a ' +
  'bootstrap that resamples the runs (stratified bootstrap with the env as the single task; 2000 resamples, seeded). ' +
  'Steps-to-threshold: first evaluation whose mean reaches the threshold; unsolved runs are right-censored at the budget ' +
  '(Kaplan-Meier median). Failed runs are counted but carry no score.';

const COMPARISON_METHOD =
  'Each row compares algorithm X with Y on one env: P(X > Y) is the probability that a run of X ends with a higher final ' +
  'return than a run of Y (ties count half), and each Δ is X − Y of the IQM final return or of the IQM steps-to-threshold ' +
  "(unsolved runs counted at the env's budget). Intervals are 95% percentile bootstrap intervals resampling the runs of X " +
  'and of Y independently (2000 resamples, seeded); "significant" means the interval excludes 0 (with few seeds these ' +
  'intervals are too narrow, and there is no correction for multiple comparisons).';

/** The deterministic-evaluation learning curve of a run, from its `metrics.jsonl`. */
export function evalCurve(dir: string): CurvePoint[] {
  const file = path.join(dir, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  const curve: CurvePoint[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const e = JSON.parse(line) as TrainEvent;
    if (e.type === 'eval') curve.push({ step: e.step, value: e.result.mean });
  }
  return curve;
}

/**
 * A sweep's steps-to-threshold targets: one number for every env, or a number per env id (envs
 * not named fall back to their registered reward threshold).
 */
export type ThresholdOption = number | Readonly<Record<string, number>>;

/** The threshold a sweep uses for `env`: from `threshold` if it gives one, else the env's registered reward threshold. */
export function thresholdFor(env: string, threshold: ThresholdOption | undefined): number | null {
  const given = typeof threshold === 'number' ? threshold : threshold?.[env];
  return given ?? registration(env).rewardThreshold ?? null;
}

/**
 * The step budget of `env` in a sweep: the configured steps, or more when runs overshot it
 * (on-policy rollouts end on whole rollouts). Unsolved runs are censored here.
 */
export function envBudget(def: SweepDefinition, records: readonly RunRecord[], env: string): number {
  return Math.max(def.steps, ...records.filter((r) => r.env === env && r.status === 'ok').map((r) => r.totalSteps ?? 0));
}

function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

/** One record per run of the sweep, read from the run folders. */
export function collectRecords(out: string, def: SweepDefinition, threshold?: ThresholdOption): RunRecord[] {
  return sweepRuns(def).map((run: SweepRun): RunRecord => {
    const dir = runDir(out, run);
    const base = { algo: run.algo, env: run.env, seed: run.seed };
    const summary = readJson<RunSummary>(path.join(dir, 'summary.json'));
    if (summary !== undefined) {
      const t = thresholdFor(run.env, threshold);
      const steps = t === null ? null : stepsToThreshold(evalCurve(dir), t);
      return { ...base, status: 'ok', finalEval: summary.finalEval?.mean ?? null, stepsToThreshold: steps, solved: t === null ? null : steps !== null, totalSteps: summary.totalSteps, wallSeconds: summary.wallSeconds, error: null };
    }
    const failure = readJson<RunFailure>(path.join(dir, 'error.json'));
    return { ...base, status: failure !== undefined ? 'failed' : 'missing', finalEval: null, stepsToThreshold: null, solved: null, totalSteps: null, wallSeconds: failure?.wallSeconds ?? null, error: failure?.error ?? null };
  });
}

/** Per (algo, env) statistics of the records. */
export function summarize(def: SweepDefinition, records: readonly RunRecord[], threshold?: ThresholdOption): SweepSummary {
  const cells: CellSummary[] = [];
  for (const algo of def.algos) {
    for (const env of def.envs) {
      const mine = records.filter((r) => r.algo === algo && r.env === env);
      const ok = mine.filter((r) => r.status === 'ok' && r.finalEval !== null);
      const scores = [ok.map((r) => r.finalEval as number)];
      const t = thresholdFor(env, threshold);
      const budget = Math.max(def.steps, ...ok.map((r) => r.totalSteps ?? 0));
      const rng = new Rng(`bench/${algo}/${env}`);
      cells.push({
        algo,
        env,
        runs: mine.length,
        completed: ok.length,
        failed: mine.filter((r) => r.status === 'failed').length,
        threshold: t,
        finalEvalIqm: ok.length > 0 ? stratifiedBootstrapCI(scores, aggregateIqm, { rng: rng.split('iqm') }) : null,
        finalEvalMean: ok.length > 0 ? stratifiedBootstrapCI(scores, aggregateMean, { rng: rng.split('mean') }) : null,
        stepsToThreshold: t !== null && ok.length > 0 ? summarizeStepsToThreshold(ok.map((r) => r.stepsToThreshold), budget) : null,
      });
    }
  }
  const count = (s: RunRecord['status']) => records.filter((r) => r.status === s).length;
  return {
    definition: def,
    threshold: threshold ?? null,
    method: METHOD,
    comparisonMethod: COMPARISON_METHOD,
    runs: { total: records.length, ok: count('ok'), failed: count('failed'), missing: count('missing') },
    cells,
    comparisons: compareAlgorithms(def, records, threshold),
  };
}

/** Every pair of algorithms on every env: probability of improvement and significance of the IQM differences. */
export function compareAlgorithms(def: SweepDefinition, records: readonly RunRecord[], threshold?: ThresholdOption): PairComparison[] {
  const out: PairComparison[] = [];
  for (const env of def.envs) {
    const t = thresholdFor(env, threshold);
    const budget = envBudget(def, records, env);
    const finished = (algo: string) => records.filter((r) => r.algo === algo && r.env === env && r.status === 'ok' && r.finalEval !== null);
    for (const [i, x] of def.algos.entries()) {
      for (const y of def.algos.slice(i + 1)) {
        const xs = finished(x);
        const ys = finished(y);
        const rng = new Rng(`bench/compare/${env}/${x}/${y}`);
        if (xs.length === 0 || ys.length === 0) {
          out.push({ env, x, y, probabilityOfImprovement: null, finalEvalIqmDifference: null, stepsIqmDifference: null });
          continue;
        }
        const returns = (rs: RunRecord[]) => [rs.map((r) => r.finalEval as number)];
        const steps = (rs: RunRecord[]) => [censorAtBudget(rs.map((r) => r.stepsToThreshold), budget)];
        out.push({
          env,
          x,
          y,
          probabilityOfImprovement: probabilityOfImprovement(returns(xs), returns(ys), { rng: rng.split('poi') }),
          finalEvalIqmDifference: bootstrapDifferenceCI(returns(xs), returns(ys), { rng: rng.split('return') }),
          stepsIqmDifference: t === null ? null : bootstrapDifferenceCI(steps(xs), steps(ys), { rng: rng.split('steps') }),
        });
      }
    }
  }
  return out;
}

const csvCell = (v: string | number | boolean | null): string => {
  if (v === null) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const RUNS_COLUMNS = ['algo', 'env', 'seed', 'status', 'final_eval_mean', 'steps_to_threshold', 'solved', 'total_steps', 'wall_seconds', 'error'] as const;

/** `runs.csv`: one row per run. */
export function runsCsv(records: readonly RunRecord[]): string {
  const rows = records.map((r) => [r.algo, r.env, r.seed, r.status, r.finalEval, r.stepsToThreshold, r.solved, r.totalSteps, r.wallSeconds === null ? null : Number(r.wallSeconds.toFixed(3)), r.error].map(csvCell).join(','));
  return `${RUNS_COLUMNS.join(',')}\n${rows.map((r) => `${r}\n`).join('')}`;
}

// It lived here before the report grew plots; kept importable from here.
export { reportMarkdown } from './report-markdown.js';

/**
 * Writes `runs.csv`, `summary.json` and `report.md` (tables only) into the sweep folder; the
 * plots are drawn by `writePlotsAndReport` / `writeReport` (report.ts), which are asynchronous.
 */
export function writeResults(out: string, def: SweepDefinition, threshold?: ThresholdOption): { records: RunRecord[]; summary: SweepSummary } {
  const records = collectRecords(out, def, threshold);
  const summary = summarize(def, records, threshold);
  writeFileSync(path.join(out, 'runs.csv'), runsCsv(records));
  writeFileSync(path.join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(path.join(out, 'report.md'), reportMarkdown(summary, records));
  return { records, summary };
}
