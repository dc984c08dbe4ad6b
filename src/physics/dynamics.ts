/**
 * Joint-space dynamics terms over a batch: the mass matrix by the composite-rigid-body
 * algorithm, bias forces by recursive Newton–Euler, joint springs/dampers, and motor forces.
 *
 * All spatial quantities are in one world-aligned frame per tree (see {@link PhysicsData}), so
 * moving a quantity from a body to its parent is plain addition: no coordinate transforms. With
 * S_i the motion subspace (cdof) of dof i and I the spatial inertia (Featherstone, *Rigid Body
 * Dynamics Algorithms*, ch. 6 and 5, in this single-frame form):
 *
 * - CRBA: I^c_b = I_b + Σ_children I^c, and M_ij = S_jᵀ·I^c_{body(i)}·S_i for every dof j on the
 *   path from dof i to the root (all other entries are 0).
 * - RNEA with q̈ = 0: v_b = v_parent + Σ S_i·q̇_i; a_b = a_parent + Σ Ṡ_i·q̇_i starting from
 *   a_world = [0; −g] (gravity as a base acceleration); f_b = I_b·a_b + v_b ×* (I_b·v_b);
 *   forces summed from the leaves to the root; bias_i = S_iᵀ·f_{body(i)}.
 *   Ṡ_i = v ×ₘ S_i where v is the velocity of the frame S_i is fixed in: for hinges and slides
 *   either side of the joint (S × S = 0), for a free joint's translations the world (they are
 *   world-fixed, Ṡ = 0), for its rotations the body itself (the axes turn with the body).
 * @module
 */

import { JointType, type PhysicsModel } from './model.js';
import { checkBuffer } from './kinematics.js';
import { CINERT_SIZE, type ActuatorBuffers, type BiasBuffers, type CrbaBuffers, type PassiveBuffers } from './state.js';

/**
 * Mass matrix M(q) of all B worlds (armature added to the diagonal), from `cinert` and `cdof`.
 * Also writes the composite inertias `crb` and `dofForce` = crb·cdof, which the backward pass
 * reuses.
 */
