/**
 * Forward-dynamics throughput of the batched physics engine: time per world of one contact-free
 * forward pass (kinematics, spatial inertias and cdof, CRBA, RNEA bias, passive and actuator
 * forces, Cholesky factor and solve) for hopper, walker2d, half_cheetah and ant at B = 1, 64 and
 * 1024 worlds, with a per-stage breakdown. States are random (qpos0 ± 0.2, q̇ ~ N(0, 1), ctrl
 * uniform in ±1), fixed for the run. Prints medians and ranges over several runs.
 *
 *   npx tsx bench/physics-forward.ts [--runs K] [--seconds S] [--models hopper,ant]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/rng.js';
import {
  actuatorForces,
  choleskyFactor,
  choleskySolve,
  comKinematics,
  crba,
  forward,
  kinematics,
  loadMjcfFile,
  passiveForces,
  PhysicsData,
  rneBias,
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
  },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const models = String(values.models).split(',');


const fmt = (s: Summary): string => `${s.median.toFixed(3)} µs [${s.min.toFixed(3)}–${s.max.toFixed(3)}]`;

console.log(`physics forward dynamics, µs per world (median [range] of ${runs} runs × ${seconds}s), Node ${process.version}`);
for (const name of models) {
  const model = loadMjcfFile(path.join(FIXTURES, `${name}.xml`));
  console.log(`\n${name}: nbody ${model.nbody}, nq ${model.nq}, nv ${model.nv}, nu ${model.nu}`);
  for (const B of SIZES) {
    const data = new PhysicsData(model, B);
    randomState(model, data, new Rng(`bench/${name}/${B}`));
    const stages: [string, () => void][] = [
      ['forward', () => forward(model, data)],
      ['kinematics', () => kinematics(model, B, data)],
      ['comKinematics', () => comKinematics(model, B, data)],
      ['crba', () => crba(model, B, data)],
      ['rneBias', () => rneBias(model, B, data)],
      ['passive+actuator', () => (passiveForces(model, B, data), actuatorForces(model, B, data))],
      ['cholesky factor+solve', () => (choleskyFactor(model, B, data), choleskySolve(model, B, data))],
    ];
    forward(model, data);
    const rows = stages.map(([label, fn]) => {
      const s = summarize(Array.from({ length: runs }, () => timePerWorld(fn, B, seconds)));
      return [label, s] as const;
    });
    const total = rows[0]?.[1] as Summary;
    console.log(`  B=${String(B).padEnd(5)} forward ${fmt(total)}  → ${(1e6 / total.median / 1000).toFixed(1)}k world-forwards/s`);
    for (const [label, s] of rows.slice(1)) console.log(`           ${label.padEnd(22)} ${fmt(s)}`);
  }
}
