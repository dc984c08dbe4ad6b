/**
 * Cost of the neural-network side of PPO on each tensor backend that loads (cpu, wasm,
 * tensorflow): one minibatch update and one action selection. Run with `npm run bench:nn`.
 *
 * The model is SB3's default for CartPole: two separate 64-64 tanh MLPs, an actor (obs 4 →
 * 2 logits of a categorical) and a critic (4 → 1). One update = forward both on the minibatch,
 * the PPO clipped surrogate + 0.5 · value loss − 0.01 · entropy (advantages normalised per
 * minibatch), gradients of all 12 variables with `tf.variableGrads`, clipping to global norm
 * 0.5, and an Adam step — written the fast way: `tf.fused.matMul` with the bias fused (tfjs
 * fuses no tanh, and under a gradient tape only the linear activation), one forward per
 * minibatch, `sum(oneHot(a) · logp)` instead of `gather` (whose gradient fails on wasm), all
 * inside `tf.tidy`, no read-back until the end of a run. Action selection = both forwards on a
 * batch of 8 observations uploaded from a Float32Array, logits and values read back, actions
 * sampled in JS — what a rollout loop does every step.
 *
 * Prints, per backend and batch size, the median and range of the per-update time over the
 * runs, the kernels one update launches (from `tf.profile`), and checks that the number of
 * live tensors does not grow.
 *
 *   --runs K        runs per configuration (default 5)
 *   --updates N     updates per run (default 50)
 *   --batches LIST  minibatch sizes (default 64,256,2048)
 *   --backends LIST backends to try (default cpu,wasm,tensorflow; those that do not load are
 *                   reported and skipped)
 *   --selects N     action selections per run (default 300)
 *   --kernels       also list which kernels one update launches, by name and count
 *   --adam KIND     `tfjs` (default): tf.train.adam, which steps each of the 12 variables on its
 *                   own; `flat`: the same Adam step (and the norm clip) on all gradients
 *                   concatenated into one vector, which launches far fewer kernels; `both`
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../src/nn/backend.js';
import { summarize, type Summary } from './stats.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    updates: { type: 'string', default: '50' },
    batches: { type: 'string', default: '64,256,2048' },
    backends: { type: 'string', default: 'cpu,wasm,tensorflow' },
    selects: { type: 'string', default: '300' },
    kernels: { type: 'boolean', default: false },
    adam: { type: 'string', default: 'tfjs' },
  },
});
const runs = Number(values.runs);
const updates = Number(values.updates);
const selects = Number(values.selects);
const batches = values.batches.split(',').map(Number);
const backends = values.backends.split(',') as BackendName[];
const adamKinds = values.adam === 'both' ? (['tfjs', 'flat'] as const) : values.adam === 'flat' ? (['flat'] as const) : (['tfjs'] as const);
type AdamKind = (typeof adamKinds)[number];

const OBS = 4;
const ACTIONS = 2;
const HIDDEN = 64;
const CLIP = 0.2;
const VF_COEF = 0.5;
const ENT_COEF = 0.01;
const MAX_GRAD_NORM = 0.5;

interface Layer {
  readonly w: tf.Variable;
  readonly b: tf.Variable;
}

let nameCounter = 0;

/** A tanh MLP with Glorot-uniform weights and zero biases (seeded, so every backend starts alike). */
function makeMlp(sizes: readonly number[], seed: number): Layer[] {
  const layers: Layer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const fanIn = sizes[i] as number;
    const fanOut = sizes[i + 1] as number;
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const id = nameCounter++;
    // tidy disposes the initial values; the variables keep their data.
    layers.push({
      w: tf.tidy(() => tf.variable(tf.randomUniform([fanIn, fanOut], -limit, limit, 'float32', seed + i), true, `bench_w${id}`)),
      b: tf.tidy(() => tf.variable(tf.zeros([fanOut]), true, `bench_b${id}`)),
    });
  }
  return layers;
}

