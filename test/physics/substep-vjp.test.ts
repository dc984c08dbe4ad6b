/**
 * The backward passes of a substep's contact, limit, damped-solve and integrator stages, and of
 * the whole substep, against central finite differences (PHYSICS.md §7.6), in states where
 * every world touches the ground (its lowest contact sphere within ±2 smoothing lengths of the
 * plane, see `contactState`) and about half the limited joints sit within a few smoothing
 * lengths of a range end. Same protocol as stage-vjp.test.ts: a random linear functional of the
 * stage's outputs, a direction in one world's inputs at a time (signs aligned with the VJP's
 * gradient) and one in the model parameters, relative error ≤ 1e-6 at ε = 1e-6·max(1, |x|) and
 * at ε/10. The scalar contact and limit parameters (k, d, s, ε_v, ε), which live in the model's
 * frozen parameter objects, are checked separately by `checkScalarParams`, each moved relative
 * to its own size.
 *
 * Models: hopper (planar root, capsule feet; also with explicit contact and limits, which skips
 * the implicit terms), half_cheetah, and ant at the environments' 2 ms substep (free joint: its
 * quaternion is 4 free coordinates, and one world spins slowly enough that the integrator's
 * exp-map takes its Taylor branch).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { checkVjp } from '../../src/physics/backward/index.js';
import {
  contactForces,
  contactForcesVjp,
  dampedSolve,
  dampedSolveVjp,
  integrate,
  integrateVjp,
  JointType,
  limitForces,
  limitForcesVjp,
  ModelParamGrad,
  PhysicsData,
  PhysicsGrad,
  substepVjp,
  withContactParams,
  type PhysicsModel,
  type ScalarParamName,
} from '../../src/physics/index.js';
import { checkScalarParams, contactState, loadModel, stageCheckSpec, substepInPlace, type StageUnderTest } from './vjp-helpers.js';

const B = 3;
const BATCHES = Number(process.env.VJP_BATCHES ?? 2);
const TOL = 1e-6;

const CONTACT_SCALARS: readonly ScalarParamName[] = ['contactStiffness', 'contactDamping', 'contactSmoothing', 'contactFrictionSmoothing', 'contactGateSmoothing'];
const LIMIT_SCALARS: readonly ScalarParamName[] = ['limitStiffness', 'limitDamping', 'limitSmoothing', 'limitGateSmoothing'];

const MODELS: readonly [string, () => PhysicsModel][] = [
  ['hopper', () => loadModel('hopper')],
  ['hopper (explicit)', () => withContactParams(loadModel('hopper'), { implicit: false }, { implicit: false })],
  ['half_cheetah', () => loadModel('half_cheetah', 0.002)],
  ['ant', () => loadModel('ant', 0.002)],
];

interface Stage extends StageUnderTest {
  readonly scalars: readonly ScalarParamName[];
  /** When set, the parameters are checked in a separate checkVjp call with this relative step instead of the default 1e-6. */
  readonly paramRelEps?: number;
}

/** Every intermediate of a substep with a cotangent the substep VJP reads (qM, crb, dofForce excepted: its CRBA VJP takes the solve's rank-one M̄ only). */
const SUBSTEP_INTERMEDIATES = [
  'xpos', 'xquat', 'xmat', 'xanchor', 'xaxis', 'cinert', 'cdof', 'cvel', 'cdofDot', 'cacc', 'cfrc', 'qfrcBias', 'qfrcPassive',
  'qfrcActuator', 'conPoint', 'conDist', 'conVel', 'conForce', 'cfrcExt', 'qfrcContact', 'conImplicit', 'qfrcLimit', 'limImplicit',
  'qfrcTotal', 'qaccStep',
] as const;

