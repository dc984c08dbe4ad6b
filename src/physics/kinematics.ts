/**
 * Forward kinematics over a batch: body poses from joint positions, then the spatial inertias
 * and motion subspaces that the dynamics stages use.
 *
 * Derivation (no engine's code): a body's frame is its parent's frame composed with the fixed
 * offset (bodyPos, bodyQuat), then with each of its joints in declaration order:
 * - hinge: rotation by θ = q − ref about the axis through the anchor. The world axis and
 *   anchor are taken in the frame reached so far; the frame's orientation becomes R·Rot(a, θ)
 *   and its origin moves so the anchor stays put: p ← anchor − R_new·jpos.
 * - slide: the origin moves by (q − ref) along the world axis.
 * - free: position and (normalised) quaternion are read straight from qpos.
 * Quaternions compose as Hamilton products; vectors are rotated as v + w·t + u × t with
 * t = 2u × v for q = (w, u), which is the matrix R(q)·v without forming R.
 * @module
 */

import { JointType, type PhysicsModel } from './model.js';
import { CINERT_SIZE, type ComKinematicsBuffers, type KinematicsBuffers } from './state.js';

/** Throws if a buffer is shorter than `n` (checked once per call, never per world). */
export function checkBuffer(buf: Float64Array, n: number, name: string): void {
  if (buf.length < n) throw new RangeError(`physics buffer "${name}" has ${buf.length} entries, needs ${n}`);
}

/**
 * Body poses (`xpos`, `xquat`, `xmat`) and joint frames (`xanchor`, `xaxis`) of all B worlds
 * from `qpos`. Writes every entry of its outputs, the world body's included.
 */
