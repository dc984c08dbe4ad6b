/**
 * Differentiable rollout windows (`Rollout`):
 * - the forward of a window is exactly `step(model, data, S)` per step;
 * - 32-step windows in contact (hopper, 4 substeps per step; ant with its free joint, 5
 *   substeps) against central finite differences of the whole window: a random linear loss on
 *   the state after every step, directions in one world's initial state or one world's 32
 *   actions at a time (signs aligned with the gradient, as in checkVjp), relative error ≤ 1e-4
 *   at ε = 1e-6·max(1, |x|) and at ε/10, and in a few model parameters one at a time (masses,
 *   gears, μ, joint damping, contact stiffness/damping/smoothing, ε_v, limit stiffness), each
 *   moved relative to its own size (see PARAM_EPS);
 * - the per-step hook chains a feedback policy a_t = W·q̇_t (closed loop, checked the same way);
 * - a reset flag cuts the gradient exactly where a real reset to a fixed state does;
 * - cotangent clipping equals clipping done by hand in the seed callback, and binds.
 * VJP_BATCHES=n checks n random windows per model instead of one.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { checkDirectional, relativeError, type DirectionalCheck } from '../../src/physics/backward/index.js';
import {
  contactForces,
  comKinematics,
  JointType,
  kinematics,
  PhysicsData,
  rneBias,
  Rollout,
  scalarParam,
  step,
  withScalarParams,
  type PhysicsModel,
  type ScalarParamName,
} from '../../src/physics/index.js';
import { heightAddress, loadModel } from './vjp-helpers.js';

const T = 32;
const TOL = 1e-4;
/** Random windows per model in the finite-difference test (VJP_BATCHES=n for more). */
const BATCHES = Number(process.env.VJP_BATCHES ?? 1);
const report = new Map<string, [number, number]>();
afterAll(() => {
  const lines = [...report].map(([k, [a, b]]) => `  ${k.padEnd(44)} ${a.toExponential(2)}  ${b.toExponential(2)}`);
  console.log(`${T}-step windows vs central differences, max relative error (ε, ε/10):\n${lines.join('\n')}`);
});

/** A window's inputs: initial state and the controls of every step. */
interface Episode {
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
  /** [T·nu·B] */
  readonly ctrls: Float64Array;
}

/**
 * Near-rest states standing on the ground: qpos0 ± 0.05 (a free joint slightly tilted; a
 * limited joint whose qpos0 is outside its range, like the ant's ankles, at mid-range instead),
 * lowered until the lowest contact sphere is at φ ∈ [−s, s]; q̇ ~ 0.1·N(0, 1); controls uniform
 * in ±0.8.
 */
function episode(model: PhysicsModel, B: number, rng: Rng): Episode {
  const data = new PhysicsData(model, B);
  const q0 = Float64Array.from(model.qpos0);
  for (let j = 0; j < model.njnt; j++) {
    const a = model.jntQposAdr[j] as number;
    const lo = model.jntRange[2 * j] as number;
    const hi = model.jntRange[2 * j + 1] as number;
    if (model.jntLimited[j] === 1 && model.jntType[j] !== JointType.Free && !((q0[a] as number) >= lo && (q0[a] as number) <= hi)) q0[a] = 0.5 * (lo + hi);
  }
  for (let w = 0; w < B; w++) {
    const q = Float64Array.from(q0, (x) => x + rng.uniformRange(-0.05, 0.05));
    if (model.jntType[0] === JointType.Free) {
      const quat = [1, 0.05 * rng.normal(), 0.05 * rng.normal(), 0.05 * rng.normal()];
      const n = Math.hypot(...quat);
      for (let k = 0; k < 4; k++) q[3 + k] = (quat[k] as number) / n;
    }
    data.setQpos(w, q);
    data.setQvel(w, Array.from({ length: model.nv }, () => 0.1 * rng.normal()));
  }
  kinematics(model, B, data);
  comKinematics(model, B, data);
  rneBias(model, B, data);
  contactForces(model, B, data);
  const z = heightAddress(model);
  for (let w = 0; w < B; w++) {
    let low = Infinity;
    for (let c = 0; c < model.ncon; c++) low = Math.min(low, data.conDist[c * B + w] as number);
    data.qpos[z * B + w] = (data.qpos[z * B + w] as number) + model.contact.smoothing * rng.uniformRange(-1, 1) - low;
  }
  const ctrls = Float64Array.from({ length: T * model.nu * B }, () => rng.uniformRange(-0.8, 0.8));
  return { qpos: Float64Array.from(data.qpos), qvel: Float64Array.from(data.qvel), ctrls };
}

