/**
 * The composed backward pass `forwardVjp` of q̈ = M(q)⁻¹(τ_act(ctrl) + τ_passive(q, q̇) − c(q, q̇)):
 * - against central finite differences in qpos (the free joint's quaternion as 4 free,
 *   unnormalised coordinates), qvel, ctrl and every differentiable model parameter, at ε and
 *   ε/10, for a functional of qacc alone and for one that also reads every intermediate
 *   (directions and ε as in stage-vjp.test.ts; three batches of B = 3 worlds per model);
 * - batching: B worlds at once give exactly what each world gives alone (no mixing);
 * - an oracle-independent identity for the mass matrix: ½·xᵀM(q)x is also the kinetic energy
 *   Σ_b ½·v_bᵀI_b v_b of the body velocities the RNE velocity recursion forms from q̇ = x, so
 *   ∂/∂q of it through the CRBA VJP must equal ∂/∂q through the RNE VJP, and ∂/∂x through the
 *   RNE VJP must equal (M − armature)·x, the VJP of x ↦ M(q)x with cotangent x.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { checkVjp } from '../../src/physics/backward/index.js';
import {
  comKinematicsVjp,
  crbaVjp,
  forwardVjp,
  kinematicsVjp,
  ModelParamGrad,
  PhysicsData,
  PhysicsGrad,
  rneBiasVjp,
  type PhysicsModel,
} from '../../src/physics/index.js';
import { DIRECTIONS, loadModel, randomState, smoothForward } from './vjp-helpers.js';

const MODELS = ['hopper', 'half_cheetah', 'ant'] as const;
const B = 3;
const BATCHES = Number(process.env.VJP_BATCHES ?? 3);
const TOL = 1e-6;


/** Every forward buffer with a cotangent (all but the Cholesky factor). */
const ALL_OUTPUTS = [
  'xpos', 'xquat', 'xmat', 'xanchor', 'xaxis', 'cinert', 'cdof', 'crb', 'dofForce', 'qM',
  'cvel', 'cdofDot', 'cacc', 'cfrc', 'qfrcBias', 'qfrcPassive', 'qfrcActuator', 'qfrcSmooth', 'qacc',
] as const;

const report = new Map<string, [number, number]>();
afterAll(() => {
  const lines = [...report].map(([k, [a, b]]) => `  ${k.padEnd(34)} ${a.toExponential(2)}  ${b.toExponential(2)}`);
  console.log(`forwardVjp vs central differences, max relative error (ε, ε/10):\n${lines.join('\n')}`);
});

/** A state whose world 0 drives actuator 0 beyond its control range (zero gradient there). */
function state(model: PhysicsModel, data: PhysicsData, rng: Rng): void {
  randomState(model, data, rng);
  data.ctrl[0] = 1.5;
}

