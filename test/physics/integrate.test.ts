/**
 * The integrator (semi-implicit Euler with implicit joint damping, exponential map for free
 * joints) without contact: exact agreement with the forward dynamics' q̈ for one step, the
 * damped solve's equation, the quaternion update against its closed form, and conservation laws
 * over long runs (energy of a conservative chain, momentum of floating bodies).
 *
 * We have no MuJoCo trajectory oracle, so the one-step checks pin the update to the (oracle-
 * checked) forward dynamics: with no contact, no limits and no damping, q̇⁺ must equal
 * q̇ + h·qacc bit for bit.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  buildModel,
  dampedSolve,
  forward,
  JointType,
  mjcfToSpec,
  PhysicsData,
  step,
  substep,
  withContactParams,
  type BodySpec,
  type JointSpec,
  type ModelSpec,
  type PhysicsModel,
} from '../../src/physics/index.js';
import { quatMul, quatNormalize, type Quat } from '../../src/physics/math3.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures/mujoco');
const fixtureSpec = (name: string): ModelSpec => mjcfToSpec(readFileSync(path.join(FIXTURES, `${name}.xml`), 'utf8'));

const WORLD: BodySpec = { name: 'world', parent: -1, pos: [0, 0, 0], quat: [1, 0, 0, 0], mass: 0, ipos: [0, 0, 0], iquat: [1, 0, 0, 0], inertia: [0, 0, 0], joints: [], geoms: [] };
const HINGE: JointSpec = { name: 'h', type: JointType.Hinge, pos: [0, 0, 0], axis: [0, 1, 0], range: [0, 0], limited: false, damping: 0, armature: 0, stiffness: 0, springref: 0, ref: 0 };
const FREE: JointSpec = { ...HINGE, name: 'free', type: JointType.Free };

/** A planar chain of `n` links hanging from a y-axis hinge at height 2: no damping, no armature, no contact. */
function chain(n: number, overrides: Partial<JointSpec> = {}): ModelSpec {
  const bodies: BodySpec[] = [WORLD];
  for (let i = 0; i < n; i++) {
    bodies.push({
      ...WORLD,
      name: `link${i}`,
      parent: i,
      pos: i === 0 ? [0, 0, 2] : [0, 0, -0.5],
      mass: 1 + 0.5 * i,
      ipos: [0.02 * i, 0, -0.25],
      inertia: [0.03 + 0.01 * i, 0.025 + 0.01 * i, 0.01],
      joints: [{ ...HINGE, name: `hinge${i}`, axis: i === 1 ? [0.1, 1, 0] : [0, 1, 0], ...overrides }],
    });
  }
  return { name: 'chain', bodies, actuators: [], timestep: 0.002, gravity: [0, 0, -9.81], integrator: 'Euler' };
}

/** Kinetic ½q̇ᵀMq̇ and potential Σ m·g·z_com energy of world w (runs the forward stages). */
function energy(model: PhysicsModel, data: PhysicsData, w: number): number {
  forward(model, data);
  const B = data.batch;
  const nv = model.nv;
  let kin = 0;
  for (let i = 0; i < nv; i++) for (let j = 0; j < nv; j++) kin += 0.5 * (data.qvel[i * B + w] as number) * (data.qM[(i * nv + j) * B + w] as number) * (data.qvel[j * B + w] as number);
  let pot = 0;
  const g = -(model.gravity[2] as number);
  for (let b = 1; b < model.nbody; b++) {
    const root = model.bodyRoot[b] as number;
    const m = data.cinert[(10 * b + 9) * B + w] as number;
    const mcz = data.cinert[(10 * b + 8) * B + w] as number;
    pot += g * (m * (data.xpos[(3 * root + 2) * B + w] as number) + mcz);
  }
  return kin + pot;
}

