/**
 * Off-policy evaluation benchmark (`npm run bench:ope`): the estimates of `rxrl ope` (Lagrangian,
 * DualDICE, fitted Q) of held-out policies' discounted values from a dataset, against their
 * Monte-Carlo values.
 *
 * Per env (CartPole-v1, Pendulum-v1), with the rxrl CLI:
 *   - the dataset: every transition of a PPO training run (seed 0, the zoo settings; D4RL's
 *     medium-replay recipe run to the end of the budget), i.e. data from a whole range of policies;
 *   - held-out targets, which produced none of the data: the final policy of another PPO run
 *     (seed 1, same budget) and a weak one (seed 2, stopped early). Two targets of different
 *     worth make the check able to fail: an estimator that ignored the target would miss one;
 *   - `estimatePolicyValue` (Lagrangian, DualDICE, fitted Q) over seeds, γ = 0.99, and the Monte-Carlo value of each
 *     target (sampling, as it acts) over 1000 episodes run to termination or γ^H < 1e-4.
 * Each (env, target) result goes to bench-results/ope/results/ as JSON (so envs can run in
 * parallel processes with --envs); the report (`OUT/ope.md`, `OUT/ope.json`, default
 * docs/benchmarks/offline) is assembled from every result file there. Runs and datasets are
 * reused when present.
 *
 *   --out DIR        report folder
 *   --envs LIST      envs to run (default both)
 *   --seeds K        estimator seeds (default 3)
 *   --steps N        gradient steps of each network (default 20000)
 *   --batch N        transitions per step (default 256; plus 1/8 as many absorbing self-transitions)
 *   --report-only    assemble the report from the result files without running anything
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/data/load-dataset.js';
import { loadRawObservationPolicy } from '../src/loop/evaluate-run.js';
import { estimatePolicyValue, monteCarloValue } from '../src/loop/ope.js';
import { summarize } from './stats.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'docs/benchmarks/offline' },
    envs: { type: 'string', default: 'CartPole-v1,Pendulum-v1' },
    seeds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '256' },
    'report-only': { type: 'boolean', default: false },
  },
});
const batchSize = Number(values.batch);
const WORK = 'bench-results/ope';
const RESULTS = path.join(WORK, 'results');
const GAMMA = 0.99;
/** Rollouts of each target's Monte-Carlo value: its standard error stays a few percent of the 10% the estimates are held to. */
const MC_EPISODES = 1000;
const seeds = Number(values.seeds);
const steps = Number(values.steps);
const rxrl = (...args: string[]) => execFileSync(process.execPath, ['bin/rxrl.js', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });

interface Target {
  /** Run folder suffix. */
  readonly name: string;
  readonly seed: number;
  readonly trainSteps: number;
  readonly label: string;
}
interface EnvCase {
  readonly env: string;
  /** Training steps of the PPO run whose transitions are the dataset. */
  readonly dataSteps: number;
  readonly targets: readonly Target[];
}
const CASES: readonly EnvCase[] = [
  {
    env: 'CartPole-v1',
    dataSteps: 100_000,
    targets: [
      { name: 'target', seed: 1, trainSteps: 100_000, label: 'final PPO (seed 1, 100k steps)' },
      { name: 'weak', seed: 2, trainSteps: 3_000, label: 'weak PPO (seed 2, 3k steps)' },
    ],
  },
  {
    env: 'Pendulum-v1',
    dataSteps: 100_000,
    targets: [
      { name: 'target', seed: 1, trainSteps: 100_000, label: 'final PPO (seed 1, 100k steps)' },
      { name: 'weak', seed: 2, trainSteps: 20_000, label: 'weak PPO (seed 2, 20k steps)' },
    ],
  },
];

const ESTIMATORS = [
  { key: 'lagrangian', label: 'Lagrangian (ζ and Q)' },
  { key: 'dualDice', label: 'DualDICE (ζ only)' },
  { key: 'fittedQ', label: 'fitted Q (Q only)' },
] as const;
type EstimatorKey = (typeof ESTIMATORS)[number]['key'];
interface SeedEstimate {
  readonly value: number;
  readonly low: number;
  readonly high: number;
  readonly relativeError: number;
}

