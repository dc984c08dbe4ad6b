/**
 * Memory on partially observed tasks: S2PG (PPO-RS) against recurrent PPO with truncated BPTT
 * (ppo-lstm), window PPO (4 stacked frames), stateless PPO and the oracle (PPO on the full state).
 *
 *   npm run bench:stateful [-- --seeds 5 --workers 2 --envs CartPoleNoVel-v1,... --variants s2pg,ppo-lstm,...]
 *
 * Every variant of an env runs with the same PPO settings — the RL zoo's RecurrentPPO values
 * (`src/agents/hyperparams/ppo-lstm.json`, with gSDE where the zoo uses it; the T-maze's own
 * below) — so they differ in how they remember, plus S2PG's per-env values
 * (`hyperparams/s2pg.json`: kernel, z's size and noise) and ppo-lstm's network (GRU width, the zoo's MLP layer after it). The T-maze runs
 * at two corridors (`--envs TMaze-7,TMaze-10`). Runs go to bench-results/stateful/ (reused when
 * finished); the report (stateful.md, stateful.json, steps.png, seconds.png) to
 * docs/benchmarks/stateful/: final returns with 95% bootstrap intervals over seeds, the
 * references, the wall-clock ratio of ppo-lstm to S2PG, and curves against env steps and against
 * wall-clock seconds (an evaluation placed at its step's share of the variant's mean wall time,
 * the runs' speed being steady).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { TopLevelSpec } from 'vega-lite';
import recurrentTable from '../src/agents/hyperparams/ppo-lstm.json' with { type: 'json' };
import statefulTable from '../src/agents/hyperparams/s2pg.json' with { type: 'json' };
import { renderSvg, svgToPng } from '../src/bench/plots.js';
import { aggregateMean, bootstrapDifferenceCI, mean, stratifiedBootstrapCI, type Interval } from '../src/bench/statistics.js';
import { Rng } from '../src/core/rng.js';
import { readRunRecord, runTrainJobs, type TrainJob } from './train-jobs.js';

interface Task {
  /** Names the task in `--envs`, run folders and the report: the env id, plus the corridor for the T-maze. */
  readonly id: string;
  readonly env: string;
  readonly kwargs: Readonly<Record<string, number>>;
  /** The env with the full state (the oracle's), or null. */
  readonly oracle: string | null;
  readonly steps: number;
  /** PPO settings shared by every variant. */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly reference: string;
}

/** An env's row of a per-env hyperparameter table, without its bookkeeping fields. */
const row = (table: unknown, env: string): Record<string, unknown> => {
  const { source: _source, totalSteps: _steps, ...rest } = (table as Record<string, Record<string, unknown>>)[env] ?? {};
  return rest;
};
/** The RL zoo's RecurrentPPO settings of an env, but its network (ppo-lstm's own: GRU width, layers after it, their init and activation). */
const zoo = (env: string): Record<string, unknown> => {
  const { recurrentHiddenSize: _h, recurrentNetArch: _arch, orthoInit: _ortho, policy: _policy, ...rest } = row(recurrentTable, env);
  return rest;
};
const TMAZE = { numEnvs: 8, nSteps: 128, batchSize: 256, nEpochs: 10, learningRate: 3e-4, entCoef: 0.01 };
const TASKS: readonly Task[] = [
  { id: 'CartPoleNoVel-v1', env: 'CartPoleNoVel-v1', kwargs: {}, oracle: 'CartPole-v1', steps: 100_000, settings: zoo('CartPoleNoVel-v1'), reference: 'RecurrentPPO (RL zoo): 500 at 100k' },
  // The zoo explores these two with gSDE (its rows carry it).
  { id: 'PendulumNoVel-v1', env: 'PendulumNoVel-v1', kwargs: {}, oracle: 'Pendulum-v1', steps: 100_000, settings: zoo('PendulumNoVel-v1'), reference: 'RecurrentPPO (RL zoo): −218 ± 140 at 100k' },
  { id: 'MountainCarContinuousNoVel-v0', env: 'MountainCarContinuousNoVel-v0', kwargs: {}, oracle: 'MountainCarContinuous-v0', steps: 300_000, settings: zoo('MountainCarContinuousNoVel-v0'), reference: 'RecurrentPPO (RL zoo): 91.22 ± 1.89 at 300k' },
  // Two corridors; the longer is the longest both S2PG and ppo-lstm solve in a corridor sweep (20 is not solved by S2PG within 300k).
  { id: 'TMaze-7', env: 'rxrl/TMaze-v0', kwargs: { length: 7 }, oracle: null, steps: 300_000, settings: TMAZE, reference: 'memoryless policies guess: 50% success' },
  { id: 'TMaze-10', env: 'rxrl/TMaze-v0', kwargs: { length: 10 }, oracle: null, steps: 300_000, settings: TMAZE, reference: 'memoryless policies guess: 50% success' },
];

