/**
 * Every backward stage against central finite differences (PHYSICS.md §7.6): for a random
 * linear functional of the stage's outputs and a random direction in one world's inputs at a
 * time (and one in the model parameters the stage reads), ⟨∇L, v⟩ from the VJP must match
 * [L(x + εv) − L(x − εv)]/2ε within 1e-6 relative at ε = 1e-6·max(1, |x|) and at ε/10 (|x| per
 * input buffer, see `checkVjp`). Directions have random magnitudes and the signs of the VJP's
 * gradient (`checkVjp`'s 'aligned' mode, so the check is not a cancellation of large terms);
 * VJP_DIRECTIONS=random switches to plain Gaussian directions, VJP_BATCHES=n runs more states.
 * Hopper and half_cheetah (planar roots: three joints on one body, springs) and ant (free
 * joint, its quaternion perturbed as 4 free, unnormalised coordinates), B = 3 worlds in
 * different states, two batches each.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { checkVjp } from '../../src/physics/backward/index.js';
import {
  actuatorForces,
  actuatorForcesVjp,
  choleskyFactor,
  choleskySolve,
  comKinematics,
  comKinematicsVjp,
  crba,
  crbaVjp,
  kinematics,
  kinematicsVjp,
  passiveForces,
  passiveForcesVjp,
  PhysicsData,
  PhysicsGrad,
  rneBias,
  rneBiasVjp,
  solveVjp,
} from '../../src/physics/index.js';
import { loadModel, randomState, smoothForward, stageCheckSpec, type StageUnderTest } from './vjp-helpers.js';

const MODELS = ['hopper', 'half_cheetah', 'ant'] as const;
const B = 3;
const BATCHES = Number(process.env.VJP_BATCHES ?? 2);
const TOL = 1e-6;

type Stage = StageUnderTest;

const STAGES: readonly Stage[] = [
  {
    name: 'kinematics',
    inputs: ['qpos'],
    params: [],
    outputs: ['xpos', 'xquat', 'xmat', 'xanchor', 'xaxis'],
    run: (m, d) => kinematics(m, d.batch, d),
    vjp: (m, d, g) => kinematicsVjp(m, d.batch, d, g),
  },
  {
    name: 'comKinematics',
    inputs: ['xpos', 'xmat', 'xanchor', 'xaxis'],
    params: ['bodyMass', 'bodyInertia', 'bodyIpos'],
    outputs: ['cinert', 'cdof'],
    run: (m, d) => comKinematics(m, d.batch, d),
    vjp: (m, d, g) => comKinematicsVjp(m, d.batch, d, g),
  },
  {
    name: 'crba',
    inputs: ['cinert', 'cdof'],
    params: ['dofArmature'],
    outputs: ['crb', 'dofForce', 'qM'],
    run: (m, d) => crba(m, d.batch, d),
    vjp: (m, d, g) => crbaVjp(m, d.batch, d, g),
  },
  {
    name: 'rneBias',
    inputs: ['qvel', 'cinert', 'cdof'],
    params: ['gravity'],
    outputs: ['cvel', 'cdofDot', 'cacc', 'cfrc', 'qfrcBias'],
    run: (m, d) => rneBias(m, d.batch, d),
    vjp: (m, d, g) => rneBiasVjp(m, d.batch, d, g),
  },
  {
    name: 'passiveForces',
    inputs: ['qpos', 'qvel'],
    params: ['dofDamping', 'jntStiffness', 'jntSpringRef'],
    outputs: ['qfrcPassive'],
    run: (m, d) => passiveForces(m, d.batch, d),
    vjp: (m, d, g) => passiveForcesVjp(m, d.batch, d, g),
  },
  {
    name: 'actuatorForces',
    inputs: ['ctrl'],
    params: ['actuatorGear'],
    outputs: ['qfrcActuator'],
    run: (m, d) => actuatorForces(m, d.batch, d),
    vjp: (m, d, g) => actuatorForcesVjp(m, d.batch, d, g),
  },
  {
    name: 'factor+solve',
    inputs: ['qM', 'qfrcActuator', 'qfrcPassive', 'qfrcBias'],
    symmetricInputs: ['qM'],
    params: [],
    outputs: ['qfrcSmooth', 'qacc'],
    run: (m, d) => {
      choleskyFactor(m, d.batch, d);
      choleskySolve(m, d.batch, d);
    },
    vjp: (m, d, g) => solveVjp(m, d.batch, d, g, true),
  },
];

/** Worst relative error per stage and model at ε and ε/10, printed after the run. */
const report = new Map<string, [number, number]>();
afterAll(() => {
  const lines = [...report].map(([k, [a, b]]) => `  ${k.padEnd(30)} ${a.toExponential(2)}  ${b.toExponential(2)}`);
  console.log(`stage VJP vs central differences, max relative error (ε, ε/10):\n${lines.join('\n')}`);
});

