import { checkKwargs, type KwargTypes } from '../kwargs.js';
import { register, type EnvKwargs } from '../registry.js';
import { LocomotionEnv, LocomotionVectorEnv } from './locomotion-env.js';
import { LOCOMOTION_MAX_EPISODE_STEPS, LOCOMOTION_TASKS, type LocomotionOptions, type LocomotionTask } from './tasks.js';

const COMMON_KWARGS: KwargTypes = {
  forwardRewardWeight: 'number',
  ctrlCostWeight: 'number',
  resetNoiseScale: 'number',
  excludeCurrentPositionsFromObservation: 'boolean',
  frameSkip: 'number',
  timestep: 'number',
  contactStiffness: 'number',
  contactDamping: 'number',
  contactSmoothing: 'number',
  frictionSmoothing: 'number',
};

/** The keyword arguments `make()` accepts for a locomotion task. */
export function locomotionKwargTypes(task: LocomotionTask): KwargTypes {
  return task.healthy === null ? COMMON_KWARGS : { ...COMMON_KWARGS, healthyReward: 'number', terminateWhenUnhealthy: 'boolean' };
}

/** Registers `rxrl/Hopper-v0`, `rxrl/Walker2d-v0`, `rxrl/HalfCheetah-v0` and `rxrl/Ant-v0` (1000-step time limit, native vector form). */
export function registerLocomotionEnvs(): void {
  for (const task of LOCOMOTION_TASKS) {
    const kwargTypes = locomotionKwargTypes(task);
    const options = (kw: EnvKwargs): LocomotionOptions => {
      checkKwargs(task.id, kw, kwargTypes);
      return kw as LocomotionOptions;
    };
    register({
      id: task.id,
      maxEpisodeSteps: LOCOMOTION_MAX_EPISODE_STEPS,
      ...(task.rewardThreshold !== undefined ? { rewardThreshold: task.rewardThreshold } : {}),
      description: task.description,
      entryPoint: (kw) => new LocomotionEnv(task, options(kw)),
      vectorEntryPoint: (n, kw, spec) =>
        new LocomotionVectorEnv(task, n, { ...options(kw), ...(spec.maxEpisodeSteps !== undefined ? { maxEpisodeSteps: spec.maxEpisodeSteps } : {}), spec }),
    });
  }
}
