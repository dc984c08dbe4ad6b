/**
 * The complete results of a sweep folder: `runs.csv`, `summary.json`, the plots in `plots/`
 * and `report.md` embedding them. Works on a finished (or partly finished) sweep without
 * running anything, so a report can be redrawn at any time.
 *
 * @module
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../core/errors.js';
import type { RunCurve } from './plot-data.js';
import { buildPlots } from './plot-specs.js';
import { writePlots, type PlotFile } from './plots.js';
import { reportMarkdown } from './report-markdown.js';
import { evalCurve, writeResults, type RunRecord, type SweepSummary, type ThresholdOption } from './results.js';
import { runDir, sweepRuns, SWEEP_FILE, type SweepDefinition } from './sweep.js';

/** Options of {@link writeReport}. */
export interface ReportOptions {
  /**
   * Steps-to-threshold target for every env, or per env id. Default: the one the folder's
   * `summary.json` was computed with, else each env's registered reward threshold.
   */
  readonly threshold?: ThresholdOption;
  /** Bootstrap resamples of the plots' bands (default 2000). */
  readonly reps?: number;
}

/** What {@link writeReport} wrote. */
export interface ReportResult {
  readonly records: readonly RunRecord[];
  readonly summary: SweepSummary;
  readonly plots: readonly PlotFile[];
}

/** The definition recorded in `OUT/sweep.json`; a ConfigError when `out` is not a sweep folder. */
export function readSweepDefinition(out: string): SweepDefinition {
  const file = path.join(out, SWEEP_FILE);
  if (!existsSync(file)) throw new ConfigError(`bench-report: ${out} holds no ${SWEEP_FILE}; expected a folder written by rxrl bench`);
  let o: Partial<Record<keyof SweepDefinition, unknown>>;
  try {
    o = JSON.parse(readFileSync(file, 'utf8')) as typeof o;
  } catch (err) {
    throw new ConfigError(`${file} is not readable JSON: ${(err as Error).message}`);
  }
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  const { algos, envs, seeds, steps, evalEvery, evalEpisodes } = o;
  if (!strings(algos) || !strings(envs) || typeof seeds !== 'number' || typeof steps !== 'number' || typeof evalEvery !== 'number' || typeof evalEpisodes !== 'number') {
    throw new ConfigError(`${file} is not an rxrl sweep definition`);
  }
  return { algos, envs, seeds, steps, evalEvery, evalEpisodes };
}

/** The `--threshold` an earlier `summary.json` of the folder was computed with (undefined: none, or env defaults). */
function recordedThreshold(out: string): ThresholdOption | undefined {
  const file = path.join(out, 'summary.json');
  if (!existsSync(file)) return undefined;
  try {
    const t = (JSON.parse(readFileSync(file, 'utf8')) as { threshold?: unknown }).threshold;
    if (typeof t === 'number') return t;
    if (t !== null && typeof t === 'object' && Object.values(t).every((v) => typeof v === 'number')) return t as Record<string, number>;
    return undefined;
  } catch {
    return undefined; // a damaged summary.json is rewritten below anyway
  }
}

/** The evaluation curves of the finished runs. */
export function runCurves(out: string, def: SweepDefinition, records: readonly RunRecord[]): RunCurve[] {
  return sweepRuns(def)
    .filter((run) => records.some((r) => r.algo === run.algo && r.env === run.env && r.seed === run.seed && r.status === 'ok'))
    .map((run) => ({ algo: run.algo, env: run.env, seed: run.seed, curve: evalCurve(runDir(out, run)) }));
}

/**
 * Draws the plots of computed results into `OUT/plots/` and rewrites `OUT/report.md` with
 * them embedded. Returns the plot files, relative to `out`.
 */
export async function writePlotsAndReport(out: string, records: readonly RunRecord[], summary: SweepSummary, options: Pick<ReportOptions, 'reps'> = {}): Promise<PlotFile[]> {
  const curves = runCurves(out, summary.definition, records);
  const plots = await writePlots(out, buildPlots({ summary, records, curves, ...(options.reps !== undefined ? { reps: options.reps } : {}) }));
  writeFileSync(path.join(out, 'report.md'), reportMarkdown(summary, records, plots));
  return plots;
}

/**
 * Recomputes every result of the sweep folder `out` from its run folders, without running
 * anything: `runs.csv`, `summary.json`, `plots/*.{svg,png}` and `report.md`. The tables are
 * written before the plots are drawn, so they survive a rendering failure.
 */
export async function writeReport(out: string, options: ReportOptions = {}): Promise<ReportResult> {
  const def = readSweepDefinition(out);
  const threshold = options.threshold ?? recordedThreshold(out);
  const { records, summary } = writeResults(out, def, threshold);
  const plots = await writePlotsAndReport(out, records, summary, options);
  return { records, summary, plots };
}
