/**
 * Differentiable rollout windows: T environment steps of S substeps each over B worlds,
 * forward with checkpoints, then backward through every substep (PHYSICS.md §7.4).
 *
 * Memory: only the state before every substep is kept ((nq + nv) doubles per world per
 * substep), plus the controls and the state after every step; the backward recomputes each
 * substep's intermediates from its checkpoint in a private {@link PhysicsData} and applies
 * {@link substepVjp}. That is one forward plus one VJP per substep.
 * @module
 */

import type { PhysicsModel } from '../model.js';
import { PhysicsData } from '../state.js';
import { substep } from '../step.js';
import { PhysicsGrad, type ModelParamGrad } from './grad.js';
import { substepRecompute, substepVjp } from './substep-vjp.js';

/** Sizes of a {@link Rollout} window. */
export interface RolloutOptions {
  /** Environment steps per window, T ≥ 1 (SHAC/Brax APG use 32, ILD 10). */
  readonly horizon: number;
  /** Substeps of `model.timestep` per environment step (the frame skip), S ≥ 1. */
  readonly substeps: number;
}

/**
 * Seeds the loss cotangent of the state after step t: **adds** ∂L/∂qpos_{t+1} and ∂L/∂qvel_{t+1}
 * ([nq·B], [nv·B], world index innermost; the state as it was before any reset) into the given
 * buffers, which already hold the cotangent flowing back from later steps.
 */
export type RolloutSeed = (t: number, qposBar: Float64Array, qvelBar: Float64Array) => void;

/**
 * Called after the backward pass through step t with ∂L/∂ctrl_t ([nu·B], a view into
 * {@link Rollout.ctrlBar}) and the cotangent of the state before step t, which it may change:
 * e.g. for actions from a policy a_t = π(s_t), add (∂π/∂s_t)ᵀ·ctrl̄_t to it (and take ctrl̄_t
 * into the policy's own backward pass); for a reward term on the action, add to `ctrlBar` first.
 */
export type RolloutStepHook = (t: number, ctrlBar: Float64Array, qposBar: Float64Array, qvelBar: Float64Array) => void;

/** Options of {@link Rollout.backward}. All are optional; without seeds every gradient is 0. */
export interface RolloutBackwardOptions {
  /** Per-step loss cotangents as a callback (called for t = T−1 down to 0, after the explicit seeds). */
  readonly seed?: RolloutSeed;
  /** Per-step loss cotangents as arrays [horizon·nq·B] and [horizon·nv·B]: step t's block starts at t·nq·B (t·nv·B). */
  readonly qposSeed?: Float64Array;
  readonly qvelSeed?: Float64Array;
  /** See {@link RolloutStepHook}. */
  readonly onStep?: RolloutStepHook;
  /**
   * Per-step cotangent clipping (ILD; off by default): after seeding step t, each world's state
   * cotangent (qpos̄, qvel̄ of the state after step t, as one vector) is scaled to norm ≤ clipNorm
   * before it goes back through step t.
   */
  readonly clipNorm?: number;
}

const NO_OPTIONS: RolloutBackwardOptions = Object.freeze({});

