/**
 * `rxrl/Reach-v0`: an arm brings its end effector to a random reachable target. Kinematic
 * control: the action ∈ [−1, 1]ⁿ is a joint-velocity command, q ← clip(q + a·maxSpeed·dt) within
 * the joint limits; the effector's position comes from the IK kinematics (`src/ik/`). An episode
 * starts near the arm's home pose (±0.1 rad per joint, as Gymnasium's Reacher starts near zero
 * and FetchReach at a fixed pose) with a target placed by FK of a random configuration within
 * the limits (so it is reachable), ends (terminated) when the effector is within
 * `successRadius` of the target, and is cut by the time limit. `rxrl/ReachMemory-v0` is the POMDP variant: the target
 * is shown for the first steps only, then the cue and its flag go to zero, so the policy must
 * remember it.
 *
 * Observation: cos qᵢ and sin qᵢ of every hinge, each joint's position within its limits mapped
 * to [−1, 1], the effector position (m), then the target cue: target − effector (m) and a flag
 * that is 1 while the cue is shown. Reward: `dense` is
 * −‖effector − target‖ per step; `sparse` is −1 per step until success.
 * @module
 */

import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import { Box } from '../../core/spaces.js';
import { chainJoints, findEffector, KinematicBatch, type Effector } from '../../ik/kinematic-batch.js';
import { IK_MODELS } from '../../ik/models.js';
import { loadMjcfFile } from '../../physics/mjcf.js';
import type { PhysicsModel } from '../../physics/model.js';
import type { EnvKernel, KernelStepOut } from '../kernel.js';
import type { BatchedActions } from '../vector/vector-env.js';

/** The arms of the Reach family. */
export const REACH_ARMS = ['planar3', 'panda7'] as const;
export type ReachArm = (typeof REACH_ARMS)[number];

/** Keyword arguments of `rxrl/Reach-v0` and `rxrl/ReachMemory-v0`. */
export interface ReachOptions {
  /** Which arm (default `planar3`). */
  readonly arm?: ReachArm;
  /** `dense` (default): −distance per step; `sparse`: −1 per step until success. */
  readonly reward?: 'dense' | 'sparse';
  /** Success distance in metres (default 0.05). */
  readonly successRadius?: number;
  /** Joint speed at action ±1, rad/s (default 2). */
  readonly maxSpeed?: number;
  /** Show the target only for this many steps (0: always; the POMDP variant uses 5). */
  readonly cueSteps?: number;
}

/** Each arm's home pose: the planar arm stretched out, the 7-DOF arm in the Panda's "ready" pose (franka_ros). */
export const REACH_HOME: Readonly<Record<ReachArm, readonly number[]>> = {
  planar3: [0, 0, 0],
  panda7: [0, -Math.PI / 4, 0, (-3 * Math.PI) / 4, 0, Math.PI / 2, Math.PI / 4],
};

/** Seconds per step. */
export const REACH_DT = 0.05;
/** Time limit of both Reach envs. */
export const REACH_MAX_EPISODE_STEPS = 100;

/** The arm's model, effector and joints, loaded once per process. */
export interface ArmKinematics {
  readonly model: PhysicsModel;
  readonly effector: Effector;
  readonly joints: number[];
}
const arms = new Map<ReachArm, ArmKinematics>();

function armKinematics(arm: ReachArm): ArmKinematics {
  let a = arms.get(arm);
  if (a === undefined) {
    const model = loadMjcfFile(IK_MODELS[arm]);
    const effector = findEffector(model, 'ee');
    a = { model, effector, joints: chainJoints(model, 0, effector.body) };
    arms.set(arm, a);
  }
  return a;
}

/**
 * The Reach dynamics as an {@link EnvKernel}: copy state `[q (n), target (3), step]`. Every
 * copy shares one single-world {@link KinematicBatch} for its FK (the vector env steps the
 * copies one after the other), so stepping allocates nothing.
 */
export class ReachKernel implements EnvKernel {
  readonly id: string;
  readonly observationSpace: Box;
  readonly actionSpace: Box;
  readonly stateSize: number;
  readonly actionSize: number;
  readonly arm: ReachArm;
  readonly dof: number;
  readonly successRadius: number;
  readonly reward: 'dense' | 'sparse';
  readonly maxSpeed: number;
  readonly cueSteps: number;
  private readonly kb: KinematicBatch;
  /** The arm's end effector (site `ee`). */
  readonly effector: Effector;
  /** The arm's model and chain joints. */
  readonly kinematics: ArmKinematics;
  private readonly q: Float64Array;
  private readonly p = new Float64Array(3);

