/**
 * Speed of the dataset layer on a D4RL-sized dataset: 1M rows of Hopper's shapes (11
 * observation and 3 action entries, float32; rewards float32; uint8 flags; a float64
 * `infos/qpos` of 6), the size of D4RL's hopper-medium-v2.
 *
 *   write     writeD4rl to an HDF5 file (no compression, as D4RL's files), after a first
 *             write that grows h5wasm's WebAssembly memory (reported apart)
 *   read      readD4rl of that file, every column into typed arrays (and a bit-exact check)
 *   episodes  splitEpisodes (with the unflagged-cut check over every row)
 *   sample    ReplayBuffer.fromDataset (zero-copy) then batches of 256 one-step and 3-step transitions
 *
 * Prints the median and range over --runs repetitions. Run with `npm run bench:dataset`.
 *
 *   --rows N        rows (default 1_000_000)
 *   --runs K        repetitions (default 5)
 *   --compression L also time gzip level L
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/rng.js';
import { createDataset, readD4rl, ReplayBuffer, splitEpisodes, writeD4rl, type OfflineDataset } from '../src/data/index.js';
import { h5wasm } from '../src/data/hdf5.js';
import { formatRate, summarize } from './stats.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '5' }, compression: { type: 'string' } } });
const rows = Number(values.rows);
const runs = Number(values.runs);
const compression = values.compression === undefined ? undefined : Number(values.compression);

/** Hopper-shaped random data, 1000-step episodes as D4RL's (time limit) with occasional falls. */
function hopperLike(n: number): OfflineDataset {
  const rng = new Rng(0);
  const obs = new Float32Array(n * 11);
  const next = new Float32Array(n * 11);
  const actions = new Float32Array(n * 3);
  const rewards = new Float32Array(n);
  const terminals = new Uint8Array(n);
  const timeouts = new Uint8Array(n);
  let t = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 11; j++) {
      const v = t === 0 ? rng.normal() : (next[(i - 1) * 11 + j] as number);
      obs[i * 11 + j] = v;
      next[i * 11 + j] = v + 0.01 * rng.normal();
    }
    for (let j = 0; j < 3; j++) actions[i * 3 + j] = rng.uniformRange(-1, 1);
    rewards[i] = 3 + rng.normal();
    t++;
    if (rng.uniform() < 0.002) {
      terminals[i] = 1;
      t = 0;
    } else if (t === 1000) {
      timeouts[i] = 1;
      t = 0;
    }
  }
  const qpos = new Float64Array(n * 6).map(() => rng.normal());
  return createDataset({ observations: obs, nextObservations: next, actions, rewards, terminals, timeouts, observationShape: [11], infos: { qpos: { data: qpos, shape: [n, 6] } }, metadata: { envId: 'rxrl/Hopper-v0' } });
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) / 1000;
}

async function timeAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

const report = (label: string, seconds: readonly number[], extra = '') => {
  const s = summarize(seconds);
  console.log(`${label.padEnd(34)} ${s.median.toFixed(3)} s  (${s.min.toFixed(3)}–${s.max.toFixed(3)}, ${s.runs} runs)  ${formatRate(rows / s.median)} rows/s ${extra}`);
};

const dir = mkdtempSync(path.join(tmpdir(), 'rxrl-bench-dataset-'));
try {
  // Under tsx this includes transforming h5wasm's 4 MB Emscripten glue; compiled code under plain node loads it far faster.
  console.log(`h5wasm import and initialisation: ${(await timeAsync(() => h5wasm())).toFixed(2)} s (once per process)`);
  const t0 = performance.now();
  const ds = hopperLike(rows);
  console.log(`${rows} rows of Hopper's shapes generated in ${((performance.now() - t0) / 1000).toFixed(1)} s; node ${process.version}, ${runs} runs\n`);
  const file = path.join(dir, 'hopper.h5');
  // The first large write also grows the WebAssembly memory to the dataset's size: timed apart.
  console.log(`first write (WebAssembly memory growth): ${(await timeAsync(() => writeD4rl(file, ds))).toFixed(2)} s\n`);
  const plans: [string, number | undefined][] = [['D4RL HDF5', undefined], ...(compression !== undefined ? [[`D4RL HDF5 gzip ${compression}`, compression] as [string, number]] : [])];
  for (const [label, level] of plans) {
    const writes: number[] = [];
    const reads: number[] = [];
    let back: OfflineDataset | undefined;
    for (let k = 0; k < runs; k++) {
      writes.push(await timeAsync(() => writeD4rl(file, ds, level !== undefined ? { compression: level } : {})));
      reads.push(await timeAsync(async () => (back = await readD4rl(file))));
    }
    const exact = back !== undefined && Buffer.from(back.observations.buffer).equals(Buffer.from(ds.observations.buffer)) && Buffer.from(back.nextObservations.buffer).equals(Buffer.from(ds.nextObservations.buffer));
    const mb = statSync(file).size / 1e6;
    report(`write (${label})`, writes, `${mb.toFixed(0)} MB`);
    report(`read (${label})`, reads, exact ? 'bit-exact' : 'NOT BIT-EXACT');
  }
  const episodes: number[] = [];
  let count = 0;
  for (let k = 0; k < runs; k++) episodes.push(time(() => (count = splitEpisodes(ds).count)));
  report('splitEpisodes', episodes, `${count} episodes`);
  for (const nStep of [1, 3]) {
    const buffer = ReplayBuffer.fromDataset(ds, { nStep });
    const rng = new Rng(1);
    const batches = 2000;
    const samples: number[] = [];
    for (let k = 0; k < runs; k++) samples.push(time(() => {
      for (let b = 0; b < batches; b++) buffer.sample(256, rng);
    }));
    const s = summarize(samples);
    console.log(`${`sample 256 (${nStep}-step), ${batches}×`.padEnd(34)} ${s.median.toFixed(3)} s  ${formatRate((batches * 256) / s.median)} transitions/s`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
