/**
 * Backward pass of the recursive Newton–Euler bias forces {@link rneBias}.
 * @module
 */

import { checkBuffer } from '../kinematics.js';
import { JointType, type PhysicsModel } from '../model.js';
import { CINERT_SIZE } from '../state.js';
import { subtreeWrenchesToDofsVjp } from './contact-vjp.js';
import type { ModelParamGrad } from './grad.js';

/** Forward values {@link rneBiasVjp} reads. */
export interface RneVjpForward {
  readonly qvel: Float64Array;
  readonly cinert: Float64Array;
  readonly cdof: Float64Array;
  readonly cvel: Float64Array;
  readonly cdofDot: Float64Array;
  readonly cacc: Float64Array;
  readonly cfrc: Float64Array;
}

/** Cotangents and scratch of {@link rneBiasVjp}. */
export interface RneVjpGrad {
  /** Consumed: bars of the outputs. */
  readonly qfrcBiasBar: Float64Array;
  readonly cvelBar: Float64Array;
  readonly cdofDotBar: Float64Array;
  readonly caccBar: Float64Array;
  readonly cfrcBar: Float64Array;
  /** Accumulated into. */
  readonly qvelBar: Float64Array;
  readonly cinertBar: Float64Array;
  readonly cdofBar: Float64Array;
  /** Accumulated into: `gravity`. */
  readonly params: ModelParamGrad;
  /** Scratch [nv·6·B]. */
  readonly dofVel: Float64Array;
}

/**
 * One "cross" step of the velocity chain backwards: Ṡ_d = v ×ₘ S_d with v the velocity in
 * `vel` at VO and ȳ = cdofDotBar_d. For v = [ω; u], S = [a; b], ȳ = [ȳ_a; ȳ_b] and
 * Ṡ = [ω × a; ω × b + u × a]:
 *   ω̄ = a × ȳ_a + b × ȳ_b,  ū = a × ȳ_b,  ā = ȳ_a × ω + ȳ_b × u,  b̄ = ȳ_b × ω.
 * ω̄, ū go to the running velocity bar (cvelBar of the body at V), ā, b̄ to cdofBar_d.
 */
function crossAdj(
  vel: Float64Array, VO: number, cdof: Float64Array, cdofDotBar: Float64Array, cvelBar: Float64Array, cdofBar: Float64Array,
  V: number, D: number, B: number,
): void {
  for (let w = 0; w < B; w++) {
    const ox = vel[VO + w] as number, oy = vel[VO + B + w] as number, oz = vel[VO + 2 * B + w] as number;
    const ux = vel[VO + 3 * B + w] as number, uy = vel[VO + 4 * B + w] as number, uz = vel[VO + 5 * B + w] as number;
    const ax = cdof[D + w] as number, ay = cdof[D + B + w] as number, az = cdof[D + 2 * B + w] as number;
    const bx = cdof[D + 3 * B + w] as number, by = cdof[D + 4 * B + w] as number, bz = cdof[D + 5 * B + w] as number;
    const yax = cdofDotBar[D + w] as number, yay = cdofDotBar[D + B + w] as number, yaz = cdofDotBar[D + 2 * B + w] as number;
    const ybx = cdofDotBar[D + 3 * B + w] as number, yby = cdofDotBar[D + 4 * B + w] as number, ybz = cdofDotBar[D + 5 * B + w] as number;
    cvelBar[V + w] = (cvelBar[V + w] as number) + (ay * yaz - az * yay) + (by * ybz - bz * yby);
    cvelBar[V + B + w] = (cvelBar[V + B + w] as number) + (az * yax - ax * yaz) + (bz * ybx - bx * ybz);
    cvelBar[V + 2 * B + w] = (cvelBar[V + 2 * B + w] as number) + (ax * yay - ay * yax) + (bx * yby - by * ybx);
    cvelBar[V + 3 * B + w] = (cvelBar[V + 3 * B + w] as number) + (ay * ybz - az * yby);
    cvelBar[V + 4 * B + w] = (cvelBar[V + 4 * B + w] as number) + (az * ybx - ax * ybz);
    cvelBar[V + 5 * B + w] = (cvelBar[V + 5 * B + w] as number) + (ax * yby - ay * ybx);
    cdofBar[D + w] = (cdofBar[D + w] as number) + (yay * oz - yaz * oy) + (yby * uz - ybz * uy);
    cdofBar[D + B + w] = (cdofBar[D + B + w] as number) + (yaz * ox - yax * oz) + (ybz * ux - ybx * uz);
    cdofBar[D + 2 * B + w] = (cdofBar[D + 2 * B + w] as number) + (yax * oy - yay * ox) + (ybx * uy - yby * ux);
    cdofBar[D + 3 * B + w] = (cdofBar[D + 3 * B + w] as number) + (yby * oz - ybz * oy);
    cdofBar[D + 4 * B + w] = (cdofBar[D + 4 * B + w] as number) + (ybz * ox - ybx * oz);
    cdofBar[D + 5 * B + w] = (cdofBar[D + 5 * B + w] as number) + (ybx * oy - yby * ox);
  }
}

