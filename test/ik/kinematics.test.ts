import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { IkError } from '../../src/ik/errors.js';
import { chainJoints, findEffector, KinematicBatch, type Effector } from '../../src/ik/kinematic-batch.js';
import { IK_MODELS } from '../../src/ik/models.js';
import { loadMjcfFile } from '../../src/physics/index.js';

const HUMANOID = fileURLToPath(new URL('../../../shared/fixtures/mujoco/humanoid.xml', import.meta.url));

/** Random variables within the batch's bounds (unbounded ones — the root rotation — in ±1 rad per axis). */
function randomVariables(kb: KinematicBatch, rng: Rng): Float64Array {
  return Float64Array.from({ length: kb.size * kb.batch }, (_, i) => {
    const k = i % kb.size;
    const lo = Number.isFinite(kb.lower[k] as number) ? (kb.lower[k] as number) : -1;
    const hi = Number.isFinite(kb.upper[k] as number) ? (kb.upper[k] as number) : 1;
    return rng.uniformRange(lo, hi);
  });
}

/**
 * Central differences of the effector position and orientation in every variable, against the
 * analytic Jacobian columns. h = 1e-6: truncation ~h² and rounding ~1e-16/h ≈ 1e-10 relative to
 * O(1) lengths; the acceptance bound is 1e-7.
 */
function worstJacobianError(kb: KinematicBatch, effectors: readonly Effector[], q: Float64Array): number {
  const n = kb.size;
  const h = 1e-6;
  let worst = 0;
  const linear = new Float64Array(3 * n);
  const angular = new Float64Array(3 * n);
  const pPlus = new Float64Array(3);
  const pMinus = new Float64Array(3);
  const rPlus = new Float64Array(9);
  const rMinus = new Float64Array(9);
  for (let w = 0; w < kb.batch; w++) {
    for (const e of effectors) {
      kb.setVariables(q);
      kb.jacobian(e, w, linear, angular);
      const jl = linear.slice();
      const ja = angular.slice();
      for (let k = 0; k < n; k++) {
        const x = q.slice();
        x[w * n + k] = (q[w * n + k] as number) + h;
        kb.setVariables(x);
        kb.position(e, w, pPlus);
        kb.rotation(e, w, rPlus);
        x[w * n + k] = (q[w * n + k] as number) - h;
        kb.setVariables(x);
        kb.position(e, w, pMinus);
        kb.rotation(e, w, rMinus);
        // Angular velocity from the rotation difference: skew part of R₊R₋ᵀ / 2h.
        const m = (r: number, c: number) => [0, 1, 2].reduce((s, t) => s + (rPlus[3 * r + t] as number) * (rMinus[3 * c + t] as number), 0);
        const omega = [(m(2, 1) - m(1, 2)) / 2, (m(0, 2) - m(2, 0)) / 2, (m(1, 0) - m(0, 1)) / 2].map((v) => v / (2 * h));
        const fd = [0, 1, 2].map((r) => ((pPlus[r] as number) - (pMinus[r] as number)) / (2 * h));
        const colL = [0, 1, 2].map((r) => jl[r * n + k] as number);
        const colA = [0, 1, 2].map((r) => ja[r * n + k] as number);
        const scale = Math.max(1, Math.hypot(...colL), Math.hypot(...colA));
        for (let r = 0; r < 3; r++) {
          worst = Math.max(worst, Math.abs((fd[r] as number) - (colL[r] as number)) / scale, Math.abs((omega[r] as number) - (colA[r] as number)) / scale);
        }
      }
    }
  }
  return worst;
}

describe('IK kinematics: analytic Jacobians equal central finite differences of FK (≤ 1e-7)', () => {
  it('the 7-DOF arm (site ee), 4 configurations', () => {
    const model = loadMjcfFile(IK_MODELS.panda7);
    const ee = findEffector(model, 'ee');
    const kb = new KinematicBatch(model, 4, { joints: chainJoints(model, 0, ee.body) });
    expect(kb.size).toBe(7);
    expect(worstJacobianError(kb, [ee], randomVariables(kb, new Rng('panda-jac')))).toBeLessThan(1e-7);
  });

  it('the planar 3-link arm', () => {
    const model = loadMjcfFile(IK_MODELS.planar3);
    const ee = findEffector(model, 'ee');
    const kb = new KinematicBatch(model, 3, { joints: chainJoints(model, 0, ee.body) });
    expect(worstJacobianError(kb, [ee], randomVariables(kb, new Rng('planar-jac')))).toBeLessThan(1e-7);
  });

  it("the humanoid's right arm (torso → right_hand geom) and both arms plus the head with the root's rotation", () => {
    const model = loadMjcfFile(HUMANOID);
    const hand = findEffector(model, 'right_hand');
    expect(hand.kind).toBe('geom');
    const torso = model.bodyNames.indexOf('torso');
    const arm = chainJoints(model, torso, hand.body);
    expect(arm.map((j) => model.jntNames[j])).toEqual(['right_shoulder1', 'right_shoulder2', 'right_elbow']);
    const kb = new KinematicBatch(model, 3, { joints: arm });
    expect(worstJacobianError(kb, [hand], randomVariables(kb, new Rng('arm-jac')))).toBeLessThan(1e-7);
    const left = findEffector(model, 'left_hand');
    const head = findEffector(model, 'head');
    const both = new KinematicBatch(model, 2, { joints: [...arm, ...chainJoints(model, torso, left.body)], rootRotation: true });
    expect(both.size).toBe(9);
    expect(worstJacobianError(both, [hand, left, head], randomVariables(both, new Rng('whole-jac')))).toBeLessThan(1e-7);
  });

  it('the 7-DOF arm at zero has the Panda flange where its DH table puts it: (0.088, 0, 0.926)', () => {
    const model = loadMjcfFile(IK_MODELS.panda7);
    const ee = findEffector(model, 'ee');
    const kb = new KinematicBatch(model, 1, { joints: chainJoints(model, 0, ee.body) });
    kb.setVariables(new Float64Array(7));
    const p = new Float64Array(3);
    kb.position(ee, 0, p);
    expect(p[0]).toBeCloseTo(0.088, 12);
    expect(p[1]).toBeCloseTo(0, 12);
    expect(p[2]).toBeCloseTo(0.333 + 0.316 + 0.384 - 0.107, 12);
  });

  it('unknown names, broken chains and a missing floating root are IkErrors naming the problem', () => {
    const model = loadMjcfFile(HUMANOID);
    expect(() => findEffector(model, 'right_hnd')).toThrow(/no body, geom or site named "right_hnd"; did you mean "right_hand"/);
    const hand = findEffector(model, 'right_hand');
    expect(() => chainJoints(model, model.bodyNames.indexOf('left_upper_arm'), hand.body)).toThrow(/"left_upper_arm" is not an ancestor of "right_lower_arm"/);
    expect(() => chainJoints(model, 0, hand.body)).toThrow(IkError);
    const panda = loadMjcfFile(path.resolve(IK_MODELS.panda7));
    expect(() => new KinematicBatch(panda, 1, { joints: [0], rootRotation: true })).toThrow(/needs a floating root/);
  });
});
