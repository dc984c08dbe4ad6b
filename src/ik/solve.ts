/**
 * The IK solvers, all batched over the problem's B worlds (each world its own targets and
 * start), all stopping a world once every task is within tolerance, all projecting the
 * variables onto the joint limits after every update:
 *
 * - `dls`: damped least squares as Levenberg–Marquardt — Δq = −(JᵀJ + λ²I)⁻¹Jᵀr on the stacked
 *   residuals of every task, accepted when it lowers Σ‖r‖² (then λ ← λ/2), else rejected
 *   (λ ← 4λ): adaptive damping (Buss 2004 for the damped form).
 * - `adam` / `cautious-adam`: gradient descent on Σ‖r‖² through the differentiable kinematics
 *   (gradient 2Jᵀr) with Adam, lr 0.1 as the real-time IK paper evaluates (Voss et al. 2025);
 *   the cautious variant keeps only the coordinates where Adam's momentum and the gradient agree
 *   in sign, rescaled by the kept fraction (Liang et al. 2024). The best iterate is kept.
 * - `ccd`: cyclic coordinate descent — each variable from the tip to the root turns to bring
 *   the effector towards its target (or the gaze axis towards its look-at point), one task after
 *   the other; a slide joint moves by the target's offset along its axis.
 * - `fabrik`: forward-and-backward reaching on the chain's joint positions (Aristidou & Lasenby
 *   2011), with the hinge constraints imposed on the forward pass by turning each joint towards
 *   the point FABRIK placed next; position tasks only, one chain after the other.
 *
 * An iteration is one update of every variable (a least-squares step with its trial evaluation,
 * an optimiser step, a CCD sweep, a FABRIK backward and forward pass).
 * @module
 */

import { Rng } from '../core/rng.js';
import { IkError } from './errors.js';
import type { IkProblem, IkTaskSpec } from './problem.js';

/** The solvers, by name. */
export const IK_SOLVERS = ['dls', 'adam', 'cautious-adam', 'ccd', 'fabrik'] as const;
export type IkSolverName = (typeof IK_SOLVERS)[number];

/** Options of {@link solveIk}. */
export interface IkSolveOptions {
  readonly solver: IkSolverName;
  /** Most iterations per world (default 500). */
  readonly maxIterations?: number;
  /** Success: every position and look-at task within this many metres (default 0.005). */
  readonly tolerance?: number;
  /** Success for orientation tasks, radians (default 0.01). */
  readonly angleTolerance?: number;
  /** Adam's learning rate (default 0.1). */
  readonly learningRate?: number;
  /** Initial damping λ of `dls` (default 0.01). */
  readonly damping?: number;
  /**
   * `dls`, `adam`, `cautious-adam`: when a world stalls (the damping saturates, or its loss fell by
   * less than 1% over the last 20 iterations) before succeeding, it restarts from a
   * random configuration within the limits (TRAC-IK's remedy for joint-limit local minima),
   * inside the same iteration budget. Default true.
   */
  readonly restarts?: boolean;
  /** Seed of the restart configurations (default 0). */
  readonly seed?: number;
}

/** What {@link solveIk} found, per world. */
export interface IkSolveResult {
  /** The solution (the best iterate for the gradient solvers), B × size. */
  readonly q: Float64Array;
  readonly success: Uint8Array;
  /** Iterations run (until success, or the limit). */
  readonly iterations: Int32Array;
  /** Each task's error at the solution (metres or radians), B × tasks. */
  readonly errors: Float64Array;
}

/**
 * Solves every world of `problem` from `q0` (B × size; clipped to the limits first). Never
 * hangs: every solver stops after `maxIterations`, and a failed world is reported, not thrown.
 */
export function solveIk(problem: IkProblem, q0: ArrayLike<number>, options: IkSolveOptions): IkSolveResult {
  const B = problem.batch;
  const n = problem.size;
  if (q0.length !== B * n) throw new IkError(`the start has ${q0.length} numbers, the problem needs ${B} × ${n}`);
  const s = new SolveState(problem, q0, options);
  switch (options.solver) {
    case 'dls':
      s.runDls(options.damping ?? 0.01);
      break;
    case 'adam':
    case 'cautious-adam':
      s.runAdam(options.learningRate ?? 0.1, options.solver === 'cautious-adam');
      break;
    case 'ccd':
      s.runCcd();
      break;
    case 'fabrik':
      s.runFabrik();
      break;
    default:
      throw new IkError(`unknown solver "${String(options.solver)}"; available: ${IK_SOLVERS.join(', ')}`);
  }
  return s.result();
}

