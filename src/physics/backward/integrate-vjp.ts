/**
 * Backward passes of the integrator stages {@link dampedSolve} (with the implicit contact and
 * limit terms of `addImplicitTerms`) and {@link integrate} (`integrate.ts`).
 * @module
 */

import { choleskySolveInPlace } from '../cholesky.js';
import { checkBuffer } from '../kinematics.js';
import { JointType, type PhysicsModel } from '../model.js';
import type { ModelParamGrad } from './grad.js';

/** Forward values {@link dampedSolveVjp} reads. */
export interface DampedSolveVjpForward {
  /** The factor of the integrator matrix qMDamp and the solution q̈ = qMDamp⁻¹·τ. */
  readonly qLDamp: Float64Array;
  readonly qLDampDiagInv: Float64Array;
  readonly qaccStep: Float64Array;
  /** Inputs of the implicit contact terms. */
  readonly xpos: Float64Array;
  readonly cdof: Float64Array;
  readonly conPoint: Float64Array;
  readonly conImplicit: Float64Array;
}

/** Cotangents and scratch of {@link dampedSolveVjp}. */
export interface DampedSolveVjpGrad {
  /** Read: bar of qaccStep. */
  readonly qaccStepBar: Float64Array;
  /** Read and updated: on entry the bar of the output qfrcTotal, on return the total τ̄. */
  readonly qfrcTotalBar: Float64Array;
  /** Written: b̄ = qMDamp⁻¹·q̈̄, the rank-one factor of M̄ = −b̄·q̈ᵀ that `crbaVjp` contracts. */
  readonly qfrcSolveBar: Float64Array;
  /** Accumulated into. */
  readonly qfrcActuatorBar: Float64Array;
  readonly qfrcPassiveBar: Float64Array;
  readonly qfrcBiasBar: Float64Array;
  readonly qfrcContactBar: Float64Array;
  readonly qfrcLimitBar: Float64Array;
  readonly limImplicitBar: Float64Array;
  readonly conImplicitBar: Float64Array;
  readonly conPointBar: Float64Array;
  readonly xposBar: Float64Array;
  readonly cdofBar: Float64Array;
  /** Accumulated into only when `denseMassBar` is set. */
  readonly qMBar: Float64Array;
  /** Accumulated into: `dofDamping`. */
  readonly params: ModelParamGrad;
  /** Scratch [nbody·6·B] each: V_b(b̄), V_b(q̈) and their bars. */
  readonly rankOneVelU: Float64Array;
  readonly rankOneVelX: Float64Array;
  readonly rankOneMomU: Float64Array;
  readonly rankOneMomX: Float64Array;
}

/** out_b = out_parent + Σ_{dofs d of b} cdof_d·u_d, from 0 at each tree's root (the body velocities of q̇ = u). */
function bodyVelocities(model: PhysicsModel, B: number, cdof: Float64Array, u: Float64Array, out: Float64Array): void {
  const { nbody, bodyParent, bodyDofAdr, bodyDofNum } = model;
  out.fill(0, 0, 6 * B);
  for (let b = 1; b < nbody; b++) {
    const p = bodyParent[b] as number;
    const V = 6 * b * B;
    const PV = 6 * p * B;
    if (p === 0) out.fill(0, V, V + 6 * B);
    else for (let t = 0; t < 6 * B; t++) out[V + t] = out[PV + t] as number;
    const dadr = bodyDofAdr[b] as number;
    const dnum = bodyDofNum[b] as number;
    for (let d = dadr; d < dadr + dnum; d++) {
      const Dd = 6 * d * B;
      const Q = d * B;
      for (let w = 0; w < B; w++) {
        const ud = u[Q + w] as number;
        for (let k = 0; k < 6; k++) out[V + k * B + w] = (out[V + k * B + w] as number) + (cdof[Dd + k * B + w] as number) * ud;
      }
    }
  }
}

