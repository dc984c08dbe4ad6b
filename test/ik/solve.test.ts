import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { IkError } from '../../src/ik/errors.js';
import { chainJoints, findEffector } from '../../src/ik/kinematic-batch.js';
import { IK_MODELS } from '../../src/ik/models.js';
import { IkProblem, type IkTaskSpec } from '../../src/ik/problem.js';
import { IK_SOLVERS, solveIk } from '../../src/ik/solve.js';
import { loadMjcfFile } from '../../src/physics/index.js';

const HUMANOID = fileURLToPath(new URL('../../../shared/fixtures/mujoco/humanoid.xml', import.meta.url));

/** The humanoid's whole-body pieces: both hands, the head, the torso, both arms' joints. */
function humanoidParts() {
  const model = loadMjcfFile(HUMANOID);
  const rh = findEffector(model, 'right_hand');
  const lh = findEffector(model, 'left_hand');
  const head = findEffector(model, 'head');
  const torso = model.bodyNames.indexOf('torso');
  const joints = [...chainJoints(model, torso, rh.body), ...chainJoints(model, torso, lh.body)];
  return { model, rh, lh, head, joints };
}

/** The whole-body problem with every kind of term: both hands, the head's gaze, an orientation, rest and smoothness. */
function humanoidProblem(batch: number) {
  const { model, rh, lh, head, joints } = humanoidParts();
  const tasks: IkTaskSpec[] = [
    { kind: 'position', effector: rh },
    { kind: 'position', effector: lh, weight: 2 },
    { kind: 'look-at', effector: head, axis: [1, 0, 0], weight: 0.1 },
    { kind: 'orientation', effector: rh, weight: 0.5 },
  ];
  return { model, joints, tasks, problem: new IkProblem(model, batch, { joints, rootRotation: true, tasks, restWeight: 0.01, smoothness: { velocity: 0.1, acceleration: 0.01, jerk: 0.001 } }) };
}

describe('IK problem residuals', () => {
  it('the stacked Jacobian (position, look-at, orientation, rest, smoothness) equals central differences', () => {
    const { problem } = humanoidProblem(2);
    const rng = new Rng('ik-residual-fd');
    const n = problem.size;
    const rand = (k: number) => Float64Array.from({ length: k }, () => rng.uniformRange(-0.6, 0.6));
    problem.setTarget(0, 0, [0.3, -0.3, 1.2]);
    problem.setTarget(0, 1, [0.2, -0.1, 1.5]);
    problem.setTarget(1, 0, [0.1, 0.4, 1.1]);
    problem.setTarget(1, 1, [0.3, 0.2, 1.0]);
    problem.setTarget(2, 0, [2, 1, 1.8]);
    problem.setTarget(2, 1, [1, -2, 1]);
    // A target orientation: some rotation matrix.
    const c = Math.cos(0.7);
    const s = Math.sin(0.7);
    problem.setTarget(3, 0, [c, -s, 0, s, c, 0, 0, 0, 1]);
    problem.setTarget(3, 1, [1, 0, 0, 0, c, -s, 0, s, c]);
    problem.rest.set(rand(2 * n));
    problem.previous.forEach((p) => p.set(rand(2 * n)));
    const q = rand(2 * n);
    const m = problem.rows;
    const r0 = new Float64Array(2 * m);
    const J = new Float64Array(2 * m * n);
    problem.evaluate(q, r0, J);
    const h = 1e-6;
    let worst = 0;
    for (let w = 0; w < 2; w++) {
      for (let k = 0; k < n; k++) {
        const plus = q.slice();
        const minus = q.slice();
        plus[w * n + k] = (q[w * n + k] as number) + h;
        minus[w * n + k] = (q[w * n + k] as number) - h;
        const rp = new Float64Array(2 * m);
        const rm = new Float64Array(2 * m);
        problem.evaluate(plus, rp);
        problem.evaluate(minus, rm);
        for (let row = 0; row < m; row++) {
          const fd = ((rp[w * m + row] as number) - (rm[w * m + row] as number)) / (2 * h);
          worst = Math.max(worst, Math.abs(fd - (J[w * m * n + row * n + k] as number)));
        }
      }
    }
    // Residuals and Jacobian entries are O(1): central differences are good to ~1e-9 here; a wrong term is O(0.1).
    expect(worst).toBeLessThan(1e-7);
  });

  it('non-finite targets and unknown tasks are IkErrors', () => {
    const { problem } = humanoidProblem(1);
    expect(() => problem.setTarget(0, 0, [0, Number.NaN, 1])).toThrow(/target entry 1 is NaN; targets must be finite/);
    expect(() => problem.setTarget(7, 0, [0, 0, 0])).toThrow(/no task 7/);
    expect(() => problem.setTarget(3, 0, [0, 0, 0])).toThrow(/takes 9 target numbers, got 3/);
  });
});

