/**
 * Semi-implicit Euler with implicit joint damping, over a batch (PHYSICS.md §7.2).
 *
 * With substep h, generalised force τ = τ_actuator + τ_passive − c(q, q̇) + τ_contact + τ_limit
 * (τ_passive contains the damping −D·q̇ evaluated at the current velocity) and D the diagonal of
 * joint damping:
 *
 *   q̈   = (M + h·D)⁻¹·τ          ({@link dampedSolve})
 *   q̇⁺  = q̇ + h·q̈               ({@link integrate})
 *   q⁺  = q ⊕ h·q̇⁺
 *
 * The first line is backward Euler in the damping alone: M·(q̇⁺ − q̇)/h = τ_other − D·q̇⁺ rearranges
 * to (M + h·D)·(q̇⁺ − q̇) = h·(τ_other − D·q̇) = h·τ, so stiff joint dampers stay stable at any h
 * (MuJoCo's Euler integrator does the same). With D = 0 the matrix is M itself, bit for bit,
 * and q̈ equals the forward dynamics' `qacc` when there are no contact or limit forces.
 *
 * Contact and joint limits are linearly implicit as well (PHYSICS.md §7.2 "v2", switchable per
 * model with `contact.implicit` / `limit.implicit`): their damping plus h times their stiffness,
 * gated by how active each contact or limit is, is added to the factored matrix,
 * M + h·D + h·Σ Jᵀ·K·J (see `addImplicitTerms` in `contact.ts`), with the forces themselves still
 * evaluated at the current state. Any positive semi-definite K keeps the scheme first-order
 * consistent; this one keeps stiff contact (k = 10⁵ N/m) and light bodies stable at h = 2 ms.
 *
 * "⊕" is the plain sum for hinge and slide joints. For a free joint the position moves by h·v⁺
 * (world-frame linear velocity) and the orientation by the exponential map of the body-frame
 * angular velocity ω: q⁺ = normalise(q ⊗ exp(h·ω/2)) with exp(h·ω/2) = (cos(θ/2), sin(θ/2)·ω/|ω|),
 * θ = h·|ω|; the factor sin(θ/2)/|ω| is evaluated by its Taylor series for tiny θ.
 *
 * Each stage reads its inputs and writes separate outputs (`qM` is never modified in place; the
 * new state goes to `qvelNext`/`qposNext`), so a backward pass can re-read everything it needs.
 * @module
 */

import { choleskyFactor, choleskySolveInPlace } from './cholesky.js';
import { addImplicitTerms } from './contact.js';
import { checkBuffer } from './kinematics.js';
import { JointType, type PhysicsModel } from './model.js';
import type { DampedSolveBuffers, IntegrateBuffers } from './state.js';

/**
 * Total generalised force `qfrcTotal`, the integrator matrix `qMDamp` = M + h·diag(dofDamping)
 * plus the implicit contact and limit terms, its Cholesky factor (`qLDamp`, `qLDampDiagInv`,
 * through `dampedFactor`), and the acceleration `qaccStep` = qMDamp⁻¹·τ for all B worlds.
 * Reads the outputs of the force stages (`qM`, the four force vectors, and for the implicit
 * terms `xpos`, `cdof`, `conPoint`, `conImplicit`, `limImplicit`).
 */
export function dampedSolve(model: PhysicsModel, B: number, h: number, io: DampedSolveBuffers): void {
  const n = model.nv;
  const { dofDamping } = model;
  const { qM, qfrcActuator, qfrcPassive, qfrcBias, qfrcContact, qfrcLimit, qfrcTotal, qMDamp, qaccStep, dampedFactor } = io;
  checkBuffer(qM, n * n * B, 'qM');
  checkBuffer(qfrcActuator, n * B, 'qfrcActuator');
  checkBuffer(qfrcPassive, n * B, 'qfrcPassive');
  checkBuffer(qfrcBias, n * B, 'qfrcBias');
  checkBuffer(qfrcContact, n * B, 'qfrcContact');
  checkBuffer(qfrcLimit, n * B, 'qfrcLimit');
  checkBuffer(qfrcTotal, n * B, 'qfrcTotal');
  checkBuffer(qMDamp, n * n * B, 'qMDamp');
  checkBuffer(qaccStep, n * B, 'qaccStep');
  if (dampedFactor.qM !== qMDamp) throw new RangeError('dampedSolve: dampedFactor.qM must be the qMDamp buffer');
  for (let t = 0; t < n * B; t++) {
    // Same order as the contact-free forward solve, so without contacts and limits τ is identical.
    const tau = (qfrcActuator[t] as number) + (qfrcPassive[t] as number) - (qfrcBias[t] as number);
    qfrcTotal[t] = tau + (qfrcContact[t] as number) + (qfrcLimit[t] as number);
    qaccStep[t] = qfrcTotal[t] as number;
  }
  for (let t = 0; t < n * n * B; t++) qMDamp[t] = qM[t] as number;
  for (let i = 0; i < n; i++) {
    const hd = h * (dofDamping[i] as number);
    if (hd === 0) continue;
    const ii = (i * n + i) * B;
    for (let w = 0; w < B; w++) qMDamp[ii + w] = (qMDamp[ii + w] as number) + hd;
  }
  addImplicitTerms(model, B, h, io);
  choleskyFactor(model, B, dampedFactor);
  choleskySolveInPlace(n, B, dampedFactor.qL, dampedFactor.qLDiagInv, qaccStep);
}

