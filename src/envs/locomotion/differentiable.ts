/**
 * The differentiable-reward variant of the locomotion tasks, for gradient-based agents (APG,
 * ILD): the observation o(qpos, qvel) and the reward r(s_t, s_{t+1}, a_t) of a
 * {@link LocomotionBatch}, computed on batched physics state, each with its vector–Jacobian
 * product, plus the health and termination rules.
 *
 * The numbers are those of the Gymnasium-style envs (`locomotion-env.ts`) operation for
 * operation, so a value computed here equals the env's (the env's observations are then
 * rounded to float32). What is not differentiable stays out of the gradient:
 *
 * - the healthy reward is a constant per step (its gradient is 0; health is a step function
 *   of the state);
 * - termination and resets are decisions, not functions: the caller cuts the gradient there
 *   (`Rollout.markReset`);
 * - the |q̇| clip of hopper and walker observations passes the gradient only strictly inside
 *   (−clip, clip), the derivative of `min(max(v, −c), c)` away from its kinks.
 *
 * Layouts: physics state is structure-of-arrays (component i of world w at `i·B + w`, as in
 * `PhysicsData`); observations and actions are rows per world (`w·size + j`, as vector envs
 * and networks take them).
 * @module
 */

import type { DifferentiableTask } from '../differentiable-task.js';
import type { PhysicsModel } from '../../physics/index.js';
import type { LocomotionBatch, LocomotionSettings } from './locomotion-env.js';
import type { HealthRule, LocomotionTask } from './tasks.js';

/**
 * Observations, rewards and their VJPs of one locomotion task with fixed settings, for any
 * batch size B (every method takes B). Stateless apart from its constants; allocates nothing.
 */
export class DifferentiableLocomotion implements DifferentiableTask {
  /** Length of one observation. */
  readonly observationSize: number;
  /** Leading qpos entries left out of the observation. */
  readonly positionsExcluded: number;
  /** Seconds per action (frameSkip × substep): the Δx of the forward reward is divided by it. */
  readonly dt: number;
  readonly nq: number;
  readonly nv: number;
  readonly nu: number;
  private readonly clip: number;
  private readonly health: HealthRule | null;
  private readonly invDt: number;

  /**
   * @param task the task (observation layout, velocity clip, health rule).
   * @param model its physics model (sizes and substep).
   * @param settings the env's resolved settings (reward weights, frame skip, observation layout).
   */
  constructor(
    readonly task: LocomotionTask,
    readonly model: PhysicsModel,
    readonly settings: LocomotionSettings,
  ) {
    this.nq = model.nq;
    this.nv = model.nv;
    this.nu = model.nu;
    this.positionsExcluded = settings.excludeCurrentPositionsFromObservation ? task.positionsExcluded : 0;
    this.observationSize = this.nq - this.positionsExcluded + this.nv;
    this.clip = task.velocityClip;
    this.health = task.healthy;
    this.dt = settings.frameSkip * model.timestep;
    // The env multiplies by 1/dt (not divides by dt): the same operation gives the same bits.
    this.invDt = 1 / this.dt;
  }

  /** The differentiable view of a batch's task, model and settings. */
  static of(batch: LocomotionBatch): DifferentiableLocomotion {
    return new DifferentiableLocomotion(batch.task, batch.model, batch.settings);
  }

  /**
   * Writes the observations of B worlds into `out` (row w at `offset + w·observationSize`):
   * qpos without the excluded root positions, then qvel clipped at the task's velocity clip.
   */
  observe(qpos: Float64Array, qvel: Float64Array, B: number, out: Float64Array, offset = 0): void {
    const { nq, nv, positionsExcluded: skip, observationSize: size, clip } = this;
    for (let w = 0; w < B; w++) {
      let k = offset + w * size;
      for (let i = skip; i < nq; i++) out[k++] = qpos[i * B + w] as number;
      for (let i = 0; i < nv; i++) out[k++] = Math.min(Math.max(qvel[i * B + w] as number, -clip), clip);
    }
  }

