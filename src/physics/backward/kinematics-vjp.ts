/**
 * Backward passes (vector–Jacobian products) of {@link kinematics} and {@link comKinematics}.
 *
 * Derived from the forward formulas as written, not from the geometry they stand for. The one
 * place where that matters is the rotation of a vector by a quaternion q = (w, u): the forward
 * evaluates v + w·t + u × t with t = 2u × v, i.e. the polynomial
 *
 *   R(q)·v = (1 − 2|u|²)·v + 2u·(u·v) + 2w·(u × v),
 *
 * and `xmat` is the same matrix written out. On unit quaternions this is the rotation matrix,
 * but its derivative off the unit sphere differs from that of (w² − |u|²)𝟙 + …, so the adjoints
 * below differentiate this polynomial (the finite-difference tests perturb raw buffers, and the
 * free joint's normalisation makes the distinction matter for qpos too).
 * @module
 */

import { JointType, type PhysicsModel } from '../model.js';
import { checkBuffer } from '../kinematics.js';
import { CINERT_SIZE } from '../state.js';
import type { ModelParamGrad } from './grad.js';

/** Forward values {@link kinematicsVjp} reads. */
export interface KinematicsVjpForward {
  readonly qpos: Float64Array;
  readonly xquat: Float64Array;
  readonly xaxis: Float64Array;
}

/** Cotangents and scratch of {@link kinematicsVjp}. */
export interface KinematicsVjpGrad {
  /** Accumulated into. */
  readonly qposBar: Float64Array;
  /** Consumed (clobbered): bars of the outputs. */
  readonly xposBar: Float64Array;
  readonly xquatBar: Float64Array;
  readonly xmatBar: Float64Array;
  readonly xanchorBar: Float64Array;
  readonly xaxisBar: Float64Array;
  /** Scratch [njnt·4·B] and [njnt·2·B]. */
  readonly jntQuatIn: Float64Array;
  readonly jntHalfCS: Float64Array;
}

/*
 * The quaternion adjoints below are written out inline in the world loops (a helper taking
 * doubles would not be inlined by V8 at this size, and every call would box its arguments).
 *
 * Rotation, y = R(q)·v with the polynomial R above, cotangent ȳ, q = (w, u):
 *   w̄ += 2ȳ·(u × v),  ū += −4(ȳ·v)u + 2(u·v)ȳ + 2(ȳ·u)v + 2w(v × ȳ).
 * Matrix, ⟨R̄, R(q)⟩ with R = (1 − 2|u|²)𝟙 + 2uuᵀ + 2w[u]×:
 *   w̄ += 2u·s,  ū += −4 tr(R̄)·u + 2(R̄ + R̄ᵀ)·u + 2w·s,  s = (R̄₂₁ − R̄₁₂, R̄₀₂ − R̄₂₀, R̄₁₀ − R̄₀₁).
 * Product c = a ⊗ b: ā = c̄ ⊗ b*, b̄ = a* ⊗ c̄ (the Hamilton product is bilinear).
 */

/**
 * VJP of {@link kinematics}: from the bars of `xpos`, `xquat`, `xmat`, `xanchor`, `xaxis`
 * (consumed), adds ∂L/∂qpos to `qposBar`.
 *
 * Bodies are visited leaves to root, so when body b is reached its bars already hold what its
 * children (which start from b's frame) and later stages sent it. Within a body the forward
 * threads a state (p, q) = (origin, quaternion) through the joints:
 *
 *   (p₀, q₀) = (x_parent + R_parent·bodyPos, q_parent ⊗ bodyQuat)
 *   hinge: axis = R(q)·a, anchor = p + R(q)·jpos, q' = q ⊗ (cos θ/2, sin θ/2·a), p' = anchor − R(q')·jpos
 *   slide: axis = R(q)·a, anchor = p + R(q)·jpos, p' = p + axis·d, q' = q
 *   outputs xpos = p, xquat = q, xmat = R(q) of the final state.
 *
 * The adjoint runs these steps backwards with (p̄, q̄) held in `xposBar`/`xquatBar` of the body
 * (overwritten in place). The quaternion entering each joint is recomputed first (a short
 * forward over the body's joints into scratch), because the forward keeps only the final one.
 * Quaternion products: for c = a ⊗ b, ā = c̄ ⊗ b* and b̄ = a* ⊗ c̄ (the Hamilton product is
 * bilinear and left/right multiplication matrices of a unit quaternion are orthogonal, but
 * these hold for any b, a). Free joints: q = q_raw/|q_raw|, whose adjoint is the projection
 * q̄_raw = (q̄ − q(q·q̄))/|q_raw|, so the quaternion in qpos is 4 free coordinates.
 */
