/**
 * Kinematics for inverse kinematics on any loaded model: B configurations at once, the engine's
 * forward kinematics (`physics/kinematics.ts`) underneath, end-effector poses and analytic
 * geometric Jacobians with respect to a chosen set of variables.
 *
 * Variables are hinge and slide joints (revolute column a × (p − anchor) and angular column a;
 * prismatic column a and angular column 0), optionally preceded by a rotation of the model's
 * floating root: three variables ω with root orientation exp(ω)·q₀, whose columns are those of
 * three hinges through the root's origin with axes Jl(ω)·e_k (Jl the left Jacobian of SO(3)),
 * so the Jacobian is exact for every ω, not only near 0.
 * @module
 */

import { closeMatches } from '../core/text.js';
import { kinematics } from '../physics/kinematics.js';
import { quatMul, quatToMat, type Mat3, type Quat, type Vec3 } from '../physics/math3.js';
import { JointType, type PhysicsModel } from '../physics/model.js';
import type { KinematicsBuffers } from '../physics/state.js';
import { IkError } from './errors.js';

/** A point with a frame, fixed in a body: what is moved to a target. */
export interface Effector {
  /** The name it was found by (a body, geom or site of the model). */
  readonly name: string;
  readonly kind: 'body' | 'geom' | 'site';
  readonly body: number;
  /** Position and orientation in the body's frame. */
  readonly offset: Readonly<Vec3>;
  readonly quat: Readonly<Quat>;
}

