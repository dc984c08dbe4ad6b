/**
 * Time stepping: the forward stages, ground contact, joint limits and the semi-implicit Euler
 * update, repeated for a number of substeps over every world of a batch.
 * @module
 */

import { actuatorForces, crba, passiveForces, rneBias } from './dynamics.js';
import { contactForces, limitForces } from './contact.js';
import { dampedSolve, integrate } from './integrate.js';
import { comKinematics, kinematics } from './kinematics.js';
import type { PhysicsModel } from './model.js';
import type { PhysicsData } from './state.js';

/**
 * One substep of length `model.timestep` for all B worlds, from `data.qpos`, `data.qvel` and
 * `data.ctrl`: kinematics → spatial inertias and cdof → M (CRBA) → bias (RNE) → passive and
 * motor forces → ground contact → joint limits → (M + h·D)⁻¹τ → semi-implicit Euler; the new
 * state is then copied into `qpos`/`qvel`.
 *
 * After it returns, every intermediate buffer (poses, M, forces, contact data, `qaccStep`)
 * describes the state *before* the update, which is what a backward pass of this substep
 * reads. The contact-free `qacc` and its factor `qL` of {@link forward} are not computed here
 * (the damped factor `qLDamp` replaces them). Allocates nothing.
 */
export function substep(model: PhysicsModel, data: PhysicsData): void {
  const B = data.batch;
  const h = model.timestep;
  kinematics(model, B, data);
  comKinematics(model, B, data);
  crba(model, B, data);
  rneBias(model, B, data);
  passiveForces(model, B, data);
  actuatorForces(model, B, data);
  contactForces(model, B, data);
  limitForces(model, B, data);
  dampedSolve(model, B, h, data);
  integrate(model, B, h, data);
  data.qpos.set(data.qposNext);
  data.qvel.set(data.qvelNext);
}

/**
 * Advances all B worlds of `data` by `substeps` substeps of `model.timestep` each with the
 * controls in `data.ctrl` held fixed (one action of an environment with frame skip
 * `substeps`). See {@link substep}. Allocates nothing.
 */
export function step(model: PhysicsModel, data: PhysicsData, substeps = 1): void {
  if (!Number.isInteger(substeps) || substeps < 0) throw new RangeError(`step: substeps must be a non-negative integer, got ${substeps}`);
  if (data.model.nv !== model.nv || data.model.nq !== model.nq || data.model.ncon !== model.ncon) {
    throw new RangeError(`step: data was allocated for model "${data.model.name}", which does not match "${model.name}"`);
  }
  for (let s = 0; s < substeps; s++) substep(model, data);
}