/**
 * VJP of {@link dampedSolve}: q̈ = A⁻¹·τ with τ = τ_act + τ_pass − c + τ_contact + τ_limit and
 * A = M + h·diag(dofDamping) + (implicit limit and contact terms, `addImplicitTerms`).
 *
 * As for any solve (see {@link solveVjp}): b̄ = A⁻¹·q̈̄ with the cached factor, τ̄ += b̄ (sent to
 * the five force terms), and Ā = −b̄·q̈ᵀ, never formed: it is contracted with each part of A.
 * - M: left to `crbaVjp` (pass it `qfrcSolveBar` and `qaccStep`), or added densely to `qMBar`
 *   with `denseMassBar`.
 * - h·D_i: damping̅_i += −h·b̄_i·q̈_i.
 * - limits (`limit.implicit`): h·(c₀ + h·c₁) on the dof's diagonal, so c̄₀ += −h·b̄_i·q̈_i,
 *   c̄₁ += −h²·b̄_i·q̈_i.
 * - contacts (`contact.implicit`): A_c = Σ_c J_cᵀ·K_c·J_c with K_c = h·diag(g, g, d_n + h·k_n)
 *   and J_c the contact point's Jacobian, so ⟨Ā, A_c⟩ = −Σ_c (J_c b̄)ᵀ·K_c·(J_c q̈): the point
 *   velocities a = J_c b̄ and e = J_c q̈ are formed from the body velocities V_b(b̄), V_b(q̈)
 *   (a = v_O + ω × r, r = p − O) as in the forward's CRBA-like sum, then
 *   c̄_g += −h·(a_x e_x + a_y e_y), c̄_{d_n} += −h·a_z e_z, c̄_{k_n} += −h²·a_z e_z,
 *   ā = −K·e, ē = −K·a, r̄ = ā × ω_a + ē × ω_e (to `conPoint` and −`xpos` of O), and
 *   V̄_b += [r × ā; ā] etc., summed over subtrees into cdof̄_d += b̄_d·V̄_b(b̄) + q̈_d·V̄_b(q̈).
 *   Every contact is included (the forward's skip of contacts with K = 0 is exact in value, but
 *   the derivative in K is not zero there).
 */
