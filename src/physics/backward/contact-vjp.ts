/**
 * Backward passes of the ground-contact and joint-limit stages {@link contactForces} and
 * {@link limitForces} (`contact.ts`, whose module notes define the law).
 *
 * Both apply the same one-sided normal law, with x = φ/s, σ the logistic function,
 *
 *   P = k·s·softplus(−x),  A = d·σ(−x)·φ̇ / P,  y = (1 − A)/ε,
 *   f_n = ε·P·softplus(y),  gate = σ(−x)·σ(y),
 *
 * so one adjoint of it ({@link normalLawVjp}) serves both. Going backwards through those lines
 * (ȳ collects f̄_n·ε·P·σ(y) and the gate's gate̅·σ(−x)·σ(y)·σ(−y); Ā = −ȳ/ε; then
 * d̄ += Ā·σ(−x)·φ̇/P, φ̇̄ = Ā·d·σ(−x)/P, P̄ += −Ā·A/P, and P = k·s·softplus(−x),
 * σ(−x) take P̄ and σ̄ to φ, k and s). P ≥ k·s·e⁻⁵⁰ inside the cut, and Ā carries a factor P
 * or σ(−x) ∝ P far from the ground, so the divisions by P stay finite; beyond the cut
 * (x ≥ {@link FAR_FIELD}) the forward flushes the force to 0 and the adjoint is 0 too.
 * @module
 */

import { FAR_FIELD } from '../contact.js';
import { checkBuffer } from '../kinematics.js';
import { JointType, type PhysicsModel } from '../model.js';
import type { ModelParamGrad } from './grad.js';

/** Output slots of {@link normalLawVjp}. */
const LAW_PHI = 0, LAW_PHI_DOT = 1, LAW_K = 2, LAW_D = 3, LAW_S = 4, LAW_EPS = 5, LAW_GATE = 6;

/**
 * Adjoint of the one-sided normal law of `contact.ts` at (φ, φ̇) with stiffness k, damping d,
 * smoothing s and outer width ε, for cotangents `fnBar` of f_n and `gateBar` of the gate
 * σ(−φ/s)·σ(y). Writes into `out` [7]: φ̄, φ̇̄, k̄, d̄, s̄, ε̄ and the gate's value (the caller needs
 * it for the d·gate, k·gate implicit coefficients). All zero beyond the far-field cut.
 */
export function normalLawVjp(phi: number, phiDot: number, k: number, d: number, s: number, eps: number, fnBar: number, gateBar: number, out: Float64Array): void {
  const x = phi * (1 / s); // as the forward: φ·(1/s)
  if (x >= FAR_FIELD) {
    out.fill(0, 0, 7);
    return;
  }
  const t = Math.exp(-Math.abs(x));
  const sp = Math.max(-x, 0) + Math.log1p(t);
  const sig = (x > 0 ? t : 1) / (1 + t); // σ(−x)
  const sigc = (x > 0 ? 1 : t) / (1 + t); // 1 − σ(−x), without cancellation
  const spring = k * s * sp;
  const a = (d * sig * phiDot) / spring;
  const y = (1 - a) / eps;
  const ey = Math.exp(-Math.abs(y));
  const spy = Math.max(y, 0) + Math.log1p(ey);
  const sy = (y > 0 ? 1 : ey) / (1 + ey);
  const syc = (y > 0 ? ey : 1) / (1 + ey);
  const yBar = fnBar * eps * spring * sy + gateBar * sig * sy * syc;
  let sigBar = gateBar * sy;
  let springBar = fnBar * eps * spy;
  const aBar = -yBar / eps;
  const aOverSpring = aBar / spring;
  sigBar += aOverSpring * d * phiDot;
  springBar -= aOverSpring * a;
  const dsig = sig * sigc; // −∂σ(−x)/∂x
  out[LAW_PHI] = -springBar * k * sig - (sigBar * dsig) / s;
  out[LAW_PHI_DOT] = aOverSpring * d * sig;
  out[LAW_K] = springBar * s * sp;
  out[LAW_D] = aOverSpring * sig * phiDot;
  out[LAW_S] = springBar * k * (sp + x * sig) + (sigBar * dsig * x) / s;
  out[LAW_EPS] = fnBar * spring * spy - (yBar * y) / eps;
  out[LAW_GATE] = sig * sy;
}

