/**
 * Env-steps per second of the locomotion tasks on one core: `LocomotionVectorEnv.step` (physics
 * with the task's frame skip, rewards, termination, auto-reset, observations; no policy) with
 * uniform random actions, at B = 1, 64 and 1024 copies, medians and ranges over several runs;
 * the 50 ms tasks also at 10 × 5 ms substeps. Next to each, MuJoCo's WebAssembly build
 * (`@mujoco/mujoco`, bench/physics-mujoco.ts) on the same XML at the same substep and frame skip
 * (B `MjData` stepped in a loop), and for the 50 ms tasks also at Gymnasium's own setting (the
 * XML's 10 ms × 5). Then, for each task, where the time of one substep goes (µs per world per
 * stage at B = 256).
 *
 *   npx tsx bench/physics.ts [--runs K] [--seconds S] [--tasks Hopper,Ant] [--sizes 1,64,1024]
 *                            [--no-mujoco] [--figure docs/benchmarks/physics/throughput.png] [--nan]
 *
 * `--figure PATH` writes a bar chart of the table (PNG) and its numbers (PATH with `.json`).
 *
 * `--nan` instead runs the acceptance check of PHYSICS.md §7.6: 10⁶ random-action env steps per
 * task (1000 worlds × 1000 actions, no resets) and reports any non-finite state.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg, svgToPng } from '../src/bench/plots.js';
import { Rng } from '../src/core/rng.js';
import {
  LOCOMOTION_TASKS,
  LOCOMOTION_TIMESTEP,
  LocomotionVectorEnv,
  locomotionAssetPath,
  locomotionModel,
  type LocomotionOptions,
  type LocomotionTask,
} from '../src/envs/locomotion/index.js';
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
import { ARENA_BYTES, loadMujoco, MUJOCO_PACKAGE, mujocoEnvStepsPerSecond, warmUpMujoco, type MujocoLoad, type MujocoRun } from './physics-mujoco.js';
import { formatRate, summarize, type Summary } from './stats.js';
import { intOption, parseBenchArgs, usageError } from './args.js';

const usage = `usage: npx tsx bench/physics.ts [options]
  --runs K           runs per cell (median and range reported; default 5)
  --seconds S        measuring time per run (default 0.5)
  --tasks LIST       e.g. Hopper,Ant (default all four)
  --sizes LIST       batch sizes B (default 1,64,1024)
  --no-mujoco        rxrl only: skip the ${MUJOCO_PACKAGE} side-by-side
  --figure PATH      also write the bar chart (PNG) and PATH.json with the numbers
  --nan              instead, the random-action NaN check (10⁶ env steps per task)`;
const values = parseBenchArgs(
  {
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '0.5' },
    tasks: { type: 'string', default: 'Hopper,Walker2d,HalfCheetah,Ant' },
    sizes: { type: 'string', default: '1,64,1024' },
    nan: { type: 'boolean', default: false },
    // Node 20's parseArgs has no automatic --no-X negation, hence the explicit flag.
    'no-mujoco': { type: 'boolean', default: false },
    figure: { type: 'string' },
  },
  usage,
);
const runs = intOption(values.runs, 'runs', usage);
const seconds = Number(values.seconds);
if (!(seconds > 0)) usageError(usage, `--seconds ${values.seconds}: expected a positive number`);
const sizes = values.sizes.split(',').map((b) => intOption(b, 'sizes', usage));
const wanted = values.tasks.split(',');
const tasks = LOCOMOTION_TASKS.filter((t) => wanted.some((w) => t.id.includes(w)));
const unmatched = wanted.find((w) => !LOCOMOTION_TASKS.some((t) => t.id.includes(w)));
if (unmatched !== undefined) usageError(usage, `--tasks: no locomotion task matches "${unmatched}"; they are ${LOCOMOTION_TASKS.map((t) => t.id).join(', ')}`);

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

/** Gymnasium v5's `frame_skip` of each task; its substep is the XML's own `<option timestep>`. */
const GYMNASIUM_FRAME_SKIP: Readonly<Record<string, number>> = { 'Hopper-v5': 4, 'Walker2d-v5': 4, 'HalfCheetah-v5': 5, 'Ant-v5': 5 };

