/**
 * Throughput of the Python Gymnasium bridge (`GymnasiumVectorEnv`) next to Gymnasium's own speed
 * in Python on the same machine. Run with `npm run bench:bridge` (needs `npm run setup:bridge`).
 *
 * For each env and each N copies in P server processes it prints
 *   - bridged steps/s (env steps: N per `step()` call) and the time of one `step()` call,
 *   - Gymnasium's `SyncVectorEnv(N)` steps/s in Python (its default NEXT_STEP autoreset), and the
 *     bridge's share of it,
 *   - the bridge's overhead per `step()` call: the bridged call minus the same `SyncVectorEnv`
 *     stepped in Python the way the server steps it (SAME_STEP autoreset, copy=False), i.e. what
 *     the pipe, the framing and both sides' conversions cost.
 * Medians of `--runs` runs of `--seconds` each, random actions; the bridge and the two Python
 * references are measured in turns, and the share is the median of the per-turn ratios. The
 * machine's load average is printed too: other processes on a 2-core machine move these numbers.
 *
 *   --envs A,B      env ids (default CartPole-v1,Hopper-v5)
 *   --sizes 1,8,32  copies N (default 1,8,32)
 *   --processes 1,2 server processes P (default 1,2; P > N is skipped)
 *   --spin auto,0   polling time per wait in µs (`spinMicros`; default auto: the bridge's own choice)
 *   --runs K        repetitions (default 3)
 *   --seconds S     measuring time per repetition (default 1)
 *   --python PATH   interpreter (default: as the bridge resolves it)
 *   --json FILE     also write the results as JSON
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/rng.js';
import type { Box, Discrete } from '../src/core/spaces.js';
import { GymnasiumVectorEnv, probePython, resolvePython } from '../src/envs/gymnasium/index.js';
import type { BatchedActions } from '../src/envs/vector/vector-env.js';
import { formatRate, summarize } from './stats.js';

const { values } = parseArgs({
  options: {
    envs: { type: 'string', default: 'CartPole-v1,Hopper-v5' },
    sizes: { type: 'string', default: '1,8,32' },
    processes: { type: 'string', default: '1,2' },
    spin: { type: 'string', default: 'auto' },
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '1' },
    python: { type: 'string' },
    json: { type: 'string' },
  },
});
const envs = values.envs.split(',');
const sizes = values.sizes.split(',').map(Number);
const processCounts = values.processes.split(',').map(Number);
const spins = values.spin.split(',').map((v) => (v === 'auto' ? undefined : Number(v)));
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const python = resolvePython(values.python);
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'gymnasium_sync_vector.py');

/** Steps/s of Gymnasium in Python (median of `runs`), by gymnasium_sync_vector.py's MODE. */
function gymnasiumRate(id: string, n: number, mode: 'NextStep' | 'SameStep' | 'single', repeats = runs): number {
  const out = execFileSync(python.command, [SCRIPT, id, String(n), String(seconds), String(repeats), mode], { encoding: 'utf8' });
  return Number((JSON.parse(out) as { median: number }).median);
}

/** Pre-drawn random action batches, cycled, so drawing costs nothing inside the timed loop. */
function actionBatches(space: Box | Discrete, n: number, count: number): BatchedActions[] {
  const rng = new Rng(0);
  return Array.from({ length: count }, () => {
    if (space.kind === 'Discrete') return Int32Array.from({ length: n }, () => space.start + rng.int(space.n));
    const out = new Float32Array(n * space.flatDim);
    for (let i = 0; i < n; i++) space.sampleInto(rng, out, i * space.flatDim);
    return out;
  });
}

/**
 * Bridged steps/s of N copies in P processes, and Gymnasium's two references, measured in turns
 * (bridge, NEXT_STEP, SAME_STEP; `runs` times) so that a change in the machine's load hits all
 * three alike. The server processes start once and are not timed.
 */