/** Per-law scratch (module-level so the VJPs allocate nothing). */
const LAW = new Float64Array(7);

/**
 * Adjoint of {@link subtreeWrenchesToDofs}: from τ̄ (`qfrcBar`, [nv·B]) and the bar of the
 * subtree sums (`cfrcBar`, consumed), with `cfrcSum` the sums the forward left in place, adds
 * cdof̄_d += τ̄_d·f_subtree(d) and turns `cfrcBar` into the bar of each body's own wrench
 * (every body's wrench reaches the sums of all its ancestors within its tree).
 */
export function subtreeWrenchesToDofsVjp(model: PhysicsModel, B: number, cfrcSum: Float64Array, cdof: Float64Array, qfrcBar: Float64Array, cfrcBar: Float64Array, cdofBar: Float64Array): void {
  const { nbody, nv, bodyParent, dofBody } = model;
  for (let d = 0; d < nv; d++) {
    const F = 6 * (dofBody[d] as number) * B;
    const Dd = 6 * d * B;
    const Q = d * B;
    for (let w = 0; w < B; w++) {
      const tb = qfrcBar[Q + w] as number;
      for (let c = 0; c < 6; c++) {
        cfrcBar[F + c * B + w] = (cfrcBar[F + c * B + w] as number) + tb * (cdof[Dd + c * B + w] as number);
        cdofBar[Dd + c * B + w] = (cdofBar[Dd + c * B + w] as number) + tb * (cfrcSum[F + c * B + w] as number);
      }
    }
  }
  for (let b = 2; b < nbody; b++) {
    const p = bodyParent[b] as number;
    if (p === 0) continue;
    const src = 6 * p * B;
    const dst = 6 * b * B;
    for (let t = 0; t < 6 * B; t++) cfrcBar[dst + t] = (cfrcBar[dst + t] as number) + (cfrcBar[src + t] as number);
  }
}

/** Forward values {@link contactForcesVjp} reads. */
export interface ContactVjpForward {
  readonly xpos: Float64Array;
  readonly xmat: Float64Array;
  readonly cvel: Float64Array;
  readonly cdof: Float64Array;
  /** The subtree-summed contact wrenches as the forward left them. */
  readonly cfrcExt: Float64Array;
}

/** Cotangents of {@link contactForcesVjp}. */
export interface ContactVjpGrad {
  /** Consumed (clobbered): bars of the outputs. */
  readonly qfrcContactBar: Float64Array;
  readonly cfrcExtBar: Float64Array;
  readonly conPointBar: Float64Array;
  readonly conDistBar: Float64Array;
  readonly conVelBar: Float64Array;
  readonly conForceBar: Float64Array;
  readonly conImplicitBar: Float64Array;
  /** Accumulated into. */
  readonly xposBar: Float64Array;
  readonly xmatBar: Float64Array;
  readonly cvelBar: Float64Array;
  readonly cdofBar: Float64Array;
  /** Accumulated into: `conFriction` and the `contact*` scalars. */
  readonly params: ModelParamGrad;
}

