/**
 * The physics model: a kinematic tree of rigid bodies with joints, collision geoms and motors,
 * shared read-only by every world of a batch.
 *
 * Plain data in typed arrays, one entry (or a fixed-size record) per element, indexed like
 * MuJoCo's mjModel so that models loaded from MJCF line up with MuJoCo's qpos/qvel/body order:
 *
 * - Bodies are in topological order (a parent before its children; body 0 is the world), the
 *   depth-first order of the XML.
 * - Joints are ordered by body, then in the order they are declared inside the body; qpos and
 *   qvel addresses follow the joints. A hinge or slide joint has 1 qpos and 1 dof; a free joint
 *   has 7 qpos (position, then a unit quaternion w, x, y, z) and 6 dofs (linear velocity of the
 *   body origin in world coordinates, then angular velocity in body coordinates).
 * - Per-element vectors are stored contiguously: `bodyPos[3·b + k]`, `bodyQuat[4·b + k]`, ...
 *
 * Units: SI throughout (m, kg, s, rad, N, N·m). Angles in the model are radians whatever the
 * MJCF `<compiler angle>` said. Quaternions are (w, x, y, z).
 *
 * Positions and orientations of a body (`bodyPos`, `bodyQuat`) are relative to its parent's
 * frame; joint anchors and axes (`jntPos`, `jntAxis`) and inertial frames (`bodyIpos`,
 * `bodyIquat`) are relative to the body's own frame; geoms (`geomPos`, `geomQuat`) likewise.
 * @module
 */

import { RxrlError } from '../core/errors.js';
import { normalize3, quatNormalize, quatRotate, type Quat, type Vec3 } from './math3.js';

/** Joint type codes (MuJoCo's mjtJoint numbering, so tables can be compared directly). */
export const JointType = {
  /** Six dofs: 3 translations in the world frame, 3 rotations about the body's own axes. */
  Free: 0,
  /** Translation along `axis`. */
  Slide: 2,
  /** Rotation about `axis` through the anchor `pos`. */
  Hinge: 3,
} as const;
/** One of the {@link JointType} codes. */
export type JointTypeCode = (typeof JointType)[keyof typeof JointType];

/** Geom type codes (MuJoCo's mjtGeom numbering). */
export const GeomType = {
  /** Infinite plane z = 0 of the geom frame; `size` is only used for drawing. Massless. */
  Plane: 0,
  /** Sphere of radius `size[0]`. */
  Sphere: 2,
  /** Capsule along the geom's z axis: radius `size[0]`, half-length of the segment `size[1]`. */
  Capsule: 3,
  /** Ellipsoid with semi-axes `size[0..3]`. */
  Ellipsoid: 4,
  /** Cylinder along z: radius `size[0]`, half-height `size[1]`. */
  Cylinder: 5,
  /** Box with half-sizes `size[0..3]`. */
  Box: 6,
} as const;
/** One of the {@link GeomType} codes. */
export type GeomTypeCode = (typeof GeomType)[keyof typeof GeomType];

/** Integrators named by MJCF's `<option integrator>` (stored for reference: `step()` always uses semi-implicit Euler with implicit joint damping). */
export type IntegratorName = 'Euler' | 'RK4' | 'implicit' | 'implicitfast';

/**
 * Smooth ground contact (see `contact.ts`): every contact sphere of the model against the ground
 * plane gets a normal force
 *
 *   F = k·s·softplus(−φ/s) − d·σ(−φ/s)·φ̇,   f_n = softplus₊(F) = ε·P·softplus(F/(ε·P)),
 *
 * with φ the signed distance (m), φ̇ its rate, P = k·s·softplus(−φ/s) the spring part and σ the
 * logistic function, and a regularised Coulomb friction f_t = −μ·f_n·v_t/√(|v_t|² + ε_v²).
 * The outer softplus is scaled by the spring force itself, so the ground never pulls, a body far
 * from it feels no force at all, and the damper can at most cancel the spring.
 *
 * Defaults (chosen on the four Gymnasium models at h = 2 ms, see the locomotion docs):
 * - s = 1 mm and ε_v = 0.02 m/s as PHYSICS.md §7.3 recommends; ε = 0.1.
 * - k = 10⁵ N/m. Standing, the 15.8 kg hopper loads its heel sphere with ≈ 100 N, which then
 *   sinks s·ln(e^{f/(k·s)} − 1) ≈ 0.5 mm (k = 2·10⁴ would give 4.9 mm). §7.3's bound
 *   √(k/m_eff)·h ≤ 0.3 is for an explicit spring; contact is linearly implicit here
 *   (`implicit`), which is stable for any k, so k is chosen for penetration, not stability.
 *   The price of a stiff smoothed spring is hover for light bodies: the 0.9 kg ant rests with
 *   its feet ≈ 4 mm above the plane, where P = k·s·e^{−φ/s} carries its weight.
 * - d = 1000 N·s/m: under random actions it halves the worst impact penetration of
 *   d = 200 (hopper p99 17 → 10 mm), overdamping the landing without sticking.
 */
