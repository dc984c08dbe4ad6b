import { InvalidArgumentError, type Command } from 'commander';
import { perStepValueBounds } from '../algorithms/fitted-q-evaluation.js';
import { loadDataset } from '../data/load-dataset.js';
import { loadRawObservationPolicy } from '../loop/evaluate-run.js';
import { estimatePolicyValue, monteCarloValue, type IntervalEstimate } from '../loop/ope.js';
import { parseNonNegativeInt, parsePositiveInt } from './parse.js';

interface OpeFlags {
  dataset: string;
  policy: string;
  gamma: number;
  steps: number;
  batchSize: number;
  seed: number;
  mcEpisodes: number;
  json?: boolean;
  quiet?: boolean;
}

/** |E_d̃[ζ] − 1| above which `rxrl ope` warns that DualDICE has not settled. */
const UNSETTLED_MASS = 0.2;

function parseDiscount(value: string): number {
  const g = Number(value);
  if (!(g > 0 && g < 1)) throw new InvalidArgumentError(`expected a discount in (0, 1), got "${value}"`);
  return g;
}

/** `rxrl ope`: a policy's discounted value from a dataset alone (the Lagrangian DICE estimate, with DualDICE and fitted Q beside it), optionally checked against Monte-Carlo rollouts. */
export function addOpeCommand(program: Command): void {
  program
    .command('ope')
    .description("estimate a run's policy value from a dataset alone (DICE off-policy evaluation: the Lagrangian estimate of DualDICE's weights and fitted Q) with bootstrap CIs; --mc-episodes compares it with rollouts")
    .requiredOption('--dataset <file>', 'the dataset (D4RL-layout or Minari HDF5) of transitions from any behaviour')
    .requiredOption('--policy <dir>', 'run folder of the policy to evaluate (its latest checkpoint, acting as trained: sampling)')
    .option('--gamma <g>', 'discount of the value', parseDiscount, 0.99)
    .option('--steps <n>', 'gradient steps of the DualDICE saddle point, and as many of fitted Q evaluation', parsePositiveInt, 20_000)
    .option('--batch-size <n>', 'transitions per step', parsePositiveInt, 512)
    .option('--seed <n>', 'seed of the networks, the batches and the rollouts', parseNonNegativeInt, 0)
    .option('--mc-episodes <n>', 'also roll the policy out for n episodes in its env and report the Monte-Carlo value and the relative error', parseNonNegativeInt, 0)
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress on stderr')
    .action(async (flags: OpeFlags) => {
      const dataset = await loadDataset(flags.dataset);
      const policy = await loadRawObservationPolicy(flags.policy);
      try {
        const log = (m: string) => {
          if (flags.quiet !== true) console.error(`rxrl: ${m}`);
        };
        log(`off-policy evaluation on ${flags.dataset} (${dataset.size} transitions) of the policy of ${flags.policy} (${policy.config.algo} on ${policy.config.env}), γ = ${flags.gamma}, ${flags.steps} steps each of DualDICE and fitted Q`);
        const started = performance.now();
        const seconds = () => ((performance.now() - started) / 1000).toFixed(0);
        const estimates = estimatePolicyValue(dataset, policy, {
          gamma: flags.gamma,
          steps: flags.steps,
          batchSize: flags.batchSize,
          seed: flags.seed,
          onProgress: (p) => log(`DualDICE step ${p.step}: saddle objective ${p.objective.toFixed(4)}, mean residual ${p.meanResidual.toFixed(4)} (${seconds()} s)`),
          onFittedQProgress: (p) => log(`fitted Q step ${p.step}: Bellman error ${p.loss.toExponential(3)} (${seconds()} s)`),
        });
        const mc = flags.mcEpisodes > 0 ? await monteCarloValue(policy.config.env, policy.actor, { episodes: flags.mcEpisodes, gamma: flags.gamma, seed: flags.seed + 10_000 }) : undefined;
        const errorOf = (value: number) => (mc === undefined ? undefined : (value - mc.mean) / Math.abs(mc.mean));
        if (flags.json === true) {
          const relativeErrors = mc === undefined ? undefined : { lagrangian: errorOf(estimates.lagrangian.value), dualDice: errorOf(estimates.dualDice.value), fittedQ: errorOf(estimates.fittedQ.value) };
          console.log(JSON.stringify({ estimates, ...(mc !== undefined ? { monteCarlo: { mean: mc.mean, std: mc.std, episodes: flags.mcEpisodes }, relativeErrors } : {}) }));
          return;
        }
        const line = (label: string, e: IntervalEstimate) => {
          const err = errorOf(e.value);
          return `${label}${e.value.toFixed(3)}  [${e.low.toFixed(3)}, ${e.high.toFixed(3)}]${err === undefined ? '' : `  error ${(100 * err).toFixed(1)}%`}`;
        };
        console.log(`Discounted value (γ = ${flags.gamma}), 95% episode-bootstrap intervals (the data's sampling; the networks held fixed):`);
        console.log(line('  DICE Lagrangian estimate:  ', estimates.lagrangian));
        console.log(line('  DualDICE weights alone:    ', estimates.dualDice) + `  (E_d̃[ζ] = ${estimates.meanWeight.toFixed(3)})`);
        console.log(line('  fitted Q alone:            ', estimates.fittedQ));
        // At the saddle point the augmented occupancy has mass 1; far from it ζ (and the estimates using it) have not settled.
        if (Math.abs(estimates.meanWeight - 1) > UNSETTLED_MASS) console.log(`warning: E_d̃[ζ] = ${estimates.meanWeight.toFixed(3)}, not ≈ 1: DualDICE has not settled and the two estimates using ζ are unreliable; train longer (--steps)`);
        // Every policy's value lies between the least and the largest reward (or 0, the absorbing state's) over 1 − γ.
        const bounds = perStepValueBounds(dataset.rewards);
        const [lowest, highest] = [bounds.low / (1 - flags.gamma), bounds.high / (1 - flags.gamma)];
        for (const [name, e] of [['Lagrangian', estimates.lagrangian], ['DualDICE', estimates.dualDice], ['fitted Q', estimates.fittedQ]] as const) {
          if (e.value < lowest || e.value > highest) console.log(`warning: the ${name} estimate ${e.value.toFixed(3)} is outside [${lowest.toFixed(3)}, ${highest.toFixed(3)}], the values any policy can have on these rewards: its networks have not settled`);
        }
        if (mc !== undefined) console.log(`Monte-Carlo value over ${flags.mcEpisodes} episodes in ${policy.config.env}: ${mc.mean.toFixed(3)} ± ${mc.std.toFixed(3)}`);
      } finally {
        await policy.close();
      }
    });
}
