/**
 * What an analytic-gradient agent (APG) needs from a task whose dynamics it differentiates: a
 * differentiable view of its observations, rewards and terminations over B worlds' state, and
 * a window that steps the worlds while recording what the backward pass needs. The locomotion
 * tasks implement them over the physics engine (`DifferentiableLocomotion`, `Rollout`); the
 * Reach task over the IK kinematics (`envs/ik/differentiable-reach.ts`).
 *
 * State arrays are structure-of-arrays with the world index innermost: entry i of world w at
 * i·B + w (`qpos` [nq·B], `qvel` [nv·B], `ctrl` [nu·B]).
 * @module
 */

/** The worlds' state and control arrays (world-minor: entry i of world w at i·B + w). */
export interface WorldArrays {
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
  readonly ctrl: Float64Array;
}

/** Observations, rewards and terminations of a task as differentiable functions of its state. */
export interface DifferentiableTask {
  readonly nq: number;
  readonly nv: number;
  /** Entries per action. */
  readonly nu: number;
  readonly observationSize: number;
  /** Observations of B worlds into `out` (row w at `offset + w·observationSize`). */
  observe(qpos: Float64Array, qvel: Float64Array, B: number, out: Float64Array, offset?: number): void;
  /** VJP of {@link observe} at the state (`qpos`, `qvel`): **adds** (∂o/∂qpos)ᵀ·ō and (∂o/∂qvel)ᵀ·ō into `qposBar`/`qvelBar`. */
  observeVjp(qpos: Float64Array, qvel: Float64Array, B: number, obsBar: ArrayLike<number>, qposBar: Float64Array, qvelBar: Float64Array, offset?: number): void;
  /** Whether world w's episode ends (a true end, no bootstrap) in this state. */
  isTerminated(qpos: Float64Array, qvel: Float64Array, B: number, w: number): boolean;
  /** The env's reward of one step of B worlds into `out[w]`; `actions` B rows of nu, as given to the env. */
  reward(qposBefore: Float64Array, qposAfter: Float64Array, qvelAfter: Float64Array, actions: ArrayLike<number>, B: number, out: Float64Array): void;
  /**
   * VJP of {@link reward} for cotangents `rewardBar[w]`: **adds** ∂r/∂qpos_t into `qposBeforeBar`,
   * ∂r/∂qpos_{t+1} into `qposAfterBar` and ∂r/∂a_t into `actionsBar` (each may be null to skip it).
   */
  rewardVjp(qposBefore: Float64Array, qposAfter: Float64Array, actions: ArrayLike<number>, B: number, rewardBar: ArrayLike<number>, qposBeforeBar: Float64Array | null, qposAfterBar: Float64Array | null, actionsBar: Float64Array | null): void;
}

/** The backward pass's hooks (see `Rollout.backward`). */
export interface WindowBackwardOptions {
  /** Called for t = T−1 … 0 with the cotangent of the state after step t; add ∂L/∂s_{t+1} to it. */
  readonly seed?: (t: number, qposBar: Float64Array, qvelBar: Float64Array) => void;
  /** Called after step t's VJP with ∂L/∂ctrl_t and the cotangent of the state before it (add to it). */
  readonly onStep?: (t: number, ctrlBar: Float64Array, qposBar: Float64Array, qvelBar: Float64Array) => void;
}

/** A window of steps of B worlds that can be differentiated (what APG uses of `Rollout`). */
export interface DifferentiableWindow {
  /** Starts a new window from the worlds' current state. */
  begin(): void;
  /** One step with the controls in the worlds' `ctrl`. */
  step(): void;
  /** World w was reset after the latest step: no cotangent flows across. */
  markReset(w: number): void;
  backward(options: WindowBackwardOptions): void;
  /** The state after each step of the window. */
  readonly qposAfterSteps: readonly Float64Array[];
  readonly qvelAfterSteps: readonly Float64Array[];
}
