/**
 * Cotangent ("bar") buffers for the backward pass of a batch, mirroring {@link PhysicsData}.
 *
 * For every buffer `x` of the forward dynamics there is a buffer `xBar` of the same length and
 * layout (component c of element e in world w at `(e·C + c)·B + w`) holding ∂L/∂x for a scalar
 * loss L = Σ_w L_w. Gradients with respect to model parameters are kept **per world** in
 * {@link ModelParamGrad} (world index innermost like everything else): parameter p's gradient
 * for the loss of world w is `params.p[(e·C + c)·B + w]`, and the gradient of the batch loss is
 * the sum over w ({@link ModelParamGrad.sumOverWorlds}). Keeping them per world means no stage
 * ever reduces across worlds, and per-world system identification gets its gradients for free.
 *
 * Contract of the VJP functions (`*Vjp` in this folder): each reads the bars of its stage's
 * outputs, **adds** its contribution to the bars of its inputs and to the parameter gradients,
 * and may leave the bars of its outputs clobbered (they are consumed). So a caller zeroes the
 * buffers ({@link PhysicsGrad.zero} or {@link PhysicsGrad.zeroIntermediates}), seeds the bars of
 * whatever the loss reads (`qaccBar`, but also e.g. `xposBar` for a reward on body positions or
 * `cvelBar` for contact velocities), and runs the stage VJPs in reverse stage order.
 * All buffers are allocated here, once; the VJPs allocate nothing.
 * @module
 */

import { withContactParams, type ContactParams, type LimitParams, type PhysicsModel } from '../model.js';
import { CINERT_SIZE } from '../state.js';

/**
 * The scalar (model-wide) contact and joint-limit parameters that have gradients, each mapped to
 * where the model keeps it: `model.contact.<key>` or `model.limit.<key>`.
 */
export const SCALAR_PARAMS = Object.freeze({
  contactStiffness: ['contact', 'stiffness'],
  contactDamping: ['contact', 'damping'],
  contactSmoothing: ['contact', 'smoothing'],
  contactFrictionSmoothing: ['contact', 'frictionSmoothing'],
  contactGateSmoothing: ['contact', 'gateSmoothing'],
  limitStiffness: ['limit', 'stiffness'],
  limitDamping: ['limit', 'damping'],
  limitSmoothing: ['limit', 'smoothing'],
  limitGateSmoothing: ['limit', 'gateSmoothing'],
} as const);

/** Name of a scalar contact or limit parameter with a gradient (see {@link SCALAR_PARAMS}). */
export type ScalarParamName = keyof typeof SCALAR_PARAMS;

/** The current value of scalar parameter `name` in `model`. */
export function scalarParam(model: PhysicsModel, name: ScalarParamName): number {
  const [group, key] = SCALAR_PARAMS[name];
  return group === 'contact' ? model.contact[key] : model.limit[key];
}

/**
 * A copy of `model` with the given scalar contact/limit parameters replaced (through
 * `withContactParams`), keeping the per-contact friction `conFriction` array of `model` as it is
 * (so that gradient steps on μ and on the scalars compose).
 */
export function withScalarParams(model: PhysicsModel, values: Partial<Record<ScalarParamName, number>>): PhysicsModel {
  const contact: { -readonly [K in keyof ContactParams]?: ContactParams[K] } = {};
  const limit: { -readonly [K in keyof LimitParams]?: LimitParams[K] } = {};
  for (const name of Object.keys(values) as ScalarParamName[]) {
    const v = values[name];
    if (v === undefined) continue;
    const [group, key] = SCALAR_PARAMS[name];
    if (group === 'contact') contact[key] = v;
    else limit[key] = v;
  }
  return { ...withContactParams(model, contact, limit), conFriction: model.conFriction };
}