export interface ContactParams {
  /** Whether ground contact is simulated at all (a model-level switch, not per world). */
  readonly enabled: boolean;
  /** Normal stiffness k (N/m), > 0 (switch contact off with `enabled`). */
  readonly stiffness: number;
  /** Normal damping d (N·s/m), gated by σ(−φ/s) so it only acts near and in contact. */
  readonly damping: number;
  /** Smoothing length s of the normal force (m). */
  readonly smoothing: number;
  /** Velocity scale ε_v of the regularised friction (m/s): below it friction is viscous. */
  readonly frictionSmoothing: number;
  /** Width ε of the outer softplus as a fraction of the spring force (dimensionless, > 0). */
  readonly gateSmoothing: number;
  /**
   * Linearly implicit contact (PHYSICS.md §7.2 "v2"): the integrator factors
   * M + h·D + h·Σ Jᵀ·K·J, with K the contact's damping plus h times its stiffness (see
   * `dampedSolve`). Needed for light bodies: with explicit contact the ant (0.9 kg, a torso of
   * 0.008 kg·m²) blew up under random actions at h = 2 ms for k = 2·10⁴ and 10⁵ N/m (only a soft
   * 2·10³ N/m was stable). Default true.
   */
  readonly implicit: boolean;
  /**
   * Friction coefficient μ of every contact. When absent, each contact uses MuJoCo's rule:
   * the larger of the sliding frictions of its geom and of the ground plane.
   */
  readonly friction?: number | undefined;
}

/** Default {@link ContactParams}; the reasoning is in its documentation. */
export const DEFAULT_CONTACT_PARAMS: ContactParams = Object.freeze({
  enabled: true,
  stiffness: 1e5,
  damping: 1000,
  smoothing: 1e-3,
  frictionSmoothing: 0.02,
  gateSmoothing: 0.1,
  implicit: true,
});

/**
 * Smooth joint limits (see `contact.ts`): a limited hinge or slide is pushed back into its
 * `range` by the same one-sided spring–damper as ground contact, with φ the distance to the
 * nearer end of the range (rad or m) and the force acting on the joint's dof.
 *
 * Defaults: k = 2·10⁴ N·m/rad, s = 0.01 rad, d = 100 N·m·s/rad: a 200 N·m motor (the
 * hopper's gear) holds a joint ≈ 0.01 rad past its limit, and under random actions the worst
 * violation on the four locomotion models stays ≲ 0.12 rad (99th percentile 0.005–0.1 rad).
 */
export interface LimitParams {
  /** Whether joint limits are simulated (model-level switch). */
  readonly enabled: boolean;
  /** Stiffness (N·m/rad for hinges, N/m for slides). */
  readonly stiffness: number;
  /** Damping (N·m·s/rad or N·s/m), gated like the contact damper. */
  readonly damping: number;
  /** Smoothing length (rad or m). */
  readonly smoothing: number;
  /** Width of the outer softplus as a fraction of the spring torque. */
  readonly gateSmoothing: number;
  /** Linearly implicit limits: h·(damping + h·stiffness)·gate is added to M's diagonal before the solve. Default true. */
  readonly implicit: boolean;
}

/** Default {@link LimitParams}. */
export const DEFAULT_LIMIT_PARAMS: LimitParams = Object.freeze({
  enabled: true,
  stiffness: 2e4,
  damping: 100,
  smoothing: 0.01,
  gateSmoothing: 0.1,
  implicit: true,
});

/** A model that cannot be built (bad tree, unsupported joint placement, zero mass, ...). */
export class PhysicsModelError extends RxrlError {}

/** A joint of a {@link BodySpec}. Angles in radians. */
export interface JointSpec {
  readonly name: string;
  readonly type: JointTypeCode;
  /** Anchor in the body frame (m). Ignored for free joints (they act at the body origin). */
  readonly pos: Readonly<Vec3>;
  /** Axis in the body frame (normalised by {@link buildModel}). Ignored for free joints. */
  readonly axis: Readonly<Vec3>;
  /** Limit range (rad or m); only meaningful when `limited`. */
  readonly range: readonly [number, number];
  readonly limited: boolean;
  /** Viscous damping per dof: τ = −damping·q̇ (N·m·s/rad or N·s/m). */
  readonly damping: number;
  /** Rotor inertia added to M's diagonal at each dof of the joint (kg·m² or kg). */
  readonly armature: number;
  /** Joint spring: τ = −stiffness·(q − springref). Hinge and slide only. */
  readonly stiffness: number;
  /** Spring rest position (rad or m). */
  readonly springref: number;
  /** Reference position `ref`: the qpos at which the joint is in the configuration of the XML (hinge/slide). */
  readonly ref: number;
}

/** A collision geom of a {@link BodySpec}. */
export interface GeomSpec {
  readonly name: string;
  readonly type: GeomTypeCode;
  /** Type-specific sizes (see {@link GeomType}); unused entries are 0. */
  readonly size: Readonly<Vec3>;
  /** Frame relative to the body. */
  readonly pos: Readonly<Vec3>;
  readonly quat: Readonly<Quat>;
  /** Sliding, torsional, rolling friction (MuJoCo's three coefficients). */
  readonly friction: Readonly<Vec3>;
  readonly contype: number;
  readonly conaffinity: number;
  readonly condim: number;
  /** Contact margin (m). */
  readonly margin: number;
}