/**
 * VJP of {@link contactForces}: from the bars of `qfrcContact`, `cfrcExt`, `conPoint`, `conDist`,
 * `conVel`, `conForce` and `conImplicit` (consumed), adds to the bars of `xpos`, `xmat`, `cvel`,
 * `cdof` and to the gradients of μ (`conFriction`), k, d, s, ε_v and ε.
 *
 * Per contact on body b with tree reference point O, backwards through the forward's lines:
 * - τ = cdofᵀ·(subtree sum of the wrenches) ({@link subtreeWrenchesToDofsVjp}), then the wrench
 *   [r × f; f] with r = p − O: f̄ += f̄_w + n̄ × r, r̄ += f × n̄;
 * - implicit coefficients [g, d·gate, k·gate]: ḡ, gate̅ = d·c̄₁ + k·c̄₂, d̄ += gate·c̄₁, k̄ += gate·c̄₂;
 * - friction f_t = −g·v_t, g = μ·f_n/√(|v_t|² + ε_v²): ḡ −= f̄_t·v_t, v̄_t −= g·f̄_t, then
 *   f̄_n += ḡ·μ/√·, μ̄ += ḡ·f_n/√·, and (|v_t|² + ε_v²)̄ = −½·ḡ·g/(|v_t|² + ε_v²);
 * - the normal law ({@link normalLawVjp}) with φ̇ = v_z;
 * - v = v_O + ω × r: v̄_O += v̄, ω̄ += r × v̄, r̄ += v̄ × ω; r = p − O; p = x_b + R_b·l − radius·ẑ,
 *   φ = p_z − floor.
 * The geometric outputs (`conPoint`, `conDist`, `conVel`) are formed for every contact, so their
 * bars propagate everywhere; the force part is cut with the forward beyond {@link FAR_FIELD}.
 */