describe.each(MODELS)('stage VJPs on %s', (name) => {
  const model = loadModel(name);
  it.each(STAGES.map((s) => [s.name, s] as const))('%s matches central differences in every world', (_label, stage) => {
    const worst: [number, number] = [0, 0];
    for (let batch = 0; batch < BATCHES; batch++) {
      const rng = new Rng(`stage-vjp/${name}/${stage.name}/${batch}`);
      const data = new PhysicsData(model, B);
      const grad = new PhysicsGrad(model, B);
      randomState(model, data, rng);
      smoothForward(model, data);
      const spec = stageCheckSpec(model, data, grad, stage, rng);
      const res = checkVjp(spec);
      for (const c of [...res.worlds, ...(res.params ? [res.params] : [])]) {
        expect(Number.isFinite(c.analytic)).toBe(true);
        expect(Math.abs(c.analytic)).toBeGreaterThan(0);
      }
      worst[0] = Math.max(worst[0], res.maxRelError[0]);
      worst[1] = Math.max(worst[1], res.maxRelError[1]);
    }
    report.set(`${name} ${stage.name}`, worst);
    expect(worst[0]).toBeLessThanOrEqual(TOL);
    expect(worst[1]).toBeLessThanOrEqual(TOL);
  });
});

describe('CRBA VJP: the rank-one M̄ = −u·xᵀ contracted in O(nbody) equals the dense path-by-path adjoint', () => {
  it.each(MODELS)('%s', (name) => {
    const model = loadModel(name);
    const rng = new Rng(`crba-lowrank/${name}`);
    const data = new PhysicsData(model, B);
    randomState(model, data, rng);
    smoothForward(model, data);
    const nv = model.nv;
    const u = Float64Array.from({ length: nv * B }, () => rng.normal());
    const x = Float64Array.from({ length: nv * B }, () => rng.normal());
    const dense = new PhysicsGrad(model, B);
    dense.zero();
    for (let i = 0; i < nv; i++)
      for (let j = 0; j < nv; j++)
        for (let w = 0; w < B; w++) dense.qMBar[(i * nv + j) * B + w] = -(u[i * B + w] as number) * (x[j * B + w] as number);
    crbaVjp(model, B, data, dense);
    const fused = new PhysicsGrad(model, B);
    fused.zero();
    crbaVjp(model, B, data, fused, u, x, false);
    for (const f of ['cinertBar', 'cdofBar'] as const) {
      const scale = Math.max(...dense[f].map(Math.abs));
      for (let t = 0; t < dense[f].length; t++) expect(Math.abs((fused[f][t] as number) - (dense[f][t] as number))).toBeLessThanOrEqual(1e-12 * scale);
    }
    const scale = Math.max(...dense.params.dofArmature.map(Math.abs));
    dense.params.dofArmature.forEach((v, t) => expect(Math.abs((fused.params.dofArmature[t] as number) - v)).toBeLessThanOrEqual(1e-12 * scale));
  });
});
