/**
 * Off-policy evaluation benchmark (`npm run bench:ope`): DualDICE's estimate of a held-out
 * policy's discounted value from a dataset, against the policy's Monte-Carlo value.
 *
 * Per env (CartPole-v1, Pendulum-v1), with the rxrl CLI:
 *   - the dataset: every transition of a PPO training run (seed 0, the zoo settings; D4RL's
 *     medium-replay recipe run to the end of the budget), i.e. data from a whole range of policies;
 *   - the held-out target: the final policy of another PPO run (seed 1), which produced no data;
 *   - DualDICE (`estimatePolicyValue`) with 5 seeds, γ = 0.99, both ways of learning ζ (a network
 *     on the saddle point; the best response read off ν), and the Monte-Carlo value of the
 *     target (sampling, as it acts) over 100 episodes run to termination or γ^H < 1e-4.
 * Writes `OUT/ope.json` and `OUT/ope.md` (default docs/benchmarks/offline). Runs and datasets go
 * to bench-results/ope/ and are reused when present.
 *
 *   --out DIR     report folder
 *   --seeds K     DualDICE seeds (default 5)
 *   --steps N     DualDICE gradient steps (default 20000)
 *   --batch N     transitions per step (default 256; plus 1/8 as many absorbing self-transitions)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDataset } from '../src/data/load-dataset.js';
import { loadRawObservationPolicy } from '../src/loop/evaluate-run.js';
import { estimatePolicyValue, monteCarloValue } from '../src/loop/ope.js';
import { summarize } from './stats.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs/benchmarks/offline' }, seeds: { type: 'string', default: '5' }, steps: { type: 'string', default: '20000' }, batch: { type: 'string', default: '256' } } });
const batchSize = Number(values.batch);
const WORK = 'bench-results/ope';
const GAMMA = 0.99;
const seeds = Number(values.seeds);
const steps = Number(values.steps);
const rxrl = (...args: string[]) => execFileSync(process.execPath, ['bin/rxrl.js', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });

interface EnvCase {
  readonly env: string;
  /** Training steps of both PPO runs. */
  readonly trainSteps: number;
}
const CASES: readonly EnvCase[] = [
  { env: 'CartPole-v1', trainSteps: 100_000 },
  { env: 'Pendulum-v1', trainSteps: 100_000 },
];

const ZETA_MODES = ['network', 'best-response'] as const;

interface CaseResult {
  readonly env: string;
  readonly zeta: (typeof ZETA_MODES)[number];
  readonly datasetRows: number;
  readonly monteCarlo: { readonly mean: number; readonly std: number; readonly episodes: number };
  readonly estimates: readonly { readonly seed: number; readonly value: number; readonly low: number; readonly high: number; readonly relativeError: number; readonly seconds: number }[];
  readonly behaviourValue: number;
}

