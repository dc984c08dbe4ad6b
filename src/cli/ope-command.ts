import { InvalidArgumentError, type Command } from 'commander';
import { loadDataset } from '../data/load-dataset.js';
import { loadRawObservationPolicy } from '../loop/evaluate-run.js';
import { estimatePolicyValue, monteCarloValue } from '../loop/ope.js';
import { parsePositiveInt } from './parse.js';

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

function parseDiscount(value: string): number {
  const g = Number(value);
  if (!(g > 0 && g < 1)) throw new InvalidArgumentError(`expected a discount in (0, 1), got "${value}"`);
  return g;
}

/** `rxrl ope`: a policy's discounted value from a dataset alone (DualDICE), optionally checked against Monte-Carlo rollouts. */
export function addOpeCommand(program: Command): void {
  program
    .command('ope')
    .description("estimate a run's policy value from a dataset alone (DualDICE off-policy evaluation) with a bootstrap CI; --mc-episodes compares it with rollouts")
    .requiredOption('--dataset <file>', 'the dataset (D4RL-layout or Minari HDF5) of transitions from any behaviour')
    .requiredOption('--policy <dir>', 'run folder of the policy to evaluate (its latest checkpoint, acting as trained: sampling)')
    .option('--gamma <g>', 'discount of the value', parseDiscount, 0.99)
    .option('--steps <n>', 'gradient steps of the DualDICE saddle point', parsePositiveInt, 20_000)
    .option('--batch-size <n>', 'transitions per step', parsePositiveInt, 512)
    .option('--seed <n>', 'seed of the networks, the batches and the rollouts', parsePositiveInt, 0)
    .option('--mc-episodes <n>', 'also roll the policy out for n episodes in its env and report the Monte-Carlo value and the relative error', parsePositiveInt, 0)
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress on stderr')
    .action(async (flags: OpeFlags) => {
      const dataset = await loadDataset(flags.dataset);
      const policy = await loadRawObservationPolicy(flags.policy);
      try {
        const log = (m: string) => {
          if (flags.quiet !== true) console.error(`rxrl: ${m}`);
        };
        log(`DualDICE on ${flags.dataset} (${dataset.size} transitions) for the policy of ${flags.policy} (${policy.config.algo} on ${policy.config.env}), γ = ${flags.gamma}, ${flags.steps} steps`);
        const started = performance.now();
        const estimate = estimatePolicyValue(dataset, policy, {
          gamma: flags.gamma,
          steps: flags.steps,
          batchSize: flags.batchSize,
          seed: flags.seed,
          onProgress: (p) => log(`step ${p.step}: saddle objective ${p.objective.toFixed(4)}, mean residual ${p.meanResidual.toFixed(4)} (${((performance.now() - started) / 1000).toFixed(0)} s)`),
        });
        const mc = flags.mcEpisodes > 0 ? await monteCarloValue(policy.config.env, policy.actor, { episodes: flags.mcEpisodes, gamma: flags.gamma, seed: flags.seed + 10_000 }) : undefined;
        const relativeError = mc === undefined ? undefined : (estimate.value - mc.mean) / Math.abs(mc.mean);
        if (flags.json === true) {
          console.log(JSON.stringify({ estimate, ...(mc !== undefined ? { monteCarlo: { mean: mc.mean, std: mc.std, episodes: flags.mcEpisodes }, relativeError } : {}) }));
          return;
        }
        console.log(`DualDICE estimate of the discounted value (γ = ${flags.gamma}): ${estimate.value.toFixed(3)}  [${estimate.low.toFixed(3)}, ${estimate.high.toFixed(3)}] 95% episode bootstrap; E_D[ζ] = ${estimate.meanWeight.toFixed(3)}`);
        if (mc !== undefined && relativeError !== undefined) {
          console.log(`Monte-Carlo value over ${flags.mcEpisodes} episodes in ${policy.config.env}: ${mc.mean.toFixed(3)} ± ${mc.std.toFixed(3)}; relative error of the estimate ${(100 * relativeError).toFixed(1)}%`);
        }
      } finally {
        await policy.close();
      }
    });
}
