/**
 * Backward passes of the joint-space force stages {@link passiveForces} and
 * {@link actuatorForces}. Both are elementwise, so their adjoints are too.
 * @module
 */

import { checkBuffer } from '../kinematics.js';
import { JointType, type PhysicsModel } from '../model.js';
import type { ModelParamGrad } from './grad.js';

/** Forward values {@link passiveForcesVjp} reads. */
export interface PassiveVjpForward {
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
}

/** Cotangents of {@link passiveForcesVjp}. */
export interface PassiveVjpGrad {
  /** Read: bar of the output. */
  readonly qfrcPassiveBar: Float64Array;
  /** Accumulated into. */
  readonly qposBar: Float64Array;
  readonly qvelBar: Float64Array;
  /** Accumulated into: `dofDamping`, `jntStiffness`, `jntSpringRef`. */
  readonly params: ModelParamGrad;
}

/**
 * VJP of {@link passiveForces}: τ_d = −damping_d·q̇_d − stiffness_j·(q_j − springref_j), so with
 * τ̄ the bar of qfrcPassive: q̇̄_d −= damping_d·τ̄_d, damping̅_d −= q̇_d·τ̄_d, and for springs
 * (hinge/slide only, as in the forward) q̄_j −= k_j·τ̄, k̄_j −= (q_j − ref_j)·τ̄, ref̄_j += k_j·τ̄.
 * The stiffness gradient is accumulated for every hinge/slide joint, also where k = 0 (the
 * forward skips those joints, but the derivative with respect to k is still (q − ref)).
 */
export function passiveForcesVjp(model: PhysicsModel, B: number, fwd: PassiveVjpForward, grad: PassiveVjpGrad): void {
  const { nv, nq, njnt, dofDamping, jntType, jntStiffness, jntSpringRef, jntQposAdr, jntDofAdr } = model;
  const { qpos, qvel } = fwd;
  const { qfrcPassiveBar, qposBar, qvelBar, params } = grad;
  checkBuffer(qpos, nq * B, 'qpos');
  checkBuffer(qvel, nv * B, 'qvel');
  checkBuffer(qfrcPassiveBar, nv * B, 'qfrcPassiveBar');
  checkBuffer(qposBar, nq * B, 'qposBar');
  checkBuffer(qvelBar, nv * B, 'qvelBar');
  const dampBar = params.dofDamping;
  const kBar = params.jntStiffness;
  const refBar = params.jntSpringRef;
  for (let d = 0; d < nv; d++) {
    const c = dofDamping[d] as number;
    const Q = d * B;
    for (let w = 0; w < B; w++) {
      const tb = qfrcPassiveBar[Q + w] as number;
      qvelBar[Q + w] = (qvelBar[Q + w] as number) - c * tb;
      dampBar[Q + w] = (dampBar[Q + w] as number) - (qvel[Q + w] as number) * tb;
    }
  }
  for (let j = 0; j < njnt; j++) {
    if (jntType[j] === JointType.Free) continue;
    const k = jntStiffness[j] as number;
    const ref = jntSpringRef[j] as number;
    const A = (jntQposAdr[j] as number) * B;
    const D = (jntDofAdr[j] as number) * B;
    const J = j * B;
    for (let w = 0; w < B; w++) {
      const tb = qfrcPassiveBar[D + w] as number;
      qposBar[A + w] = (qposBar[A + w] as number) - k * tb;
      kBar[J + w] = (kBar[J + w] as number) - ((qpos[A + w] as number) - ref) * tb;
      refBar[J + w] = (refBar[J + w] as number) + k * tb;
    }
  }
}

/** Forward values {@link actuatorForcesVjp} reads. */
export interface ActuatorVjpForward {
  readonly ctrl: Float64Array;
}

/** Cotangents of {@link actuatorForcesVjp}. */
export interface ActuatorVjpGrad {
  /** Read: bar of the output. */
  readonly qfrcActuatorBar: Float64Array;
  /** Accumulated into. */
  readonly ctrlBar: Float64Array;
  /** Accumulated into: `actuatorGear`. */
  readonly params: ModelParamGrad;
}

/**
 * VJP of {@link actuatorForces}: τ_dof(u) += gear_u·f_u with f_u = clamp(clamp(ctrl_u, ctrlrange),
 * forcerange), so gear̅_u += f_u·τ̄ and ctrl̄_u += gear_u·τ̄ where neither clamp is active, 0 where
 * one is (strictly outside a range; exactly on a bound the one-sided derivative from inside is
 * used). Policies that want a gradient everywhere should squash with tanh rather than rely on
 * the clamp.
 */
export function actuatorForcesVjp(model: PhysicsModel, B: number, fwd: ActuatorVjpForward, grad: ActuatorVjpGrad): void {
  const { nv, nu, actuatorDof, actuatorGear, actuatorCtrlRange, actuatorCtrlLimited, actuatorForceRange, actuatorForceLimited } = model;
  const { ctrl } = fwd;
  const { qfrcActuatorBar, ctrlBar, params } = grad;
  checkBuffer(ctrl, nu * B, 'ctrl');
  checkBuffer(qfrcActuatorBar, nv * B, 'qfrcActuatorBar');
  checkBuffer(ctrlBar, nu * B, 'ctrlBar');
  const gearBar = params.actuatorGear;
  for (let u = 0; u < nu; u++) {
    const clo = actuatorCtrlLimited[u] === 1 ? (actuatorCtrlRange[2 * u] as number) : -Infinity;
    const chi = actuatorCtrlLimited[u] === 1 ? (actuatorCtrlRange[2 * u + 1] as number) : Infinity;
    const flo = actuatorForceLimited[u] === 1 ? (actuatorForceRange[2 * u] as number) : -Infinity;
    const fhi = actuatorForceLimited[u] === 1 ? (actuatorForceRange[2 * u + 1] as number) : Infinity;
    const gear = actuatorGear[u] as number;
    const U = u * B;
    const D = (actuatorDof[u] as number) * B;
    for (let w = 0; w < B; w++) {
      const x = ctrl[U + w] as number;
      const c = Math.min(Math.max(x, clo), chi);
      const f = Math.min(Math.max(c, flo), fhi);
      const tb = qfrcActuatorBar[D + w] as number;
      gearBar[U + w] = (gearBar[U + w] as number) + f * tb;
      const pass = x >= clo && x <= chi && c >= flo && c <= fhi ? 1 : 0;
      ctrlBar[U + w] = (ctrlBar[U + w] as number) + pass * gear * tb;
    }
  }
}
