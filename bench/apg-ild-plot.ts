/**
 * The ILD report of one run folder: the Chamfer distance to the expert per update (log scale)
 * and the returns (imitation rollouts of L steps, and the deterministic evaluation on the full
 * env) against the expert's, drawn with the bench plotting layer (Vega-Lite → SVG → PNG).
 *
 *   npx tsx bench/apg-ild-plot.ts --run bench-results/ild-hopper/run-s0 --out docs/benchmarks/ild
 *
 * Writes OUT/distance-curve.{svg,png} and OUT/results.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { TopLevelSpec } from 'vega-lite';
import { bundledExpertPath, readExpertTrajectory } from '../src/agents/ild/expert-trajectory.js';
import type { IldConfig } from '../src/agents/ild/ild-config.js';
import { renderSvg, svgToPng } from '../src/bench/plots.js';
import type { RunSummary, TrainEvent } from '../src/loop/events.js';

const { values } = parseArgs({ options: { run: { type: 'string' }, out: { type: 'string', default: 'docs/benchmarks/ild' } } });
if (values.run === undefined) throw new Error('pass --run DIR (an ILD run folder)');
const run = values.run;
const config = JSON.parse(readFileSync(path.join(run, 'config.json'), 'utf8')) as IldConfig;
const summary = JSON.parse(readFileSync(path.join(run, 'summary.json'), 'utf8')) as RunSummary;
const expert = readExpertTrajectory(config.expert ?? (bundledExpertPath(config.env) as string));
const expertL = expert.rewards.subarray(0, config.horizon).reduce((a, b) => a + b, 0);

const distance: { step: number; series: string; value: number }[] = [];
const returns: { step: number; series: string; value: number }[] = [];
for (const line of readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').split('\n')) {
  if (line.trim() === '') continue;
  const e = JSON.parse(line) as TrainEvent;
  if (e.type === 'update') {
    const d = e.metrics.details ?? {};
    distance.push({ step: e.step, series: 'Chamfer distance', value: e.metrics.policyLoss });
    distance.push({ step: e.step, series: 'agent → expert term', value: d['chamferToExpert'] as number });
    distance.push({ step: e.step, series: 'expert → agent term', value: d['chamferFromExpert'] as number });
    returns.push({ step: e.step, series: `imitation rollouts (${config.horizon} steps, sampled)`, value: d['rolloutReturn'] as number });
  }
  if (e.type === 'eval') returns.push({ step: e.step, series: `evaluation (full episodes, deterministic, ${e.result.episodes} eps)`, value: e.result.mean });
}

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const x = { field: 'step', type: 'quantitative' as const, title: 'environment steps' };
const spec: TopLevelSpec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  config: { font: FONT, background: 'white', padding: 16, axis: { labelFontSize: 12, titleFontSize: 13 }, legend: { labelFontSize: 12, titleFontSize: 13, labelLimit: 400 }, title: { fontSize: 17, anchor: 'start' } },
  title: { text: `ILD on ${config.env}: imitating one expert trajectory`, subtitle: [`expert: ${expert.source}; return ${expert.return.toFixed(0)} over ${expert.length} steps, ${expertL.toFixed(0)} over the first ${config.horizon}`] },
  vconcat: [
    {
      width: 640,
      height: 260,
      data: { values: distance },
      mark: { type: 'line', strokeWidth: 2 },
      encoding: { x, y: { field: 'value', type: 'quantitative', title: 'distance (expert-σ units², log scale)', scale: { type: 'log' } }, color: { field: 'series', type: 'nominal', title: null, scale: { scheme: 'tableau10' } } },
    },
    {
      width: 640,
      height: 220,
      layer: [
        { data: { values: returns }, mark: { type: 'line', strokeWidth: 2, point: true }, encoding: { x, y: { field: 'value', type: 'quantitative', title: 'return' }, color: { field: 'series', type: 'nominal', title: null, scale: { scheme: 'dark2' } } } },
        { data: { values: [{ y: expertL, label: `expert, first ${config.horizon} steps: ${expertL.toFixed(0)}` }] }, mark: { type: 'rule', strokeDash: [6, 4], color: '#666' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
        { data: { values: [{ y: expertL, label: `expert, first ${config.horizon} steps: ${expertL.toFixed(0)}` }] }, mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -3, color: '#555' }, encoding: { y: { field: 'y', type: 'quantitative' }, x: { datum: 0 }, text: { field: 'label' } } },
      ],
      resolve: { scale: { color: 'independent' } },
    },
  ],
  resolve: { scale: { color: 'independent' } },
};

mkdirSync(values.out, { recursive: true });
const svg = await renderSvg(spec);
writeFileSync(path.join(values.out, 'distance-curve.svg'), svg);
writeFileSync(path.join(values.out, 'distance-curve.png'), await svgToPng(svg));

const chamfer = distance.filter((d) => d.series === 'Chamfer distance');
const pick = (i: number) => chamfer[Math.min(chamfer.length - 1, i)] as { step: number; value: number };
const marks = [0, 1, 2, 5, 10, 20, 50, 100, 200, chamfer.length - 1].filter((i, k, all) => i < chamfer.length && all.indexOf(i) === k);
const evals = returns.filter((r) => r.series.startsWith('evaluation'));
const rollouts = returns.filter((r) => r.series.startsWith('imitation'));
const text = [
  `# ILD on ${config.env}`,
  '',
  `Generated by \`bench/apg-ild-plot.ts\` from \`${run}\` (seed ${config.seed}, ${summary.totalSteps} env steps, ${summary.wallSeconds.toFixed(0)} s wall, ${config.numEnvs} rollouts × ${config.horizon} steps per iteration).`,
  '',
  `Expert: ${expert.source}; return ${expert.return.toFixed(1)} over ${expert.length} steps, ${expertL.toFixed(1)} over its first ${config.horizon}.`,
  '',
  '| update | env steps | Chamfer distance |',
  '|---|---|---|',
  ...marks.map((i) => `| ${i + 1} | ${pick(i).step} | ${pick(i).value.toFixed(2)} |`),
  '',
  `Imitation rollouts (${config.horizon} steps, stochastic policy), mean return: first ${rollouts[0]?.value.toFixed(1)}, last ${rollouts.at(-1)?.value.toFixed(1)}.`,
  '',
  `Deterministic evaluation on the full ${config.env} (1000-step limit): ${evals.map((e) => `${e.step}: ${e.value.toFixed(0)}`).join(', ')}.`,
  '',
  '![distance curve](distance-curve.png)',
  '',
].join('\n');
writeFileSync(path.join(values.out, 'results.md'), text);
console.log(text);