/** One body of a {@link ModelSpec}. */
export interface BodySpec {
  readonly name: string;
  /** Index of the parent body (must be smaller than this body's index); −1 only for the world. */
  readonly parent: number;
  /** Frame relative to the parent. */
  readonly pos: Readonly<Vec3>;
  readonly quat: Readonly<Quat>;
  /** Mass (kg). */
  readonly mass: number;
  /** Centre of mass and principal axes of inertia, relative to the body frame. */
  readonly ipos: Readonly<Vec3>;
  readonly iquat: Readonly<Quat>;
  /** Principal moments of inertia about the centre of mass (kg·m²). */
  readonly inertia: Readonly<Vec3>;
  readonly joints: readonly JointSpec[];
  readonly geoms: readonly GeomSpec[];
  /** Named points with a frame (MJCF `<site>`): end effectors and markers for kinematics; no effect on dynamics. */
  readonly sites?: readonly SiteSpec[];
}

/** A site: a frame fixed in its body. */
export interface SiteSpec {
  readonly name: string;
  /** Frame relative to the body. */
  readonly pos: Readonly<Vec3>;
  readonly quat: Readonly<Quat>;
}

/** A motor: force = gear · clamp(ctrl, ctrlrange) on one hinge or slide joint. */
export interface ActuatorSpec {
  readonly name: string;
  /** Index of the driven joint in the model's joint order. */
  readonly joint: number;
  readonly gear: number;
  readonly ctrlrange: readonly [number, number];
  readonly ctrllimited: boolean;
  /** Force clamp applied after the gear when `forcelimited`. */
  readonly forcerange: readonly [number, number];
  readonly forcelimited: boolean;
}

/** A model as nested plain objects: what {@link buildModel} turns into a {@link PhysicsModel}. */
export interface ModelSpec {
  readonly name: string;
  /** Bodies in topological order; `bodies[0]` is the world (its joints must be empty). */
  readonly bodies: readonly BodySpec[];
  readonly actuators: readonly ActuatorSpec[];
  /** Simulation step (s). */
  readonly timestep: number;
  /** Gravity (m/s²), e.g. (0, 0, −9.81). */
  readonly gravity: Readonly<Vec3>;
  readonly integrator: IntegratorName;
  /** Ground-contact parameters; missing entries take {@link DEFAULT_CONTACT_PARAMS}. */
  readonly contact?: Partial<ContactParams>;
  /** Joint-limit parameters; missing entries take {@link DEFAULT_LIMIT_PARAMS}. */
  readonly limit?: Partial<LimitParams>;
  /** Body pairs that never touch (MJCF `<contact><exclude>`); pairs with body 0 switch off that body's ground contact. */
  readonly contactExcludes?: readonly (readonly [number, number])[];
}

/**
 * A compiled model. All arrays are read-only in spirit (the stages never write them) and laid
 * out per element, see the module documentation.
 */
export interface PhysicsModel {
  readonly name: string;
  /** Number of bodies including the world body 0. */
  readonly nbody: number;
  readonly njnt: number;
  /** Length of qpos (7 per free joint, 1 per hinge or slide). */
  readonly nq: number;
  /** Number of degrees of freedom = length of qvel (6 per free joint). */
  readonly nv: number;
  /** Number of actuators = length of ctrl. */
  readonly nu: number;
  readonly ngeom: number;
  readonly timestep: number;
  /** [3] gravity (m/s²). */
  readonly gravity: Float64Array;
  readonly integrator: IntegratorName;

  readonly bodyNames: readonly string[];
  /** [nbody] parent index (−1 for the world). */
  readonly bodyParent: Int32Array;
  /** [nbody] top-level ancestor (the child of the world this body hangs from; 0 for the world). */
  readonly bodyRoot: Int32Array;
  /** [nbody·3], [nbody·4] frame relative to the parent. */
  readonly bodyPos: Float64Array;
  readonly bodyQuat: Float64Array;
  /** [nbody] mass (kg). */
  readonly bodyMass: Float64Array;
  /** [nbody·3], [nbody·4] inertial frame (centre of mass, principal axes) in the body frame. */
  readonly bodyIpos: Float64Array;
  readonly bodyIquat: Float64Array;
  /** [nbody·3] principal moments of inertia (kg·m²). */
  readonly bodyInertia: Float64Array;
  /** [nbody] first joint and joint count; first dof and dof count. */
  readonly bodyJntAdr: Int32Array;
  readonly bodyJntNum: Int32Array;
  readonly bodyDofAdr: Int32Array;
  readonly bodyDofNum: Int32Array;

