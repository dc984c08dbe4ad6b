/**
 * Ground contact and joint limits: the contact table built from the geoms, the normal and
 * friction laws, the generalised forces against a finite-difference Jacobian, the implicit
 * contact matrix against its definition, and geom poses.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  buildModel,
  contactForces,
  dampedSolve,
  DEFAULT_CONTACT_PARAMS,
  forward,
  geomPoses,
  GeomType,
  integrate,
  JointType,
  limitForces,
  loadMjcf,
  mjcfToSpec,
  PhysicsData,
  PhysicsModelError,
  smoothNormalForce,
  step,
  withContactParams,
  type BodySpec,
  type GeomSpec,
  type JointSpec,
  type ModelSpec,
  type PhysicsModel,
} from '../../src/physics/index.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures/mujoco');
const fixtureSpec = (name: string): ModelSpec => mjcfToSpec(readFileSync(path.join(FIXTURES, `${name}.xml`), 'utf8'));
const MODELS = ['hopper', 'walker2d', 'half_cheetah', 'ant'] as const;

/** A random state of `model` near the ground (root height set so that some contacts touch). */
function randomState(model: PhysicsModel, data: PhysicsData, rng: Rng, w: number): void {
  const q = Array.from(model.qpos0, (x) => x + rng.uniformRange(-0.3, 0.3));
  if (model.jntType[0] === JointType.Free) q[2] = rng.uniformRange(0.2, 0.45);
  else q[1] = (model.qpos0[1] as number) + rng.uniformRange(-0.35, 0);
  data.setQpos(w, q);
  data.setQvel(w, Array.from({ length: model.nv }, () => rng.normal()));
}

describe('the contact table', () => {
  it('lists one sphere per sphere geom, the two end spheres of each capsule, and MuJoCo\'s friction (max of geom and floor)', () => {
    const hopper = buildModel(fixtureSpec('hopper'));
    // torso, thigh, leg, foot capsules → 8 spheres; the foot has friction 2, the floor 1, the rest 0.9.
    expect(hopper.ncon).toBe(8);
    expect(Array.from(hopper.conFriction)).toEqual([1, 1, 1, 1, 1, 1, 2, 2]);
    expect(Array.from(hopper.conRadius)).toEqual([0.05, 0.05, 0.05, 0.05, 0.04, 0.04, 0.06, 0.06]);
    // The foot capsule lies along x (its z axis turned to −x): its end spheres sit at the centre ∓ 0.195 m in x.
    const foot = hopper.conLocal.subarray(18, 24);
    [-0.065 + 0.195, 0, 0.1, -0.065 - 0.195, 0, 0.1].forEach((x, k) => expect(foot[k]).toBeCloseTo(x, 12));
    const ant = buildModel(fixtureSpec('ant'));
    expect(ant.ncon).toBe(1 + 2 * 12); // torso sphere + 12 capsules
    expect(ant.floorHeight).toBe(0);
    // half_cheetah's floor takes the default class's friction 0.4, like every geom.
    expect(Array.from(buildModel(fixtureSpec('half_cheetah')).conFriction).every((m) => m === 0.4)).toBe(true);
    expect(withContactParams(hopper, { friction: 0.7 }).conFriction.every((m) => m === 0.7)).toBe(true);
    expect(withContactParams(withContactParams(hopper, { friction: 0.7 }), { friction: undefined }).conFriction).toEqual(hopper.conFriction);
  });

  it('honours contype/conaffinity, <exclude> with the world, boxes (8 corners) and rejects what it cannot simulate', () => {
    const wrap = (body: string, extra = ''): string => `<mujoco><worldbody><geom name="floor" type="plane" size="5 5 1"/>${body}</worldbody>${extra}</mujoco>`;
    expect(loadMjcf(wrap('<body name="b"><freejoint/><geom type="box" size="0.1 0.2 0.3"/></body>')).ncon).toBe(8);
    expect(loadMjcf(wrap('<body name="b"><freejoint/><geom type="sphere" size="0.1" contype="0" conaffinity="0"/></body>')).ncon).toBe(0);
    expect(loadMjcf(wrap('<body name="b"><freejoint/><geom type="sphere" size="0.1"/></body>', '<contact><exclude body1="world" body2="b"/></contact>')).ncon).toBe(0);
    expect(() => loadMjcf(wrap('<body name="b"><freejoint/><geom type="cylinder" size="0.1 0.2"/></body>'))).toThrow(/cylinder geoms with the ground plane is not supported/);
    expect(() => loadMjcf('<mujoco><worldbody><geom type="plane" size="5 5 1" euler="0.3 0 0"/><body><freejoint/><geom size="0.1"/></body></worldbody></mujoco>')).toThrow(/horizontal ground plane/);
    // Without a plane, nothing touches.
    expect(loadMjcf('<mujoco><worldbody><body><freejoint/><geom size="0.1"/></body></worldbody></mujoco>').ncon).toBe(0);
    expect(() => buildModel({ ...fixtureSpec('hopper'), contact: { stiffness: 0 } })).toThrow(PhysicsModelError);
  });
});