/** Total linear momentum and angular momentum about the world origin of world 0 (one tree). */
function momentum(model: PhysicsModel, data: PhysicsData): number[] {
  forward(model, data);
  const n: [number, number, number] = [0, 0, 0];
  const p: [number, number, number] = [0, 0, 0];
  for (let b = 1; b < model.nbody; b++) {
    const [ixx, iyy, izz, ixy, ixz, iyz, hx, hy, hz, m] = Array.from(data.cinert.subarray(10 * b, 10 * b + 10)) as [number, number, number, number, number, number, number, number, number, number];
    const [ox, oy, oz, vx, vy, vz] = Array.from(data.cvel.subarray(6 * b, 6 * b + 6)) as [number, number, number, number, number, number];
    n[0] += ixx * ox + ixy * oy + ixz * oz + (hy * vz - hz * vy);
    n[1] += ixy * ox + iyy * oy + iyz * oz + (hz * vx - hx * vz);
    n[2] += ixz * ox + iyz * oy + izz * oz + (hx * vy - hy * vx);
    p[0] += m * vx - (hy * oz - hz * oy);
    p[1] += m * vy - (hz * ox - hx * oz);
    p[2] += m * vz - (hx * oy - hy * ox);
  }
  // Spatial momentum about the tree's reference point O (body 1's origin) → about the origin.
  const [Ox, Oy, Oz] = Array.from(data.xpos.subarray(3, 6)) as [number, number, number];
  return [p[0], p[1], p[2], n[0] + Oy * p[2] - Oz * p[1], n[1] + Oz * p[0] - Ox * p[2], n[2] + Ox * p[1] - Oy * p[0]];
}

/** A copy of `spec` with no joint damping or armature. */
function undamped(spec: ModelSpec): ModelSpec {
  return { ...spec, bodies: spec.bodies.map((b) => ({ ...b, joints: b.joints.map((j) => ({ ...j, damping: 0, armature: 0 })) })) };
}

describe('one contact-free substep', () => {
  it('is q̇⁺ = q̇ + h·qacc and q⁺ = q + h·q̇⁺ bit for bit without damping (chain, planar hopper, floating ant; 16 random worlds)', () => {
    for (const spec of [chain(3), undamped(fixtureSpec('hopper')), undamped(fixtureSpec('ant'))]) {
      const model = buildModel({ ...spec, contact: { enabled: false }, limit: { enabled: false } });
      const B = 16;
      const rng = new Rng(`integrate/${spec.name}`);
      const a = new PhysicsData(model, B);
      for (let w = 0; w < B; w++) {
        a.setQpos(w, Array.from(model.qpos0, (x) => x + rng.uniformRange(-0.5, 0.5)));
        a.setQvel(w, Array.from({ length: model.nv }, () => 2 * rng.normal()));
        a.setCtrl(w, Array.from({ length: model.nu }, () => rng.uniformRange(-1, 1)));
      }
      const b = new PhysicsData(model, B);
      b.qpos.set(a.qpos);
      b.qvel.set(a.qvel);
      b.ctrl.set(a.ctrl);
      forward(model, a);
      substep(model, b);
      const h = model.timestep;
      const wantVel = Array.from(a.qvel, (v, t) => v + h * (a.qacc[t] as number));
      expect(Array.from(b.qvel)).toEqual(wantVel);
      expect(Array.from(b.qaccStep)).toEqual(Array.from(a.qacc));
      for (let j = 0; j < model.njnt; j++) {
        const adr = model.jntQposAdr[j] as number;
        const dof = model.jntDofAdr[j] as number;
        const nLin = model.jntType[j] === JointType.Free ? 3 : 1;
        for (let k = 0; k < nLin; k++) {
          for (let w = 0; w < B; w++) {
            expect(b.qpos[(adr + k) * B + w]).toBe((a.qpos[(adr + k) * B + w] as number) + h * (b.qvel[(dof + k) * B + w] as number));
          }
        }
      }
    }
  });

  it('solves (M + h·D)·(q̇⁺ − q̇) = h·τ with implicit damping, and never modifies M (hopper and half-cheetah with their damping)', () => {
    for (const name of ['hopper', 'half_cheetah']) {
      const model = buildModel({ ...fixtureSpec(name), timestep: 0.002, contact: { enabled: false }, limit: { enabled: false } });
      const B = 8;
      const nv = model.nv;
      const rng = new Rng(`damped/${name}`);
      const data = new PhysicsData(model, B);
      for (let w = 0; w < B; w++) {
        data.setQpos(w, Array.from(model.qpos0, (x) => x + rng.uniformRange(-0.5, 0.5)));
        data.setQvel(w, Array.from({ length: nv }, () => 3 * rng.normal()));
        data.setCtrl(w, Array.from({ length: model.nu }, () => rng.uniformRange(-1, 1)));
      }
      const qvel0 = data.qvel.slice();
      forward(model, data);
      const M = data.qM.slice();
      const tau = data.qfrcSmooth.slice();
      substep(model, data);
      expect(Array.from(data.qM)).toEqual(Array.from(M)); // qM is an input of the damped solve, left as it was
      const h = model.timestep;
      let worst = 0;
      for (let w = 0; w < B; w++) {
        for (let i = 0; i < nv; i++) {
          let r = 0;
          for (let j = 0; j < nv; j++) {
            const mij = (M[(i * nv + j) * B + w] as number) + (i === j ? h * (model.dofDamping[i] as number) : 0);
            r += mij * ((data.qvel[j * B + w] as number) - (qvel0[j * B + w] as number));
          }
          const t = h * (tau[i * B + w] as number);
          worst = Math.max(worst, Math.abs(r - t) / Math.max(1e-3, Math.abs(t)));
        }
      }
      expect(worst).toBeLessThan(1e-10);
      // The damping is really implicit: an explicit step would differ by O(h²·D).
      const explicit = Array.from(qvel0, (v, t) => v + h * (data.qacc[t] as number));
      expect(Math.max(...explicit.map((v, t) => Math.abs(v - (data.qvel[t] as number))))).toBeGreaterThan(1e-6);
    }
  });
});

