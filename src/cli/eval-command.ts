import type { Command } from 'commander';
import { evaluateRun } from '../loop/evaluate-run.js';
import { preloadModules } from '../core/user-module.js';
import { collectValues, parseNonNegativeInt, parsePositiveInt, PRELOAD_HELP } from './parse.js';

/** `rxrl eval`: evaluates a trained run and prints `{"mean","std","episodes"}`. */
export function addEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('evaluate the latest checkpoint of a run folder; prints JSON {"mean","std","episodes","returns"}')
    .requiredOption('--run <dir>', 'run folder written by `rxrl train`')
    .option('--episodes <n>', 'episodes to run', parsePositiveInt, 10)
    .option('--deterministic', 'take the most likely action instead of sampling')
    .option('--seed <n>', 'seed of the evaluation episodes', parseNonNegativeInt)
    .option('--preload <file>', PRELOAD_HELP, collectValues)
    .action(async (flags: { run: string; episodes: number; deterministic?: boolean; seed?: number; preload?: string[] }) => {
      await preloadModules(flags.preload ?? []);
      const result = await evaluateRun(flags.run, { episodes: flags.episodes, deterministic: flags.deterministic === true, ...(flags.seed !== undefined ? { seed: flags.seed } : {}) });
      console.log(JSON.stringify({ mean: result.mean, std: result.std, episodes: result.episodes, returns: result.returns }));
    });
}