/** Working state shared by the solvers. */
class SolveState {
  readonly q: Float64Array;
  readonly success: Uint8Array;
  readonly iterations: Int32Array;
  readonly errors: Float64Array;
  private readonly active: Uint8Array;
  private readonly tolerance: number;
  private readonly angleTolerance: number;
  private readonly maxIterations: number;
  private readonly residuals: Float64Array;
  private readonly jacobian: Float64Array;
  private readonly taskError: Float64Array;
  private readonly restarts: boolean;
  private readonly rng: Rng;
  /** Per world: best loss since the last restart, and iterations since it last improved by 1e-6 relative. */
  private readonly stallBest: Float64Array;
  private readonly stallCount: Int32Array;
  private readonly windowBest: Float64Array;
  private readonly start: Float64Array;
  private readonly best: Float64Array;
  private readonly bestLoss: Float64Array;

  constructor(
    private readonly p: IkProblem,
    q0: ArrayLike<number>,
    options: IkSolveOptions,
  ) {
    const B = p.batch;
    const n = p.size;
    this.q = Float64Array.from(q0);
    for (let w = 0; w < B; w++) for (let i = 0; i < n; i++) this.q[w * n + i] = this.clip(i, this.q[w * n + i] as number);
    this.start = this.q.slice();
    this.best = this.q.slice();
    this.bestLoss = new Float64Array(B).fill(Infinity);
    this.success = new Uint8Array(B);
    this.iterations = new Int32Array(B);
    this.errors = new Float64Array(B * p.tasks.length);
    this.active = new Uint8Array(B).fill(1);
    this.tolerance = options.tolerance ?? 0.005;
    this.angleTolerance = options.angleTolerance ?? 0.01;
    this.maxIterations = options.maxIterations ?? 500;
    this.residuals = new Float64Array(B * p.rows);
    this.jacobian = new Float64Array(B * p.rows * n);
    this.taskError = new Float64Array(p.tasks.length);
    this.restarts = options.restarts ?? true;
    this.rng = new Rng(options.seed ?? 0);
    this.stallBest = new Float64Array(B).fill(Infinity);
    this.stallCount = new Int32Array(B);
    this.windowBest = new Float64Array(B).fill(Infinity);
  }

  /**
   * Tracks world `w`'s progress in windows of 20 iterations: true (and a new window) when its
   * loss fell by less than 1% over a window, or at once when `saturated` (LM's damping at its cap).
   */
  stalled(w: number, loss: number, saturated = false): boolean {
    if (!this.restarts) return false;
    this.stallCount[w] = (this.stallCount[w] as number) + 1;
    this.windowBest[w] = Math.min(this.windowBest[w] as number, loss);
    if (!saturated && (this.stallCount[w] as number) < 20) return false;
    const progressed = (this.windowBest[w] as number) < 0.99 * (this.stallBest[w] as number);
    this.stallBest[w] = this.windowBest[w] as number;
    this.windowBest[w] = Infinity;
    this.stallCount[w] = 0;
    if (progressed && !saturated) return false;
    this.stallBest[w] = Infinity;
    return true;
  }

  /** Moves world `w` to a random configuration within the limits; an unlimited variable (the root's rotation) within ±π/2 of its start. */
  restart(w: number): void {
    const n = this.p.size;
    const kb = this.p.kinematics;
    for (let i = 0; i < n; i++) {
      const lo = kb.lower[i] as number;
      const hi = kb.upper[i] as number;
      const start = this.start[w * n + i] as number;
      this.q[w * n + i] = Number.isFinite(lo) && Number.isFinite(hi) ? this.rng.uniformRange(lo, hi) : this.clip(i, start + this.rng.uniformRange(-Math.PI / 2, Math.PI / 2));
    }
  }