/** Fused matMul + bias per layer, tanh between layers, linear output. */
function forward(layers: readonly Layer[], x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  layers.forEach((layer, i) => {
    const z = tf.fused.matMul({ a: h, b: layer.w as tf.Tensor2D, bias: layer.b }) as tf.Tensor2D;
    h = i + 1 < layers.length ? tf.tanh(z) : z;
  });
  return h;
}

interface Minibatch {
  readonly obs: tf.Tensor2D;
  /** one-hot of the taken actions, [B, ACTIONS] */
  readonly actionMask: tf.Tensor2D;
  readonly oldLogp: tf.Tensor1D;
  readonly advantages: tf.Tensor1D;
  readonly returns: tf.Tensor1D;
}

function makeMinibatch(size: number, seed: number): Minibatch {
  return tf.tidy(() => {
    const actions = tf.cast(tf.randomUniform([size], 0, ACTIONS, 'float32', seed + 1).floor(), 'int32') as tf.Tensor1D;
    return {
      obs: tf.randomNormal([size, OBS], 0, 1, 'float32', seed) as tf.Tensor2D,
      actionMask: tf.oneHot(actions, ACTIONS).toFloat() as tf.Tensor2D,
      oldLogp: tf.randomUniform([size], -1.2, -0.3, 'float32', seed + 2) as tf.Tensor1D,
      advantages: tf.randomNormal([size], 0, 1, 'float32', seed + 3) as tf.Tensor1D,
      returns: tf.randomNormal([size], 0, 1, 'float32', seed + 4) as tf.Tensor1D,
    };
  });
}

function disposeMinibatch(m: Minibatch): void {
  tf.dispose([m.obs, m.actionMask, m.oldLogp, m.advantages, m.returns]);
}

const LR = 3e-4;
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-5;

/** Adam's state for the `flat` variant: both moments of all parameters as one vector each. */
interface FlatAdam {
  readonly m: tf.Variable;
  readonly v: tf.Variable;
  step: number;
}

interface Model {
  readonly actor: Layer[];
  readonly critic: Layer[];
  readonly variables: tf.Variable[];
  readonly optimizer: tf.AdamOptimizer;
  readonly flat: FlatAdam;
}

function makeModel(): Model {
  const actor = makeMlp([OBS, HIDDEN, HIDDEN, ACTIONS], 1);
  const critic = makeMlp([OBS, HIDDEN, HIDDEN, 1], 11);
  const variables = [...actor, ...critic].flatMap((l) => [l.w, l.b]);
  const size = variables.reduce((n, v) => n + v.size, 0);
  const flat = { m: tf.tidy(() => tf.variable(tf.zeros([size]), false)), v: tf.tidy(() => tf.variable(tf.zeros([size]), false)), step: 0 };
  return { actor, critic, variables, optimizer: tf.train.adam(LR, BETA1, BETA2, EPSILON), flat };
}

function disposeModel(m: Model): void {
  m.optimizer.dispose();
  tf.dispose([...m.variables, m.flat.m, m.flat.v]);
}

/** Clip to global norm and take an Adam step with tf.train.adam (per variable). */
function stepTfjs(model: Model, grads: tf.NamedTensorMap): void {
  const entries = Object.entries(grads);
  const norm = tf.sqrt(tf.addN(entries.map(([, g]) => tf.sum(tf.square(g)))));
  const scale = tf.minimum(1, tf.div(MAX_GRAD_NORM, tf.add(norm, 1e-6)));
  model.optimizer.applyGradients(Object.fromEntries(entries.map(([name, g]) => [name, tf.mul(g, scale)])));
}