describe('IK solvers', () => {
  /** FK of random configurations within the limits: reachable targets for the effector. */
  function reachable(problem: IkProblem, effectorTask: number, seed: string): Float64Array[] {
    const kb = problem.kinematics;
    const rng = new Rng(seed);
    const q = Float64Array.from({ length: problem.batch * kb.size }, (_, i) => rng.uniformRange(kb.lower[i % kb.size] as number, kb.upper[i % kb.size] as number));
    kb.setVariables(q);
    const e = (problem.tasks[effectorTask] as IkTaskSpec).effector;
    return Array.from({ length: problem.batch }, (_, w) => {
      const p = new Float64Array(3);
      kb.position(e, w, p);
      return p;
    });
  }

  it('every solver reaches its targets on the 7-DOF arm, batched (DLS and Adam at 1 mm; CCD and FABRIK reported, not required)', () => {
    const model = loadMjcfFile(IK_MODELS.panda7);
    const ee = findEffector(model, 'ee');
    const B = 30;
    const problem = new IkProblem(model, B, { joints: chainJoints(model, 0, ee.body), tasks: [{ kind: 'position', effector: ee }] });
    reachable(problem, 0, 'panda-targets').forEach((t, w) => problem.setTarget(0, w, t));
    const rates: Record<string, number> = {};
    for (const solver of IK_SOLVERS) {
      const r = solveIk(problem, new Float64Array(B * 7), { solver, tolerance: 0.001 });
      rates[solver] = r.success.reduce((a, b) => a + b, 0) / B;
      // Every reported error is the real one at the returned q, and success means ≤ 1 mm.
      r.success.forEach((ok, w) => expect(ok === 1).toBe((r.errors[w] as number) <= 0.001));
      r.iterations.forEach((it) => expect(it).toBeLessThanOrEqual(500));
    }
    expect(rates['dls']).toBe(1);
    expect(rates['cautious-adam']).toBe(1);
    expect(rates['fabrik']).toBeLessThan(rates['dls'] as number);
  });

  it('the whole-body humanoid problem (both hands, head look-at, root rotation) is solved by DLS', () => {
    const { model, rh, lh, head, joints } = humanoidParts();
    const tasks: IkTaskSpec[] = [
      { kind: 'position', effector: rh },
      { kind: 'position', effector: lh },
      { kind: 'look-at', effector: head, axis: [1, 0, 0], weight: 0.1 },
    ];
    const B = 20;
    const problem = new IkProblem(model, B, { joints, rootRotation: true, tasks });
    const kb = problem.kinematics;
    const rng = new Rng('whole-body');
    const q = Float64Array.from({ length: B * 9 }, (_, i) => (i % 9 < 3 ? rng.uniformRange(-0.5, 0.5) : rng.uniformRange(kb.lower[i % 9] as number, kb.upper[i % 9] as number)));
    kb.setVariables(q);
    const p = new Float64Array(3);
    const rot = new Float64Array(9);
    for (let w = 0; w < B; w++) {
      kb.position(rh, w, p);
      problem.setTarget(0, w, p);
      kb.position(lh, w, p);
      problem.setTarget(1, w, p);
      kb.position(head, w, p);
      kb.rotation(head, w, rot);
      problem.setTarget(2, w, [(p[0] as number) + 2 * (rot[0] as number), (p[1] as number) + 2 * (rot[3] as number), (p[2] as number) + 2 * (rot[6] as number)]);
    }
    const r = solveIk(problem, new Float64Array(B * 9), { solver: 'dls', tolerance: 0.001 });
    expect(r.success.reduce((a, b) => a + b, 0)).toBe(B);
  });

  it('an unreachable target is a reported failure within the iteration budget, not a hang', () => {
    const model = loadMjcfFile(IK_MODELS.planar3);
    const ee = findEffector(model, 'ee');
    const problem = new IkProblem(model, 1, { joints: chainJoints(model, 0, ee.body), tasks: [{ kind: 'position', effector: ee }] });
    problem.setTarget(0, 0, [5, 0, 0]); // the arm reaches 0.75 m
    for (const solver of IK_SOLVERS) {
      const r = solveIk(problem, new Float64Array(3), { solver, maxIterations: 200 });
      expect(r.success[0]).toBe(0);
      expect(r.iterations[0]).toBe(200);
      // The best effort points the stretched arm at the target: 5 − 0.75 m away.
      if (solver === 'dls' || solver === 'ccd') expect(r.errors[0]).toBeCloseTo(4.25, 3);
    }
    expect(() => solveIk(problem, new Float64Array(2), { solver: 'dls' })).toThrow(IkError);
  });

  it('a trajectory solved frame to frame, warm-started, with velocity and acceleration terms: every frame reached, joints continuous, few iterations', () => {
    // The 7-DOF arm follows a circle; each frame starts from the previous solution.
    const model = loadMjcfFile(IK_MODELS.panda7);
    const ee = findEffector(model, 'ee');
    const joints = chainJoints(model, 0, ee.body);
    const frames = 40;
    const track = (smoothness: { velocity?: number; acceleration?: number }) => {
      const problem = new IkProblem(model, 1, { joints, tasks: [{ kind: 'position', effector: ee }], smoothness });
      // The first frame from the home pose, without smoothness (there is no motion yet).
      const first = new IkProblem(model, 1, { joints, tasks: [{ kind: 'position', effector: ee }] });
      first.setTarget(0, 0, [0.5, 0, 0.5]);
      let q = Float64Array.from(solveIk(first, Float64Array.of(0, -0.785, 0, -2.356, 0, 1.571, 0.785), { solver: 'dls', tolerance: 1e-4 }).q);
      problem.previous.forEach((p) => p.set(q));
      let largestStep = 0;
      let iterations = 0;
      for (let f = 0; f < frames; f++) {
        const a = (2 * Math.PI * f) / frames;
        problem.setTarget(0, 0, [0.4 + 0.1 * Math.cos(a), 0.1 * Math.sin(a), 0.5]);
        const r = solveIk(problem, q, { solver: 'dls', tolerance: 0.002, restarts: false });
        expect(r.success[0]).toBe(1);
        iterations += r.iterations[0] as number;
        largestStep = Math.max(largestStep, ...Array.from(r.q, (v, i) => Math.abs(v - (q[i] as number))));
        // Shift the history: newest first.
        problem.previous[2].set(problem.previous[1]);
        problem.previous[1].set(problem.previous[0]);
        problem.previous[0].set(r.q);
        q = Float64Array.from(r.q);
      }
      return { largestStep, iterations };
    };
    const smooth = track({ velocity: 1e-5, acceleration: 1e-5 });
    // Consecutive targets are 1.6 cm apart: no joint needs to move far between frames, and warm starts need few iterations.
    expect(smooth.largestStep).toBeLessThan(0.3);
    expect(smooth.iterations / frames).toBeLessThan(15);
  });
});

