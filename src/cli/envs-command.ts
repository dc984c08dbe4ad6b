import type { Command } from 'commander';
import { describeSpace } from '../core/spaces.js';
import { make, registeredIds, registration } from '../envs/registry.js';

/** `rxrl envs`: lists the registered environments with their spaces and limits. */
export function addEnvsCommand(program: Command): void {
  program
    .command('envs')
    .description('list registered environments')
    .action(async () => {
      for (const id of registeredIds()) {
        const reg = registration(id);
        const env = make(id);
        const limit = reg.maxEpisodeSteps !== undefined ? ` steps≤${reg.maxEpisodeSteps}` : '';
        const threshold = reg.rewardThreshold !== undefined ? ` solved≥${reg.rewardThreshold}` : '';
        console.log(`${id.padEnd(34)} obs ${describeSpace(env.observationSpace)}  act ${describeSpace(env.actionSpace)}${limit}${threshold}`);
        await env.close();
      }
    });
}