export function crba(model: PhysicsModel, B: number, io: CrbaBuffers): void {
  const { nbody, nv, bodyParent, dofBody, dofParent, dofArmature } = model;
  const { cinert, cdof, crb, dofForce, qM } = io;
  checkBuffer(cinert, nbody * CINERT_SIZE * B, 'cinert');
  checkBuffer(cdof, nv * 6 * B, 'cdof');
  checkBuffer(crb, nbody * CINERT_SIZE * B, 'crb');
  checkBuffer(dofForce, nv * 6 * B, 'dofForce');
  checkBuffer(qM, nv * nv * B, 'qM');
  const K = CINERT_SIZE * B;

  for (let t = 0; t < nbody * K; t++) crb[t] = cinert[t] as number; // (a loop: subarray() would allocate a view)
  // Leaves to root. Trees are not summed into the world: each has its own reference point.
  for (let b = nbody - 1; b > 1; b--) {
    const p = bodyParent[b] as number;
    if (p === 0) continue;
    const src = b * K;
    const dst = p * K;
    for (let t = 0; t < K; t++) crb[dst + t] = (crb[dst + t] as number) + (crb[src + t] as number);
  }

  qM.fill(0, 0, nv * nv * B);
  for (let i = 0; i < nv; i++) {
    const C = (dofBody[i] as number) * K;
    const S = 6 * i * B;
    // F = I^c · S_i
    for (let w = 0; w < B; w++) {
      const ixx = crb[C + w] as number, iyy = crb[C + B + w] as number, izz = crb[C + 2 * B + w] as number;
      const ixy = crb[C + 3 * B + w] as number, ixz = crb[C + 4 * B + w] as number, iyz = crb[C + 5 * B + w] as number;
      const hx = crb[C + 6 * B + w] as number, hy = crb[C + 7 * B + w] as number, hz = crb[C + 8 * B + w] as number;
      const m = crb[C + 9 * B + w] as number;
      const ox = cdof[S + w] as number, oy = cdof[S + B + w] as number, oz = cdof[S + 2 * B + w] as number;
      const vx = cdof[S + 3 * B + w] as number, vy = cdof[S + 4 * B + w] as number, vz = cdof[S + 5 * B + w] as number;
      dofForce[S + w] = ixx * ox + ixy * oy + ixz * oz + (hy * vz - hz * vy);
      dofForce[S + B + w] = ixy * ox + iyy * oy + iyz * oz + (hz * vx - hx * vz);
      dofForce[S + 2 * B + w] = ixz * ox + iyz * oy + izz * oz + (hx * vy - hy * vx);
      dofForce[S + 3 * B + w] = m * vx - (hy * oz - hz * oy);
      dofForce[S + 4 * B + w] = m * vy - (hz * ox - hx * oz);
      dofForce[S + 5 * B + w] = m * vz - (hx * oy - hy * ox);
    }
    // M_ij = S_j · F for j = i and every dof above it.
    for (let j = i; j >= 0; j = dofParent[j] as number) {
      const T = 6 * j * B;
      const ij = (i * nv + j) * B;
      const ji = (j * nv + i) * B;
      for (let w = 0; w < B; w++) {
        const v =
          (cdof[T + w] as number) * (dofForce[S + w] as number) +
          (cdof[T + B + w] as number) * (dofForce[S + B + w] as number) +
          (cdof[T + 2 * B + w] as number) * (dofForce[S + 2 * B + w] as number) +
          (cdof[T + 3 * B + w] as number) * (dofForce[S + 3 * B + w] as number) +
          (cdof[T + 4 * B + w] as number) * (dofForce[S + 4 * B + w] as number) +
          (cdof[T + 5 * B + w] as number) * (dofForce[S + 5 * B + w] as number);
        qM[ij + w] = v;
        qM[ji + w] = v;
      }
    }
    const arm = dofArmature[i] as number;
    if (arm !== 0) {
      const ii = (i * nv + i) * B;
      for (let w = 0; w < B; w++) qM[ii + w] = (qM[ii + w] as number) + arm;
    }
  }
}

/** cdofDot_d = v ×ₘ cdof_d for the body velocity currently in `cvel` at offset V. */
function motionCross(cvel: Float64Array, V: number, cdof: Float64Array, cdofDot: Float64Array, d: number, B: number): void {
  const D = 6 * d * B;
  for (let w = 0; w < B; w++) {
    const wx = cvel[V + w] as number, wy = cvel[V + B + w] as number, wz = cvel[V + 2 * B + w] as number;
    const vx = cvel[V + 3 * B + w] as number, vy = cvel[V + 4 * B + w] as number, vz = cvel[V + 5 * B + w] as number;
    const ax = cdof[D + w] as number, ay = cdof[D + B + w] as number, az = cdof[D + 2 * B + w] as number;
    const bx = cdof[D + 3 * B + w] as number, by = cdof[D + 4 * B + w] as number, bz = cdof[D + 5 * B + w] as number;
    // [ω × a; ω × b + v × a]
    cdofDot[D + w] = wy * az - wz * ay;
    cdofDot[D + B + w] = wz * ax - wx * az;
    cdofDot[D + 2 * B + w] = wx * ay - wy * ax;
    cdofDot[D + 3 * B + w] = wy * bz - wz * by + (vy * az - vz * ay);
    cdofDot[D + 4 * B + w] = wz * bx - wx * bz + (vz * ax - vx * az);
    cdofDot[D + 5 * B + w] = wx * by - wy * bx + (vx * ay - vy * ax);
  }
}

/** cvel[V…] += cdof_d · q̇_d. */
function addDofVelocity(cvel: Float64Array, V: number, cdof: Float64Array, qvel: Float64Array, d: number, B: number): void {
  const D = 6 * d * B;
  const Q = d * B;
  for (let w = 0; w < B; w++) {
    const qd = qvel[Q + w] as number;
    for (let k = 0; k < 6; k++) cvel[V + k * B + w] = (cvel[V + k * B + w] as number) + (cdof[D + k * B + w] as number) * qd;
  }
}