/** Optional closed loop and resets of a window. */
interface Setup {
  /** a_t += W·q̇_t with W [nu·nv] (row u, column i), on top of the open-loop controls. */
  readonly feedback?: Float64Array;
  /** World w is reset to `resetState` after step t for each [t, w]. */
  readonly resets?: readonly (readonly [number, number])[];
  readonly resetState?: { readonly qpos: Float64Array; readonly qvel: Float64Array };
}

/** Runs the window forward; returns it (the states after each step are in `qposAfter`/`qvelAfter`). */
function simulate(model: PhysicsModel, B: number, S: number, ep: Episode, setup: Setup = {}): Rollout {
  const { nq, nv, nu } = model;
  const data = new PhysicsData(model, B);
  data.qpos.set(ep.qpos);
  data.qvel.set(ep.qvel);
  const win = new Rollout(model, data, { horizon: T, substeps: S });
  win.begin();
  for (let t = 0; t < T; t++) {
    data.ctrl.set(ep.ctrls.subarray(t * nu * B, (t + 1) * nu * B));
    const W = setup.feedback;
    if (W !== undefined) {
      for (let u = 0; u < nu; u++)
        for (let i = 0; i < nv; i++)
          for (let w = 0; w < B; w++) data.ctrl[u * B + w] = (data.ctrl[u * B + w] as number) + (W[u * nv + i] as number) * (data.qvel[i * B + w] as number);
    }
    win.step();
    for (const [tr, w] of setup.resets ?? []) {
      if (tr !== t) continue;
      const r = setup.resetState as { qpos: Float64Array; qvel: Float64Array };
      for (let i = 0; i < nq; i++) data.qpos[i * B + w] = r.qpos[i] as number;
      for (let i = 0; i < nv; i++) data.qvel[i * B + w] = r.qvel[i] as number;
      win.markReset(w);
    }
  }
  return win;
}

/** Random loss seeds on the state after every step: [T·nq·B], [T·nv·B]. */
function seeds(model: PhysicsModel, B: number, rng: Rng): { qposSeed: Float64Array; qvelSeed: Float64Array } {
  return {
    qposSeed: Float64Array.from({ length: T * model.nq * B }, () => rng.normal()),
    qvelSeed: Float64Array.from({ length: T * model.nv * B }, () => rng.normal()),
  };
}

/** Σ seed·(a − b) over the entries of world w (all worlds when w < 0); component c of world w at c·B + w. */
function seededDiff(seed: Float64Array, a: Float64Array, b: Float64Array, B: number, w: number): number {
  let s = 0;
  for (let k = w < 0 ? 0 : w; k < seed.length; k += w < 0 ? 1 : B) s += (seed[k] as number) * ((a[k] as number) - (b[k] as number));
  return s;
}

/** One aligned direction component (Gaussian magnitude, sign of the gradient). */
const dirOf = (rng: Rng, g: number): number => (g !== 0 ? Math.sign(g) : 1) * Math.abs(rng.normal());

interface WindowCase {
  readonly label: string;
  readonly model: PhysicsModel;
  readonly B: number;
  readonly S: number;
  readonly setup?: Setup;
  readonly arrays: readonly ('bodyMass' | 'actuatorGear' | 'conFriction' | 'dofDamping')[];
  readonly scalars: readonly ScalarParamName[];
}

/**
 * Relative step of the parameter checks. The state and the actions are moved by
 * ε = 1e-6·max(1, |x|) (and ε/10) as PHYSICS.md §7.6 says; a parameter is moved relative to its
 * own size instead (s = 1 mm, ε_v = 0.02 m/s: a step of 1e-6 would change s by 0.1 % and the
 * difference quotient would measure the contact law's curvature), by 1e-4 (and 1e-5): several
 * of them (μ, ε_v) move a 32-step loss so little that at 1e-6–1e-7 the quotient is round-off
 * (relative errors up to 5·10⁻⁴ against ≤ 3·10⁻⁷ at 1e-4, the gradient being the same).
 */