async function measureConfig(id: string, n: number, p: number, spin: number | undefined): Promise<{ bridged: number; gym: number; server: number; share: number; spinMicros: number }> {
  const venv = await GymnasiumVectorEnv.create(id, { numEnvs: n, processes: p, python: python.command, ...(spin !== undefined ? { spinMicros: spin } : {}) });
  try {
    const batches = actionBatches(venv.singleActionSpace as Box | Discrete, n, 64);
    await venv.reset({ seed: 0 });
    const time = async (budget: number) => {
      let calls = 0;
      const start = performance.now();
      const end = start + budget * 1000;
      while (performance.now() < end) {
        for (let k = 0; k < 20; k++) await venv.step(batches[(calls + k) % batches.length] as BatchedActions);
        calls += 20;
      }
      return (calls * n) / ((performance.now() - start) / 1000);
    };
    await time(seconds / 4);
    const bridged: number[] = [];
    const gym: number[] = [];
    const server: number[] = [];
    for (let r = 0; r < runs; r++) {
      bridged.push(await time(seconds));
      gym.push(gymnasiumRate(id, n, 'NextStep', 1));
      server.push(gymnasiumRate(id, n, 'SameStep', 1));
    }
    return {
      bridged: summarize(bridged).median,
      gym: summarize(gym).median,
      server: summarize(server).median,
      share: summarize(bridged.map((b, r) => b / (gym[r] as number))).median,
      spinMicros: venv.spinMicros,
    };
  } finally {
    await venv.close();
  }
}

interface Row {
  env: string;
  numEnvs: number;
  processes: number;
  spinMicros: number;
  bridgeStepsPerSecond: number;
  bridgeMicrosPerCall: number;
  gymnasiumStepsPerSecond: number;
  shareOfGymnasium: number;
  serverSideStepsPerSecond: number;
  overheadMicrosPerCall: number;
}

const probe = probePython(python);
if (!probe.ok || probe.probe.gymnasium === null) {
  console.error(`bench:bridge needs gymnasium: ${probe.ok ? probe.probe.gymnasium_error : probe.reason}. Run \`npm run setup:bridge\`.`);
  process.exit(1);
}
const load = loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`Gymnasium bridge throughput: medians of ${runs} × ${seconds} s, random actions; node ${process.version}, Python ${probe.probe.python}, gymnasium ${probe.probe.gymnasium}, mujoco ${probe.probe.mujoco ?? '-'}; load average ${load}`);
console.log('');
console.log('| env | N | P | spin µs | bridge steps/s | µs per step() | Gymnasium SyncVectorEnv steps/s | bridge / Gymnasium | server loop (SAME_STEP) steps/s | bridge overhead µs per step() |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const rows: Row[] = [];
const singles: Record<string, number> = {};
for (const id of envs) {
  singles[id] = gymnasiumRate(id, 1, 'single');
  for (const n of sizes) {
    for (const p of processCounts) {
      if (p > n) continue;
      for (const spin of spins) {
        const { bridged, gym, server, share, spinMicros } = await measureConfig(id, n, p, spin);
        const row: Row = {
          env: id,
          numEnvs: n,
          processes: p,
          spinMicros,
          bridgeStepsPerSecond: bridged,
          bridgeMicrosPerCall: (n / bridged) * 1e6,
          gymnasiumStepsPerSecond: gym,
          shareOfGymnasium: share,
          serverSideStepsPerSecond: server,
          // With P > 1 the processes overlap, so this is the per-call cost, not a sum over processes.
          overheadMicrosPerCall: (n / bridged - n / server) * 1e6,
        };
        rows.push(row);
        console.log(
          `| ${id} | ${n} | ${p} | ${spinMicros} | ${formatRate(bridged)} | ${row.bridgeMicrosPerCall.toFixed(0)} | ${formatRate(gym)} | ${(row.shareOfGymnasium * 100).toFixed(0)}% | ${formatRate(server)} | ${row.overheadMicrosPerCall.toFixed(0)} |`,
        );
      }
    }
  }
}
console.log('');
console.log(`Gymnasium single env (env.step in a loop): ${Object.entries(singles).map(([id, r]) => `${id} ${formatRate(r)} steps/s`).join(', ')}`);
if (values.json !== undefined) {
  writeFileSync(values.json, `${JSON.stringify({ node: process.version, python: probe.probe, loadAverage: loadavg(), runs, seconds, rows, gymnasiumSingle: singles }, null, 2)}\n`);
}
