/**
 * Batched simulation data: B worlds that share one {@link PhysicsModel}.
 *
 * Layout: structure of arrays, **world index innermost**. A quantity with C components per
 * element and E elements is one `Float64Array` of length E·C·B, and component c of element e in
 * world w sits at `(e·C + c)·B + w`. For example `xpos[(3·b + k)·B + w]` is coordinate k of body
 * b in world w, and `qM[(i·nv + j)·B + w]` is entry (i, j) of world w's mass matrix. Every stage
 * loops over elements outside and worlds inside, so its innermost loop reads and writes
 * consecutive doubles with the same model-level constants (no branches on the world index).
 *
 * All buffers are allocated once here; the stage functions never allocate.
 *
 * Spatial quantities (`cinert`, `cdof`, `cvel`, `cacc`, `cfrc`, ...) use Featherstone's
 * spatial algebra in world-aligned coordinates with the reference point O_b at the world
 * position of the body's top-level ancestor (`model.bodyRoot`), i.e. one point per kinematic
 * tree, which keeps lever arms short for a robot far from the world origin. Motion vectors are
 * [ω; v_O] (angular velocity; velocity of the body-fixed point passing through O), force
 * vectors [n_O; f] (moment about O; force). Masses, bias forces and accelerations do not depend
 * on the choice of O, so a backward pass may treat O as a constant.
 * @module
 */

import type { PhysicsModel } from './model.js';

/** Number of doubles per body in `cinert`/`crb`: [Ixx, Iyy, Izz, Ixy, Ixz, Iyz, m·cx, m·cy, m·cz, m]. */
export const CINERT_SIZE = 10;

/** Inputs and outputs of {@link kinematics}. */
export interface KinematicsBuffers {
  /** [nq·B] joint positions (input). */
  readonly qpos: Float64Array;
  /** [nbody·3·B] body origin in world coordinates (output). */
  readonly xpos: Float64Array;
  /** [nbody·4·B] body orientation, unit quaternion (w, x, y, z) (output). */
  readonly xquat: Float64Array;
  /** [nbody·9·B] body rotation matrix, row-major, body→world (output). */
  readonly xmat: Float64Array;
  /** [njnt·3·B] joint anchor in world coordinates (output; the body origin for free joints). */
  readonly xanchor: Float64Array;
  /** [njnt·3·B] joint axis in world coordinates (output; (0, 0, 1) for free joints). */
  readonly xaxis: Float64Array;
}

/** Inputs and outputs of {@link comKinematics}. */
export interface ComKinematicsBuffers {
  readonly xpos: Float64Array;
  readonly xmat: Float64Array;
  readonly xanchor: Float64Array;
  readonly xaxis: Float64Array;
  /** [nbody·10·B] spatial inertia about the tree's reference point (output), see {@link CINERT_SIZE}. */
  readonly cinert: Float64Array;
  /** [nv·6·B] motion subspace of each dof, [ω; v_O] (output). */
  readonly cdof: Float64Array;
}

/** Inputs and outputs of {@link crba}. */
export interface CrbaBuffers {
  readonly cinert: Float64Array;
  readonly cdof: Float64Array;
  /** [nbody·10·B] composite (subtree) inertia (output). */
  readonly crb: Float64Array;
  /** [nv·6·B] crb·cdof: the spatial force that accelerates dof i's subtree along dof i (output). */
  readonly dofForce: Float64Array;
  /** [nv·nv·B] joint-space mass matrix including armature, both triangles (output). */
  readonly qM: Float64Array;
}

/** Inputs and outputs of {@link rneBias}. */
export interface BiasBuffers {
  readonly qvel: Float64Array;
  readonly cinert: Float64Array;
  readonly cdof: Float64Array;
  /** [nbody·6·B] spatial velocity (output). */
  readonly cvel: Float64Array;
  /** [nv·6·B] time derivative of cdof (output). */
  readonly cdofDot: Float64Array;
  /** [nbody·6·B] spatial acceleration at q̈ = 0, with gravity as a base acceleration (output). */
  readonly cacc: Float64Array;
  /** [nbody·6·B] net spatial force on each subtree (output). */
  readonly cfrc: Float64Array;
  /** [nv·B] Coriolis, centrifugal and gravity forces c(q, q̇), MuJoCo's qfrc_bias (output). */
  readonly qfrcBias: Float64Array;
}

/** Inputs and outputs of {@link passiveForces}. */
export interface PassiveBuffers {
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
  /** [nv·B] joint springs and dampers (output). */
  readonly qfrcPassive: Float64Array;
}