/**
 * One "add" step backwards: v += S_d·q̇_d gives S̄_d += v̄·q̇_d and q̇̄_d += v̄·S_d, with v̄ the
 * running velocity bar (unchanged: the step is v ↦ v + const).
 */
function addAdj(cvelBar: Float64Array, cdof: Float64Array, qvel: Float64Array, cdofBar: Float64Array, qvelBar: Float64Array, V: number, d: number, B: number): void {
  const D = 6 * d * B;
  const Q = d * B;
  for (let w = 0; w < B; w++) {
    const qd = qvel[Q + w] as number;
    const v0 = cvelBar[V + w] as number, v1 = cvelBar[V + B + w] as number, v2 = cvelBar[V + 2 * B + w] as number;
    const v3 = cvelBar[V + 3 * B + w] as number, v4 = cvelBar[V + 4 * B + w] as number, v5 = cvelBar[V + 5 * B + w] as number;
    cdofBar[D + w] = (cdofBar[D + w] as number) + v0 * qd;
    cdofBar[D + B + w] = (cdofBar[D + B + w] as number) + v1 * qd;
    cdofBar[D + 2 * B + w] = (cdofBar[D + 2 * B + w] as number) + v2 * qd;
    cdofBar[D + 3 * B + w] = (cdofBar[D + 3 * B + w] as number) + v3 * qd;
    cdofBar[D + 4 * B + w] = (cdofBar[D + 4 * B + w] as number) + v4 * qd;
    cdofBar[D + 5 * B + w] = (cdofBar[D + 5 * B + w] as number) + v5 * qd;
    qvelBar[Q + w] =
      (qvelBar[Q + w] as number) +
      v0 * (cdof[D + w] as number) + v1 * (cdof[D + B + w] as number) + v2 * (cdof[D + 2 * B + w] as number) +
      v3 * (cdof[D + 3 * B + w] as number) + v4 * (cdof[D + 4 * B + w] as number) + v5 * (cdof[D + 5 * B + w] as number);
  }
}

/** dst[DST…] = src[SRC…] + S_d·q̇_d (one step of the forward's velocity recursion, same operation order). */
function addDofVelocity(dst: Float64Array, DST: number, src: Float64Array, SRC: number, cdof: Float64Array, qvel: Float64Array, d: number, B: number): void {
  const D = 6 * d * B;
  const Q = d * B;
  for (let w = 0; w < B; w++) {
    const qd = qvel[Q + w] as number;
    for (let k = 0; k < 6; k++) dst[DST + k * B + w] = (src[SRC + k * B + w] as number) + (cdof[D + k * B + w] as number) * qd;
  }
}

/**
 * VJP of {@link rneBias}: from the bars of `qfrcBias`, `cfrc`, `cacc`, `cvel` and `cdofDot`
 * (consumed), adds to the bars of `qvel`, `cinert`, `cdof` and to the gradient of `gravity`.
 *
 * The forward, per body b from the root: v_b = v_parent then, joint by joint, v += S_d·q̇_d and
 * Ṡ_d = v ×ₘ S_d (with v as it is at that moment; a free joint adds its three translations,
 * crosses them, then its three rotations); a_b = a_parent + Σ Ṡ_d·q̇_d with a_world = [0; −g];
 * f_b = I_b·a_b + v_b ×* (I_b·v_b); then subtree sums of f leaves to root; bias_d = S_d·f_{body(d)}.
 * The adjoint runs it backwards:
 * 1. bias_d = S_d·f: f̄_{body(d)} += bias̄_d·S_d, S̄_d += bias̄_d·f (f the subtree sum).
 * 2. Subtree sums root to leaves: f̄_b += f̄_parent (each body's own force reaches every
 *    ancestor's sum).
 * 3. Bodies leaves to root (so children have sent their v̄, ā to the parent first):
 *    - f = I·a + v ×* h with h = I·v = [n; p]: with ȳ = f̄ = [ȳ_a; ȳ_l] and v = [ω; u],
 *      v ×* h = [ω × n + u × p; ω × p], so ω̄ = n × ȳ_a + p × ȳ_l, ū = p × ȳ_a, h̄ = [ȳ_a × ω;
 *      ȳ_a × u + ȳ_l × ω]; then v̄ += I·h̄, ā += I·f̄, and Ī gets the inertia adjoint of both
 *      products (h̄ with v, f̄ with a).
 *    - a_b = a_p + Σ Ṡ_d·q̇_d: Ṡ̄_d += ā·q̇_d, q̇̄_d += ā·Ṡ_d, ā_p += ā.
 *    - the velocity chain in reverse: each cross step needs the velocity it was formed with —
 *      v_b itself for the body's last joint, a partial sum for earlier ones, which is replayed
 *      from v_parent into scratch in the forward's operation order; then cross and add steps
 *      are undone in reverse order with v̄_b as the running bar; finally v̄_p += v̄_b.
 * 4. ḡ = −ā_world (the base acceleration is [0; −g]).
 */