/**
 * Bias forces c(q, q̇) of all B worlds: Coriolis, centrifugal and gravity terms in joint space,
 * so that M·q̈ + c = τ (MuJoCo's `qfrc_bias`). Reads `qvel`, `cinert`, `cdof`; writes `cvel`,
 * `cdofDot`, `cacc`, `cfrc` and `qfrcBias`.
 */
export function rneBias(model: PhysicsModel, B: number, io: BiasBuffers): void {
  const { nbody, nv, bodyParent, bodyJntAdr, bodyJntNum, bodyDofAdr, bodyDofNum, jntType, jntDofAdr, gravity } = model;
  const { qvel, cinert, cdof, cvel, cdofDot, cacc, cfrc, qfrcBias } = io;
  checkBuffer(qvel, nv * B, 'qvel');
  checkBuffer(cinert, nbody * CINERT_SIZE * B, 'cinert');
  checkBuffer(cdof, nv * 6 * B, 'cdof');
  checkBuffer(cvel, nbody * 6 * B, 'cvel');
  checkBuffer(cdofDot, nv * 6 * B, 'cdofDot');
  checkBuffer(cacc, nbody * 6 * B, 'cacc');
  checkBuffer(cfrc, nbody * 6 * B, 'cfrc');
  checkBuffer(qfrcBias, nv * B, 'qfrcBias');
  const gx = -(gravity[0] as number);
  const gy = -(gravity[1] as number);
  const gz = -(gravity[2] as number);

  // World: at rest, accelerating upwards at g (the equivalence principle puts gravity here).
  for (let w = 0; w < B; w++) {
    for (let k = 0; k < 6; k++) {
      cvel[k * B + w] = 0;
      cfrc[k * B + w] = 0;
    }
    cacc[w] = 0;
    cacc[B + w] = 0;
    cacc[2 * B + w] = 0;
    cacc[3 * B + w] = gx;
    cacc[4 * B + w] = gy;
    cacc[5 * B + w] = gz;
  }

  for (let b = 1; b < nbody; b++) {
    const p = bodyParent[b] as number;
    const V = 6 * b * B;
    const PV = 6 * p * B;
    for (let t = 0; t < 6 * B; t++) cvel[V + t] = cvel[PV + t] as number;
    const jadr = bodyJntAdr[b] as number;
    const jnum = bodyJntNum[b] as number;
    for (let j = jadr; j < jadr + jnum; j++) {
      const d = jntDofAdr[j] as number;
      if (jntType[j] === JointType.Free) {
        for (let k = 0; k < 3; k++) addDofVelocity(cvel, V, cdof, qvel, d + k, B);
        for (let k = 0; k < 3; k++) motionCross(cvel, V, cdof, cdofDot, d + k, B);
        for (let k = 3; k < 6; k++) addDofVelocity(cvel, V, cdof, qvel, d + k, B);
        for (let k = 3; k < 6; k++) motionCross(cvel, V, cdof, cdofDot, d + k, B);
      } else {
        addDofVelocity(cvel, V, cdof, qvel, d, B);
        motionCross(cvel, V, cdof, cdofDot, d, B);
      }
    }

    // a_b = a_parent + Σ Ṡ·q̇
    for (let t = 0; t < 6 * B; t++) cacc[V + t] = cacc[PV + t] as number;
    const dadr = bodyDofAdr[b] as number;
    const dnum = bodyDofNum[b] as number;
    for (let d = dadr; d < dadr + dnum; d++) {
      const D = 6 * d * B;
      const Q = d * B;
      for (let w = 0; w < B; w++) {
        const qd = qvel[Q + w] as number;
        for (let k = 0; k < 6; k++) cacc[V + k * B + w] = (cacc[V + k * B + w] as number) + (cdofDot[D + k * B + w] as number) * qd;
      }
    }

    // f_b = I·a + v ×* (I·v)
    const C = CINERT_SIZE * b * B;
    for (let w = 0; w < B; w++) {
      const ixx = cinert[C + w] as number, iyy = cinert[C + B + w] as number, izz = cinert[C + 2 * B + w] as number;
      const ixy = cinert[C + 3 * B + w] as number, ixz = cinert[C + 4 * B + w] as number, iyz = cinert[C + 5 * B + w] as number;
      const hx = cinert[C + 6 * B + w] as number, hy = cinert[C + 7 * B + w] as number, hz = cinert[C + 8 * B + w] as number;
      const m = cinert[C + 9 * B + w] as number;
      const ox = cvel[V + w] as number, oy = cvel[V + B + w] as number, oz = cvel[V + 2 * B + w] as number;
      const vx = cvel[V + 3 * B + w] as number, vy = cvel[V + 4 * B + w] as number, vz = cvel[V + 5 * B + w] as number;
      const ax = cacc[V + w] as number, ay = cacc[V + B + w] as number, az = cacc[V + 2 * B + w] as number;
      const lx = cacc[V + 3 * B + w] as number, ly = cacc[V + 4 * B + w] as number, lz = cacc[V + 5 * B + w] as number;
      // Momentum I·v = [n; f]
      const nx = ixx * ox + ixy * oy + ixz * oz + (hy * vz - hz * vy);
      const ny = ixy * ox + iyy * oy + iyz * oz + (hz * vx - hx * vz);
      const nz = ixz * ox + iyz * oy + izz * oz + (hx * vy - hy * vx);
      const fx = m * vx - (hy * oz - hz * oy);
      const fy = m * vy - (hz * ox - hx * oz);
      const fz = m * vz - (hx * oy - hy * ox);
      // v ×* [n; f] = [ω × n + v × f; ω × f]
      cfrc[V + w] = ixx * ax + ixy * ay + ixz * az + (hy * lz - hz * ly) + (oy * nz - oz * ny) + (vy * fz - vz * fy);
      cfrc[V + B + w] = ixy * ax + iyy * ay + iyz * az + (hz * lx - hx * lz) + (oz * nx - ox * nz) + (vz * fx - vx * fz);
      cfrc[V + 2 * B + w] = ixz * ax + iyz * ay + izz * az + (hx * ly - hy * lx) + (ox * ny - oy * nx) + (vx * fy - vy * fx);
      cfrc[V + 3 * B + w] = m * lx - (hy * az - hz * ay) + (oy * fz - oz * fy);
      cfrc[V + 4 * B + w] = m * ly - (hz * ax - hx * az) + (oz * fx - ox * fz);
      cfrc[V + 5 * B + w] = m * lz - (hx * ay - hy * ax) + (ox * fy - oy * fx);
    }
  }

  subtreeWrenchesToDofs(model, B, cfrc, cdof, qfrcBias);
}

