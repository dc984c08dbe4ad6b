/**
 * Smooth ground contact and joint limits over a batch, as penalty forces in closed form: no
 * contact detection phase, no active set, no solver, and no contact modes, so every force is a
 * smooth function of (q, q̇) and of the parameters (PHYSICS.md §7.3). The only branch on a world's
 * state skips contacts whose force is below round-off (see Numerics).
 *
 * **Normal force.** A contact sphere of radius r centred at c has signed distance
 * φ = c_z − r − z_floor to the ground plane (negative in penetration) and the body point at its
 * lowest position p = c − r·ẑ moves with velocity v_p, so φ̇ = v_p,z. With x = φ/s,
 *
 *   P = k·s·softplus(−x)          (a spring that is exactly linear, k·(−φ), deep in the ground
 *                                   and decays like e^{−φ/s} above it),
 *   F = P − d·σ(−x)·φ̇             (plus a damper gated by the logistic σ),
 *   f_n = ε·P·softplus(F/(ε·P))   (the positive part of F, smoothed over a width ε·P).
 *
 * Scaling the outer softplus by P makes the ground never pull (f_n > 0), makes f_n vanish with
 * the spring far from the ground (a body in the air feels no force), and keeps f_n ≈ F in
 * contact (the relative error is ε·softplus(−1/ε) ≈ 5·10⁻⁶ for ε = 0.1 and no damping).
 *
 * **Friction.** Regularised Coulomb on the tangential velocity v_t = (v_p,x, v_p,y):
 * f_t = −μ·f_n·v_t / √(|v_t|² + ε_v²), viscous below ε_v and Coulomb above it.
 *
 * **Generalised forces.** The force f = (f_t, f_n) acts at p; as a spatial force about the tree's
 * reference point O it is [(p − O) × f; f]. Summed over each body's subtree (leaves to root, as
 * the bias forces), the generalised force on dof i is cdof_iᵀ·that sum: exactly Jᵀf with J the
 * Jacobian of the point velocity v_p = v_O + ω × (p − O).
 *
 * **Joint limits.** A limited hinge or slide with range [lo, hi] gets the same one-sided law
 * twice: φ = q − lo pushing up and φ = hi − q pushing down (with φ̇ = ±q̇), on its own dof.
 *
 * Numerics: softplus(y) = max(y, 0) + log1p(e^{−|y|}) and the logistic are written so that no
 * exponential overflows. A contact sphere more than {@link FAR_FIELD} smoothing lengths above the
 * ground (5 cm at s = 1 mm), or a limit end that far inside the range (0.5 rad), is skipped: its force
 * there is below ε·k·s·e⁻⁵⁰·softplus(y) ≈ 2·10⁻²⁰·(1 + d·|φ̇|/(k·s)) N for the defaults and is
 * flushed to exactly 0 (so are its implicit coefficients). That jump is far below the round-off
 * of any force the engine adds up, so the law stays smooth for every practical purpose
 * (finite-difference checks cannot see it), while the four transcendental functions per contact,
 * most of the cost of this stage, are only evaluated near the ground. A backward pass must
 * apply the same cut (zero gradient beyond it). It also keeps P = k·s·softplus(−x) ≥ k·s·e⁻⁵⁰ > 0,
 * so the ratio F/P never divides by zero.
 * @module
 */

import { subtreeWrenchesToDofs } from './dynamics.js';
import { checkBuffer } from './kinematics.js';
import { JointType, type PhysicsModel } from './model.js';
import type { ContactBuffers, DampedSolveBuffers, LimitBuffers } from './state.js';

/** Beyond φ/s ≥ FAR_FIELD the contact force is flushed to 0 (see the module notes). */
export const FAR_FIELD = 50;

/**
 * The one-sided normal law f_n(φ, φ̇) of this module for one contact (scalar form, the same
 * arithmetic as the batched stages). `ks` = k·s, `invS` = 1/s, `eps` the outer softplus width.
 */
