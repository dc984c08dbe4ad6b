import { ConfigError, describeValue } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { Box } from '../../core/spaces.js';
import type { EnvKernel, KernelStepOut } from '../kernel.js';
import type { BatchedActions } from '../vector/vector-env.js';
import { sinCos, TRIG, TRIG_COS, TRIG_X } from './trig.js';

/** Gymnasium's registered time limit of `MountainCarContinuous-v0`. */
export const MOUNTAIN_CAR_CONTINUOUS_MAX_EPISODE_STEPS = 999;
/** Gymnasium's registered reward threshold of `MountainCarContinuous-v0`. */
export const MOUNTAIN_CAR_CONTINUOUS_REWARD_THRESHOLD = 90;

/** Keyword arguments of `MountainCarContinuous-v0`. */
export interface MountainCarContinuousOptions {
  /** Gymnasium's `goal_velocity`: the car must also be at least this fast at the goal. Default 0. */
  readonly goalVelocity?: number;
}

const MIN_ACTION = -1.0;
const MAX_ACTION = 1.0;
const MIN_POSITION = -1.2;
const MAX_POSITION = 0.6;
const MAX_SPEED = 0.07;
/** 0.45 here, not the 0.5 of the discrete MountainCar. */
const GOAL_POSITION = 0.45;
const POWER = 0.0015;
const GRAVITY = 0.0025;

// Float32 images of the Python-float constants. Gymnasium keeps this env's state in a float32
// array, and NumPy 2 combines a float32 scalar with a Python float by first rounding the Python
// float to float32 (in arithmetic and in comparisons alike).
const POWER_F = Math.fround(POWER);
const MAX_SPEED_F = Math.fround(MAX_SPEED);
const MIN_POSITION_F = Math.fround(MIN_POSITION);
const MAX_POSITION_F = Math.fround(MAX_POSITION);
const GOAL_POSITION_F = Math.fround(GOAL_POSITION);

/**
 * `MountainCarContinuous-v0` (Gymnasium 1.3.0): drive the car up the right hill with a force in
 * [−1, 1]. State `[position, velocity]`; the observation is the same in float32. Reward
 * −0.1·a² per step (a the unclipped action) plus 100 on reaching position ≥ 0.45 with velocity
 * ≥ `goalVelocity`, which terminates.
 *
 * Gymnasium stores this env's state as float32 after every step but as float64 right after a
 * reset, and the arithmetic differs between the two (see {@link MountainCarContinuousKernel.step}).
 * The kernel keeps the state in float64 and tells the two apart by value: a state whose entries
 * are both float32 numbers is taken as a stepped (float32) state. A float64 reset position is a
 * float32 number with probability about 2⁻²⁹, so this reproduces Gymnasium in practice.
 */
export class MountainCarContinuousKernel implements EnvKernel {
  readonly id = 'MountainCarContinuous-v0';
  readonly observationSpace = new Box([MIN_POSITION, -MAX_SPEED], [MAX_POSITION, MAX_SPEED]);
  readonly actionSpace = new Box(MIN_ACTION, MAX_ACTION, [1]);
  readonly stateSize = 2;
  readonly actionSize = 1;
  readonly goalVelocity: number;
  private readonly goalVelocityF: number;

  constructor(options: MountainCarContinuousOptions = {}) {
    const goalVelocity = options.goalVelocity ?? 0;
    if (typeof goalVelocity !== 'number' || !Number.isFinite(goalVelocity)) {
      throw new ConfigError(`MountainCarContinuous-v0: option goalVelocity must be a finite number, got ${describeValue(goalVelocity)}`);
    }
    this.goalVelocity = goalVelocity;
    this.goalVelocityF = Math.fround(goalVelocity);
  }

  resetState(state: Float64Array, offset: number, rng: Rng): void {
    // float64, as Gymnasium's reset (`np.array([uniform, 0])`).
    state[offset] = rng.uniformRange(-0.6, -0.4);
    state[offset + 1] = 0;
  }

  /**
   * One step with NumPy 2's mixed float32/float64 rules. Each quantity is float32, float64 or a
   * Python float ("weak": it takes the other operand's type, rounded to float32 first):
   * - the clipped force is the float32 action, or the Python float ±1 when clipping changed it;
   * - `force * power` and `… − 0.0025·cos(3·position)` are float32 when the force is;
   * - on a stepped (float32) state the velocity and position updates, the clip and goal
   *   comparisons are float32; on a fresh reset state (float64) they are float64;
   * - a clipped velocity or position is the Python float bound until stored.
   */
  step(state: Float64Array, offset: number, actions: BatchedActions, actionOffset: number, out: KernelStepOut): void {
    let position = state[offset] as number;
    let velocity = state[offset + 1] as number;
    const single = Math.fround(position) === position && Math.fround(velocity) === velocity;
    const action = Math.fround(actions[actionOffset] as number);

    TRIG[TRIG_X] = single ? Math.fround(3 * position) : 3 * position;
    sinCos();
    const slope = GRAVITY * (TRIG[TRIG_COS] as number);
    let accel: number;
    if (action < MIN_ACTION) accel = MIN_ACTION * POWER - slope;
    else if (action > MAX_ACTION) accel = MAX_ACTION * POWER - slope;
    else accel = Math.fround(Math.fround(action * POWER_F) - Math.fround(slope));

    // Whether velocity/position currently hold a Python-float bound rather than a float32 value.
    let velocityIsBound = false;
    let positionIsBound = false;
    if (single) {
      velocity = Math.fround(velocity + Math.fround(accel));
      if (velocity > MAX_SPEED_F) {
        velocity = MAX_SPEED;
        velocityIsBound = true;
      }
      if (!velocityIsBound && velocity < -MAX_SPEED_F) {
        velocity = -MAX_SPEED;
        velocityIsBound = true;
      }
      position = Math.fround(position + Math.fround(velocity));
      if (position > MAX_POSITION_F) {
        position = MAX_POSITION;
        positionIsBound = true;
      }
      if (!positionIsBound && position < MIN_POSITION_F) {
        position = MIN_POSITION;
        positionIsBound = true;
      }
      if ((positionIsBound ? position === MIN_POSITION : position === MIN_POSITION_F) && velocity < 0) {
        velocity = 0;
        velocityIsBound = true; // an exact Python int 0
      }
      out.terminated = (positionIsBound ? position >= GOAL_POSITION : position >= GOAL_POSITION_F) && (velocityIsBound ? velocity >= this.goalVelocity : velocity >= this.goalVelocityF);
    } else {
      velocity += accel;
      if (velocity > MAX_SPEED) velocity = MAX_SPEED;
      else if (velocity < -MAX_SPEED) velocity = -MAX_SPEED;
      position += velocity;
      if (position > MAX_POSITION) position = MAX_POSITION;
      else if (position < MIN_POSITION) position = MIN_POSITION;
      if (position === MIN_POSITION && velocity < 0) velocity = 0;
      out.terminated = position >= GOAL_POSITION && velocity >= this.goalVelocity;
    }

    // Gymnasium stores the new state as float32 whichever way it was computed.
    state[offset] = Math.fround(position);
    state[offset + 1] = Math.fround(velocity);
    // The penalty uses the unclipped action; a·a is exact in float64 for a float32 a.
    out.reward = (out.terminated ? 100.0 : 0.0) - action * action * 0.1;
  }

  observe(state: Float64Array, offset: number, obs: Float32Array, obsOffset: number): void {
    obs[obsOffset] = state[offset] as number;
    obs[obsOffset + 1] = state[offset + 1] as number;
  }
}