const STAGES: readonly Stage[] = [
  {
    name: 'contactForces',
    inputs: ['xpos', 'xmat', 'cvel', 'cdof'],
    params: ['conFriction'],
    scalars: CONTACT_SCALARS,
    outputs: ['conPoint', 'conDist', 'conVel', 'conForce', 'cfrcExt', 'qfrcContact', 'conImplicit'],
    run: (m, d) => contactForces(m, d.batch, d),
    vjp: (m, d, g) => contactForcesVjp(m, d.batch, d, g),
  },
  {
    name: 'limitForces',
    inputs: ['qpos', 'qvel'],
    params: [],
    scalars: LIMIT_SCALARS,
    outputs: ['qfrcLimit', 'limImplicit'],
    run: (m, d) => limitForces(m, d.batch, d),
    vjp: (m, d, g) => limitForcesVjp(m, d.batch, d, g),
  },
  {
    name: 'dampedSolve',
    inputs: ['qM', 'qfrcActuator', 'qfrcPassive', 'qfrcBias', 'qfrcContact', 'qfrcLimit', 'xpos', 'cdof', 'conPoint', 'conImplicit', 'limImplicit'],
    symmetricInputs: ['qM'],
    params: ['dofDamping'],
    scalars: [],
    outputs: ['qfrcTotal', 'qaccStep'],
    // The damping enters only as h·D (h = 2 ms): a step of 1e-6 in D moves the matrix by 2e-9,
    // and the difference quotient of accelerations of ~10³ m/s² is then round-off (≈1e-5
    // relative at ε/10). A step of 1e-3 moves it by 2e-6 (the solve is smooth in D).
    paramRelEps: 1e-3,
    run: (m, d) => dampedSolve(m, d.batch, m.timestep, d),
    vjp: (m, d, g) => dampedSolveVjp(m, d.batch, m.timestep, d, g, true),
  },
  {
    name: 'integrate',
    inputs: ['qpos', 'qvel', 'qaccStep'],
    params: [],
    scalars: [],
    outputs: ['qposNext', 'qvelNext'],
    run: (m, d) => integrate(m, d.batch, m.timestep, d),
    vjp: (m, d, g) => integrateVjp(m, d.batch, m.timestep, d, g),
  },
  {
    name: 'substep → new state',
    inputs: ['qpos', 'qvel', 'ctrl'],
    params: ModelParamGrad.FIELDS,
    scalars: [...CONTACT_SCALARS, ...LIMIT_SCALARS],
    outputs: ['qposNext', 'qvelNext'],
    run: (m, d) => substepInPlace(m, d),
    vjp: (m, d, g) => substepVjp(m, d, g),
  },
  {
    name: 'substep → new state and every intermediate',
    inputs: ['qpos', 'qvel', 'ctrl'],
    params: ModelParamGrad.FIELDS,
    scalars: [...CONTACT_SCALARS, ...LIMIT_SCALARS],
    outputs: ['qposNext', 'qvelNext', ...SUBSTEP_INTERMEDIATES],
    run: (m, d) => substepInPlace(m, d),
    vjp: (m, d, g) => substepVjp(m, d, g),
  },
];

/** A state in contact; in world 1 of a free-joint model, angular velocity and acceleration tiny (the exp-map's Taylor branch). */
function state(model: PhysicsModel, data: PhysicsData, rng: Rng): void {
  contactState(model, data, rng);
  if (model.jntType[0] === JointType.Free) {
    for (let k = 3; k < 6; k++) data.qvel[k * B + 1] = 1e-3 * rng.normal();
  }
  substepInPlace(model, data);
  if (model.jntType[0] === JointType.Free) {
    // The integrate stage reads qaccStep as an input: make ω⁺ = ω + h·q̈ tiny too.
    for (let k = 3; k < 6; k++) data.qaccStep[k * B + 1] = 1e-3 * rng.normal();
  }
}

const report = new Map<string, [number, number]>();
afterAll(() => {
  const lines = [...report].map(([k, [a, b]]) => `  ${k.padEnd(64)} ${a.toExponential(2)}  ${b.toExponential(2)}`);
  console.log(`substep stage VJPs vs central differences, max relative error (ε, ε/10):\n${lines.join('\n')}`);
});

