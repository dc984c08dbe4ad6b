import type { Command } from 'commander';
import { describeSpace } from '../core/spaces.js';
import { listGymnasiumEnvs } from '../envs/gymnasium/index.js';
import { make, registeredIds, registration } from '../envs/registry.js';

function limits(maxEpisodeSteps: number | null | undefined, rewardThreshold: number | null | undefined): string {
  const limit = maxEpisodeSteps != null ? ` steps≤${maxEpisodeSteps}` : '';
  const threshold = rewardThreshold != null ? ` solved≥${rewardThreshold}` : '';
  return `${limit}${threshold}`;
}

/** `rxrl envs`: lists the registered environments with their spaces and limits; `--gymnasium` lists the bridged ones. */
export function addEnvsCommand(program: Command): void {
  program
    .command('envs')
    .description('list registered environments (--gymnasium: the ids of the Python Gymnasium the bridge runs)')
    .option('--gymnasium', "list Gymnasium's registered ids, usable as gymnasium:ID (needs `npm run setup:bridge` or a Python with gymnasium)")
    .option('--python <path>', 'Python interpreter for --gymnasium (default: $RXRL_PYTHON, the project venv, python3)')
    .action(async (flags: { gymnasium?: boolean; python?: string }) => {
      if (flags.gymnasium === true) {
        for (const e of listGymnasiumEnvs(flags.python !== undefined ? { python: flags.python } : {})) {
          console.log(`${e.id.padEnd(44)} ${e.entryPoint}${limits(e.maxEpisodeSteps, e.rewardThreshold)}`);
        }
        return;
      }
      for (const id of registeredIds()) {
        const reg = registration(id);
        const env = make(id);
        console.log(`${id.padEnd(34)} obs ${describeSpace(env.observationSpace)}  act ${describeSpace(env.actionSpace)}${limits(reg.maxEpisodeSteps, reg.rewardThreshold)}`);
        await env.close();
      }
      console.log('\nAny Gymnasium env runs through the Python bridge as gymnasium:ID: `rxrl envs --gymnasium` lists them.');
    });
}