/**
 * A differentiable window of T environment steps over the B worlds of a {@link PhysicsData}.
 *
 * Forward: {@link Rollout.begin} starts a window at the current state of `data`; each
 * {@link Rollout.step} applies the controls in `data.ctrl` for S substeps (exactly
 * `step(model, data, S)`), storing the state before every substep, the controls, and the state
 * after the step. Between steps the caller reads the state for observations and rewards and may
 * reset worlds by writing their `qpos`/`qvel` in `data`; it then flags them with
 * {@link Rollout.markReset} (or in {@link Rollout.resets}) so that no cotangent flows across.
 *
 * Backward: {@link Rollout.backward} walks the window from its last step to its first. At step t
 * the cotangent of the state after it is the one flowing back from step t + 1 (zero for a world
 * reset after step t, and zero after the last step: gradients are truncated at the window's
 * ends), plus the loss seeds of step t; it is optionally clipped per world, then taken back
 * through the S substeps. Results: ∂L/∂ctrl of every step ({@link Rollout.ctrlBar}), ∂L/∂ of
 * the window's initial state ({@link Rollout.qposBar}, {@link Rollout.qvelBar}) and per-world
 * model-parameter gradients ({@link Rollout.params}; every differentiable parameter of
 * {@link ModelParamGrad}, summed over the window; `params.sumOverWorlds(name)` gives the batch
 * gradient of the ones you want). A free joint's quaternion is 4 free coordinates in qpos̄.
 *
 * Everything is allocated in the constructor; `begin`, `step` and `backward` allocate nothing
 * (callbacks aside). Memory per world: (nq + nv)·(S + 1)·T + 2·nu·T doubles plus one
 * PhysicsData and one PhysicsGrad.
 *
 * @example SHAC-style window (loss = −Σ rewards − terminal value):
 * ```ts
 * const win = new Rollout(model, data, { horizon: 32, substeps: 4 });
 * win.begin();
 * for (let t = 0; t < 32; t++) { writeActions(data.ctrl); win.step(); rewards(t); resetDone(win); }
 * win.backward({ seed: (t, qb, vb) => addRewardGrads(t, qb, vb), onStep: (t, ab, qb, vb) => policyBackward(t, ab, qb, vb) });
 * ```
 */
export class Rollout {
  /** Number of worlds B (that of `data`). */
  readonly batch: number;
  readonly horizon: number;
  readonly substeps: number;
  /** [T·B] 1 where world w was reset after step t (cleared by {@link Rollout.begin}). */
  readonly resets: Uint8Array;
  /** [T·nu·B] the controls applied at each step (step t's block at t·nu·B). */
  readonly ctrls: Float64Array;
  /** [T·nq·B], [T·nv·B] the state after each step, before any reset (what {@link RolloutSeed} differentiates). */
  readonly qposAfter: Float64Array;
  readonly qvelAfter: Float64Array;
  /** [nq·B], [nv·B] ∂L/∂ of the state at the start of the window (written by `backward`). */
  readonly qposBar: Float64Array;
  readonly qvelBar: Float64Array;
  /** [T·nu·B] ∂L/∂ctrl of every step (written by `backward`). */
  readonly ctrlBar: Float64Array;
  /** Views of {@link Rollout.ctrlBar}, {@link Rollout.ctrls}, {@link Rollout.qposAfter}, {@link Rollout.qvelAfter} per step. */
  readonly ctrlBarSteps: readonly Float64Array[];
  readonly ctrlSteps: readonly Float64Array[];
  readonly qposAfterSteps: readonly Float64Array[];
  readonly qvelAfterSteps: readonly Float64Array[];
  /** [T·B] norm of each world's state cotangent at each step before clipping (written by `backward`). */
  readonly cotangentNorms: Float64Array;
  /** Per-world model-parameter gradients of the last `backward` (see {@link ModelParamGrad}). */
  readonly params: ModelParamGrad;

  private _model: PhysicsModel;
  private steps = 0;
  private readonly work: PhysicsData;
  private readonly grad: PhysicsGrad;
  private readonly qposCk: readonly Float64Array[];
  private readonly qvelCk: readonly Float64Array[];
  private readonly carryQpos: Float64Array;
  private readonly carryQvel: Float64Array;