const PARAM_EPS = 1e-4;

/** Every directional check of one window: per-world initial state, per-world actions, each parameter. */
function windowChecks(wc: WindowCase, rng: Rng): Map<string, DirectionalCheck> {
  const { model, B, S } = wc;
  const { nq, nv, nu } = model;
  const ep = episode(model, B, rng);
  const { qposSeed, qvelSeed } = seeds(model, B, rng);
  const W = wc.setup?.feedback;
  const win = simulate(model, B, S, ep, wc.setup);
  win.backward({
    qposSeed,
    qvelSeed,
    // Closed loop: a_t = a⁰_t + W·q̇_t sends ā_t on to q̇_t.
    ...(W !== undefined
      ? {
          onStep: (_t: number, ab: Float64Array, _qb: Float64Array, vb: Float64Array) => {
            for (let u = 0; u < nu; u++)
              for (let i = 0; i < nv; i++)
                for (let w = 0; w < B; w++) vb[i * B + w] = (vb[i * B + w] as number) + (W[u * nv + i] as number) * (ab[u * B + w] as number);
          },
        }
      : {}),
  });
  const lossDiff = (a: Rollout, b: Rollout, w: number): number =>
    seededDiff(qposSeed, a.qposAfter, b.qposAfter, B, w) + seededDiff(qvelSeed, a.qvelAfter, b.qvelAfter, B, w);
  const checks = new Map<string, DirectionalCheck>();

  for (let w = 0; w < B; w++) {
    // Initial state of world w, each buffer scaled by its own size (as checkVjp).
    const dq = Float64Array.from({ length: nq }, (_, i) => dirOf(rng, win.qposBar[i * B + w] as number));
    const dv = Float64Array.from({ length: nv }, (_, i) => dirOf(rng, win.qvelBar[i * B + w] as number));
    const norm = Math.hypot(...dq, ...dv);
    const sq = Math.max(1, ...Array.from({ length: nq }, (_, i) => Math.abs(ep.qpos[i * B + w] as number))) / norm;
    const sv = Math.max(1, ...Array.from({ length: nv }, (_, i) => Math.abs(ep.qvel[i * B + w] as number))) / norm;
    let analytic = 0;
    for (let i = 0; i < nq; i++) analytic += (dq[i] as number) * sq * (win.qposBar[i * B + w] as number);
    for (let i = 0; i < nv; i++) analytic += (dv[i] as number) * sv * (win.qvelBar[i * B + w] as number);
    const at = (t: number): Rollout => {
      const qpos = Float64Array.from(ep.qpos);
      const qvel = Float64Array.from(ep.qvel);
      for (let i = 0; i < nq; i++) qpos[i * B + w] = (qpos[i * B + w] as number) + t * (dq[i] as number) * sq;
      for (let i = 0; i < nv; i++) qvel[i * B + w] = (qvel[i * B + w] as number) + t * (dv[i] as number) * sv;
      return simulate(model, B, S, { ...ep, qpos, qvel }, wc.setup);
    };
    checks.set(`initial state, world ${w}`, checkDirectional((t) => lossDiff(at(t), at(-t), w), analytic, 1e-6));

    // The T actions of world w.
    const da = Float64Array.from({ length: T * nu }, (_, k) => dirOf(rng, win.ctrlBar[k * B + w] as number));
    const na = Math.hypot(...da);
    let an = 0;
    for (let k = 0; k < T * nu; k++) an += ((da[k] as number) / na) * (win.ctrlBar[k * B + w] as number);
    const atA = (t: number): Rollout => {
      const ctrls = Float64Array.from(ep.ctrls);
      for (let k = 0; k < T * nu; k++) ctrls[k * B + w] = (ctrls[k * B + w] as number) + (t * (da[k] as number)) / na;
      return simulate(model, B, S, { ...ep, ctrls }, wc.setup);
    };
    checks.set(`actions, world ${w}`, checkDirectional((t) => lossDiff(atA(t), atA(-t), w), an, 1e-6));
  }

  // Parameters, one at a time, each moved relative to its own size (see PARAM_EPS).
  for (const name of wc.arrays) {
    const arr = model[name];
    const base = Float64Array.from(arr);
    const g = win.params.sumOverWorlds(name);
    const d = Float64Array.from(base, (_, c) => dirOf(rng, g[c] as number));
    const scale = Math.max(...base.map(Math.abs)) / Math.hypot(...d);
    const analytic = d.reduce((s, x, c) => s + x * scale * (g[c] as number), 0);
    const at = (t: number): Rollout => {
      for (let c = 0; c < arr.length; c++) arr[c] = (base[c] as number) + t * (d[c] as number) * scale;
      const r = simulate(model, B, S, ep, wc.setup);
      arr.set(base);
      return r;
    };
    checks.set(name, checkDirectional((t) => lossDiff(at(t), at(-t), -1), analytic, PARAM_EPS));
  }
  for (const name of wc.scalars) {
    const p = scalarParam(model, name);
    const scale = Math.abs(p);
    const g = win.params.sumOverWorlds(name)[0] as number;
    const at = (t: number): Rollout => simulate(withScalarParams(model, { [name]: p + t * scale }), B, S, ep, wc.setup);
    checks.set(name, checkDirectional((t) => lossDiff(at(t), at(-t), -1), g * scale, PARAM_EPS));
  }
  return checks;
}