export function kinematics(model: PhysicsModel, B: number, io: KinematicsBuffers): void {
  const { nbody, njnt, nq } = model;
  const { qpos, xpos, xquat, xmat, xanchor, xaxis } = io;
  checkBuffer(qpos, nq * B, 'qpos');
  checkBuffer(xpos, nbody * 3 * B, 'xpos');
  checkBuffer(xquat, nbody * 4 * B, 'xquat');
  checkBuffer(xmat, nbody * 9 * B, 'xmat');
  checkBuffer(xanchor, njnt * 3 * B, 'xanchor');
  checkBuffer(xaxis, njnt * 3 * B, 'xaxis');
  const { bodyParent, bodyPos, bodyQuat, bodyJntAdr, bodyJntNum, jntType, jntPos, jntAxis, jntQposAdr, qpos0 } = model;

  // World body: identity frame at the origin.
  for (let w = 0; w < B; w++) {
    xpos[w] = 0;
    xpos[B + w] = 0;
    xpos[2 * B + w] = 0;
    xquat[w] = 1;
    xquat[B + w] = 0;
    xquat[2 * B + w] = 0;
    xquat[3 * B + w] = 0;
    for (let k = 0; k < 9; k++) xmat[k * B + w] = k % 4 === 0 ? 1 : 0;
  }

  for (let b = 1; b < nbody; b++) {
    const p = bodyParent[b] as number;
    const P = 3 * b * B; // xpos of b: P + k·B + w
    const Q = 4 * b * B;
    const jadr = bodyJntAdr[b] as number;
    const jnum = bodyJntNum[b] as number;
    const firstType = jnum > 0 ? (jntType[jadr] as number) : -1;

    if (firstType === JointType.Free) {
      // Free joint (the only joint of a child of the world): pose straight from qpos, with the
      // quaternion normalised so that an integrator's drift never scales the body.
      const a = jntQposAdr[jadr] as number;
      const J = 3 * jadr * B;
      for (let w = 0; w < B; w++) {
        const px = qpos[a * B + w] as number;
        const py = qpos[(a + 1) * B + w] as number;
        const pz = qpos[(a + 2) * B + w] as number;
        let qw = qpos[(a + 3) * B + w] as number;
        let qx = qpos[(a + 4) * B + w] as number;
        let qy = qpos[(a + 5) * B + w] as number;
        let qz = qpos[(a + 6) * B + w] as number;
        const s = 1 / Math.sqrt(qw * qw + qx * qx + qy * qy + qz * qz);
        qw *= s;
        qx *= s;
        qy *= s;
        qz *= s;
        xpos[P + w] = px;
        xpos[P + B + w] = py;
        xpos[P + 2 * B + w] = pz;
        xquat[Q + w] = qw;
        xquat[Q + B + w] = qx;
        xquat[Q + 2 * B + w] = qy;
        xquat[Q + 3 * B + w] = qz;
        xanchor[J + w] = px;
        xanchor[J + B + w] = py;
        xanchor[J + 2 * B + w] = pz;
        xaxis[J + w] = 0;
        xaxis[J + B + w] = 0;
        xaxis[J + 2 * B + w] = 1;
      }
    } else {
      // Fixed offset from the parent: x = x_p + R_p·bodyPos, q = q_p ⊗ bodyQuat.
      const PP = 3 * p * B;
      const PQ = 4 * p * B;
      const PM = 9 * p * B;
      const ox = bodyPos[3 * b] as number;
      const oy = bodyPos[3 * b + 1] as number;
      const oz = bodyPos[3 * b + 2] as number;
      const bw = bodyQuat[4 * b] as number;
      const bx = bodyQuat[4 * b + 1] as number;
      const by = bodyQuat[4 * b + 2] as number;
      const bz = bodyQuat[4 * b + 3] as number;
      for (let w = 0; w < B; w++) {
        xpos[P + w] = (xpos[PP + w] as number) + (xmat[PM + w] as number) * ox + (xmat[PM + B + w] as number) * oy + (xmat[PM + 2 * B + w] as number) * oz;
        xpos[P + B + w] = (xpos[PP + B + w] as number) + (xmat[PM + 3 * B + w] as number) * ox + (xmat[PM + 4 * B + w] as number) * oy + (xmat[PM + 5 * B + w] as number) * oz;
        xpos[P + 2 * B + w] = (xpos[PP + 2 * B + w] as number) + (xmat[PM + 6 * B + w] as number) * ox + (xmat[PM + 7 * B + w] as number) * oy + (xmat[PM + 8 * B + w] as number) * oz;
        const pw = xquat[PQ + w] as number;
        const px = xquat[PQ + B + w] as number;
        const py = xquat[PQ + 2 * B + w] as number;
        const pz = xquat[PQ + 3 * B + w] as number;
        xquat[Q + w] = pw * bw - px * bx - py * by - pz * bz;
        xquat[Q + B + w] = pw * bx + px * bw + py * bz - pz * by;
        xquat[Q + 2 * B + w] = pw * by - px * bz + py * bw + pz * bx;
        xquat[Q + 3 * B + w] = pw * bz + px * by - py * bx + pz * bw;
      }

      for (let j = jadr; j < jadr + jnum; j++) {
        const type = jntType[j] as number;
        const a = jntQposAdr[j] as number;
        const ref = qpos0[a] as number;
        const ax = jntAxis[3 * j] as number;
        const ay = jntAxis[3 * j + 1] as number;
        const az = jntAxis[3 * j + 2] as number;
        const jx = jntPos[3 * j] as number;
        const jy = jntPos[3 * j + 1] as number;
        const jz = jntPos[3 * j + 2] as number;
        const J = 3 * j * B;
        // World axis = R(q)·axis and anchor = x + R(q)·jpos in the frame reached so far, then
        // the joint's own motion. Hinges and slides get separate loops so neither has a branch.
        if (type === JointType.Hinge) {
          for (let w = 0; w < B; w++) {
            const qw = xquat[Q + w] as number;
            const qx = xquat[Q + B + w] as number;
            const qy = xquat[Q + 2 * B + w] as number;
            const qz = xquat[Q + 3 * B + w] as number;
            let tx = 2 * (qy * az - qz * ay);
            let ty = 2 * (qz * ax - qx * az);
            let tz = 2 * (qx * ay - qy * ax);
            xaxis[J + w] = ax + qw * tx + (qy * tz - qz * ty);
            xaxis[J + B + w] = ay + qw * ty + (qz * tx - qx * tz);
            xaxis[J + 2 * B + w] = az + qw * tz + (qx * ty - qy * tx);
            tx = 2 * (qy * jz - qz * jy);
            ty = 2 * (qz * jx - qx * jz);
            tz = 2 * (qx * jy - qy * jx);
            const ancx = (xpos[P + w] as number) + jx + qw * tx + (qy * tz - qz * ty);
            const ancy = (xpos[P + B + w] as number) + jy + qw * ty + (qz * tx - qx * tz);
            const ancz = (xpos[P + 2 * B + w] as number) + jz + qw * tz + (qx * ty - qy * tx);
            xanchor[J + w] = ancx;
            xanchor[J + B + w] = ancy;
            xanchor[J + 2 * B + w] = ancz;
            // q ← q ⊗ (cos θ/2, sin θ/2 · axis), then move the origin so the anchor stays put.
            const half = 0.5 * ((qpos[a * B + w] as number) - ref);
            const c = Math.cos(half);
            const s = Math.sin(half);
            const lx = s * ax;
            const ly = s * ay;
            const lz = s * az;
            const nw = qw * c - qx * lx - qy * ly - qz * lz;
            const nx = qw * lx + qx * c + qy * lz - qz * ly;
            const ny = qw * ly - qx * lz + qy * c + qz * lx;
            const nz = qw * lz + qx * ly - qy * lx + qz * c;
            xquat[Q + w] = nw;
            xquat[Q + B + w] = nx;
            xquat[Q + 2 * B + w] = ny;
            xquat[Q + 3 * B + w] = nz;
            tx = 2 * (ny * jz - nz * jy);
            ty = 2 * (nz * jx - nx * jz);
            tz = 2 * (nx * jy - ny * jx);
            xpos[P + w] = ancx - (jx + nw * tx + (ny * tz - nz * ty));
            xpos[P + B + w] = ancy - (jy + nw * ty + (nz * tx - nx * tz));
            xpos[P + 2 * B + w] = ancz - (jz + nw * tz + (nx * ty - ny * tx));
          }
        } else {
          for (let w = 0; w < B; w++) {
            const qw = xquat[Q + w] as number;
            const qx = xquat[Q + B + w] as number;
            const qy = xquat[Q + 2 * B + w] as number;
            const qz = xquat[Q + 3 * B + w] as number;
            let tx = 2 * (qy * az - qz * ay);
            let ty = 2 * (qz * ax - qx * az);
            let tz = 2 * (qx * ay - qy * ax);
            const wx = ax + qw * tx + (qy * tz - qz * ty);
            const wy = ay + qw * ty + (qz * tx - qx * tz);
            const wz = az + qw * tz + (qx * ty - qy * tx);
            xaxis[J + w] = wx;
            xaxis[J + B + w] = wy;
            xaxis[J + 2 * B + w] = wz;
            tx = 2 * (qy * jz - qz * jy);
            ty = 2 * (qz * jx - qx * jz);
            tz = 2 * (qx * jy - qy * jx);
            const px = xpos[P + w] as number;
            const py = xpos[P + B + w] as number;
            const pz = xpos[P + 2 * B + w] as number;
            // The anchor is reported before the slide's displacement (it rides with the body).
            xanchor[J + w] = px + jx + qw * tx + (qy * tz - qz * ty);
            xanchor[J + B + w] = py + jy + qw * ty + (qz * tx - qx * tz);
            xanchor[J + 2 * B + w] = pz + jz + qw * tz + (qx * ty - qy * tx);
            const d = (qpos[a * B + w] as number) - ref;
            xpos[P + w] = px + wx * d;
            xpos[P + B + w] = py + wy * d;
            xpos[P + 2 * B + w] = pz + wz * d;
          }
        }
      }
    }

    // Rotation matrix of the final quaternion (children and the inertia stage use it).
    const M = 9 * b * B;
    for (let w = 0; w < B; w++) {
      const qw = xquat[Q + w] as number;
      const qx = xquat[Q + B + w] as number;
      const qy = xquat[Q + 2 * B + w] as number;
      const qz = xquat[Q + 3 * B + w] as number;
      const xx = qx * qx, yy = qy * qy, zz = qz * qz;
      const xy = qx * qy, xz = qx * qz, yz = qy * qz;
      const wx = qw * qx, wy = qw * qy, wz = qw * qz;
      xmat[M + w] = 1 - 2 * (yy + zz);
      xmat[M + B + w] = 2 * (xy - wz);
      xmat[M + 2 * B + w] = 2 * (xz + wy);
      xmat[M + 3 * B + w] = 2 * (xy + wz);
      xmat[M + 4 * B + w] = 1 - 2 * (xx + zz);
      xmat[M + 5 * B + w] = 2 * (yz - wx);
      xmat[M + 6 * B + w] = 2 * (xz - wy);
      xmat[M + 7 * B + w] = 2 * (yz + wx);
      xmat[M + 8 * B + w] = 1 - 2 * (xx + yy);
    }
  }
}