export function kinematicsVjp(model: PhysicsModel, B: number, fwd: KinematicsVjpForward, grad: KinematicsVjpGrad): void {
  const { nbody, njnt, nq } = model;
  const { qpos, xquat, xaxis } = fwd;
  const { qposBar, xposBar, xquatBar, xmatBar, xanchorBar, xaxisBar, jntQuatIn, jntHalfCS } = grad;
  checkBuffer(qpos, nq * B, 'qpos');
  checkBuffer(xquat, nbody * 4 * B, 'xquat');
  checkBuffer(xaxis, njnt * 3 * B, 'xaxis');
  checkBuffer(qposBar, nq * B, 'qposBar');
  checkBuffer(xposBar, nbody * 3 * B, 'xposBar');
  checkBuffer(xquatBar, nbody * 4 * B, 'xquatBar');
  checkBuffer(xmatBar, nbody * 9 * B, 'xmatBar');
  checkBuffer(xanchorBar, njnt * 3 * B, 'xanchorBar');
  checkBuffer(xaxisBar, njnt * 3 * B, 'xaxisBar');
  checkBuffer(jntQuatIn, njnt * 4 * B, 'jntQuatIn');
  checkBuffer(jntHalfCS, njnt * 2 * B, 'jntHalfCS');
  const { bodyParent, bodyPos, bodyQuat, bodyJntAdr, bodyJntNum, jntType, jntPos, jntAxis, jntQposAdr, qpos0 } = model;

  for (let b = nbody - 1; b >= 1; b--) {
    const P = 3 * b * B;
    const Q = 4 * b * B;
    const M = 9 * b * B;
    const jadr = bodyJntAdr[b] as number;
    const jnum = bodyJntNum[b] as number;
    const firstType = jnum > 0 ? (jntType[jadr] as number) : -1;

    // xmat = R(q_final): fold its bar into the quaternion's.
    for (let w = 0; w < B; w++) {
      const qw = xquat[Q + w] as number, qx = xquat[Q + B + w] as number, qy = xquat[Q + 2 * B + w] as number, qz = xquat[Q + 3 * B + w] as number;
      const r00 = xmatBar[M + w] as number, r01 = xmatBar[M + B + w] as number, r02 = xmatBar[M + 2 * B + w] as number;
      const r10 = xmatBar[M + 3 * B + w] as number, r11 = xmatBar[M + 4 * B + w] as number, r12 = xmatBar[M + 5 * B + w] as number;
      const r20 = xmatBar[M + 6 * B + w] as number, r21 = xmatBar[M + 7 * B + w] as number, r22 = xmatBar[M + 8 * B + w] as number;
      const sx = r21 - r12, sy = r02 - r20, sz = r10 - r01;
      const tr4 = 4 * (r00 + r11 + r22);
      xquatBar[Q + w] = (xquatBar[Q + w] as number) + 2 * (qx * sx + qy * sy + qz * sz);
      xquatBar[Q + B + w] = (xquatBar[Q + B + w] as number) - tr4 * qx + 2 * (2 * r00 * qx + (r01 + r10) * qy + (r02 + r20) * qz) + 2 * qw * sx;
      xquatBar[Q + 2 * B + w] = (xquatBar[Q + 2 * B + w] as number) - tr4 * qy + 2 * ((r01 + r10) * qx + 2 * r11 * qy + (r12 + r21) * qz) + 2 * qw * sy;
      xquatBar[Q + 3 * B + w] = (xquatBar[Q + 3 * B + w] as number) - tr4 * qz + 2 * ((r02 + r20) * qx + (r12 + r21) * qy + 2 * r22 * qz) + 2 * qw * sz;
    }

    if (firstType === JointType.Free) {
      const a = jntQposAdr[jadr] as number;
      const J = 3 * jadr * B;
      for (let w = 0; w < B; w++) {
        // Position: xpos and xanchor are both copies of it (xaxis is a constant).
        for (let k = 0; k < 3; k++) {
          qposBar[(a + k) * B + w] = (qposBar[(a + k) * B + w] as number) + (xposBar[P + k * B + w] as number) + (xanchorBar[J + k * B + w] as number);
        }
        // Normalisation q = r/|r|: r̄ = (q̄ − q·(q·q̄)) / |r|.
        const rw = qpos[(a + 3) * B + w] as number;
        const rx = qpos[(a + 4) * B + w] as number;
        const ry = qpos[(a + 5) * B + w] as number;
        const rz = qpos[(a + 6) * B + w] as number;
        const s = 1 / Math.sqrt(rw * rw + rx * rx + ry * ry + rz * rz);
        const nw = rw * s, nx = rx * s, ny = ry * s, nz = rz * s;
        const gw = xquatBar[Q + w] as number, gx = xquatBar[Q + B + w] as number;
        const gy = xquatBar[Q + 2 * B + w] as number, gz = xquatBar[Q + 3 * B + w] as number;
        const dot = nw * gw + nx * gx + ny * gy + nz * gz;
        qposBar[(a + 3) * B + w] = (qposBar[(a + 3) * B + w] as number) + s * (gw - nw * dot);
        qposBar[(a + 4) * B + w] = (qposBar[(a + 4) * B + w] as number) + s * (gx - nx * dot);
        qposBar[(a + 5) * B + w] = (qposBar[(a + 5) * B + w] as number) + s * (gy - ny * dot);
        qposBar[(a + 6) * B + w] = (qposBar[(a + 6) * B + w] as number) + s * (gz - nz * dot);
      }
      continue;
    }

    const p = bodyParent[b] as number;
    const PQ = 4 * p * B;
    const bw = bodyQuat[4 * b] as number;
    const bx = bodyQuat[4 * b + 1] as number;
    const by = bodyQuat[4 * b + 2] as number;
    const bz = bodyQuat[4 * b + 3] as number;

    // Replay the quaternion through the joints: q₀ = q_parent ⊗ bodyQuat, then each hinge.
    if (jnum > 0) {
      for (let w = 0; w < B; w++) {
        const pw = xquat[PQ + w] as number;
        const px = xquat[PQ + B + w] as number;
        const py = xquat[PQ + 2 * B + w] as number;
        const pz = xquat[PQ + 3 * B + w] as number;
        const JQ = 4 * jadr * B;
        jntQuatIn[JQ + w] = pw * bw - px * bx - py * by - pz * bz;
        jntQuatIn[JQ + B + w] = pw * bx + px * bw + py * bz - pz * by;
        jntQuatIn[JQ + 2 * B + w] = pw * by - px * bz + py * bw + pz * bx;
        jntQuatIn[JQ + 3 * B + w] = pw * bz + px * by - py * bx + pz * bw;
      }
      for (let j = jadr; j < jadr + jnum; j++) {
        const JQ = 4 * j * B;
        const JC = 2 * j * B;
        const NQ = 4 * (j + 1) * B; // the next joint's entry quaternion (unused after the last)
        const last = j === jadr + jnum - 1;
        if (jntType[j] === JointType.Hinge) {
          const a = jntQposAdr[j] as number;
          const ref = qpos0[a] as number;
          const ax = jntAxis[3 * j] as number, ay = jntAxis[3 * j + 1] as number, az = jntAxis[3 * j + 2] as number;
          for (let w = 0; w < B; w++) {
            const half = 0.5 * ((qpos[a * B + w] as number) - ref);
            const c = Math.cos(half);
            const s = Math.sin(half);
            jntHalfCS[JC + w] = c;
            jntHalfCS[JC + B + w] = s;
            if (last) continue;
            const qw = jntQuatIn[JQ + w] as number, qx = jntQuatIn[JQ + B + w] as number;
            const qy = jntQuatIn[JQ + 2 * B + w] as number, qz = jntQuatIn[JQ + 3 * B + w] as number;
            const lx = s * ax, ly = s * ay, lz = s * az;
            jntQuatIn[NQ + w] = qw * c - qx * lx - qy * ly - qz * lz;
            jntQuatIn[NQ + B + w] = qw * lx + qx * c + qy * lz - qz * ly;
            jntQuatIn[NQ + 2 * B + w] = qw * ly - qx * lz + qy * c + qz * lx;
            jntQuatIn[NQ + 3 * B + w] = qw * lz + qx * ly - qy * lx + qz * c;
          }
        } else if (!last) {
          for (let k = 0; k < 4 * B; k++) jntQuatIn[NQ + k] = jntQuatIn[JQ + k] as number;
        }
      }
    }

    // Joints in reverse, with (p̄, q̄) = (xposBar_b, xquatBar_b) the bars of the state after joint j.
    for (let j = jadr + jnum - 1; j >= jadr; j--) {
      const a = jntQposAdr[j] as number;
      const ref = qpos0[a] as number;
      const ax = jntAxis[3 * j] as number, ay = jntAxis[3 * j + 1] as number, az = jntAxis[3 * j + 2] as number;
      const jx = jntPos[3 * j] as number, jy = jntPos[3 * j + 1] as number, jz = jntPos[3 * j + 2] as number;
      const J = 3 * j * B;
      const JQ = 4 * j * B;
      const JC = 2 * j * B;
      if (jntType[j] === JointType.Hinge) {
        for (let w = 0; w < B; w++) {
          const qw = jntQuatIn[JQ + w] as number, qx = jntQuatIn[JQ + B + w] as number;
          const qy = jntQuatIn[JQ + 2 * B + w] as number, qz = jntQuatIn[JQ + 3 * B + w] as number;
          const c = jntHalfCS[JC + w] as number;
          const s = jntHalfCS[JC + B + w] as number;
          const lx = s * ax, ly = s * ay, lz = s * az;
          // q' = q ⊗ r, r = (c, s·a)
          const nw = qw * c - qx * lx - qy * ly - qz * lz;
          const nx = qw * lx + qx * c + qy * lz - qz * ly;
          const ny = qw * ly - qx * lz + qy * c + qz * lx;
          const nz = qw * lz + qx * ly - qy * lx + qz * c;
          const pbx = xposBar[P + w] as number, pby = xposBar[P + B + w] as number, pbz = xposBar[P + 2 * B + w] as number;
          const mpx = -pbx, mpy = -pby, mpz = -pbz;
          let gw = xquatBar[Q + w] as number, gx = xquatBar[Q + B + w] as number;
          let gy = xquatBar[Q + 2 * B + w] as number, gz = xquatBar[Q + 3 * B + w] as number;
          {
            // p' = anchor − R(q')·jpos: q' gets the rotation adjoint of −p̄' (anchor gets p̄', below)
            const yv = mpx * jx + mpy * jy + mpz * jz;
            const uv = nx * jx + ny * jy + nz * jz;
            const yu = mpx * nx + mpy * ny + mpz * nz;
            gw += 2 * (mpx * (ny * jz - nz * jy) + mpy * (nz * jx - nx * jz) + mpz * (nx * jy - ny * jx));
            gx += -4 * yv * nx + 2 * uv * mpx + 2 * yu * jx + 2 * nw * (jy * mpz - jz * mpy);
            gy += -4 * yv * ny + 2 * uv * mpy + 2 * yu * jy + 2 * nw * (jz * mpx - jx * mpz);
            gz += -4 * yv * nz + 2 * uv * mpz + 2 * yu * jz + 2 * nw * (jx * mpy - jy * mpx);
          }
          // r̄ = q* ⊗ q̄', then θ̄ = ½(−sin·r̄_w + cos·a·r̄_u).
          const rbw = qw * gw + qx * gx + qy * gy + qz * gz;
          const rbx = qw * gx - qx * gw - qy * gz + qz * gy;
          const rby = qw * gy + qx * gz - qy * gw - qz * gx;
          const rbz = qw * gz - qx * gy + qy * gx - qz * gw;
          qposBar[a * B + w] = (qposBar[a * B + w] as number) + 0.5 * (-s * rbw + c * (ax * rbx + ay * rby + az * rbz));
          // q̄ = q̄' ⊗ r*
          let hw = gw * c + gx * lx + gy * ly + gz * lz;
          let hx = -gw * lx + gx * c - gy * lz + gz * ly;
          let hy = -gw * ly + gx * lz + gy * c - gz * lx;
          let hz = -gw * lz - gx * ly + gy * lx + gz * c;
          // anchor = p + R(q)·jpos and axis = R(q)·a.
          const abx = (xanchorBar[J + w] as number) + pbx;
          const aby = (xanchorBar[J + B + w] as number) + pby;
          const abz = (xanchorBar[J + 2 * B + w] as number) + pbz;
          const xbx = xaxisBar[J + w] as number, xby = xaxisBar[J + B + w] as number, xbz = xaxisBar[J + 2 * B + w] as number;
          {
            // anchor = p + R(q)·jpos
            const yv = abx * jx + aby * jy + abz * jz;
            const uv = qx * jx + qy * jy + qz * jz;
            const yu = abx * qx + aby * qy + abz * qz;
            hw += 2 * (abx * (qy * jz - qz * jy) + aby * (qz * jx - qx * jz) + abz * (qx * jy - qy * jx));
            hx += -4 * yv * qx + 2 * uv * abx + 2 * yu * jx + 2 * qw * (jy * abz - jz * aby);
            hy += -4 * yv * qy + 2 * uv * aby + 2 * yu * jy + 2 * qw * (jz * abx - jx * abz);
            hz += -4 * yv * qz + 2 * uv * abz + 2 * yu * jz + 2 * qw * (jx * aby - jy * abx);
          }
          {
            // axis = R(q)·a
            const yv = xbx * ax + xby * ay + xbz * az;
            const uv = qx * ax + qy * ay + qz * az;
            const yu = xbx * qx + xby * qy + xbz * qz;
            hw += 2 * (xbx * (qy * az - qz * ay) + xby * (qz * ax - qx * az) + xbz * (qx * ay - qy * ax));
            hx += -4 * yv * qx + 2 * uv * xbx + 2 * yu * ax + 2 * qw * (ay * xbz - az * xby);
            hy += -4 * yv * qy + 2 * uv * xby + 2 * yu * ay + 2 * qw * (az * xbx - ax * xbz);
            hz += -4 * yv * qz + 2 * uv * xbz + 2 * yu * az + 2 * qw * (ax * xby - ay * xbx);
          }
          xquatBar[Q + w] = hw;
          xquatBar[Q + B + w] = hx;
          xquatBar[Q + 2 * B + w] = hy;
          xquatBar[Q + 3 * B + w] = hz;
          xposBar[P + w] = abx;
          xposBar[P + B + w] = aby;
          xposBar[P + 2 * B + w] = abz;
        }
      } else {
        for (let w = 0; w < B; w++) {
          const qw = jntQuatIn[JQ + w] as number, qx = jntQuatIn[JQ + B + w] as number;
          const qy = jntQuatIn[JQ + 2 * B + w] as number, qz = jntQuatIn[JQ + 3 * B + w] as number;
          const pbx = xposBar[P + w] as number, pby = xposBar[P + B + w] as number, pbz = xposBar[P + 2 * B + w] as number;
          const d = (qpos[a * B + w] as number) - ref;
          // p' = p + axis·d: d̄ = p̄'·axis, axis̄ += d·p̄', p̄ = p̄' + anchor̄.
          qposBar[a * B + w] = (qposBar[a * B + w] as number) + pbx * (xaxis[J + w] as number) + pby * (xaxis[J + B + w] as number) + pbz * (xaxis[J + 2 * B + w] as number);
          const abx = xanchorBar[J + w] as number, aby = xanchorBar[J + B + w] as number, abz = xanchorBar[J + 2 * B + w] as number;
          const xbx = (xaxisBar[J + w] as number) + d * pbx, xby = (xaxisBar[J + B + w] as number) + d * pby, xbz = (xaxisBar[J + 2 * B + w] as number) + d * pbz;
          let hw = xquatBar[Q + w] as number, hx = xquatBar[Q + B + w] as number;
          let hy = xquatBar[Q + 2 * B + w] as number, hz = xquatBar[Q + 3 * B + w] as number;
          {
            // axis = R(q)·a (its bar includes d·p̄')
            const yv = xbx * ax + xby * ay + xbz * az;
            const uv = qx * ax + qy * ay + qz * az;
            const yu = xbx * qx + xby * qy + xbz * qz;
            hw += 2 * (xbx * (qy * az - qz * ay) + xby * (qz * ax - qx * az) + xbz * (qx * ay - qy * ax));
            hx += -4 * yv * qx + 2 * uv * xbx + 2 * yu * ax + 2 * qw * (ay * xbz - az * xby);
            hy += -4 * yv * qy + 2 * uv * xby + 2 * yu * ay + 2 * qw * (az * xbx - ax * xbz);
            hz += -4 * yv * qz + 2 * uv * xbz + 2 * yu * az + 2 * qw * (ax * xby - ay * xbx);
          }
          {
            // anchor = p + R(q)·jpos
            const yv = abx * jx + aby * jy + abz * jz;
            const uv = qx * jx + qy * jy + qz * jz;
            const yu = abx * qx + aby * qy + abz * qz;
            hw += 2 * (abx * (qy * jz - qz * jy) + aby * (qz * jx - qx * jz) + abz * (qx * jy - qy * jx));
            hx += -4 * yv * qx + 2 * uv * abx + 2 * yu * jx + 2 * qw * (jy * abz - jz * aby);
            hy += -4 * yv * qy + 2 * uv * aby + 2 * yu * jy + 2 * qw * (jz * abx - jx * abz);
            hz += -4 * yv * qz + 2 * uv * abz + 2 * yu * jz + 2 * qw * (jx * aby - jy * abx);
          }
          xquatBar[Q + w] = hw;
          xquatBar[Q + B + w] = hx;
          xquatBar[Q + 2 * B + w] = hy;
          xquatBar[Q + 3 * B + w] = hz;
          xposBar[P + w] = pbx + abx;
          xposBar[P + B + w] = pby + aby;
          xposBar[P + 2 * B + w] = pbz + abz;
        }
      }
    }

    // (p₀, q₀) = (x_parent + R_parent·bodyPos, q_parent ⊗ bodyQuat).
    if (p === 0) continue; // the world's frame is a constant
    const PP = 3 * p * B;
    const PM = 9 * p * B;
    const ox = bodyPos[3 * b] as number;
    const oy = bodyPos[3 * b + 1] as number;
    const oz = bodyPos[3 * b + 2] as number;
    for (let w = 0; w < B; w++) {
      for (let k = 0; k < 3; k++) {
        const pb = xposBar[P + k * B + w] as number;
        xposBar[PP + k * B + w] = (xposBar[PP + k * B + w] as number) + pb;
        xmatBar[PM + 3 * k * B + w] = (xmatBar[PM + 3 * k * B + w] as number) + pb * ox;
        xmatBar[PM + (3 * k + 1) * B + w] = (xmatBar[PM + (3 * k + 1) * B + w] as number) + pb * oy;
        xmatBar[PM + (3 * k + 2) * B + w] = (xmatBar[PM + (3 * k + 2) * B + w] as number) + pb * oz;
      }
      const gw = xquatBar[Q + w] as number, gx = xquatBar[Q + B + w] as number;
      const gy = xquatBar[Q + 2 * B + w] as number, gz = xquatBar[Q + 3 * B + w] as number;
      xquatBar[PQ + w] = (xquatBar[PQ + w] as number) + gw * bw + gx * bx + gy * by + gz * bz;
      xquatBar[PQ + B + w] = (xquatBar[PQ + B + w] as number) - gw * bx + gx * bw - gy * bz + gz * by;
      xquatBar[PQ + 2 * B + w] = (xquatBar[PQ + 2 * B + w] as number) - gw * by + gx * bz + gy * bw - gz * bx;
      xquatBar[PQ + 3 * B + w] = (xquatBar[PQ + 3 * B + w] as number) - gw * bz - gx * by + gy * bx + gz * bw;
    }
  }
}