/**
 * Generalised forces of per-body spatial wrenches: sums `cfrc` (6 per body, world-aligned at the
 * tree's reference point) from the leaves into each subtree root — in place, and not into the
 * world, since each tree has its own reference point — then writes τ_d = cdof_dᵀ·f_subtree(d)
 * into `out` [nv × B]. Shared by the bias forces (RNE's net body forces) and the contact forces.
 */
export function subtreeWrenchesToDofs(model: PhysicsModel, B: number, cfrc: Float64Array, cdof: Float64Array, out: Float64Array): void {
  const { nbody, nv, bodyParent, dofBody } = model;
  for (let b = nbody - 1; b > 1; b--) {
    const p = bodyParent[b] as number;
    if (p === 0) continue;
    const src = 6 * b * B;
    const dst = 6 * p * B;
    for (let t = 0; t < 6 * B; t++) cfrc[dst + t] = (cfrc[dst + t] as number) + (cfrc[src + t] as number);
  }
  for (let d = 0; d < nv; d++) {
    const F = 6 * (dofBody[d] as number) * B;
    const D = 6 * d * B;
    const Q = d * B;
    for (let w = 0; w < B; w++) {
      out[Q + w] =
        (cdof[D + w] as number) * (cfrc[F + w] as number) +
        (cdof[D + B + w] as number) * (cfrc[F + B + w] as number) +
        (cdof[D + 2 * B + w] as number) * (cfrc[F + 2 * B + w] as number) +
        (cdof[D + 3 * B + w] as number) * (cfrc[F + 3 * B + w] as number) +
        (cdof[D + 4 * B + w] as number) * (cfrc[F + 4 * B + w] as number) +
        (cdof[D + 5 * B + w] as number) * (cfrc[F + 5 * B + w] as number);
    }
  }
}

