/**
 * Cost of the backward passes relative to the forward passes, per world:
 *
 * 1. `forward` (contact-free q̈): `forwardVjp` (including zeroing the intermediate cotangents and
 *    seeding q̈̄) ÷ `forward`, for hopper, walker2d, half_cheetah and ant at B = 1, 64 and 1024,
 *    with a per-stage breakdown of the backward (`--stages`).
 * 2. `substep` (a full substep with ground contact and joint limits, what a rollout's backward
 *    does per substep): recompute the substep from its checkpoint (`substepRecompute`), zero the
 *    cotangents, seed the new state's, and `substepVjp` ÷ the forward substep (also from the
 *    checkpoint), at B = 64 and 1024; also the VJP alone (without the recompute). With
 *    `--stages`, each stage VJP of the substep alone.
 * 3. `window`: a whole `Rollout` window (32 steps × the task's frame skip: 4 for hopper and
 *    walker2d, 25 for half_cheetah and ant) forward, then its backward with a seed on every step
 *    (B = 64 and 1024, only 64 at 25 substeps per step).
 *
 * The substep and window parts start from a state in contact: random (qpos0 ± 0.2, q̇ ~ N(0, 1),
 * ctrl uniform in ±1), then 0.3 s of simulation under random controls so the robot has landed.
 * Forward and backward are timed alternately within each run and the ratio is taken per run,
 * so load from other processes affects both alike. Prints medians and ranges over the runs.
 *
 *   npx tsx bench/physics-backward.ts [--runs K] [--seconds S] [--models hopper,ant]
 *                                     [--parts forward,substep,window] [--stages]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/rng.js';
import {
  actuatorForcesVjp,
  comKinematicsVjp,
  contactForcesVjp,
  crbaVjp,
  dampedSolveVjp,
  FAR_FIELD,
  forward,
  forwardVjp,
  integrateVjp,
  kinematicsVjp,
  limitForcesVjp,
  loadMjcfFile,
  passiveForcesVjp,
  PhysicsData,
  PhysicsGrad,
  rneBiasVjp,
  Rollout,
  solveVjp,
  step,
  substepRecompute,
  substepVjp,
  withContactParams,
  type PhysicsModel,
} from '../src/physics/index.js';
import { randomState, timePerWorld } from './physics-timing.js';
import { summarize, type Summary } from './stats.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures/mujoco');
const SIZES = [1, 64, 1024] as const;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '0.3' },
    models: { type: 'string', default: 'hopper,walker2d,half_cheetah,ant' },
    parts: { type: 'string', default: 'forward,substep,window' },
    stages: { type: 'boolean', default: false },
  },
});
const parts = new Set(String(values.parts).split(','));
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const models = String(values.models).split(',');


const fmt = (s: Summary, unit = ' µs'): string => `${s.median.toFixed(3)}${unit} [${s.min.toFixed(3)}–${s.max.toFixed(3)}]`;

console.log(`physics backward ÷ forward, per world (median [range] of ${runs} runs × ${seconds}s each), Node ${process.version}`);
const table: string[] = [];
if (parts.has('forward')) console.log('\n== contact-free forward dynamics: forwardVjp ÷ forward ==');
for (const name of parts.has('forward') ? models : []) {
  const model = loadMjcfFile(path.join(FIXTURES, `${name}.xml`));
  console.log(`\n${name}: nbody ${model.nbody}, nq ${model.nq}, nv ${model.nv}, nu ${model.nu}`);
  for (const B of SIZES) {
    const data = new PhysicsData(model, B);
    const grad = new PhysicsGrad(model, B);
    randomState(model, data, new Rng(`bench-backward/${name}/${B}`));
    forward(model, data);
    const seed = Float64Array.from({ length: model.nv * B }, (_, t) => Math.sin(t + 1));
    const fwd = (): void => forward(model, data);
    const bwd = (): void => {
      grad.zeroIntermediates();
      grad.qaccBar.set(seed);
      forwardVjp(model, data, grad);
    };
    const f: number[] = [];
    const b: number[] = [];
    const r: number[] = [];
    for (let k = 0; k < runs; k++) {
      const tf = timePerWorld(fwd, B, seconds);
      const tb = timePerWorld(bwd, B, seconds);
      f.push(tf);
      b.push(tb);
      r.push(tb / tf);
    }
    const ratio = summarize(r);
    console.log(`  B=${String(B).padEnd(5)} forward ${fmt(summarize(f))}  backward ${fmt(summarize(b))}  ratio ${fmt(ratio, '×')}`);
    table.push(`| ${name} | ${B} | ${summarize(f).median.toFixed(2)} | ${summarize(b).median.toFixed(2)} | ${ratio.median.toFixed(2)}× |`);
    if (values.stages) {
      // Each stage VJP alone on fresh (zeroed, seeded) cotangents; the sum is close to `backward`.
      const stages: [string, () => void][] = [
        ['zero+seed', () => (grad.zeroIntermediates(), grad.qaccBar.set(seed))],
        ['solve', () => solveVjp(model, B, data, grad)],
        ['actuator+passive', () => (actuatorForcesVjp(model, B, data, grad), passiveForcesVjp(model, B, data, grad))],
        ['rneBias', () => rneBiasVjp(model, B, data, grad)],
        ['crba (rank-one)', () => crbaVjp(model, B, data, grad, grad.qfrcSolveBar, data.qacc, false)],
        ['comKinematics', () => comKinematicsVjp(model, B, data, grad)],
        ['kinematics', () => kinematicsVjp(model, B, data, grad)],
      ];
      for (const [label, fn] of stages) {
        grad.zero();
        grad.qaccBar.set(seed);
        const s = summarize(Array.from({ length: runs }, () => timePerWorld(fn, B, seconds)));
        console.log(`           ${label.padEnd(18)} ${fmt(s)}`);
      }
    }
  }
}
if (table.length > 0) console.log(`\n| model | B | forward µs/world | backward µs/world | backward ÷ forward |\n|---|---|---|---|---|\n${table.join('\n')}`);

/** Frame skip of the locomotion tasks (2 ms substeps). */
const FRAME_SKIP: Readonly<Record<string, number>> = { hopper: 4, walker2d: 4, half_cheetah: 25, ant: 25 };

