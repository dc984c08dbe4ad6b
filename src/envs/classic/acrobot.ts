import type { Rng } from '../../core/rng.js';
import { Box, Discrete } from '../../core/spaces.js';
import type { EnvKernel, KernelStepOut } from '../kernel.js';
import type { BatchedActions } from '../vector/vector-env.js';
import { sinCos, TRIG, TRIG_COS, TRIG_SIN, TRIG_X } from './trig.js';

/** Gymnasium's registered time limit of `Acrobot-v1`. */
export const ACROBOT_MAX_EPISODE_STEPS = 500;
/** Gymnasium's registered reward threshold of `Acrobot-v1`. */
export const ACROBOT_REWARD_THRESHOLD = -100.0;

const DT = 0.2;
const LINK_LENGTH_1 = 1.0;
const LINK_MASS_1 = 1.0;
const LINK_MASS_2 = 1.0;
const LINK_COM_POS_1 = 0.5;
const LINK_COM_POS_2 = 0.5;
const LINK_MOI = 1.0;
const G = 9.8;
const MAX_VEL_1 = 4 * Math.PI;
const MAX_VEL_2 = 9 * Math.PI;
/** Torque of actions 0, 1, 2. */
const AVAIL_TORQUE = [-1.0, 0.0, 1.0] as const;

// Constant sub-expressions of the "book" dynamics, folded in Gymnasium's left-to-right order
// so every product and sum rounds exactly as it does there.
const M1_LC1_SQ = LINK_MASS_1 * LINK_COM_POS_1 ** 2; // 0.25
const L1_SQ_PLUS_LC2_SQ = LINK_LENGTH_1 ** 2 + LINK_COM_POS_2 ** 2; // 1.25
const TWO_L1_LC2 = 2 * LINK_LENGTH_1 * LINK_COM_POS_2; // 1
const LC2_SQ = LINK_COM_POS_2 ** 2; // 0.25
const L1_LC2 = LINK_LENGTH_1 * LINK_COM_POS_2; // 0.5
const M2_LC2_G = LINK_MASS_2 * LINK_COM_POS_2 * G;
const NEG_M2_L1_LC2 = -LINK_MASS_2 * LINK_LENGTH_1 * LINK_COM_POS_2;
const TWO_M2_L1_LC2 = 2 * LINK_MASS_2 * LINK_LENGTH_1 * LINK_COM_POS_2;
const M1LC1_PLUS_M2L1_G = (LINK_MASS_1 * LINK_COM_POS_1 + LINK_MASS_2 * LINK_LENGTH_1) * G;
const M2_L1_LC2 = LINK_MASS_2 * LINK_LENGTH_1 * LINK_COM_POS_2;
const M2_LC2_SQ_PLUS_I2 = LINK_MASS_2 * LINK_COM_POS_2 ** 2 + LINK_MOI;
const HALF_PI = Math.PI / 2.0;
/** `wrap`'s period, M − m for [−π, π]. */
const TWO_PI = Math.PI - -Math.PI;
const DT2 = DT / 2.0;
const DT6 = DT / 6.0;

/**
 * `Acrobot-v1` (Gymnasium 1.3.0): a two-link pendulum actuated at the middle joint with torque
 * −1, 0 or +1 (actions 0, 1, 2), integrated with one RK4 step of 0.2 s using the "book"
 * dynamics, no torque noise. State `[theta1, theta2, dtheta1, dtheta2]` in float64; observation
 * `[cos θ1, sin θ1, cos θ2, sin θ2, θ1dot, θ2dot]` in float32. Reward −1 per step and 0 on the
 * step that lifts the tip above the bar height (−cos θ1 − cos(θ1 + θ2) > 1), which terminates.
 */
export class AcrobotKernel implements EnvKernel {
  readonly id = 'Acrobot-v1';
  readonly observationSpace = new Box([-1, -1, -1, -1, -MAX_VEL_1, -MAX_VEL_2], [1, 1, 1, 1, MAX_VEL_1, MAX_VEL_2]);
  readonly actionSpace = new Discrete(3);
  readonly stateSize = 4;
  readonly actionSize = 1;
  // Scratch reused by every step, so stepping allocates nothing (and passes no floats between
  // functions, which V8 would box): the point at which dsdt evaluates the derivative, and the
  // RK4 slopes k1…k4, 4 entries each.
  private readonly y = new Float64Array(4);
  private readonly k = new Float64Array(16);
  private torque = 0;

  resetState(state: Float64Array, offset: number, rng: Rng): void {
    // Gymnasium casts the initial state to float32 (and computes in float64 afterwards).
    for (let j = 0; j < 4; j++) state[offset + j] = Math.fround(rng.uniformRange(-0.1, 0.1));
  }