/** Looks up a body, geom or site by name (in that order); the error lists close matches of all three kinds. */
export function findEffector(model: PhysicsModel, name: string): Effector {
  const body = model.bodyNames.indexOf(name);
  if (body > 0) return { name, kind: 'body', body, offset: [0, 0, 0], quat: [1, 0, 0, 0] };
  const geom = model.geomNames.indexOf(name);
  if (geom >= 0) {
    const g = 3 * geom;
    const gq = 4 * geom;
    return { name, kind: 'geom', body: model.geomBody[geom] as number, offset: [model.geomPos[g] as number, model.geomPos[g + 1] as number, model.geomPos[g + 2] as number], quat: [...model.geomQuat.subarray(gq, gq + 4)] as Quat };
  }
  const site = model.siteNames.indexOf(name);
  if (site >= 0) {
    const s = 3 * site;
    const sq = 4 * site;
    return { name, kind: 'site', body: model.siteBody[site] as number, offset: [model.sitePos[s] as number, model.sitePos[s + 1] as number, model.sitePos[s + 2] as number], quat: [...model.siteQuat.subarray(sq, sq + 4)] as Quat };
  }
  const all = [...model.bodyNames.slice(1), ...model.geomNames, ...model.siteNames].filter((n) => n !== '');
  const near = closeMatches(name, all);
  throw new IkError(`${model.name}: no body, geom or site named "${name}"${near.length > 0 ? `; did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : ''}`);
}

/** Whether body `ancestor` is `body` or one of its ancestors. */
export function isAncestor(model: PhysicsModel, ancestor: number, body: number): boolean {
  for (let b = body; b >= 0; b = model.bodyParent[b] as number) if (b === ancestor) return true;
  return false;
}

/**
 * The hinge and slide joints between body `root` (exclusive: its own joints stay put) and
 * body `tip` (inclusive), root to tip. Throws when `root` is not an ancestor of `tip` or a joint
 * on the way is of another kind.
 */
export function chainJoints(model: PhysicsModel, root: number, tip: number): number[] {
  if (!isAncestor(model, root, tip)) throw new IkError(`${model.name}: body "${model.bodyNames[root]}" is not an ancestor of "${model.bodyNames[tip]}", so no chain runs from one to the other`);
  const bodies: number[] = [];
  for (let b = tip; b !== root; b = model.bodyParent[b] as number) bodies.push(b);
  bodies.reverse();
  const joints: number[] = [];
  for (const b of bodies) {
    const adr = model.bodyJntAdr[b] as number;
    for (let j = adr; j < adr + (model.bodyJntNum[b] as number); j++) {
      const type = model.jntType[j] as number;
      if (type !== JointType.Hinge && type !== JointType.Slide) throw new IkError(`${model.name}: joint "${model.jntNames[j]}" on the chain is not a hinge or slide joint; start the chain below it`);
      joints.push(j);
    }
  }
  if (joints.length === 0) throw new IkError(`${model.name}: no joint moves "${model.bodyNames[tip]}" relative to "${model.bodyNames[root]}"`);
  return joints;
}

/** Options of {@link KinematicBatch}. */
export interface KinematicBatchOptions {
  /** The variable joints (model joint indices, hinge or slide). */
  readonly joints: readonly number[];
  /** Also vary the orientation of the model's floating root body (3 variables, first). */
  readonly rootRotation?: boolean;
  /** Positions of every other joint (length nq; default the model's qpos0). */
  readonly baseQpos?: ArrayLike<number>;
}

/** Forward kinematics and Jacobians of B configurations of one model. */
export class KinematicBatch {
  readonly model: PhysicsModel;
  readonly batch: number;
  /** Variables: 3 root-rotation entries (if any), then the joints. */
  readonly size: number;
  readonly joints: Int32Array;
  readonly rootRotation: boolean;
  /** Per variable: lower and upper bound (±Infinity where unlimited; the root rotation is unlimited). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** The buffers of the engine's kinematics (qpos is written by {@link setVariables}). */
  readonly buffers: KinematicsBuffers;
  private readonly rootBody: number;
  private readonly rootQposAdr: number;
  private readonly rootQuat0: Quat;
  /** Per world: the root rotation's axes Jl(ω)·e_k, 3 × 3 column-major by k. */
  private readonly rootAxes: Float64Array;
  private readonly point = new Float64Array(3);
  private readonly moverCache = new Map<number, Uint8Array>();
  private readonly localRotations = new WeakMap<Effector, Mat3>();

  constructor(model: PhysicsModel, batch: number, options: KinematicBatchOptions) {
    this.model = model;
    this.batch = batch;
    this.rootRotation = options.rootRotation ?? false;
    this.joints = Int32Array.from(options.joints);
    for (const j of this.joints) {
      const type = model.jntType[j] as number;
      if (type !== JointType.Hinge && type !== JointType.Slide) throw new IkError(`${model.name}: joint "${model.jntNames[j]}" is not a hinge or slide joint`);
    }
    const offset = this.rootRotation ? 3 : 0;
    this.size = offset + this.joints.length;
    this.lower = new Float64Array(this.size).fill(-Infinity);
    this.upper = new Float64Array(this.size).fill(Infinity);
    this.joints.forEach((j, i) => {
      if (model.jntLimited[j] === 1) {
        this.lower[offset + i] = model.jntRange[2 * j] as number;
        this.upper[offset + i] = model.jntRange[2 * j + 1] as number;
      }
    });
    const base = options.baseQpos ?? model.qpos0;
    if (base.length !== model.nq) throw new IkError(`baseQpos has ${base.length} entries, the model ${model.nq}`);
    const nq = model.nq;
    this.buffers = {
      qpos: new Float64Array(nq * batch),
      xpos: new Float64Array(model.nbody * 3 * batch),
      xquat: new Float64Array(model.nbody * 4 * batch),
      xmat: new Float64Array(model.nbody * 9 * batch),
      xanchor: new Float64Array(model.njnt * 3 * batch),
      xaxis: new Float64Array(model.njnt * 3 * batch),
    };
    for (let a = 0; a < nq; a++) this.buffers.qpos.fill(base[a] as number, a * batch, (a + 1) * batch);
    this.rootBody = -1;
    this.rootQposAdr = -1;
    this.rootQuat0 = [1, 0, 0, 0];
    this.rootAxes = new Float64Array(9 * batch);
    if (this.rootRotation) {
      const free = Array.from(model.jntType).findIndex((t) => t === JointType.Free);
      if (free < 0) throw new IkError(`${model.name}: rootRotation needs a floating root (a free joint); this model has none`);
      this.rootBody = model.jntBody[free] as number;
      this.rootQposAdr = (model.jntQposAdr[free] as number) + 3;
      this.rootQuat0 = [0, 1, 2, 3].map((k) => base[this.rootQposAdr + k] as number) as Quat;
    }
  }

  /**
   * Writes the variables of every world (`q`, B × size row-major) into the model's positions and
   * runs forward kinematics.
   */
  setVariables(q: ArrayLike<number>): void {
    const B = this.batch;
    const { qpos } = this.buffers;
    const offset = this.rootRotation ? 3 : 0;
    const n = this.size;
    for (let w = 0; w < B; w++) {
      if (this.rootRotation) this.writeRootRotation(w, q[w * n] as number, q[w * n + 1] as number, q[w * n + 2] as number);
      for (let i = 0; i < this.joints.length; i++) qpos[(this.model.jntQposAdr[this.joints[i] as number] as number) * B + w] = q[w * n + offset + i] as number;
    }
    kinematics(this.model, B, this.buffers);
  }

  /** World position of effector `e` in world `w`, into `out` at `at`. */
  position(e: Effector, w: number, out: Float64Array, at = 0): void {
    const B = this.batch;
    const { xpos, xmat } = this.buffers;
    const b = e.body;
    const [ox, oy, oz] = e.offset as Vec3;
    for (let r = 0; r < 3; r++) {
      const m = (b * 9 + 3 * r) * B + w;
      out[at + r] = (xpos[(3 * b + r) * B + w] as number) + (xmat[m] as number) * ox + (xmat[m + B] as number) * oy + (xmat[m + 2 * B] as number) * oz;
    }
  }

  /** Rotation (effector frame → world) of `e` in world `w`, row-major, into `out` (9 entries). */
  rotation(e: Effector, w: number, out: Float64Array): void {
    const B = this.batch;
    const { xmat } = this.buffers;
    let local = this.localRotations.get(e);
    if (local === undefined) {
      local = quatToMat(e.quat);
      this.localRotations.set(e, local);
    }
    const base = e.body * 9 * B + w;
    for (let r = 0; r < 3; r++) {
      const m0 = xmat[base + 3 * r * B] as number;
      const m1 = xmat[base + (3 * r + 1) * B] as number;
      const m2 = xmat[base + (3 * r + 2) * B] as number;
      for (let c = 0; c < 3; c++) out[3 * r + c] = m0 * (local[c] as number) + m1 * (local[3 + c] as number) + m2 * (local[6 + c] as number);
    }
  }

  /**
   * The geometric Jacobian of effector `e` in world `w`: `linear` (3 × size, row-major) gets
   * ∂p/∂q, `angular` (if given) the angular-velocity columns. Variables that do not move the
   * effector get zero columns.
   */
  jacobian(e: Effector, w: number, linear: Float64Array, angular?: Float64Array): void {
    const B = this.batch;
    const n = this.size;
    const { xanchor, xaxis, xpos } = this.buffers;
    const p = this.point;
    this.position(e, w, p);
    linear.fill(0, 0, 3 * n);
    angular?.fill(0, 0, 3 * n);
    const moves = this.movers(e.body);
    if (this.rootRotation && moves[0] === 1) {
      const r = this.rootBody;
      const cx = xpos[3 * r * B + w] as number;
      const cy = xpos[(3 * r + 1) * B + w] as number;
      const cz = xpos[(3 * r + 2) * B + w] as number;
      for (let k = 0; k < 3; k++) {
        const a = 9 * w + 3 * k;
        this.column(linear, angular, k, this.rootAxes[a] as number, this.rootAxes[a + 1] as number, this.rootAxes[a + 2] as number, cx, cy, cz, true);
      }
    }
    const offset = this.rootRotation ? 3 : 0;
    for (let i = 0; i < this.joints.length; i++) {
      if (moves[offset + i] === 0) continue;
      const j = this.joints[i] as number;
      const J = 3 * j * B + w;
      this.column(linear, angular, offset + i, xaxis[J] as number, xaxis[J + B] as number, xaxis[J + 2 * B] as number, xanchor[J] as number, xanchor[J + B] as number, xanchor[J + 2 * B] as number, this.model.jntType[j] === JointType.Hinge);
    }
  }

  /** Per variable, 1 where it moves `body` (cached per body). */
  movers(body: number): Uint8Array {
    let m = this.moverCache.get(body);
    if (m === undefined) {
      m = new Uint8Array(this.size);
      if (this.rootRotation && isAncestor(this.model, this.rootBody, body)) m.fill(1, 0, 3);
      const offset = this.rootRotation ? 3 : 0;
      this.joints.forEach((j, i) => {
        if (isAncestor(this.model, this.model.jntBody[j] as number, body)) (m as Uint8Array)[offset + i] = 1;
      });
      this.moverCache.set(body, m);
    }
    return m;
  }

  /** Writes Jacobian column `col` of a revolute (axis through c) or prismatic (along the axis) variable at the current point. */
  private column(linear: Float64Array, angular: Float64Array | undefined, col: number, ax: number, ay: number, az: number, cx: number, cy: number, cz: number, revolute: boolean): void {
    const n = this.size;
    if (!revolute) {
      linear[col] = ax;
      linear[n + col] = ay;
      linear[2 * n + col] = az;
      return;
    }
    const p = this.point;
    const dx = (p[0] as number) - cx;
    const dy = (p[1] as number) - cy;
    const dz = (p[2] as number) - cz;
    linear[col] = ay * dz - az * dy;
    linear[n + col] = az * dx - ax * dz;
    linear[2 * n + col] = ax * dy - ay * dx;
    if (angular !== undefined) {
      angular[col] = ax;
      angular[n + col] = ay;
      angular[2 * n + col] = az;
    }
  }

  /**
   * The rotation axis (unit, world) and a point on it of variable `i` in world `w`, at the last
   * {@link setVariables}; returns false for a slide joint (then `axis` is its direction). Root
   * rotation variables are rotations about the world axes through the root's origin (what
   * {@link rotateRoot} applies), the directions CCD turns the root about.
   */
  variableAxis(i: number, w: number, anchor: Float64Array, axis: Float64Array): boolean {
    const B = this.batch;
    if (this.rootRotation && i < 3) {
      for (let r = 0; r < 3; r++) {
        anchor[r] = this.buffers.xpos[(3 * this.rootBody + r) * B + w] as number;
        axis[r] = r === i ? 1 : 0;
      }
      return true;
    }
    const j = this.joints[i - (this.rootRotation ? 3 : 0)] as number;
    for (let r = 0; r < 3; r++) {
      anchor[r] = this.buffers.xanchor[(3 * j + r) * B + w] as number;
      axis[r] = this.buffers.xaxis[(3 * j + r) * B + w] as number;
    }
    return this.model.jntType[j] === JointType.Hinge;
  }

  /**
   * Wraps world `w`'s root rotation vector into the ball |ω| ≤ π (the same orientation): away
   * from it the exponential map's Jacobian degenerates (singular at |ω| = 2π).
   */
  wrapRoot(q: Float64Array, w: number): void {
    if (!this.rootRotation) return;
    const n = this.size;
    const theta = Math.hypot(q[w * n] as number, q[w * n + 1] as number, q[w * n + 2] as number);
    if (theta <= Math.PI) return;
    const turns = Math.round(theta / (2 * Math.PI));
    const scale = (theta - 2 * Math.PI * turns) / theta;
    for (let k = 0; k < 3; k++) q[w * n + k] = (q[w * n + k] as number) * scale;
  }

  /** Turns world `w`'s root by `angle` about world axis `k` (pre-multiplying its orientation), rewriting its rotation vector in `q`. */
  rotateRoot(q: Float64Array, w: number, k: number, angle: number): void {
    const n = this.size;
    const omega = [q[w * n] as number, q[w * n + 1] as number, q[w * n + 2] as number];
    const axis = [0, 0, 0];
    axis[k] = 1;
    const turned = quatMul(quatFromRotationVector(axis[0] as number * angle, axis[1] as number * angle, axis[2] as number * angle), quatFromRotationVector(omega[0] as number, omega[1] as number, omega[2] as number));
    const v = rotationVectorOf(turned);
    q[w * n] = v[0];
    q[w * n + 1] = v[1];
    q[w * n + 2] = v[2];
  }

  /** Root orientation exp(ω)·q₀ into qpos, and the axes Jl(ω)·e_k of its Jacobian columns. */
  private writeRootRotation(w: number, x: number, y: number, z: number): void {
    const B = this.batch;
    const theta = Math.hypot(x, y, z);
    // exp(ω) as a quaternion, and the left Jacobian Jl(ω) = I + a·[ω]× + b·[ω]×² (Taylor near 0).
    const q = quatMul(quatFromRotationVector(x, y, z), this.rootQuat0);
    for (let k = 0; k < 4; k++) this.buffers.qpos[(this.rootQposAdr + k) * B + w] = q[k] as number;
    const t2 = theta * theta;
    const a = theta < 1e-4 ? 0.5 - t2 / 24 : (1 - Math.cos(theta)) / t2;
    const b = theta < 1e-4 ? 1 / 6 - t2 / 120 : (theta - Math.sin(theta)) / (t2 * theta);
    // [ω]× rows: (0, −z, y), (z, 0, −x), (−y, x, 0); [ω]×² = ωωᵀ − θ²I.
    const W: Mat3 = [0, -z, y, z, 0, -x, -y, x, 0];
    const w2: Mat3 = [x * x - t2, x * y, x * z, x * y, y * y - t2, y * z, x * z, y * z, z * z - t2];
    for (let k = 0; k < 3; k++) {
      // Column k of Jl: e_k + a·W e_k + b·W² e_k.
      for (let r = 0; r < 3; r++) this.rootAxes[9 * w + 3 * k + r] = (r === k ? 1 : 0) + a * (W[3 * r + k] as number) + b * (w2[3 * r + k] as number);
    }
  }
}

/** exp(ω) as a unit quaternion. */
export function quatFromRotationVector(x: number, y: number, z: number): Quat {
  const theta = Math.hypot(x, y, z);
  const half = theta / 2;
  const sinc = theta < 1e-8 ? 0.5 - (theta * theta) / 48 : Math.sin(half) / theta;
  return [Math.cos(half), x * sinc, y * sinc, z * sinc];
}

/** The rotation vector (angle in [0, π]) of a unit quaternion: the inverse of {@link quatFromRotationVector}. */
export function rotationVectorOf(q: Readonly<Quat>): Vec3 {
  let [w, x, y, z] = q;
  if (w < 0) {
    w = -w;
    x = -x;
    y = -y;
    z = -z;
  }
  const s = Math.hypot(x, y, z);
  if (s < 1e-12) return [2 * x, 2 * y, 2 * z];
  const theta = 2 * Math.atan2(s, w);
  return [(x / s) * theta, (y / s) * theta, (z / s) * theta];
}
