import { ConfigError, describeValue } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { Box } from '../../core/spaces.js';
import type { EnvKernel, KernelStepOut } from '../kernel.js';
import type { BatchedActions } from '../vector/vector-env.js';
import { sinCos, TRIG, TRIG_COS, TRIG_SIN, TRIG_X } from './trig.js';

/**
 * Gymnasium's registered time limit of `Pendulum-v1`. (Gymnasium registers no reward
 * threshold for it, so there is no `PENDULUM_REWARD_THRESHOLD`.)
 */
export const PENDULUM_MAX_EPISODE_STEPS = 200;

/** Keyword arguments of `Pendulum-v1`. */
export interface PendulumOptions {
  /** Gravitational acceleration, Gymnasium's `g`. Default 10.0. */
  readonly g?: number;
}

const MAX_SPEED = 8;
const MAX_TORQUE = 2.0;
const DT = 0.05;
const TWO_PI = 2 * Math.PI;
// Gymnasium multiplies the float32 torque by Python floats, which NumPy 2 rounds to float32
// first and then multiplies in float32; these are those float32 operands.
const COST_U_F32 = Math.fround(0.001);

/**
 * `Pendulum-v1` (Gymnasium 1.3.0): swing a pendulum up with a torque in [−2, 2]. State
 * `[theta, theta_dot]` in float64; observation `[cos θ, sin θ, θdot]` in float32. Reward
 * −(θ² + 0.1·θdot² + 0.001·u²) with θ normalised to [−π, π); never terminates.
 */
export class PendulumKernel implements EnvKernel {
  readonly id = 'Pendulum-v1';
  readonly observationSpace = new Box([-1, -1, -MAX_SPEED], [1, 1, MAX_SPEED]);
  readonly actionSpace = new Box(-MAX_TORQUE, MAX_TORQUE, [1]);
  readonly stateSize = 2;
  readonly actionSize = 1;
  readonly g: number;
  /** 3g/(2l) with l = 1, in Gymnasium's evaluation order. */
  private readonly gravityCoef: number;

  constructor(options: PendulumOptions = {}) {
    const g = options.g ?? 10.0;
    if (typeof g !== 'number' || !Number.isFinite(g)) throw new ConfigError(`Pendulum-v1: option g must be a finite number, got ${describeValue(g)}`);
    this.g = g;
    this.gravityCoef = (3 * g) / (2 * 1.0);
  }

  resetState(state: Float64Array, offset: number, rng: Rng): void {
    state[offset] = rng.uniformRange(-Math.PI, Math.PI);
    state[offset + 1] = rng.uniformRange(-1, 1);
  }

  step(state: Float64Array, offset: number, actions: BatchedActions, actionOffset: number, out: KernelStepOut): void {
    const th = state[offset] as number;
    const thDot = state[offset + 1] as number;
    // The action is a float32; clipping to ±2 keeps it one.
    const a = Math.fround(actions[actionOffset] as number);
    const u = a < -MAX_TORQUE ? -MAX_TORQUE : a > MAX_TORQUE ? MAX_TORQUE : a;

    // θ normalised to [−π, π) as NumPy's float64 `%` does it: fmod, then shifted to the divisor's sign.
    let wrapped = (th + Math.PI) % TWO_PI;
    if (wrapped < 0) wrapped += TWO_PI;
    const n = wrapped - Math.PI;
    // `0.001 * u**2` is float32 arithmetic in Gymnasium (float32 torque, Python-float factor).
    const uCost = Math.fround(COST_U_F32 * Math.fround(u * u));
    // Gymnasium squares with `**`, i.e. C pow(), which is off by one ulp from n·n in ~0.1% of
    // cases; the exact product is used here (the reward may then differ in its last bit).
    const cost = n * n + 0.1 * (thDot * thDot) + uCost;

    TRIG[TRIG_X] = th;
    sinCos();
    // `3.0 * u` is float32 too (3 is exact in float32, the product is rounded).
    let newThDot = thDot + (this.gravityCoef * (TRIG[TRIG_SIN] as number) + Math.fround(3.0 * u)) * DT;
    if (newThDot < -MAX_SPEED) newThDot = -MAX_SPEED;
    else if (newThDot > MAX_SPEED) newThDot = MAX_SPEED;
    state[offset] = th + newThDot * DT;
    state[offset + 1] = newThDot;

    out.reward = -cost;
    out.terminated = false;
  }

  observe(state: Float64Array, offset: number, obs: Float32Array, obsOffset: number): void {
    TRIG[TRIG_X] = state[offset] as number;
    sinCos();
    obs[obsOffset] = TRIG[TRIG_COS] as number;
    obs[obsOffset + 1] = TRIG[TRIG_SIN] as number;
    obs[obsOffset + 2] = state[offset + 1] as number;
  }
}
