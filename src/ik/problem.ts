/**
 * An inverse-kinematics problem over B worlds: variables (joints, optionally the floating
 * root's rotation), weighted tasks on effectors, an optional rest-pose term and, for sequences,
 * smoothness terms against the previous frames — all as stacked residual rows r(q) with their
 * exact Jacobians, so that least-squares solvers (damped least squares) and gradient solvers
 * (Adam, gradient 2Jᵀr of Σ‖r‖²) read the same pieces.
 *
 * Task residuals (3 rows each, times √weight):
 * - position: p − t;
 * - orientation: sin θ·n, the vee of the antisymmetric part of R_e·R_tᵀ = exp(θ[n]), with
 *   ∂r/∂q = ½(tr(M)·I − M)·J_ω, M = R_e·R_tᵀ (exact everywhere);
 * - look-at: a − d, a the effector's world axis and d the unit direction to the target point
 *   (zero only when they coincide: a × d would also vanish looking away), with
 *   ∂r/∂q = −[a]×J_ω + (I − ddᵀ)J_p/‖t − p‖ (exact).
 * The errors reported per task are unweighted: metres for positions, the target's distance
 * from the gaze ray for look-at (so both share one tolerance), radians for orientations.
 * @module
 */

import type { PhysicsModel } from '../physics/model.js';
import type { Vec3 } from '../physics/math3.js';
import { IkError } from './errors.js';
import { KinematicBatch, type Effector } from './kinematic-batch.js';

/** One objective on one effector. */
export type IkTaskSpec =
  | { readonly kind: 'position'; readonly effector: Effector; readonly weight?: number }
  | { readonly kind: 'orientation'; readonly effector: Effector; readonly weight?: number }
  /** Point the effector's local `axis` at the target point. */
  | { readonly kind: 'look-at'; readonly effector: Effector; readonly axis: Readonly<Vec3>; readonly weight?: number };

/** Options of {@link IkProblem}. */
export interface IkProblemOptions {
  readonly joints: readonly number[];
  readonly rootRotation?: boolean;
  readonly baseQpos?: ArrayLike<number>;
  readonly tasks: readonly IkTaskSpec[];
  /** ‖q − rest‖² with this weight (default 0: none). */
  readonly restWeight?: number;
  /** Smoothness against the previous frames (sequences): weights of velocity, acceleration and jerk (default 0). */
  readonly smoothness?: { readonly velocity?: number; readonly acceleration?: number; readonly jerk?: number };
}

/** Rows of a task's residual. */
const TASK_ROWS = 3;

/** B inverse-kinematics problems sharing a model, variables and tasks; targets per world. */
export class IkProblem {
  readonly kinematics: KinematicBatch;
  readonly batch: number;
  /** Number of variables. */
  readonly size: number;
  readonly tasks: readonly IkTaskSpec[];
  /** Residual rows per world: 3 per task, then the rest pose (size) and each smoothness term (size). */
  readonly rows: number;
  /** Per task: targets of every world — B × 3 points (position, look-at) or B × 9 row-major rotations (orientation). */
  readonly targets: Float64Array[];
  /** Rest pose of every world (B × size), used when `restWeight` > 0. */
  readonly rest: Float64Array;
  /** The previous three frames' solutions (B × size each, newest first), used by the smoothness terms. */
  readonly previous: [Float64Array, Float64Array, Float64Array];
  private readonly restRoot: number;
  private readonly smooth: readonly [number, number, number];
  private readonly scratch: { lin: Float64Array; ang: Float64Array; p: Float64Array; r: Float64Array };

  constructor(model: PhysicsModel, batch: number, options: IkProblemOptions) {
    if (options.tasks.length === 0) throw new IkError('an IK problem needs at least one task');
    this.kinematics = new KinematicBatch(model, batch, { joints: options.joints, ...(options.rootRotation !== undefined ? { rootRotation: options.rootRotation } : {}), ...(options.baseQpos !== undefined ? { baseQpos: options.baseQpos } : {}) });
    this.batch = batch;
    this.size = this.kinematics.size;
    this.tasks = options.tasks;
    for (const t of this.tasks) {
      if (!((t.weight ?? 1) >= 0)) throw new IkError(`task weights must be ≥ 0, got ${t.weight}`);
    }
    this.restRoot = Math.sqrt(options.restWeight ?? 0);
    const s = options.smoothness ?? {};
    this.smooth = [Math.sqrt(s.velocity ?? 0), Math.sqrt(s.acceleration ?? 0), Math.sqrt(s.jerk ?? 0)];
    const n = this.size;
    this.rows = TASK_ROWS * this.tasks.length + (this.restRoot > 0 ? n : 0) + this.smooth.filter((w) => w > 0).length * n;
    this.targets = this.tasks.map((t) => new Float64Array(batch * (t.kind === 'orientation' ? 9 : 3)));
    this.rest = new Float64Array(batch * n);
    this.previous = [new Float64Array(batch * n), new Float64Array(batch * n), new Float64Array(batch * n)];
    this.scratch = { lin: new Float64Array(3 * n), ang: new Float64Array(3 * n), p: new Float64Array(3), r: new Float64Array(9) };
  }

