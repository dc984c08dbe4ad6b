/**
 * Speed of the fast MLP engine on PPO's CartPole networks: a 4→64→64→2 actor and a
 * 4→64→64→1 critic (tanh, orthogonal init).
 *
 *   update    forward + backward of both nets, joint gradient clip, Adam on both — one PPO
 *             minibatch step without the loss itself — at batch 64, 256 and 2048
 *   forward   action selection: forwardInference of both nets on a batch of 8 observations
 *   LayerNorm O-DICE's value network (17→64→64→1, LayerNorm, ReLU): forward + backward at
 *             batch 256, Float64Array only
 *
 * Prints the median and range over several runs for three configurations: Float64Array
 * storage with the WebAssembly SIMD kernels, Float64Array with the JavaScript kernels
 * (`RXRL_WASM=0`), and Float32Array (always the JavaScript kernels). Each configuration runs
 * in its own child process, so that V8 compiles the kernels for one array type only (mixing
 * both in one process makes them polymorphic and slower, which is not what a real run does)
 * and the kernel choice is made at start-up as in a real run; the two Float64Array
 * configurations alternate (--rounds), since the host's speed drifts. Run with
 * `npm run bench:mlp`.
 *
 *   --runs K      repetitions per configuration (default 7)
 *   --seconds S   measuring time per repetition (default 0.3)
 *   --rounds R    alternate the Float64Array configurations R times and pool the runs (default 1)
 *   --clock C     wall (default) or cpu: process CPU time instead of elapsed time, which
 *                 is less disturbed when other processes compete for the cores
 *   --dtype D     f64 or f32: measure only that storage type, in this process (kernels as
 *                 fastEngineInfo() reports: set RXRL_WASM=0 for the JavaScript ones)
 *   --json        with --dtype: print raw results as JSON (used by the parent process)
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Rng } from '../src/core/rng.js';
import { Adam, clipGradNorm, FastMlp, fastEngineInfo, initOrthogonal, LayerNormMlp, type FloatArray, type FloatArrayConstructor } from '../src/nn/fast/index.js';
import { summarize, type Summary } from './stats.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    seconds: { type: 'string', default: '0.3' },
    rounds: { type: 'string', default: '1' },
    clock: { type: 'string', default: 'wall' },
    dtype: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
if (values.clock !== 'wall' && values.clock !== 'cpu') throw new RangeError(`--clock must be wall or cpu, got ${values.clock}`);
/** Seconds on the chosen clock. */
const clock =
  values.clock === 'cpu'
    ? (): number => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1e6;
      }
    : (): number => performance.now() / 1000;

const UPDATE_BATCHES = [64, 256, 2048] as const;
const INFER_BATCH = 8;

interface Row {
  readonly name: string;
  /** Seconds per operation. */
  readonly summary: Summary;
  /** Every run's seconds per operation (pooled over rounds by the parent). */
  readonly samples: readonly number[];
  /** Floating-point operations per operation (multiply–adds count 2). */
  readonly flops: number;
}

/** Multiply–adds of one forward pass of an MLP per sample. */
function macsPerSample(sizes: readonly number[]): number {
  let macs = 0;
  for (let l = 0; l + 1 < sizes.length; l++) macs += (sizes[l] as number) * (sizes[l + 1] as number);
  return macs;
}

/** Runs `op` repeatedly for about `seconds`, `runs` times; seconds per call, median and range. */
function measure(op: () => void): { summary: Summary; samples: number[] } {
  const time = (): number => {
    let calls = 0;
    const start = clock();
    const deadline = start + seconds;
    let now = start;
    while (now < deadline) {
      for (let k = 0; k < 8; k++) op();
      calls += 8;
      now = clock();
    }
    return (now - start) / calls;
  };
  time(); // warm-up: let V8 reach its optimising tier
  const results: number[] = [];
  for (let r = 0; r < runs; r++) results.push(time());
  return { summary: summarize(results), samples: results };
}