export function smoothNormalForce(phi: number, phiDot: number, ks: number, d: number, invS: number, eps: number): number {
  const x = phi * invS;
  if (x >= FAR_FIELD) return 0;
  const t = Math.exp(-Math.abs(x));
  const sp = Math.max(-x, 0) + Math.log1p(t);
  const sig = (x > 0 ? t : 1) / (1 + t);
  const P = ks * sp;
  const y = (1 - (d * sig * phiDot) / P) / eps;
  return eps * P * (Math.max(y, 0) + Math.log1p(Math.exp(-Math.abs(y))));
}

/**
 * Ground-contact forces of all B worlds. Reads the body poses (`xpos`, `xmat`), the body
 * velocities `cvel` (from {@link rneBias}) and `cdof`; writes the per-contact intermediates
 * (`conPoint`, `conDist`, `conVel`, `conForce`), the subtree contact wrenches `cfrcExt` and the
 * generalised forces `qfrcContact`. Without contact spheres, or with `model.contact.enabled`
 * false, it writes zeros.
 */
export function contactForces(model: PhysicsModel, B: number, io: ContactBuffers): void {
  const { nbody, nv, ncon, bodyRoot, conBody, conLocal, conRadius, conFriction, floorHeight, contact } = model;
  const { xpos, xmat, cvel, cdof, conPoint, conDist, conVel, conForce, cfrcExt, qfrcContact, conImplicit } = io;
  checkBuffer(xpos, nbody * 3 * B, 'xpos');
  checkBuffer(xmat, nbody * 9 * B, 'xmat');
  checkBuffer(cvel, nbody * 6 * B, 'cvel');
  checkBuffer(cdof, nv * 6 * B, 'cdof');
  checkBuffer(conPoint, ncon * 3 * B, 'conPoint');
  checkBuffer(conDist, ncon * B, 'conDist');
  checkBuffer(conVel, ncon * 3 * B, 'conVel');
  checkBuffer(conForce, ncon * 3 * B, 'conForce');
  checkBuffer(cfrcExt, nbody * 6 * B, 'cfrcExt');
  checkBuffer(qfrcContact, nv * B, 'qfrcContact');
  checkBuffer(conImplicit, ncon * 3 * B, 'conImplicit');
  cfrcExt.fill(0, 0, nbody * 6 * B);
  const active = contact.enabled ? ncon : 0;
  if (active === 0) {
    conForce.fill(0, 0, ncon * 3 * B);
    conImplicit.fill(0, 0, ncon * 3 * B);
    qfrcContact.fill(0, 0, nv * B);
    return;
  }
  const k = contact.stiffness;
  const ks = contact.stiffness * contact.smoothing;
  const d = contact.damping;
  const invS = 1 / contact.smoothing;
  const eps = contact.gateSmoothing;
  const ev2 = contact.frictionSmoothing * contact.frictionSmoothing;

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
    const CK = 3 * c * B;
    for (let w = 0; w < B; w++) {
      // Sphere centre and its lowest point p.
      const px = (xpos[P + w] as number) + (xmat[M + w] as number) * lx + (xmat[M + B + w] as number) * ly + (xmat[M + 2 * B + w] as number) * lz;
      const py = (xpos[P + B + w] as number) + (xmat[M + 3 * B + w] as number) * lx + (xmat[M + 4 * B + w] as number) * ly + (xmat[M + 5 * B + w] as number) * lz;
      const pz = (xpos[P + 2 * B + w] as number) + (xmat[M + 6 * B + w] as number) * lx + (xmat[M + 7 * B + w] as number) * ly + (xmat[M + 8 * B + w] as number) * lz - r;
      const phi = pz - floorHeight;
      // Velocity of the body point at p: v_O + ω × (p − O).
      const rx = px - (xpos[O + w] as number);
      const ry = py - (xpos[O + B + w] as number);
      const rz = pz - (xpos[O + 2 * B + w] as number);
      const ox = cvel[V + w] as number, oy = cvel[V + B + w] as number, oz = cvel[V + 2 * B + w] as number;
      const vx = (cvel[V + 3 * B + w] as number) + oy * rz - oz * ry;
      const vy = (cvel[V + 4 * B + w] as number) + oz * rx - ox * rz;
      const vz = (cvel[V + 5 * B + w] as number) + ox * ry - oy * rx;
      conPoint[C3 + w] = px;
      conPoint[C3 + B + w] = py;
      conPoint[C3 + 2 * B + w] = pz;
      conDist[C1 + w] = phi;
      conVel[C3 + w] = vx;
      conVel[C3 + B + w] = vy;
      conVel[C3 + 2 * B + w] = vz;
      // Normal force (see the module notes; smoothNormalForce is the scalar twin).
      const x = phi * invS;
      if (x >= FAR_FIELD) {
        conForce[C3 + w] = 0;
        conForce[C3 + B + w] = 0;
        conForce[C3 + 2 * B + w] = 0;
        conImplicit[CK + w] = 0;
        conImplicit[CK + B + w] = 0;
        conImplicit[CK + 2 * B + w] = 0;
        continue;
      }
      const t = Math.exp(-Math.abs(x));
      const sp = Math.max(-x, 0) + Math.log1p(t);
      const sig = (x > 0 ? t : 1) / (1 + t);
      const spring = ks * sp;
      const y = (1 - (d * sig * vz) / spring) / eps;
      const ey = Math.exp(-Math.abs(y));
      const fn = eps * spring * (Math.max(y, 0) + Math.log1p(ey));
      // Regularised Coulomb friction.
      const den2 = vx * vx + vy * vy + ev2;
      const g = (mu * fn) / Math.sqrt(den2);
      const fx = -g * vx;
      const fy = -g * vy;
      // Implicit-contact coefficients: the friction's frozen viscous coefficient g (f_t = −g·v_t),
      // and the normal damping and stiffness of the gated spring–damper (ℓ = logistic(y)).
      const gate = (sig * (y > 0 ? 1 : ey)) / (1 + ey);
      conImplicit[CK + w] = g;
      conImplicit[CK + B + w] = d * gate;
      conImplicit[CK + 2 * B + w] = k * gate;
      conForce[C3 + w] = fx;
      conForce[C3 + B + w] = fy;
      conForce[C3 + 2 * B + w] = fn;
      // Spatial force about O: [(p − O) × f; f].
      cfrcExt[V + w] = (cfrcExt[V + w] as number) + (ry * fn - rz * fy);
      cfrcExt[V + B + w] = (cfrcExt[V + B + w] as number) + (rz * fx - rx * fn);
      cfrcExt[V + 2 * B + w] = (cfrcExt[V + 2 * B + w] as number) + (rx * fy - ry * fx);
      cfrcExt[V + 3 * B + w] = (cfrcExt[V + 3 * B + w] as number) + fx;
      cfrcExt[V + 4 * B + w] = (cfrcExt[V + 4 * B + w] as number) + fy;
      cfrcExt[V + 5 * B + w] = (cfrcExt[V + 5 * B + w] as number) + fn;
    }
  }

  subtreeWrenchesToDofs(model, B, cfrcExt, cdof, qfrcContact);
}