describe('free joints', () => {
  it('turn the orientation by the exponential map of the body-frame angular velocity: q(t) = q0 ⊗ exp(t·ω/2)', () => {
    // A homogeneous ball (isotropic inertia, no gravity): ω stays constant in the body frame.
    const model = buildModel({
      name: 'ball',
      timestep: 0.002,
      gravity: [0, 0, 0],
      integrator: 'Euler',
      bodies: [WORLD, { ...WORLD, name: 'ball', parent: 0, mass: 2, inertia: [0.1, 0.1, 0.1], joints: [FREE] }],
      actuators: [],
    });
    const q0 = quatNormalize([0.3, -0.5, 0.2, 0.8] as Quat);
    const omega = [0.7, -1.3, 2.1] as const;
    const v = [0.4, -0.2, 0.9] as const;
    const data = new PhysicsData(model, 1);
    data.setQpos(0, [1, 2, 3, ...q0]);
    data.setQvel(0, [...v, ...omega]);
    const n = 1500;
    step(model, data, n);
    const t = n * model.timestep;
    const norm = Math.hypot(...omega);
    const s = Math.sin((norm * t) / 2) / norm;
    const want = quatMul(q0, [Math.cos((norm * t) / 2), s * omega[0], s * omega[1], s * omega[2]]);
    const got = Array.from(data.qpos.subarray(3, 7));
    got.forEach((x, k) => expect(Math.abs(x - (want[k] as number))).toBeLessThan(1e-12));
    expect(Math.abs(Math.hypot(...got) - 1)).toBeLessThan(1e-15);
    [1, 2, 3].forEach((x, k) => expect(data.qpos[k]).toBeCloseTo(x + (v[k] as number) * t, 12));
    // Constant ω: the integrated velocity is unchanged.
    expect(Array.from(data.qvel)).toEqual([...v, ...omega]);
  });

  it('renormalise a drifted quaternion', () => {
    const model = buildModel(undamped({ ...fixtureSpec('ant'), contact: { enabled: false } }));
    const data = new PhysicsData(model, 1);
    data.setQpos(0, Array.from(model.qpos0, (x, i) => (i >= 3 && i < 7 ? 1.7 * x + 0.1 : x)));
    substep(model, data);
    expect(Math.abs(Math.hypot(...data.qpos.subarray(3, 7)) - 1)).toBeLessThan(1e-15);
  });
});