export function rneBiasVjp(model: PhysicsModel, B: number, fwd: RneVjpForward, grad: RneVjpGrad): void {
  const { nbody, nv, bodyParent, bodyJntAdr, bodyJntNum, bodyDofAdr, bodyDofNum, jntType, jntDofAdr } = model;
  const { qvel, cinert, cdof, cvel, cdofDot, cacc, cfrc } = fwd;
  const { qfrcBiasBar, cvelBar, cdofDotBar, caccBar, cfrcBar, qvelBar, cinertBar, cdofBar, params, dofVel } = grad;
  checkBuffer(qvel, nv * B, 'qvel');
  checkBuffer(cinert, nbody * CINERT_SIZE * B, 'cinert');
  checkBuffer(cdof, nv * 6 * B, 'cdof');
  checkBuffer(cvel, nbody * 6 * B, 'cvel');
  checkBuffer(cdofDot, nv * 6 * B, 'cdofDot');
  checkBuffer(cacc, nbody * 6 * B, 'cacc');
  checkBuffer(cfrc, nbody * 6 * B, 'cfrc');
  checkBuffer(qfrcBiasBar, nv * B, 'qfrcBiasBar');
  checkBuffer(cvelBar, nbody * 6 * B, 'cvelBar');
  checkBuffer(cdofDotBar, nv * 6 * B, 'cdofDotBar');
  checkBuffer(caccBar, nbody * 6 * B, 'caccBar');
  checkBuffer(cfrcBar, nbody * 6 * B, 'cfrcBar');
  checkBuffer(qvelBar, nv * B, 'qvelBar');
  checkBuffer(cinertBar, nbody * CINERT_SIZE * B, 'cinertBar');
  checkBuffer(cdofBar, nv * 6 * B, 'cdofBar');
  checkBuffer(dofVel, nv * 6 * B, 'dofVel');
  const gravityBar = params.gravity;

  // 1–2. bias_d = S_d · f_subtree(body(d)), and the subtree sums (the same step as the contact forces').
  subtreeWrenchesToDofsVjp(model, B, cfrc, cdof, qfrcBiasBar, cfrcBar, cdofBar);

  // 3. Bodies, leaves to root.
  for (let b = nbody - 1; b >= 1; b--) {
    const p = bodyParent[b] as number;
    const V = 6 * b * B;
    const PV = 6 * p * B;
    const C = CINERT_SIZE * b * B;

    // f = I·a + v ×* (I·v)
    for (let w = 0; w < B; w++) {
      const ixx = cinert[C + w] as number, iyy = cinert[C + B + w] as number, izz = cinert[C + 2 * B + w] as number;
      const ixy = cinert[C + 3 * B + w] as number, ixz = cinert[C + 4 * B + w] as number, iyz = cinert[C + 5 * B + w] as number;
      const hx = cinert[C + 6 * B + w] as number, hy = cinert[C + 7 * B + w] as number, hz = cinert[C + 8 * B + w] as number;
      const m = cinert[C + 9 * B + w] as number;
      const ox = cvel[V + w] as number, oy = cvel[V + B + w] as number, oz = cvel[V + 2 * B + w] as number;
      const vx = cvel[V + 3 * B + w] as number, vy = cvel[V + 4 * B + w] as number, vz = cvel[V + 5 * B + w] as number;
      // h = I·v = [n; p]
      const nx = ixx * ox + ixy * oy + ixz * oz + (hy * vz - hz * vy);
      const ny = ixy * ox + iyy * oy + iyz * oz + (hz * vx - hx * vz);
      const nz = ixz * ox + iyz * oy + izz * oz + (hx * vy - hy * vx);
      const px = m * vx - (hy * oz - hz * oy);
      const py = m * vy - (hz * ox - hx * oz);
      const pz = m * vz - (hx * oy - hy * ox);
      const yax = cfrcBar[V + w] as number, yay = cfrcBar[V + B + w] as number, yaz = cfrcBar[V + 2 * B + w] as number;
      const ylx = cfrcBar[V + 3 * B + w] as number, yly = cfrcBar[V + 4 * B + w] as number, ylz = cfrcBar[V + 5 * B + w] as number;
      // h̄ = [ȳ_a × ω; ȳ_a × u + ȳ_l × ω]
      const hnx = yay * oz - yaz * oy, hny = yaz * ox - yax * oz, hnz = yax * oy - yay * ox;
      const hpx = yay * vz - yaz * vy + (yly * oz - ylz * oy);
      const hpy = yaz * vx - yax * vz + (ylz * ox - ylx * oz);
      const hpz = yax * vy - yay * vx + (ylx * oy - yly * ox);
      // v̄ = [n × ȳ_a + p × ȳ_l; p × ȳ_a] + I·h̄
      cvelBar[V + w] = (cvelBar[V + w] as number) + (ny * yaz - nz * yay) + (py * ylz - pz * yly) + ixx * hnx + ixy * hny + ixz * hnz + (hy * hpz - hz * hpy);
      cvelBar[V + B + w] = (cvelBar[V + B + w] as number) + (nz * yax - nx * yaz) + (pz * ylx - px * ylz) + ixy * hnx + iyy * hny + iyz * hnz + (hz * hpx - hx * hpz);
      cvelBar[V + 2 * B + w] = (cvelBar[V + 2 * B + w] as number) + (nx * yay - ny * yax) + (px * yly - py * ylx) + ixz * hnx + iyz * hny + izz * hnz + (hx * hpy - hy * hpx);
      cvelBar[V + 3 * B + w] = (cvelBar[V + 3 * B + w] as number) + (py * yaz - pz * yay) + m * hpx - (hy * hnz - hz * hny);
      cvelBar[V + 4 * B + w] = (cvelBar[V + 4 * B + w] as number) + (pz * yax - px * yaz) + m * hpy - (hz * hnx - hx * hnz);
      cvelBar[V + 5 * B + w] = (cvelBar[V + 5 * B + w] as number) + (px * yay - py * yax) + m * hpz - (hx * hny - hy * hnx);
      // ā += I·f̄
      caccBar[V + w] = (caccBar[V + w] as number) + ixx * yax + ixy * yay + ixz * yaz + (hy * ylz - hz * yly);
      caccBar[V + B + w] = (caccBar[V + B + w] as number) + ixy * yax + iyy * yay + iyz * yaz + (hz * ylx - hx * ylz);
      caccBar[V + 2 * B + w] = (caccBar[V + 2 * B + w] as number) + ixz * yax + iyz * yay + izz * yaz + (hx * yly - hy * ylx);
      caccBar[V + 3 * B + w] = (caccBar[V + 3 * B + w] as number) + m * ylx - (hy * yaz - hz * yay);
      caccBar[V + 4 * B + w] = (caccBar[V + 4 * B + w] as number) + m * yly - (hz * yax - hx * yaz);
      caccBar[V + 5 * B + w] = (caccBar[V + 5 * B + w] as number) + m * ylz - (hx * yay - hy * yax);
      // Ī̄ from both products, I·v (cotangent h̄) and I·a (cotangent f̄), see crba-vjp
      const aax = cacc[V + w] as number, aay = cacc[V + B + w] as number, aaz = cacc[V + 2 * B + w] as number;
      const alx = cacc[V + 3 * B + w] as number, aly = cacc[V + 4 * B + w] as number, alz = cacc[V + 5 * B + w] as number;
      cinertBar[C + w] = (cinertBar[C + w] as number) + hnx * ox + yax * aax;
      cinertBar[C + B + w] = (cinertBar[C + B + w] as number) + hny * oy + yay * aay;
      cinertBar[C + 2 * B + w] = (cinertBar[C + 2 * B + w] as number) + hnz * oz + yaz * aaz;
      cinertBar[C + 3 * B + w] = (cinertBar[C + 3 * B + w] as number) + hnx * oy + hny * ox + yax * aay + yay * aax;
      cinertBar[C + 4 * B + w] = (cinertBar[C + 4 * B + w] as number) + hnx * oz + hnz * ox + yax * aaz + yaz * aax;
      cinertBar[C + 5 * B + w] = (cinertBar[C + 5 * B + w] as number) + hny * oz + hnz * oy + yay * aaz + yaz * aay;
      cinertBar[C + 6 * B + w] = (cinertBar[C + 6 * B + w] as number) + (vy * hnz - vz * hny) - (oy * hpz - oz * hpy) + (aly * yaz - alz * yay) - (aay * ylz - aaz * yly);
      cinertBar[C + 7 * B + w] = (cinertBar[C + 7 * B + w] as number) + (vz * hnx - vx * hnz) - (oz * hpx - ox * hpz) + (alz * yax - alx * yaz) - (aaz * ylx - aax * ylz);
      cinertBar[C + 8 * B + w] = (cinertBar[C + 8 * B + w] as number) + (vx * hny - vy * hnx) - (ox * hpy - oy * hpx) + (alx * yay - aly * yax) - (aax * yly - aay * ylx);
      cinertBar[C + 9 * B + w] = (cinertBar[C + 9 * B + w] as number) + hpx * vx + hpy * vy + hpz * vz + ylx * alx + yly * aly + ylz * alz;
    }

    // a_b = a_p + Σ Ṡ_d·q̇_d
    const dadr = bodyDofAdr[b] as number;
    const dnum = bodyDofNum[b] as number;
    for (let d = dadr; d < dadr + dnum; d++) {
      const D = 6 * d * B;
      const Q = d * B;
      for (let w = 0; w < B; w++) {
        const qd = qvel[Q + w] as number;
        let s = 0;
        for (let k = 0; k < 6; k++) {
          const ab = caccBar[V + k * B + w] as number;
          cdofDotBar[D + k * B + w] = (cdofDotBar[D + k * B + w] as number) + ab * qd;
          s += ab * (cdofDot[D + k * B + w] as number);
        }
        qvelBar[Q + w] = (qvelBar[Q + w] as number) + s;
      }
    }
    for (let t = 0; t < 6 * B; t++) caccBar[PV + t] = (caccBar[PV + t] as number) + (caccBar[V + t] as number);

    // Velocity chain. A cross step used the velocity reached at that moment: the body's final
    // cvel for its last joint (and for a free joint's rotations), otherwise a partial sum that
    // is replayed from v_parent into scratch (a free joint's translations: one slot, after all
    // three adds; an earlier joint of a multi-joint body: one slot per joint).
    const jadr = bodyJntAdr[b] as number;
    const jnum = bodyJntNum[b] as number;
    if (jnum > 0 && jntType[jadr] === JointType.Free) {
      const d = jntDofAdr[jadr] as number;
      const T0 = 6 * d * B;
      addDofVelocity(dofVel, T0, cvel, PV, cdof, qvel, d, B);
      addDofVelocity(dofVel, T0, dofVel, T0, cdof, qvel, d + 1, B);
      addDofVelocity(dofVel, T0, dofVel, T0, cdof, qvel, d + 2, B);
      for (let k = 5; k >= 3; k--) crossAdj(cvel, V, cdof, cdofDotBar, cvelBar, cdofBar, V, 6 * (d + k) * B, B);
      for (let k = 5; k >= 3; k--) addAdj(cvelBar, cdof, qvel, cdofBar, qvelBar, V, d + k, B);
      for (let k = 2; k >= 0; k--) crossAdj(dofVel, T0, cdof, cdofDotBar, cvelBar, cdofBar, V, 6 * (d + k) * B, B);
      for (let k = 2; k >= 0; k--) addAdj(cvelBar, cdof, qvel, cdofBar, qvelBar, V, d + k, B);
    } else {
      for (let j = jadr; j < jadr + jnum - 1; j++) {
        const d = jntDofAdr[j] as number;
        if (j === jadr) addDofVelocity(dofVel, 6 * d * B, cvel, PV, cdof, qvel, d, B);
        else addDofVelocity(dofVel, 6 * d * B, dofVel, 6 * (d - 1) * B, cdof, qvel, d, B);
      }
      for (let j = jadr + jnum - 1; j >= jadr; j--) {
        const d = jntDofAdr[j] as number;
        const last = j === jadr + jnum - 1;
        crossAdj(last ? cvel : dofVel, last ? V : 6 * d * B, cdof, cdofDotBar, cvelBar, cdofBar, V, 6 * d * B, B);
        addAdj(cvelBar, cdof, qvel, cdofBar, qvelBar, V, d, B);
      }
    }
    for (let t = 0; t < 6 * B; t++) cvelBar[PV + t] = (cvelBar[PV + t] as number) + (cvelBar[V + t] as number);
  }

  // 4. a_world = [0; −g]
  for (let k = 0; k < 3; k++) {
    for (let w = 0; w < B; w++) gravityBar[k * B + w] = (gravityBar[k * B + w] as number) - (caccBar[(3 + k) * B + w] as number);
  }
}
