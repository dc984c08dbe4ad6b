import { checkKwargs, type KwargTypes } from '../kwargs.js';
import { register, type EnvKwargs } from '../registry.js';
import { MaskObservation, VectorMaskObservation } from '../wrappers/mask-observation.js';
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

/** The observation entries of the joint velocities: the last nv (the observation is qpos without the root's x, then qvel). */
const velocityEntries = (observationSize: number, nv: number): number[] => Array.from({ length: nv }, (_, i) => observationSize - nv + i);

/** The POMDP variant's id: `rxrl/Hopper-v0` → `rxrl/HopperNoVel-v0`. */
export const noVelId = (id: string): string => id.replace(/-v(\d+)$/, 'NoVel-v$1');

/**
 * Registers `rxrl/Hopper-v0`, `rxrl/Walker2d-v0`, `rxrl/HalfCheetah-v0` and `rxrl/Ant-v0` (1000-step
 * time limit, native vector form), and their POMDP variants with the velocities hidden
 * (`rxrl/HopperNoVel-v0`, …: only the joint positions are observed).
 */
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
    register({
      id: noVelId(task.id),
      maxEpisodeSteps: LOCOMOTION_MAX_EPISODE_STEPS,
      description: `${task.id} with the velocities hidden (joint positions only), a POMDP`,
      entryPoint: (kw) => {
        const env = new LocomotionEnv(task, options(kw));
        return new MaskObservation(env, velocityEntries(env.core.observationSize, env.core.model.nv));
      },
      vectorEntryPoint: (n, kw, spec) => {
        const env = new LocomotionVectorEnv(task, n, { ...options(kw), ...(spec.maxEpisodeSteps !== undefined ? { maxEpisodeSteps: spec.maxEpisodeSteps } : {}), spec });
        return new VectorMaskObservation(env, velocityEntries(env.observationSize, env.core.model.nv));
      },
    });
  }
}
