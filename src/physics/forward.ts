/**
 * The whole contact-free forward dynamics as one call: the stages in order, each over all
 * worlds of the batch.
 * @module
 */

import { choleskyFactor, choleskySolve } from './cholesky.js';
import { actuatorForces, crba, passiveForces, rneBias } from './dynamics.js';
import { comKinematics, kinematics } from './kinematics.js';
import type { PhysicsModel } from './model.js';
import type { PhysicsData } from './state.js';

/**
 * q̈ = M(q)⁻¹·(τ_actuator + τ_passive − c(q, q̇)) for every world of `data` (from its `qpos`,
 * `qvel` and `ctrl`), filling every intermediate buffer on the way: poses, spatial inertias and
 * motion subspaces, M and its Cholesky factor, bias, passive and actuator forces, and `qacc`.
 * No contacts or joint limits. Allocates nothing.
 */
export function forward(model: PhysicsModel, data: PhysicsData): void {
  const B = data.batch;
  kinematics(model, B, data);
  comKinematics(model, B, data);
  crba(model, B, data);
  rneBias(model, B, data);
  passiveForces(model, B, data);
  actuatorForces(model, B, data);
  choleskyFactor(model, B, data);
  choleskySolve(model, B, data);
}