/** Inputs and outputs of {@link actuatorForces}. */
export interface ActuatorBuffers {
  /** [nu·B] controls (input). */
  readonly ctrl: Float64Array;
  /** [nv·B] generalised actuator forces (output). */
  readonly qfrcActuator: Float64Array;
}

/** Inputs and outputs of {@link choleskyFactor}. */
export interface FactorBuffers {
  readonly qM: Float64Array;
  /** [nv·nv·B] lower-triangular L with M = L·Lᵀ; the strict upper triangle is written as 0 (output). */
  readonly qL: Float64Array;
  /** [nv·B] 1 / L_ii (output). */
  readonly qLDiagInv: Float64Array;
}

/** Inputs and outputs of {@link choleskySolve} for the forward dynamics. */
export interface SolveBuffers {
  readonly qL: Float64Array;
  readonly qLDiagInv: Float64Array;
  readonly qfrcActuator: Float64Array;
  readonly qfrcPassive: Float64Array;
  readonly qfrcBias: Float64Array;
  /** [nv·B] τ = actuator + passive − bias (output). */
  readonly qfrcSmooth: Float64Array;
  /** [nv·B] q̈ = M⁻¹τ (output). */
  readonly qacc: Float64Array;
}

/** Inputs and outputs of {@link geomPoses}. */
export interface GeomPoseBuffers {
  readonly xpos: Float64Array;
  readonly xmat: Float64Array;
  /** [ngeom·3·B] geom centre in world coordinates (output). */
  readonly geomXpos: Float64Array;
  /** [ngeom·9·B] geom rotation matrix, row-major, geom→world (output). */
  readonly geomXmat: Float64Array;
}

/** Inputs and outputs of {@link contactForces}. */
export interface ContactBuffers {
  readonly xpos: Float64Array;
  readonly xmat: Float64Array;
  /** Body spatial velocities from {@link rneBias} (input). */
  readonly cvel: Float64Array;
  readonly cdof: Float64Array;
  /** [ncon·3·B] contact point: the lowest point of each contact sphere, world coordinates (output). */
  readonly conPoint: Float64Array;
  /** [ncon·B] signed distance φ of the contact sphere to the ground (m, < 0 in penetration) (output). */
  readonly conDist: Float64Array;
  /** [ncon·3·B] world velocity of the body point at `conPoint` (output). */
  readonly conVel: Float64Array;
  /** [ncon·3·B] force of the ground on the body at `conPoint`: friction x, y and normal z (output). */
  readonly conForce: Float64Array;
  /** [nbody·6·B] contact wrench [moment about the tree's reference point; force] summed over each body's subtree (output). */
  readonly cfrcExt: Float64Array;
  /** [nv·B] generalised contact forces Jᵀf (output). */
  readonly qfrcContact: Float64Array;
  /**
   * [ncon·3·B] coefficients of the linearly implicit contact (output): the friction's viscous
   * coefficient g = μ·f_n/√(|v_t|² + ε_v²) (so f_t = −g·v_t), then the normal damping
   * d·σ(−φ/s)·ℓ and stiffness k·σ(−φ/s)·ℓ, with ℓ the logistic gate of the outer softplus.
   */
  readonly conImplicit: Float64Array;
}

/** Inputs and outputs of {@link limitForces}. */
export interface LimitBuffers {
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
  /** [nv·B] generalised joint-limit forces (output). */
  readonly qfrcLimit: Float64Array;
  /** [nv·2·B] the limits' gated damping and stiffness per dof, both ends summed (output; 0 without limit). */
  readonly limImplicit: Float64Array;
}