describe('the normal law', () => {
  const k = 1e5;
  const s = 1e-3;
  const d = 1000;
  const f = (phi: number, phiDot = 0): number => smoothNormalForce(phi, phiDot, k * s, d, 1 / s, 0.1);

  it('is a linear spring deep in the ground, vanishes above it, never pulls, and stays finite far away', () => {
    expect(f(-0.01) / (k * 0.01)).toBeCloseTo(1, 4); // −φ ≫ s: k·(−φ)
    expect(Math.abs(f(0) / (k * s * Math.LN2) - 1)).toBeLessThan(1e-5); // the outer softplus adds ε·softplus(−1/ε) ≈ 5e-6
    expect(f(0.02)).toBeLessThan(1e-3); // 20 s above: k·s·e⁻²⁰
    // Beyond FAR_FIELD = 50 smoothing lengths the force is flushed to 0; the jump there is ~1e-20 N.
    for (const phi of [0.05, 1, 1e3, 1e300]) expect(f(phi, -5)).toBe(0);
    expect(f(0.05 - 1e-12, -5)).toBeGreaterThan(0);
    expect(f(0.05 - 1e-12, -5)).toBeLessThan(1e-18);
    for (let i = 0; i < 200; i++) {
      const phi = -0.02 + 0.0003 * i;
      for (const v of [-10, -1, 0, 1, 10, 1e6]) expect(f(phi, v)).toBeGreaterThanOrEqual(0);
    }
    // Damping opposes approach (φ̇ < 0 pushes harder) and separation only relaxes the spring.
    expect(f(-0.002, -1)).toBeGreaterThan(f(-0.002, 0));
    expect(f(-0.002, 1)).toBeLessThan(f(-0.002, 0));
    expect(f(-0.002, 1e3)).toBeLessThan(1e-3 * f(-0.002, 0));
  });

  it('is smooth: central differences in φ agree at two step sizes across the contact region', () => {
    for (let i = 0; i < 50; i++) {
      const phi = -0.005 + 0.0002 * i;
      const d1 = (f(phi + 1e-7, 0.3) - f(phi - 1e-7, 0.3)) / 2e-7;
      const d2 = (f(phi + 1e-8, 0.3) - f(phi - 1e-8, 0.3)) / 2e-8;
      expect(Math.abs(d1 - d2)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(d1)));
    }
  });
});