  readonly jntNames: readonly string[];
  /** [njnt] {@link JointType} code. */
  readonly jntType: Int32Array;
  readonly jntBody: Int32Array;
  readonly jntQposAdr: Int32Array;
  readonly jntDofAdr: Int32Array;
  /** [njnt·3] anchor and unit axis in the body frame. */
  readonly jntPos: Float64Array;
  readonly jntAxis: Float64Array;
  /** [njnt·2] limit range; [njnt] 1 where limited. */
  readonly jntRange: Float64Array;
  readonly jntLimited: Uint8Array;
  /** [njnt] spring stiffness and rest position (hinge and slide). */
  readonly jntStiffness: Float64Array;
  readonly jntSpringRef: Float64Array;

  /** [nv] body, joint and parent dof (the previous dof on the path to the root, −1 if none). */
  readonly dofBody: Int32Array;
  readonly dofJnt: Int32Array;
  readonly dofParent: Int32Array;
  /** [nv] viscous damping and armature. */
  readonly dofDamping: Float64Array;
  readonly dofArmature: Float64Array;

  /**
   * [nq] reference configuration: the XML pose. For hinge/slide joints `ref`; for free joints the
   * body's position and orientation. Joint displacements are measured from it (a hinge at
   * qpos = ref leaves the body as written in the XML).
   */
  readonly qpos0: Float64Array;

  readonly geomNames: readonly string[];
  /** [ngeom] {@link GeomType} code and owning body. */
  readonly geomType: Int32Array;
  readonly geomBody: Int32Array;
  /** [ngeom·3] sizes; [ngeom·3], [ngeom·4] frame in the body; [ngeom·3] friction. */
  readonly geomSize: Float64Array;
  readonly geomPos: Float64Array;
  readonly geomQuat: Float64Array;
  readonly geomFriction: Float64Array;
  /** [ngeom] contact bitmasks, contact dimensionality and margin (used by the contact phase). */
  readonly geomContype: Int32Array;
  readonly geomConaffinity: Int32Array;
  readonly geomCondim: Int32Array;
  readonly geomMargin: Float64Array;
  readonly nsite: number;
  /** Sites (see {@link SiteSpec}), in body order: name, body, frame relative to the body. */
  readonly siteNames: readonly string[];
  readonly siteBody: Int32Array;
  readonly sitePos: Float64Array;
  readonly siteQuat: Float64Array;

  readonly actuatorNames: readonly string[];
  /** [nu] driven joint, its first dof, and the scalar gear. */
  readonly actuatorJoint: Int32Array;
  readonly actuatorDof: Int32Array;
  readonly actuatorGear: Float64Array;
  /** [nu·2] control range; [nu] 1 where the control is clamped to it. */
  readonly actuatorCtrlRange: Float64Array;
  readonly actuatorCtrlLimited: Uint8Array;
  /** [nu·2] force range; [nu] 1 where the force is clamped to it. */
  readonly actuatorForceRange: Float64Array;
  readonly actuatorForceLimited: Uint8Array;

  /** Ground-contact parameters (see {@link ContactParams}); replace them with {@link withContactParams}. */
  readonly contact: ContactParams;
  /** Joint-limit parameters (see {@link LimitParams}). */
  readonly limit: LimitParams;
  /**
   * Contact spheres against the ground plane: one per sphere geom, two per capsule (its end
   * spheres, which hold the capsule's lowest point whatever its tilt), eight of radius 0 per
   * box (its corners). Only geoms whose contype/conaffinity match the plane's are listed; 0
   * when the model has no collision-active plane.
   */
  readonly ncon: number;
  /** [ncon] body and geom of each contact sphere. */
  readonly conBody: Int32Array;
  readonly conGeom: Int32Array;
  /** [ncon·3] centre of the contact sphere in its body's frame. */
  readonly conLocal: Float64Array;
  /** [ncon] radius of the contact sphere (m). */
  readonly conRadius: Float64Array;
  /** [ncon] friction coefficient μ of the contact (see {@link ContactParams.friction}). */
  readonly conFriction: Float64Array;
  /** Height of the ground plane z = floorHeight (m); 0 without a plane. */
  readonly floorHeight: number;
  /** Sliding friction of the ground plane (MuJoCo's max rule combines it with each geom's). */
  readonly floorFriction: number;
}

const isFiniteAll = (v: readonly number[]): boolean => v.every((x) => Number.isFinite(x));

/**
 * Compiles a {@link ModelSpec} into a {@link PhysicsModel}: checks the tree, normalises axes and
 * quaternions, and assigns qpos/dof addresses. Throws {@link PhysicsModelError} naming the
 * offending element.
 */