describe.each(MODELS)('substep VJPs on %s', (name, make) => {
  const model = make();

  it('starts from states in contact and at the limits', () => {
    const data = new PhysicsData(model, B);
    state(model, data, new Rng(`substep-vjp/state/${name}`));
    for (let w = 0; w < B; w++) {
      let low = Infinity;
      for (let c = 0; c < model.ncon; c++) low = Math.min(low, data.conDist[c * B + w] as number);
      expect(Math.abs(low)).toBeLessThanOrEqual(2 * model.contact.smoothing + 1e-12);
    }
    expect(data.conForce.some((f) => f !== 0)).toBe(true);
    expect(data.qfrcLimit.some((f) => Math.abs(f) > 1)).toBe(true);
  });

  it.each(STAGES.map((s) => [s.name, s] as const))('%s matches central differences', (_label, stage) => {
    const worst: [number, number] = [0, 0];
    for (let batch = 0; batch < BATCHES; batch++) {
      const rng = new Rng(`substep-vjp/${name}/${stage.name}/${batch}`);
      const data = new PhysicsData(model, B);
      const grad = new PhysicsGrad(model, B);
      state(model, data, rng);
      const spec = stageCheckSpec(model, data, grad, stage, rng);
      const separate = stage.paramRelEps !== undefined;
      const res = checkVjp(separate ? { ...spec, params: [] } : spec);
      for (const c of res.worlds) {
        expect(Number.isFinite(c.analytic)).toBe(true);
        expect(Math.abs(c.analytic)).toBeGreaterThan(0);
      }
      const paramCheck = separate ? checkVjp({ ...spec, inputs: [], relEps: stage.paramRelEps }).params : res.params;
      const checks = [...res.worlds, ...(paramCheck ? [paramCheck] : [])];
      const enabled = stage.scalars.filter((n) => (n.startsWith('contact') ? model.contact.enabled : model.limit.enabled));
      if (enabled.length > 0) {
        const sc = checkScalarParams({
          model,
          data,
          grad,
          names: enabled,
          outputs: stage.outputs,
          run: (m) => stage.run(m, data),
          vjp: () => stage.vjp(model, data, grad),
          rng,
        });
        expect(Math.abs(sc.analytic)).toBeGreaterThan(0);
        checks.push(sc);
      }
      for (const c of checks) {
        worst[0] = Math.max(worst[0], c.relError[0]);
        worst[1] = Math.max(worst[1], c.relError[1]);
      }
    }
    report.set(`${name} ${stage.name}`, worst);
    expect(worst[0]).toBeLessThanOrEqual(TOL);
    expect(worst[1]).toBeLessThanOrEqual(TOL);
  });
});

describe('contact VJP far from the ground', () => {
  it('gives zero force gradients beyond the far-field cut, like the forward', () => {
    const model = loadModel('hopper');
    const data = new PhysicsData(model, 1);
    data.qpos[1] = 3; // 1.75 m up: every sphere far beyond 50·s
    substepInPlace(model, data);
    expect(data.conForce.every((f) => f === 0)).toBe(true);
    const grad = new PhysicsGrad(model, 1);
    grad.zero();
    grad.conForceBar.fill(1);
    grad.conImplicitBar.fill(1);
    grad.qfrcContactBar.fill(1);
    contactForcesVjp(model, 1, data, grad);
    for (const a of [grad.xposBar, grad.xmatBar, grad.cvelBar, grad.params.conFriction, grad.params.contactStiffness]) expect(a.every((x) => x === 0)).toBe(true);
    // The contact point itself is still differentiable there.
    grad.conDistBar.fill(1);
    contactForcesVjp(model, 1, data, grad);
    expect(grad.xposBar.some((x) => x !== 0)).toBe(true);
  });
});
