/**
 * The backward pass of the whole contact-free forward dynamics {@link forward}.
 * @module
 */

import type { PhysicsModel } from '../model.js';
import type { PhysicsData } from '../state.js';
import { solveVjp } from './cholesky-vjp.js';
import { crbaVjp } from './crba-vjp.js';
import { actuatorForcesVjp, passiveForcesVjp } from './forces-vjp.js';
import type { PhysicsGrad } from './grad.js';
import { comKinematicsVjp, kinematicsVjp } from './kinematics-vjp.js';
import { rneBiasVjp } from './rne-vjp.js';

/**
 * VJP of q̈ = M(q)⁻¹·(τ_act(ctrl) + τ_passive(q, q̇) − c(q, q̇)) for every world of `data`, whose
 * buffers must hold the intermediates of a {@link forward} call at the state being
 * differentiated (run `forward(model, data)` first, or keep the data of the step).
 *
 * Reads the bars seeded in `grad` — `qaccBar`, and any bar of an intermediate the loss also
 * reads (poses for a reward, `cvel` for contact, …; the bars of `qM`, `crb` and `dofForce` only
 * when `readMassBars` is set, which costs the CRBA VJP's O(nv·depth) dense pass) — and **adds**
 * ∂L/∂qpos, ∂L/∂qvel,
 * ∂L/∂ctrl and the per-world parameter gradients (`grad.params`) to what `grad` already holds.
 * The intermediate bars are consumed; call `grad.zeroIntermediates()` (or `grad.zero()`) and
 * seed again before the next call. Allocates nothing.
 *
 * Stage order is the forward's reversed. The solve's M̄ = −b̄·q̈ᵀ is never formed: the CRBA
 * VJP contracts it directly (see {@link solveVjp}, {@link crbaVjp}). The RNE and CRBA VJPs both
 * feed the bars of the spatial inertias and motion subspaces, which the kinematics VJPs then
 * take back to qpos and the inertial parameters.
 */
export function forwardVjp(model: PhysicsModel, data: PhysicsData, grad: PhysicsGrad, readMassBars = false): void {
  const B = data.batch;
  if (grad.batch !== B) throw new RangeError(`forwardVjp: grad has ${grad.batch} worlds, data has ${B}`);
  solveVjp(model, B, data, grad);
  actuatorForcesVjp(model, B, data, grad);
  passiveForcesVjp(model, B, data, grad);
  rneBiasVjp(model, B, data, grad);
  crbaVjp(model, B, data, grad, grad.qfrcSolveBar, data.qacc, readMassBars);
  comKinematicsVjp(model, B, data, grad);
  kinematicsVjp(model, B, data, grad);
}