export function buildModel(spec: ModelSpec): PhysicsModel {
  const bodies = spec.bodies;
  const nbody = bodies.length;
  if (nbody < 1) throw new PhysicsModelError(`model "${spec.name}": needs at least the world body`);
  const world = bodies[0] as BodySpec;
  if (world.parent !== -1 || world.joints.length > 0) {
    throw new PhysicsModelError(`model "${spec.name}": body 0 must be the world (parent −1, no joints)`);
  }
  if (!(spec.timestep > 0)) throw new PhysicsModelError(`model "${spec.name}": timestep must be > 0, got ${spec.timestep}`);
  if (!isFiniteAll(spec.gravity)) throw new PhysicsModelError(`model "${spec.name}": gravity must be finite`);

  let njnt = 0;
  let nq = 0;
  let nv = 0;
  let ngeom = 0;
  for (const b of bodies) {
    njnt += b.joints.length;
    ngeom += b.geoms.length;
    for (const j of b.joints) {
      nq += j.type === JointType.Free ? 7 : 1;
      nv += j.type === JointType.Free ? 6 : 1;
    }
  }
  const nu = spec.actuators.length;

  const bodyParent = new Int32Array(nbody);
  const bodyRoot = new Int32Array(nbody);
  const bodyPos = new Float64Array(3 * nbody);
  const bodyQuat = new Float64Array(4 * nbody);
  const bodyMass = new Float64Array(nbody);
  const bodyIpos = new Float64Array(3 * nbody);
  const bodyIquat = new Float64Array(4 * nbody);
  const bodyInertia = new Float64Array(3 * nbody);
  const bodyJntAdr = new Int32Array(nbody);
  const bodyJntNum = new Int32Array(nbody);
  const bodyDofAdr = new Int32Array(nbody);
  const bodyDofNum = new Int32Array(nbody);
  const jntNames: string[] = [];
  const jntType = new Int32Array(njnt);
  const jntBody = new Int32Array(njnt);
  const jntQposAdr = new Int32Array(njnt);
  const jntDofAdr = new Int32Array(njnt);
  const jntPos = new Float64Array(3 * njnt);
  const jntAxis = new Float64Array(3 * njnt);
  const jntRange = new Float64Array(2 * njnt);
  const jntLimited = new Uint8Array(njnt);
  const jntStiffness = new Float64Array(njnt);
  const jntSpringRef = new Float64Array(njnt);
  const dofBody = new Int32Array(nv);
  const dofJnt = new Int32Array(nv);
  const dofParent = new Int32Array(nv);
  const dofDamping = new Float64Array(nv);
  const dofArmature = new Float64Array(nv);
  const qpos0 = new Float64Array(nq);
  const geomNames: string[] = [];
  const geomType = new Int32Array(ngeom);
  const geomBody = new Int32Array(ngeom);
  const geomSize = new Float64Array(3 * ngeom);
  const geomPos = new Float64Array(3 * ngeom);
  const geomQuat = new Float64Array(4 * ngeom);
  const geomFriction = new Float64Array(3 * ngeom);
  const geomContype = new Int32Array(ngeom);
  const geomConaffinity = new Int32Array(ngeom);
  const geomCondim = new Int32Array(ngeom);
  const geomMargin = new Float64Array(ngeom);
  const siteNames: string[] = [];
  const siteBodyList: number[] = [];
  const sitePosList: number[] = [];
  const siteQuatList: number[] = [];
  // Last dof of each body's chain (or of its nearest ancestor with dofs), to link dofParent.
  const lastDof = new Int32Array(nbody).fill(-1);

  let jnt = 0;
  let qadr = 0;
  let dadr = 0;
  let g = 0;
  bodies.forEach((b, i) => {
    const where = `body ${i} "${b.name}"`;
    if (i > 0 && !(b.parent >= 0 && b.parent < i)) {
      throw new PhysicsModelError(`${where}: parent ${b.parent} must be an earlier body (topological order)`);
    }
    bodyParent[i] = i === 0 ? -1 : b.parent;
    bodyRoot[i] = i === 0 ? 0 : b.parent === 0 ? i : (bodyRoot[b.parent] as number);
    if (!isFiniteAll([...b.pos, ...b.quat, b.mass, ...b.ipos, ...b.iquat, ...b.inertia])) {
      throw new PhysicsModelError(`${where}: non-finite frame or inertial data`);
    }
    if (b.mass < 0 || b.inertia.some((x) => x < 0)) throw new PhysicsModelError(`${where}: mass and inertia must be ≥ 0`);
    const [ia, ib, ic] = b.inertia;
    // Principal moments of a physical body obey the triangle inequality (MuJoCo checks this too).
    const tol = 1e-12 * (ia + ib + ic);
    if (ia + ib < ic - tol || ia + ic < ib - tol || ib + ic < ia - tol) {
      throw new PhysicsModelError(`${where}: inertia (${b.inertia.join(', ')}) violates the triangle inequality`);
    }
    bodyPos.set(b.pos, 3 * i);
    bodyQuat.set(quatNormalize(b.quat), 4 * i);
    bodyMass[i] = b.mass;
    bodyIpos.set(b.ipos, 3 * i);
    bodyIquat.set(quatNormalize(b.iquat), 4 * i);
    bodyInertia.set(b.inertia, 3 * i);
    bodyJntAdr[i] = jnt;
    bodyJntNum[i] = b.joints.length;
    bodyDofAdr[i] = dadr;
    let prevDof = i === 0 ? -1 : (lastDof[b.parent] as number);
    for (const j of b.joints) {
      const jw = `${where}, joint "${j.name}"`;
      if (j.type === JointType.Free) {
        if (b.parent !== 0 || b.joints.length !== 1) {
          throw new PhysicsModelError(`${jw}: a free joint must be the only joint of a child of the world body`);
        }
        if (j.stiffness !== 0) throw new PhysicsModelError(`${jw}: stiffness on a free joint is not supported`);
      } else if (j.type !== JointType.Hinge && j.type !== JointType.Slide) {
        throw new PhysicsModelError(`${jw}: unsupported joint type code ${String(j.type)}`);
      }
      if (!isFiniteAll([...j.pos, ...j.axis, ...j.range, j.damping, j.armature, j.stiffness, j.springref, j.ref])) {
        throw new PhysicsModelError(`${jw}: non-finite joint data`);
      }
      if (j.damping < 0 || j.armature < 0 || j.stiffness < 0) {
        throw new PhysicsModelError(`${jw}: damping, armature and stiffness must be ≥ 0`);
      }
      jntNames.push(j.name);
      jntType[jnt] = j.type;
      jntBody[jnt] = i;
      jntQposAdr[jnt] = qadr;
      jntDofAdr[jnt] = dadr;
      jntPos.set(j.pos, 3 * jnt);
      jntAxis.set(j.type === JointType.Free ? [0, 0, 1] : normalize3(j.axis), 3 * jnt);
      jntRange.set(j.range, 2 * jnt);
      jntLimited[jnt] = j.limited ? 1 : 0;
      jntStiffness[jnt] = j.stiffness;
      jntSpringRef[jnt] = j.springref;
      const ndof = j.type === JointType.Free ? 6 : 1;
      if (j.type === JointType.Free) {
        qpos0.set(b.pos, qadr);
        qpos0.set(quatNormalize(b.quat), qadr + 3);
        qadr += 7;
      } else {
        qpos0[qadr] = j.ref;
        qadr += 1;
      }
      for (let k = 0; k < ndof; k++) {
        dofBody[dadr] = i;
        dofJnt[dadr] = jnt;
        dofParent[dadr] = prevDof;
        dofDamping[dadr] = j.damping;
        dofArmature[dadr] = j.armature;
        prevDof = dadr;
        dadr++;
      }
      jnt++;
    }
    bodyDofNum[i] = dadr - (bodyDofAdr[i] as number);
    lastDof[i] = prevDof;
    for (const geom of b.geoms) {
      if (!isFiniteAll([...geom.size, ...geom.pos, ...geom.quat, ...geom.friction, geom.margin])) {
        throw new PhysicsModelError(`${where}, geom "${geom.name}": non-finite geom data`);
      }
      if (geom.type === GeomType.Plane && i !== 0) {
        throw new PhysicsModelError(`${where}, geom "${geom.name}": planes may only belong to the world body`);
      }
      geomNames.push(geom.name);
      geomType[g] = geom.type;
      geomBody[g] = i;
      geomSize.set(geom.size, 3 * g);
      geomPos.set(geom.pos, 3 * g);
      geomQuat.set(quatNormalize(geom.quat), 4 * g);
      geomFriction.set(geom.friction, 3 * g);
      geomContype[g] = geom.contype;
      geomConaffinity[g] = geom.conaffinity;
      geomCondim[g] = geom.condim;
      geomMargin[g] = geom.margin;
      g++;
    }
    for (const site of b.sites ?? []) {
      if (!isFiniteAll([...site.pos, ...site.quat])) throw new PhysicsModelError(`${where}, site "${site.name}": non-finite site frame`);
      siteNames.push(site.name);
      siteBodyList.push(i);
      sitePosList.push(...site.pos);
      siteQuatList.push(...quatNormalize(site.quat));
    }
  });
  // A body that moves must carry mass somewhere below it, or M is singular.
  const subtreeMass = Float64Array.from(bodyMass);
  for (let i = nbody - 1; i > 0; i--) {
    const p = bodyParent[i] as number;
    subtreeMass[p] = (subtreeMass[p] as number) + (subtreeMass[i] as number);
  }
  for (let i = 1; i < nbody; i++) {
    if ((bodyDofNum[i] as number) > 0 && !((subtreeMass[i] as number) > 0)) {
      throw new PhysicsModelError(`body ${i} "${(bodies[i] as BodySpec).name}" has joints but no mass in its subtree`);
    }
  }

  const contactParams = resolveContactParams(spec.contact);
  const limitParams = resolveLimitParams(spec.limit);
  const contactTable = buildContactTable(spec, geomType, geomBody, geomSize, geomPos, geomQuat, geomFriction, geomContype, geomConaffinity, geomNames, contactParams);

  const actuatorNames: string[] = [];
  const actuatorJoint = new Int32Array(nu);
  const actuatorDof = new Int32Array(nu);
  const actuatorGear = new Float64Array(nu);
  const actuatorCtrlRange = new Float64Array(2 * nu);
  const actuatorCtrlLimited = new Uint8Array(nu);
  const actuatorForceRange = new Float64Array(2 * nu);
  const actuatorForceLimited = new Uint8Array(nu);
  spec.actuators.forEach((a, u) => {
    const where = `actuator ${u} "${a.name}"`;
    if (!(a.joint >= 0 && a.joint < njnt)) throw new PhysicsModelError(`${where}: joint index ${a.joint} out of range [0, ${njnt})`);
    if (jntType[a.joint] === JointType.Free) throw new PhysicsModelError(`${where}: motors on free joints are not supported`);
    if (!isFiniteAll([a.gear, ...a.ctrlrange, ...a.forcerange])) throw new PhysicsModelError(`${where}: non-finite actuator data`);
    if (a.ctrllimited && !(a.ctrlrange[0] < a.ctrlrange[1])) {
      throw new PhysicsModelError(`${where}: ctrlrange (${a.ctrlrange.join(', ')}) must have low < high when ctrllimited`);
    }
    if (a.forcelimited && !(a.forcerange[0] < a.forcerange[1])) {
      throw new PhysicsModelError(`${where}: forcerange (${a.forcerange.join(', ')}) must have low < high when forcelimited`);
    }
    actuatorNames.push(a.name);
    actuatorJoint[u] = a.joint;
    actuatorDof[u] = jntDofAdr[a.joint] as number;
    actuatorGear[u] = a.gear;
    actuatorCtrlRange.set(a.ctrlrange, 2 * u);
    actuatorCtrlLimited[u] = a.ctrllimited ? 1 : 0;
    actuatorForceRange.set(a.forcerange, 2 * u);
    actuatorForceLimited[u] = a.forcelimited ? 1 : 0;
  });

  return {
    name: spec.name,
    nbody,
    njnt,
    nq,
    nv,
    nu,
    ngeom,
    timestep: spec.timestep,
    gravity: Float64Array.from(spec.gravity),
    integrator: spec.integrator,
    bodyNames: bodies.map((b) => b.name),
    bodyParent,
    bodyRoot,
    bodyPos,
    bodyQuat,
    bodyMass,
    bodyIpos,
    bodyIquat,
    bodyInertia,
    bodyJntAdr,
    bodyJntNum,
    bodyDofAdr,
    bodyDofNum,
    jntNames,
    jntType,
    jntBody,
    jntQposAdr,
    jntDofAdr,
    jntPos,
    jntAxis,
    jntRange,
    jntLimited,
    jntStiffness,
    jntSpringRef,
    dofBody,
    dofJnt,
    dofParent,
    dofDamping,
    dofArmature,
    qpos0,
    geomNames,
    geomType,
    geomBody,
    geomSize,
    geomPos,
    geomQuat,
    geomFriction,
    geomContype,
    geomConaffinity,
    geomCondim,
    geomMargin,
    nsite: siteNames.length,
    siteNames,
    siteBody: Int32Array.from(siteBodyList),
    sitePos: Float64Array.from(sitePosList),
    siteQuat: Float64Array.from(siteQuatList),
    actuatorNames,
    actuatorJoint,
    actuatorDof,
    actuatorGear,
    actuatorCtrlRange,
    actuatorCtrlLimited,
    actuatorForceRange,
    actuatorForceLimited,
    contact: contactParams,
    limit: limitParams,
    ...contactTable,
  };
}

