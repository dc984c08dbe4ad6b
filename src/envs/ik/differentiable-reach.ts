/**
 * `rxrl/Reach-v0` as a differentiable task for analytic-gradient agents: its observation,
 * dense reward and success termination as functions of the worlds' state, with their VJPs
 * through the arm's Jacobian, and the window that steps the kinematic dynamics
 * q' = clip(q + s·clip(a, ±1)) and differentiates them.
 *
 * State layout: qpos holds each world's joint positions (n rows) then its target (3 rows), SoA;
 * there are no velocities (nv = 0) and the controls are the n joint-velocity commands.
 * @module
 */

import { ConfigError } from '../../core/errors.js';
import { KinematicBatch } from '../../ik/kinematic-batch.js';
import type { DifferentiableTask, DifferentiableWindow, WindowBackwardOptions, WorldArrays } from '../differentiable-task.js';
import { REACH_DT, type ReachKernel } from './reach.js';

/** Whether `envId` is the Reach task that {@link DifferentiableReach} differentiates. */
export function isReachEnv(envId: string): boolean {
  return envId === 'rxrl/Reach-v0';
}

/** The observation, dense reward and termination of B Reach worlds, differentiable in the joint positions. */
export class DifferentiableReach implements DifferentiableTask {
  readonly nq: number;
  readonly nv = 0;
  readonly nu: number;
  readonly observationSize: number;
  private readonly kb: KinematicBatch;
  /** One world's kinematics, for per-world queries (terminations) without recomputing all B. */
  private readonly single: KinematicBatch;
  private readonly q: Float64Array;
  private readonly jac: Float64Array;
  private readonly p = new Float64Array(3);

  constructor(
    private readonly kernel: ReachKernel,
    readonly batch: number,
  ) {
    if (kernel.reward !== 'dense') throw new ConfigError(`${kernel.id}: analytic gradients need the dense reward (the sparse one is flat almost everywhere)`);
    if (kernel.cueSteps !== 0) throw new ConfigError(`${kernel.id}: the differentiable view covers the fully observed task (cueSteps 0)`);
    const n = kernel.dof;
    this.nq = n + 3;
    this.nu = n;
    this.observationSize = kernel.observationSpace.flatDim;
    this.kb = new KinematicBatch(kernel.kinematics.model, batch, { joints: kernel.kinematics.joints });
    this.single = new KinematicBatch(kernel.kinematics.model, 1, { joints: kernel.kinematics.joints });
    this.q = new Float64Array(batch * n);
    this.jac = new Float64Array(3 * n);
  }

  /** FK of every world at `qpos` (its joint rows). */
  private forward(qpos: Float64Array, B: number): void {
    if (B !== this.batch) throw new RangeError(`DifferentiableReach: built for ${this.batch} worlds, called with ${B}`);
    const n = this.nu;
    for (let w = 0; w < B; w++) for (let i = 0; i < n; i++) this.q[w * n + i] = qpos[i * B + w] as number;
    this.kb.setVariables(this.q);
  }

  observe(qpos: Float64Array, _qvel: Float64Array, B: number, out: Float64Array, offset = 0): void {
    this.forward(qpos, B);
    const n = this.nu;
    const size = this.observationSize;
    for (let w = 0; w < B; w++) {
      const o = offset + w * size;
      this.kb.position(this.kernel.effector, w, this.p);
      for (let i = 0; i < n; i++) {
        const qi = qpos[i * B + w] as number;
        const [lo, hi] = this.kernel.limit(i);
        out[o + i] = Math.cos(qi);
        out[o + n + i] = Math.sin(qi);
        out[o + 2 * n + i] = (2 * (qi - lo)) / (hi - lo) - 1;
      }
      for (let r = 0; r < 3; r++) {
        out[o + 3 * n + r] = this.p[r] as number;
        out[o + 3 * n + 3 + r] = (qpos[(n + r) * B + w] as number) - (this.p[r] as number);
      }
      out[o + 3 * n + 6] = 1;
    }
  }