/** Inputs and outputs of {@link dampedSolve}. */
export interface DampedSolveBuffers {
  readonly qM: Float64Array;
  readonly qfrcActuator: Float64Array;
  readonly qfrcPassive: Float64Array;
  readonly qfrcBias: Float64Array;
  readonly qfrcContact: Float64Array;
  readonly qfrcLimit: Float64Array;
  /** [nv·B] τ = actuator + passive − bias + contact + limit (output). */
  readonly qfrcTotal: Float64Array;
  /** [nv·nv·B] M + h·diag(damping) + the implicit contact and limit terms, both triangles (output; `qM` itself is never modified). */
  readonly qMDamp: Float64Array;
  /** [nv·nv·B], [nv·B] Cholesky factor of `qMDamp` and its inverse diagonal (output). */
  readonly qLDamp: Float64Array;
  readonly qLDampDiagInv: Float64Array;
  /** [nv·B] qMDamp⁻¹·τ: the acceleration the integrator applies (output). */
  readonly qaccStep: Float64Array;
  /** `{ qM: qMDamp, qL: qLDamp, qLDiagInv: qLDampDiagInv }`, the same buffers as a {@link FactorBuffers} view. */
  readonly dampedFactor: FactorBuffers;
  /** Inputs of the implicit contact and limit terms (read only when they are enabled). */
  readonly xpos: Float64Array;
  readonly cdof: Float64Array;
  readonly conPoint: Float64Array;
  readonly conImplicit: Float64Array;
  readonly limImplicit: Float64Array;
  /** [nbody·14·B] h·Σ Xᵀ·K·X of the contacts in each body's subtree (output, see `addImplicitTerms`). */
  readonly crbContact: Float64Array;
  /** [nv·6·B] crbContact·cdof per dof (output). */
  readonly dofForceContact: Float64Array;
}

/** Inputs and outputs of {@link integrate}. */
export interface IntegrateBuffers {
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
  readonly qaccStep: Float64Array;
  /** [nv·B] q̇ + h·q̈ (output). */
  readonly qvelNext: Float64Array;
  /** [nq·B] q ⊕ h·q̇⁺ (output). */
  readonly qposNext: Float64Array;
}

/**
 * All buffers of the forward dynamics for `batch` worlds, allocated once. Satisfies every
 * stage's buffer interface, so `kinematics(model, data)` etc. work directly.
 */
