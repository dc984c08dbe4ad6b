/**
 * APG versus PPO on one env, from two `rxrl bench` sweep folders run with the same evaluation
 * protocol: one learning-curve plot (IQM and 95% bootstrap band per algorithm, the chosen
 * return as a dashed line) and a Markdown table of steps to that return, returns at common
 * budgets and wall time per run.
 *
 *   npx tsx bench/apg-compare.ts --apg bench-results/cheetah-apg --ppo bench-results/cheetah-ppo \
 *     --env rxrl/HalfCheetah-v0 --threshold 500 --out docs/benchmarks/apg
 *
 * Writes OUT/learning-curve.{svg,png} and OUT/results.md (the numbers; README.md links both).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { learningCurveRows, type RunCurve } from '../src/bench/plot-data.js';
import { learningCurveSpec } from '../src/bench/plot-specs.js';
import { renderSvg, svgToPng } from '../src/bench/plots.js';
import { readSweepDefinition, runCurves } from '../src/bench/report.js';
import { collectRecords, type RunRecord } from '../src/bench/results.js';
import { stepsToThreshold, type CurvePoint } from '../src/bench/statistics.js';

const { values } = parseArgs({
  options: { apg: { type: 'string' }, ppo: { type: 'string' }, env: { type: 'string', default: 'rxrl/HalfCheetah-v0' }, threshold: { type: 'string' }, out: { type: 'string', default: 'docs/benchmarks/apg' } },
});
if (values.apg === undefined || values.ppo === undefined || values.threshold === undefined) throw new Error('pass --apg DIR --ppo DIR --threshold X');
const env = values.env;
const threshold = Number(values.threshold);

interface Arm {
  readonly algo: string;
  readonly records: RunRecord[];
  readonly curves: RunCurve[];
  readonly evalEpisodes: number;
  readonly budget: number;
}

function arm(dir: string, algo: string): Arm {
  const def = readSweepDefinition(dir);
  const records = collectRecords(dir, def, threshold).filter((r) => r.algo === algo && r.env === env && r.status === 'ok');
  const curves = runCurves(dir, def, records).filter((c) => c.algo === algo && c.env === env);
  return { algo, records, curves, evalEpisodes: def.evalEpisodes, budget: def.steps };
}

const arms = [arm(values.apg, 'apg'), arm(values.ppo, 'ppo')];
const fmt = (x: number | null | undefined, digits = 0) => (x === null || x === undefined ? '–' : x.toFixed(digits));
const median = (xs: number[]) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
/** The evaluation return of a curve at its last point at or before `step` (+2%: the two sweeps' iterations end a little past round numbers). */
// An evaluation runs at the first rollout boundary at or after its scheduled step (PPO's rollouts are 2048 steps: 51200 for 50k), so allow 5%.
const at = (curve: readonly CurvePoint[], step: number) => curve.filter((p) => p.step <= step * 1.05).at(-1)?.value ?? null;
const commonBudget = Math.min(...arms.map((a) => a.budget));

const lines: string[] = [];
lines.push(`| | ${arms.map((a) => a.algo.toUpperCase()).join(' | ')} |`);
lines.push(`|---|${arms.map(() => '---').join('|')}|`);
lines.push(`| seeds | ${arms.map((a) => a.records.length).join(' | ')} |`);
lines.push(`| steps per run | ${arms.map((a) => a.budget).join(' | ')} |`);
lines.push(`| steps to evaluation return ≥ ${threshold}, per seed | ${arms.map((a) => a.curves.map((c) => fmt(stepsToThreshold(c.curve, threshold))).join(', ')).join(' | ')} |`);
lines.push(`| … median over seeds that reached it (reached / seeds) | ${arms.map((a) => { const s = a.curves.map((c) => stepsToThreshold(c.curve, threshold)).filter((x): x is number => x !== null); return `${fmt(median(s))} (${s.length}/${a.curves.length})`; }).join(' | ')} |`);
for (const step of [50_000, 100_000, 150_000, 200_000, 300_000, commonBudget].filter((s, i, all) => s <= commonBudget && all.indexOf(s) === i)) {
  lines.push(`| eval return at ${step / 1000}k steps, per seed | ${arms.map((a) => a.curves.map((c) => fmt(at(c.curve, step))).join(', ')).join(' | ')} |`);
}
lines.push(`| final eval return (end of run), per seed | ${arms.map((a) => a.records.map((r) => fmt(r.finalEval)).join(', ')).join(' | ')} |`);
lines.push(`| wall time per run (s), median | ${arms.map((a) => fmt(median(a.records.map((r) => r.wallSeconds ?? Number.NaN)))).join(' | ')} |`);

mkdirSync(values.out, { recursive: true });
const rows = learningCurveRows(arms.flatMap((a) => a.curves));
const spec = learningCurveSpec(env, rows, { algos: arms.map((a) => a.algo), seeds: Math.max(...arms.map((a) => a.records.length)), evalEpisodes: arms[0]?.evalEpisodes ?? 5, threshold });
const svg = await renderSvg(spec);
writeFileSync(path.join(values.out, 'learning-curve.svg'), svg);
writeFileSync(path.join(values.out, 'learning-curve.png'), await svgToPng(svg));
writeFileSync(path.join(values.out, 'results.md'), `# APG vs PPO on ${env}\n\nGenerated by \`bench/apg-compare.ts\` from ${values.apg} and ${values.ppo}.\n\n${lines.join('\n')}\n\n![learning curves](learning-curve.png)\n`);
console.log(lines.join('\n'));