/** The same clip and Adam step (tfjs's epsilon placement) on one concatenated gradient vector. */
function stepFlat(model: Model, grads: tf.NamedTensorMap): void {
  const { flat, variables } = model;
  const g = tf.concat(variables.map((v) => tf.reshape(grads[v.name] as tf.Tensor, [-1])));
  const norm = tf.sqrt(tf.sum(tf.square(g)));
  const clipped = tf.mul(g, tf.minimum(1, tf.div(MAX_GRAD_NORM, tf.add(norm, 1e-6))));
  flat.step += 1;
  const m = tf.add(tf.mul(flat.m, BETA1), tf.mul(clipped, 1 - BETA1));
  const v = tf.add(tf.mul(flat.v, BETA2), tf.mul(tf.square(clipped), 1 - BETA2));
  flat.m.assign(m);
  flat.v.assign(v);
  const mHat = tf.div(m, 1 - BETA1 ** flat.step);
  const vHat = tf.div(v, 1 - BETA2 ** flat.step);
  const delta = tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), EPSILON)), -LR);
  const parts = tf.split(delta, variables.map((x) => x.size));
  variables.forEach((x, i) => x.assign(tf.add(x, tf.reshape(parts[i] as tf.Tensor, x.shape))));
}

/** One PPO minibatch update; returns the loss (a scalar the caller disposes). */
function update(model: Model, mb: Minibatch, adam: AdamKind): tf.Scalar {
  return tf.tidy(() => {
    const mean = tf.mean(mb.advantages);
    const std = tf.sqrt(tf.mean(tf.square(tf.sub(mb.advantages, mean))));
    const adv = tf.div(tf.sub(mb.advantages, mean), tf.add(std, 1e-8));
    const { value, grads } = tf.variableGrads(() => {
      const logits = forward(model.actor, mb.obs);
      const logpAll = tf.logSoftmax(logits);
      const logp = tf.sum(tf.mul(mb.actionMask, logpAll), 1);
      const ratio = tf.exp(tf.sub(logp, mb.oldLogp));
      const surrogate = tf.minimum(tf.mul(ratio, adv), tf.mul(tf.clipByValue(ratio, 1 - CLIP, 1 + CLIP), adv));
      const policyLoss = tf.neg(tf.mean(surrogate));
      const v = tf.reshape(forward(model.critic, mb.obs), [-1]);
      const valueLoss = tf.mean(tf.squaredDifference(v, mb.returns));
      const entropy = tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logpAll), logpAll), 1)));
      return tf.sub(tf.add(policyLoss, tf.mul(VF_COEF, valueLoss)), tf.mul(ENT_COEF, entropy)) as tf.Scalar;
    }, model.variables);
    if (adam === 'flat') stepFlat(model, grads);
    else stepTfjs(model, grads);
    return value;
  });
}

/** ms per update over one run of `updates` updates, and whether the live tensor count stayed put. */
function timeUpdates(model: Model, mb: Minibatch, adam: AdamKind): { ms: number; stable: boolean } {
  const before = tf.memory().numTensors;
  const start = performance.now();
  for (let k = 0; k < updates; k++) {
    const loss = update(model, mb, adam);
    if (k === updates - 1) loss.dataSync(); // the only read-back: finishes any queued work
    loss.dispose();
  }
  const ms = (performance.now() - start) / updates;
  return { ms, stable: tf.memory().numTensors === before };
}

/** One action selection for 8 envs: upload, both forwards, read back, sample in JS. */
function selectActions(model: Model, obs: Float32Array, out: Int32Array): number {
  const [logits, values] = tf.tidy(() => {
    const x = tf.tensor2d(obs, [8, OBS]);
    return [forward(model.actor, x), forward(model.critic, x)];
  });
  const l = logits.dataSync();
  const v = values.dataSync();
  tf.dispose([logits, values]);
  for (let i = 0; i < 8; i++) {
    const a = l[2 * i] as number;
    const b = l[2 * i + 1] as number;
    out[i] = Math.random() < 1 / (1 + Math.exp(a - b)) ? 1 : 0;
  }
  return v[0] as number;
}