export class PhysicsData
  implements
    KinematicsBuffers,
    ComKinematicsBuffers,
    CrbaBuffers,
    BiasBuffers,
    PassiveBuffers,
    ActuatorBuffers,
    FactorBuffers,
    SolveBuffers,
    GeomPoseBuffers,
    ContactBuffers,
    LimitBuffers,
    DampedSolveBuffers,
    IntegrateBuffers
{
  /** Number of worlds B. */
  readonly batch: number;
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
  readonly ctrl: Float64Array;
  readonly xpos: Float64Array;
  readonly xquat: Float64Array;
  readonly xmat: Float64Array;
  readonly xanchor: Float64Array;
  readonly xaxis: Float64Array;
  readonly cinert: Float64Array;
  readonly cdof: Float64Array;
  readonly crb: Float64Array;
  readonly dofForce: Float64Array;
  readonly qM: Float64Array;
  readonly cvel: Float64Array;
  readonly cdofDot: Float64Array;
  readonly cacc: Float64Array;
  readonly cfrc: Float64Array;
  readonly qfrcBias: Float64Array;
  readonly qfrcPassive: Float64Array;
  readonly qfrcActuator: Float64Array;
  readonly qfrcSmooth: Float64Array;
  readonly qL: Float64Array;
  readonly qLDiagInv: Float64Array;
  readonly qacc: Float64Array;
  readonly geomXpos: Float64Array;
  readonly geomXmat: Float64Array;
  readonly conPoint: Float64Array;
  readonly conDist: Float64Array;
  readonly conVel: Float64Array;
  readonly conForce: Float64Array;
  readonly cfrcExt: Float64Array;
  readonly qfrcContact: Float64Array;
  readonly conImplicit: Float64Array;
  readonly qfrcLimit: Float64Array;
  readonly limImplicit: Float64Array;
  readonly crbContact: Float64Array;
  readonly dofForceContact: Float64Array;
  readonly qfrcTotal: Float64Array;
  readonly qMDamp: Float64Array;
  readonly qLDamp: Float64Array;
  readonly qLDampDiagInv: Float64Array;
  readonly qaccStep: Float64Array;
  readonly qvelNext: Float64Array;
  readonly qposNext: Float64Array;
  /** The factor buffers of `qMDamp` as a {@link FactorBuffers} view (so the solve allocates nothing). */
  readonly dampedFactor: FactorBuffers;

  /**
   * @param model the shared model.
   * @param batch number of worlds B ≥ 1. Every world starts at the model's reference pose
   *   `qpos0` with zero velocity and control.
   */
  constructor(
    readonly model: PhysicsModel,
    batch: number,
  ) {
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`PhysicsData: batch must be a positive integer, got ${batch}`);
    this.batch = batch;
    const B = batch;
    const { nbody, njnt, nq, nv, nu } = model;
    this.qpos = new Float64Array(nq * B);
    this.qvel = new Float64Array(nv * B);
    this.ctrl = new Float64Array(nu * B);
    this.xpos = new Float64Array(nbody * 3 * B);
    this.xquat = new Float64Array(nbody * 4 * B);
    this.xmat = new Float64Array(nbody * 9 * B);
    this.xanchor = new Float64Array(njnt * 3 * B);
    this.xaxis = new Float64Array(njnt * 3 * B);
    this.cinert = new Float64Array(nbody * CINERT_SIZE * B);
    this.cdof = new Float64Array(nv * 6 * B);
    this.crb = new Float64Array(nbody * CINERT_SIZE * B);
    this.dofForce = new Float64Array(nv * 6 * B);
    this.qM = new Float64Array(nv * nv * B);
    this.cvel = new Float64Array(nbody * 6 * B);
    this.cdofDot = new Float64Array(nv * 6 * B);
    this.cacc = new Float64Array(nbody * 6 * B);
    this.cfrc = new Float64Array(nbody * 6 * B);
    this.qfrcBias = new Float64Array(nv * B);
    this.qfrcPassive = new Float64Array(nv * B);
    this.qfrcActuator = new Float64Array(nv * B);
    this.qfrcSmooth = new Float64Array(nv * B);
    this.qL = new Float64Array(nv * nv * B);
    this.qLDiagInv = new Float64Array(nv * B);
    this.qacc = new Float64Array(nv * B);
    const { ngeom, ncon } = model;
    this.geomXpos = new Float64Array(ngeom * 3 * B);
    this.geomXmat = new Float64Array(ngeom * 9 * B);
    this.conPoint = new Float64Array(ncon * 3 * B);
    this.conDist = new Float64Array(ncon * B);
    this.conVel = new Float64Array(ncon * 3 * B);
    this.conForce = new Float64Array(ncon * 3 * B);
    this.cfrcExt = new Float64Array(nbody * 6 * B);
    this.qfrcContact = new Float64Array(nv * B);
    this.conImplicit = new Float64Array(ncon * 3 * B);
    this.qfrcLimit = new Float64Array(nv * B);
    this.limImplicit = new Float64Array(nv * 2 * B);
    this.crbContact = new Float64Array(nbody * 14 * B);
    this.dofForceContact = new Float64Array(nv * 6 * B);
    this.qfrcTotal = new Float64Array(nv * B);
    this.qMDamp = new Float64Array(nv * nv * B);
    this.qLDamp = new Float64Array(nv * nv * B);
    this.qLDampDiagInv = new Float64Array(nv * B);
    this.qaccStep = new Float64Array(nv * B);
    this.qvelNext = new Float64Array(nv * B);
    this.qposNext = new Float64Array(nq * B);
    this.dampedFactor = { qM: this.qMDamp, qL: this.qLDamp, qLDiagInv: this.qLDampDiagInv };
    for (let i = 0; i < nq; i++) this.qpos.fill(model.qpos0[i] as number, i * B, (i + 1) * B);
  }

  /** Copies world w's qpos (length nq) from `src[srcOffset…]`. */
  setQpos(w: number, src: ArrayLike<number>, srcOffset = 0): void {
    scatter(this.qpos, this.model.nq, this.batch, w, src, srcOffset);
  }

  /** Copies world w's qvel (length nv) from `src[srcOffset…]`. */
  setQvel(w: number, src: ArrayLike<number>, srcOffset = 0): void {
    scatter(this.qvel, this.model.nv, this.batch, w, src, srcOffset);
  }

  /** Copies world w's ctrl (length nu) from `src[srcOffset…]`. */
  setCtrl(w: number, src: ArrayLike<number>, srcOffset = 0): void {
    scatter(this.ctrl, this.model.nu, this.batch, w, src, srcOffset);
  }

  /** Gathers world w's slice of a batched buffer with `components` entries per world into `out`. */
  gather(buffer: Float64Array, components: number, w: number, out: Float64Array = new Float64Array(components)): Float64Array {
    const B = this.batch;
    if (!(w >= 0 && w < B)) throw new RangeError(`world index ${w} out of range [0, ${B})`);
    for (let c = 0; c < components; c++) out[c] = buffer[c * B + w] as number;
    return out;
  }
}

function scatter(dst: Float64Array, n: number, B: number, w: number, src: ArrayLike<number>, off: number): void {
  if (!(w >= 0 && w < B)) throw new RangeError(`world index ${w} out of range [0, ${B})`);
  if (src.length < off + n) throw new RangeError(`expected ${n} values from offset ${off}, source has ${src.length}`);
  for (let c = 0; c < n; c++) dst[c * B + w] = src[off + c] as number;
}