  /**
   * @param model the model stepped (the one `data` was allocated for, or one with the same
   *   dimensions and different parameter values).
   * @param data the live simulation state the window steps; it is only read and stepped.
   */
  constructor(
    model: PhysicsModel,
    readonly data: PhysicsData,
    options: RolloutOptions,
  ) {
    const { horizon: T, substeps: S } = options;
    if (!Number.isInteger(T) || T < 1) throw new RangeError(`Rollout: horizon must be a positive integer, got ${T}`);
    if (!Number.isInteger(S) || S < 1) throw new RangeError(`Rollout: substeps must be a positive integer, got ${S}`);
    checkSameShape(data.model, model);
    this._model = model;
    this.batch = data.batch;
    this.horizon = T;
    this.substeps = S;
    const B = this.batch;
    const { nq, nv, nu } = model;
    this.resets = new Uint8Array(T * B);
    this.ctrls = new Float64Array(T * nu * B);
    this.qposAfter = new Float64Array(T * nq * B);
    this.qvelAfter = new Float64Array(T * nv * B);
    this.qposBar = new Float64Array(nq * B);
    this.qvelBar = new Float64Array(nv * B);
    this.ctrlBar = new Float64Array(T * nu * B);
    this.cotangentNorms = new Float64Array(T * B);
    const views = (buf: Float64Array, n: number, count: number): Float64Array[] => Array.from({ length: count }, (_, i) => buf.subarray(i * n, (i + 1) * n));
    this.ctrlBarSteps = views(this.ctrlBar, nu * B, T);
    this.ctrlSteps = views(this.ctrls, nu * B, T);
    this.qposAfterSteps = views(this.qposAfter, nq * B, T);
    this.qvelAfterSteps = views(this.qvelAfter, nv * B, T);
    this.qposCk = views(new Float64Array(T * S * nq * B), nq * B, T * S);
    this.qvelCk = views(new Float64Array(T * S * nv * B), nv * B, T * S);
    this.work = new PhysicsData(model, B);
    this.grad = new PhysicsGrad(model, B);
    this.params = this.grad.params;
    this.carryQpos = new Float64Array(nq * B);
    this.carryQvel = new Float64Array(nv * B);
  }

  /** The model stepped. */
  get model(): PhysicsModel {
    return this._model;
  }

  /**
   * Replaces the model (e.g. after a gradient step on its parameters, built with
   * `withScalarParams` or with edited parameter arrays); it must have the same dimensions.
   * Takes effect for the next window: call it between `backward` and `begin`.
   */
  setModel(model: PhysicsModel): void {
    checkSameShape(this._model, model);
    this._model = model;
  }

  /** Steps taken in the current window. */
  get length(): number {
    return this.steps;
  }

  /** Starts a new window at the current state of `data` (forgets the previous one and its reset flags). */
  begin(): void {
    this.steps = 0;
    this.resets.fill(0);
  }

  /**
   * One environment step: S substeps of every world with the controls in `data.ctrl` (copied
   * from `ctrl` first when given, [nu·B]), recording what the backward pass needs.
   * @throws RangeError when the window already has `horizon` steps.
   */
  step(ctrl?: Float64Array): void {
    const t = this.steps;
    if (t >= this.horizon) throw new RangeError(`Rollout.step: the window is full (${this.horizon} steps); call backward() and begin()`);
    const { data } = this;
    if (ctrl !== undefined) {
      if (ctrl.length !== data.ctrl.length) throw new RangeError(`Rollout.step: ctrl has ${ctrl.length} entries, needs nu·B = ${data.ctrl.length}`);
      data.ctrl.set(ctrl);
    }
    (this.ctrlSteps[t] as Float64Array).set(data.ctrl);
    const S = this.substeps;
    for (let s = 0; s < S; s++) {
      (this.qposCk[t * S + s] as Float64Array).set(data.qpos);
      (this.qvelCk[t * S + s] as Float64Array).set(data.qvel);
      substep(this._model, data);
    }
    (this.qposAfterSteps[t] as Float64Array).set(data.qpos);
    (this.qvelAfterSteps[t] as Float64Array).set(data.qvel);
    this.steps = t + 1;
  }

  /** Flags world w as reset after the latest step: the backward pass lets no cotangent flow across. */
  markReset(w: number): void {
    if (this.steps === 0) throw new RangeError('Rollout.markReset: no step taken in this window');
    if (!Number.isInteger(w) || w < 0 || w >= this.batch) throw new RangeError(`Rollout.markReset: world ${w} is not in [0, ${this.batch})`);
    this.resets[(this.steps - 1) * this.batch + w] = 1;
  }