  /**
   * VJP of {@link DifferentiableLocomotion.observe}: **adds** (∂o/∂qpos)ᵀ·ō and (∂o/∂qvel)ᵀ·ō
   * into `qposBar`/`qvelBar` ([nq·B], [nv·B]), for the observation cotangents `obsBar` (rows per
   * world from `offset`). (`qpos`, `qvel`) is the state the observation was taken at; only the
   * velocities matter here (for the clip), the observation being linear in qpos.
   */
  observeVjp(_qpos: Float64Array, qvel: Float64Array, B: number, obsBar: ArrayLike<number>, qposBar: Float64Array, qvelBar: Float64Array, offset = 0): void {
    const { nq, nv, positionsExcluded: skip, observationSize: size, clip } = this;
    for (let w = 0; w < B; w++) {
      let k = offset + w * size;
      for (let i = skip; i < nq; i++) qposBar[i * B + w] = (qposBar[i * B + w] as number) + (obsBar[k++] as number);
      for (let i = 0; i < nv; i++) {
        const v = qvel[i * B + w] as number;
        const g = obsBar[k++] as number;
        if (v > -clip && v < clip) qvelBar[i * B + w] = (qvelBar[i * B + w] as number) + g;
      }
    }
  }

  /** Whether world w is healthy (always, for tasks without a health rule), as the env decides it. */
  isHealthy(qpos: Float64Array, qvel: Float64Array, B: number, w: number): boolean {
    return this.health === null || this.health(qpos, qvel, B, w, this.nq, this.nv);
  }

  /** Whether world w's episode ends here (unhealthy and the task terminates when unhealthy). */
  isTerminated(qpos: Float64Array, qvel: Float64Array, B: number, w: number): boolean {
    return this.settings.terminateWhenUnhealthy && !this.isHealthy(qpos, qvel, B, w);
  }

  /**
   * The env's reward of one step of B worlds, written to `out[w]`:
   * forwardRewardWeight·(x_{t+1} − x_t)/dt + healthyReward·[healthy(s_{t+1})] − ctrlCostWeight·‖a_t‖²,
   * with x the root's first coordinate. `qposBefore`/`qposAfter`/`qvelAfter` are SoA state
   * ([nq·B], [nv·B]); `actions` B rows of nu, as given to the env (unclipped).
   */
  reward(qposBefore: Float64Array, qposAfter: Float64Array, qvelAfter: Float64Array, actions: ArrayLike<number>, B: number, out: Float64Array): void {
    const { nu, invDt } = this;
    const { forwardRewardWeight, ctrlCostWeight, healthyReward } = this.settings;
    for (let w = 0; w < B; w++) {
      let cost = 0;
      for (let u = 0; u < nu; u++) {
        const a = actions[w * nu + u] as number;
        cost += a * a;
      }
      const ctrl = -ctrlCostWeight * cost;
      const xv = ((qposAfter[w] as number) - (qposBefore[w] as number)) * invDt;
      const survive = this.isHealthy(qposAfter, qvelAfter, B, w) ? healthyReward : 0;
      // Same order of additions as the env: forward + survive + ctrl.
      out[w] = forwardRewardWeight * xv + survive + ctrl;
    }
  }

  /**
   * VJP of {@link DifferentiableLocomotion.reward} for reward cotangents `rewardBar[w]`:
   * **adds** ∂r/∂x_t into `qposBeforeBar`, ∂r/∂x_{t+1} into `qposAfterBar` (SoA, only the root x
   * entry is touched) and ∂r/∂a_t into `actionsBar` (rows per world). Pass the same array for
   * `qposBeforeBar` and `qposAfterBar` only if they are the same state (they never are in a
   * rollout). Either output may be null to skip it. The reward is linear in the positions, so
   * the states themselves are not needed.
   */
  rewardVjp(_qposBefore: Float64Array, _qposAfter: Float64Array, actions: ArrayLike<number>, B: number, rewardBar: ArrayLike<number>, qposBeforeBar: Float64Array | null, qposAfterBar: Float64Array | null, actionsBar: Float64Array | null): void {
    const { nu, invDt } = this;
    const { forwardRewardWeight, ctrlCostWeight } = this.settings;
    const dx = forwardRewardWeight * invDt;
    for (let w = 0; w < B; w++) {
      const g = rewardBar[w] as number;
      if (qposAfterBar !== null) qposAfterBar[w] = (qposAfterBar[w] as number) + dx * g;
      if (qposBeforeBar !== null) qposBeforeBar[w] = (qposBeforeBar[w] as number) - dx * g;
      if (actionsBar !== null) {
        const c = -2 * ctrlCostWeight * g;
        for (let u = 0; u < nu; u++) actionsBar[w * nu + u] = (actionsBar[w * nu + u] as number) + c * (actions[w * nu + u] as number);
      }
    }
  }
}