  observeVjp(qpos: Float64Array, _qvel: Float64Array, B: number, obsBar: ArrayLike<number>, qposBar: Float64Array, _qvelBar: Float64Array, offset = 0): void {
    this.forward(qpos, B);
    const n = this.nu;
    const size = this.observationSize;
    const J = this.jac;
    for (let w = 0; w < B; w++) {
      const o = offset + w * size;
      this.kb.jacobian(this.kernel.effector, w, J);
      for (let i = 0; i < n; i++) {
        const qi = qpos[i * B + w] as number;
        const [lo, hi] = this.kernel.limit(i);
        let g = -Math.sin(qi) * (obsBar[o + i] as number) + Math.cos(qi) * (obsBar[o + n + i] as number) + (2 / (hi - lo)) * (obsBar[o + 2 * n + i] as number);
        // The effector p (∂p/∂q = J) and target − p (−J).
        for (let r = 0; r < 3; r++) g += (J[r * n + i] as number) * ((obsBar[o + 3 * n + r] as number) - (obsBar[o + 3 * n + 3 + r] as number));
        qposBar[i * B + w] = (qposBar[i * B + w] as number) + g;
      }
      for (let r = 0; r < 3; r++) qposBar[(n + r) * B + w] = (qposBar[(n + r) * B + w] as number) + (obsBar[o + 3 * n + 3 + r] as number);
    }
  }

  /** Distance of world w's effector from its target (after a {@link forward} at that state). */
  private distance(qpos: Float64Array, B: number, w: number): number {
    this.kb.position(this.kernel.effector, w, this.p);
    const n = this.nu;
    return Math.hypot((this.p[0] as number) - (qpos[n * B + w] as number), (this.p[1] as number) - (qpos[(n + 1) * B + w] as number), (this.p[2] as number) - (qpos[(n + 2) * B + w] as number));
  }

  isTerminated(qpos: Float64Array, _qvel: Float64Array, B: number, w: number): boolean {
    const n = this.nu;
    for (let i = 0; i < n; i++) this.q[i] = qpos[i * B + w] as number;
    this.single.setVariables(this.q.subarray(0, n));
    this.single.position(this.kernel.effector, 0, this.p);
    const d = Math.hypot((this.p[0] as number) - (qpos[n * B + w] as number), (this.p[1] as number) - (qpos[(n + 1) * B + w] as number), (this.p[2] as number) - (qpos[(n + 2) * B + w] as number));
    return d <= this.kernel.successRadius;
  }

  /** −‖p(q_{t+1}) − target‖, as the env's dense reward. */
  reward(_qposBefore: Float64Array, qposAfter: Float64Array, _qvelAfter: Float64Array, _actions: ArrayLike<number>, B: number, out: Float64Array): void {
    this.forward(qposAfter, B);
    for (let w = 0; w < B; w++) out[w] = -this.distance(qposAfter, B, w);
  }

  /** ∂r/∂q = −(p − t)ᵀJ/‖p − t‖ and ∂r/∂t = (p − t)/‖p − t‖ at the state after the step; nothing else depends on the action. */
  rewardVjp(_qposBefore: Float64Array, qposAfter: Float64Array, _actions: ArrayLike<number>, B: number, rewardBar: ArrayLike<number>, _qposBeforeBar: Float64Array | null, qposAfterBar: Float64Array | null, _actionsBar: Float64Array | null): void {
    if (qposAfterBar === null) return;
    this.forward(qposAfter, B);
    const n = this.nu;
    const J = this.jac;
    for (let w = 0; w < B; w++) {
      const g = rewardBar[w] as number;
      if (g === 0) continue;
      this.kb.position(this.kernel.effector, w, this.p);
      const d = [0, 1, 2].map((r) => (this.p[r] as number) - (qposAfter[(n + r) * B + w] as number));
      const norm = Math.hypot(...d);
      if (!(norm > 1e-12)) continue;
      this.kb.jacobian(this.kernel.effector, w, J);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let r = 0; r < 3; r++) s += (d[r] as number) * (J[r * n + i] as number);
        qposAfterBar[i * B + w] = (qposAfterBar[i * B + w] as number) - (g * s) / norm;
      }
      for (let r = 0; r < 3; r++) qposAfterBar[(n + r) * B + w] = (qposAfterBar[(n + r) * B + w] as number) + (g * (d[r] as number)) / norm;
    }
  }
}