/** One table row: a task at one substep setting, for rxrl and/or MuJoCo-wasm. */
interface Row {
  readonly task: LocomotionTask;
  /** rxrl's env options, `null`: MuJoCo only. */
  readonly rxrl: LocomotionOptions | null;
  /** MuJoCo's frame skip and substep (`undefined`: the XML's), `null`: rxrl only. */
  readonly mujoco: { readonly frameSkip: number; readonly timestep?: number } | null;
  /** Row to take the rxrl ÷ MuJoCo ratio against, for MuJoCo-only rows (same control period). */
  readonly ratioAgainst?: Row;
}

/** A row's measurements: per B, the runs' summaries and MuJoCo's run details. */
interface RowResult {
  readonly row: Row;
  readonly label: string;
  readonly rxrl: (Summary | null)[];
  readonly mujoco: (Summary | null)[];
  readonly mujocoRuns: MujocoRun[];
}

const setting = (frameSkip: number, timestep: number): string => `${frameSkip}×${+(timestep * 1000).toFixed(3)}ms`;
const shortId = (task: LocomotionTask): string => task.id.replace('rxrl/', '').replace(/-v\d+$/, '');

function rowsFor(withMujoco: boolean): Row[] {
  const rows: Row[] = [];
  const defaults = new Map<LocomotionTask, Row>();
  // The default settings, then the 50 ms tasks at PHYSICS.md §7.2's "v2" setting (10 × 5 ms,
  // which the implicit contact keeps stable) as an option; MuJoCo at the same substep and skip.
  for (const task of tasks) {
    const row: Row = { task, rxrl: {}, mujoco: withMujoco ? { frameSkip: task.frameSkip, timestep: LOCOMOTION_TIMESTEP } : null };
    rows.push(row);
    defaults.set(task, row);
  }
  for (const task of tasks) if (task.frameSkip === 25) rows.push({ task, rxrl: { frameSkip: 10, timestep: 0.005 }, mujoco: withMujoco ? { frameSkip: 10, timestep: 0.005 } : null });
  // MuJoCo as Gymnasium runs it, where that differs from rxrl's setting (the 50 ms tasks:
  // 5 × the XML's 10 ms): the same action period as rxrl's default row, which the ratio uses.
  if (withMujoco) {
    for (const task of tasks) {
      const frameSkip = GYMNASIUM_FRAME_SKIP[task.gymnasiumId];
      if (frameSkip !== undefined && frameSkip !== task.frameSkip) rows.push({ task, rxrl: null, mujoco: { frameSkip }, ratioAgainst: defaults.get(task) as Row });
    }
  }
  return rows;
}

function measureRow(row: Row, mujoco: MujocoLoad): RowResult {
  const { task } = row;
  const rng = new Rng(`bench/${task.id}`);
  const rxrl: (Summary | null)[] = [];
  const mj: (Summary | null)[] = [];
  const mujocoRuns: MujocoRun[] = [];
  for (const B of sizes) {
    const a: number[] = [];
    const b: number[] = [];
    // The two engines alternate run by run, so a change in the machine's load hits both.
    for (let r = 0; r < runs; r++) {
      if (row.rxrl !== null) a.push(envStepsPerSecond(task, B, rng, row.rxrl));
      if (row.mujoco !== null && mujoco.ok) {
        const run = mujocoEnvStepsPerSecond(mujoco.mj, {
          xmlPath: locomotionAssetPath(task.asset),
          frameSkip: row.mujoco.frameSkip,
          ...(row.mujoco.timestep === undefined ? {} : { timestep: row.mujoco.timestep }),
          B,
          seconds,
          seed: `bench/${task.id}/mujoco/${B}/${r}`,
          healthy: task.terminateWhenUnhealthy ? task.healthy : null,
        });
        mujocoRuns.push(run);
        b.push(run.envStepsPerSecond);
      }
    }
    rxrl.push(a.length > 0 ? summarize(a) : null);
    mj.push(b.length > 0 ? summarize(b) : null);
  }
  const frameSkip = row.rxrl?.frameSkip ?? row.mujoco?.frameSkip ?? task.frameSkip;
  const timestep = row.rxrl !== null ? (row.rxrl.timestep ?? LOCOMOTION_TIMESTEP) : (mujocoRuns[0]?.timestep ?? NaN);
  const label = `${shortId(task)} ${setting(frameSkip, timestep)}${row.rxrl === null ? ' (Gymnasium)' : ''}`;
  return { row, label, rxrl, mujoco: mj, mujocoRuns };
}