  constructor(id: string, options: ReachOptions = {}) {
    this.id = id;
    const arm = options.arm ?? 'planar3';
    if (!(REACH_ARMS as readonly string[]).includes(arm)) throw new ConfigError(`${id}: arm must be one of ${REACH_ARMS.join(', ')}, got "${arm}"`);
    this.arm = arm;
    this.reward = options.reward ?? 'dense';
    if (this.reward !== 'dense' && this.reward !== 'sparse') throw new ConfigError(`${id}: reward must be "dense" or "sparse", got "${String(this.reward)}"`);
    this.successRadius = options.successRadius ?? 0.05;
    this.maxSpeed = options.maxSpeed ?? 2;
    this.cueSteps = options.cueSteps ?? 0;
    if (!(this.successRadius > 0) || !(this.maxSpeed > 0) || !(this.cueSteps >= 0) || !Number.isInteger(this.cueSteps)) throw new ConfigError(`${id}: successRadius and maxSpeed must be positive and cueSteps a non-negative integer`);
    const k = armKinematics(arm);
    this.kinematics = k;
    this.effector = k.effector;
    this.kb = new KinematicBatch(k.model, 1, { joints: k.joints });
    this.dof = this.kb.size;
    this.q = new Float64Array(this.dof);
    this.stateSize = this.dof + 4;
    this.actionSize = this.dof;
    this.actionSpace = new Box(-1, 1, [this.dof]);
    const obs = 3 * this.dof + 3 + 4;
    const bound = Array.from({ length: obs }, (_, i) => (i < 3 * this.dof ? 1 : i === obs - 1 ? 1 : 5));
    this.observationSpace = new Box(bound.map((b, i) => (i === obs - 1 ? 0 : -b)), bound);
  }

  /** Joint limits of variable i. */
  limit(i: number): [number, number] {
    return [this.kb.lower[i] as number, this.kb.upper[i] as number];
  }

  resetState(state: Float64Array, offset: number, rng: Rng): void {
    // The target: FK of a random configuration; the start: near the home pose.
    for (let i = 0; i < this.dof; i++) {
      const [lo, hi] = this.limit(i);
      this.q[i] = rng.uniformRange(lo, hi);
    }
    this.kb.setVariables(this.q);
    this.kb.position(this.effector, 0, this.p);
    state.set(this.p, offset + this.dof);
    const home = REACH_HOME[this.arm];
    for (let i = 0; i < this.dof; i++) {
      const [lo, hi] = this.limit(i);
      const v = (home[i] as number) + rng.uniformRange(-0.1, 0.1);
      state[offset + i] = v < lo ? lo : v > hi ? hi : v;
    }
    state[offset + this.dof + 3] = 0;
  }

  step(state: Float64Array, offset: number, actions: BatchedActions, actionOffset: number, out: KernelStepOut): void {
    const scale = this.maxSpeed * REACH_DT;
    for (let i = 0; i < this.dof; i++) {
      const a = actions[actionOffset + i] as number;
      const u = a < -1 ? -1 : a > 1 ? 1 : a;
      const [lo, hi] = this.limit(i);
      const v = (state[offset + i] as number) + u * scale;
      state[offset + i] = v < lo ? lo : v > hi ? hi : v;
    }
    state[offset + this.dof + 3] = (state[offset + this.dof + 3] as number) + 1;
    const d = this.distance(state, offset);
    const success = d <= this.successRadius;
    out.reward = this.reward === 'dense' ? -d : success ? 0 : -1;
    out.terminated = success;
  }

  observe(state: Float64Array, offset: number, obs: Float32Array, obsOffset: number): void {
    this.effectorOf(state, offset);
    const n = this.dof;
    for (let i = 0; i < n; i++) {
      const qi = state[offset + i] as number;
      const [lo, hi] = this.limit(i);
      obs[obsOffset + i] = Math.cos(qi);
      obs[obsOffset + n + i] = Math.sin(qi);
      obs[obsOffset + 2 * n + i] = (2 * (qi - lo)) / (hi - lo) - 1;
    }
    const e = obsOffset + 3 * n;
    for (let r = 0; r < 3; r++) obs[e + r] = this.p[r] as number;
    const shown = this.cueSteps === 0 || (state[offset + n + 3] as number) < this.cueSteps;
    for (let r = 0; r < 3; r++) obs[e + 3 + r] = shown ? (state[offset + n + r] as number) - (this.p[r] as number) : 0;
    obs[e + 6] = shown ? 1 : 0;
  }

  /** Distance of copy's effector from its target. */
  distance(state: Float64Array, offset: number): number {
    this.effectorOf(state, offset);
    const t = offset + this.dof;
    return Math.hypot((this.p[0] as number) - (state[t] as number), (this.p[1] as number) - (state[t + 1] as number), (this.p[2] as number) - (state[t + 2] as number));
  }

  private effectorOf(state: Float64Array, offset: number): void {
    for (let i = 0; i < this.dof; i++) this.q[i] = state[offset + i] as number;
    this.kb.setVariables(this.q);
    this.kb.position(this.effector, 0, this.p);
  }
}