/** Forward values {@link comKinematicsVjp} reads. */
export interface ComKinematicsVjpForward {
  readonly xpos: Float64Array;
  readonly xmat: Float64Array;
  readonly xanchor: Float64Array;
  readonly xaxis: Float64Array;
}

/** Cotangents of {@link comKinematicsVjp}. */
export interface ComKinematicsVjpGrad {
  /** Consumed: bars of the outputs. */
  readonly cinertBar: Float64Array;
  readonly cdofBar: Float64Array;
  /** Accumulated into. */
  readonly xposBar: Float64Array;
  readonly xmatBar: Float64Array;
  readonly xanchorBar: Float64Array;
  readonly xaxisBar: Float64Array;
  /** Accumulated into: `bodyMass`, `bodyInertia`, `bodyIpos`. */
  readonly params: ModelParamGrad;
}

/**
 * VJP of {@link comKinematics}: from the bars of `cinert` and `cdof`, adds to the bars of
 * `xpos`, `xmat`, `xanchor`, `xaxis` and to the gradients of `bodyMass`, `bodyInertia` and
 * `bodyIpos`. Each body and each dof is independent, so the order does not matter.
 *
 * cinert: with G the symmetric 3×3 cotangent of the rotational block (off-diagonal bars
 * halved, because each off-diagonal entry is stored once), h̄ the bar of m·c and m̄₀ that of m,
 * and the forward I = R·S·Rᵀ + m(|c|²𝟙 − c·cᵀ), c = x + R·ipos − O, S = Rᵢ·diag(d)·Rᵢᵀ:
 *   R̄ += 2·G·R·S + c̄·iposᵀ,   c̄ = 2m(tr G·c − G·c) + m·h̄,
 *   m̄ = tr G·|c|² − cᵀGc + h̄·c + m̄₀,   īpos = Rᵀc̄,   d̄_k = (R·rᵢ_k)ᵀ G (R·rᵢ_k),
 *   x̄ += c̄, Ō −= c̄.
 * cdof: hinge [a; r × a] with r = anchor − O gives ā = S̄_ω + S̄_v × r and r̄ = a × S̄_v; slide
 * [0; a] gives ā = S̄_v; a free joint's rotation k uses R's column k and r = x − O the same way
 * (its translations are constants).
 */
