/**
 * Inverse-kinematics benchmark (`npm run bench:ik`): every solver on three scenarios of
 * reachable targets (FK of seeded random configurations within the joint limits):
 *   (a) arm       the humanoid's right arm (torso → right_hand geom; 3 hinges)
 *   (b) panda7    the 7-DOF arm with the Panda's kinematics (→ site ee)
 *   (c) whole     the humanoid: both hands to targets and the head looking at a point (weight
 *                 0.1, as the real-time IK paper's λ_look), over both arms and the rotation of
 *                 the floating torso (targets from rotations within ±0.5 rad per axis), joint limits
 * Each target is solved alone (B = 1, one core, after a warm-up) from the rest pose, with a
 * budget of 500 iterations, to 5 mm and separately to 1 mm (look-at: the target's distance from
 * the gaze ray). Reported: success rate, median and p95 wall time per solve, median iterations;
 * and, for DLS, the batched time per target when all targets are solved together.
 * Writes OUT/ik.md, OUT/results.json and OUT/ik.png (default docs/benchmarks/ik).
 *
 *   --targets N   targets per scenario (default 1000)
 *   --out DIR
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderSvg, svgToPng } from '../src/bench/plots.js';
import { Rng } from '../src/core/rng.js';
import { chainJoints, findEffector, IK_MODELS, IK_SOLVERS, IkProblem, solveIk, type IkSolverName, type IkTaskSpec } from '../src/ik/index.js';
import { loadMjcfFile, type PhysicsModel } from '../src/physics/index.js';
import { summarize } from './stats.js';

const { values } = parseArgs({ options: { targets: { type: 'string', default: '1000' }, out: { type: 'string', default: 'docs/benchmarks/ik' } } });
const N = Number(values.targets);
const HUMANOID = fileURLToPath(new URL('../../shared/fixtures/mujoco/humanoid.xml', import.meta.url));

interface Scenario {
  readonly name: string;
  readonly title: string;
  readonly model: PhysicsModel;
  readonly joints: number[];
  readonly rootRotation: boolean;
  readonly tasks: IkTaskSpec[];
  /** Per target: one target per task. */
  readonly targets: Float64Array[][];
}

/** Targets as FK of random configurations: joints uniform within their limits, the root's rotation uniform in ±0.5 rad per axis. */
function makeTargets(model: PhysicsModel, joints: number[], rootRotation: boolean, tasks: IkTaskSpec[], seed: string): Float64Array[][] {
  const problem = new IkProblem(model, N, { joints, rootRotation, tasks });
  const kb = problem.kinematics;
  const rng = new Rng(seed);
  const n = kb.size;
  kb.setVariables(Float64Array.from({ length: N * n }, (_, i) => (rootRotation && i % n < 3 ? rng.uniformRange(-0.5, 0.5) : rng.uniformRange(kb.lower[i % n] as number, kb.upper[i % n] as number))));
  const rot = new Float64Array(9);
  return Array.from({ length: N }, (_, w) =>
    tasks.map((t) => {
      const p = new Float64Array(3);
      kb.position(t.effector, w, p);
      if (t.kind !== 'look-at') return p;
      // A point straight along the gaze, 1–3 m away.
      kb.rotation(t.effector, w, rot);
      const d = rng.uniformRange(1, 3);
      return Float64Array.from([0, 1, 2], (r) => (p[r] as number) + d * ((rot[3 * r] as number) * t.axis[0] + (rot[3 * r + 1] as number) * t.axis[1] + (rot[3 * r + 2] as number) * t.axis[2]));
    }),
  );
}

function scenarios(): Scenario[] {
  const humanoid = loadMjcfFile(HUMANOID);
  const torso = humanoid.bodyNames.indexOf('torso');
  const rh = findEffector(humanoid, 'right_hand');
  const lh = findEffector(humanoid, 'left_hand');
  const head = findEffector(humanoid, 'head');
  const armJoints = chainJoints(humanoid, torso, rh.body);
  const armTasks: IkTaskSpec[] = [{ kind: 'position', effector: rh }];
  const panda = loadMjcfFile(IK_MODELS.panda7);
  const ee = findEffector(panda, 'ee');
  const pandaJoints = chainJoints(panda, 0, ee.body);
  const pandaTasks: IkTaskSpec[] = [{ kind: 'position', effector: ee }];
  const wholeJoints = [...armJoints, ...chainJoints(humanoid, torso, lh.body)];
  const wholeTasks: IkTaskSpec[] = [
    { kind: 'position', effector: rh },
    { kind: 'position', effector: lh },
    { kind: 'look-at', effector: head, axis: [1, 0, 0], weight: 0.1 },
  ];
  return [
    { name: 'arm', title: "(a) humanoid right arm (3 hinges)", model: humanoid, joints: armJoints, rootRotation: false, tasks: armTasks, targets: makeTargets(humanoid, armJoints, false, armTasks, 'ik-bench/arm') },
    { name: 'panda7', title: '(b) 7-DOF arm (Panda kinematics)', model: panda, joints: pandaJoints, rootRotation: false, tasks: pandaTasks, targets: makeTargets(panda, pandaJoints, false, pandaTasks, 'ik-bench/panda7') },
    { name: 'whole', title: '(c) humanoid: both hands + head look-at, torso rotation + arms (9 variables)', model: humanoid, joints: wholeJoints, rootRotation: true, tasks: wholeTasks, targets: makeTargets(humanoid, wholeJoints, true, wholeTasks, 'ik-bench/whole') },
  ];
}

interface Row {
  scenario: string;
  solver: IkSolverName;
  tolerance: number;
  success: number;
  medianMs: number;
  p95Ms: number;
  medianIterations: number;
}