  /**
   * Backward pass through the steps of the current window (see the class notes): writes
   * {@link Rollout.ctrlBar} (steps not taken stay 0), {@link Rollout.qposBar},
   * {@link Rollout.qvelBar}, {@link Rollout.params} and {@link Rollout.cotangentNorms}.
   * The window is kept, so it can be differentiated again with other seeds.
   */
  backward(options: RolloutBackwardOptions = NO_OPTIONS): void {
    const { seed, qposSeed, qvelSeed, onStep } = options;
    const clip = options.clipNorm ?? Infinity;
    if (!(clip > 0)) throw new RangeError(`Rollout.backward: clipNorm must be > 0, got ${clip}`);
    const model = this._model;
    const { nq, nv } = model;
    const B = this.batch;
    const T = this.steps;
    const S = this.substeps;
    if (qposSeed !== undefined && qposSeed.length !== this.horizon * nq * B) throw new RangeError(`Rollout.backward: qposSeed has ${qposSeed.length} entries, needs horizon·nq·B = ${this.horizon * nq * B}`);
    if (qvelSeed !== undefined && qvelSeed.length !== this.horizon * nv * B) throw new RangeError(`Rollout.backward: qvelSeed has ${qvelSeed.length} entries, needs horizon·nv·B = ${this.horizon * nv * B}`);
    const { grad, work, carryQpos: cq, carryQvel: cv } = this;
    grad.zero();
    this.ctrlBar.fill(0);
    this.cotangentNorms.fill(0);
    cq.fill(0);
    cv.fill(0);
    for (let t = T - 1; t >= 0; t--) {
      // A world reset after step t started step t + 1 from a new state: cut the flow.
      const R = t * B;
      for (let w = 0; w < B; w++) {
        if (this.resets[R + w] !== 1) continue;
        for (let i = 0; i < nq; i++) cq[i * B + w] = 0;
        for (let i = 0; i < nv; i++) cv[i * B + w] = 0;
      }
      if (qposSeed !== undefined) for (let i = 0; i < nq * B; i++) cq[i] = (cq[i] as number) + (qposSeed[t * nq * B + i] as number);
      if (qvelSeed !== undefined) for (let i = 0; i < nv * B; i++) cv[i] = (cv[i] as number) + (qvelSeed[t * nv * B + i] as number);
      if (seed !== undefined) seed(t, cq, cv);
      this.normsAndClip(t, clip);

      grad.ctrlBar.fill(0);
      const ctrl = this.ctrlSteps[t] as Float64Array;
      for (let s = S - 1; s >= 0; s--) {
        const k = t * S + s;
        substepRecompute(model, work, this.qposCk[k] as Float64Array, this.qvelCk[k] as Float64Array, ctrl);
        grad.zeroIntermediates();
        grad.qposBar.fill(0);
        grad.qvelBar.fill(0);
        grad.qposNextBar.set(cq);
        grad.qvelNextBar.set(cv);
        substepVjp(model, work, grad);
        cq.set(grad.qposBar);
        cv.set(grad.qvelBar);
      }
      const ctrlBar = this.ctrlBarSteps[t] as Float64Array;
      ctrlBar.set(grad.ctrlBar);
      if (onStep !== undefined) onStep(t, ctrlBar, cq, cv);
    }
    this.qposBar.set(cq);
    this.qvelBar.set(cv);
  }

  /** Records each world's cotangent norm at step t and scales it down to `clip` where larger. */
  private normsAndClip(t: number, clip: number): void {
    const { nq, nv } = this._model;
    const B = this.batch;
    const cq = this.carryQpos;
    const cv = this.carryQvel;
    for (let w = 0; w < B; w++) {
      let s2 = 0;
      for (let i = 0; i < nq; i++) s2 += (cq[i * B + w] as number) ** 2;
      for (let i = 0; i < nv; i++) s2 += (cv[i * B + w] as number) ** 2;
      const norm = Math.sqrt(s2);
      this.cotangentNorms[t * B + w] = norm;
      if (!(norm > clip)) continue;
      const f = clip / norm;
      for (let i = 0; i < nq; i++) cq[i * B + w] = (cq[i * B + w] as number) * f;
      for (let i = 0; i < nv; i++) cv[i * B + w] = (cv[i * B + w] as number) * f;
    }
  }
}

/** Throws unless `b` has the dimensions of `a` (so buffers allocated for one fit the other). */
function checkSameShape(a: PhysicsModel, b: PhysicsModel): void {
  if (a.nq !== b.nq || a.nv !== b.nv || a.nu !== b.nu || a.nbody !== b.nbody || a.njnt !== b.njnt || a.ncon !== b.ncon) {
    throw new RangeError(`Rollout: model "${b.name}" does not have the dimensions of "${a.name}"`);
  }
}