/**
 * Passive joint forces of all B worlds: τ = −damping·q̇ on every dof, plus −stiffness·(q − springref)
 * on hinge and slide joints (MuJoCo's `qfrc_passive` without tendons or fluid).
 */
export function passiveForces(model: PhysicsModel, B: number, io: PassiveBuffers): void {
  const { nv, nq, njnt, dofDamping, jntType, jntStiffness, jntSpringRef, jntQposAdr, jntDofAdr } = model;
  const { qpos, qvel, qfrcPassive } = io;
  checkBuffer(qpos, nq * B, 'qpos');
  checkBuffer(qvel, nv * B, 'qvel');
  checkBuffer(qfrcPassive, nv * B, 'qfrcPassive');
  for (let d = 0; d < nv; d++) {
    const c = -(dofDamping[d] as number);
    const Q = d * B;
    for (let w = 0; w < B; w++) qfrcPassive[Q + w] = c * (qvel[Q + w] as number);
  }
  for (let j = 0; j < njnt; j++) {
    const k = jntStiffness[j] as number;
    if (k === 0 || jntType[j] === JointType.Free) continue;
    const ref = jntSpringRef[j] as number;
    const A = (jntQposAdr[j] as number) * B;
    const D = (jntDofAdr[j] as number) * B;
    for (let w = 0; w < B; w++) qfrcPassive[D + w] = (qfrcPassive[D + w] as number) - k * ((qpos[A + w] as number) - ref);
  }
}

/**
 * Motor forces of all B worlds: force = clamp(ctrl, ctrlrange) if ctrllimited, then clamped to
 * forcerange if forcelimited, applied as gear·force on the driven joint's dof (MuJoCo's
 * `qfrc_actuator` for motors with joint transmissions).
 */
export function actuatorForces(model: PhysicsModel, B: number, io: ActuatorBuffers): void {
  const { nv, nu, actuatorDof, actuatorGear, actuatorCtrlRange, actuatorCtrlLimited, actuatorForceRange, actuatorForceLimited } = model;
  const { ctrl, qfrcActuator } = io;
  checkBuffer(ctrl, nu * B, 'ctrl');
  checkBuffer(qfrcActuator, nv * B, 'qfrcActuator');
  qfrcActuator.fill(0, 0, nv * B);
  for (let u = 0; u < nu; u++) {
    // Unlimited ranges become ±∞ so that one branch-free clamp serves every actuator.
    const clo = actuatorCtrlLimited[u] === 1 ? (actuatorCtrlRange[2 * u] as number) : -Infinity;
    const chi = actuatorCtrlLimited[u] === 1 ? (actuatorCtrlRange[2 * u + 1] as number) : Infinity;
    const flo = actuatorForceLimited[u] === 1 ? (actuatorForceRange[2 * u] as number) : -Infinity;
    const fhi = actuatorForceLimited[u] === 1 ? (actuatorForceRange[2 * u + 1] as number) : Infinity;
    const gear = actuatorGear[u] as number;
    const U = u * B;
    const D = (actuatorDof[u] as number) * B;
    for (let w = 0; w < B; w++) {
      const c = Math.min(Math.max(ctrl[U + w] as number, clo), chi);
      const f = Math.min(Math.max(c, flo), fhi);
      qfrcActuator[D + w] = (qfrcActuator[D + w] as number) + gear * f;
    }
  }
}