  /** Sets world `w`'s target of task `k` (3 numbers, or 9 for an orientation); throws on a non-finite value. */
  setTarget(k: number, w: number, target: ArrayLike<number>): void {
    const t = this.targets[k];
    if (t === undefined) throw new IkError(`no task ${k}; the problem has ${this.tasks.length}`);
    const width = t.length / this.batch;
    if (target.length !== width) throw new IkError(`task ${k} (${this.tasks[k]?.kind}) takes ${width} target numbers, got ${target.length}`);
    for (let i = 0; i < width; i++) {
      const v = target[i] as number;
      if (!Number.isFinite(v)) throw new IkError(`task ${k} (${this.tasks[k]?.kind} of "${this.tasks[k]?.effector.name}"): target entry ${i} is ${v}; targets must be finite numbers`);
      t[w * width + i] = v;
    }
  }

  /**
   * Runs forward kinematics at `q` (B × size) and writes every world's residual rows into
   * `residuals` (B × rows) and, if given, their Jacobian into `jacobian` (B × rows × size,
   * row-major per world). Worlds with `active[w] === 0` are skipped (their FK still runs).
   */
  evaluate(q: Float64Array, residuals: Float64Array, jacobian?: Float64Array, active?: Uint8Array): void {
    this.kinematics.setVariables(q);
    const n = this.size;
    const m = this.rows;
    for (let w = 0; w < this.batch; w++) {
      if (active !== undefined && active[w] === 0) continue;
      const R = w * m;
      const J = w * m * n;
      let row = 0;
      for (let k = 0; k < this.tasks.length; k++) {
        this.taskRows(k, w, residuals, R + row, jacobian, J + row * n);
        row += TASK_ROWS;
      }
      // Rest pose and smoothness: linear in q with coefficient 1 on q, so their Jacobian is √w·I.
      const x = w * n;
      const [p1, p2, p3] = this.previous;
      for (let term = 0; term < 4; term++) {
        const root = term === 0 ? this.restRoot : (this.smooth[term - 1] as number);
        if (root === 0) continue;
        for (let i = 0; i < n; i++) {
          const qi = q[x + i] as number;
          const v =
            term === 0
              ? qi - (this.rest[x + i] as number)
              : term === 1
                ? qi - (p1[x + i] as number)
                : term === 2
                  ? qi - 2 * (p1[x + i] as number) + (p2[x + i] as number)
                  : qi - 3 * (p1[x + i] as number) + 3 * (p2[x + i] as number) - (p3[x + i] as number);
          residuals[R + row + i] = root * v;
          if (jacobian !== undefined) {
            jacobian.fill(0, J + (row + i) * n, J + (row + i + 1) * n);
            jacobian[J + (row + i) * n + i] = root;
          }
        }
        row += n;
      }
    }
  }

  /** Σ‖r‖² of world `w` from residuals written by {@link evaluate}. */
  loss(residuals: Float64Array, w: number): number {
    let s = 0;
    for (let i = w * this.rows; i < (w + 1) * this.rows; i++) s += (residuals[i] as number) ** 2;
    return s;
  }

  /**
   * The unweighted error of every task in world `w` at the last evaluated q, into `out`:
   * position distance (m), distance of the look-at target from the gaze ray (m; Infinity when
   * the target is behind), orientation angle (rad).
   */
  taskErrors(w: number, out: Float64Array): void {
    const { p, r } = this.scratch;
    this.tasks.forEach((t, k) => {
      const tgt = this.targets[k] as Float64Array;
      const kb = this.kinematics;
      if (t.kind === 'position') {
        kb.position(t.effector, w, p);
        out[k] = Math.hypot((p[0] as number) - (tgt[3 * w] as number), (p[1] as number) - (tgt[3 * w + 1] as number), (p[2] as number) - (tgt[3 * w + 2] as number));
      } else if (t.kind === 'look-at') {
        kb.position(t.effector, w, p);
        kb.rotation(t.effector, w, r);
        const a = rotate(r, t.axis);
        const u = [(tgt[3 * w] as number) - (p[0] as number), (tgt[3 * w + 1] as number) - (p[1] as number), (tgt[3 * w + 2] as number) - (p[2] as number)] as Vec3;
        const along = a[0] * u[0] + a[1] * u[1] + a[2] * u[2];
        const c = cross(a, u);
        out[k] = along <= 0 ? Infinity : Math.hypot(...c);
      } else {
        kb.rotation(t.effector, w, r);
        const M = mulTransposed(r, tgt, 9 * w);
        const cos = Math.min(1, Math.max(-1, ((M[0] as number) + (M[4] as number) + (M[8] as number) - 1) / 2));
        out[k] = Math.acos(cos);
      }
    });
  }