  /** Writes the time derivative at the point `y` (θ1, θ2, θ1dot, θ2dot) under `torque` into `k[o … o+4)`. */
  private dsdt(o: number): void {
    const y = this.y;
    const theta1 = y[0] as number;
    const theta2 = y[1] as number;
    const dtheta1 = y[2] as number;
    const dtheta2 = y[3] as number;
    const a = this.torque;
    TRIG[TRIG_X] = theta2;
    sinCos();
    const cos2 = TRIG[TRIG_COS] as number;
    const sin2 = TRIG[TRIG_SIN] as number;
    TRIG[TRIG_X] = theta1 + theta2 - HALF_PI;
    sinCos();
    const cosPhi2 = TRIG[TRIG_COS] as number;
    TRIG[TRIG_X] = theta1 - HALF_PI;
    sinCos();
    const cosPhi1 = TRIG[TRIG_COS] as number;
    // Gymnasium's expressions and evaluation order. Its `x**2` is C pow(), off by one ulp from
    // x·x in ~0.1% of cases; the exact product is used here.
    const d1 = M1_LC1_SQ + LINK_MASS_2 * (L1_SQ_PLUS_LC2_SQ + TWO_L1_LC2 * cos2) + LINK_MOI + LINK_MOI;
    const d2 = LINK_MASS_2 * (LC2_SQ + L1_LC2 * cos2) + LINK_MOI;
    const phi2 = M2_LC2_G * cosPhi2;
    const phi1 = NEG_M2_L1_LC2 * (dtheta2 * dtheta2) * sin2 - TWO_M2_L1_LC2 * dtheta2 * dtheta1 * sin2 + M1LC1_PLUS_M2L1_G * cosPhi1 + phi2;
    // "book" dynamics (Gymnasium's default): includes the −m2·l1·lc2·θ1dot²·sin θ2 term.
    const ddtheta2 = (a + (d2 / d1) * phi1 - M2_L1_LC2 * (dtheta1 * dtheta1) * sin2 - phi2) / (M2_LC2_SQ_PLUS_I2 - (d2 * d2) / d1);
    const ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    const k = this.k;
    k[o] = dtheta1;
    k[o + 1] = dtheta2;
    k[o + 2] = ddtheta1;
    k[o + 3] = ddtheta2;
  }

  step(state: Float64Array, offset: number, actions: BatchedActions, actionOffset: number, out: KernelStepOut): void {
    const s0 = state[offset] as number;
    const s1 = state[offset + 1] as number;
    const s2 = state[offset + 2] as number;
    const s3 = state[offset + 3] as number;
    this.torque = AVAIL_TORQUE[actions[actionOffset] as 0 | 1 | 2];
    const y = this.y;
    const k = this.k;

    // One classic RK4 step over [0, dt]; the torque is held constant (its slope is 0).
    y[0] = s0;
    y[1] = s1;
    y[2] = s2;
    y[3] = s3;
    this.dsdt(0);
    for (let stage = 1; stage < 4; stage++) {
      const h = stage === 3 ? DT : DT2;
      const p = (stage - 1) * 4;
      y[0] = s0 + h * (k[p] as number);
      y[1] = s1 + h * (k[p + 1] as number);
      y[2] = s2 + h * (k[p + 2] as number);
      y[3] = s3 + h * (k[p + 3] as number);
      this.dsdt(stage * 4);
    }
    let n0 = s0 + DT6 * ((k[0] as number) + 2 * (k[4] as number) + 2 * (k[8] as number) + (k[12] as number));
    let n1 = s1 + DT6 * ((k[1] as number) + 2 * (k[5] as number) + 2 * (k[9] as number) + (k[13] as number));
    let n2 = s2 + DT6 * ((k[2] as number) + 2 * (k[6] as number) + 2 * (k[10] as number) + (k[14] as number));
    let n3 = s3 + DT6 * ((k[3] as number) + 2 * (k[7] as number) + 2 * (k[11] as number) + (k[15] as number));

    // Gymnasium's `wrap` (whole turns into [−π, π]) for the angles, `bound` (clip) for the speeds.
    while (n0 > Math.PI) n0 = n0 - TWO_PI;
    while (n0 < -Math.PI) n0 = n0 + TWO_PI;
    while (n1 > Math.PI) n1 = n1 - TWO_PI;
    while (n1 < -Math.PI) n1 = n1 + TWO_PI;
    n2 = n2 < -MAX_VEL_1 ? -MAX_VEL_1 : n2 > MAX_VEL_1 ? MAX_VEL_1 : n2;
    n3 = n3 < -MAX_VEL_2 ? -MAX_VEL_2 : n3 > MAX_VEL_2 ? MAX_VEL_2 : n3;
    state[offset] = n0;
    state[offset + 1] = n1;
    state[offset + 2] = n2;
    state[offset + 3] = n3;

    // Tip above the bar: −cos θ1 − cos(θ1 + θ2) > 1.
    TRIG[TRIG_X] = n0;
    sinCos();
    const cos0 = TRIG[TRIG_COS] as number;
    TRIG[TRIG_X] = n1 + n0;
    sinCos();
    const terminated = -cos0 - (TRIG[TRIG_COS] as number) > 1.0;
    out.terminated = terminated;
    out.reward = terminated ? 0.0 : -1.0;
  }

  observe(state: Float64Array, offset: number, obs: Float32Array, obsOffset: number): void {
    TRIG[TRIG_X] = state[offset] as number;
    sinCos();
    obs[obsOffset] = TRIG[TRIG_COS] as number;
    obs[obsOffset + 1] = TRIG[TRIG_SIN] as number;
    TRIG[TRIG_X] = state[offset + 1] as number;
    sinCos();
    obs[obsOffset + 2] = TRIG[TRIG_COS] as number;
    obs[obsOffset + 3] = TRIG[TRIG_SIN] as number;
    obs[obsOffset + 4] = state[offset + 2] as number;
    obs[obsOffset + 5] = state[offset + 3] as number;
  }
}
