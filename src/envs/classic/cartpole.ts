import type { Rng } from '../../core/rng.js';
import { Box, Discrete } from '../../core/spaces.js';
import type { EnvKernel, KernelStepOut } from '../kernel.js';
import type { BatchedActions } from '../vector/vector-env.js';
import { sinCos, TRIG, TRIG_COS, TRIG_SIN, TRIG_X } from './trig.js';

/** Gymnasium's registered time limit of `CartPole-v1`. */
export const CARTPOLE_MAX_EPISODE_STEPS = 500;
/** Gymnasium's registered reward threshold of `CartPole-v1`. */
export const CARTPOLE_REWARD_THRESHOLD = 475;

/** Keyword arguments of `CartPole-v1`. */
export interface CartPoleOptions {
  /**
   * Gymnasium's `sutton_barto_reward`: reward 0 on every non-terminating step and −1 on the
   * terminating one, instead of +1 on every step. Default `false`.
   */
  readonly suttonBartoReward?: boolean;
}

const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_POLE + MASS_CART;
/** Half the pole's length, as in Gymnasium. */
const LENGTH = 0.5;
const POLEMASS_LENGTH = MASS_POLE * LENGTH;
const FORCE_MAG = 10.0;
const TAU = 0.02;
const THETA_THRESHOLD = (12 * 2 * Math.PI) / 360;
const X_THRESHOLD = 2.4;

/**
 * `CartPole-v1` (Gymnasium 1.3.0): a pole balanced on a cart pushed left (action 0) or right (1),
 * explicit Euler integration with τ = 0.02 s. State `[x, x_dot, theta, theta_dot]` in float64;
 * the observation is the same four values in float32. Terminates when |x| > 2.4 or θ leaves
 * ±12°; the reward is 1 on every step, the terminating one included.
 */
export class CartPoleKernel implements EnvKernel {
  readonly id = 'CartPole-v1';
  readonly observationSpace = new Box([-X_THRESHOLD * 2, -Infinity, -THETA_THRESHOLD * 2, -Infinity], [X_THRESHOLD * 2, Infinity, THETA_THRESHOLD * 2, Infinity]);
  readonly actionSpace = new Discrete(2);
  readonly stateSize = 4;
  readonly actionSize = 1;
  readonly suttonBartoReward: boolean;

  constructor(options: CartPoleOptions = {}) {
    this.suttonBartoReward = options.suttonBartoReward ?? false;
  }

  resetState(state: Float64Array, offset: number, rng: Rng): void {
    for (let j = 0; j < 4; j++) state[offset + j] = rng.uniformRange(-0.05, 0.05);
  }

  step(state: Float64Array, offset: number, actions: BatchedActions, actionOffset: number, out: KernelStepOut): void {
    let x = state[offset] as number;
    let xDot = state[offset + 1] as number;
    let theta = state[offset + 2] as number;
    let thetaDot = state[offset + 3] as number;
    // Stepping on after termination (undefined behaviour in Gymnasium) pays 0 while the state
    // stays terminal. Gymnasium tracks that with `steps_beyond_terminated`; a kernel keeps no
    // counter, so a step that starts from a terminal state stands in for it.
    const alreadyTerminated = x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD || theta > THETA_THRESHOLD;

    const force = actions[actionOffset] === 1 ? FORCE_MAG : -FORCE_MAG;
    TRIG[TRIG_X] = theta;
    sinCos();
    const sinTheta = TRIG[TRIG_SIN] as number;
    const cosTheta = TRIG[TRIG_COS] as number;
    // Gymnasium's operation order, so the float64 results agree to the last bit.
    const temp = (force + POLEMASS_LENGTH * (thetaDot * thetaDot) * sinTheta) / TOTAL_MASS;
    const thetaAcc = (GRAVITY * sinTheta - cosTheta * temp) / (LENGTH * (4.0 / 3.0 - (MASS_POLE * (cosTheta * cosTheta)) / TOTAL_MASS));
    const xAcc = temp - (POLEMASS_LENGTH * thetaAcc * cosTheta) / TOTAL_MASS;

    // Explicit Euler: positions advance with the old velocities.
    x = x + TAU * xDot;
    xDot = xDot + TAU * xAcc;
    theta = theta + TAU * thetaDot;
    thetaDot = thetaDot + TAU * thetaAcc;
    state[offset] = x;
    state[offset + 1] = xDot;
    state[offset + 2] = theta;
    state[offset + 3] = thetaDot;

    const terminated = x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD || theta > THETA_THRESHOLD;
    out.terminated = terminated;
    if (this.suttonBartoReward) out.reward = terminated ? -1.0 : 0.0;
    else out.reward = terminated && alreadyTerminated ? 0.0 : 1.0;
  }

  observe(state: Float64Array, offset: number, obs: Float32Array, obsOffset: number): void {
    obs[obsOffset] = state[offset] as number;
    obs[obsOffset + 1] = state[offset + 1] as number;
    obs[obsOffset + 2] = state[offset + 2] as number;
    obs[obsOffset + 3] = state[offset + 3] as number;
  }
}