export function comKinematicsVjp(model: PhysicsModel, B: number, fwd: ComKinematicsVjpForward, grad: ComKinematicsVjpGrad): void {
  const { nbody, nv, njnt } = model;
  const { xpos, xmat, xanchor, xaxis } = fwd;
  const { cinertBar, cdofBar, xposBar, xmatBar, xanchorBar, xaxisBar, params } = grad;
  checkBuffer(xpos, nbody * 3 * B, 'xpos');
  checkBuffer(xmat, nbody * 9 * B, 'xmat');
  checkBuffer(xanchor, njnt * 3 * B, 'xanchor');
  checkBuffer(xaxis, njnt * 3 * B, 'xaxis');
  checkBuffer(cinertBar, nbody * CINERT_SIZE * B, 'cinertBar');
  checkBuffer(cdofBar, nv * 6 * B, 'cdofBar');
  checkBuffer(xposBar, nbody * 3 * B, 'xposBar');
  checkBuffer(xmatBar, nbody * 9 * B, 'xmatBar');
  checkBuffer(xanchorBar, njnt * 3 * B, 'xanchorBar');
  checkBuffer(xaxisBar, njnt * 3 * B, 'xaxisBar');
  const { bodyRoot, bodyMass, bodyIpos, bodyIquat, bodyInertia, bodyJntAdr, bodyJntNum, jntType, jntDofAdr } = model;
  const massBar = params.bodyMass;
  const inertiaBar = params.bodyInertia;
  const iposBar = params.bodyIpos;

  for (let b = 1; b < nbody; b++) {
    const O = 3 * (bodyRoot[b] as number) * B;
    const P = 3 * b * B;
    const M = 9 * b * B;
    const C = CINERT_SIZE * b * B;
    const m = bodyMass[b] as number;
    const ix = bodyIpos[3 * b] as number;
    const iy = bodyIpos[3 * b + 1] as number;
    const iz = bodyIpos[3 * b + 2] as number;
    // S = Rᵢ·diag(d)·Rᵢᵀ exactly as the forward forms it, and Rᵢ's columns for d̄.
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
    const MB = b * B;
    const IB = 3 * b * B;
    for (let w = 0; w < B; w++) {
      const m00 = xmat[M + w] as number, m01 = xmat[M + B + w] as number, m02 = xmat[M + 2 * B + w] as number;
      const m10 = xmat[M + 3 * B + w] as number, m11 = xmat[M + 4 * B + w] as number, m12 = xmat[M + 5 * B + w] as number;
      const m20 = xmat[M + 6 * B + w] as number, m21 = xmat[M + 7 * B + w] as number, m22 = xmat[M + 8 * B + w] as number;
      const cx = (xpos[P + w] as number) + m00 * ix + m01 * iy + m02 * iz - (xpos[O + w] as number);
      const cy = (xpos[P + B + w] as number) + m10 * ix + m11 * iy + m12 * iz - (xpos[O + B + w] as number);
      const cz = (xpos[P + 2 * B + w] as number) + m20 * ix + m21 * iy + m22 * iz - (xpos[O + 2 * B + w] as number);
      const t00 = m00 * s00 + m01 * s01 + m02 * s02, t01 = m00 * s01 + m01 * s11 + m02 * s12, t02 = m00 * s02 + m01 * s12 + m02 * s22;
      const t10 = m10 * s00 + m11 * s01 + m12 * s02, t11 = m10 * s01 + m11 * s11 + m12 * s12, t12 = m10 * s02 + m11 * s12 + m12 * s22;
      const t20 = m20 * s00 + m21 * s01 + m22 * s02, t21 = m20 * s01 + m21 * s11 + m22 * s12, t22 = m20 * s02 + m21 * s12 + m22 * s22;
      // G: the rotational block's bar as a symmetric matrix.
      const g00 = cinertBar[C + w] as number, g11 = cinertBar[C + B + w] as number, g22 = cinertBar[C + 2 * B + w] as number;
      const g01 = 0.5 * (cinertBar[C + 3 * B + w] as number), g02 = 0.5 * (cinertBar[C + 4 * B + w] as number), g12 = 0.5 * (cinertBar[C + 5 * B + w] as number);
      const hbx = cinertBar[C + 6 * B + w] as number, hby = cinertBar[C + 7 * B + w] as number, hbz = cinertBar[C + 8 * B + w] as number;
      const trG = g00 + g11 + g22;
      const gcx = g00 * cx + g01 * cy + g02 * cz;
      const gcy = g01 * cx + g11 * cy + g12 * cz;
      const gcz = g02 * cx + g12 * cy + g22 * cz;
      const cbx = 2 * m * (trG * cx - gcx) + m * hbx;
      const cby = 2 * m * (trG * cy - gcy) + m * hby;
      const cbz = 2 * m * (trG * cz - gcz) + m * hbz;
      massBar[MB + w] =
        (massBar[MB + w] as number) +
        trG * (cx * cx + cy * cy + cz * cz) - (cx * gcx + cy * gcy + cz * gcz) + (hbx * cx + hby * cy + hbz * cz) + (cinertBar[C + 9 * B + w] as number);
      // R̄ = 2·G·T + c̄·iposᵀ (T = R·S)
      xmatBar[M + w] = (xmatBar[M + w] as number) + 2 * (g00 * t00 + g01 * t10 + g02 * t20) + cbx * ix;
      xmatBar[M + B + w] = (xmatBar[M + B + w] as number) + 2 * (g00 * t01 + g01 * t11 + g02 * t21) + cbx * iy;
      xmatBar[M + 2 * B + w] = (xmatBar[M + 2 * B + w] as number) + 2 * (g00 * t02 + g01 * t12 + g02 * t22) + cbx * iz;
      xmatBar[M + 3 * B + w] = (xmatBar[M + 3 * B + w] as number) + 2 * (g01 * t00 + g11 * t10 + g12 * t20) + cby * ix;
      xmatBar[M + 4 * B + w] = (xmatBar[M + 4 * B + w] as number) + 2 * (g01 * t01 + g11 * t11 + g12 * t21) + cby * iy;
      xmatBar[M + 5 * B + w] = (xmatBar[M + 5 * B + w] as number) + 2 * (g01 * t02 + g11 * t12 + g12 * t22) + cby * iz;
      xmatBar[M + 6 * B + w] = (xmatBar[M + 6 * B + w] as number) + 2 * (g02 * t00 + g12 * t10 + g22 * t20) + cbz * ix;
      xmatBar[M + 7 * B + w] = (xmatBar[M + 7 * B + w] as number) + 2 * (g02 * t01 + g12 * t11 + g22 * t21) + cbz * iy;
      xmatBar[M + 8 * B + w] = (xmatBar[M + 8 * B + w] as number) + 2 * (g02 * t02 + g12 * t12 + g22 * t22) + cbz * iz;
      xposBar[P + w] = (xposBar[P + w] as number) + cbx;
      xposBar[P + B + w] = (xposBar[P + B + w] as number) + cby;
      xposBar[P + 2 * B + w] = (xposBar[P + 2 * B + w] as number) + cbz;
      xposBar[O + w] = (xposBar[O + w] as number) - cbx;
      xposBar[O + B + w] = (xposBar[O + B + w] as number) - cby;
      xposBar[O + 2 * B + w] = (xposBar[O + 2 * B + w] as number) - cbz;
      iposBar[IB + w] = (iposBar[IB + w] as number) + m00 * cbx + m10 * cby + m20 * cbz;
      iposBar[IB + B + w] = (iposBar[IB + B + w] as number) + m01 * cbx + m11 * cby + m21 * cbz;
      iposBar[IB + 2 * B + w] = (iposBar[IB + 2 * B + w] as number) + m02 * cbx + m12 * cby + m22 * cbz;
      // d̄_k = e_kᵀ·Gₛ·e_k with e_k = R·(column k of Rᵢ), the principal axis k in world axes.
      for (let k = 0; k < 3; k++) {
        const ck0 = k === 0 ? r00 : k === 1 ? r01 : r02;
        const ck1 = k === 0 ? r10 : k === 1 ? r11 : r12;
        const ck2 = k === 0 ? r20 : k === 1 ? r21 : r22;
        const ex = m00 * ck0 + m01 * ck1 + m02 * ck2;
        const ey = m10 * ck0 + m11 * ck1 + m12 * ck2;
        const ez = m20 * ck0 + m21 * ck1 + m22 * ck2;
        inertiaBar[IB + k * B + w] =
          (inertiaBar[IB + k * B + w] as number) +
          ex * (g00 * ex + g01 * ey + g02 * ez) + ey * (g01 * ex + g11 * ey + g12 * ez) + ez * (g02 * ex + g12 * ey + g22 * ez);
      }
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
          const ax = xaxis[J + w] as number, ay = xaxis[J + B + w] as number, az = xaxis[J + 2 * B + w] as number;
          const rx = (xanchor[J + w] as number) - (xpos[O + w] as number);
          const ry = (xanchor[J + B + w] as number) - (xpos[O + B + w] as number);
          const rz = (xanchor[J + 2 * B + w] as number) - (xpos[O + 2 * B + w] as number);
          const sx = cdofBar[D + 3 * B + w] as number, sy = cdofBar[D + 4 * B + w] as number, sz = cdofBar[D + 5 * B + w] as number;
          // ā = S̄_ω + S̄_v × r; r̄ = a × S̄_v
          xaxisBar[J + w] = (xaxisBar[J + w] as number) + (cdofBar[D + w] as number) + (sy * rz - sz * ry);
          xaxisBar[J + B + w] = (xaxisBar[J + B + w] as number) + (cdofBar[D + B + w] as number) + (sz * rx - sx * rz);
          xaxisBar[J + 2 * B + w] = (xaxisBar[J + 2 * B + w] as number) + (cdofBar[D + 2 * B + w] as number) + (sx * ry - sy * rx);
          const rbx = ay * sz - az * sy, rby = az * sx - ax * sz, rbz = ax * sy - ay * sx;
          xanchorBar[J + w] = (xanchorBar[J + w] as number) + rbx;
          xanchorBar[J + B + w] = (xanchorBar[J + B + w] as number) + rby;
          xanchorBar[J + 2 * B + w] = (xanchorBar[J + 2 * B + w] as number) + rbz;
          xposBar[O + w] = (xposBar[O + w] as number) - rbx;
          xposBar[O + B + w] = (xposBar[O + B + w] as number) - rby;
          xposBar[O + 2 * B + w] = (xposBar[O + 2 * B + w] as number) - rbz;
        }
      } else if (type === JointType.Slide) {
        const D = 6 * d * B;
        for (let w = 0; w < B; w++) {
          xaxisBar[J + w] = (xaxisBar[J + w] as number) + (cdofBar[D + 3 * B + w] as number);
          xaxisBar[J + B + w] = (xaxisBar[J + B + w] as number) + (cdofBar[D + 4 * B + w] as number);
          xaxisBar[J + 2 * B + w] = (xaxisBar[J + 2 * B + w] as number) + (cdofBar[D + 5 * B + w] as number);
        }
      } else {
        // Free joint: rotation k is [R e_k; (x − O) × R e_k].
        for (let k = 0; k < 3; k++) {
          const D = 6 * (d + 3 + k) * B;
          for (let w = 0; w < B; w++) {
            const ax = xmat[M + k * B + w] as number;
            const ay = xmat[M + (3 + k) * B + w] as number;
            const az = xmat[M + (6 + k) * B + w] as number;
            const rx = (xpos[P + w] as number) - (xpos[O + w] as number);
            const ry = (xpos[P + B + w] as number) - (xpos[O + B + w] as number);
            const rz = (xpos[P + 2 * B + w] as number) - (xpos[O + 2 * B + w] as number);
            const sx = cdofBar[D + 3 * B + w] as number, sy = cdofBar[D + 4 * B + w] as number, sz = cdofBar[D + 5 * B + w] as number;
            xmatBar[M + k * B + w] = (xmatBar[M + k * B + w] as number) + (cdofBar[D + w] as number) + (sy * rz - sz * ry);
            xmatBar[M + (3 + k) * B + w] = (xmatBar[M + (3 + k) * B + w] as number) + (cdofBar[D + B + w] as number) + (sz * rx - sx * rz);
            xmatBar[M + (6 + k) * B + w] = (xmatBar[M + (6 + k) * B + w] as number) + (cdofBar[D + 2 * B + w] as number) + (sx * ry - sy * rx);
            const rbx = ay * sz - az * sy, rby = az * sx - ax * sz, rbz = ax * sy - ay * sx;
            xposBar[P + w] = (xposBar[P + w] as number) + rbx;
            xposBar[P + B + w] = (xposBar[P + B + w] as number) + rby;
            xposBar[P + 2 * B + w] = (xposBar[P + 2 * B + w] as number) + rbz;
            xposBar[O + w] = (xposBar[O + w] as number) - rbx;
            xposBar[O + B + w] = (xposBar[O + B + w] as number) - rby;
            xposBar[O + 2 * B + w] = (xposBar[O + 2 * B + w] as number) - rbz;
          }
        }
      }
    }
  }
}
