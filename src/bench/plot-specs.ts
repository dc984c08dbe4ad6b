/**
 * Vega-Lite specifications of the benchmark plots. Pure: data in, spec out (the data is
 * inlined in the spec), so the specs can be tested without rendering them.
 *
 * @module
 */

import type { Config, TopLevelSpec } from 'vega-lite';
import { learningCurveRows, normalizeScores, performanceProfileRows, sampleComplexityRows, type CurveBandRow, type MedianRow, type ProfileRow, type RunCurve, type SampleComplexityRow } from './plot-data.js';
import { envBudget, type RunRecord, type SweepSummary } from './results.js';

/** What a plot shows. */
export type PlotKind = 'learning-curve' | 'sample-complexity' | 'performance-profile';

/** One plot of a sweep, ready to render. */
export interface PlotSpec {
  readonly kind: PlotKind;
  /** The env it is about; null for the cross-env performance profile. */
  readonly env: string | null;
  /** File name without extension, safe on every file system: `learning-curve-CartPole-v1`. */
  readonly name: string;
  /** Alt text / caption. */
  readonly title: string;
  readonly spec: TopLevelSpec;
}

/** What the plots are drawn from. */
export interface PlotInput {
  readonly summary: SweepSummary;
  readonly records: readonly RunRecord[];
  /** Evaluation curves of the finished runs. */
  readonly curves: readonly RunCurve[];
  /** Bootstrap resamples for the bands (default 2000). */
  readonly reps?: number;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** DejaVu Sans first: it is what the PNG renderer finds on Debian; viewers of the SVG fall back to their sans-serif. */
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const WIDTH = 680;
const HEIGHT = 340;

const CONFIG: Config = {
  font: FONT,
  background: 'white',
  padding: 16,
  title: { fontSize: 19, subtitleFontSize: 13, subtitleColor: '#444', anchor: 'start', offset: 14, subtitlePadding: 6 },
  axis: { labelFontSize: 13, titleFontSize: 14, titlePadding: 10, titleFontWeight: 'normal', gridColor: '#e8e8e8', domainColor: '#888', tickColor: '#888' },
  legend: { labelFontSize: 13, titleFontSize: 14, titleFontWeight: 'normal', symbolSize: 180, symbolStrokeWidth: 2.5, labelLimit: 400, titleLimit: 400 },
  view: { stroke: '#ccc' },
};

/** Replaces characters that are not portable in file names (env ids may hold `/` or `:`). */
export const fileSafe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_');

/** The same colour for an algorithm in every plot: the domain is the sweep's algorithm order. */
const algoColor = (algos: readonly string[]) => ({
  field: 'algo',
  type: 'nominal' as const,
  title: 'algorithm',
  scale: { domain: [...algos], scheme: 'tableau10' },
  // Opaque legend symbols: the translucent band layer would otherwise set their opacity.
  legend: { symbolOpacity: 1 },
});

/** 20k rather than 20,000; but 0 rather than d3's "0k". */
const stepsAxis = { labelExpr: "datum.value === 0 ? '0' : format(datum.value, '~s')", labelFlush: false, tickCount: 10 } as const;

/** Learning curves of one env: IQM line and 95% CI band per algorithm, the threshold as a dashed rule. */
export function learningCurveSpec(env: string, rows: readonly CurveBandRow[], options: { algos: readonly string[]; seeds: number; evalEpisodes: number; threshold: number | null }): TopLevelSpec {
  const color = algoColor(options.algos);
  const x = { field: 'step', type: 'quantitative' as const, title: 'environment steps', axis: stepsAxis };
  const thresholdLayers =
    options.threshold === null
      ? []
      : [
          { data: { values: [{ threshold: options.threshold }] }, mark: { type: 'rule' as const, strokeDash: [6, 4], color: '#666', strokeWidth: 1.5 }, encoding: { y: { field: 'threshold', type: 'quantitative' as const } } },
          {
            data: { values: [{ threshold: options.threshold, label: `threshold ${options.threshold}` }] },
            mark: { type: 'text' as const, align: 'left' as const, baseline: 'bottom' as const, dx: 4, dy: -3, fontSize: 12, color: '#555' },
            encoding: { y: { field: 'threshold', type: 'quantitative' as const }, x: { datum: 0 }, text: { field: 'label' } },
          },
        ];
  return {
    $schema: SCHEMA,
    config: CONFIG,
    width: WIDTH,
    height: HEIGHT,
    title: {
      text: `Learning curves on ${env}`,
      // Short lines: without a canvas, Vega estimates text widths generously and would widen the chart for a long one.
      subtitle: [`Line: IQM over ${options.seeds} seed(s) of the deterministic evaluation return`, `(mean of ${options.evalEpisodes} episodes). Band: 95% bootstrap confidence interval.`],
    },
    data: { values: rows.map((r) => ({ ...r })) },
    layer: [
      // The legend comes from the shared colour scale; a `legend: null` in any layer would remove it.
      { mark: { type: 'area', opacity: 0.18 }, encoding: { x, y: { field: 'lower', type: 'quantitative', title: 'evaluation return (IQM over seeds)', scale: { zero: false } }, y2: { field: 'upper' }, color } },
      { mark: { type: 'line', strokeWidth: 2.5, point: { size: 40 } }, encoding: { x, y: { field: 'iqm', type: 'quantitative' }, color } },
      ...thresholdLayers,
    ],
  };
}

const SOLVED = 'solved';
const CENSORED = 'not solved: censored at budget';

/** Steps to threshold of one env: a marker per seed, hollow at the budget when unsolved, and the Kaplan–Meier median. */
export function sampleComplexitySpec(env: string, rows: readonly SampleComplexityRow[], medians: readonly MedianRow[], options: { algos: readonly string[]; labels: readonly string[]; threshold: number; budget: number }): TopLevelSpec {
  const y = { field: 'label', type: 'nominal' as const, title: null, sort: [...options.labels], axis: { labelFontSize: 14, labelPadding: 8, labelLimit: 400 } };
  const x = { field: 'steps', type: 'quantitative' as const, title: `environment steps until the evaluation return first reaches ${options.threshold}`, scale: { domain: [0, options.budget * 1.04], nice: false }, axis: stepsAxis };
  const color = { ...algoColor(options.algos), legend: null };
  // The legend draws its own symbols: fill them like the markers (hollow when censored).
  const legendSymbols = { fill: { condition: { test: `datum.value === '${SOLVED}'`, value: '#555' }, value: 'white' }, stroke: { value: '#555' }, strokeWidth: { value: 2.5 }, opacity: { value: 1 }, fillOpacity: { value: 1 } };
  const shape = {
    field: 'outcome',
    type: 'nominal' as const,
    title: 'run (one per seed)',
    scale: { domain: [SOLVED, CENSORED], range: ['circle', 'triangle-right'] },
    legend: { orient: 'bottom' as const, direction: 'horizontal' as const, encoding: { symbols: legendSymbols } },
  };
  const yOffset = { field: 'jitter', type: 'quantitative' as const, scale: { domain: [-0.5, 0.5] } };
  const points = (solved: boolean) => ({
    transform: [{ filter: solved ? 'datum.solved' : '!datum.solved' }],
    mark: { type: 'point' as const, filled: solved, size: 170, strokeWidth: 2.5, opacity: 0.9 },
    encoding: { x, y, yOffset, color, shape },
  });
  return {
    $schema: SCHEMA,
    config: CONFIG,
    width: WIDTH,
    height: Math.max(220, 90 * options.labels.length),
    title: {
      text: `Steps to threshold on ${env}`,
      subtitle: [`One marker per seed. Filled circle: its first evaluation at or above ${options.threshold}.`, 'Hollow triangle: not reached within the budget (censored). Black bar: Kaplan–Meier median.'],
    },
    data: { values: rows.map((r) => ({ ...r, outcome: r.solved ? SOLVED : CENSORED })) },
    layer: [
      { data: { values: [{ budget: options.budget }] }, mark: { type: 'rule', strokeDash: [6, 4], color: '#888', strokeWidth: 1.5 }, encoding: { x: { field: 'budget', type: 'quantitative' } } },
      {
        data: { values: [{ budget: options.budget, label: `budget ${options.budget}` }] },
        mark: { type: 'text', align: 'right', baseline: 'top', dx: -4, dy: 4, fontSize: 12, color: '#555' },
        encoding: { x: { field: 'budget', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
      },
      points(true),
      points(false),
      // yOffset 0 puts the bar at the middle of the band, where the markers spread around.
      { data: { values: medians.map((m) => ({ ...m })) }, mark: { type: 'tick', color: '#111', thickness: 3, size: 56 }, encoding: { x: { field: 'steps', type: 'quantitative' }, y, yOffset: { datum: 0, type: 'quantitative', scale: { domain: [-0.5, 0.5] } } } },
    ],
  };
}

/** Performance profiles of the normalised final returns, one curve and band per algorithm. */
export function performanceProfileSpec(rows: readonly ProfileRow[], options: { algos: readonly string[]; envs: readonly string[] }): TopLevelSpec {
  const color = algoColor(options.algos);
  const x = { field: 'tau', type: 'quantitative' as const, title: 'normalised final return τ (0 = worst, 1 = best run of the env)', scale: { domain: [0, 1] }, axis: { format: '.1f' } };
  const envs = options.envs.length === 1 ? (options.envs[0] as string) : `${options.envs.length} envs pooled`;
  return {
    $schema: SCHEMA,
    config: CONFIG,
    width: WIDTH,
    height: HEIGHT,
    title: {
      text: `Performance profile (${envs})`,
      subtitle: ['Fraction of runs whose final return, min–max normalised over all runs', 'of its env, exceeds τ. Band: 95% bootstrap confidence interval.'],
    },
    data: { values: rows.map((r) => ({ ...r })) },
    layer: [
      { mark: { type: 'area', opacity: 0.18, interpolate: 'step-after' }, encoding: { x, y: { field: 'lower', type: 'quantitative', title: 'fraction of runs with score > τ', scale: { domain: [0, 1] } }, y2: { field: 'upper' }, color } },
      { mark: { type: 'line', strokeWidth: 2.5, interpolate: 'step-after' }, encoding: { x, y: { field: 'fraction', type: 'quantitative' }, color } },
    ],
  };
}

/**
 * Every plot of a sweep: per env its learning curves and (when it has a threshold) its
 * steps-to-threshold plot, then one performance profile over all envs. Envs without a
 * finished run get no plot.
 */
export function buildPlots(input: PlotInput): PlotSpec[] {
  const def = input.summary.definition;
  const band = input.reps !== undefined ? { reps: input.reps } : {};
  const curveRows = learningCurveRows(input.curves, band);
  const plots: PlotSpec[] = [];
  for (const env of def.envs) {
    const rows = curveRows.filter((r) => r.env === env);
    const cells = input.summary.cells.filter((c) => c.env === env);
    const threshold = cells[0]?.threshold ?? null;
    if (rows.length > 0) {
      plots.push({ kind: 'learning-curve', env, name: `learning-curve-${fileSafe(env)}`, title: `Learning curves on ${env}`, spec: learningCurveSpec(env, rows, { algos: def.algos, seeds: def.seeds, evalEpisodes: def.evalEpisodes, threshold }) });
    }
    if (threshold === null) continue;
    const budget = envBudget(def, input.records, env);
    const steps = sampleComplexityRows(input.records, env, def.algos, budget);
    if (steps.length === 0) continue;
    const labels = [...new Set(steps.map((r) => r.label))];
    const medians: MedianRow[] = cells.flatMap((c) => {
      const km = c.stepsToThreshold?.kaplanMeierMedian ?? null;
      const label = steps.find((r) => r.algo === c.algo)?.label;
      return km === null || label === undefined ? [] : [{ algo: c.algo, env, label, steps: km }];
    });
    plots.push({ kind: 'sample-complexity', env, name: `sample-complexity-${fileSafe(env)}`, title: `Steps to threshold on ${env}`, spec: sampleComplexitySpec(env, steps, medians, { algos: def.algos, labels, threshold, budget }) });
  }
  const scores = normalizeScores(input.records);
  if (scores.length > 0) {
    const envs = def.envs.filter((e) => scores.some((s) => s.env === e));
    plots.push({ kind: 'performance-profile', env: null, name: 'performance-profile', title: 'Performance profile', spec: performanceProfileSpec(performanceProfileRows(scores, def.algos, band), { algos: def.algos, envs }) });
  }
  return plots;
}