function checkParams(what: string, p: Readonly<Record<string, unknown>>, positive: readonly string[], nonNegative: readonly string[]): void {
  for (const k of positive) {
    const v = p[k];
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new PhysicsModelError(`${what}.${k} must be a finite number > 0, got ${String(v)}`);
  }
  for (const k of nonNegative) {
    const v = p[k];
    if (v === undefined && k === 'friction') continue;
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new PhysicsModelError(`${what}.${k} must be a finite number ≥ 0, got ${String(v)}`);
  }
}

function resolveContactParams(given: Partial<ContactParams> | undefined): ContactParams {
  const p: ContactParams = Object.freeze({ ...DEFAULT_CONTACT_PARAMS, ...given });
  checkParams('contact', p as unknown as Record<string, unknown>, ['stiffness', 'smoothing', 'frictionSmoothing', 'gateSmoothing'], ['damping', 'friction']);
  return p;
}

function resolveLimitParams(given: Partial<LimitParams> | undefined): LimitParams {
  const p: LimitParams = Object.freeze({ ...DEFAULT_LIMIT_PARAMS, ...given });
  checkParams('limit', p as unknown as Record<string, unknown>, ['stiffness', 'smoothing', 'gateSmoothing'], ['damping']);
  return p;
}

type ContactTable = Pick<PhysicsModel, 'ncon' | 'conBody' | 'conGeom' | 'conLocal' | 'conRadius' | 'conFriction' | 'floorHeight' | 'floorFriction'>;