/**
 * Per-world gradients with respect to model parameters, each `[elements·components·B]` with the
 * world index innermost: the array parameters ({@link ModelParamGrad.FIELDS}) are named after
 * the {@link PhysicsModel} fields they differentiate, the scalar contact and limit parameters
 * ({@link ModelParamGrad.SCALAR_FIELDS}, one number per world) after {@link SCALAR_PARAMS}.
 *
 * To add a parameter: add a field here (allocated in the constructor and zeroed by `zero`),
 * and accumulate into it in the VJP of the stage that reads the parameter.
 */
export class ModelParamGrad {
  /** [nbody·B] ∂L/∂bodyMass (kg⁻¹ units of L). */
  readonly bodyMass: Float64Array;
  /** [nbody·3·B] ∂L/∂bodyInertia (principal moments). */
  readonly bodyInertia: Float64Array;
  /** [nbody·3·B] ∂L/∂bodyIpos (centre of mass in the body frame). */
  readonly bodyIpos: Float64Array;
  /** [nu·B] ∂L/∂actuatorGear. */
  readonly actuatorGear: Float64Array;
  /** [nv·B] ∂L/∂dofDamping. */
  readonly dofDamping: Float64Array;
  /** [nv·B] ∂L/∂dofArmature. */
  readonly dofArmature: Float64Array;
  /** [njnt·B] ∂L/∂jntStiffness. */
  readonly jntStiffness: Float64Array;
  /** [njnt·B] ∂L/∂jntSpringRef. */
  readonly jntSpringRef: Float64Array;
  /** [3·B] ∂L/∂gravity. */
  readonly gravity: Float64Array;
  /** [ncon·B] ∂L/∂conFriction (friction coefficient μ of each contact sphere). */
  readonly conFriction: Float64Array;
  /** [B] each: ∂L/∂ of the scalar contact and limit parameters (see {@link SCALAR_PARAMS}). */
  readonly contactStiffness: Float64Array;
  readonly contactDamping: Float64Array;
  readonly contactSmoothing: Float64Array;
  readonly contactFrictionSmoothing: Float64Array;
  readonly contactGateSmoothing: Float64Array;
  readonly limitStiffness: Float64Array;
  readonly limitDamping: Float64Array;
  readonly limitSmoothing: Float64Array;
  readonly limitGateSmoothing: Float64Array;

  /** Names of the parameter fields, in a fixed order (for iteration in tests and optimisers). */
  static readonly FIELDS = [
    'bodyMass',
    'bodyInertia',
    'bodyIpos',
    'actuatorGear',
    'dofDamping',
    'dofArmature',
    'jntStiffness',
    'jntSpringRef',
    'gravity',
    'conFriction',
  ] as const;

  /** Names of the scalar contact and limit parameter gradients (keys of {@link SCALAR_PARAMS}). */
  static readonly SCALAR_FIELDS = Object.keys(SCALAR_PARAMS) as readonly ScalarParamName[];

  constructor(
    model: PhysicsModel,
    readonly batch: number,
  ) {
    const B = batch;
    const { nbody, nu, nv, njnt, ncon } = model;
    this.bodyMass = new Float64Array(nbody * B);
    this.bodyInertia = new Float64Array(nbody * 3 * B);
    this.bodyIpos = new Float64Array(nbody * 3 * B);
    this.actuatorGear = new Float64Array(nu * B);
    this.dofDamping = new Float64Array(nv * B);
    this.dofArmature = new Float64Array(nv * B);
    this.jntStiffness = new Float64Array(njnt * B);
    this.jntSpringRef = new Float64Array(njnt * B);
    this.gravity = new Float64Array(3 * B);
    this.conFriction = new Float64Array(ncon * B);
    this.contactStiffness = new Float64Array(B);
    this.contactDamping = new Float64Array(B);
    this.contactSmoothing = new Float64Array(B);
    this.contactFrictionSmoothing = new Float64Array(B);
    this.contactGateSmoothing = new Float64Array(B);
    this.limitStiffness = new Float64Array(B);
    this.limitDamping = new Float64Array(B);
    this.limitSmoothing = new Float64Array(B);
    this.limitGateSmoothing = new Float64Array(B);
  }