const PARAMS = {
  arrays: ['bodyMass', 'actuatorGear', 'conFriction', 'dofDamping'] as const,
  scalars: ['contactStiffness', 'contactDamping', 'contactSmoothing', 'contactFrictionSmoothing', 'limitStiffness'] as const,
};

describe('Rollout forward', () => {
  it('steps exactly like step(model, data, S) and stores the states', () => {
    const model = loadModel('hopper');
    const B = 2;
    const ep = episode(model, B, new Rng('rollout/forward'));
    const win = simulate(model, B, 4, ep);
    const ref = new PhysicsData(model, B);
    ref.qpos.set(ep.qpos);
    ref.qvel.set(ep.qvel);
    for (let t = 0; t < T; t++) {
      ref.ctrl.set(ep.ctrls.subarray(t * model.nu * B, (t + 1) * model.nu * B));
      step(model, ref, 4);
      expect(Array.from(win.qposAfterSteps[t] as Float64Array)).toEqual(Array.from(ref.qpos));
      expect(Array.from(win.qvelAfterSteps[t] as Float64Array)).toEqual(Array.from(ref.qvel));
    }
    expect(Array.from(win.data.qpos)).toEqual(Array.from(ref.qpos));
    expect(() => win.step()).toThrow(RangeError);
  });
});

describe.each([
  { label: 'hopper, 4 substeps/step', model: loadModel('hopper'), B: 3, S: 4, ...PARAMS },
  { label: 'ant (free joint), 5 substeps/step', model: loadModel('ant', 0.002), B: 2, S: 5, ...PARAMS },
] as WindowCase[])('a 32-step window on $label', (wc) => {
  it('is in contact during the window', () => {
    const { model, B, S } = wc;
    const ep = episode(model, B, new Rng(`rollout/fd/${wc.label}`));
    const data = new PhysicsData(model, B);
    data.qpos.set(ep.qpos);
    data.qvel.set(ep.qvel);
    // Over the window the ground carries a good part of each world's weight.
    let mass = 0;
    for (let b = 1; b < model.nbody; b++) mass += model.bodyMass[b] as number;
    const weight = -mass * (model.gravity[2] as number);
    const support = new Array<number>(B).fill(0);
    for (let t = 0; t < T; t++) {
      data.ctrl.set(ep.ctrls.subarray(t * model.nu * B, (t + 1) * model.nu * B));
      for (let s = 0; s < S; s++) {
        step(model, data, 1);
        for (let w = 0; w < B; w++) {
          for (let c = 0; c < model.ncon; c++) support[w] = (support[w] as number) + (data.conForce[(3 * c + 2) * B + w] as number) / (T * S * weight);
        }
      }
    }
    for (const f of support) expect(f).toBeGreaterThan(0.5);
  });

  it('matches central differences of the whole window in the initial state, the actions and the parameters', () => {
    const worst: [number, number] = [0, 0];
    for (let batch = 0; batch < BATCHES; batch++) {
      const checks = windowChecks(wc, new Rng(`rollout/fd/${wc.label}${batch > 0 ? `/${batch}` : ''}`));
      for (const [what, c] of checks) {
        expect(Math.abs(c.analytic), what).toBeGreaterThan(0);
        worst[0] = Math.max(worst[0], c.relError[0]);
        worst[1] = Math.max(worst[1], c.relError[1]);
        const prev = report.get(`${wc.label}: ${what}`) ?? [0, 0];
        report.set(`${wc.label}: ${what}`, [Math.max(prev[0], c.relError[0]), Math.max(prev[1], c.relError[1])]);
      }
    }
    expect(worst[0]).toBeLessThanOrEqual(TOL);
    expect(worst[1]).toBeLessThanOrEqual(TOL);
  });
});

