import { ConfigError, describeValue } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { Box, Discrete } from '../../core/spaces.js';
import type { EnvKernel, KernelStepOut } from '../kernel.js';
import type { BatchedActions } from '../vector/vector-env.js';
import { sinCos, TRIG, TRIG_COS, TRIG_X } from './trig.js';

/** Gymnasium's registered time limit of `MountainCar-v0`. */
export const MOUNTAIN_CAR_MAX_EPISODE_STEPS = 200;
/** Gymnasium's registered reward threshold of `MountainCar-v0`. */
export const MOUNTAIN_CAR_REWARD_THRESHOLD = -110;

/** Keyword arguments of `MountainCar-v0`. */
export interface MountainCarOptions {
  /** Gymnasium's `goal_velocity`: the car must also be at least this fast at the goal. Default 0. */
  readonly goalVelocity?: number;
}

const MIN_POSITION = -1.2;
const MAX_POSITION = 0.6;
const MAX_SPEED = 0.07;
const GOAL_POSITION = 0.5;
const FORCE = 0.001;
const GRAVITY = 0.0025;

/**
 * `MountainCar-v0` (Gymnasium 1.3.0): drive an under-powered car up the right hill with
 * actions 0 (push left), 1 (no push), 2 (push right). State `[position, velocity]` in float64;
 * the observation is the same in float32. Reward −1 per step; terminates at position ≥ 0.5
 * with velocity ≥ `goalVelocity`.
 */
export class MountainCarKernel implements EnvKernel {
  readonly id = 'MountainCar-v0';
  readonly observationSpace = new Box([MIN_POSITION, -MAX_SPEED], [MAX_POSITION, MAX_SPEED]);
  readonly actionSpace = new Discrete(3);
  readonly stateSize = 2;
  readonly actionSize = 1;
  readonly goalVelocity: number;

  constructor(options: MountainCarOptions = {}) {
    const goalVelocity = options.goalVelocity ?? 0;
    if (typeof goalVelocity !== 'number' || !Number.isFinite(goalVelocity)) {
      throw new ConfigError(`MountainCar-v0: option goalVelocity must be a finite number, got ${describeValue(goalVelocity)}`);
    }
    this.goalVelocity = goalVelocity;
  }

  resetState(state: Float64Array, offset: number, rng: Rng): void {
    state[offset] = rng.uniformRange(-0.6, -0.4);
    state[offset + 1] = 0;
  }

  step(state: Float64Array, offset: number, actions: BatchedActions, actionOffset: number, out: KernelStepOut): void {
    let position = state[offset] as number;
    let velocity = state[offset + 1] as number;
    const action = actions[actionOffset] as number;

    TRIG[TRIG_X] = 3 * position;
    sinCos();
    // Gymnasium adds the push and the slope term together before adding them to the velocity.
    velocity += (action - 1) * FORCE + (TRIG[TRIG_COS] as number) * -GRAVITY;
    if (velocity < -MAX_SPEED) velocity = -MAX_SPEED;
    else if (velocity > MAX_SPEED) velocity = MAX_SPEED;
    position += velocity;
    if (position < MIN_POSITION) position = MIN_POSITION;
    else if (position > MAX_POSITION) position = MAX_POSITION;
    // Inelastic collision with the left wall.
    if (position === MIN_POSITION && velocity < 0) velocity = 0;

    state[offset] = position;
    state[offset + 1] = velocity;
    out.terminated = position >= GOAL_POSITION && velocity >= this.goalVelocity;
    out.reward = -1.0;
  }

  observe(state: Float64Array, offset: number, obs: Float32Array, obsOffset: number): void {
    obs[obsOffset] = state[offset] as number;
    obs[obsOffset + 1] = state[offset + 1] as number;
  }
}