  private taskRows(k: number, w: number, res: Float64Array, at: number, jac: Float64Array | undefined, jat: number): void {
    const t = this.tasks[k] as IkTaskSpec;
    const root = Math.sqrt(t.weight ?? 1);
    const n = this.size;
    const tgt = this.targets[k] as Float64Array;
    const kb = this.kinematics;
    const { lin, ang, p, r } = this.scratch;
    kb.position(t.effector, w, p);
    if (t.kind === 'position') {
      for (let i = 0; i < 3; i++) res[at + i] = root * ((p[i] as number) - (tgt[3 * w + i] as number));
      if (jac !== undefined) {
        kb.jacobian(t.effector, w, lin);
        for (let i = 0; i < 3 * n; i++) jac[jat + i] = root * (lin[i] as number);
      }
      return;
    }
    kb.rotation(t.effector, w, r);
    if (t.kind === 'orientation') {
      const M = mulTransposed(r, tgt, 9 * w);
      res[at] = (root * ((M[7] as number) - (M[5] as number))) / 2;
      res[at + 1] = (root * ((M[2] as number) - (M[6] as number))) / 2;
      res[at + 2] = (root * ((M[3] as number) - (M[1] as number))) / 2;
      if (jac !== undefined) {
        kb.jacobian(t.effector, w, lin, ang);
        const tr = (M[0] as number) + (M[4] as number) + (M[8] as number);
        for (let i = 0; i < 3; i++) {
          for (let c = 0; c < n; c++) {
            let s = 0;
            for (let j = 0; j < 3; j++) s += ((i === j ? tr : 0) - (M[3 * i + j] as number)) * (ang[j * n + c] as number);
            jac[jat + i * n + c] = (root * s) / 2;
          }
        }
      }
      return;
    }
    // look-at
    const a = rotate(r, t.axis);
    const u: Vec3 = [(tgt[3 * w] as number) - (p[0] as number), (tgt[3 * w + 1] as number) - (p[1] as number), (tgt[3 * w + 2] as number) - (p[2] as number)];
    const dist = Math.hypot(...u);
    if (!(dist > 1e-9)) throw new IkError(`look-at target of "${t.effector.name}" coincides with the effector; it needs a direction`);
    const d: Vec3 = [u[0] / dist, u[1] / dist, u[2] / dist];
    for (let i = 0; i < 3; i++) res[at + i] = root * ((a[i] as number) - (d[i] as number));
    if (jac === undefined) return;
    kb.jacobian(t.effector, w, lin, ang);
    for (let c = 0; c < n; c++) {
      const wc: Vec3 = [ang[c] as number, ang[n + c] as number, ang[2 * n + c] as number];
      const pc: Vec3 = [lin[c] as number, lin[n + c] as number, lin[2 * n + c] as number];
      // ȧ = ω × a; ḋ = −(I − ddᵀ)ṗ/‖u‖.
      const pd = pc[0] * d[0] + pc[1] * d[1] + pc[2] * d[2];
      const wa = cross(wc, a);
      for (let i = 0; i < 3; i++) jac[jat + i * n + c] = root * ((wa[i] as number) + ((pc[i] as number) - pd * (d[i] as number)) / dist);
    }
  }
}

function rotate(r: Float64Array, v: Readonly<Vec3>): Vec3 {
  return [0, 1, 2].map((i) => (r[3 * i] as number) * v[0] + (r[3 * i + 1] as number) * v[1] + (r[3 * i + 2] as number) * v[2]) as Vec3;
}

function cross(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** R·Tᵀ of two row-major rotations (T read from `t` at `at`). */
function mulTransposed(r: Float64Array, t: Float64Array, at: number): number[] {
  const out = new Array<number>(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) out[3 * i + j] = (r[3 * i] as number) * (t[at + 3 * j] as number) + (r[3 * i + 1] as number) * (t[at + 3 * j + 1] as number) + (r[3 * i + 2] as number) * (t[at + 3 * j + 2] as number);
  return out;
}