export function dampedSolveVjp(model: PhysicsModel, B: number, h: number, fwd: DampedSolveVjpForward, grad: DampedSolveVjpGrad, denseMassBar = false): void {
  const { nbody, nv, ncon, njnt, bodyParent, bodyRoot, dofBody, conBody, jntLimited, jntType, jntDofAdr, contact, limit } = model;
  const { qLDamp, qLDampDiagInv, qaccStep, xpos, cdof, conPoint, conImplicit } = fwd;
  const { qaccStepBar, qfrcTotalBar, qfrcSolveBar, qfrcActuatorBar, qfrcPassiveBar, qfrcBiasBar, qfrcContactBar, qfrcLimitBar, limImplicitBar, conImplicitBar, conPointBar, xposBar, cdofBar, qMBar, params } = grad;
  const n = nv;
  checkBuffer(qLDamp, n * n * B, 'qLDamp');
  checkBuffer(qLDampDiagInv, n * B, 'qLDampDiagInv');
  checkBuffer(qaccStep, n * B, 'qaccStep');
  checkBuffer(qaccStepBar, n * B, 'qaccStepBar');
  checkBuffer(qfrcTotalBar, n * B, 'qfrcTotalBar');
  checkBuffer(qfrcSolveBar, n * B, 'qfrcSolveBar');
  checkBuffer(qfrcActuatorBar, n * B, 'qfrcActuatorBar');
  checkBuffer(qfrcPassiveBar, n * B, 'qfrcPassiveBar');
  checkBuffer(qfrcBiasBar, n * B, 'qfrcBiasBar');
  checkBuffer(qfrcContactBar, n * B, 'qfrcContactBar');
  checkBuffer(qfrcLimitBar, n * B, 'qfrcLimitBar');

  // b̄ = A⁻¹·q̈̄, τ̄ = qfrcTotal̄ + b̄.
  for (let t = 0; t < n * B; t++) qfrcSolveBar[t] = qaccStepBar[t] as number;
  choleskySolveInPlace(n, B, qLDamp, qLDampDiagInv, qfrcSolveBar);
  for (let t = 0; t < n * B; t++) {
    const tb = (qfrcTotalBar[t] as number) + (qfrcSolveBar[t] as number);
    qfrcTotalBar[t] = tb;
    qfrcActuatorBar[t] = (qfrcActuatorBar[t] as number) + tb;
    qfrcPassiveBar[t] = (qfrcPassiveBar[t] as number) + tb;
    qfrcBiasBar[t] = (qfrcBiasBar[t] as number) - tb;
    qfrcContactBar[t] = (qfrcContactBar[t] as number) + tb;
    qfrcLimitBar[t] = (qfrcLimitBar[t] as number) + tb;
  }

  // Diagonal terms: Ā_ii = −b̄_i·q̈_i.
  const dampBar = params.dofDamping;
  for (let t = 0; t < n * B; t++) dampBar[t] = (dampBar[t] as number) - h * (qfrcSolveBar[t] as number) * (qaccStep[t] as number);
  if (limit.enabled && limit.implicit) {
    checkBuffer(limImplicitBar, n * 2 * B, 'limImplicitBar');
    for (let j = 0; j < njnt; j++) {
      if (jntLimited[j] !== 1 || jntType[j] === JointType.Free) continue;
      const dof = jntDofAdr[j] as number;
      const Q = dof * B;
      const L = 2 * dof * B;
      for (let w = 0; w < B; w++) {
        const a = -h * (qfrcSolveBar[Q + w] as number) * (qaccStep[Q + w] as number);
        limImplicitBar[L + w] = (limImplicitBar[L + w] as number) + a;
        limImplicitBar[L + B + w] = (limImplicitBar[L + B + w] as number) + h * a;
      }
    }
  }

  if (denseMassBar) {
    checkBuffer(qMBar, n * n * B, 'qMBar');
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const ij = (i * n + j) * B;
        for (let w = 0; w < B; w++) qMBar[ij + w] = (qMBar[ij + w] as number) - (qfrcSolveBar[i * B + w] as number) * (qaccStep[j * B + w] as number);
      }
    }
  }

  if (!(contact.enabled && contact.implicit) || ncon === 0) return;
  const { rankOneVelU: vu, rankOneVelX: vx, rankOneMomU: vuBar, rankOneMomX: vxBar } = grad;
  checkBuffer(xpos, nbody * 3 * B, 'xpos');
  checkBuffer(cdof, nv * 6 * B, 'cdof');
  checkBuffer(conPoint, ncon * 3 * B, 'conPoint');
  checkBuffer(conImplicit, ncon * 3 * B, 'conImplicit');
  checkBuffer(conImplicitBar, ncon * 3 * B, 'conImplicitBar');
  checkBuffer(conPointBar, ncon * 3 * B, 'conPointBar');
  checkBuffer(xposBar, nbody * 3 * B, 'xposBar');
  checkBuffer(cdofBar, nv * 6 * B, 'cdofBar');
  checkBuffer(vu, nbody * 6 * B, 'rankOneVelU');
  checkBuffer(vx, nbody * 6 * B, 'rankOneVelX');
  checkBuffer(vuBar, nbody * 6 * B, 'rankOneMomU');
  checkBuffer(vxBar, nbody * 6 * B, 'rankOneMomX');
  bodyVelocities(model, B, cdof, qfrcSolveBar, vu);
  bodyVelocities(model, B, cdof, qaccStep, vx);
  vuBar.fill(0, 0, nbody * 6 * B);
  vxBar.fill(0, 0, nbody * 6 * B);
  const h2 = h * h;
  for (let c = 0; c < ncon; c++) {
    const b = conBody[c] as number;
    const V = 6 * b * B;
    const O = 3 * (bodyRoot[b] as number) * B;
    const C3 = 3 * c * B;
    for (let w = 0; w < B; w++) {
      const rx = (conPoint[C3 + w] as number) - (xpos[O + w] as number);
      const ry = (conPoint[C3 + B + w] as number) - (xpos[O + B + w] as number);
      const rz = (conPoint[C3 + 2 * B + w] as number) - (xpos[O + 2 * B + w] as number);
      const uox = vu[V + w] as number, uoy = vu[V + B + w] as number, uoz = vu[V + 2 * B + w] as number;
      const xox = vx[V + w] as number, xoy = vx[V + B + w] as number, xoz = vx[V + 2 * B + w] as number;
      // Point velocities a = J·b̄, e = J·q̈.
      const ax = (vu[V + 3 * B + w] as number) + uoy * rz - uoz * ry;
      const ay = (vu[V + 4 * B + w] as number) + uoz * rx - uox * rz;
      const az = (vu[V + 5 * B + w] as number) + uox * ry - uoy * rx;
      const ex = (vx[V + 3 * B + w] as number) + xoy * rz - xoz * ry;
      const ey = (vx[V + 4 * B + w] as number) + xoz * rx - xox * rz;
      const ez = (vx[V + 5 * B + w] as number) + xox * ry - xoy * rx;
      const tt = ax * ex + ay * ey;
      const nn = az * ez;
      conImplicitBar[C3 + w] = (conImplicitBar[C3 + w] as number) - h * tt;
      conImplicitBar[C3 + B + w] = (conImplicitBar[C3 + B + w] as number) - h * nn;
      conImplicitBar[C3 + 2 * B + w] = (conImplicitBar[C3 + 2 * B + w] as number) - h2 * nn;
      const kt = h * (conImplicit[C3 + w] as number);
      const kn = h * ((conImplicit[C3 + B + w] as number) + h * (conImplicit[C3 + 2 * B + w] as number));
      if (kt === 0 && kn === 0) continue;
      // ā = −K·e, ē = −K·a
      const abx = -kt * ex, aby = -kt * ey, abz = -kn * ez;
      const ebx = -kt * ax, eby = -kt * ay, ebz = -kn * az;
      const rbx = aby * uoz - abz * uoy + (eby * xoz - ebz * xoy);
      const rby = abz * uox - abx * uoz + (ebz * xox - ebx * xoz);
      const rbz = abx * uoy - aby * uox + (ebx * xoy - eby * xox);
      conPointBar[C3 + w] = (conPointBar[C3 + w] as number) + rbx;
      conPointBar[C3 + B + w] = (conPointBar[C3 + B + w] as number) + rby;
      conPointBar[C3 + 2 * B + w] = (conPointBar[C3 + 2 * B + w] as number) + rbz;
      xposBar[O + w] = (xposBar[O + w] as number) - rbx;
      xposBar[O + B + w] = (xposBar[O + B + w] as number) - rby;
      xposBar[O + 2 * B + w] = (xposBar[O + 2 * B + w] as number) - rbz;
      vuBar[V + w] = (vuBar[V + w] as number) + (ry * abz - rz * aby);
      vuBar[V + B + w] = (vuBar[V + B + w] as number) + (rz * abx - rx * abz);
      vuBar[V + 2 * B + w] = (vuBar[V + 2 * B + w] as number) + (rx * aby - ry * abx);
      vuBar[V + 3 * B + w] = (vuBar[V + 3 * B + w] as number) + abx;
      vuBar[V + 4 * B + w] = (vuBar[V + 4 * B + w] as number) + aby;
      vuBar[V + 5 * B + w] = (vuBar[V + 5 * B + w] as number) + abz;
      vxBar[V + w] = (vxBar[V + w] as number) + (ry * ebz - rz * eby);
      vxBar[V + B + w] = (vxBar[V + B + w] as number) + (rz * ebx - rx * ebz);
      vxBar[V + 2 * B + w] = (vxBar[V + 2 * B + w] as number) + (rx * eby - ry * ebx);
      vxBar[V + 3 * B + w] = (vxBar[V + 3 * B + w] as number) + ebx;
      vxBar[V + 4 * B + w] = (vxBar[V + 4 * B + w] as number) + eby;
      vxBar[V + 5 * B + w] = (vxBar[V + 5 * B + w] as number) + ebz;
    }
  }
  // V_b = V_parent + Σ S_d·u_d: each body's bar reaches every dof on its path, i.e. dof d gets
  // the subtree sum of the bars below body(d).
  for (let b = nbody - 1; b > 1; b--) {
    const p = bodyParent[b] as number;
    if (p === 0) continue;
    const src = 6 * b * B;
    const dst = 6 * p * B;
    for (let t = 0; t < 6 * B; t++) {
      vuBar[dst + t] = (vuBar[dst + t] as number) + (vuBar[src + t] as number);
      vxBar[dst + t] = (vxBar[dst + t] as number) + (vxBar[src + t] as number);
    }
  }
  for (let d = 0; d < nv; d++) {
    const V = 6 * (dofBody[d] as number) * B;
    const Dd = 6 * d * B;
    const Q = d * B;
    for (let w = 0; w < B; w++) {
      const ud = qfrcSolveBar[Q + w] as number;
      const xd = qaccStep[Q + w] as number;
      for (let k = 0; k < 6; k++) {
        cdofBar[Dd + k * B + w] = (cdofBar[Dd + k * B + w] as number) + ud * (vuBar[V + k * B + w] as number) + xd * (vxBar[V + k * B + w] as number);
      }
    }
  }
}