/**
 * Spatial inertias `cinert` and dof motion subspaces `cdof` of all B worlds, about each tree's
 * reference point O (the world position of the tree's top-level body).
 *
 * cinert of body b: with c = COM − O and I_c the rotational inertia about the COM in world axes,
 * the spatial inertia maps a motion [ω; v] to the momentum [I_O·ω + m·c × v; m·v − m·c × ω] with
 * I_O = I_c + m(|c|²𝟙 − c·cᵀ). Stored as I_O's six entries, m·c, m.
 *
 * cdof: hinge [a; (anchor − O) × a], slide [0; a]; free: three world translations [0; e_k], then
 * rotations about the body's own axes through its origin [R·e_k; (x − O) × R·e_k].
 */
export function comKinematics(model: PhysicsModel, B: number, io: ComKinematicsBuffers): void {
  const { nbody, nv, njnt } = model;
  const { xpos, xmat, xanchor, xaxis, cinert, cdof } = io;
  checkBuffer(xpos, nbody * 3 * B, 'xpos');
  checkBuffer(xmat, nbody * 9 * B, 'xmat');
  checkBuffer(xanchor, njnt * 3 * B, 'xanchor');
  checkBuffer(xaxis, njnt * 3 * B, 'xaxis');
  checkBuffer(cinert, nbody * CINERT_SIZE * B, 'cinert');
  checkBuffer(cdof, nv * 6 * B, 'cdof');
  const { bodyRoot, bodyMass, bodyIpos, bodyIquat, bodyInertia, bodyJntAdr, bodyJntNum, jntType, jntDofAdr } = model;

  for (let w = 0; w < CINERT_SIZE * B; w++) cinert[w] = 0; // the world body is massless

  for (let b = 1; b < nbody; b++) {
    const O = 3 * (bodyRoot[b] as number) * B;
    const P = 3 * b * B;
    const M = 9 * b * B;
    const C = CINERT_SIZE * b * B;
    const m = bodyMass[b] as number;
    const ix = bodyIpos[3 * b] as number;
    const iy = bodyIpos[3 * b + 1] as number;
    const iz = bodyIpos[3 * b + 2] as number;
    // Rotational inertia about the COM in body axes, S = Rᵢ·diag(I)·Rᵢᵀ (a model constant).
    const qw = bodyIquat[4 * b] as number;
    const qx = bodyIquat[4 * b + 1] as number;
    const qy = bodyIquat[4 * b + 2] as number;
    const qz = bodyIquat[4 * b + 3] as number;
    const r00 = 1 - 2 * (qy * qy + qz * qz), r01 = 2 * (qx * qy - qw * qz), r02 = 2 * (qx * qz + qw * qy);
    const r10 = 2 * (qx * qy + qw * qz), r11 = 1 - 2 * (qx * qx + qz * qz), r12 = 2 * (qy * qz - qw * qx);
    const r20 = 2 * (qx * qz - qw * qy), r21 = 2 * (qy * qz + qw * qx), r22 = 1 - 2 * (qx * qx + qy * qy);
    const d0 = bodyInertia[3 * b] as number;
    const d1 = bodyInertia[3 * b + 1] as number;
    const d2 = bodyInertia[3 * b + 2] as number;
    const s00 = r00 * r00 * d0 + r01 * r01 * d1 + r02 * r02 * d2;
    const s11 = r10 * r10 * d0 + r11 * r11 * d1 + r12 * r12 * d2;
    const s22 = r20 * r20 * d0 + r21 * r21 * d1 + r22 * r22 * d2;
    const s01 = r00 * r10 * d0 + r01 * r11 * d1 + r02 * r12 * d2;
    const s02 = r00 * r20 * d0 + r01 * r21 * d1 + r02 * r22 * d2;
    const s12 = r10 * r20 * d0 + r11 * r21 * d1 + r12 * r22 * d2;
    for (let w = 0; w < B; w++) {
      const m00 = xmat[M + w] as number, m01 = xmat[M + B + w] as number, m02 = xmat[M + 2 * B + w] as number;
      const m10 = xmat[M + 3 * B + w] as number, m11 = xmat[M + 4 * B + w] as number, m12 = xmat[M + 5 * B + w] as number;
      const m20 = xmat[M + 6 * B + w] as number, m21 = xmat[M + 7 * B + w] as number, m22 = xmat[M + 8 * B + w] as number;
      // c = x + R·ipos − O
      const cx = (xpos[P + w] as number) + m00 * ix + m01 * iy + m02 * iz - (xpos[O + w] as number);
      const cy = (xpos[P + B + w] as number) + m10 * ix + m11 * iy + m12 * iz - (xpos[O + B + w] as number);
      const cz = (xpos[P + 2 * B + w] as number) + m20 * ix + m21 * iy + m22 * iz - (xpos[O + 2 * B + w] as number);
      // T = R·S, then I_c = T·Rᵀ (symmetric: six entries).
      const t00 = m00 * s00 + m01 * s01 + m02 * s02, t01 = m00 * s01 + m01 * s11 + m02 * s12, t02 = m00 * s02 + m01 * s12 + m02 * s22;
      const t10 = m10 * s00 + m11 * s01 + m12 * s02, t11 = m10 * s01 + m11 * s11 + m12 * s12, t12 = m10 * s02 + m11 * s12 + m12 * s22;
      const t20 = m20 * s00 + m21 * s01 + m22 * s02, t21 = m20 * s01 + m21 * s11 + m22 * s12, t22 = m20 * s02 + m21 * s12 + m22 * s22;
      const mcx = m * cx, mcy = m * cy, mcz = m * cz;
      // Parallel axis: + m(|c|²𝟙 − c·cᵀ), written as the sums of the other two squares.
      cinert[C + w] = t00 * m00 + t01 * m01 + t02 * m02 + mcy * cy + mcz * cz;
      cinert[C + B + w] = t10 * m10 + t11 * m11 + t12 * m12 + mcx * cx + mcz * cz;
      cinert[C + 2 * B + w] = t20 * m20 + t21 * m21 + t22 * m22 + mcx * cx + mcy * cy;
      cinert[C + 3 * B + w] = t00 * m10 + t01 * m11 + t02 * m12 - mcx * cy;
      cinert[C + 4 * B + w] = t00 * m20 + t01 * m21 + t02 * m22 - mcx * cz;
      cinert[C + 5 * B + w] = t10 * m20 + t11 * m21 + t12 * m22 - mcy * cz;
      cinert[C + 6 * B + w] = mcx;
      cinert[C + 7 * B + w] = mcy;
      cinert[C + 8 * B + w] = mcz;
      cinert[C + 9 * B + w] = m;
    }

    const jadr = bodyJntAdr[b] as number;
    const jnum = bodyJntNum[b] as number;
    for (let j = jadr; j < jadr + jnum; j++) {
      const type = jntType[j] as number;
      const d = jntDofAdr[j] as number;
      const J = 3 * j * B;
      if (type === JointType.Hinge) {
        const D = 6 * d * B;
        for (let w = 0; w < B; w++) {
          const ax = xaxis[J + w] as number;
          const ay = xaxis[J + B + w] as number;
          const az = xaxis[J + 2 * B + w] as number;
          const rx = (xanchor[J + w] as number) - (xpos[O + w] as number);
          const ry = (xanchor[J + B + w] as number) - (xpos[O + B + w] as number);
          const rz = (xanchor[J + 2 * B + w] as number) - (xpos[O + 2 * B + w] as number);
          cdof[D + w] = ax;
          cdof[D + B + w] = ay;
          cdof[D + 2 * B + w] = az;
          cdof[D + 3 * B + w] = ry * az - rz * ay;
          cdof[D + 4 * B + w] = rz * ax - rx * az;
          cdof[D + 5 * B + w] = rx * ay - ry * ax;
        }
      } else if (type === JointType.Slide) {
        const D = 6 * d * B;
        for (let w = 0; w < B; w++) {
          cdof[D + w] = 0;
          cdof[D + B + w] = 0;
          cdof[D + 2 * B + w] = 0;
          cdof[D + 3 * B + w] = xaxis[J + w] as number;
          cdof[D + 4 * B + w] = xaxis[J + B + w] as number;
          cdof[D + 5 * B + w] = xaxis[J + 2 * B + w] as number;
        }
      } else {
        // Free joint: translations along the world axes ...
        for (let k = 0; k < 3; k++) {
          const D = 6 * (d + k) * B;
          for (let w = 0; w < B; w++) {
            cdof[D + w] = 0;
            cdof[D + B + w] = 0;
            cdof[D + 2 * B + w] = 0;
            cdof[D + 3 * B + w] = k === 0 ? 1 : 0;
            cdof[D + 4 * B + w] = k === 1 ? 1 : 0;
            cdof[D + 5 * B + w] = k === 2 ? 1 : 0;
          }
        }
        // ... then rotations about the body's axes (columns of R) through its origin.
        for (let k = 0; k < 3; k++) {
          const D = 6 * (d + 3 + k) * B;
          for (let w = 0; w < B; w++) {
            const ax = xmat[M + k * B + w] as number;
            const ay = xmat[M + (3 + k) * B + w] as number;
            const az = xmat[M + (6 + k) * B + w] as number;
            const rx = (xpos[P + w] as number) - (xpos[O + w] as number);
            const ry = (xpos[P + B + w] as number) - (xpos[O + B + w] as number);
            const rz = (xpos[P + 2 * B + w] as number) - (xpos[O + 2 * B + w] as number);
            cdof[D + w] = ax;
            cdof[D + B + w] = ay;
            cdof[D + 2 * B + w] = az;
            cdof[D + 3 * B + w] = ry * az - rz * ay;
            cdof[D + 4 * B + w] = rz * ax - rx * az;
            cdof[D + 5 * B + w] = rx * ay - ry * ax;
          }
        }
      }
    }
  }
}