const INTEGRATORS = ['Euler', 'RK4', 'implicit', 'implicitfast'];

function printRow(result: RowResult, results: readonly RowResult[], mujocoName: string): void {
  const cell = (s: Summary | null | undefined): string => (s == null ? '—' : fmt(s)).padEnd(24);
  const lines: [string, string][] = [];
  if (result.row.rxrl !== null) lines.push(['rxrl', result.rxrl.map(cell).join('')]);
  if (result.row.mujoco !== null) {
    lines.push([mujocoName, result.mujoco.map(cell).join('')]);
    const against = result.row.ratioAgainst === undefined ? result : results.find((r) => r.row === result.row.ratioAgainst);
    if (against !== undefined) {
      const ratios = sizes.map((_, i) => {
        const x = against.rxrl[i];
        const y = result.mujoco[i];
        return (x == null || y == null ? '—' : `${(x.median / y.median).toFixed(2)}×`).padStart(7).padEnd(24);
      });
      lines.push([result.row.ratioAgainst === undefined ? 'rxrl ÷ MuJoCo' : `rxrl ${against.label.split(' ')[1]} ÷`, ratios.join('')]);
    }
  }
  lines.forEach(([engine, cells], i) => console.log(`${(i === 0 ? result.label : '').padEnd(30)} ${engine.padEnd(18)} ${cells}`));
}

/**
 * Grouped bars (median, min–max whisker) per task setting and B, log scale, rxrl beside MuJoCo.
 * A MuJoCo-only row (Gymnasium's setting) gets the bars of the rxrl row it is compared with.
 */