export function contactForcesVjp(model: PhysicsModel, B: number, fwd: ContactVjpForward, grad: ContactVjpGrad): void {
  const { nbody, nv, ncon, bodyRoot, conBody, conLocal, conRadius, conFriction, floorHeight, contact } = model;
  if (!contact.enabled || ncon === 0) return; // the forward's outputs are constants (or untouched) then
  const { xpos, xmat, cvel, cdof, cfrcExt } = fwd;
  const { qfrcContactBar, cfrcExtBar, conPointBar, conDistBar, conVelBar, conForceBar, conImplicitBar, xposBar, xmatBar, cvelBar, cdofBar, params } = grad;
  checkBuffer(xpos, nbody * 3 * B, 'xpos');
  checkBuffer(xmat, nbody * 9 * B, 'xmat');
  checkBuffer(cvel, nbody * 6 * B, 'cvel');
  checkBuffer(cdof, nv * 6 * B, 'cdof');
  checkBuffer(cfrcExt, nbody * 6 * B, 'cfrcExt');
  checkBuffer(qfrcContactBar, nv * B, 'qfrcContactBar');
  checkBuffer(cfrcExtBar, nbody * 6 * B, 'cfrcExtBar');
  checkBuffer(conPointBar, ncon * 3 * B, 'conPointBar');
  checkBuffer(conDistBar, ncon * B, 'conDistBar');
  checkBuffer(conVelBar, ncon * 3 * B, 'conVelBar');
  checkBuffer(conForceBar, ncon * 3 * B, 'conForceBar');
  checkBuffer(conImplicitBar, ncon * 3 * B, 'conImplicitBar');
  checkBuffer(xposBar, nbody * 3 * B, 'xposBar');
  checkBuffer(xmatBar, nbody * 9 * B, 'xmatBar');
  checkBuffer(cvelBar, nbody * 6 * B, 'cvelBar');
  checkBuffer(cdofBar, nv * 6 * B, 'cdofBar');

  subtreeWrenchesToDofsVjp(model, B, cfrcExt, cdof, qfrcContactBar, cfrcExtBar, cdofBar);

  const k = contact.stiffness;
  const d = contact.damping;
  const s = contact.smoothing;
  const invS = 1 / s;
  const eps = contact.gateSmoothing;
  const ev = contact.frictionSmoothing;
  const ev2 = ev * ev;
  const { conFriction: muBar, contactStiffness: kBar, contactDamping: dBar, contactSmoothing: sBar, contactFrictionSmoothing: evBar, contactGateSmoothing: epsBar } = params;
  const law = LAW;

  for (let c = 0; c < ncon; c++) {
    const b = conBody[c] as number;
    const P = 3 * b * B;
    const M = 9 * b * B;
    const O = 3 * (bodyRoot[b] as number) * B;
    const V = 6 * b * B;
    const lx = conLocal[3 * c] as number;
    const ly = conLocal[3 * c + 1] as number;
    const lz = conLocal[3 * c + 2] as number;
    const r = conRadius[c] as number;
    const mu = conFriction[c] as number;
    const C3 = 3 * c * B;
    const C1 = c * B;
    for (let w = 0; w < B; w++) {
      // Recompute the forward's per-contact values.
      const px = (xpos[P + w] as number) + (xmat[M + w] as number) * lx + (xmat[M + B + w] as number) * ly + (xmat[M + 2 * B + w] as number) * lz;
      const py = (xpos[P + B + w] as number) + (xmat[M + 3 * B + w] as number) * lx + (xmat[M + 4 * B + w] as number) * ly + (xmat[M + 5 * B + w] as number) * lz;
      const pz = (xpos[P + 2 * B + w] as number) + (xmat[M + 6 * B + w] as number) * lx + (xmat[M + 7 * B + w] as number) * ly + (xmat[M + 8 * B + w] as number) * lz - r;
      const phi = pz - floorHeight;
      const rx = px - (xpos[O + w] as number);
      const ry = py - (xpos[O + B + w] as number);
      const rz = pz - (xpos[O + 2 * B + w] as number);
      const ox = cvel[V + w] as number, oy = cvel[V + B + w] as number, oz = cvel[V + 2 * B + w] as number;
      const vx = (cvel[V + 3 * B + w] as number) + oy * rz - oz * ry;
      const vy = (cvel[V + 4 * B + w] as number) + oz * rx - ox * rz;
      const vz = (cvel[V + 5 * B + w] as number) + ox * ry - oy * rx;

      let pxB = conPointBar[C3 + w] as number;
      let pyB = conPointBar[C3 + B + w] as number;
      let pzB = (conPointBar[C3 + 2 * B + w] as number) + (conDistBar[C1 + w] as number);
      let vxB = conVelBar[C3 + w] as number;
      let vyB = conVelBar[C3 + B + w] as number;
      let vzB = conVelBar[C3 + 2 * B + w] as number;
      let rxB = 0, ryB = 0, rzB = 0;

      const x = phi * invS;
      if (x < FAR_FIELD) {
        // f_n and the friction's g from the normal law's forward (the adjoint recomputes the rest).
        const t = Math.exp(-Math.abs(x));
        const spring = k * s * (Math.max(-x, 0) + Math.log1p(t));
        const sig = (x > 0 ? t : 1) / (1 + t);
        const y = (1 - (d * sig * vz) / spring) / eps;
        const fn = eps * spring * (Math.max(y, 0) + Math.log1p(Math.exp(-Math.abs(y))));
        const den2 = vx * vx + vy * vy + ev2;
        const inv = 1 / Math.sqrt(den2);
        const g = mu * fn * inv;
        const fx = -g * vx;
        const fy = -g * vy;
        // Wrench [r × f; f] on the body's own (pre-sum) slot.
        const nxB = cfrcExtBar[V + w] as number, nyB = cfrcExtBar[V + B + w] as number, nzB = cfrcExtBar[V + 2 * B + w] as number;
        const fxB = (conForceBar[C3 + w] as number) + (cfrcExtBar[V + 3 * B + w] as number) + (nyB * rz - nzB * ry);
        const fyB = (conForceBar[C3 + B + w] as number) + (cfrcExtBar[V + 4 * B + w] as number) + (nzB * rx - nxB * rz);
        let fnB = (conForceBar[C3 + 2 * B + w] as number) + (cfrcExtBar[V + 5 * B + w] as number) + (nxB * ry - nyB * rx);
        rxB += fy * nzB - fn * nyB;
        ryB += fn * nxB - fx * nzB;
        rzB += fx * nyB - fy * nxB;
        // Implicit coefficients and friction.
        const c1B = conImplicitBar[C3 + B + w] as number;
        const c2B = conImplicitBar[C3 + 2 * B + w] as number;
        const gB = (conImplicitBar[C3 + w] as number) - fxB * vx - fyB * vy;
        vxB -= g * fxB;
        vyB -= g * fyB;
        fnB += gB * mu * inv;
        muBar[C1 + w] = (muBar[C1 + w] as number) + gB * fn * inv;
        const den2B = (-0.5 * gB * g) / den2;
        vxB += 2 * vx * den2B;
        vyB += 2 * vy * den2B;
        evBar[w] = (evBar[w] as number) + 2 * ev * den2B;
        // Normal law (φ̇ = v_z).
        normalLawVjp(phi, vz, k, d, s, eps, fnB, d * c1B + k * c2B, law);
        const gate = law[LAW_GATE] as number;
        pzB += law[LAW_PHI] as number;
        vzB += law[LAW_PHI_DOT] as number;
        kBar[w] = (kBar[w] as number) + (law[LAW_K] as number) + gate * c2B;
        dBar[w] = (dBar[w] as number) + (law[LAW_D] as number) + gate * c1B;
        sBar[w] = (sBar[w] as number) + (law[LAW_S] as number);
        epsBar[w] = (epsBar[w] as number) + (law[LAW_EPS] as number);
      }

      // v = v_O + ω × r
      cvelBar[V + w] = (cvelBar[V + w] as number) + (ry * vzB - rz * vyB);
      cvelBar[V + B + w] = (cvelBar[V + B + w] as number) + (rz * vxB - rx * vzB);
      cvelBar[V + 2 * B + w] = (cvelBar[V + 2 * B + w] as number) + (rx * vyB - ry * vxB);
      cvelBar[V + 3 * B + w] = (cvelBar[V + 3 * B + w] as number) + vxB;
      cvelBar[V + 4 * B + w] = (cvelBar[V + 4 * B + w] as number) + vyB;
      cvelBar[V + 5 * B + w] = (cvelBar[V + 5 * B + w] as number) + vzB;
      rxB += vyB * oz - vzB * oy;
      ryB += vzB * ox - vxB * oz;
      rzB += vxB * oy - vyB * ox;
      // r = p − O
      pxB += rxB;
      pyB += ryB;
      pzB += rzB;
      xposBar[O + w] = (xposBar[O + w] as number) - rxB;
      xposBar[O + B + w] = (xposBar[O + B + w] as number) - ryB;
      xposBar[O + 2 * B + w] = (xposBar[O + 2 * B + w] as number) - rzB;
      // p = x_b + R_b·l − radius·ẑ
      xposBar[P + w] = (xposBar[P + w] as number) + pxB;
      xposBar[P + B + w] = (xposBar[P + B + w] as number) + pyB;
      xposBar[P + 2 * B + w] = (xposBar[P + 2 * B + w] as number) + pzB;
      xmatBar[M + w] = (xmatBar[M + w] as number) + pxB * lx;
      xmatBar[M + B + w] = (xmatBar[M + B + w] as number) + pxB * ly;
      xmatBar[M + 2 * B + w] = (xmatBar[M + 2 * B + w] as number) + pxB * lz;
      xmatBar[M + 3 * B + w] = (xmatBar[M + 3 * B + w] as number) + pyB * lx;
      xmatBar[M + 4 * B + w] = (xmatBar[M + 4 * B + w] as number) + pyB * ly;
      xmatBar[M + 5 * B + w] = (xmatBar[M + 5 * B + w] as number) + pyB * lz;
      xmatBar[M + 6 * B + w] = (xmatBar[M + 6 * B + w] as number) + pzB * lx;
      xmatBar[M + 7 * B + w] = (xmatBar[M + 7 * B + w] as number) + pzB * ly;
      xmatBar[M + 8 * B + w] = (xmatBar[M + 8 * B + w] as number) + pzB * lz;
    }
  }
}

