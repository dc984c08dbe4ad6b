/**
 * The dynamics stages on models built in code, against closed-form mechanics (independent of
 * the MuJoCo oracle), plus properties of the solve and the batched data helpers.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  buildModel,
  forward,
  GeomType,
  JointType,
  loadMjcfFile,
  PhysicsData,
  PhysicsModelError,
  type BodySpec,
  type JointSpec,
  type ModelSpec,
} from '../../src/physics/index.js';
import { quatNormalize, quatToMat, type Quat } from '../../src/physics/math3.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures/mujoco');

const WORLD: BodySpec = { name: 'world', parent: -1, pos: [0, 0, 0], quat: [1, 0, 0, 0], mass: 0, ipos: [0, 0, 0], iquat: [1, 0, 0, 0], inertia: [0, 0, 0], joints: [], geoms: [] };
const HINGE_Y: JointSpec = { name: 'hinge', type: JointType.Hinge, pos: [0, 0, 0], axis: [0, 1, 0], range: [0, 0], limited: false, damping: 0.3, armature: 0.1, stiffness: 4, springref: 0.2, ref: 0 };

/** A pendulum: a bob of mass m whose COM hangs l below a y-axis hinge at height 1. */
function pendulum(m: number, l: number, iyy: number): ModelSpec {
  return {
    name: 'pendulum',
    timestep: 0.002,
    gravity: [0, 0, -9.81],
    integrator: 'Euler',
    bodies: [
      WORLD,
      {
        name: 'bob',
        parent: 0,
        pos: [0, 0, 1],
        quat: [1, 0, 0, 0],
        mass: m,
        ipos: [0, 0, -l],
        iquat: [1, 0, 0, 0],
        inertia: [0.01, iyy, 0.03],
        joints: [HINGE_Y],
        geoms: [{ name: 'g', type: GeomType.Sphere, size: [0.05, 0, 0], pos: [0, 0, -l], quat: [1, 0, 0, 0], friction: [1, 0.005, 0.0001], contype: 1, conaffinity: 1, condim: 3, margin: 0 }],
      },
    ],
    actuators: [{ name: 'motor', joint: 0, gear: 3, ctrlrange: [-1, 1], ctrllimited: true, forcerange: [-0.5, 0.5], forcelimited: true }],
  };
}

describe('a pendulum built in code', () => {
  const [m, l, iyy] = [2, 0.5, 0.02];
  const model = buildModel(pendulum(m, l, iyy));
  const thetas = [-2.5, -0.3, 0, 0.7, 3];
  const thetaDots = [1.5, -2, 0.5, 0, 4];
  const ctrls = [5, -0.1, 0.05, -3, 0.2];
  const data = new PhysicsData(model, thetas.length);
  thetas.forEach((th, w) => {
    data.setQpos(w, [th]);
    data.setQvel(w, [thetaDots[w] as number]);
    data.setCtrl(w, [ctrls[w] as number]);
  });
  forward(model, data);

  it('follows the closed-form equation of motion (I + m·l² + armature)·θ̈ = τ − m·g·l·sin θ', () => {
    thetas.forEach((th, w) => {
      const M = iyy + m * l * l + 0.1;
      const bias = m * 9.81 * l * Math.sin(th);
      const passive = -0.3 * (thetaDots[w] as number) - 4 * (th - 0.2);
      // ctrl clamped to ±1, then the force to ±0.5, then times the gear 3.
      const act = 3 * Math.min(Math.max(Math.min(Math.max(ctrls[w] as number, -1), 1), -0.5), 0.5);
      expect(data.qM[w]).toBeCloseTo(M, 14);
      expect(data.qfrcBias[w]).toBeCloseTo(bias, 13);
      expect(data.qfrcPassive[w]).toBeCloseTo(passive, 14);
      expect(data.qfrcActuator[w]).toBeCloseTo(act, 15);
      expect(data.qacc[w]).toBeCloseTo((act + passive - bias) / M, 12);
      // The bob turns about the hinge at the body origin, which stays put.
      expect(Array.from(data.gather(data.xpos, 6, w))).toEqual([0, 0, 0, 0, 0, 1]);
      const q = Array.from(data.gather(data.xquat, 8, w)).slice(4);
      [Math.cos(th / 2), 0, Math.sin(th / 2), 0].forEach((x, k) => expect(q[k]).toBeCloseTo(x, 15));
    });
  });
});

