/**
 * Backward pass of the forward-dynamics solve ({@link choleskyFactor} then
 * {@link choleskySolve}), treated as one stage: τ = τ_act + τ_pass − c, q̈ = M⁻¹·τ.
 * @module
 */

import { choleskySolveInPlace } from '../cholesky.js';
import { checkBuffer } from '../kinematics.js';
import type { PhysicsModel } from '../model.js';

/** Forward values {@link solveVjp} reads: the cached factor of M and the solution. */
export interface SolveVjpForward {
  readonly qL: Float64Array;
  readonly qLDiagInv: Float64Array;
  readonly qacc: Float64Array;
}

/** Cotangents of {@link solveVjp}. */
export interface SolveVjpGrad {
  /** Read: bar of qacc. */
  readonly qaccBar: Float64Array;
  /** Read and updated: on entry the bar of the output qfrcSmooth (τ), on return the total τ̄. */
  readonly qfrcSmoothBar: Float64Array;
  /** Written: b̄ = M⁻¹·q̈̄ (the rank-one factor of M̄ = −b̄·q̈ᵀ). */
  readonly qfrcSolveBar: Float64Array;
  /** Accumulated into. */
  readonly qfrcActuatorBar: Float64Array;
  readonly qfrcPassiveBar: Float64Array;
  readonly qfrcBiasBar: Float64Array;
  /** Accumulated into only when `denseMassBar` is set. */
  readonly qMBar: Float64Array;
}

/**
 * VJP of the solve q̈ = M⁻¹·τ with τ = qfrcActuator + qfrcPassive − qfrcBias.
 *
 * Adjoint of a linear solve (M symmetric positive definite): from M·q̈ = τ,
 * dq̈ = M⁻¹(dτ − dM·q̈), so for a cotangent q̈̄: b̄ = M⁻ᵀq̈̄ = M⁻¹q̈̄ — one more solve with the
 * cached factor, no new factorisation — τ̄ += b̄ and M̄ = −b̄·q̈ᵀ. Then τ's three terms get
 * +τ̄, +τ̄, −τ̄.
 *
 * M̄ is rank one, so by default it is not formed: b̄ is left in `qfrcSolveBar` and
 * {@link crbaVjp} contracts −b̄·q̈ᵀ with dM/dq entry by entry (pass it `qfrcSolveBar` and `qacc`).
 * With `denseMassBar` the full matrix −b̄·q̈ᵀ is also added to `qMBar` (for tests, or for a
 * caller that perturbs M itself). The matrix factored need not be the bare M: if a caller
 * factors M + D (e.g. implicit damping), the same b̄ and M̄ are its adjoints, and D̄ = M̄ on D's
 * entries.
 */
export function solveVjp(model: PhysicsModel, B: number, fwd: SolveVjpForward, grad: SolveVjpGrad, denseMassBar = false): void {
  const n = model.nv;
  const { qL, qLDiagInv, qacc } = fwd;
  const { qaccBar, qfrcSmoothBar, qfrcSolveBar, qfrcActuatorBar, qfrcPassiveBar, qfrcBiasBar, qMBar } = grad;
  checkBuffer(qL, n * n * B, 'qL');
  checkBuffer(qLDiagInv, n * B, 'qLDiagInv');
  checkBuffer(qacc, n * B, 'qacc');
  checkBuffer(qaccBar, n * B, 'qaccBar');
  checkBuffer(qfrcSmoothBar, n * B, 'qfrcSmoothBar');
  checkBuffer(qfrcSolveBar, n * B, 'qfrcSolveBar');
  checkBuffer(qfrcActuatorBar, n * B, 'qfrcActuatorBar');
  checkBuffer(qfrcPassiveBar, n * B, 'qfrcPassiveBar');
  checkBuffer(qfrcBiasBar, n * B, 'qfrcBiasBar');
  if (denseMassBar) checkBuffer(qMBar, n * n * B, 'qMBar');
  for (let t = 0; t < n * B; t++) qfrcSolveBar[t] = qaccBar[t] as number;
  choleskySolveInPlace(n, B, qL, qLDiagInv, qfrcSolveBar);
  for (let t = 0; t < n * B; t++) {
    const tb = (qfrcSmoothBar[t] as number) + (qfrcSolveBar[t] as number);
    qfrcSmoothBar[t] = tb;
    qfrcActuatorBar[t] = (qfrcActuatorBar[t] as number) + tb;
    qfrcPassiveBar[t] = (qfrcPassiveBar[t] as number) + tb;
    qfrcBiasBar[t] = (qfrcBiasBar[t] as number) - tb;
  }
  if (!denseMassBar) return;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const ij = (i * n + j) * B;
      for (let w = 0; w < B; w++) qMBar[ij + w] = (qMBar[ij + w] as number) - (qfrcSolveBar[i * B + w] as number) * (qacc[j * B + w] as number);
    }
  }
}