/** Forward values {@link limitForcesVjp} reads. */
export interface LimitVjpForward {
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
}

/** Cotangents of {@link limitForcesVjp}. */
export interface LimitVjpGrad {
  /** Consumed: bars of the outputs. */
  readonly qfrcLimitBar: Float64Array;
  readonly limImplicitBar: Float64Array;
  /** Accumulated into. */
  readonly qposBar: Float64Array;
  readonly qvelBar: Float64Array;
  /** Accumulated into: the `limit*` scalars. */
  readonly params: ModelParamGrad;
}

/**
 * VJP of {@link limitForces}: for every limited hinge or slide, the adjoint of the normal law
 * ({@link normalLawVjp}) at both ends — φ = q − lo, φ̇ = q̇ with f̄_n = τ̄, and φ = hi − q,
 * φ̇ = −q̇ with f̄_n = −τ̄ — sharing the gate cotangent d·c̄₀ + k·c̄₁ of `limImplicit`
 * = [d·(gate_lo + gate_hi), k·(gate_lo + gate_hi)]. Adds to `qposBar`, `qvelBar` and the
 * gradients of the limit stiffness, damping, smoothing and outer width.
 */
export function limitForcesVjp(model: PhysicsModel, B: number, fwd: LimitVjpForward, grad: LimitVjpGrad): void {
  const { nq, nv, njnt, jntType, jntLimited, jntRange, jntQposAdr, jntDofAdr, limit } = model;
  if (!limit.enabled) return;
  const { qpos, qvel } = fwd;
  const { qfrcLimitBar, limImplicitBar, qposBar, qvelBar, params } = grad;
  checkBuffer(qpos, nq * B, 'qpos');
  checkBuffer(qvel, nv * B, 'qvel');
  checkBuffer(qfrcLimitBar, nv * B, 'qfrcLimitBar');
  checkBuffer(limImplicitBar, nv * 2 * B, 'limImplicitBar');
  checkBuffer(qposBar, nq * B, 'qposBar');
  checkBuffer(qvelBar, nv * B, 'qvelBar');
  const k = limit.stiffness;
  const d = limit.damping;
  const s = limit.smoothing;
  const eps = limit.gateSmoothing;
  const { limitStiffness: kBar, limitDamping: dBar, limitSmoothing: sBar, limitGateSmoothing: epsBar } = params;
  const law = LAW;
  for (let j = 0; j < njnt; j++) {
    if (jntLimited[j] !== 1 || jntType[j] === JointType.Free) continue;
    const lo = jntRange[2 * j] as number;
    const hi = jntRange[2 * j + 1] as number;
    const A = (jntQposAdr[j] as number) * B;
    const dof = jntDofAdr[j] as number;
    const Dd = dof * B;
    const L = 2 * dof * B;
    for (let w = 0; w < B; w++) {
      const q = qpos[A + w] as number;
      const v = qvel[Dd + w] as number;
      const tb = qfrcLimitBar[Dd + w] as number;
      const c0B = limImplicitBar[L + w] as number;
      const c1B = limImplicitBar[L + B + w] as number;
      const gateB = d * c0B + k * c1B;
      let qB = 0, vB = 0, kB = 0, dB = 0, sB = 0, eB = 0, gate = 0;
      normalLawVjp(q - lo, v, k, d, s, eps, tb, gateB, law);
      qB += law[LAW_PHI] as number;
      vB += law[LAW_PHI_DOT] as number;
      kB += law[LAW_K] as number;
      dB += law[LAW_D] as number;
      sB += law[LAW_S] as number;
      eB += law[LAW_EPS] as number;
      gate += law[LAW_GATE] as number;
      normalLawVjp(hi - q, -v, k, d, s, eps, -tb, gateB, law);
      qB -= law[LAW_PHI] as number;
      vB -= law[LAW_PHI_DOT] as number;
      kB += law[LAW_K] as number;
      dB += law[LAW_D] as number;
      sB += law[LAW_S] as number;
      eB += law[LAW_EPS] as number;
      gate += law[LAW_GATE] as number;
      qposBar[A + w] = (qposBar[A + w] as number) + qB;
      qvelBar[Dd + w] = (qvelBar[Dd + w] as number) + vB;
      kBar[w] = (kBar[w] as number) + kB + gate * c1B;
      dBar[w] = (dBar[w] as number) + dB + gate * c0B;
      sBar[w] = (sBar[w] as number) + sB;
      epsBar[w] = (epsBar[w] as number) + eB;
    }
  }
}
