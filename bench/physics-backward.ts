/**
 * Cost of the backward pass of the contact-free forward dynamics relative to the forward pass:
 * time per world of `forwardVjp` (including zeroing the intermediate cotangents and seeding
 * q̈̄, as a rollout would per substep) ÷ time per world of `forward`, for hopper, walker2d,
 * half_cheetah and ant at B = 1, 64 and 1024 worlds, with a per-stage breakdown of the backward.
 * Forward and backward are timed alternately within each run and the ratio is taken per run,
 * so load from other processes affects both alike. States are random (qpos0 ± 0.2, q̇ ~ N(0, 1),
 * ctrl uniform in ±1), fixed for the run. Prints medians and ranges over the runs.
 *
 *   npx tsx bench/physics-backward.ts [--runs K] [--seconds S] [--models hopper,ant] [--stages]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/rng.js';
import {
  actuatorForcesVjp,
  comKinematicsVjp,
  crbaVjp,
  forward,
  forwardVjp,
  kinematicsVjp,
  loadMjcfFile,
  passiveForcesVjp,
  PhysicsData,
  PhysicsGrad,
  rneBiasVjp,
  solveVjp,
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
    stages: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const models = String(values.models).split(',');


const fmt = (s: Summary, unit = ' µs'): string => `${s.median.toFixed(3)}${unit} [${s.min.toFixed(3)}–${s.max.toFixed(3)}]`;

console.log(`physics backward ÷ forward, per world (median [range] of ${runs} runs × ${seconds}s each), Node ${process.version}`);
const table: string[] = [];
for (const name of models) {
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
console.log(`\n| model | B | forward µs/world | backward µs/world | backward ÷ forward |\n|---|---|---|---|---|\n${table.join('\n')}`);