  result(): IkSolveResult {
    // A world that did not succeed returns the best iterate it saw (restarts and the gradient
    // solvers' oscillations would otherwise leave it wherever it ended), with its errors there.
    this.checkAll(false);
    const n = this.p.size;
    for (let w = 0; w < this.p.batch; w++) if (this.success[w] === 0) this.q.set(this.best.subarray(w * n, (w + 1) * n), w * n);
    this.p.evaluate(this.q, this.residuals);
    for (let w = 0; w < this.p.batch; w++) this.checkWorld(w);
    return { q: this.q, success: this.success, iterations: this.iterations, errors: this.errors };
  }

  clip(i: number, v: number): number {
    const kb = this.p.kinematics;
    return Math.min(Math.max(v, kb.lower[i] as number), kb.upper[i] as number);
  }

  /** Task errors of world `w` at the last evaluation into `errors`; marks success. Returns whether it succeeded. */
  checkWorld(w: number): boolean {
    const T = this.p.tasks.length;
    this.p.taskErrors(w, this.taskError);
    let ok = true;
    for (let k = 0; k < T; k++) {
      const e = this.taskError[k] as number;
      this.errors[w * T + k] = e;
      if (!(e <= ((this.p.tasks[k] as IkTaskSpec).kind === 'orientation' ? this.angleTolerance : this.tolerance))) ok = false;
    }
    this.success[w] = ok ? 1 : 0;
    return ok;
  }

  /**
   * Evaluates at the current q, remembers each active world's best iterate, marks the worlds
   * that succeeded inactive; returns whether any world is still active.
   */
  private checkAll(withJacobian: boolean): boolean {
    this.p.evaluate(this.q, this.residuals, withJacobian ? this.jacobian : undefined, this.active);
    const n = this.p.size;
    let any = false;
    for (let w = 0; w < this.p.batch; w++) {
      if (this.active[w] === 0) continue;
      const loss = this.p.loss(this.residuals, w);
      if (loss < (this.bestLoss[w] as number)) {
        this.bestLoss[w] = loss;
        this.best.set(this.q.subarray(w * n, (w + 1) * n), w * n);
      }
      if (this.checkWorld(w)) this.active[w] = 0;
      else any = true;
    }
    return any;
  }

  runDls(damping0: number): void {
    const B = this.p.batch;
    const n = this.p.size;
    const m = this.p.rows;
    const lambda = new Float64Array(B).fill(damping0);
    const trial = new Float64Array(B * n);
    const trialResiduals = new Float64Array(B * m);
    const A = new Float64Array(n * n);
    const g = new Float64Array(n);
    const loss = new Float64Array(B);
    const held = new Uint8Array(n);
    const kb = this.p.kinematics;
    for (let it = 0; it < this.maxIterations; it++) {
      if (!this.checkAll(true)) return;
      trial.set(this.q);
      for (let w = 0; w < B; w++) {
        if (this.active[w] === 0) continue;
        this.iterations[w] = it + 1;
        loss[w] = this.p.loss(this.residuals, w);
        // (JᵀJ + λ²I) Δ = −Jᵀr over the free variables: one at a bound that the step would push
        // further out is held there and the step is solved again without it (an active set), so
        // that a joint resting on its limit does not waste the step the others could take.
        const J = w * m * n;
        const R = w * m;
        const l2 = (lambda[w] as number) ** 2;
        held.fill(0);
        for (let pass = 0; pass < n; pass++) {
          for (let a = 0; a < n; a++) {
            let s = 0;
            if (held[a] === 0) for (let r = 0; r < m; r++) s += (this.jacobian[J + r * n + a] as number) * (this.residuals[R + r] as number);
            g[a] = -s;
            for (let b = 0; b <= a; b++) {
              let t = 0;
              if (held[a] === 0 && held[b] === 0) for (let r = 0; r < m; r++) t += (this.jacobian[J + r * n + a] as number) * (this.jacobian[J + r * n + b] as number);
              A[a * n + b] = t + (a === b ? l2 : 0);
            }
          }
          solveSpd(A, g, n);
          let changed = false;
          for (let i = 0; i < n; i++) {
            const x = this.q[w * n + i] as number;
            if (held[i] === 0 && ((x <= (kb.lower[i] as number) && (g[i] as number) < 0) || (x >= (kb.upper[i] as number) && (g[i] as number) > 0))) {
              held[i] = 1;
              changed = true;
            }
          }
          if (!changed) break;
        }
        for (let i = 0; i < n; i++) trial[w * n + i] = this.clip(i, (this.q[w * n + i] as number) + (g[i] as number));
        kb.wrapRoot(trial, w);
      }
      this.p.evaluate(trial, trialResiduals, undefined, this.active);
      for (let w = 0; w < B; w++) {
        if (this.active[w] === 0) continue;
        const trialLoss = this.p.loss(trialResiduals, w);
        if (trialLoss < (loss[w] as number)) {
          this.q.set(trial.subarray(w * n, (w + 1) * n), w * n);
          lambda[w] = Math.max(1e-6, (lambda[w] as number) / 2);
        } else {
          lambda[w] = Math.min(1e4, (lambda[w] as number) * 4);
        }
        if (this.stalled(w, Math.min(trialLoss, loss[w] as number), lambda[w] === 1e4)) {
          this.restart(w);
          lambda[w] = damping0;
        }
      }
    }
  }