function figureSpec(results: readonly RowResult[], mujocoName: string, subtitle: string): TopLevelSpec {
  const facetLabel = (r: RowResult, against: RowResult | undefined): string =>
    // '|' breaks the facet title in two lines (the header's labelExpr), keeping the columns narrow.
    against === undefined ? r.label : `${shortId(r.row.task)}: rxrl ${against.label.split(' ')[1]}|vs MuJoCo ${r.label.split(' ')[1]} (Gymnasium)`;
  const labels: string[] = [];
  const values = results.flatMap((r) => {
    const against = r.row.ratioAgainst === undefined ? undefined : results.find((x) => x.row === r.row.ratioAgainst);
    const label = facetLabel(r, against);
    labels.push(label);
    const rxrl = against?.rxrl ?? r.rxrl;
    return sizes.flatMap((B, i) =>
      (
        [
          ['rxrl', rxrl[i]],
          [mujocoName, r.mujoco[i]],
        ] as const
      ).flatMap(([engine, s]) => (s == null ? [] : [{ row: label, B: `B=${B}`, engine, median: s.median, min: s.min, max: s.max }])),
    );
  });
  const engines = ['rxrl', mujocoName];
  // stack: null, or Vega-Lite stacks the bars from 0, which a log scale cannot show.
  const y = { field: 'median', type: 'quantitative', title: 'env-steps/s (one core)', scale: { type: 'log' }, stack: null, axis: { format: '~s' } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Locomotion env-steps/s on one core: rxrl vs MuJoCo-wasm (frame skip × substep)', subtitle },
    data: { values },
    facet: { field: 'row', type: 'nominal', title: null, sort: labels, header: { labelExpr: "split(datum.value, '|')" } },
    columns: 4,
    spec: {
      width: 170,
      height: 170,
      encoding: {
        x: { field: 'B', type: 'nominal', title: null, sort: sizes.map((B) => `B=${B}`), axis: { labelAngle: 0 } },
        xOffset: { field: 'engine', type: 'nominal', sort: engines },
        color: { field: 'engine', type: 'nominal', title: null, sort: engines },
      },
      layer: [
        { mark: 'bar', encoding: { y } },
        {
          mark: 'rule',
          // Centred on its bar (a rule sits at the band's start by default), black over the colour.
          encoding: { xOffset: { field: 'engine', type: 'nominal', sort: engines, bandPosition: 0.5 }, color: { value: 'black' }, y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' } },
        },
      ],
    },
    config: { legend: { orient: 'top' } },
  };
}

async function writeFigure(file: string, results: readonly RowResult[], mujoco: MujocoLoad, mujocoName: string): Promise<void> {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const subtitle = `median and range of ${runs} × ${seconds} s runs; ${cpu}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, await svgToPng(await renderSvg(figureSpec(results, mujocoName, subtitle))));
  const json = {
    date: new Date().toISOString(),
    node: process.version,
    cpu,
    cores: os.cpus().length,
    runs,
    seconds,
    sizes,
    mujoco: mujoco.ok ? { package: MUJOCO_PACKAGE, version: mujoco.version, arenaBytes: ARENA_BYTES } : { unavailable: mujoco.reason },
    rows: results.map((r) => ({ label: r.label, task: r.row.task.id, rxrl: r.rxrl, mujoco: r.mujoco, mujocoSetting: r.row.mujoco })),
  };
  writeFileSync(file.replace(/\.png$/, '') + '.json', `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nwrote ${file} and ${file.replace(/\.png$/, '')}.json`);
}

if (values.nan) {
  console.log(`random-action NaN check, Node ${process.version}`);
  for (const task of tasks) nanCheck(task);
} else {
  const mujoco: MujocoLoad = values['no-mujoco'] ? { ok: false, reason: 'skipped (--no-mujoco)' } : await loadMujoco();
  const mujocoName = mujoco.ok ? `MuJoCo-wasm ${mujoco.version}` : 'MuJoCo-wasm';
  console.log(`locomotion env-steps/s on one core (random actions, no policy; median [range] of ${runs} runs × ${seconds} s), Node ${process.version}, ${os.cpus()[0]?.model ?? ''}`);
  console.log('  rxrl: LocomotionVectorEnv.step (physics, rewards, observations, termination, auto-reset)');
  if (mujoco.ok) {
    warmUpMujoco(mujoco.mj, tasks.map((t) => locomotionAssetPath(t.asset)));
    console.log(`  ${mujocoName} (${MUJOCO_PACKAGE}, single-threaded build): B MjData stepped in a loop, frame skip × mj_step, reset when unhealthy or at 1000 steps;`);
    console.log(`    no observations or rewards; arena capped at ${ARENA_BYTES / 1024} KB per MjData so 1024 fit in wasm32's 2 GB heap`);
  } else console.log(`  MuJoCo-wasm unavailable: ${mujoco.reason}`);
  console.log(`${'task (frame skip × substep)'.padEnd(30)} ${'engine'.padEnd(18)} ${sizes.map((B) => `B=${B}`.padEnd(24)).join('')}`);
  const results: RowResult[] = [];
  for (const row of rowsFor(mujoco.ok)) {
    const result = measureRow(row, mujoco);
    results.push(result);
    printRow(result, results, mujocoName);
  }
  if (mujoco.ok) {
    console.log('\nMuJoCo runs per task: integrator (from the XML), largest arena + stack use, MuJoCo warnings, episode resets');
    for (const task of tasks) {
      const all = results.filter((r) => r.row.task === task).flatMap((r) => r.mujocoRuns);
      const integrators = [...new Set(all.map((r) => INTEGRATORS[r.integrator] ?? String(r.integrator)))].join('/');
      const arena = Math.max(...all.map((r) => r.maxArenaUse));
      const warnings = all.reduce((n, r) => n + r.warnings, 0);
      console.log(`  ${shortId(task).padEnd(12)} ${integrators.padEnd(8)} ${(arena / 1024).toFixed(1).padStart(6)} KB of ${ARENA_BYTES / 1024} KB   ${warnings} warnings   ${all.reduce((n, r) => n + r.resets, 0)} resets`);
    }
  }
  if (values.figure !== undefined) await writeFigure(values.figure, results, mujoco, mujocoName);
  console.log('\nwhere one substep goes, µs per world at B = 256:');
  const breakdowns = tasks.map((t) => stageBreakdown(t, 256));
  console.log(`${'stage'.padEnd(18)} ${tasks.map((t) => t.id.replace('rxrl/', '').padStart(16)).join('')}`);
  (breakdowns[0] ?? []).forEach(([label], i) => {
    console.log(`${label.padEnd(18)} ${breakdowns.map((b) => ((b[i] as [string, number])[1]).toFixed(3).padStart(16)).join('')}`);
  });
}