/**
 * Joint-limit forces of all B worlds: for every limited hinge or slide joint, the one-sided law
 * of this module against each end of its range (`model.limit` parameters), on the joint's dof.
 * Writes `qfrcLimit` (zeros where there is no limit or `model.limit.enabled` is false).
 */
export function limitForces(model: PhysicsModel, B: number, io: LimitBuffers): void {
  const { nq, nv, njnt, jntType, jntLimited, jntRange, jntQposAdr, jntDofAdr, limit } = model;
  const { qpos, qvel, qfrcLimit, limImplicit } = io;
  checkBuffer(qpos, nq * B, 'qpos');
  checkBuffer(qvel, nv * B, 'qvel');
  checkBuffer(qfrcLimit, nv * B, 'qfrcLimit');
  checkBuffer(limImplicit, nv * 2 * B, 'limImplicit');
  qfrcLimit.fill(0, 0, nv * B);
  limImplicit.fill(0, 0, nv * 2 * B);
  if (!limit.enabled) return;
  const k = limit.stiffness;
  const ks = limit.stiffness * limit.smoothing;
  const d = limit.damping;
  const invS = 1 / limit.smoothing;
  const eps = limit.gateSmoothing;
  for (let j = 0; j < njnt; j++) {
    if (jntLimited[j] !== 1 || jntType[j] === JointType.Free) continue;
    const lo = jntRange[2 * j] as number;
    const hi = jntRange[2 * j + 1] as number;
    const A = (jntQposAdr[j] as number) * B;
    const dof = jntDofAdr[j] as number;
    const D = dof * B;
    const L = 2 * dof * B;
    for (let w = 0; w < B; w++) {
      const q = qpos[A + w] as number;
      const v = qvel[D + w] as number;
      // Lower end: φ = q − lo, φ̇ = q̇, pushes +. Upper end: φ = hi − q, φ̇ = −q̇, pushes −.
      let force = 0;
      let gate = 0;
      let x = (q - lo) * invS;
      if (x < FAR_FIELD) {
        const t = Math.exp(-Math.abs(x));
        const sig = (x > 0 ? t : 1) / (1 + t);
        const spring = ks * (Math.max(-x, 0) + Math.log1p(t));
        const y = (1 - (d * sig * v) / spring) / eps;
        const ey = Math.exp(-Math.abs(y));
        force += eps * spring * (Math.max(y, 0) + Math.log1p(ey));
        gate += (sig * (y > 0 ? 1 : ey)) / (1 + ey);
      }
      x = (hi - q) * invS;
      if (x < FAR_FIELD) {
        const t = Math.exp(-Math.abs(x));
        const sig = (x > 0 ? t : 1) / (1 + t);
        const spring = ks * (Math.max(-x, 0) + Math.log1p(t));
        const y = (1 + (d * sig * v) / spring) / eps;
        const ey = Math.exp(-Math.abs(y));
        force -= eps * spring * (Math.max(y, 0) + Math.log1p(ey));
        gate += (sig * (y > 0 ? 1 : ey)) / (1 + ey);
      }
      qfrcLimit[D + w] = force;
      limImplicit[L + w] = d * gate;
      limImplicit[L + B + w] = k * gate;
    }
  }
}