  runAdam(lr: number, cautious: boolean): void {
    const B = this.p.batch;
    const n = this.p.size;
    const m = this.p.rows;
    const beta1 = 0.9;
    const beta2 = 0.999;
    const eps = 1e-8;
    const mom = new Float64Array(B * n);
    const vel = new Float64Array(B * n);
    const g = new Float64Array(n);
    const step = new Float64Array(n);
    for (let it = 0; it < this.maxIterations; it++) {
      if (!this.checkAll(true)) break;
      const t = it + 1;
      for (let w = 0; w < B; w++) {
        if (this.active[w] === 0) continue;
        this.iterations[w] = t;
        const loss = this.p.loss(this.residuals, w);
        const J = w * m * n;
        const R = w * m;
        for (let a = 0; a < n; a++) {
          let s = 0;
          for (let r = 0; r < m; r++) s += (this.jacobian[J + r * n + a] as number) * (this.residuals[R + r] as number);
          g[a] = 2 * s;
        }
        let kept = 0;
        for (let a = 0; a < n; a++) {
          const k = w * n + a;
          const mk = beta1 * (mom[k] as number) + (1 - beta1) * (g[a] as number);
          const vk = beta2 * (vel[k] as number) + (1 - beta2) * (g[a] as number) ** 2;
          mom[k] = mk;
          vel[k] = vk;
          const u = mk / (1 - beta1 ** t) / (Math.sqrt(vk / (1 - beta2 ** t)) + eps);
          const agree = !cautious || mk * (g[a] as number) > 0;
          step[a] = agree ? u : 0;
          if (agree) kept++;
        }
        const scale = cautious ? 1 / Math.max(kept / n, 1e-3) : 1;
        for (let a = 0; a < n; a++) this.q[w * n + a] = this.clip(a, (this.q[w * n + a] as number) - lr * scale * (step[a] as number));
        this.p.kinematics.wrapRoot(this.q, w);
        if (this.stalled(w, loss)) {
          this.restart(w);
          mom.fill(0, w * n, (w + 1) * n);
          vel.fill(0, w * n, (w + 1) * n);
        }
      }
    }
  }

  runCcd(): void {
    const B = this.p.batch;
    const n = this.p.size;
    const kb = this.p.kinematics;
    const anchor = new Float64Array(3);
    const axis = new Float64Array(3);
    const pe = new Float64Array(3);
    const rot = new Float64Array(9);
    for (let it = 0; it < this.maxIterations; it++) {
      if (!this.checkAll(false)) return;
      for (let k = 0; k < this.p.tasks.length; k++) {
        const task = this.p.tasks[k] as IkTaskSpec;
        if (task.kind === 'orientation') continue;
        const moves = kb.movers(task.effector.body);
        for (let i = n - 1; i >= 0; i--) {
          if (moves[i] === 0) continue;
          kb.setVariables(this.q);
          for (let w = 0; w < B; w++) {
            if (this.active[w] === 0) continue;
            this.iterations[w] = it + 1;
            const revolute = kb.variableAxis(i, w, anchor, axis);
            kb.position(task.effector, w, pe);
            const t = this.p.targets[k] as Float64Array;
            const target = [t[3 * w] as number, t[3 * w + 1] as number, t[3 * w + 2] as number];
            let from: number[];
            let to: number[];
            if (task.kind === 'position') {
              if (!revolute) {
                this.q[w * n + i] = this.clip(i, (this.q[w * n + i] as number) + offsetAlong(axis, pe, target));
                continue;
              }
              from = [0, 1, 2].map((r) => (pe[r] as number) - (anchor[r] as number));
              to = [0, 1, 2].map((r) => (target[r] as number) - (anchor[r] as number));
            } else {
              if (!revolute) continue;
              // Look-at: turn the gaze axis towards the direction to the target.
              kb.rotation(task.effector, w, rot);
              const a = task.axis;
              from = [0, 1, 2].map((r) => (rot[3 * r] as number) * a[0] + (rot[3 * r + 1] as number) * a[1] + (rot[3 * r + 2] as number) * a[2]);
              to = [0, 1, 2].map((r) => (target[r] as number) - (pe[r] as number));
            }
            const angle = planarAngle(axis, from, to);
            if (kb.rootRotation && i < 3) kb.rotateRoot(this.q, w, i, angle);
            else this.q[w * n + i] = this.clip(i, (this.q[w * n + i] as number) + angle);
          }
        }
      }
    }
  }