/** The fixture at the environments' 2 ms substep. */
function envModel(name: string): PhysicsModel {
  const m = loadMjcfFile(path.join(FIXTURES, `${name}.xml`));
  return { ...withContactParams(m), timestep: 0.002 };
}

/** A random state, then 0.3 s under random controls (changed every 8 ms) so that the robot stands or lies on the ground. */
function landedState(model: PhysicsModel, data: PhysicsData, rng: Rng): void {
  randomState(model, data, rng);
  for (let t = 0; t < 38; t++) {
    for (let k = 0; k < data.ctrl.length; k++) data.ctrl[k] = rng.uniformRange(-1, 1);
    step(model, data, 4);
  }
}

const substepTable: string[] = [];
if (parts.has('substep')) console.log('\n== one substep with contact and limits: (recompute + substepVjp) ÷ substep ==');
for (const name of parts.has('substep') ? models : []) {
  const model = envModel(name);
  console.log(`\n${name}: ncon ${model.ncon}, nv ${model.nv}`);
  for (const B of [64, 1024]) {
    const data = new PhysicsData(model, B);
    const grad = new PhysicsGrad(model, B);
    landedState(model, data, new Rng(`bench-substep/${name}/${B}`));
    const q0 = Float64Array.from(data.qpos);
    const v0 = Float64Array.from(data.qvel);
    const c0 = Float64Array.from(data.ctrl);
    const seedQ = Float64Array.from({ length: model.nq * B }, (_, t) => Math.sin(t + 1));
    const seedV = Float64Array.from({ length: model.nv * B }, (_, t) => Math.cos(t + 1));
    // Contacts inside the far-field cut (where the law is evaluated) and those carrying load.
    let near = 0;
    let loaded = 0;
    substepRecompute(model, data, q0, v0, c0);
    for (let c = 0; c < model.ncon; c++) {
      for (let w = 0; w < B; w++) {
        if ((data.conDist[c * B + w] as number) < FAR_FIELD * model.contact.smoothing) near++;
        if ((data.conForce[(3 * c + 2) * B + w] as number) > 0.01) loaded++;
      }
    }
    const vjp = (): void => {
      grad.zeroIntermediates();
      grad.qposBar.fill(0);
      grad.qvelBar.fill(0);
      grad.qposNextBar.set(seedQ);
      grad.qvelNextBar.set(seedV);
      substepVjp(model, data, grad);
    };
    const fwd = (): void => substepRecompute(model, data, q0, v0, c0);
    const bwd = (): void => {
      substepRecompute(model, data, q0, v0, c0);
      vjp();
    };
    const f: number[] = [];
    const b: number[] = [];
    const v: number[] = [];
    const r: number[] = [];
    const rv: number[] = [];
    for (let k = 0; k < runs; k++) {
      const tf = timePerWorld(fwd, B, seconds);
      const tb = timePerWorld(bwd, B, seconds);
      fwd();
      const tv = timePerWorld(vjp, B, seconds);
      f.push(tf);
      b.push(tb);
      v.push(tv);
      r.push(tb / tf);
      rv.push(tv / tf);
    }
    const ratio = summarize(r);
    const ratioV = summarize(rv);
    console.log(`  B=${String(B).padEnd(5)} contacts per world: ${(near / B).toFixed(1)} within the far-field cut, ${(loaded / B).toFixed(1)} with f_n > 0.01 N`);
    console.log(`           forward ${fmt(summarize(f))}  backward ${fmt(summarize(b))}  ratio ${fmt(ratio, '×')}`);
    console.log(`           VJP alone ${fmt(summarize(v))}  ratio ${fmt(ratioV, '×')}`);
    substepTable.push(`| ${name} | ${B} | ${summarize(f).median.toFixed(2)} | ${summarize(b).median.toFixed(2)} | ${ratio.median.toFixed(2)}× | ${ratioV.median.toFixed(2)}× |`);
    if (values.stages) {
      fwd();
      const h = model.timestep;
      const stages: [string, () => void][] = [
        ['zero+seed', () => (grad.zeroIntermediates(), grad.qposNextBar.set(seedQ), grad.qvelNextBar.set(seedV))],
        ['integrate', () => integrateVjp(model, B, h, data, grad)],
        ['dampedSolve', () => dampedSolveVjp(model, B, h, data, grad)],
        ['limits', () => limitForcesVjp(model, B, data, grad)],
        ['contact', () => contactForcesVjp(model, B, data, grad)],
        ['actuator+passive', () => (actuatorForcesVjp(model, B, data, grad), passiveForcesVjp(model, B, data, grad))],
        ['rneBias', () => rneBiasVjp(model, B, data, grad)],
        ['crba (rank-one)', () => crbaVjp(model, B, data, grad, grad.qfrcSolveBar, data.qaccStep, false)],
        ['comKinematics', () => comKinematicsVjp(model, B, data, grad)],
        ['kinematics', () => kinematicsVjp(model, B, data, grad)],
      ];
      for (const [label, fn] of stages) {
        grad.zero();
        grad.qposNextBar.set(seedQ);
        grad.qvelNextBar.set(seedV);
        const st = summarize(Array.from({ length: runs }, () => timePerWorld(fn, B, seconds)));
        console.log(`           ${label.padEnd(18)} ${fmt(st)}`);
      }
    }
  }
}
if (substepTable.length > 0) {
  console.log(`\n| model | B | substep µs/world | recompute + VJP µs/world | backward ÷ forward | VJP alone ÷ forward |\n|---|---|---|---|---|---|\n${substepTable.join('\n')}`);
}

