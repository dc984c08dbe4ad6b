/**
 * Env-steps per second of the locomotion tasks on one core: `LocomotionVectorEnv.step` (physics
 * with the task's frame skip, rewards, termination, auto-reset, observations; no policy) with
 * uniform random actions, at B = 1, 64 and 1024 copies, medians and ranges over several runs;
 * the 50 ms tasks also at 10 × 5 ms substeps. Then, for each task, where the time of one substep
 * goes (µs per world per stage at B = 256).
 *
 *   npx tsx bench/physics.ts [--runs K] [--seconds S] [--tasks Hopper,Ant] [--sizes 1,64,1024] [--nan]
 *
 * `--nan` instead runs the acceptance check of PHYSICS.md §7.6: 10⁶ random-action env steps per
 * task (1000 worlds × 1000 actions, no resets) and reports any non-finite state.
 */
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/rng.js';
import { LOCOMOTION_TASKS, LocomotionVectorEnv, locomotionModel, type LocomotionOptions, type LocomotionTask } from '../src/envs/locomotion/index.js';
import {
  actuatorForces,
  comKinematics,
  contactForces,
  crba,
  dampedSolve,
  integrate,
  kinematics,
  limitForces,
  passiveForces,
  PhysicsData,
  rneBias,
  step,
} from '../src/physics/index.js';
import { formatRate, summarize, type Summary } from './stats.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '0.5' },
    tasks: { type: 'string', default: 'Hopper,Walker2d,HalfCheetah,Ant' },
    sizes: { type: 'string', default: '1,64,1024' },
    nan: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const sizes = String(values.sizes).split(',').map(Number);
const wanted = String(values.tasks).split(',');
const tasks = LOCOMOTION_TASKS.filter((t) => wanted.some((w) => t.id.includes(w)));

/** Env-steps per second of `B` copies of `task` over about `seconds`. */
function envStepsPerSecond(task: LocomotionTask, B: number, rng: Rng, options: LocomotionOptions = {}): number {
  const env = new LocomotionVectorEnv(task, B, { ...options, maxEpisodeSteps: 1000 });
  env.reset({ seed: 1 });
  const nu = env.actionSize;
  const batches = Array.from({ length: 8 }, () => Float32Array.from({ length: B * nu }, () => rng.uniformRange(-1, 1)));
  const chunk = Math.max(1, Math.floor(256 / B));
  for (let i = 0; i < 2 * chunk; i++) env.step(batches[i % 8] as Float32Array); // warm-up
  let steps = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  while (performance.now() < deadline) {
    for (let i = 0; i < chunk; i++) env.step(batches[(steps + i) % 8] as Float32Array);
    steps += chunk;
  }
  return (steps * B) / ((performance.now() - start) / 1000);
}

/** µs per world of each stage of one substep at batch B, from a state reached by random actions. */
function stageBreakdown(task: LocomotionTask, B: number): [string, number][] {
  const model = locomotionModel(task);
  const data = new PhysicsData(model, B);
  const rng = new Rng(`breakdown/${task.id}`);
  for (let i = 0; i < data.ctrl.length; i++) data.ctrl[i] = rng.uniformRange(-1, 1);
  step(model, data, 100);
  const h = model.timestep;
  const stages: [string, () => void][] = [
    ['kinematics', () => kinematics(model, B, data)],
    ['comKinematics', () => comKinematics(model, B, data)],
    ['crba', () => crba(model, B, data)],
    ['rneBias', () => rneBias(model, B, data)],
    ['passive+actuator', () => (passiveForces(model, B, data), actuatorForces(model, B, data))],
    ['contactForces', () => contactForces(model, B, data)],
    ['limitForces', () => limitForces(model, B, data)],
    ['dampedSolve', () => dampedSolve(model, B, h, data)],
    ['integrate', () => integrate(model, B, h, data)],
    ['whole substep', () => step(model, data, 1)],
  ];
  return stages.map(([label, fn]) => {
    for (let i = 0; i < 20; i++) fn();
    const n = Math.max(20, Math.round(50_000 / B));
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    return [label, ((performance.now() - t0) * 1000) / (n * B)];
  });
}

function nanCheck(task: LocomotionTask): void {
  const B = 1000;
  const T = 1000;
  const model = locomotionModel(task);
  const data = new PhysicsData(model, B);
  const rng = new Rng(`nan/${task.id}`);
  let bad = 0;
  let worst = 0;
  const t0 = performance.now();
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < data.ctrl.length; i++) data.ctrl[i] = rng.uniformRange(-1, 1);
    step(model, data, task.frameSkip);
    for (let i = 0; i < data.qvel.length; i++) {
      const v = Math.abs(data.qvel[i] as number);
      if (!(v < 1e3)) bad++;
      else worst = Math.max(worst, v);
    }
    for (let i = 0; i < data.qpos.length; i++) if (!Number.isFinite(data.qpos[i] as number)) bad++;
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`${task.id.padEnd(20)} ${B * T} env steps (${B} worlds × ${T} actions × ${task.frameSkip} substeps): ${bad} non-finite/runaway entries, max |q̇| ${worst.toFixed(1)}, ${s.toFixed(1)} s`);
}

const fmt = (s: Summary): string => `${formatRate(s.median).padStart(7)} [${formatRate(s.min)}–${formatRate(s.max)}]`;

if (values.nan) {
  console.log(`random-action NaN check, Node ${process.version}`);
  for (const task of tasks) nanCheck(task);
} else {
  console.log(`locomotion env-steps/s on one core (LocomotionVectorEnv.step, random actions, no policy; median [range] of ${runs} runs × ${seconds} s), Node ${process.version}`);
  console.log(`${'task'.padEnd(30)} ${sizes.map((B) => `B=${B}`.padEnd(24)).join('')}`);
  // The default settings, then the 50 ms tasks at PHYSICS.md §7.2's "v2" setting (10 × 5 ms,
  // which the implicit contact keeps stable) as an option.
  const rows: [LocomotionTask, LocomotionOptions, string][] = tasks.map((t) => [t, {}, `${t.frameSkip}×2ms`]);
  for (const t of tasks) if (t.frameSkip === 25) rows.push([t, { frameSkip: 10, timestep: 0.005 }, '10×5ms']);
  for (const [task, options, label] of rows) {
    const rng = new Rng(`bench/${task.id}`);
    const cells = sizes.map((B) => fmt(summarize(Array.from({ length: runs }, () => envStepsPerSecond(task, B, rng, options)))));
    console.log(`${`${task.id} (${label})`.padEnd(30)} ${cells.map((c) => c.padEnd(24)).join('')}`);
  }
  console.log('\nwhere one substep goes, µs per world at B = 256:');
  const breakdowns = tasks.map((t) => stageBreakdown(t, 256));
  console.log(`${'stage'.padEnd(18)} ${tasks.map((t) => t.id.replace('rxrl/', '').padStart(16)).join('')}`);
  (breakdowns[0] ?? []).forEach(([label], i) => {
    console.log(`${label.padEnd(18)} ${breakdowns.map((b) => ((b[i] as [string, number])[1]).toFixed(3).padStart(16)).join('')}`);
  });
}