describe.each(MODELS)('forwardVjp on %s', (name) => {
  const model = loadModel(name);

  it.each([
    ['qacc only', ['qacc']],
    ['qacc and every intermediate', ALL_OUTPUTS],
  ] as const)('matches central differences in qpos, qvel, ctrl and parameters (%s)', (label, outputs) => {
    const worst: [number, number] = [0, 0];
    for (let batch = 0; batch < BATCHES; batch++) {
      const rng = new Rng(`forward-vjp/${name}/${label}/${batch}`);
      const data = new PhysicsData(model, B);
      const grad = new PhysicsGrad(model, B);
      state(model, data, rng);
      const res = checkVjp({
        model,
        data,
        grad,
        inputs: ['qpos', 'qvel', 'ctrl'],
        params: ModelParamGrad.FIELDS,
        outputs,
        run: () => smoothForward(model, data),
        vjp: () => forwardVjp(model, data, grad, outputs.length > 1),
        rng,
        directions: DIRECTIONS,
      });
      expect(grad.ctrlBar[0]).toBe(0); // clamped control
      worst[0] = Math.max(worst[0], res.maxRelError[0]);
      worst[1] = Math.max(worst[1], res.maxRelError[1]);
    }
    report.set(`${name} ${label}`, worst);
    expect(worst[0]).toBeLessThanOrEqual(TOL);
    expect(worst[1]).toBeLessThanOrEqual(TOL);
  });

  it('gives each world of a batch exactly its own gradient', () => {
    const rng = new Rng(`forward-vjp/batch/${name}`);
    const data = new PhysicsData(model, B);
    const grad = new PhysicsGrad(model, B);
    state(model, data, rng);
    smoothForward(model, data);
    grad.zero();
    grad.qaccBar.forEach((_, t) => (grad.qaccBar[t] = rng.normal()));
    const seeds = Float64Array.from(grad.qaccBar);
    forwardVjp(model, data, grad);
    for (let w = 0; w < B; w++) {
      const one = new PhysicsData(model, 1);
      const g1 = new PhysicsGrad(model, 1);
      one.setQpos(0, data.gather(data.qpos, model.nq, w));
      one.setQvel(0, data.gather(data.qvel, model.nv, w));
      one.setCtrl(0, data.gather(data.ctrl, model.nu, w));
      smoothForward(model, one);
      g1.zero();
      for (let i = 0; i < model.nv; i++) g1.qaccBar[i] = seeds[i * B + w] as number;
      forwardVjp(model, one, g1);
      const pairs: [Float64Array, Float64Array][] = [
        [grad.qposBar, g1.qposBar],
        [grad.qvelBar, g1.qvelBar],
        [grad.ctrlBar, g1.ctrlBar],
        ...ModelParamGrad.FIELDS.map((f) => [grad.params[f], g1.params[f]] as [Float64Array, Float64Array]),
      ];
      for (const [batched, single] of pairs) {
        for (let c = 0; c < single.length; c++) expect(batched[c * B + w]).toBe(single[c]);
      }
    }
  });

  it('agrees with the RNE velocity recursion on ∂/∂q and ∂/∂x of ½·xᵀM(q)x', () => {
    const rng = new Rng(`forward-vjp/mass/${name}`);
    const data = new PhysicsData(model, B);
    state(model, data, rng); // q̇ = x
    smoothForward(model, data);
    const { nv, nq, nbody } = model;
    const x = data.qvel;

    // Path A: CRBA VJP with M̄ = ½·x·xᵀ.
    const ga = new PhysicsGrad(model, B);
    ga.zero();
    for (let i = 0; i < nv; i++)
      for (let j = 0; j < nv; j++)
        for (let w = 0; w < B; w++) ga.qMBar[(i * nv + j) * B + w] = 0.5 * (x[i * B + w] as number) * (x[j * B + w] as number);
    crbaVjp(model, B, data, ga);
    comKinematicsVjp(model, B, data, ga);
    kinematicsVjp(model, B, data, ga);

    // Path B: T = Σ_b ½·v_bᵀ I_b v_b over the RNE's cvel, differentiated here by hand in I and v.
    const gb = new PhysicsGrad(model, B);
    gb.zero();
    const T = new Float64Array(B);
    for (let b = 1; b < nbody; b++) {
      for (let w = 0; w < B; w++) {
        const I = (k: number): number => data.cinert[(10 * b + k) * B + w] as number;
        const v = (k: number): number => data.cvel[(6 * b + k) * B + w] as number;
        const [ox, oy, oz, ux, uy, uz] = [v(0), v(1), v(2), v(3), v(4), v(5)];
        const [hx, hy, hz, m] = [I(6), I(7), I(8), I(9)];
        // I·v = [Ī·ω + h × u; m·u − h × ω]
        const iv = [
          I(0) * ox + I(3) * oy + I(4) * oz + (hy * uz - hz * uy),
          I(3) * ox + I(1) * oy + I(5) * oz + (hz * ux - hx * uz),
          I(4) * ox + I(5) * oy + I(2) * oz + (hx * uy - hy * ux),
          m * ux - (hy * oz - hz * oy),
          m * uy - (hz * ox - hx * oz),
          m * uz - (hx * oy - hy * ox),
        ];
        T[w] = (T[w] as number) + 0.5 * iv.reduce((s, f, k) => s + f * v(k), 0);
        iv.forEach((f, k) => (gb.cvelBar[(6 * b + k) * B + w] = f));
        // ½vᵀIv = ½ωᵀĪω + h·(u × ω) + ½m|u|²
        const ib = [0.5 * ox * ox, 0.5 * oy * oy, 0.5 * oz * oz, ox * oy, ox * oz, oy * oz, uy * oz - uz * oy, uz * ox - ux * oz, ux * oy - uy * ox, 0.5 * (ux * ux + uy * uy + uz * uz)];
        ib.forEach((g, k) => (gb.cinertBar[(10 * b + k) * B + w] = g));
      }
    }
    rneBiasVjp(model, B, data, gb);
    comKinematicsVjp(model, B, data, gb);
    kinematicsVjp(model, B, data, gb);

    for (let w = 0; w < B; w++) {
      // Values: ½xᵀ(M − armature)x = T.
      let quad = 0;
      for (let i = 0; i < nv; i++)
        for (let j = 0; j < nv; j++) {
          const mij = (data.qM[(i * nv + j) * B + w] as number) - (i === j ? (model.dofArmature[i] as number) : 0);
          quad += 0.5 * (x[i * B + w] as number) * mij * (x[j * B + w] as number);
        }
      expect(Math.abs(quad - (T[w] as number))).toBeLessThanOrEqual(1e-12 * Math.abs(quad));
      // ∂T/∂x through the velocity recursion = (M − armature)·x.
      const mx = Array.from({ length: nv }, (_, i) => {
        let s = 0;
        for (let j = 0; j < nv; j++) s += ((data.qM[(i * nv + j) * B + w] as number) - (i === j ? (model.dofArmature[i] as number) : 0)) * (x[j * B + w] as number);
        return s;
      });
      const sx = Math.max(...mx.map(Math.abs));
      mx.forEach((v, i) => expect(Math.abs((gb.qvelBar[i * B + w] as number) - v)).toBeLessThanOrEqual(1e-12 * sx));
      // ∂/∂q and ∂/∂(mass, inertia, com) through CRBA = through RNE.
      const sq = Math.max(1e-300, ...Array.from({ length: nq }, (_, a) => Math.abs(ga.qposBar[a * B + w] as number)));
      for (let a = 0; a < nq; a++) expect(Math.abs((ga.qposBar[a * B + w] as number) - (gb.qposBar[a * B + w] as number))).toBeLessThanOrEqual(1e-11 * sq);
      for (const f of ['bodyMass', 'bodyInertia', 'bodyIpos'] as const) {
        const pa = ga.params[f];
        const pb = gb.params[f];
        const n = pa.length / B;
        const sp = Math.max(1e-300, ...Array.from({ length: n }, (_, c) => Math.abs(pa[c * B + w] as number)));
        for (let c = 0; c < n; c++) expect(Math.abs((pa[c * B + w] as number) - (pb[c * B + w] as number))).toBeLessThanOrEqual(1e-11 * sp);
      }
    }
  });
});