describe('conservation laws', () => {
  it('keep the energy drift of a conservative three-link pendulum small over 10 s and first order in h', () => {
    const run = (h: number): number => {
      const model = buildModel({ ...chain(3), timestep: h });
      const B = 4;
      const data = new PhysicsData(model, B);
      const rng = new Rng('energy');
      for (let w = 0; w < B; w++) {
        data.setQpos(w, [rng.uniformRange(-1.5, 1.5), rng.uniformRange(-1, 1), rng.uniformRange(-1, 1)]);
        data.setQvel(w, [rng.normal(), rng.normal(), rng.normal()]);
      }
      const E0 = Array.from({ length: B }, (_, w) => energy(model, data, w));
      let worst = 0;
      const n = Math.round(10 / h);
      const every = Math.round(0.1 / h);
      for (let t = 0; t < n; t += every) {
        step(model, data, every);
        for (let w = 0; w < B; w++) worst = Math.max(worst, Math.abs(energy(model, data, w) - (E0[w] as number)));
      }
      // Relative to the chain's weight times its length (≈ 9.81·4.5·1.5 J).
      return worst / (9.81 * 4.5 * 1.5);
    };
    const coarse = run(0.002);
    const fine = run(0.001);
    // Semi-implicit Euler in (q, q̇) with a configuration-dependent M is not exactly symplectic:
    // the energy drifts slowly, ≈ 3% of m·g·l in 10 s of chaotic motion at 2 ms (1.5% at 1 ms).
    // Explicit Euler (positions with the old velocities) gains far more and fails both bounds.
    expect(coarse).toBeLessThan(0.05);
    expect(fine).toBeLessThan(0.6 * coarse);
  });

  it('conserve linear momentum exactly and angular momentum to first order in h for a free rigid body without gravity', () => {
    const run = (h: number): { linear: number; angular: number } => {
      const model = buildModel({
        name: 'brick',
        timestep: h,
        gravity: [0, 0, 0],
        integrator: 'Euler',
        bodies: [WORLD, { ...WORLD, name: 'brick', parent: 0, mass: 3, inertia: [0.01, 0.02, 0.025], iquat: quatNormalize([1, 0.2, -0.3, 0.1]), joints: [FREE] }],
        actuators: [],
      });
      const data = new PhysicsData(model, 1);
      data.setQpos(0, [0.5, -1, 2, ...quatNormalize([0.3, -0.5, 0.2, 0.8])]);
      data.setQvel(0, [0.3, -0.7, 1.1, 3, -5, 4]);
      const m0 = momentum(model, data);
      let linear = 0;
      let angular = 0;
      const n = Math.round(4 / h);
      for (let t = 0; t < n; t += 10) {
        step(model, data, 10);
        const m = momentum(model, data);
        for (let k = 0; k < 3; k++) linear = Math.max(linear, Math.abs((m[k] as number) - (m0[k] as number)));
        for (let k = 3; k < 6; k++) angular = Math.max(angular, Math.abs((m[k] as number) - (m0[k] as number)));
      }
      return { linear, angular: angular / Math.hypot(...m0.slice(3)) };
    };
    const coarse = run(0.004);
    const fine = run(0.002);
    expect(fine.linear).toBeLessThan(1e-12);
    // Euler's equations integrated explicitly: |ΔL|/|L| ≈ 2e-3 over 4 s at 2 ms (|ω| ≈ 7 rad/s), halving with h.
    expect(fine.angular).toBeLessThan(5e-3);
    expect(fine.angular).toBeLessThan(0.6 * coarse.angular);
  });

  it('conserve the momentum of a floating articulated body (ant without gravity) to first order in h', () => {
    const drift = (h: number): number => {
      const model = buildModel({ ...undamped(fixtureSpec('ant')), timestep: h, gravity: [0, 0, 0], contact: { enabled: false }, limit: { enabled: false } });
      const data = new PhysicsData(model, 1);
      const rng = new Rng('floating');
      data.setQvel(0, Array.from({ length: model.nv }, () => rng.normal()));
      const m0 = momentum(model, data);
      let worst = 0;
      const n = Math.round(2 / h);
      for (let t = 0; t < n; t += 10) {
        step(model, data, 10);
        worst = Math.max(worst, ...momentum(model, data).map((x, k) => Math.abs(x - (m0[k] as number))));
      }
      return worst / Math.hypot(...m0);
    };
    const coarse = drift(0.004);
    const fine = drift(0.002);
    expect(fine).toBeLessThan(5e-3);
    expect(fine).toBeLessThan(0.6 * coarse); // converges as h → 0
  });

  it('change nothing when the switches are off: withContactParams shares the model and only swaps parameters', () => {
    const model = buildModel(fixtureSpec('hopper'));
    const off = withContactParams(model, { enabled: false }, { enabled: false });
    expect(off.contact.enabled).toBe(false);
    expect(off.limit.enabled).toBe(false);
    expect(off.qpos0).toBe(model.qpos0);
    const data = new PhysicsData(off, 2);
    step(off, data, 3);
    expect(Array.from(data.qfrcContact).every((x) => x === 0)).toBe(true);
    expect(Array.from(data.qfrcLimit).every((x) => x === 0)).toBe(true);
    expect(() => dampedSolve(off, 2, 0.002, { ...data, qMDamp: data.qMDamp, dampedFactor: { ...data.dampedFactor, qM: new Float64Array(49 * 2) } })).toThrow(/qMDamp/);
  });
});