/** Doubles per body in `crbContact`: T (xx, yy, zz, xy, xz, yz), L (xy, xz, yx, yz, zx, zy), K (tangential, normal). */
export const CONTACT_IMPEDANCE_SIZE = 14;

/**
 * The linearly implicit contact and limit terms of the integrator matrix: adds, to `qMDamp`
 * (which already holds M + h·D),
 * - for every limited dof, h·(d_l + h·k_l) with the gated damping and stiffness of
 *   `limImplicit` (both ends summed), when `model.limit.implicit`;
 * - for every contact sphere, h·Jᵀ·K·J with J the 3×nv Jacobian of the contact point and
 *   K = diag(g, g, d_n + h·k_n) from `conImplicit`, when `model.contact.implicit`. The friction
 *   enters with its current viscous coefficient g = μ·f_n/√(|v_t|² + ε_v²) in both tangential
 *   directions (not the exact Jacobian of the Coulomb law, whose component along v_t vanishes
 *   when sliding): then a step can slow a sliding point down but never reverse it, whatever
 *   the effective mass, which is what keeps light bodies (the ant) stable.
 *
 * The contact sum is formed like the CRBA rather than contact by contact: the point velocity is
 * X·[ω; v_O] with X = [−[r]×, 𝟙] (r = p − O), so each contact adds the 6×6 spatial matrix
 * H = Xᵀ·K·X to its body; summed over subtrees (`crbContact`, {@link CONTACT_IMPEDANCE_SIZE}
 * numbers per body: H = [[T, Lᵀ], [L, K]] with T = [r]ᵀK[r] and L = −K·[r]), the entry (i, j)
 * is h·cdof_jᵀ·H_{body(i)}·cdof_i for j on the path from dof i to the root, with
 * `dofForceContact` = H·cdof_i. Each K is positive semi-definite, so the matrix stays
 * positive definite; both triangles are updated. Called by `dampedSolve` before the factorisation.
 */