/** The contact spheres of every geom that touches the (single, horizontal) ground plane. */
function buildContactTable(
  spec: ModelSpec,
  geomType: Int32Array,
  geomBody: Int32Array,
  geomSize: Float64Array,
  geomPos: Float64Array,
  geomQuat: Float64Array,
  geomFriction: Float64Array,
  geomContype: Int32Array,
  geomConaffinity: Int32Array,
  geomNames: readonly string[],
  params: ContactParams,
): ContactTable {
  const ngeom = geomType.length;
  const collides = (a: number, b: number): boolean =>
    ((geomContype[a] as number) & (geomConaffinity[b] as number)) !== 0 || ((geomContype[b] as number) & (geomConaffinity[a] as number)) !== 0;
  const excluded = new Set<number>();
  for (const [a, b] of spec.contactExcludes ?? []) {
    if (a === 0) excluded.add(b);
    if (b === 0) excluded.add(a);
  }
  // The ground: collision-active planes of the world body (buildModel allows planes nowhere else).
  let floor = -1;
  for (let g = 0; g < ngeom; g++) {
    if (geomType[g] !== GeomType.Plane || ((geomContype[g] as number) === 0 && (geomConaffinity[g] as number) === 0)) continue;
    const [qw, qx, qy, qz] = [geomQuat[4 * g], geomQuat[4 * g + 1], geomQuat[4 * g + 2], geomQuat[4 * g + 3]] as Quat;
    // z axis of the plane frame = third column of R(q); it must be +z.
    const nz = 1 - 2 * (qx * qx + qy * qy);
    const nx = 2 * (qx * qz + qw * qy);
    const ny = 2 * (qy * qz - qw * qx);
    if (Math.abs(nx) > 1e-9 || Math.abs(ny) > 1e-9 || nz < 0) {
      throw new PhysicsModelError(`geom ${g} "${geomNames[g]}": only a horizontal ground plane (normal +z) is supported for contact; set contype="0" conaffinity="0" to keep it for drawing only`);
    }
    if (floor >= 0) throw new PhysicsModelError(`geom ${g} "${geomNames[g]}": only one collision-active ground plane is supported (the first is geom ${floor} "${geomNames[floor]}")`);
    floor = g;
  }
  const body: number[] = [];
  const geomOf: number[] = [];
  const local: number[] = [];
  const radius: number[] = [];
  const mu: number[] = [];
  const floorFriction = floor >= 0 ? (geomFriction[3 * floor] as number) : 0;
  if (floor >= 0) {
    for (let g = 0; g < ngeom; g++) {
      const b = geomBody[g] as number;
      if (b === 0 || excluded.has(b) || !collides(g, floor)) continue;
      const type = geomType[g] as number;
      const q = [geomQuat[4 * g], geomQuat[4 * g + 1], geomQuat[4 * g + 2], geomQuat[4 * g + 3]] as Quat;
      const c: Vec3 = [geomPos[3 * g] as number, geomPos[3 * g + 1] as number, geomPos[3 * g + 2] as number];
      const add = (offset: Vec3, r: number): void => {
        const p = quatRotate(q, offset);
        body.push(b);
        geomOf.push(g);
        local.push(c[0] + p[0], c[1] + p[1], c[2] + p[2]);
        radius.push(r);
        mu.push(params.friction ?? Math.max(geomFriction[3 * g] as number, floorFriction));
      };
      const s0 = geomSize[3 * g] as number;
      const s1 = geomSize[3 * g + 1] as number;
      const s2 = geomSize[3 * g + 2] as number;
      if (type === GeomType.Sphere) add([0, 0, 0], s0);
      else if (type === GeomType.Capsule) {
        add([0, 0, -s1], s0);
        add([0, 0, s1], s0);
      } else if (type === GeomType.Box) {
        for (let k = 0; k < 8; k++) add([k & 1 ? s0 : -s0, k & 2 ? s1 : -s1, k & 4 ? s2 : -s2], 0);
      } else {
        throw new PhysicsModelError(
          `geom ${g} "${geomNames[g]}": contact of ${type === GeomType.Ellipsoid ? 'ellipsoid' : type === GeomType.Cylinder ? 'cylinder' : 'plane'} geoms with the ground plane is not supported (spheres, capsules and boxes are); set contype="0" conaffinity="0" on it`,
        );
      }
    }
  }
  return {
    ncon: body.length,
    conBody: Int32Array.from(body),
    conGeom: Int32Array.from(geomOf),
    conLocal: Float64Array.from(local),
    conRadius: Float64Array.from(radius),
    conFriction: Float64Array.from(mu),
    floorHeight: floor >= 0 ? (geomPos[3 * floor + 2] as number) : 0,
    floorFriction,
  };
}

/**
 * A copy of `model` with new contact and/or limit parameters (merged over the current ones).
 * Everything else is shared with `model`, so this is cheap; `friction` recomputes the
 * per-contact μ (pass `friction: undefined` in `contact` to return to MuJoCo's max rule).
 */
export function withContactParams(model: PhysicsModel, contact: Partial<ContactParams> = {}, limit: Partial<LimitParams> = {}): PhysicsModel {
  const c = resolveContactParams({ ...model.contact, ...contact });
  const l = resolveLimitParams({ ...model.limit, ...limit });
  const conFriction = new Float64Array(model.ncon);
  for (let i = 0; i < model.ncon; i++) {
    const g = model.conGeom[i] as number;
    conFriction[i] = c.friction ?? Math.max(model.geomFriction[3 * g] as number, model.floorFriction);
  }
  return { ...model, contact: c, limit: l, conFriction };
}