describe('contact forces', () => {
  it('match the scalar law, push up, and bound friction by μ·f_n against the sliding direction (all four models, 32 worlds)', () => {
    for (const name of MODELS) {
      const model = buildModel(fixtureSpec(name));
      const B = 32;
      const data = new PhysicsData(model, B);
      const rng = new Rng(`contact/${name}`);
      for (let w = 0; w < B; w++) randomState(model, data, rng, w);
      forward(model, data);
      contactForces(model, B, data);
      const { stiffness, smoothing, damping, gateSmoothing, frictionSmoothing } = model.contact;
      let touching = 0;
      for (let c = 0; c < model.ncon; c++) {
        for (let w = 0; w < B; w++) {
          const phi = data.conDist[c * B + w] as number;
          const vx = data.conVel[3 * c * B + w] as number;
          const vy = data.conVel[(3 * c + 1) * B + w] as number;
          const vz = data.conVel[(3 * c + 2) * B + w] as number;
          const fx = data.conForce[3 * c * B + w] as number;
          const fy = data.conForce[(3 * c + 1) * B + w] as number;
          const fn = data.conForce[(3 * c + 2) * B + w] as number;
          expect(fn).toBe(smoothNormalForce(phi, vz, stiffness * smoothing, damping, 1 / smoothing, gateSmoothing));
          expect(fn).toBeGreaterThanOrEqual(0);
          const mu = model.conFriction[c] as number;
          const ft = Math.hypot(fx, fy);
          expect(ft).toBeLessThanOrEqual(mu * fn * (1 + 1e-12) + 1e-300);
          expect(ft).toBeCloseTo((mu * fn * Math.hypot(vx, vy)) / Math.sqrt(vx * vx + vy * vy + frictionSmoothing ** 2), 9);
          expect(fx * vx + fy * vy).toBeLessThanOrEqual(0);
          if (phi < 0) touching++;
        }
      }
      expect(touching).toBeGreaterThan(0);
    }
  });

  it('give generalised forces Jᵀf and point velocities J·q̇ with J the finite-difference Jacobian of the body point (all four models)', () => {
    for (const name of MODELS) {
      const model = buildModel(fixtureSpec(name));
      const rng = new Rng(`jacobian/${name}`);
      const data = new PhysicsData(model, 1);
      randomState(model, data, rng, 0);
      const q0 = data.qpos.slice();
      const qvel = data.qvel.slice();
      forward(model, data);
      contactForces(model, 1, data);
      const force = data.conForce.slice();
      const point = data.conPoint.slice();
      // Each contact point's coordinates in its body's frame, to follow the same material point.
      const local = Array.from({ length: model.ncon }, (_, c) => {
        const b = model.conBody[c] as number;
        const r = [0, 1, 2].map((k) => (point[3 * c + k] as number) - (data.xpos[3 * b + k] as number));
        return [0, 1, 2].map((k) => [0, 1, 2].reduce((sum, i) => sum + (data.xmat[9 * b + 3 * i + k] as number) * (r[i] as number), 0));
      });
      const pointsAt = (q: Float64Array): number[] => {
        const e = new PhysicsData(model, 1);
        e.qpos.set(q);
        forward(model, e);
        return local.flatMap((l, c) => {
          const b = model.conBody[c] as number;
          return [0, 1, 2].map((k) => (e.xpos[3 * b + k] as number) + [0, 1, 2].reduce((sum, i) => sum + (e.xmat[9 * b + 3 * k + i] as number) * (l[i] as number), 0));
        });
      };
      const eps = 1e-6;
      const jv = new Float64Array(3 * model.ncon);
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < model.nv; i++) {
        // q ⊕ ±ε·e_i through the integrator's own update (the exponential map for the free joint).
        const e = new PhysicsData(model, 1);
        e.qpos.set(q0);
        e.qvel[i] = 1;
        integrate(model, 1, eps, e);
        const plus = pointsAt(e.qposNext.slice());
        integrate(model, 1, -eps, e);
        const minus = pointsAt(e.qposNext.slice());
        let jtf = 0;
        for (let t = 0; t < 3 * model.ncon; t++) {
          const J = ((plus[t] as number) - (minus[t] as number)) / (2 * eps);
          jtf += J * (force[t] as number);
          jv[t] = (jv[t] as number) + J * (qvel[i] as number);
        }
        worst = Math.max(worst, Math.abs(jtf - (data.qfrcContact[i] as number)));
        scale = Math.max(scale, Math.abs(jtf));
      }
      expect(worst / scale).toBeLessThan(1e-7);
      jv.forEach((x, t) => expect(Math.abs(x - (data.conVel[t] as number))).toBeLessThan(1e-7));
    }
  });

  it('enter the integrator matrix as M + h·D + h·Σ Jᵀ·diag(g, g, d_n + h·k_n)·J (hopper and ant)', () => {
    for (const name of ['hopper', 'ant'] as const) {
      const model = buildModel({ ...fixtureSpec(name), timestep: 0.002, contact: { smoothing: 0.02 } });
      const rng = new Rng(`implicit/${name}`);
      const data = new PhysicsData(model, 1);
      randomState(model, data, rng, 0);
      const q0 = data.qpos.slice();
      forward(model, data);
      contactForces(model, 1, data);
      limitForces(model, 1, data);
      const h = model.timestep;
      dampedSolve(model, 1, h, data);
      const n = model.nv;
      // J columns: the contact points' velocities for unit joint velocities.
      const J = Array.from({ length: n }, (_, i) => {
        const e = new PhysicsData(model, 1);
        e.qpos.set(q0);
        e.qvel[i] = 1;
        forward(model, e);
        contactForces(model, 1, e);
        return e.conVel.slice();
      });
      const K = data.conImplicit;
      let worst = 0;
      let added = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let want = (data.qM[i * n + j] as number) + (i === j ? h * ((model.dofDamping[i] as number) + (data.limImplicit[2 * i] as number) + h * (data.limImplicit[2 * i + 1] as number)) : 0);
          for (let c = 0; c < model.ncon; c++) {
            const Ji = J[i] as Float64Array;
            const Jj = J[j] as Float64Array;
            const kt = K[3 * c] as number;
            const kn = (K[3 * c + 1] as number) + h * (K[3 * c + 2] as number);
            want += h * (kt * ((Ji[3 * c] as number) * (Jj[3 * c] as number) + (Ji[3 * c + 1] as number) * (Jj[3 * c + 1] as number)) + kn * (Ji[3 * c + 2] as number) * (Jj[3 * c + 2] as number));
          }
          worst = Math.max(worst, Math.abs(want - (data.qMDamp[i * n + j] as number)) / Math.max(1, Math.abs(want)));
          added = Math.max(added, Math.abs((data.qMDamp[i * n + j] as number) - (data.qM[i * n + j] as number)));
        }
      }
      expect(worst).toBeLessThan(1e-12);
      expect(added).toBeGreaterThan(1e-3);
    }
  });

  it('stop a sliding box, and turn a sliding ball into rolling without slip at v₀/(1 + I/(m·r²))', () => {
    const WORLD: BodySpec = { name: 'world', parent: -1, pos: [0, 0, 0], quat: [1, 0, 0, 0], mass: 0, ipos: [0, 0, 0], iquat: [1, 0, 0, 0], inertia: [0, 0, 0], joints: [], geoms: [] };
    const FREE: JointSpec = { name: 'f', type: JointType.Free, pos: [0, 0, 0], axis: [0, 0, 1], range: [0, 0], limited: false, damping: 0, armature: 0, stiffness: 0, springref: 0, ref: 0 };
    const geom = (type: GeomSpec['type'], size: [number, number, number]): GeomSpec => ({ name: 'g', type, size, pos: [0, 0, 0], quat: [1, 0, 0, 0], friction: [0.8, 0, 0], contype: 1, conaffinity: 1, condim: 3, margin: 0 });
    const floor = { ...WORLD, geoms: [geom(GeomType.Plane, [5, 5, 1])] };
    const body = (g: GeomSpec, height: number): ModelSpec => ({
      name: 'rest',
      timestep: 0.002,
      gravity: [0, 0, -9.81],
      integrator: 'Euler',
      bodies: [floor, { ...WORLD, name: 'b', parent: 0, pos: [0, 0, height + 0.02], mass: 2, inertia: [0.02, 0.02, 0.02], joints: [FREE], geoms: [g] }],
      actuators: [],
    });
    const box = buildModel(body(geom(GeomType.Box, [0.2, 0.1, 0.05]), 0.05));
    const b = new PhysicsData(box, 1);
    b.setQvel(0, [1, 0, 0, 0, 0, 0]);
    step(box, b, 1500);
    // At rest each support carries f = m·g/n, where k·s·softplus(−φ/s) = f: φ = −s·ln(e^{f/(k·s)} − 1).
    // For these light loads that is a hover of a few mm (the smoothed spring's tail), not a penetration.
    const rest = (f: number): number => -1e-3 * Math.log(Math.expm1(f / (1e5 * 1e-3)));
    expect(Math.abs((b.qpos[2] as number) - (0.05 + rest((2 * 9.81) / 4)))).toBeLessThan(1e-5);
    expect(Math.hypot(...b.qvel)).toBeLessThan(1e-6);
    const ball = buildModel(body(geom(GeomType.Sphere, [0.1, 0, 0]), 0.1));
    const d = new PhysicsData(ball, 1);
    d.setQvel(0, [1, 0, 0, 0, 0, 0]);
    step(ball, d, 1500);
    expect(Math.abs((d.qpos[2] as number) - (0.1 + rest(2 * 9.81)))).toBeLessThan(1e-4);
    // I = 0.02, m·r² = 0.02: it rolls on at half the speed, spinning about y at v/r.
    expect(d.qvel[0]).toBeCloseTo(0.5, 2);
    expect(d.qvel[4]).toBeCloseTo(5, 1);
    forward(ball, d); // (after step, the buffers describe the state before the last substep: refresh)
    contactForces(ball, 1, d);
    expect(Math.abs(d.conVel[0] as number)).toBeLessThan(0.01); // the contact point does not slip
  });
});