function benchDtype(arrayType: FloatArrayConstructor<FloatArray>): Row[] {
  const actorSizes = [4, 64, 64, 2];
  const criticSizes = [4, 64, 64, 1];
  const rng = new Rng('bench-mlp');
  const actor = new FastMlp({ sizes: actorSizes, arrayType });
  const critic = new FastMlp({ sizes: criticSizes, arrayType });
  if (actor.kernels !== critic.kernels) throw new Error('benchmark: actor and critic use different kernels');
  initOrthogonal(actor, rng.split('actor'), { outputGain: 0.01 });
  initOrthogonal(critic, rng.split('critic'), { outputGain: 1 });
  const adamActor = new Adam(actor.paramCount, { lr: 2.5e-4, eps: 1e-5 });
  const adamCritic = new Adam(critic.paramCount, { lr: 2.5e-4, eps: 1e-5 });
  const maxBatch = Math.max(...UPDATE_BATCHES);
  const obs = new Float32Array(maxBatch * 4).map(() => rng.normal());
  const gradActor = new Float64Array(maxBatch * 2).map(() => 1e-3 * rng.normal());
  const gradCritic = new Float64Array(maxBatch).map(() => 1e-3 * rng.normal());
  const fwdMacs = macsPerSample(actorSizes) + macsPerSample(criticSizes);
  // Backward: the kernel gradients (same count as forward) plus the input gradients of all
  // layers but the first.
  const bwdMacs = fwdMacs + macsPerSample(actorSizes.slice(1)) + macsPerSample(criticSizes.slice(1));

  const rows: Row[] = [];
  for (const batch of UPDATE_BATCHES) {
    const m = measure(() => {
      actor.forward(obs, batch);
      critic.forward(obs, batch);
      actor.backward(gradActor, batch);
      critic.backward(gradCritic, batch);
      clipGradNorm([actor.grads, critic.grads], 0.5);
      adamActor.step(actor.params, actor.grads);
      adamCritic.step(critic.params, critic.grads);
    });
    rows.push({ name: `update, batch ${batch}`, ...m, flops: 2 * batch * (fwdMacs + bwdMacs) });
  }
  // Breakdown at batch 256.
  const b = 256;
  rows.push({
    name: `  forward only, batch ${b}`,
    ...measure(() => {
      actor.forward(obs, b);
      critic.forward(obs, b);
    }),
    flops: 2 * b * fwdMacs,
  });
  rows.push({
    name: `  backward only, batch ${b}`,
    ...measure(() => {
      actor.backward(gradActor, b);
      critic.backward(gradCritic, b);
    }),
    flops: 2 * b * bwdMacs,
  });
  rows.push({
    name: '  clip + Adam only',
    ...measure(() => {
      clipGradNorm([actor.grads, critic.grads], 0.5);
      adamActor.step(actor.params, actor.grads);
      adamCritic.step(critic.params, critic.grads);
    }),
    flops: 0,
  });
  const logits = new Float64Array(INFER_BATCH * 2);
  const values8 = new Float64Array(INFER_BATCH);
  rows.push({
    name: `forwardInference, batch ${INFER_BATCH}`,
    ...measure(() => {
      actor.forwardInference(obs, INFER_BATCH, logits);
      critic.forwardInference(obs, INFER_BATCH, values8);
    }),
    flops: 2 * INFER_BATCH * fwdMacs,
  });
  rows.push({
    name: `forward, batch ${INFER_BATCH}`,
    ...measure(() => {
      actor.forward(obs, INFER_BATCH);
      critic.forward(obs, INFER_BATCH);
    }),
    flops: 2 * INFER_BATCH * fwdMacs,
  });
  if (arrayType === (Float64Array as unknown)) rows.push(layerNormRow(rng.split('layer-norm')));
  return rows;
}

/**
 * O-DICE's value network on HalfCheetah at the offline benchmark's width: 17→64→64→1 with
 * LayerNorm and ReLU, forward + backward at batch 256 (Float64Array only; the kernels are the
 * process's, as for the other rows).
 */
