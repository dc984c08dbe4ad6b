import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Rng } from '../core/rng.js';
import { registration } from '../envs/registry.js';
import type { RunSummary, TrainEvent } from '../loop/events.js';
import { aggregateIqm, aggregateMean, stepsToThreshold, stratifiedBootstrapCI, summarizeStepsToThreshold, type CurvePoint, type Interval, type StepsSummary } from './statistics.js';
import { runDir, sweepRuns, type SweepDefinition, type SweepRun } from './sweep.js';

/** `error.json` of a failed run, written by the sweep. */
export interface RunFailure {
  readonly error: string;
  readonly wallSeconds: number;
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

/** `OUT/summary.json`. */
export interface SweepSummary {
  readonly definition: SweepDefinition;
  /** How the confidence intervals were computed. */
  readonly method: string;
  readonly runs: { readonly total: number; readonly ok: number; readonly failed: number; readonly missing: number };
  readonly cells: readonly CellSummary[];
}

const METHOD =
  'Per algorithm and env (returns of different envs are on different scales, so nothing is aggregated across envs): ' +
  'IQM and mean of the final deterministic evaluation over the finished runs, with 95% percentile intervals of a ' +
  'bootstrap that resamples the runs (stratified bootstrap with the env as the single task; 2000 resamples, seeded). ' +
  'Steps-to-threshold: first evaluation whose mean reaches the threshold; unsolved runs are right-censored at the budget ' +
  '(Kaplan-Meier median). Failed runs are counted but carry no score.';

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

/** The threshold a sweep uses for `env`: `threshold` if given, else the env's registered reward threshold. */
export function thresholdFor(env: string, threshold: number | undefined): number | null {
  return threshold ?? registration(env).rewardThreshold ?? null;
}

function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

/** One record per run of the sweep, read from the run folders. */
export function collectRecords(out: string, def: SweepDefinition, threshold?: number): RunRecord[] {
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
export function summarize(def: SweepDefinition, records: readonly RunRecord[], threshold?: number): SweepSummary {
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
  return { definition: def, method: METHOD, runs: { total: records.length, ok: count('ok'), failed: count('failed'), missing: count('missing') }, cells };
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

const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(3));
const ci = (i: Interval | null) => (i === null ? '–' : `${num(i.point)} [${num(i.lower)}, ${num(i.upper)}]`);
const steps = (x: number | null | undefined) => (x === null || x === undefined ? '–' : String(x));

/** `report.md`: the summary's tables, one per env, and the failed runs. */
export function reportMarkdown(summary: SweepSummary, records: readonly RunRecord[]): string {
  const d = summary.definition;
  const lines = [
    '# Benchmark report',
    '',
    `${d.algos.join(', ')} on ${d.envs.join(', ')}; ${d.seeds} seed(s) each, ${d.steps} steps, evaluation every ${d.evalEvery} steps (${d.evalEpisodes} deterministic episodes).`,
    `Runs: ${summary.runs.ok} finished, ${summary.runs.failed} failed, ${summary.runs.missing} not run, of ${summary.runs.total}.`,
    '',
    `_${summary.method}_`,
  ];
  for (const env of d.envs) {
    const cells = summary.cells.filter((c) => c.env === env);
    const t = cells[0]?.threshold ?? null;
    lines.push('', `## ${env}${t === null ? ' (no threshold)' : ` (threshold ${t})`}`, '');
    lines.push('| algo | runs (ok / failed) | final eval IQM [95% CI] | final eval mean [95% CI] | solved | median steps (solved) | KM median steps |', '|---|---|---|---|---|---|---|');
    for (const c of cells) {
      const s = c.stepsToThreshold;
      lines.push(`| ${c.algo} | ${c.completed} / ${c.failed} | ${ci(c.finalEvalIqm)} | ${ci(c.finalEvalMean)} | ${s === null ? '–' : `${s.solved}/${s.runs}`} | ${steps(s?.median)} | ${steps(s?.kaplanMeierMedian)} |`);
    }
  }
  const failed = records.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    lines.push('', '## Failed runs', '', 'Rerun the same command to retry them.', '');
    for (const r of failed) lines.push(`- ${r.algo} on ${r.env}, seed ${r.seed}: ${r.error ?? 'unknown error'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes `runs.csv`, `summary.json` and `report.md` into the sweep folder. */
export function writeResults(out: string, def: SweepDefinition, threshold?: number): { records: RunRecord[]; summary: SweepSummary } {
  const records = collectRecords(out, def, threshold);
  const summary = summarize(def, records, threshold);
  writeFileSync(path.join(out, 'runs.csv'), runsCsv(records));
  writeFileSync(path.join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(path.join(out, 'report.md'), reportMarkdown(summary, records));
  return { records, summary };
}