mkdirSync(WORK, { recursive: true });
const results: CaseResult[] = [];
for (const c of CASES) {
  const name = c.env.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();
  const data = path.join(WORK, `${name}-replay.h5`);
  const behaviourRun = path.join(WORK, `${name}-behaviour`);
  const targetRun = path.join(WORK, `${name}-target`);
  if (!existsSync(data)) {
    console.error(`== ${c.env}: dataset (every transition of a PPO run, seed 0)`);
    rxrl('dataset', 'collect', '--recipe', 'medium-replay', '--env', c.env, '--seed', '0', '--steps', String(c.trainSteps), '--run-dir', behaviourRun, '--out', data, '--quiet');
  }
  if (!existsSync(path.join(targetRun, 'summary.json'))) {
    console.error(`== ${c.env}: held-out target policy (PPO, seed 1)`);
    rxrl('train', '--algo', 'ppo', '--env', c.env, '--seed', '1', '--steps', String(c.trainSteps), '--out', targetRun, '--quiet');
  }
  const dataset = await loadDataset(data);
  const policy = await loadRawObservationPolicy(targetRun);
  try {
    const mc = await monteCarloValue(c.env, policy.actor, { episodes: 100, gamma: GAMMA, seed: 10_000 });
    // The data's own discounted value per row-start is not comparable; report the behaviour data's mean reward per step / (1 − γ) as context.
    let rewardSum = 0;
    for (let i = 0; i < dataset.size; i++) rewardSum += dataset.rewards[i] as number;
    const behaviourValue = rewardSum / dataset.size / (1 - GAMMA);
    for (const zeta of ZETA_MODES) {
      const estimates: CaseResult['estimates'][number][] = [];
      for (let seed = 0; seed < seeds; seed++) {
        const t0 = performance.now();
        const e = estimatePolicyValue(dataset, policy, { gamma: GAMMA, steps, seed, batchSize, zeta });
        const seconds = (performance.now() - t0) / 1000;
        const relativeError = (e.value - mc.mean) / Math.abs(mc.mean);
        estimates.push({ seed, value: e.value, low: e.low, high: e.high, relativeError, seconds });
        console.error(`${c.env} ζ ${zeta} seed ${seed}: DualDICE ${e.value.toFixed(2)} [${e.low.toFixed(2)}, ${e.high.toFixed(2)}], Monte-Carlo ${mc.mean.toFixed(2)} ± ${mc.std.toFixed(2)}: error ${(100 * relativeError).toFixed(1)}% (${seconds.toFixed(0)} s)`);
      }
      results.push({ env: c.env, zeta, datasetRows: dataset.size, monteCarlo: { mean: mc.mean, std: mc.std, episodes: 100 }, estimates, behaviourValue });
    }
  } finally {
    await policy.close();
  }
}

const out = values.out;
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'ope.json'), `${JSON.stringify({ gamma: GAMMA, steps, seeds, results }, null, 2)}\n`);
const lines = [
  '# Off-policy evaluation: DualDICE vs Monte-Carlo',
  '',
  `\`npm run bench:ope\` (bench/ope.ts). Dataset: every transition of a PPO run (seed 0, zoo settings, ${CASES[0]?.trainSteps} steps: D4RL's medium-replay recipe run to the end); target: the final policy of a second PPO run (seed 1), which produced none of the data. DualDICE: ν and ζ of [64, 64] ReLU, Adam 1e-4 (ν) and 1e-3 (ζ), batch ${batchSize} transitions plus ${Math.max(1, Math.round(batchSize / 8))} absorbing self-transitions (terminal transitions lead to the absorbing state), ${steps} steps, the estimate from the Polyak average of ζ, self-normalised over the data and the absorbing state; ζ either a network ascending the saddle point (\`network\`) or the best response γν′ − ν read off ν's average with ν′ over 8 sampled next actions (\`best-response\`, exact for deterministic dynamics, as both envs are); γ = ${GAMMA}. Monte-Carlo: the target as it acts (sampling) for 100 episodes, each to termination or γ^H < 1e-4 (the env's time limit lifted: the discounted value DICE estimates has none).`,
  '',
  '| env | ζ | dataset rows | Monte-Carlo value (± sd) | behaviour data r̄/(1−γ) | DualDICE per seed (95% episode-bootstrap CI) | relative error per seed | median |error| |',
  '|---|---|---:|---:|---:|---|---|---:|',
  ...results.map((r) => {
    const est = r.estimates.map((e) => `${e.value.toFixed(1)} [${e.low.toFixed(1)}, ${e.high.toFixed(1)}]`).join('; ');
    const errs = r.estimates.map((e) => `${(100 * e.relativeError).toFixed(1)}%`).join(', ');
    const med = summarize(r.estimates.map((e) => Math.abs(e.relativeError))).median;
    return `| ${r.env} | ${r.zeta} | ${r.datasetRows} | ${r.monteCarlo.mean.toFixed(1)} (± ${r.monteCarlo.std.toFixed(1)}) | ${r.behaviourValue.toFixed(1)} | ${est} | ${errs} | ${(100 * med).toFixed(1)}% |`;
  }),
  '',
];
writeFileSync(path.join(out, 'ope.md'), `${lines.join('\n')}\n`);
console.log(lines.join('\n'));