  /** Sets every parameter gradient to 0. */
  zero(): void {
    for (const f of ModelParamGrad.FIELDS) this[f].fill(0);
    for (const f of ModelParamGrad.SCALAR_FIELDS) this[f].fill(0);
  }

  /**
   * The gradient of the batch loss Σ_w L_w with respect to parameter `field`: the per-world
   * gradients summed over worlds, one entry per model entry (length = the model array's length).
   */
  sumOverWorlds(field: ModelParamName | ScalarParamName, out?: Float64Array): Float64Array {
    const src = this[field];
    const B = this.batch;
    const n = src.length / B;
    const dst = out ?? new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let w = 0; w < B; w++) s += src[i * B + w] as number;
      dst[i] = s;
    }
    return dst;
  }
}

/** Name of a differentiable model parameter (a field of both {@link PhysicsModel} and {@link ModelParamGrad}). */
export type ModelParamName = (typeof ModelParamGrad.FIELDS)[number];

/**
 * Cotangent buffers of the forward dynamics and of a whole substep (contact, limits, damped
 * solve, integrator) for `batch` worlds, plus the backward pass's own scratch. Field `xBar` is
 * ∂L/∂x for the {@link PhysicsData} field `x`.
 *
 * Not differentiable outputs: the Cholesky factor `qL`/`qLDiagInv` (the solve VJP treats
 * factor-and-solve as one stage, x = M⁻¹b, and never forms L̄).
 */
export class PhysicsGrad {
  /** Number of worlds B. */
  readonly batch: number;
  /** [nq·B] ∂L/∂qpos (the free joint's quaternion as 4 free coordinates). */
  readonly qposBar: Float64Array;
  /** [nv·B] ∂L/∂qvel. */
  readonly qvelBar: Float64Array;
  /** [nu·B] ∂L/∂ctrl. */
  readonly ctrlBar: Float64Array;
  readonly xposBar: Float64Array;
  readonly xquatBar: Float64Array;
  readonly xmatBar: Float64Array;
  readonly xanchorBar: Float64Array;
  readonly xaxisBar: Float64Array;
  readonly cinertBar: Float64Array;
  readonly cdofBar: Float64Array;
  readonly crbBar: Float64Array;
  readonly dofForceBar: Float64Array;
  /**
   * [nv·nv·B] ∂L/∂qM as a full matrix: the CRBA VJP reads entry (i, j) and (j, i) of it (the
   * forward writes both triangles), so a symmetric or a one-sided seed both work. The composed
   * `forwardVjp` never fills it (the solve's M̄ = −b̄·xᵀ goes straight into the CRBA VJP in
   * rank-one form) and reads it, with `crbBar` and `dofForceBar`, only when asked to.
   */
  readonly qMBar: Float64Array;
  readonly cvelBar: Float64Array;
  readonly cdofDotBar: Float64Array;
  readonly caccBar: Float64Array;
  readonly cfrcBar: Float64Array;
  readonly qfrcBiasBar: Float64Array;
  readonly qfrcPassiveBar: Float64Array;
  readonly qfrcActuatorBar: Float64Array;
  readonly qfrcSmoothBar: Float64Array;
  readonly qaccBar: Float64Array;
  /**
   * [nv·B] b̄ = M⁻¹·q̈̄, the part of τ̄ that came through the solve (written by `solveVjp`;
   * `dampedSolveVjp` writes its b̄ = qMDamp⁻¹·q̈̄ here too); with the solution (`qacc`, resp.
   * `qaccStep`) it is the rank-one form of M̄ = −b̄·q̈ᵀ that `crbaVjp` contracts.
   */
  readonly qfrcSolveBar: Float64Array;
  /** [nq·B], [nv·B] ∂L/∂qposNext, ∂L/∂qvelNext: the state after a substep (read by `integrateVjp`). */
  readonly qposNextBar: Float64Array;
  readonly qvelNextBar: Float64Array;
  /** [nv·B] ∂L/∂qaccStep (the integrator's acceleration). */
  readonly qaccStepBar: Float64Array;
  /** [nv·B] ∂L/∂qfrcTotal; after `dampedSolveVjp`, the total τ̄ of the substep's force sum. */
  readonly qfrcTotalBar: Float64Array;
  readonly qfrcContactBar: Float64Array;
  readonly qfrcLimitBar: Float64Array;
  /** [ncon·3·B], [ncon·B], [ncon·3·B], [ncon·3·B], [ncon·3·B]: bars of the per-contact outputs. */
  readonly conPointBar: Float64Array;
  readonly conDistBar: Float64Array;
  readonly conVelBar: Float64Array;
  readonly conForceBar: Float64Array;
  readonly conImplicitBar: Float64Array;
  /** [nbody·6·B] ∂L/∂cfrcExt (the subtree-summed contact wrenches the forward leaves there). */
  readonly cfrcExtBar: Float64Array;
  /** [nv·2·B] ∂L/∂limImplicit. */
  readonly limImplicitBar: Float64Array;
  /** Per-world model-parameter gradients. */
  readonly params: ModelParamGrad;