interface CaseResult {
  readonly env: string;
  readonly target: string;
  readonly steps: number;
  readonly batchSize: number;
  readonly datasetRows: number;
  readonly monteCarlo: { readonly mean: number; readonly std: number; readonly episodes: number };
  readonly estimates: readonly ({ readonly seed: number; readonly seconds: number; readonly meanWeight: number } & Record<EstimatorKey, SeedEstimate>)[];
  readonly behaviourValue: number;
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();
const unknown = values.envs.split(',').filter((e) => !CASES.some((c) => c.env === e));
if (unknown.length > 0) throw new Error(`--envs: no case for ${unknown.join(', ')}; known: ${CASES.map((c) => c.env).join(', ')}`);
mkdirSync(RESULTS, { recursive: true });
if (!values['report-only']) {
  for (const c of CASES.filter((k) => values.envs.split(',').includes(k.env))) {
    const name = slug(c.env);
    const data = path.join(WORK, `${name}-replay.h5`);
    if (!existsSync(data)) {
      console.error(`== ${c.env}: dataset (every transition of a PPO run, seed 0)`);
      rxrl('dataset', 'collect', '--recipe', 'medium-replay', '--env', c.env, '--seed', '0', '--steps', String(c.dataSteps), '--run-dir', path.join(WORK, `${name}-behaviour`), '--out', data, '--quiet');
    }
    const dataset = await loadDataset(data);
    // The data's own discounted value per row-start is not comparable; report the behaviour data's mean reward per step / (1 − γ) as context.
    let rewardSum = 0;
    for (let i = 0; i < dataset.size; i++) rewardSum += dataset.rewards[i] as number;
    const behaviourValue = rewardSum / dataset.size / (1 - GAMMA);
    for (const target of c.targets) {
      const runDir = path.join(WORK, `${name}-${target.name}`);
      if (!existsSync(path.join(runDir, 'summary.json'))) {
        console.error(`== ${c.env}: held-out ${target.label}`);
        rxrl('train', '--algo', 'ppo', '--env', c.env, '--seed', String(target.seed), '--steps', String(target.trainSteps), '--out', runDir, '--quiet');
      }
      const policy = await loadRawObservationPolicy(runDir);
      try {
        const mc = await monteCarloValue(c.env, policy.actor, { episodes: MC_EPISODES, gamma: GAMMA, seed: 10_000 });
        const estimates: CaseResult['estimates'][number][] = [];
        for (let seed = 0; seed < seeds; seed++) {
          const t0 = performance.now();
          const e = estimatePolicyValue(dataset, policy, { gamma: GAMMA, steps, seed, batchSize });
          const seconds = (performance.now() - t0) / 1000;
          const withError = (k: EstimatorKey): SeedEstimate => ({ ...e[k], relativeError: (e[k].value - mc.mean) / Math.abs(mc.mean) });
          const row = { seed, seconds, meanWeight: e.meanWeight, lagrangian: withError('lagrangian'), dualDice: withError('dualDice'), fittedQ: withError('fittedQ') };
          estimates.push(row);
          const show = (k: EstimatorKey) => `${k} ${row[k].value.toFixed(2)} [${row[k].low.toFixed(2)}, ${row[k].high.toFixed(2)}] (${(100 * row[k].relativeError).toFixed(1)}%)`;
          console.error(`${c.env} ${target.name} seed ${seed}: ${ESTIMATORS.map((x) => show(x.key)).join(', ')}; Monte-Carlo ${mc.mean.toFixed(2)} ± ${(mc.std / Math.sqrt(MC_EPISODES)).toFixed(2)} (s.e.) (${seconds.toFixed(0)} s)`);
        }
        const result: CaseResult = { env: c.env, target: target.label, steps, batchSize, datasetRows: dataset.size, monteCarlo: { mean: mc.mean, std: mc.std, episodes: MC_EPISODES }, estimates, behaviourValue };
        writeFileSync(path.join(RESULTS, `${name}-${target.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
      } finally {
        await policy.close();
      }
    }
  }
}

const results: CaseResult[] = readdirSync(RESULTS)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(path.join(RESULTS, f), 'utf8')) as CaseResult);
// One report describes one setting: result files left from runs with other --steps or --batch would be mislabelled.
const mixed = results.filter((r) => r.steps !== results[0]?.steps || r.batchSize !== results[0]?.batchSize);
if (mixed.length > 0) throw new Error(`${RESULTS}: results of different settings (${results.map((r) => `${r.env} ${r.target}: ${r.steps} steps, batch ${r.batchSize}`).join('; ')}); rerun them alike or remove the stale files`);
const out = values.out;
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'ope.json'), `${JSON.stringify({ gamma: GAMMA, results }, null, 2)}\n`);
const first = results[0];
const lines = [
  '# Off-policy evaluation: DICE vs Monte-Carlo',
  '',
  `\`npm run bench:ope\` (bench/ope.ts). Dataset: every transition of a PPO run (seed 0, zoo settings, 100k steps: D4RL's medium-replay recipe run to the end). Targets: the final policy of a second PPO run (seed 1, 100k steps) and a weak one (seed 2, stopped early), neither of which produced any of the data; two targets of different worth, so that an estimator blind to the target cannot pass. γ = ${GAMMA}; ${first?.steps ?? steps} steps of each network, batch ${first?.batchSize ?? batchSize} transitions. DualDICE: ν and ζ of [64, 64] ReLU, Adam 1e-4 (ν) and 1e-3 (ζ), plus ${Math.max(1, Math.round((first?.batchSize ?? batchSize) / 8))} absorbing self-transitions per batch (terminal transitions lead to the absorbing state), the Polyak average of ζ, self-normalised over the data and the absorbing state. Fitted Q: [64, 64] ReLU with LayerNorm, Adam 3e-4, Polyak target τ = 0.02, bootstrapped values clipped to the rewards' bounds. Lagrangian: fitted Q's value plus the ζ-weighted Bellman residuals of Q (exact when either ζ or Q is). Intervals: 95% episode bootstrap with the networks held fixed (the data's sampling only). Monte-Carlo: the target as it acts (sampling) for ${first?.monteCarlo.episodes ?? MC_EPISODES} episodes, each to termination or γ^H < 1e-4 (the env's time limit lifted: the discounted value the estimators target has none).`,
  '',
  '| env | target | Monte-Carlo value (± s.e.) | estimator | per seed (95% episode-bootstrap CI) | relative error per seed | median |error| |',
  '|---|---|---:|---|---|---|---:|',
  ...results.flatMap((r) =>
    ESTIMATORS.map(({ key, label }) => {
      const est = r.estimates.map((e) => `${e[key].value.toFixed(1)} [${e[key].low.toFixed(1)}, ${e[key].high.toFixed(1)}]`).join('; ');
      const errs = r.estimates.map((e) => `${(100 * e[key].relativeError).toFixed(1)}%`).join(', ');
      const med = summarize(r.estimates.map((e) => Math.abs(e[key].relativeError))).median;
      return `| ${r.env} | ${r.target} | ${r.monteCarlo.mean.toFixed(1)} (± ${(r.monteCarlo.std / Math.sqrt(r.monteCarlo.episodes)).toFixed(1)}) | ${label} | ${est} | ${errs} | ${(100 * med).toFixed(1)}% |`;
    }),
  ),
  '',
  `Behaviour data's mean reward per step / (1 − γ), for scale: ${[...new Set(results.map((r) => `${r.env} ${r.behaviourValue.toFixed(1)}`))].join(', ')}.`,
  '',
];
writeFileSync(path.join(out, 'ope.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