function fmt(s: Summary, digits = 2): string {
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

interface Row {
  backend: string;
  adam: AdamKind;
  batch: number;
  update: Summary;
  kernels: number;
  stable: boolean;
}

async function main(): Promise<void> {
  console.log(`# bench:nn — PPO update of two 64-64 tanh MLPs (actor 4→2 categorical, critic 4→1), Adam, clip-norm ${MAX_GRAD_NORM}`);
  console.log(`# node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'} × ${os.cpus().length}, ${runs} runs × ${updates} updates, ${selects} selections per run`);
  const rows: Row[] = [];
  const selections: { backend: string; us: Summary }[] = [];
  for (const name of backends) {
    try {
      await initBackend(name, (msg) => console.log(`# ${msg}`));
    } catch (err) {
      console.log(`# ${name}: skipped — ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    const tensorsAtStart = tf.memory().numTensors;
    for (const adam of adamKinds) {
      for (const batch of batches) {
        const model = makeModel();
        const mb = makeMinibatch(batch, 7);
        // Warm-up: Adam creates its moment variables on the first step; backends compile kernels.
        for (let k = 0; k < 5; k++) update(model, mb, adam).dispose();
        const profile = await tf.profile(() => update(model, mb, adam));
        tf.dispose(profile.result as tf.Tensor);
        if (values.kernels && batch === batches[0]) {
          const counts = new Map<string, number>();
          for (const k of profile.kernels) counts.set(k.name, (counts.get(k.name) ?? 0) + 1);
          const list = [...counts].sort((x, y) => y[1] - x[1]).map(([k, n]) => `${k} ${n}`);
          console.log(`# ${name}, adam ${adam}: kernels per update: ${list.join(', ')}`);
        }
        const times: number[] = [];
        let stable = true;
        for (let r = 0; r < runs; r++) {
          const t = timeUpdates(model, mb, adam);
          times.push(t.ms);
          stable &&= t.stable;
        }
        const row: Row = { backend: name, adam, batch, update: summarize(times), kernels: profile.kernels.length, stable };
        rows.push(row);
        console.log(
          `${name.padEnd(10)} adam ${adam.padEnd(4)} batch ${String(batch).padStart(5)}: ${fmt(row.update)} ms/update, ${row.kernels} kernels/update, tensors ${stable ? 'stable' : 'GROWING'}`,
        );
        disposeMinibatch(mb);
        disposeModel(model);
      }
    }
    {
      const model = makeModel();
      const obs = Float32Array.from({ length: 8 * OBS }, () => Math.random() * 2 - 1);
      const out = new Int32Array(8);
      for (let k = 0; k < 50; k++) selectActions(model, obs, out);
      const us: number[] = [];
      for (let r = 0; r < runs; r++) {
        const start = performance.now();
        for (let k = 0; k < selects; k++) selectActions(model, obs, out);
        us.push(((performance.now() - start) / selects) * 1000);
      }
      selections.push({ backend: name, us: summarize(us) });
      console.log(`${name.padEnd(10)} action selection (batch 8): ${fmt(summarize(us), 0)} µs`);
      disposeModel(model);
    }
    const leaked = tf.memory().numTensors - tensorsAtStart;
    if (leaked !== 0) console.log(`# ${name}: ${leaked} tensors left after disposing everything`);
  }

  console.log('\n| backend | adam | batch | ms / update, median (min–max) | kernels / update | live tensors |');
  console.log('| --- | --- | ---: | ---: | ---: | --- |');
  for (const r of rows) {
    console.log(`| ${r.backend} | ${r.adam} | ${r.batch} | ${fmt(r.update)} | ${r.kernels} | ${r.stable ? 'stable' : 'growing'} |`);
  }
  console.log('\n| backend | action selection, batch 8: µs median (min–max) |');
  console.log('| --- | ---: |');
  for (const s of selections) console.log(`| ${s.backend} | ${fmt(s.us, 0)} |`);
  if (rows.some((r) => !r.stable)) process.exitCode = 1;
}

await main();
