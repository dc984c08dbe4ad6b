/**
 * The Vega-Lite figure of `rxrl dataset inspect`: the histogram of episode returns (normalised
 * scores when references are known) beside the per-dimension ranges of states and actions.
 * Pure: report in, spec out; rendering goes through the benchmark plots' renderer
 * (`bench/plots.ts`).
 *
 * @module
 */

import type { TopLevelSpec } from 'vega-lite';
import { normalizedScore } from './scores.js';
import type { DatasetReport } from './inspect.js';
import type { DimensionStatistics } from './statistics.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/** The benchmark plots' font stack (DejaVu Sans is what resvg finds on Debian). */
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

interface RangeRow {
  readonly group: string;
  readonly dim: string;
  readonly min: number;
  readonly p5: number;
  readonly mean: number;
  readonly p95: number;
  readonly max: number;
}

function rangeRows(group: string, dims: readonly DimensionStatistics[]): RangeRow[] {
  return dims.map((d, j) => ({ group, dim: `${group} ${j}`, min: d.min, p5: d.p5, mean: d.mean, p95: d.p95, max: d.max }));
}

/** The inspect figure for a report; `title` names the file. */
export function datasetPlotSpec(report: DatasetReport, title: string): TopLevelSpec {
  const ref = report.normalized?.reference;
  const values = Array.from(report.episodeReturns, (r) => ({ value: ref === undefined ? r : normalizedScore(r, ref) }));
  const xTitle = ref === undefined ? 'episode return' : 'normalised score (0 random, 100 expert)';
  const ranges = [...rangeRows('state', report.observations), ...(report.discrete ? [] : rangeRows('action', report.actions))];
  const rowHeight = 16;
  return {
    $schema: SCHEMA,
    title: { text: title, subtitle: `${report.size} transitions, ${report.episodes.count} episodes, mean return ${report.returns.mean.toFixed(1)}` },
    config: {
      font: FONT,
      background: 'white',
      padding: 16,
      title: { fontSize: 17, subtitleFontSize: 12, subtitleColor: '#444', anchor: 'start', offset: 12 },
      axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', gridColor: '#e8e8e8', domainColor: '#888', tickColor: '#888' },
      view: { stroke: '#ccc' },
    },
    hconcat: [
      {
        title: { text: 'episode returns', fontSize: 14 },
        width: 380,
        height: 280,
        data: { values },
        mark: { type: 'bar', color: '#4e79a7' },
        encoding: {
          x: { field: 'value', type: 'quantitative', bin: { maxbins: 40 }, title: xTitle },
          y: { aggregate: 'count', type: 'quantitative', title: 'episodes' },
        },
      },
      {
        title: { text: 'state and action ranges (min–max, p5–p95, mean)', fontSize: 14 },
        width: 320,
        height: Math.max(120, rowHeight * ranges.length),
        data: { values: ranges },
        encoding: {
          y: { field: 'dim', type: 'nominal', sort: null, title: null },
          color: { field: 'group', type: 'nominal', scale: { domain: ['state', 'action'], range: ['#4e79a7', '#e15759'] }, legend: null },
        },
        layer: [
          { mark: { type: 'rule', strokeWidth: 1 }, encoding: { x: { field: 'min', type: 'quantitative', title: 'value' }, x2: { field: 'max' } } },
          { mark: { type: 'bar', height: 8, opacity: 0.6 }, encoding: { x: { field: 'p5', type: 'quantitative' }, x2: { field: 'p95' } } },
          { mark: { type: 'tick', color: 'black', thickness: 2, size: 12 }, encoding: { x: { field: 'mean', type: 'quantitative' } } },
        ],
      },
    ],
  };
}
