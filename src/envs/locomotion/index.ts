/** Locomotion tasks (hopper, walker, half-cheetah, ant) on rxrl's batched rigid-body physics. */
export {
  LocomotionBatch,
  LocomotionEnv,
  LocomotionVectorEnv,
  type LocomotionSettings,
  type LocomotionVectorEnvOptions,
  type LocomotionVectorSnapshot,
} from './locomotion-env.js';
export { DifferentiableLocomotion } from './differentiable.js';
export { locomotionKwargTypes, registerLocomotionEnvs } from './register.js';
export {
  LOCOMOTION_MAX_EPISODE_STEPS,
  LOCOMOTION_TASKS,
  LOCOMOTION_TIMESTEP,
  locomotionAssetPath,
  locomotionModel,
  locomotionTask,
  type HealthRule,
  type LocomotionOptions,
  type LocomotionTask,
} from './tasks.js';