/** Forward values {@link integrateVjp} reads. */
export interface IntegrateVjpForward {
  readonly qpos: Float64Array;
  readonly qvelNext: Float64Array;
  readonly qposNext: Float64Array;
}

/** Cotangents of {@link integrateVjp}. */
export interface IntegrateVjpGrad {
  /** Consumed (clobbered): bars of the new state. */
  readonly qposNextBar: Float64Array;
  readonly qvelNextBar: Float64Array;
  /** Accumulated into. */
  readonly qposBar: Float64Array;
  readonly qvelBar: Float64Array;
  readonly qaccStepBar: Float64Array;
}

/**
 * VJP of {@link integrate}: q̇⁺ = q̇ + h·q̈, q⁺ = q ⊕ h·q̇⁺. First q⁺ (which also reads q̇⁺):
 * hinges, slides and a free joint's position give q̄ += q̄⁺ and q̇̄⁺ += h·q̄⁺. A free joint's
 * orientation is q⁺ = n/|n| with n = q ⊗ δ, δ = (cos θ/2, s·ω), θ = h·|ω|,
 * s = sin(θ/2)/|ω| (its Taylor polynomial ½h·(1 − (θ/2)²/6) below θ/2 = 10⁻⁴, as in the forward):
 * - n̄ = (q̄⁺ − q⁺·(q⁺·q̄⁺))/|n| (the normalisation's projection);
 * - q̄ += n̄ ⊗ δ*, δ̄ = q* ⊗ n̄ (the Hamilton product is bilinear);
 * - ω̄ += s·δ̄_v + (ω·δ̄_v)·(∂s/∂|ω|)/|ω|·ω − δ̄_w·½h·s·ω, using sin(θ/2)/|ω| = s and
 *   (∂s/∂|ω|)/|ω| = (½h·cos(θ/2) − s)/|ω|² (−h³/24 on the Taylor branch).
 * Then q̇̄ += q̇̄⁺ and q̈̄ += h·q̇̄⁺.
 */