/**
 * One semi-implicit Euler update of all B worlds: `qvelNext` = q̇ + h·`qaccStep`, then
 * `qposNext` = q ⊕ h·`qvelNext` (see the module notes for free joints). Reads `qpos`, `qvel` and
 * `qaccStep`; writes only `qvelNext` and `qposNext`.
 */
export function integrate(model: PhysicsModel, B: number, h: number, io: IntegrateBuffers): void {
  const { nq, nv, njnt, jntType, jntQposAdr, jntDofAdr } = model;
  const { qpos, qvel, qaccStep, qvelNext, qposNext } = io;
  checkBuffer(qpos, nq * B, 'qpos');
  checkBuffer(qvel, nv * B, 'qvel');
  checkBuffer(qaccStep, nv * B, 'qaccStep');
  checkBuffer(qvelNext, nv * B, 'qvelNext');
  checkBuffer(qposNext, nq * B, 'qposNext');
  for (let t = 0; t < nv * B; t++) qvelNext[t] = (qvel[t] as number) + h * (qaccStep[t] as number);
  for (let j = 0; j < njnt; j++) {
    const A = (jntQposAdr[j] as number) * B;
    const D = (jntDofAdr[j] as number) * B;
    if (jntType[j] !== JointType.Free) {
      for (let w = 0; w < B; w++) qposNext[A + w] = (qpos[A + w] as number) + h * (qvelNext[D + w] as number);
      continue;
    }
    for (let k = 0; k < 3; k++) {
      const Ak = A + k * B;
      const Dk = D + k * B;
      for (let w = 0; w < B; w++) qposNext[Ak + w] = (qpos[Ak + w] as number) + h * (qvelNext[Dk + w] as number);
    }
    const Q = A + 3 * B;
    const W = D + 3 * B;
    for (let w = 0; w < B; w++) {
      const ox = qvelNext[W + w] as number;
      const oy = qvelNext[W + B + w] as number;
      const oz = qvelNext[W + 2 * B + w] as number;
      const norm = Math.sqrt(ox * ox + oy * oy + oz * oz);
      const half = 0.5 * h * norm;
      // sin(θ/2)/|ω| = (h/2)·sinc(θ/2); Taylor below 1e-4 (error < 1e-17 relative).
      const s = half < 1e-4 ? 0.5 * h * (1 - (half * half) / 6) : Math.sin(half) / norm;
      const dw = Math.cos(half);
      const dx = s * ox;
      const dy = s * oy;
      const dz = s * oz;
      const qw = qpos[Q + w] as number;
      const qx = qpos[Q + B + w] as number;
      const qy = qpos[Q + 2 * B + w] as number;
      const qz = qpos[Q + 3 * B + w] as number;
      // q ⊗ dq (body-frame rotation), then renormalise.
      const nw = qw * dw - qx * dx - qy * dy - qz * dz;
      const nx = qw * dx + qx * dw + qy * dz - qz * dy;
      const ny = qw * dy - qx * dz + qy * dw + qz * dx;
      const nz = qw * dz + qx * dy - qy * dx + qz * dw;
      const inv = 1 / Math.sqrt(nw * nw + nx * nx + ny * ny + nz * nz);
      qposNext[Q + w] = nw * inv;
      qposNext[Q + B + w] = nx * inv;
      qposNext[Q + 2 * B + w] = ny * inv;
      qposNext[Q + 3 * B + w] = nz * inv;
    }
  }
}
