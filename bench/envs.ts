/**
 * Environment stepping throughput: steps/s of each classic-control env, single and
 * vectorised (N = 1, 8, 64, 1024), with uniformly random actions drawn every step.
 * Prints the median and range over several runs. Run with `npm run bench:envs`.
 *
 *   --runs K        repetitions per configuration (default 5)
 *   --seconds S     measuring time per repetition (default 0.4)
 *   --python PATH   also time Gymnasium's SyncVectorEnv (8 copies) with that Python
 *                   (needs gymnasium installed there), and print the ratio
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/rng.js';
import type { Box, Discrete } from '../src/core/spaces.js';
import { make } from '../src/envs/index.js';
import type { StepResult } from '../src/envs/env.js';
import type { BatchedActions } from '../src/envs/vector/vector-env.js';
import { formatRate, summarize, type Summary } from './stats.js';

const ENVS = ['CartPole-v1', 'Pendulum-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Acrobot-v1'] as const;
const SIZES = [1, 8, 64, 1024] as const;

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, seconds: { type: 'string', default: '0.4' }, python: { type: 'string' } },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);

function fillRandomActions(space: Box | Discrete, rng: Rng, out: BatchedActions, numEnvs: number): void {
  if (space.kind === 'Discrete') {
    for (let i = 0; i < numEnvs; i++) out[i] = rng.int(space.n);
  } else {
    for (let i = 0; i < numEnvs; i++) space.sampleInto(rng, out as Float32Array, i * space.flatDim);
  }
}

/** Steps/s of one single env for about `seconds`, resetting on episode end. */
function timeSingle(id: string): number {
  const env = make(id);
  const space = env.actionSpace as Box | Discrete;
  const rng = new Rng(0);
  env.reset({ seed: 0 });
  let steps = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  while (performance.now() < deadline) {
    for (let k = 0; k < 1000; k++) {
      // Single envs take a plain number (Discrete) or a fresh array (Box), as a user's loop would.
      const action = space.kind === 'Discrete' ? rng.int(space.n) : space.sample(rng);
      const r = env.step(action) as StepResult<unknown>;
      if (r.terminated || r.truncated) env.reset();
    }
    steps += 1000;
  }
  return steps / ((performance.now() - start) / 1000);
}

/** Steps/s (env steps, i.e. copies × calls) of a native vector env of `numEnvs` copies. */
function timeVector(id: string, numEnvs: number): number {
  const venv = make(id, { numEnvs });
  const space = venv.singleActionSpace as Box | Discrete;
  const actions: BatchedActions = space.kind === 'Discrete' ? new Int32Array(numEnvs) : new Float32Array(numEnvs * space.flatDim);
  const rng = new Rng(0);
  venv.reset({ seed: 0 });
  const callsPerCheck = Math.max(1, Math.floor(4096 / numEnvs));
  let calls = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  while (performance.now() < deadline) {
    for (let k = 0; k < callsPerCheck; k++) {
      fillRandomActions(space, rng, actions, numEnvs);
      venv.step(actions);
    }
    calls += callsPerCheck;
  }
  return (calls * numEnvs) / ((performance.now() - start) / 1000);
}

function repeat(fn: () => number): Summary {
  fn(); // warm-up: JIT compilation
  return summarize(Array.from({ length: runs }, fn));
}

function show(s: Summary): string {
  return `${formatRate(s.median).padStart(7)} [${formatRate(s.min)}–${formatRate(s.max)}]`;
}

function pythonReference(python: string, id: string): number {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'gymnasium_sync_vector.py');
  const out = execFileSync(python, [script, id, '8', String(seconds), String(runs)], { encoding: 'utf8' });
  return Number(JSON.parse(out).median);
}

console.log(`rxrl env throughput, steps/s: median [min–max] of ${runs} runs × ${seconds}s, random actions; node ${process.version}`);
console.log(`${'env'.padEnd(26)}${'single'.padStart(24)}${SIZES.map((n) => `N=${n}`.padStart(24)).join('')}`);
for (const id of ENVS) {
  const single = repeat(() => timeSingle(id));
  const vec = SIZES.map((n) => repeat(() => timeVector(id, n)));
  console.log(`${id.padEnd(26)}${show(single).padStart(24)}${vec.map((s) => show(s).padStart(24)).join('')}`);
  if (values.python !== undefined) {
    const py = pythonReference(values.python, id);
    const best = Math.max(...vec.map((s) => s.median));
    const eight = vec[1] as Summary;
    console.log(`  Gymnasium SyncVectorEnv(8): ${formatRate(py)} steps/s → rxrl N=8 is ${(eight.median / py).toFixed(1)}×, best N is ${(best / py).toFixed(1)}×`);
  }
}
