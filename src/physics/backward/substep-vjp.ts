/**
 * The backward pass of one whole {@link substep}: every stage's VJP in reverse order, from the
 * cotangents of the new state to those of the old state, the controls and the model parameters.
 * @module
 */

import type { PhysicsModel } from '../model.js';
import type { PhysicsData } from '../state.js';
import { substep } from '../step.js';
import { crbaVjp } from './crba-vjp.js';
import { contactForcesVjp, limitForcesVjp } from './contact-vjp.js';
import { actuatorForcesVjp, passiveForcesVjp } from './forces-vjp.js';
import type { PhysicsGrad } from './grad.js';
import { dampedSolveVjp, integrateVjp } from './integrate-vjp.js';
import { comKinematicsVjp, kinematicsVjp } from './kinematics-vjp.js';
import { rneBiasVjp } from './rne-vjp.js';

/**
 * Recomputes the forward intermediates of one substep from a checkpoint: loads `qpos`, `qvel`
 * and `ctrl` ([nq·B], [nv·B], [nu·B]) into `data`, runs {@link substep} (the very same forward,
 * so the intermediates are bit-identical to the original run's), and puts `qpos`/`qvel` back,
 * since `substep` overwrites them with the new state (which stays in `qposNext`/`qvelNext`).
 * Afterwards `data` is what {@link substepVjp} reads. Allocates nothing.
 */
export function substepRecompute(model: PhysicsModel, data: PhysicsData, qpos: Float64Array, qvel: Float64Array, ctrl: Float64Array): void {
  data.qpos.set(qpos);
  data.qvel.set(qvel);
  data.ctrl.set(ctrl);
  substep(model, data);
  data.qpos.set(qpos);
  data.qvel.set(qvel);
}

/**
 * VJP of one {@link substep} for every world of `data`, whose buffers must hold that substep's
 * intermediates with `qpos`/`qvel`/`ctrl` the state before it (see {@link substepRecompute}).
 *
 * Reads the seeded bars in `grad` — `qposNextBar`, `qvelNextBar` (the cotangent of the new
 * state), and any other intermediate's bar the loss reads (contact forces, poses, …) — and
 * **adds** ∂L/∂qpos, ∂L/∂qvel, ∂L/∂ctrl of the state before the substep and the per-world
 * parameter gradients (including dofDamping through h·D, the contact and limit parameters) to
 * what `grad` holds. Intermediate bars are consumed: zero them before the next call
 * (`grad.zeroIntermediates()`). Allocates nothing.
 *
 * Order: integrate → damped solve (b̄ = A⁻¹·q̈̄ and the implicit terms) → limits → contact
 * (which sends bars to `cvel`, `xpos`, `xmat`, `cdof`) → actuator, passive → RNE bias → CRBA
 * (the solve's rank-one M̄ = −b̄·q̈ᵀ) → spatial inertias and cdof → kinematics.
 */
export function substepVjp(model: PhysicsModel, data: PhysicsData, grad: PhysicsGrad): void {
  const B = data.batch;
  if (grad.batch !== B) throw new RangeError(`substepVjp: grad has ${grad.batch} worlds, data has ${B}`);
  const h = model.timestep;
  integrateVjp(model, B, h, data, grad);
  dampedSolveVjp(model, B, h, data, grad);
  limitForcesVjp(model, B, data, grad);
  contactForcesVjp(model, B, data, grad);
  actuatorForcesVjp(model, B, data, grad);
  passiveForcesVjp(model, B, data, grad);
  rneBiasVjp(model, B, data, grad);
  crbaVjp(model, B, data, grad, grad.qfrcSolveBar, data.qaccStep, false);
  comKinematicsVjp(model, B, data, grad);
  kinematicsVjp(model, B, data, grad);
}