  runFabrik(): void {
    const B = this.p.batch;
    const n = this.p.size;
    const kb = this.p.kinematics;
    const anchor = new Float64Array(3);
    const axis = new Float64Array(3);
    const pe = new Float64Array(3);
    for (let it = 0; it < this.maxIterations; it++) {
      if (!this.checkAll(false)) return;
      for (let k = 0; k < this.p.tasks.length; k++) {
        const task = this.p.tasks[k] as IkTaskSpec;
        if (task.kind !== 'position') continue;
        // The chain: the joints that move this effector (the root's rotation stays put), grouped by anchor.
        const moves = kb.movers(task.effector.body);
        const chain: number[] = [];
        for (let i = kb.rootRotation ? 3 : 0; i < n; i++) if (moves[i] === 1) chain.push(i);
        kb.setVariables(this.q);
        const groups: number[][] = [];
        const placed: number[][][] = [];
        const t = this.p.targets[k] as Float64Array;
        for (let w = 0; w < B; w++) {
          if (this.active[w] === 0) continue;
          this.iterations[w] = it + 1;
          // Points: one per distinct anchor along the chain, then the effector.
          const points: number[][] = [];
          const wGroups: number[][] = [];
          for (const i of chain) {
            kb.variableAxis(i, w, anchor, axis);
            const pt = [anchor[0] as number, anchor[1] as number, anchor[2] as number];
            const last = points[points.length - 1];
            if (last !== undefined && dist3(last, pt) < 1e-9) (wGroups[wGroups.length - 1] as number[]).push(i);
            else {
              points.push(pt);
              wGroups.push([i]);
            }
          }
          if (w === 0 || groups.length === 0) groups.splice(0, groups.length, ...wGroups);
          kb.position(task.effector, w, pe);
          points.push([pe[0] as number, pe[1] as number, pe[2] as number]);
          const lengths = points.slice(1).map((p, s) => dist3(p, points[s] as number[]));
          // Backward pass: the effector onto the target, each point pulled along its segment.
          points[points.length - 1] = [t[3 * w] as number, t[3 * w + 1] as number, t[3 * w + 2] as number];
          for (let s = points.length - 2; s >= 0; s--) placeAlong(points, s, s + 1, lengths[s] as number);
          placed[w] = points;
        }
        // Forward pass with the hinge constraints, all worlds together: from the fixed base, each
        // group of joints turns towards the point placed after it; the next group starts from
        // where the joints actually put it, and FABRIK's points beyond are re-pulled from there.
        for (let g = 0; g < groups.length; g++) {
          for (const i of groups[g] as number[]) {
            kb.setVariables(this.q);
            for (let w = 0; w < B; w++) {
              if (this.active[w] === 0) continue;
              const P = placed[w] as number[][];
              const base = this.chainPoint(task, groups, g, w);
              const current = this.chainPoint(task, groups, g + 1, w);
              const next = P[g + 1] as number[];
              const revolute = kb.variableAxis(i, w, anchor, axis);
              if (!revolute) {
                this.q[w * n + i] = this.clip(i, (this.q[w * n + i] as number) + offsetAlong(axis, current, next));
                continue;
              }
              const angle = planarAngle(axis, current.map((c, r) => c - (base[r] as number)), next.map((c, r) => c - (base[r] as number)));
              this.q[w * n + i] = this.clip(i, (this.q[w * n + i] as number) + angle);
            }
          }
          kb.setVariables(this.q);
          for (let w = 0; w < B; w++) {
            if (this.active[w] === 0) continue;
            const P = placed[w] as number[][];
            P[g + 1] = this.chainPoint(task, groups, g + 1, w);
            for (let s = g + 2; s < P.length; s++) placeAlong(P, s, s - 1, dist3(P[s] as number[], P[s - 1] as number[]));
          }
        }
      }
    }
  }

