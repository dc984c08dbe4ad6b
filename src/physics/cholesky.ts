/**
 * Dense Cholesky factorisation M = L·Lᵀ and solves, batched over worlds (world index
 * innermost, as everywhere in `physics/`).
 *
 * Why dense and why this loop order: nv ≤ ~30 for the locomotion models, where a dense factor
 * costs a few hundred multiply–adds per world and its adjoint is simple (the backward pass
 * reuses L). Each entry L_ij is accumulated in place over k with the world loop innermost, so
 * every inner loop streams three contiguous runs of B doubles with no branches. Reciprocals of
 * the diagonal are kept so the solves multiply instead of divide.
 *
 * A matrix that is not positive definite gives NaN in that world's factor (√ of a negative
 * number) rather than an exception, so one bad world does not stop the batch.
 * @module
 */

import { checkBuffer } from './kinematics.js';
import type { PhysicsModel } from './model.js';
import type { FactorBuffers, SolveBuffers } from './state.js';

/** L with M = L·Lᵀ for all B worlds: reads `qM`, writes `qL` (strict upper triangle 0) and `qLDiagInv`. */
export function choleskyFactor(model: PhysicsModel, B: number, io: FactorBuffers): void {
  const n = model.nv;
  const { qM, qL, qLDiagInv } = io;
  checkBuffer(qM, n * n * B, 'qM');
  checkBuffer(qL, n * n * B, 'qL');
  checkBuffer(qLDiagInv, n * B, 'qLDiagInv');
  for (let j = 0; j < n; j++) {
    const jj = (j * n + j) * B;
    // L_jj = √(M_jj − Σ_k L_jk²)
    for (let w = 0; w < B; w++) qL[jj + w] = qM[jj + w] as number;
    for (let k = 0; k < j; k++) {
      const jk = (j * n + k) * B;
      for (let w = 0; w < B; w++) {
        const l = qL[jk + w] as number;
        qL[jj + w] = (qL[jj + w] as number) - l * l;
      }
    }
    const J = j * B;
    for (let w = 0; w < B; w++) {
      const d = Math.sqrt(qL[jj + w] as number);
      qL[jj + w] = d;
      qLDiagInv[J + w] = 1 / d;
    }
    // L_ij = (M_ij − Σ_k L_ik·L_jk) / L_jj for i > j; L_ji = 0.
    for (let i = j + 1; i < n; i++) {
      const ij = (i * n + j) * B;
      const ji = (j * n + i) * B;
      for (let w = 0; w < B; w++) {
        qL[ij + w] = qM[ij + w] as number;
        qL[ji + w] = 0;
      }
      for (let k = 0; k < j; k++) {
        const ik = (i * n + k) * B;
        const jk = (j * n + k) * B;
        for (let w = 0; w < B; w++) qL[ij + w] = (qL[ij + w] as number) - (qL[ik + w] as number) * (qL[jk + w] as number);
      }
      for (let w = 0; w < B; w++) qL[ij + w] = (qL[ij + w] as number) * (qLDiagInv[J + w] as number);
    }
  }
}

/**
 * x = M⁻¹·b for all B worlds given the factor from {@link choleskyFactor}: forward substitution
 * L·y = b, then back substitution Lᵀ·x = y, in place in `x` (which may be `b` itself).
 */
export function choleskySolveInPlace(n: number, B: number, qL: Float64Array, qLDiagInv: Float64Array, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const I = i * B;
    for (let k = 0; k < i; k++) {
      const ik = (i * n + k) * B;
      const K = k * B;
      for (let w = 0; w < B; w++) x[I + w] = (x[I + w] as number) - (qL[ik + w] as number) * (x[K + w] as number);
    }
    for (let w = 0; w < B; w++) x[I + w] = (x[I + w] as number) * (qLDiagInv[I + w] as number);
  }
  for (let i = n - 1; i >= 0; i--) {
    const I = i * B;
    for (let k = i + 1; k < n; k++) {
      const ki = (k * n + i) * B;
      const K = k * B;
      for (let w = 0; w < B; w++) x[I + w] = (x[I + w] as number) - (qL[ki + w] as number) * (x[K + w] as number);
    }
    for (let w = 0; w < B; w++) x[I + w] = (x[I + w] as number) * (qLDiagInv[I + w] as number);
  }
}

/**
 * The forward-dynamics solve: τ = qfrcActuator + qfrcPassive − qfrcBias into `qfrcSmooth`, then
 * qacc = M⁻¹·τ with the factor in `qL`/`qLDiagInv`.
 */
export function choleskySolve(model: PhysicsModel, B: number, io: SolveBuffers): void {
  const n = model.nv;
  const { qL, qLDiagInv, qfrcActuator, qfrcPassive, qfrcBias, qfrcSmooth, qacc } = io;
  checkBuffer(qL, n * n * B, 'qL');
  checkBuffer(qLDiagInv, n * B, 'qLDiagInv');
  checkBuffer(qfrcActuator, n * B, 'qfrcActuator');
  checkBuffer(qfrcPassive, n * B, 'qfrcPassive');
  checkBuffer(qfrcBias, n * B, 'qfrcBias');
  checkBuffer(qfrcSmooth, n * B, 'qfrcSmooth');
  checkBuffer(qacc, n * B, 'qacc');
  for (let t = 0; t < n * B; t++) {
    const tau = (qfrcActuator[t] as number) + (qfrcPassive[t] as number) - (qfrcBias[t] as number);
    qfrcSmooth[t] = tau;
    qacc[t] = tau;
  }
  choleskySolveInPlace(n, B, qL, qLDiagInv, qacc);
}