describe('Rollout backward', () => {
  const model = loadModel('hopper');

  it('chains a feedback policy through the per-step hook (closed loop matches central differences)', () => {
    const rng = new Rng('rollout/feedback');
    const feedback = Float64Array.from({ length: model.nu * model.nv }, () => 0.05 * rng.normal());
    const checks = windowChecks({ label: 'hopper closed loop', model, B: 2, S: 4, setup: { feedback }, arrays: [], scalars: [] }, rng);
    for (const [what, c] of checks) {
      report.set(`hopper closed loop: ${what}`, [c.relError[0], c.relError[1]]);
      expect(c.relError[0]).toBeLessThanOrEqual(TOL);
      expect(c.relError[1]).toBeLessThanOrEqual(TOL);
    }
  });

  it('takes seeds from a callback exactly as from arrays', () => {
    const B = 2;
    const rng = new Rng('rollout/seed-api');
    const win = simulate(model, B, 4, episode(model, B, rng));
    const { qposSeed, qvelSeed } = seeds(model, B, rng);
    win.backward({ qposSeed, qvelSeed });
    const a = [Float64Array.from(win.qposBar), Float64Array.from(win.qvelBar), Float64Array.from(win.ctrlBar), win.params.sumOverWorlds('bodyMass')];
    const { nq, nv } = model;
    win.backward({
      seed: (t, qb, vb) => {
        for (let k = 0; k < nq * B; k++) qb[k] = (qb[k] as number) + (qposSeed[t * nq * B + k] as number);
        for (let k = 0; k < nv * B; k++) vb[k] = (vb[k] as number) + (qvelSeed[t * nv * B + k] as number);
      },
    });
    const b = [win.qposBar, win.qvelBar, win.ctrlBar, win.params.sumOverWorlds('bodyMass')];
    a.forEach((x, i) => expect(Array.from(b[i] as Float64Array)).toEqual(Array.from(x)));
    expect(a[0]?.some((x) => x !== 0)).toBe(true);
  });

  it('cuts the gradient at a reset exactly where a real reset to a fixed state does', () => {
    const B = 3;
    const rng = new Rng('rollout/reset');
    const ep = episode(model, B, rng);
    const t0 = 12;
    const resetState = { qpos: Float64Array.from(model.qpos0), qvel: new Float64Array(model.nv) };
    resetState.qpos[1] = 1.215; // the foot 5 mm above the ground
    // World 1 is reset after step t0; with seeds only on later steps its earlier inputs get exactly 0.
    const setup: Setup = { resets: [[t0, 1]], resetState };
    const win = simulate(model, B, 4, ep, setup);
    expect(win.resets[t0 * B + 1]).toBe(1);
    const { qposSeed, qvelSeed } = seeds(model, B, rng);
    qposSeed.fill(0, 0, (t0 + 1) * model.nq * B);
    qvelSeed.fill(0, 0, (t0 + 1) * model.nv * B);
    win.backward({ qposSeed, qvelSeed });
    const nu = model.nu;
    for (let k = 0; k < (t0 + 1) * nu; k++) expect(win.ctrlBar[k * B + 1]).toBe(0);
    for (let i = 0; i < model.nq; i++) expect(win.qposBar[i * B + 1]).toBe(0);
    for (let i = 0; i < model.nv; i++) expect(win.qvelBar[i * B + 1]).toBe(0);
    for (const w of [0, 2]) {
      expect(Array.from({ length: (t0 + 1) * nu }, (_, k) => win.ctrlBar[k * B + w] as number).some((x) => x !== 0)).toBe(true);
      expect(Array.from({ length: model.nv }, (_, i) => win.qvelBar[i * B + w] as number).some((x) => x !== 0)).toBe(true);
    }
    // Later actions of the reset world still get their gradient.
    expect(Array.from({ length: (T - t0 - 1) * nu }, (_, k) => win.ctrlBar[((t0 + 1) * nu + k) * B + 1] as number).some((x) => x !== 0)).toBe(true);
    // And the full loss (seeds on every step) through the real reset matches central differences.
    const checks = windowChecks({ label: 'hopper with a reset', model, B, S: 4, setup, arrays: [], scalars: [] }, new Rng('rollout/reset/fd'));
    for (const [what, c] of checks) {
      report.set(`hopper with a reset: ${what}`, [c.relError[0], c.relError[1]]);
      expect(c.relError[0]).toBeLessThanOrEqual(TOL);
      expect(c.relError[1]).toBeLessThanOrEqual(TOL);
    }
  });

  it('clips each world\'s state cotangent per step like clipping by hand in the seed callback', () => {
    const B = 3;
    const rng = new Rng('rollout/clip');
    const win = simulate(model, B, 4, episode(model, B, rng));
    const { qposSeed, qvelSeed } = seeds(model, B, rng);
    const { nq, nv } = model;
    win.backward({ qposSeed, qvelSeed });
    const unclipped = Float64Array.from(win.qposBar);
    const raw = Float64Array.from(win.cotangentNorms);
    const sorted = Array.from(raw).sort((a, b) => a - b);
    const clip = sorted[Math.floor(sorted.length / 2)] as number; // binds at about half the steps
    win.backward({ qposSeed, qvelSeed, clipNorm: clip });
    const clipped = [Float64Array.from(win.qposBar), Float64Array.from(win.qvelBar), Float64Array.from(win.ctrlBar)];
    const normsSeen = Float64Array.from(win.cotangentNorms);
    // By hand: the same seeds, then each world's (q̄, v̄) scaled to norm ≤ clip in the callback.
    const byHand: number[] = [];
    win.backward({
      seed: (t, qb, vb) => {
        for (let k = 0; k < nq * B; k++) qb[k] = (qb[k] as number) + (qposSeed[t * nq * B + k] as number);
        for (let k = 0; k < nv * B; k++) vb[k] = (vb[k] as number) + (qvelSeed[t * nv * B + k] as number);
        for (let w = 0; w < B; w++) {
          let s2 = 0;
          for (let i = 0; i < nq; i++) s2 += (qb[i * B + w] as number) ** 2;
          for (let i = 0; i < nv; i++) s2 += (vb[i * B + w] as number) ** 2;
          const n = Math.sqrt(s2);
          byHand[t * B + w] = n;
          const f = n > clip ? clip / n : 1;
          for (let i = 0; i < nq; i++) qb[i * B + w] = (qb[i * B + w] as number) * f;
          for (let i = 0; i < nv; i++) vb[i * B + w] = (vb[i * B + w] as number) * f;
        }
      },
    });
    expect(byHand.filter((n) => n > clip).length).toBeGreaterThan(B);
    normsSeen.forEach((n, k) => expect(relativeError(n, byHand[k] as number)).toBeLessThanOrEqual(1e-12));
    // The cotangents the window carries after clipping never exceed the bound (norms measured after the hook clipped them).
    expect(win.cotangentNorms.every((n) => n <= clip * (1 + 1e-12))).toBe(true);
    [win.qposBar, win.qvelBar, win.ctrlBar].forEach((x, i) => x.forEach((v, k) => expect(relativeError(v, (clipped[i] as Float64Array)[k] as number)).toBeLessThanOrEqual(1e-12)));
    // Clipping changed the result.
    expect(Math.max(...unclipped.map((v, k) => relativeError(v, (clipped[0] as Float64Array)[k] as number)))).toBeGreaterThan(1e-3);
  });
});