  /** The current position of point `g` of a chain: the anchor of group g, or the effector after the last group. */
  private chainPoint(task: IkTaskSpec, groups: readonly number[][], g: number, w: number): number[] {
    const kb = this.p.kinematics;
    const a = new Float64Array(3);
    const x = new Float64Array(3);
    if (g < groups.length) kb.variableAxis((groups[g] as number[])[0] as number, w, a, x);
    else kb.position(task.effector, w, a);
    return [a[0] as number, a[1] as number, a[2] as number];
  }
}

/** The signed angle about unit `axis` that turns `from` onto `to`, both projected onto the plane normal to the axis (0 if either projection vanishes). */
function planarAngle(axis: ArrayLike<number>, from: readonly number[], to: readonly number[]): number {
  const ax = axis[0] as number;
  const ay = axis[1] as number;
  const az = axis[2] as number;
  const fa = (from[0] as number) * ax + (from[1] as number) * ay + (from[2] as number) * az;
  const ta = (to[0] as number) * ax + (to[1] as number) * ay + (to[2] as number) * az;
  const f = [(from[0] as number) - fa * ax, (from[1] as number) - fa * ay, (from[2] as number) - fa * az];
  const t = [(to[0] as number) - ta * ax, (to[1] as number) - ta * ay, (to[2] as number) - ta * az];
  const c = [(f[1] as number) * (t[2] as number) - (f[2] as number) * (t[1] as number), (f[2] as number) * (t[0] as number) - (f[0] as number) * (t[2] as number), (f[0] as number) * (t[1] as number) - (f[1] as number) * (t[0] as number)];
  const sin = (c[0] as number) * ax + (c[1] as number) * ay + (c[2] as number) * az;
  const cos = (f[0] as number) * (t[0] as number) + (f[1] as number) * (t[1] as number) + (f[2] as number) * (t[2] as number);
  return sin === 0 && cos === 0 ? 0 : Math.atan2(sin, cos);
}

/** (to − from)·axis: how far a slide joint along `axis` moves `from` towards `to`. */
function offsetAlong(axis: ArrayLike<number>, from: ArrayLike<number>, to: ArrayLike<number>): number {
  let s = 0;
  for (let r = 0; r < 3; r++) s += ((to[r] as number) - (from[r] as number)) * (axis[r] as number);
  return s;
}

function dist3(a: readonly number[], b: readonly number[]): number {
  return Math.hypot((a[0] as number) - (b[0] as number), (a[1] as number) - (b[1] as number), (a[2] as number) - (b[2] as number));
}

/** FABRIK's placement: point `s` moves onto the line from point `from` through it, at `length` from `from`. */
function placeAlong(P: number[][], s: number, from: number, length: number): void {
  const a = P[from] as number[];
  const b = P[s] as number[];
  const d = dist3(a, b);
  if (d < 1e-12) return;
  for (let r = 0; r < 3; r++) b[r] = (a[r] as number) + ((length * ((b[r] as number) - (a[r] as number))) / d);
}

/** Solves A x = b in place (b ← x) for a symmetric positive-definite A (lower triangle used, overwritten by its Cholesky factor). */
function solveSpd(A: Float64Array, b: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j] as number;
    for (let k = 0; k < j; k++) d -= (A[j * n + k] as number) ** 2;
    const l = Math.sqrt(Math.max(d, 1e-300));
    A[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j] as number;
      for (let k = 0; k < j; k++) s -= (A[i * n + k] as number) * (A[j * n + k] as number);
      A[i * n + j] = s / l;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (A[i * n + k] as number) * (b[k] as number);
    b[i] = s / (A[i * n + i] as number);
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i] as number;
    for (let k = i + 1; k < n; k++) s -= (A[k * n + i] as number) * (b[k] as number);
    b[i] = s / (A[i * n + i] as number);
  }
}
