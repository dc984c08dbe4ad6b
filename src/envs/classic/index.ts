export { ACROBOT_MAX_EPISODE_STEPS, ACROBOT_REWARD_THRESHOLD, AcrobotKernel } from './acrobot.js';
export { CARTPOLE_MAX_EPISODE_STEPS, CARTPOLE_REWARD_THRESHOLD, CartPoleKernel, type CartPoleOptions } from './cartpole.js';
export {
  MOUNTAIN_CAR_CONTINUOUS_MAX_EPISODE_STEPS,
  MOUNTAIN_CAR_CONTINUOUS_REWARD_THRESHOLD,
  MountainCarContinuousKernel,
  type MountainCarContinuousOptions,
} from './mountain-car-continuous.js';
export { MOUNTAIN_CAR_MAX_EPISODE_STEPS, MOUNTAIN_CAR_REWARD_THRESHOLD, MountainCarKernel, type MountainCarOptions } from './mountain-car.js';
export { PENDULUM_MAX_EPISODE_STEPS, PendulumKernel, type PendulumOptions } from './pendulum.js';