interface Variant {
  readonly name: string;
  readonly algo: string;
  /** Settings over the task's shared ones: how the variant remembers, and its own per-env values. */
  readonly extra: (env: string) => Readonly<Record<string, unknown>>;
  readonly oracle?: boolean;
}
const VARIANTS: readonly Variant[] = [
  // S2PG's per-env values (hyperparams/s2pg.json: its kernel, z's size and noise, gSDE where the zoo uses it) over the shared ones.
  { name: 's2pg', algo: 's2pg', extra: (env) => ({ stateDim: 4, stateKernel: 'residual', policy: { hidden: [64, 64], activation: 'tanh', logStdInit: -0.6931471805599453 }, ...row(statefulTable, env) }) },
  { name: 'ppo-lstm', algo: 'ppo-lstm', extra: (env) => row(recurrentTable, env) },
  { name: 'window', algo: 'ppo', extra: () => ({ frameStack: 4 }) },
  { name: 'stateless', algo: 'ppo', extra: () => ({}) },
  { name: 'oracle', algo: 'ppo', extra: () => ({}), oracle: true },
];

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '5' },
    workers: { type: 'string', default: '2' },
    envs: { type: 'string', default: TASKS.map((t) => t.id).join(',') },
    variants: { type: 'string', default: VARIANTS.map((v) => v.name).join(',') },
    out: { type: 'string', default: 'bench-results/stateful' },
    report: { type: 'string', default: 'docs/benchmarks/stateful' },
    'report-only': { type: 'boolean', default: false },
  },
});
const SEEDS = Number(values.seeds);
const tasks = TASKS.filter((t) => values.envs.split(',').some((name) => name === t.id || name === t.env));
const variants = VARIANTS.filter((v) => values.variants.split(',').includes(v.name));
const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();

interface Job extends TrainJob {
  readonly task: Task;
  readonly variant: Variant;
  readonly seed: number;
}
mkdirSync(values.out, { recursive: true });
const jobs: Job[] = tasks.flatMap((task) =>
  variants
    .filter((v) => v.oracle !== true || task.oracle !== null)
    .flatMap((variant) =>
      Array.from({ length: SEEDS }, (_, seed) => {
        const configFile = path.join(values.out, `${slug(task.id)}-${variant.name}.json`);
        const config = { ...task.settings, ...variant.extra(task.env), evalEvery: task.steps / 10, evalEpisodes: 10 };
        writeFileSync(configFile, JSON.stringify(config));
        const env = variant.oracle === true ? (task.oracle as string) : task.env;
        return {
          task,
          variant,
          seed,
          dir: path.join(values.out, `${slug(task.id)}-${variant.name}-s${seed}`),
          args: ['--algo', variant.algo, '--env', env, '--env-kwargs', JSON.stringify(task.kwargs), '--seed', String(seed), '--steps', String(task.steps), '--config', configFile],
        };
      }),
    ),
);
if (!values['report-only']) await runTrainJobs(jobs, Number(values.workers));

const rng = new Rng('stateful-report');
const ci = (xs: number[]): Interval => stratifiedBootstrapCI([xs], aggregateMean, { rng });
const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1));
// The report covers the finished runs (a variant left out of a task, e.g. by --variants, has no row).
const finished = jobs.filter((j) => existsSync(path.join(j.dir, 'summary.json')));
if (finished.length < jobs.length) console.log(`report: ${jobs.length - finished.length} of ${jobs.length} runs not finished, left out`);
const records = finished.map((j) => ({ job: j, run: readRunRecord(j.dir) }));
const of = (task: Task, v: Variant) => records.filter((r) => r.job.task === task && r.job.variant === v);
/** The score of an evaluation: success rate on the T-maze, mean return elsewhere. */
const score = (task: Task, e: { mean: number; success: number }) => (task.oracle === null ? e.success : e.mean);

