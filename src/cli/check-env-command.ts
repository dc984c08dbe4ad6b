import type { Command } from 'commander';
import { checkEnv, formatEnvCheckReport } from '../envs/check-env.js';
import type { AnyEnv } from '../envs/env.js';
import { make } from '../envs/registry.js';
import { loadEnvFromModule, looksLikeModulePath } from './load-env-module.js';
import { parseNonNegativeInt, parsePositiveInt } from './parse.js';

/** `rxrl check-env <id|module>`: runs checkEnv and exits non-zero on any problem. */
export function addCheckEnvCommand(program: Command): void {
  program
    .command('check-env')
    .description('check an environment (a registered id or a module exporting an env, class or factory) for API problems')
    .argument('<env>', 'registered env id (e.g. CartPole-v1) or path to a module')
    .option('--export <name>', 'export of the module to use', 'default')
    .option('--steps <n>', 'random steps per rollout', parsePositiveInt, 100)
    .option('--seed <n>', 'seed of the check', parseNonNegativeInt, 123)
    .option('--json', 'print the report as JSON')
    .action(async (envArg: string, opts: { export: string; steps: number; seed: number; json?: boolean }) => {
      const env: AnyEnv = looksLikeModulePath(envArg) ? await loadEnvFromModule(envArg, opts.export) : make(envArg);
      try {
        const report = await checkEnv(env, { steps: opts.steps, seed: opts.seed });
        console.log(opts.json === true ? JSON.stringify(report, null, 2) : formatEnvCheckReport(report));
        if (!report.ok) process.exitCode = 1;
      } finally {
        await env.close();
      }
    });
}