export function addImplicitTerms(model: PhysicsModel, B: number, h: number, io: DampedSolveBuffers): void {
  const { nbody, nv, ncon, njnt, bodyParent, bodyRoot, dofBody, dofParent, conBody, jntLimited, jntType, jntDofAdr, contact, limit } = model;
  const { qMDamp, xpos, cdof, conPoint, conImplicit, limImplicit, crbContact, dofForceContact } = io;
  checkBuffer(qMDamp, nv * nv * B, 'qMDamp');
  if (limit.enabled && limit.implicit) {
    checkBuffer(limImplicit, nv * 2 * B, 'limImplicit');
    for (let j = 0; j < njnt; j++) {
      if (jntLimited[j] !== 1 || jntType[j] === JointType.Free) continue;
      const dof = jntDofAdr[j] as number;
      const ii = (dof * nv + dof) * B;
      const L = 2 * dof * B;
      for (let w = 0; w < B; w++) {
        qMDamp[ii + w] = (qMDamp[ii + w] as number) + h * ((limImplicit[L + w] as number) + h * (limImplicit[L + B + w] as number));
      }
    }
  }
  if (!(contact.enabled && contact.implicit) || ncon === 0) return;
  const S = CONTACT_IMPEDANCE_SIZE;
  checkBuffer(xpos, nbody * 3 * B, 'xpos');
  checkBuffer(cdof, nv * 6 * B, 'cdof');
  checkBuffer(conPoint, ncon * 3 * B, 'conPoint');
  checkBuffer(conImplicit, ncon * 3 * B, 'conImplicit');
  checkBuffer(crbContact, nbody * S * B, 'crbContact');
  checkBuffer(dofForceContact, nv * 6 * B, 'dofForceContact');
  crbContact.fill(0, 0, nbody * S * B);
  for (let c = 0; c < ncon; c++) {
    const b = conBody[c] as number;
    const H = S * b * B;
    const O = 3 * (bodyRoot[b] as number) * B;
    const C3 = 3 * c * B;
    for (let w = 0; w < B; w++) {
      const rx = (conPoint[C3 + w] as number) - (xpos[O + w] as number);
      const ry = (conPoint[C3 + B + w] as number) - (xpos[O + B + w] as number);
      const rz = (conPoint[C3 + 2 * B + w] as number) - (xpos[O + 2 * B + w] as number);
      const kt = h * (conImplicit[C3 + w] as number);
      const kn = h * ((conImplicit[C3 + B + w] as number) + h * (conImplicit[C3 + 2 * B + w] as number));
      if (kt === 0 && kn === 0) continue; // a contact in the far field adds nothing (skipping it is exact)
      // T = [r]ᵀ·K·[r]
      crbContact[H + w] = (crbContact[H + w] as number) + kt * rz * rz + kn * ry * ry;
      crbContact[H + B + w] = (crbContact[H + B + w] as number) + kt * rz * rz + kn * rx * rx;
      crbContact[H + 2 * B + w] = (crbContact[H + 2 * B + w] as number) + kt * (rx * rx + ry * ry);
      crbContact[H + 3 * B + w] = (crbContact[H + 3 * B + w] as number) - kn * rx * ry;
      crbContact[H + 4 * B + w] = (crbContact[H + 4 * B + w] as number) - kt * rx * rz;
      crbContact[H + 5 * B + w] = (crbContact[H + 5 * B + w] as number) - kt * ry * rz;
      // L = −K·[r] (rows: force, columns: angular velocity); its diagonal is 0.
      crbContact[H + 6 * B + w] = (crbContact[H + 6 * B + w] as number) + kt * rz; // L_xy
      crbContact[H + 7 * B + w] = (crbContact[H + 7 * B + w] as number) - kt * ry; // L_xz
      crbContact[H + 8 * B + w] = (crbContact[H + 8 * B + w] as number) - kt * rz; // L_yx
      crbContact[H + 9 * B + w] = (crbContact[H + 9 * B + w] as number) + kt * rx; // L_yz
      crbContact[H + 10 * B + w] = (crbContact[H + 10 * B + w] as number) + kn * ry; // L_zx
      crbContact[H + 11 * B + w] = (crbContact[H + 11 * B + w] as number) - kn * rx; // L_zy
      crbContact[H + 12 * B + w] = (crbContact[H + 12 * B + w] as number) + kt;
      crbContact[H + 13 * B + w] = (crbContact[H + 13 * B + w] as number) + kn;
    }
  }
  // Subtree sums, leaves to root, within each tree.
  for (let b = nbody - 1; b > 1; b--) {
    const p = bodyParent[b] as number;
    if (p === 0) continue;
    const src = S * b * B;
    const dst = S * p * B;
    for (let t = 0; t < S * B; t++) crbContact[dst + t] = (crbContact[dst + t] as number) + (crbContact[src + t] as number);
  }
  for (let i = 0; i < nv; i++) {
    const H = S * (dofBody[i] as number) * B;
    const D = 6 * i * B;
    for (let w = 0; w < B; w++) {
      const txx = crbContact[H + w] as number, tyy = crbContact[H + B + w] as number, tzz = crbContact[H + 2 * B + w] as number;
      const txy = crbContact[H + 3 * B + w] as number, txz = crbContact[H + 4 * B + w] as number, tyz = crbContact[H + 5 * B + w] as number;
      const lxy = crbContact[H + 6 * B + w] as number, lxz = crbContact[H + 7 * B + w] as number, lyx = crbContact[H + 8 * B + w] as number;
      const lyz = crbContact[H + 9 * B + w] as number, lzx = crbContact[H + 10 * B + w] as number, lzy = crbContact[H + 11 * B + w] as number;
      const kt = crbContact[H + 12 * B + w] as number, kn = crbContact[H + 13 * B + w] as number;
      const ax = cdof[D + w] as number, ay = cdof[D + B + w] as number, az = cdof[D + 2 * B + w] as number;
      const bx = cdof[D + 3 * B + w] as number, by = cdof[D + 4 * B + w] as number, bz = cdof[D + 5 * B + w] as number;
      // [T a + Lᵀ b; L a + K b]
      dofForceContact[D + w] = txx * ax + txy * ay + txz * az + lyx * by + lzx * bz;
      dofForceContact[D + B + w] = txy * ax + tyy * ay + tyz * az + lxy * bx + lzy * bz;
      dofForceContact[D + 2 * B + w] = txz * ax + tyz * ay + tzz * az + lxz * bx + lyz * by;
      dofForceContact[D + 3 * B + w] = lxy * ay + lxz * az + kt * bx;
      dofForceContact[D + 4 * B + w] = lyx * ax + lyz * az + kt * by;
      dofForceContact[D + 5 * B + w] = lzx * ax + lzy * ay + kn * bz;
    }
    for (let j = i; j >= 0; j = dofParent[j] as number) {
      const T = 6 * j * B;
      const ij = (i * nv + j) * B;
      const ji = (j * nv + i) * B;
      for (let w = 0; w < B; w++) {
        const v =
          (cdof[T + w] as number) * (dofForceContact[D + w] as number) +
          (cdof[T + B + w] as number) * (dofForceContact[D + B + w] as number) +
          (cdof[T + 2 * B + w] as number) * (dofForceContact[D + 2 * B + w] as number) +
          (cdof[T + 3 * B + w] as number) * (dofForceContact[D + 3 * B + w] as number) +
          (cdof[T + 4 * B + w] as number) * (dofForceContact[D + 4 * B + w] as number) +
          (cdof[T + 5 * B + w] as number) * (dofForceContact[D + 5 * B + w] as number);
        qMDamp[ij + w] = (qMDamp[ij + w] as number) + v;
        if (j !== i) qMDamp[ji + w] = (qMDamp[ji + w] as number) + v;
      }
    }
  }
}