describe('joint limits', () => {
  it('push a joint back into its range and vanish well inside it', () => {
    const model = buildModel(fixtureSpec('hopper'));
    const j = model.jntNames.indexOf('foot_joint'); // range ±45°
    const adr = model.jntQposAdr[j] as number;
    const dof = model.jntDofAdr[j] as number;
    const data = new PhysicsData(model, 3);
    [-1, 0, 1].forEach((q, w) => data.setQpos(w, Array.from(model.qpos0, (x, i) => (i === adr ? q : x))));
    limitForces(model, 3, data);
    expect(data.qfrcLimit[dof * 3]).toBeGreaterThan(1e3); // below −0.785: pushed up
    expect(Math.abs(data.qfrcLimit[dof * 3 + 1] as number)).toBeLessThan(1e-20);
    expect(data.qfrcLimit[dof * 3 + 2]).toBeLessThan(-1e3);
    // Unlimited joints (the root) get nothing.
    expect(data.qfrcLimit[0]).toBe(0);
    // A motor pushing into the limit settles just past it (k = 2e4 N·m/rad: 200 N·m → ≈ 0.01 rad).
    const pinned = buildModel({ ...fixtureSpec('hopper'), contact: { enabled: false }, gravity: [0, 0, 0] });
    const d2 = new PhysicsData(pinned, 1);
    d2.setCtrl(0, [0, 0, 1]);
    step(pinned, d2, 1000);
    const q = d2.qpos[adr] as number;
    expect(q).toBeGreaterThan(Math.PI / 4);
    expect(q).toBeLessThan(Math.PI / 4 + 0.03);
  });
});