  /** Scratch: [njnt·4·B] the body quaternion just before each joint acts (kinematics VJP). */
  readonly jntQuatIn: Float64Array;
  /** Scratch: [njnt·2·B] cos and sin of each hinge's half angle (kinematics VJP). */
  readonly jntHalfCS: Float64Array;
  /** Scratch: [nv·6·B] partial body velocities some dofs' Ṡ were formed with (RNE VJP). */
  readonly dofVel: Float64Array;
  /** Scratch: [B] one mass-matrix entry's cotangent across worlds (CRBA VJP). */
  readonly crbaRow: Float64Array;
  /**
   * Scratch: [nbody·6·B] each, body "velocities" V_b(u), V_b(x) and momenta of the CRBA VJP's
   * rank-one part; `dampedSolveVjp` uses the same four for the implicit contact terms (V_b(u),
   * V_b(x) and their bars).
   */
  readonly rankOneVelU: Float64Array;
  readonly rankOneVelX: Float64Array;
  readonly rankOneMomU: Float64Array;
  readonly rankOneMomX: Float64Array;

  /** Every cotangent buffer except the scratch, for zeroing. */
  private readonly intermediates: readonly Float64Array[];

  /**
   * @param model the shared model.
   * @param batch number of worlds B ≥ 1 (must match the {@link PhysicsData} it is used with).
   */
  constructor(
    readonly model: PhysicsModel,
    batch: number,
  ) {
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`PhysicsGrad: batch must be a positive integer, got ${batch}`);
    this.batch = batch;
    const B = batch;
    const { nbody, njnt, nq, nv, nu } = model;
    this.qposBar = new Float64Array(nq * B);
    this.qvelBar = new Float64Array(nv * B);
    this.ctrlBar = new Float64Array(nu * B);
    this.xposBar = new Float64Array(nbody * 3 * B);
    this.xquatBar = new Float64Array(nbody * 4 * B);
    this.xmatBar = new Float64Array(nbody * 9 * B);
    this.xanchorBar = new Float64Array(njnt * 3 * B);
    this.xaxisBar = new Float64Array(njnt * 3 * B);
    this.cinertBar = new Float64Array(nbody * CINERT_SIZE * B);
    this.cdofBar = new Float64Array(nv * 6 * B);
    this.crbBar = new Float64Array(nbody * CINERT_SIZE * B);
    this.dofForceBar = new Float64Array(nv * 6 * B);
    this.qMBar = new Float64Array(nv * nv * B);
    this.cvelBar = new Float64Array(nbody * 6 * B);
    this.cdofDotBar = new Float64Array(nv * 6 * B);
    this.caccBar = new Float64Array(nbody * 6 * B);
    this.cfrcBar = new Float64Array(nbody * 6 * B);
    this.qfrcBiasBar = new Float64Array(nv * B);
    this.qfrcPassiveBar = new Float64Array(nv * B);
    this.qfrcActuatorBar = new Float64Array(nv * B);
    this.qfrcSmoothBar = new Float64Array(nv * B);
    this.qaccBar = new Float64Array(nv * B);
    this.qfrcSolveBar = new Float64Array(nv * B);
    const { ncon } = model;
    this.qposNextBar = new Float64Array(nq * B);
    this.qvelNextBar = new Float64Array(nv * B);
    this.qaccStepBar = new Float64Array(nv * B);
    this.qfrcTotalBar = new Float64Array(nv * B);
    this.qfrcContactBar = new Float64Array(nv * B);
    this.qfrcLimitBar = new Float64Array(nv * B);
    this.conPointBar = new Float64Array(ncon * 3 * B);
    this.conDistBar = new Float64Array(ncon * B);
    this.conVelBar = new Float64Array(ncon * 3 * B);
    this.conForceBar = new Float64Array(ncon * 3 * B);
    this.conImplicitBar = new Float64Array(ncon * 3 * B);
    this.cfrcExtBar = new Float64Array(nbody * 6 * B);
    this.limImplicitBar = new Float64Array(nv * 2 * B);
    this.params = new ModelParamGrad(model, B);
    this.jntQuatIn = new Float64Array(njnt * 4 * B);
    this.jntHalfCS = new Float64Array(njnt * 2 * B);
    this.dofVel = new Float64Array(nv * 6 * B);
    this.crbaRow = new Float64Array(B);
    this.rankOneVelU = new Float64Array(nbody * 6 * B);
    this.rankOneVelX = new Float64Array(nbody * 6 * B);
    this.rankOneMomU = new Float64Array(nbody * 6 * B);
    this.rankOneMomX = new Float64Array(nbody * 6 * B);
    this.intermediates = [
      this.xposBar,
      this.xquatBar,
      this.xmatBar,
      this.xanchorBar,
      this.xaxisBar,
      this.cinertBar,
      this.cdofBar,
      this.crbBar,
      this.dofForceBar,
      this.qMBar,
      this.cvelBar,
      this.cdofDotBar,
      this.caccBar,
      this.cfrcBar,
      this.qfrcBiasBar,
      this.qfrcPassiveBar,
      this.qfrcActuatorBar,
      this.qfrcSmoothBar,
      this.qaccBar,
      this.qfrcSolveBar,
      this.qposNextBar,
      this.qvelNextBar,
      this.qaccStepBar,
      this.qfrcTotalBar,
      this.qfrcContactBar,
      this.qfrcLimitBar,
      this.conPointBar,
      this.conDistBar,
      this.conVelBar,
      this.conForceBar,
      this.conImplicitBar,
      this.cfrcExtBar,
      this.limImplicitBar,
    ];
  }

  /**
   * Zeroes the bars of every forward intermediate and output (poses … qacc, the substep's
   * contact, limit, solve and integrator outputs), but not the
   * input bars (`qposBar`, `qvelBar`, `ctrlBar`) nor the parameter gradients, so that a rollout
   * can keep accumulating those across steps.
   */
  zeroIntermediates(): void {
    for (const a of this.intermediates) a.fill(0);
  }

  /**
   * Zeroes every bar, input bars included, but not the parameter gradients: between the steps
   * of a backward rollout, where the parameter gradients accumulate over the window while the
   * state cotangents are handed from step to step in buffers of the caller's.
   */
  zeroExceptParams(): void {
    this.zeroIntermediates();
    this.qposBar.fill(0);
    this.qvelBar.fill(0);
    this.ctrlBar.fill(0);
  }

  /** Zeroes every bar and every parameter gradient. */
  zero(): void {
    this.zeroExceptParams();
    this.params.zero();
  }
}
