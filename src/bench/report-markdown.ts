/**
 * `report.md` of a sweep: per env its statistics table and plots, the pairwise comparisons,
 * the performance profile and the failed runs.
 *
 * @module
 */

import type { PlotFile } from './plots.js';
import type { PairComparison, RunRecord, SweepSummary } from './results.js';
import type { Difference, Interval } from './statistics.js';

const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(3));
const ci = (i: Interval | null) => (i === null ? '–' : `${num(i.point)} [${num(i.lower)}, ${num(i.upper)}]`);
const steps = (x: number | null | undefined) => (x === null || x === undefined ? '–' : String(x));
const signed = (x: number, format: (x: number) => string) => (x > 0 ? `+${format(x)}` : format(x));
const roundSteps = (x: number) => String(Math.round(x));
const probability = (i: Interval | null) => (i === null ? '–' : `${i.point.toFixed(2)} [${i.lower.toFixed(2)}, ${i.upper.toFixed(2)}]`);
const difference = (d: Difference | null, format: (x: number) => string): [string, string] =>
  d === null ? ['–', '–'] : [`${signed(d.point, format)} [${signed(d.lower, format)}, ${signed(d.upper, format)}]`, d.significant ? '**significant**' : 'not significant'];

/** Note under the performance profile: how the scores were normalised and how to read it. */
export const PROFILE_NOTE =
  "Scores are the final evaluation returns normalised per env by min–max over all finished runs of that env (0 = the env's " +
  'worst run in this sweep, 1 = its best), so the profile ranks the algorithms of this sweep only. Each curve is the fraction ' +
  'of runs scoring above τ, pooled over envs; the band is a 95% bootstrap CI stratified by env. A curve above another is ' +
  'better across the whole score range.';

const image = (plot: PlotFile) => `![${plot.title}](${plot.png}) ([SVG](${plot.svg}))`;

function comparisonLines(comparisons: readonly PairComparison[], method: string): string[] {
  const lines = ['', '## Pairwise comparisons', '', `_${method}_`, ''];
  lines.push('| env | X vs Y | P(X > Y) [95% CI] | Δ IQM final return [95% CI] | return | Δ IQM steps to threshold [95% CI] | steps |', '|---|---|---|---|---|---|---|');
  for (const c of comparisons) {
    const [ret, retVerdict] = difference(c.finalEvalIqmDifference, num);
    const [st, stVerdict] = difference(c.stepsIqmDifference, roundSteps);
    lines.push(`| ${c.env} | ${c.x} vs ${c.y} | ${probability(c.probabilityOfImprovement)} | ${ret} | ${retVerdict} | ${st} | ${stVerdict} |`);
  }
  lines.push('', 'Δ is X − Y: a positive return difference favours X, a negative steps difference means X reaches the threshold sooner.');
  return lines;
}

/**
 * The Markdown report of a sweep. `plots` (paths relative to the sweep folder) are embedded
 * under their env and in a performance-profile section; without them the report has tables only.
 */
export function reportMarkdown(summary: SweepSummary, records: readonly RunRecord[], plots: readonly PlotFile[] = []): string {
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
    for (const plot of plots.filter((p) => p.env === env)) lines.push('', image(plot));
  }
  if (summary.comparisons.length > 0) lines.push(...comparisonLines(summary.comparisons, summary.comparisonMethod));
  const profile = plots.find((p) => p.kind === 'performance-profile');
  if (profile !== undefined) lines.push('', '## Performance profile', '', image(profile), '', `_${PROFILE_NOTE}_`);
  const failed = records.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    lines.push('', '## Failed runs', '', 'Rerun the same command to retry them.', '');
    for (const r of failed) lines.push(`- ${r.algo} on ${r.env}, seed ${r.seed}: ${r.error ?? 'unknown error'}`);
  }
  return `${lines.join('\n')}\n`;
}