describe('geom poses', () => {
  it('put each contact sphere centre where the geom frame says (capsule ends on the geom z axis)', () => {
    const model = buildModel(fixtureSpec('walker2d'));
    const B = 5;
    const data = new PhysicsData(model, B);
    const rng = new Rng('geoms');
    for (let w = 0; w < B; w++) randomState(model, data, rng, w);
    forward(model, data);
    contactForces(model, B, data);
    geomPoses(model, B, data);
    for (let c = 0; c < model.ncon; c++) {
      const g = model.conGeom[c] as number;
      const half = (model.geomSize[3 * g + 1] as number) * (c % 2 === 0 ? -1 : 1);
      for (let w = 0; w < B; w++) {
        for (let k = 0; k < 3; k++) {
          const centre = (data.geomXpos[(3 * g + k) * B + w] as number) + (data.geomXmat[(9 * g + 3 * k + 2) * B + w] as number) * half;
          const want = (data.conPoint[(3 * c + k) * B + w] as number) + (k === 2 ? (model.conRadius[c] as number) : 0);
          expect(centre).toBeCloseTo(want, 12);
        }
      }
    }
  });

  it('keep the documented contact defaults', () => {
    expect(DEFAULT_CONTACT_PARAMS).toMatchObject({ stiffness: 1e5, damping: 1000, smoothing: 1e-3, frictionSmoothing: 0.02, implicit: true });
  });
});