function layerNormRow(rng: Rng): Row {
  const sizes = [17, 64, 64, 1];
  const batch = 256;
  const net = new LayerNormMlp({ sizes });
  net.initFanInUniform(rng);
  const x = new Float64Array(batch * (sizes[0] as number)).map(() => rng.normal());
  const grad = new Float64Array(batch).map(() => 1e-3 * rng.normal());
  const macs = macsPerSample(sizes);
  const result = measure(() => {
    net.forward(x, batch);
    net.backward(grad, batch);
  });
  // Backward: the kernel gradients plus the input gradients of all layers but the first.
  return { name: `LayerNorm 17-64-64-1, b ${batch}`, ...result, flops: 2 * batch * (2 * macs + macsPerSample(sizes.slice(1))) };
}

function formatTime(s: number): string {
  if (s >= 1e-3) return `${(s * 1e3).toFixed(2)} ms`;
  return `${(s * 1e6).toFixed(1)} µs`;
}

function formatRow(row: Row): string {
  const { median, min, max } = row.summary;
  const gflops = row.flops > 0 ? `${(row.flops / median / 1e9).toFixed(2)} GFLOP/s` : '';
  return `${formatTime(median).padStart(10)}  [${formatTime(min)} – ${formatTime(max)}]`.padEnd(36) + gflops.padStart(14);
}

const DTYPES = { f64: Float64Array, f32: Float32Array } as const;

/** The configurations the parent measures, each in a child process. */
const CONFIGS = [
  { label: 'Float64Array, wasm-simd', dtype: 'f64', wasm: true },
  { label: 'Float64Array, js', dtype: 'f64', wasm: false },
  { label: 'Float32Array, js', dtype: 'f32', wasm: false },
] as const;

if (values.dtype !== undefined) {
  const arrayType = DTYPES[values.dtype as keyof typeof DTYPES] as FloatArrayConstructor<FloatArray> | undefined;
  if (arrayType === undefined) throw new RangeError(`--dtype must be f64 or f32, got ${values.dtype}`);
  const rows = benchDtype(arrayType);
  if (values.json) {
    console.log(JSON.stringify(rows));
  } else {
    console.log(`kernels: ${fastEngineInfo().kernels}`);
    for (const row of rows) console.log(`${row.name.padEnd(30)}${formatRow(row)}`);
  }
} else {
  console.log(
    `fast MLP engine: actor 4-64-64-2 + critic 4-64-64-1 (tanh); ${values.clock} time per call, ` +
      `median [min – max] of ${runs * rounds} runs (${rounds} alternating rounds), Node ${process.version}\n`,
  );
  const results = new Map<string, Row[]>();
  const runChild = (config: (typeof CONFIGS)[number]): void => {
    // The same script in a fresh process (keeping the tsx loader flags) for one configuration.
    const env = { ...process.env };
    if (config.wasm) delete env['RXRL_WASM'];
    else env['RXRL_WASM'] = '0';
    const child = spawnSync(
      process.execPath,
      [
        ...process.execArgv,
        process.argv[1] as string,
        ...['--dtype', config.dtype, '--json', '--runs', String(runs), '--seconds', String(seconds), '--clock', values.clock],
      ],
      { encoding: 'utf8', maxBuffer: 1 << 24, env },
    );
    if (child.status !== 0) throw new Error(`benchmark child (${config.label}) failed:\n${child.stderr}`);
    const lastLine = child.stdout.trim().split('\n').pop() ?? '[]';
    const rows = JSON.parse(lastLine) as Row[];
    const previous = results.get(config.label);
    results.set(
      config.label,
      previous === undefined
        ? rows
        : rows.map((row, i) => {
            const samples = [...((previous[i] as Row).samples), ...row.samples];
            return { ...row, samples, summary: summarize(samples) };
          }),
    );
  };
  for (let r = 0; r < rounds; r++) for (const config of CONFIGS) if (config.dtype === 'f64') runChild(config);
  for (const config of CONFIGS) if (config.dtype === 'f32') runChild(config);
  const columns = CONFIGS.map((c) => results.get(c.label) ?? []);
  console.log(`${''.padEnd(30)}${CONFIGS.map((c) => c.label.padEnd(50)).join('')}`);
  (columns[0] ?? []).forEach((row, i) => {
    console.log(`${row.name.padEnd(30)}${columns.map((rows) => (rows[i] ? formatRow(rows[i]) : '').padEnd(50)).join('')}`);
  });
}