const windowTable: string[] = [];
if (parts.has('window')) console.log('\n== a Rollout window of 32 steps: backward ÷ forward ==');
for (const name of parts.has('window') ? models : []) {
  const model = envModel(name);
  const S = FRAME_SKIP[name] ?? 4;
  // B·S ≤ 4096: at 25 substeps per step, B = 1024 would take seconds per window and ~200 MB of checkpoints.
  for (const B of [64, 1024].filter((b) => b * S <= 4096)) {
    const data = new PhysicsData(model, B);
    landedState(model, data, new Rng(`bench-window/${name}/${B}`));
    const q0 = Float64Array.from(data.qpos);
    const v0 = Float64Array.from(data.qvel);
    const rng = new Rng(`bench-window/ctrl/${name}/${B}`);
    const ctrls = Float64Array.from({ length: 32 * model.nu * B }, () => rng.uniformRange(-1, 1));
    const win = new Rollout(model, data, { horizon: 32, substeps: S });
    const qposSeed = Float64Array.from({ length: 32 * model.nq * B }, (_, t) => Math.sin(t + 1));
    const qvelSeed = Float64Array.from({ length: 32 * model.nv * B }, (_, t) => Math.cos(t + 1));
    const fwd = (): void => {
      data.qpos.set(q0);
      data.qvel.set(v0);
      win.begin();
      for (let t = 0; t < 32; t++) win.step(ctrls.subarray(t * model.nu * B, (t + 1) * model.nu * B));
    };
    const options = { qposSeed, qvelSeed };
    const bwd = (): void => win.backward(options);
    const f: number[] = [];
    const b: number[] = [];
    const r: number[] = [];
    const secs = Math.max(seconds, 1);
    for (let k = 0; k < runs; k++) {
      const tf = timePerWorld(fwd, B * 32, secs);
      fwd();
      const tb = timePerWorld(bwd, B * 32, secs);
      f.push(tf);
      b.push(tb);
      r.push(tb / tf);
    }
    const ratio = summarize(r);
    console.log(`  ${name.padEnd(12)} S=${String(S).padEnd(3)} B=${String(B).padEnd(5)} forward ${fmt(summarize(f), ' µs/step')}  backward ${fmt(summarize(b), ' µs/step')}  ratio ${fmt(ratio, '×')}`);
    windowTable.push(`| ${name} | ${S} | ${B} | ${summarize(f).median.toFixed(2)} | ${summarize(b).median.toFixed(2)} | ${ratio.median.toFixed(2)}× |`);
  }
}
if (windowTable.length > 0) {
  console.log(`\n| model | substeps/step | B | forward µs/world-step | backward µs/world-step | backward ÷ forward |\n|---|---|---|---|---|---|\n${windowTable.join('\n')}`);
}