function runSingle(s: Scenario, solver: IkSolverName, tolerance: number): Row {
  const problem = new IkProblem(s.model, 1, { joints: s.joints, rootRotation: s.rootRotation, tasks: s.tasks });
  const start = new Float64Array(problem.size);
  const solve = (targets: Float64Array[]) => {
    targets.forEach((t, k) => problem.setTarget(k, 0, t));
    return solveIk(problem, start, { solver, tolerance });
  };
  for (let w = 0; w < Math.min(50, N); w++) solve(s.targets[w] as Float64Array[]); // warm-up: JIT compilation
  const times: number[] = [];
  const iterations: number[] = [];
  let ok = 0;
  for (const targets of s.targets) {
    const t0 = performance.now();
    const r = solve(targets);
    times.push(performance.now() - t0);
    iterations.push(r.iterations[0] as number);
    ok += r.success[0] as number;
  }
  const t = summarize(times);
  const sorted = [...times].sort((a, b) => a - b);
  return { scenario: s.name, solver, tolerance, success: ok / N, medianMs: t.median, p95Ms: sorted[Math.floor(0.95 * (N - 1))] as number, medianIterations: summarize(iterations).median };
}

function runBatched(s: Scenario, tolerance: number): { msPerTarget: number; success: number } {
  const problem = new IkProblem(s.model, N, { joints: s.joints, rootRotation: s.rootRotation, tasks: s.tasks });
  s.targets.forEach((targets, w) => targets.forEach((t, k) => problem.setTarget(k, w, t)));
  const t0 = performance.now();
  const r = solveIk(problem, new Float64Array(N * problem.size), { solver: 'dls', tolerance });
  return { msPerTarget: (performance.now() - t0) / N, success: r.success.reduce((a, b) => a + b, 0) / N };
}

const rows: Row[] = [];
const batched: { scenario: string; tolerance: number; msPerTarget: number; success: number }[] = [];
const all = scenarios();
for (const s of all) {
  for (const tolerance of [0.005, 0.001]) {
    for (const solver of IK_SOLVERS) {
      const row = runSingle(s, solver, tolerance);
      rows.push(row);
      console.error(`${s.name} ${solver} ${tolerance * 1000} mm: ${(100 * row.success).toFixed(1)}%, median ${row.medianMs.toFixed(3)} ms, p95 ${row.p95Ms.toFixed(3)} ms, ${row.medianIterations} iterations`);
    }
    batched.push({ scenario: s.name, tolerance, ...runBatched(s, tolerance) });
  }
}

const out = values.out;
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'results.json'), `${JSON.stringify({ targets: N, node: process.version, rows, batched }, null, 2)}\n`);
const md: string[] = [
  '# Inverse kinematics',
  '',
  `\`npm run bench:ik\` (bench/ik.ts): ${N} reachable targets per scenario (FK of seeded random configurations within the joint limits; for (c) the torso rotated within ±0.5 rad per axis and a look-at point 1–3 m along the gaze), each solved alone from the rest pose on one core after a warm-up, at most 500 iterations, to 5 mm and separately to 1 mm (look-at: the target's distance from the gaze ray). Node ${process.version}.`,
  '',
];
for (const s of all) {
  md.push(`## ${s.title}`, '', '| solver | success 5 mm | median ms | p95 ms | iterations | success 1 mm | median ms | p95 ms | iterations |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const solver of IK_SOLVERS) {
    const a = rows.find((r) => r.scenario === s.name && r.solver === solver && r.tolerance === 0.005) as Row;
    const b = rows.find((r) => r.scenario === s.name && r.solver === solver && r.tolerance === 0.001) as Row;
    const cells = (r: Row) => `${(100 * r.success).toFixed(1)}% | ${r.medianMs.toFixed(3)} | ${r.p95Ms.toFixed(3)} | ${r.medianIterations}`;
    md.push(`| ${solver} | ${cells(a)} | ${cells(b)} |`);
  }
  const bt = batched.filter((b) => b.scenario === s.name);
  md.push('', `DLS on all ${N} targets at once (B = ${N}): ${bt.map((b) => `${b.tolerance * 1000} mm: ${(100 * b.success).toFixed(1)}% in ${(b.msPerTarget * 1000).toFixed(0)} µs per target`).join('; ')}.`, '');
}
md.push('![success rate and median time per solve](ik.png)', '');
writeFileSync(path.join(out, 'ik.md'), `${md.join('\n')}\n`);

const chartRows = rows.filter((r) => r.tolerance === 0.005).map((r) => ({ scenario: r.scenario, solver: r.solver, success: 100 * r.success, medianMs: r.medianMs }));
const spec = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  title: `IK solvers, ${N} reachable targets per scenario, 5 mm, ≤ 500 iterations`,
  data: { values: chartRows },
  hconcat: [
    { width: 260, height: 160, mark: 'bar', encoding: { y: { field: 'solver', type: 'nominal', title: null }, x: { field: 'success', type: 'quantitative', title: 'success (%)', scale: { domain: [0, 100] } }, row: { field: 'scenario', type: 'nominal', title: null }, color: { field: 'solver', legend: null } } },
    { width: 260, height: 160, mark: { type: 'point', filled: true, size: 120 }, encoding: { y: { field: 'solver', type: 'nominal', title: null }, x: { field: 'medianMs', type: 'quantitative', title: 'median time per solve (ms, log scale)', scale: { type: 'log' } }, row: { field: 'scenario', type: 'nominal', title: null }, color: { field: 'solver', legend: null } } },
  ],
};
const svg = await renderSvg(spec as never);
writeFileSync(path.join(out, 'ik.png'), await svgToPng(svg));
console.log(md.join('\n'));