describe('a free body without gravity', () => {
  it('obeys Euler\'s equations: bias = [0; ω × I·ω] with ω in body axes, M = diag(m, m, m, I)', () => {
    const inertia: [number, number, number] = [1, 2, 3];
    const free: JointSpec = { ...HINGE_Y, name: 'root', type: JointType.Free, damping: 0, armature: 0, stiffness: 0, springref: 0 };
    const model = buildModel({
      name: 'brick',
      timestep: 0.01,
      gravity: [0, 0, 0],
      integrator: 'Euler',
      bodies: [WORLD, { ...WORLD, name: 'brick', parent: 0, mass: 5, inertia, joints: [free] }],
      actuators: [],
    });
    const quat = quatNormalize([0.3, -0.5, 0.2, 0.8] as Quat);
    const omega = [0.7, -1.3, 2.1];
    const data = new PhysicsData(model, 1);
    data.setQpos(0, [1, 2, 3, ...quat]);
    data.setQvel(0, [0.4, -0.2, 0.9, ...omega]);
    forward(model, data);
    const Iw = omega.map((x, k) => x * (inertia[k] as number));
    const cross = [
      (omega[1] as number) * (Iw[2] as number) - (omega[2] as number) * (Iw[1] as number),
      (omega[2] as number) * (Iw[0] as number) - (omega[0] as number) * (Iw[2] as number),
      (omega[0] as number) * (Iw[1] as number) - (omega[1] as number) * (Iw[0] as number),
    ];
    const bias = Array.from(data.qfrcBias);
    [0, 0, 0, ...cross].forEach((x, k) => expect(bias[k]).toBeCloseTo(x, 13));
    const M = Array.from(data.qM);
    const want = [5, 5, 5, ...inertia];
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) expect(M[6 * i + j]).toBeCloseTo(i === j ? (want[i] as number) : 0, 13);
    // Pose straight from qpos; the matrix is the quaternion's.
    expect(Array.from(data.gather(data.xpos, 6, 0)).slice(3)).toEqual([1, 2, 3]);
    const R = quatToMat(quat);
    Array.from(data.gather(data.xmat, 18, 0)).slice(9).forEach((x, k) => expect(x).toBeCloseTo(R[k] as number, 15));
  });

  it('normalises a drifted quaternion', () => {
    const model = loadMjcfFile(path.join(FIXTURES, 'ant.xml'));
    const data = new PhysicsData(model, 2);
    const q = Array.from(model.qpos0);
    data.setQpos(0, q);
    data.setQpos(1, q.map((x, i) => (i >= 3 && i < 7 ? 1.5 * x : x)));
    forward(model, data);
    const unit = data.gather(data.qacc, model.nv, 0);
    data.gather(data.qacc, model.nv, 1).forEach((x, i) => expect(Math.abs(x - (unit[i] as number))).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(unit[i] as number))));
  });
});

describe('the forward solve', () => {
  it('returns q̈ with M·q̈ = actuator + passive − bias, for a symmetric positive definite M (ant, 64 random worlds)', () => {
    const model = loadMjcfFile(path.join(FIXTURES, 'ant.xml'));
    const B = 64;
    const nv = model.nv;
    const data = new PhysicsData(model, B);
    const rng = new Rng('physics/solve');
    for (let w = 0; w < B; w++) {
      const q = Array.from(model.qpos0, (x) => x + rng.uniformRange(-1, 1));
      const n = Math.hypot(...q.slice(3, 7));
      for (let k = 3; k < 7; k++) q[k] = (q[k] as number) / n;
      data.setQpos(w, q);
      data.setQvel(w, Array.from({ length: nv }, () => 3 * rng.normal()));
      data.setCtrl(w, Array.from({ length: model.nu }, () => rng.uniformRange(-2, 2)));
    }
    forward(model, data);
    let residual = 0;
    let asymmetric = 0;
    let upperNonZero = 0;
    let minDiag = Infinity;
    let tauMismatch = 0;
    for (let w = 0; w < B; w++) {
      const M = data.gather(data.qM, nv * nv, w);
      const qacc = data.gather(data.qacc, nv, w);
      const tau = data.gather(data.qfrcSmooth, nv, w);
      const act = data.gather(data.qfrcActuator, nv, w);
      const pas = data.gather(data.qfrcPassive, nv, w);
      const bias = data.gather(data.qfrcBias, nv, w);
      const L = data.gather(data.qL, nv * nv, w);
      for (let i = 0; i < nv; i++) {
        const t = tau[i] as number;
        if (t !== (act[i] as number) + (pas[i] as number) - (bias[i] as number)) tauMismatch++;
        let r = 0;
        for (let j = 0; j < nv; j++) {
          if (M[i * nv + j] !== M[j * nv + i]) asymmetric++;
          if (j > i && L[i * nv + j] !== 0) upperNonZero++;
          r += (M[i * nv + j] as number) * (qacc[j] as number);
        }
        residual = Math.max(residual, Math.abs(r - t) / Math.max(1, Math.abs(t)));
        minDiag = Math.min(minDiag, L[i * nv + i] as number);
      }
    }
    expect(tauMismatch).toBe(0);
    expect(asymmetric).toBe(0);
    expect(upperNonZero).toBe(0);
    expect(minDiag).toBeGreaterThan(0); // the factor exists, so M is positive definite
    // A backward-stable solve leaves a residual ~ cond(M)·ε; ant's M is well conditioned (cond ≈ 8 at
    // qpos0, thanks to the legs' armature), so 1e-10 is a wide margin that still catches a wrong solve.
    expect(residual).toBeLessThanOrEqual(1e-10);
  });
});

describe('PhysicsData', () => {
  it('starts every world at qpos0 and checks world indices and lengths', () => {
    const model = loadMjcfFile(path.join(FIXTURES, 'hopper.xml'));
    const data = new PhysicsData(model, 3);
    expect(Array.from(data.gather(data.qpos, model.nq, 2))).toEqual(Array.from(model.qpos0));
    expect(model.qpos0[1]).toBe(1.25); // rootz's ref
    expect(() => data.setQpos(3, model.qpos0)).toThrow(RangeError);
    expect(() => data.setQvel(0, [1, 2])).toThrow(/expected 6 values/);
    expect(() => new PhysicsData(model, 0)).toThrow(/positive integer/);
  });

  it('rejects models that cannot be simulated', () => {
    const spec = pendulum(2, 0.5, 0.02);
    expect(() => buildModel({ ...spec, bodies: [WORLD, { ...(spec.bodies[1] as BodySpec), mass: 0, inertia: [0, 0, 0] }] })).toThrow(/has joints but no mass/);
    expect(() => buildModel({ ...spec, bodies: [WORLD, { ...(spec.bodies[1] as BodySpec), parent: 1 }] })).toThrow(PhysicsModelError);
    expect(() => buildModel({ ...spec, actuators: [{ ...(spec.actuators[0] as ModelSpec['actuators'][number]), joint: 4 }] })).toThrow(/joint index 4 out of range/);
  });
});
