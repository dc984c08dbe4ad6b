/**
 * An off-policy algorithm on its classic task (`npm run bench:sac`, `bench:td3`: Pendulum-v1;
 * `bench:dqn`: CartPole-v1): K seeds with the zoo's settings for the algorithm and env except the
 * width of the networks (`--hidden`, default 64: SB3's 256 or 400-300 cost 16–30× the time per
 * gradient step), a deterministic 10-episode evaluation every 1000 steps. Reports each seed's
 * final evaluation, the first evaluation at or above the classic benchmark's threshold (−200,
 * 475), set beside PPO's steps to it there, and the speed of the gradient steps. Runs go to
 * bench-results/ALGO/ (a finished run is reused); the report to OUT/ALGO.md and OUT/ALGO.json
 * (default docs/benchmarks/ALGO).
 *
 *   --algo sac|td3|dqn (default sac)   --seeds K (default 5)   --steps N (default: the zoo's budget)   --hidden H (default 64)   --workers W (default 1)   --out DIR
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runChild, runPool, type ChildJob } from '../src/bench/pool.js';
import { aggregateMean, mean, stepsToThreshold, stratifiedBootstrapCI } from '../src/bench/statistics.js';
import { Rng } from '../src/core/rng.js';
import type { TrainEvent } from '../src/loop/events.js';

const { values } = parseArgs({
  options: { algo: { type: 'string', default: 'sac' }, seeds: { type: 'string', default: '5' }, steps: { type: 'string' }, hidden: { type: 'string', default: '64' }, workers: { type: 'string', default: '1' }, out: { type: 'string' } },
});
/** Each algorithm's task and what its report says of the settings. */
interface BenchSettings {
  readonly name: string;
  readonly env: string;
  readonly steps: number;
  readonly threshold: number;
  /** PPO's Kaplan-Meier median steps to the threshold in the classic sweep (docs/benchmarks/classic, 10 seeds). */
  readonly ppoSteps: string;
  readonly settings: string;
  readonly sb3Width: string;
  /** The config keys that set the networks' width. */
  readonly width: (h: number) => Record<string, unknown>;
}
const actorCritic = (h: number) => ({ policy: { hidden: [h, h] }, critic: { hidden: [h, h] } });
const SETTINGS: Record<string, BenchSettings> = {
  sac: { name: 'SAC', env: 'Pendulum-v1', steps: 20_000, threshold: -200, ppoSteps: '36,864', settings: "the zoo's Pendulum settings (learning rate 1e-3, SB3's other defaults: batch 256, buffer 1e6, 100 random warm-up steps, τ 0.005, learned temperature with target entropy −1)", sb3Width: '256 wide', width: actorCritic },
  td3: { name: 'TD3', env: 'Pendulum-v1', steps: 20_000, threshold: -200, ppoSteps: '36,864', settings: "the zoo's Pendulum settings (γ 0.98, buffer 2e5, 10,000 random warm-up steps, Gaussian exploration noise σ 0.1, learning rate 1e-3; SB3's other defaults: batch 256, τ 0.005, actor and targets every 2nd gradient step, target noise σ 0.2 clipped at ±0.5)", sb3Width: '400 and 300 wide', width: actorCritic },
  dqn: { name: 'DQN', env: 'CartPole-v1', steps: 50_000, threshold: 475, ppoSteps: '20,480', settings: "the zoo's CartPole settings (learning rate 2.3e-3, batch 64, buffer 1e5, 1000 random warm-up steps, 128 gradient steps every 256 env steps, target copied every 10 steps, ε from 1 to 0.04 over the first 16% of the budget; SB3's other defaults: Huber loss, gradient norm clipped at 10)", sb3Width: '256 wide', width: (h) => ({ policy: { hidden: [h, h] } }) },
};
const algo = values.algo;
const about = SETTINGS[algo];
if (about === undefined) throw new Error(`--algo must be one of ${Object.keys(SETTINGS).join(', ')}, got ${algo}`);
const out = values.out ?? `docs/benchmarks/${algo}`;
const seeds = Number(values.seeds);
const steps = Number(values.steps ?? about.steps);
const hidden = Number(values.hidden);
const workers = Number(values.workers);
for (const [name, v] of [['seeds', seeds], ['steps', steps], ['hidden', hidden], ['workers', workers]] as const) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer, got ${String(values[name])}`);
}
const ENV = about.env;
const THRESHOLD = about.threshold;
const EVAL_EVERY = 1000;
const WORK = `bench-results/${algo}`;

interface SeedResult {
  readonly seed: number;
  readonly finalEval: number;
  readonly firstStepAtThreshold: number | null;
  readonly curve: readonly { readonly step: number; readonly mean: number }[];
  readonly wallSeconds: number;
  readonly gradientStepsPerSecond: number;
}

function readRun(dir: string, seed: number): SeedResult {
  const events = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as TrainEvent);
  const curve = events.flatMap((e) => (e.type === 'eval' ? [{ step: e.step, mean: e.result.mean }] : []));
  let gradientSteps = 0;
  let seconds = 0;
  for (const e of events) {
    if (e.type === 'update') {
      gradientSteps += e.metrics.epochs;
      seconds += e.metrics.seconds;
    }
  }
  const done = events.find((e) => e.type === 'done');
  if (done?.type !== 'done') throw new Error(`${dir}: the run has not finished`);
  return {
    seed,
    finalEval: done.summary.finalEval?.mean ?? Number.NaN,
    firstStepAtThreshold: stepsToThreshold(curve.map((p) => ({ step: p.step, value: p.mean })), THRESHOLD),
    curve,
    wallSeconds: done.summary.wallSeconds,
    gradientStepsPerSecond: gradientSteps / seconds,
  };
}

const dirOf = (seed: number) => path.join(WORK, `h${hidden}-${steps}`, `${algo}-${ENV}-s${seed}`);
const jobs: ChildJob[] = [];
for (let seed = 0; seed < seeds; seed++) {
  const dir = dirOf(seed);
  if (existsSync(path.join(dir, 'summary.json'))) continue;
  jobs.push({ algo, env: ENV, seed, steps, evalEvery: EVAL_EVERY, evalEpisodes: 10, dir, preload: [], overrides: about.width(hidden) });
}
console.error(`${algo} bench: ${jobs.length} of ${seeds} runs to train in ${path.dirname(dirOf(0))}`);
await runPool(jobs, workers, async (job) => {
  const r = await runChild(job);
  console.error(r.ok ? `seed ${job.seed}: final eval ${r.summary.finalEval?.mean.toFixed(1)} (${r.summary.wallSeconds.toFixed(0)} s)` : `seed ${job.seed} failed: ${r.error}`);
});

const results = Array.from({ length: seeds }, (_, seed) => readRun(dirOf(seed), seed));
const finals = results.map((r) => r.finalEval);
const ci = stratifiedBootstrapCI([finals], aggregateMean, { rng: new Rng(`bench-${algo}`) });
const solved = results.filter((r) => r.firstStepAtThreshold !== null);
const fmt = (x: number) => x.toFixed(1);
const lines = [
  `# ${about.name} on ${ENV}`,
  '',
  `\`npm run bench:${algo}\` (\`npx tsx bench/off-policy.ts --algo ${algo} --seeds ${seeds} --steps ${steps} --hidden ${hidden}\`): ${about.settings} with ${hidden}-unit networks (two hidden layers ${algo === 'dqn' ? 'for the Q network' : 'for the actor and each critic'}; SB3's are ${about.sb3Width}), ${steps} env steps, a deterministic evaluation of 10 episodes every ${EVAL_EVERY} steps.`,
  '',
  `Final evaluation, mean over ${seeds} seeds: **${fmt(mean(finals))}** [${fmt(ci.lower)}, ${fmt(ci.upper)}] (95% bootstrap interval). Seeds whose evaluation reached ${THRESHOLD}: ${solved.length}/${seeds}${solved.length > 0 ? `, first at ${solved.map((r) => r.firstStepAtThreshold).join(', ')} steps` : ''}. For comparison, PPO needs a median of ${about.ppoSteps} steps to reach ${THRESHOLD} on ${ENV} (docs/benchmarks/classic, 10 seeds).`,
  '',
  `| seed | final eval | first eval ≥ ${String(THRESHOLD).replace('-', '−')} at step | wall s | gradient steps / s |`,
  '|---|---|---|---|---|',
  ...results.map((r) => `| ${r.seed} | ${fmt(r.finalEval)} | ${r.firstStepAtThreshold ?? '–'} | ${r.wallSeconds.toFixed(0)} | ${r.gradientStepsPerSecond.toFixed(0)} |`),
  '',
  `Learning curves (mean evaluation return by step): ${results[0]?.curve.map((p, i) => `${p.step}: ${fmt(mean(results.map((r) => r.curve[i]?.mean ?? Number.NaN)))}`).join(', ')}.`,
  '',
  'Wall times and speeds are of the development machine (2 cores), with whatever else ran on it at the time.',
  '',
];
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, `${algo}.md`), lines.join('\n'));
writeFileSync(path.join(out, `${algo}.json`), `${JSON.stringify({ env: ENV, steps, hidden, threshold: THRESHOLD, results }, null, 2)}\n`);
console.error(`report in ${path.join(out, `${algo}.md`)}`);