export function integrateVjp(model: PhysicsModel, B: number, h: number, fwd: IntegrateVjpForward, grad: IntegrateVjpGrad): void {
  const { nq, nv, njnt, jntType, jntQposAdr, jntDofAdr } = model;
  const { qpos, qvelNext, qposNext } = fwd;
  const { qposNextBar, qvelNextBar, qposBar, qvelBar, qaccStepBar } = grad;
  checkBuffer(qpos, nq * B, 'qpos');
  checkBuffer(qvelNext, nv * B, 'qvelNext');
  checkBuffer(qposNext, nq * B, 'qposNext');
  checkBuffer(qposNextBar, nq * B, 'qposNextBar');
  checkBuffer(qvelNextBar, nv * B, 'qvelNextBar');
  checkBuffer(qposBar, nq * B, 'qposBar');
  checkBuffer(qvelBar, nv * B, 'qvelBar');
  checkBuffer(qaccStepBar, nv * B, 'qaccStepBar');
  for (let j = 0; j < njnt; j++) {
    const A = (jntQposAdr[j] as number) * B;
    const Dd = (jntDofAdr[j] as number) * B;
    const linear = jntType[j] === JointType.Free ? 3 : 1;
    for (let t = 0; t < linear * B; t++) {
      const pb = qposNextBar[A + t] as number;
      qposBar[A + t] = (qposBar[A + t] as number) + pb;
      qvelNextBar[Dd + t] = (qvelNextBar[Dd + t] as number) + h * pb;
    }
    if (linear === 1) continue;
    const Q = A + 3 * B;
    const W = Dd + 3 * B;
    for (let w = 0; w < B; w++) {
      const ox = qvelNext[W + w] as number;
      const oy = qvelNext[W + B + w] as number;
      const oz = qvelNext[W + 2 * B + w] as number;
      const norm = Math.sqrt(ox * ox + oy * oy + oz * oz);
      const half = 0.5 * h * norm;
      const taylor = half < 1e-4;
      const s = taylor ? 0.5 * h * (1 - (half * half) / 6) : Math.sin(half) / norm;
      const dw = Math.cos(half);
      // (∂s/∂|ω|)/|ω|
      const s1 = taylor ? (-h * h * h) / 24 : (0.5 * h * dw - s) / (norm * norm);
      const dx = s * ox, dy = s * oy, dz = s * oz;
      const qw = qpos[Q + w] as number;
      const qx = qpos[Q + B + w] as number;
      const qy = qpos[Q + 2 * B + w] as number;
      const qz = qpos[Q + 3 * B + w] as number;
      const nw = qw * dw - qx * dx - qy * dy - qz * dz;
      const nx = qw * dx + qx * dw + qy * dz - qz * dy;
      const ny = qw * dy - qx * dz + qy * dw + qz * dx;
      const nz = qw * dz + qx * dy - qy * dx + qz * dw;
      const inv = 1 / Math.sqrt(nw * nw + nx * nx + ny * ny + nz * nz);
      const uw = qposNext[Q + w] as number, ux = qposNext[Q + B + w] as number, uy = qposNext[Q + 2 * B + w] as number, uz = qposNext[Q + 3 * B + w] as number;
      const bw = qposNextBar[Q + w] as number, bx = qposNextBar[Q + B + w] as number, by = qposNextBar[Q + 2 * B + w] as number, bz = qposNextBar[Q + 3 * B + w] as number;
      const dot = uw * bw + ux * bx + uy * by + uz * bz;
      const mw = (bw - uw * dot) * inv, mx = (bx - ux * dot) * inv, my = (by - uy * dot) * inv, mz = (bz - uz * dot) * inv;
      // q̄ += n̄ ⊗ δ*  (δ* = (dw, −dx, −dy, −dz))
      qposBar[Q + w] = (qposBar[Q + w] as number) + (mw * dw + mx * dx + my * dy + mz * dz);
      qposBar[Q + B + w] = (qposBar[Q + B + w] as number) + (-mw * dx + mx * dw - my * dz + mz * dy);
      qposBar[Q + 2 * B + w] = (qposBar[Q + 2 * B + w] as number) + (-mw * dy + mx * dz + my * dw - mz * dx);
      qposBar[Q + 3 * B + w] = (qposBar[Q + 3 * B + w] as number) + (-mw * dz - mx * dy + my * dx + mz * dw);
      // δ̄ = q* ⊗ n̄  (q* = (qw, −qx, −qy, −qz))
      const ew = qw * mw + qx * mx + qy * my + qz * mz;
      const ex = qw * mx - qx * mw - qy * mz + qz * my;
      const ey = qw * my + qx * mz - qy * mw - qz * mx;
      const ez = qw * mz - qx * my + qy * mx - qz * mw;
      const c = (ox * ex + oy * ey + oz * ez) * s1 - ew * 0.5 * h * s;
      qvelNextBar[W + w] = (qvelNextBar[W + w] as number) + s * ex + c * ox;
      qvelNextBar[W + B + w] = (qvelNextBar[W + B + w] as number) + s * ey + c * oy;
      qvelNextBar[W + 2 * B + w] = (qvelNextBar[W + 2 * B + w] as number) + s * ez + c * oz;
    }
  }
  for (let t = 0; t < nv * B; t++) {
    const vb = qvelNextBar[t] as number;
    qvelBar[t] = (qvelBar[t] as number) + vb;
    qaccStepBar[t] = (qaccStepBar[t] as number) + h * vb;
  }
}