const lines: string[] = [];
const summary: Record<string, unknown>[] = [];
const curves: Record<string, string | number>[] = [];
for (const task of tasks) {
  const unit = task.oracle === null ? 'success' : 'return';
  lines.push(`### ${task.env}${Object.keys(task.kwargs).length > 0 ? ` \`${JSON.stringify(task.kwargs)}\`` : ''} — ${task.steps / 1000}k steps; reference: ${task.reference}`, '');
  lines.push(`| variant | seeds | final ${unit} (mean, 95% CI) | per seed | wall seconds per run |`, '|---|---:|---:|---|---:|');
  for (const v of variants) {
    const runs = of(task, v);
    if (runs.length === 0) continue;
    const finals = runs.map((r) => score(task, r.run.evals.at(-1) ?? { mean: Number.NaN, success: 0 }));
    const interval = ci(finals);
    lines.push(`| ${v.name} | ${runs.length} | ${fmt(interval.point)} [${fmt(interval.lower)}, ${fmt(interval.upper)}] | ${finals.map(fmt).join(', ')} | ${mean(runs.map((r) => r.run.wallSeconds)).toFixed(0)} |`);
    summary.push({ task: task.id, env: task.env, variant: v.name, finals, wallSeconds: runs.map((r) => r.run.wallSeconds) });
    // The seconds axis places every seed's evaluation at the variant's mean wall time for its step, so the band is over seeds at the same x.
    const wall = mean(runs.map((r) => r.run.wallSeconds));
    for (const r of runs) for (const e of r.run.evals) curves.push({ task: task.id, variant: v.name, seed: r.job.seed, step: e.step, seconds: (wall * e.step) / task.steps, score: score(task, e) });
  }
  const s2pg = of(task, VARIANTS[0] as Variant);
  const bptt = of(task, VARIANTS[1] as Variant);
  if (s2pg.length > 0 && bptt.length > 0) {
    const d = bootstrapDifferenceCI([s2pg.map((r) => score(task, r.run.evals.at(-1) ?? { mean: 0, success: 0 }))], [bptt.map((r) => score(task, r.run.evals.at(-1) ?? { mean: 0, success: 0 }))], { statistic: aggregateMean, rng });
    const ratio = mean(bptt.map((r) => r.run.wallSeconds)) / mean(s2pg.map((r) => r.run.wallSeconds));
    lines.push('', `S2PG − ppo-lstm, final ${unit}: ${fmt(d.point)} [${fmt(d.lower)}, ${fmt(d.upper)}]${d.significant ? ' (significant)' : ''}; wall-clock ppo-lstm / S2PG: ${ratio.toFixed(1)}×.`);
  }
  lines.push('');
}

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const panel = (x: 'step' | 'seconds', title: string): TopLevelSpec => ({
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  config: { font: FONT, background: 'white', padding: 16, axis: { labelFontSize: 12, titleFontSize: 13 }, legend: { labelFontSize: 12 }, title: { fontSize: 17, anchor: 'start' } },
  title: { text: title, subtitle: [`mean over seeds with a 95% band; return, or success rate on the T-maze`] },
  data: { values: curves },
  facet: { column: { field: 'task', type: 'nominal', title: null, sort: tasks.map((t) => t.id) } },
  spec: {
    width: 240,
    height: 200,
    encoding: { x: { field: x, type: 'quantitative', title: x === 'step' ? 'environment steps' : 'wall-clock seconds' }, color: { field: 'variant', type: 'nominal', title: null, sort: variants.map((v) => v.name), scale: { scheme: 'tableau10' } } },
    layer: [
      { mark: { type: 'errorband', extent: 'ci', opacity: 0.2 }, encoding: { y: { field: 'score', type: 'quantitative', title: null } } },
      { mark: { type: 'line', strokeWidth: 2 }, encoding: { y: { aggregate: 'mean', field: 'score', type: 'quantitative' } } },
    ],
  },
  resolve: { scale: { x: 'independent', y: 'independent' } },
});

mkdirSync(values.report, { recursive: true });
writeFileSync(path.join(values.report, 'steps.png'), await svgToPng(await renderSvg(panel('step', 'Evaluation over environment steps'))));
writeFileSync(path.join(values.report, 'seconds.png'), await svgToPng(await renderSvg(panel('seconds', 'Evaluation over wall-clock time'))));
writeFileSync(path.join(values.report, 'stateful.json'), `${JSON.stringify({ seeds: SEEDS, tasks, variants, summary }, null, 2)}\n`);
const text = [
  '# Memory on partially observed tasks: S2PG, recurrent PPO, window, stateless and oracle PPO',
  '',
  `\`npm run bench:stateful\` (bench/stateful.ts): up to ${SEEDS} seeds per variant and env (each row gives its finished runs); every variant of an env uses the same PPO settings (the RL zoo's RecurrentPPO values, \`src/agents/hyperparams/ppo-lstm.json\`, with the zoo's gSDE on PendulumNoVel and MountainCarContinuousNoVel, over the actor's GRU state for ppo-lstm; MountainCarContinuousNoVel at learning rate 3e-4 instead of the zoo's 7.77e-5); S2PG adds its per-env values (\`hyperparams/s2pg.json\`: the GRU-cell kernel, 16 entries, z′ noise std 0.01 on the two gSDE tasks, per step rather than gSDE's on MountainCarContinuousNoVel; the residual kernel, std 0.5, with 4 entries and the S2PG paper's 10 epochs per rollout instead of the zoo's 20 on CartPoleNoVel, and with 8 entries without the entropy bonus on the T-maze); ppo-lstm its GRU width and the zoo's MLP layer after it; window PPO stacks 4 frames; the oracle is PPO on the env with the full state. Box actions reach the env clipped to its bounds (as in SB3). Evaluations: the policy's mode on 10 episodes at every tenth of the budget. Intervals: 95% percentile bootstraps over seeds.`,
  '',
  ...lines,
  '![curves over env steps](steps.png)',
  '',
  '![curves over wall-clock time](seconds.png)',
  '',
].join('\n');
writeFileSync(path.join(values.report, 'stateful.md'), text);
console.log(text);