/** A window of Reach steps over B worlds: q' = clip(q + s·clip(a, ±1)) with its VJP (zero through an active clip). */
export class ReachWindow implements DifferentiableWindow {
  readonly qposAfterSteps: readonly Float64Array[];
  readonly qvelAfterSteps: readonly Float64Array[];
  private readonly qBefore: readonly Float64Array[];
  private readonly ctrls: readonly Float64Array[];
  private readonly resets: Uint8Array;
  private readonly ctrlBar: Float64Array;
  private readonly scale: number;
  private steps = 0;

  constructor(
    private readonly data: WorldArrays,
    private readonly kernel: ReachKernel,
    private readonly B: number,
    readonly horizon: number,
  ) {
    const n = kernel.dof;
    const nq = n + 3;
    const views = (size: number) => Array.from({ length: horizon }, () => new Float64Array(size));
    this.qposAfterSteps = views(nq * B);
    this.qvelAfterSteps = views(0);
    this.qBefore = views(n * B);
    this.ctrls = views(n * B);
    this.resets = new Uint8Array(horizon * B);
    this.ctrlBar = new Float64Array(n * B);
    this.scale = kernel.maxSpeed * REACH_DT;
  }

  begin(): void {
    this.steps = 0;
    this.resets.fill(0);
  }

  step(): void {
    const t = this.steps;
    if (t >= this.horizon) throw new RangeError(`ReachWindow.step: the window is full (${this.horizon} steps)`);
    const { B, scale } = this;
    const n = this.kernel.dof;
    const { qpos, ctrl } = this.data;
    (this.qBefore[t] as Float64Array).set(qpos.subarray(0, n * B));
    (this.ctrls[t] as Float64Array).set(ctrl);
    for (let i = 0; i < n; i++) {
      const [lo, hi] = this.kernel.limit(i);
      for (let w = 0; w < B; w++) {
        const a = ctrl[i * B + w] as number;
        const v = (qpos[i * B + w] as number) + (a < -1 ? -1 : a > 1 ? 1 : a) * scale;
        qpos[i * B + w] = v < lo ? lo : v > hi ? hi : v;
      }
    }
    (this.qposAfterSteps[t] as Float64Array).set(qpos);
    this.steps = t + 1;
  }

  markReset(w: number): void {
    if (this.steps === 0) throw new RangeError('ReachWindow.markReset: no step taken in this window');
    this.resets[(this.steps - 1) * this.B + w] = 1;
  }

  backward(options: WindowBackwardOptions): void {
    const { B, scale } = this;
    const n = this.kernel.dof;
    const cq = new Float64Array((n + 3) * B);
    const cv = new Float64Array(0);
    for (let t = this.steps - 1; t >= 0; t--) {
      for (let w = 0; w < B; w++) if (this.resets[t * B + w] === 1) for (let i = 0; i < n + 3; i++) cq[i * B + w] = 0;
      options.seed?.(t, cq, cv);
      const q0 = this.qBefore[t] as Float64Array;
      const ctrl = this.ctrls[t] as Float64Array;
      for (let i = 0; i < n; i++) {
        const [lo, hi] = this.kernel.limit(i);
        for (let w = 0; w < B; w++) {
          const k = i * B + w;
          const a = ctrl[k] as number;
          const inRange = a > -1 && a < 1;
          const v = (q0[k] as number) + (a < -1 ? -1 : a > 1 ? 1 : a) * scale;
          const free = v > lo && v < hi;
          const g = cq[k] as number;
          this.ctrlBar[k] = free && inRange ? g * scale : 0;
          cq[k] = free ? g : 0;
        }
      }
      options.onStep?.(t, this.ctrlBar, cq, cv);
    }
  }
}
