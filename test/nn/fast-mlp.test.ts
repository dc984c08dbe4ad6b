import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  Adam,
  clipGradNorm,
  FastMlp,
  fastTanh,
  initOrthogonal,
  orthogonal,
  tanhInPlace,
  type FloatArray,
  type FloatArrayConstructor,
  type HiddenActivation,
  type OutputActivation,
} from '../../src/nn/fast/index.js';

function randomArray(n: number, rng: Rng, scale = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * rng.normal();
  return a;
}

/** Bitwise equality of two arrays (distinguishes −0 and +0, equates NaNs). */
function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
}

/**
 * Test loss L = Σ c·y + ½ Σ y² over the network output y: nonlinear in y, so second-order
 * mistakes in the backward pass would show. Returns L and fills dL/dy.
 */
function testLoss(y: ArrayLike<number>, c: ArrayLike<number>, gradOut?: Float64Array): number {
  let loss = 0;
  for (let i = 0; i < y.length; i++) {
    const yi = y[i] as number;
    const ci = c[i] as number;
    loss += ci * yi + 0.5 * yi * yi;
    if (gradOut) gradOut[i] = ci + yi;
  }
  return loss;
}

describe('fastTanh', () => {
  it('matches Math.tanh to a few ulp, with exact limits', () => {
    const rng = new Rng('tanh');
    const xs = [0, 1e-300, 1e-17, 1e-9, 1e-4, 0.01, 0.1, 0.34, 0.35, 0.5, 1, 2, 5, 10, 18, 19, 20, 21, 22, 23, 50, 700];
    for (let i = 0; i < 20000; i++) xs.push(rng.uniform() * 25, Math.exp(-40 * rng.uniform()));
    let worst = 0;
    for (const x0 of xs) {
      for (const x of [x0, -x0]) {
        const ref = Math.tanh(x);
        const err = Math.abs(fastTanh(x) - ref) / Math.max(Math.abs(ref), Number.MIN_VALUE);
        worst = Math.max(worst, err);
      }
    }
    // fastTanh is within 3.4 ulp and Math.tanh within 2 ulp of the true value; 1 ulp ≤ 2.2e-16 relative.
    expect(worst).toBeLessThan(1.2e-15);
    expect(fastTanh(Infinity)).toBe(1);
    expect(fastTanh(-Infinity)).toBe(-1);
    expect(fastTanh(Number.NaN)).toBeNaN();
    expect(Math.abs(fastTanh(0))).toBe(0); // the sign of a zero is not kept
    expect(fastTanh(1e-300)).toBe(1e-300);
  });

  it('tanhInPlace equals fastTanh on both storage types', () => {
    const rng = new Rng('tanh-array');
    const a = randomArray(1000, rng, 4);
    const f32 = Float32Array.from(a);
    const expected64 = a.map(fastTanh);
    const expected32 = Float32Array.from(f32, fastTanh);
    tanhInPlace(a, 0, a.length);
    tanhInPlace(f32, 0, f32.length);
    expect(sameBits(a, expected64)).toBe(true);
    expect(sameBits(f32, expected32)).toBe(true);
  });
});

describe('FastMlp gradients vs central finite differences (float64)', () => {
  // Central differences with step h = 1e-5 have truncation error ~h²·|L'''|/6 and rounding
  // error ~1e-16·|L|/h ≈ 1e-10 for these O(1)–O(10) losses; observed deviations are ≤ 3e-9.
  // We require 1e-7 absolute + 1e-6 relative (≥ 30× margin), while a real mistake in the
  // backward pass shows up at O(1e-2) or more.
  const h = 1e-5;
  const tol = (a: number): number => 1e-7 + 1e-6 * Math.abs(a);

  const cases: { sizes: number[]; batch: number; act: HiddenActivation; out: OutputActivation }[] = [
    { sizes: [4, 8, 8, 2], batch: 8, act: 'tanh', out: 'identity' },
    { sizes: [5, 7, 6, 3], batch: 7, act: 'tanh', out: 'tanh' }, // widths and batch not multiples of 4
    { sizes: [3, 9, 1], batch: 6, act: 'relu', out: 'identity' },
    { sizes: [6, 12, 5, 4], batch: 13, act: 'relu', out: 'relu' },
  ];

  for (const { sizes, batch, act, out } of cases) {
    it(`sizes ${sizes.join('-')}, batch ${batch}, ${act}/${out}`, () => {
      const rng = new Rng(`fd/${sizes.join('-')}`);
      const net = new FastMlp({ sizes, activation: act, outputActivation: out });
      initOrthogonal(net, rng.split('init'), { outputGain: 1 });
      // Nonzero biases so that they matter; small enough that relu units are not all on or off.
      for (const layer of net.layers) for (let o = 0; o < layer.outSize; o++) net.params[layer.biasOffset + o] = 0.1 * rng.normal();
      const inSize = sizes[0] as number;
      const outSize = sizes[sizes.length - 1] as number;
      const x = randomArray(batch * inSize, rng.split('x'));
      const c = randomArray(batch * outSize, rng.split('c'));
      const gradOut = new Float64Array(batch * outSize);

      testLoss(net.forward(x, batch), c, gradOut);
      const gx = net.backward(gradOut, batch, true);
      expect(gx).not.toBeNull();
      const inputGrad = Float64Array.from(gx ?? []);
      const grads = net.grads.slice();

      const lossAt = (): number => testLoss(net.forward(x, batch), c);
      let checked = 0;
      for (let i = 0; i < net.paramCount; i++) {
        const p0 = net.params[i] as number;
        net.params[i] = p0 + h;
        const lp = lossAt();
        net.params[i] = p0 - h;
        const lm = lossAt();
        net.params[i] = p0;
        const fd = (lp - lm) / (2 * h);
        const an = grads[i] as number;
        expect(Math.abs(fd - an), `param ${i}: fd ${fd} vs backward ${an}`).toBeLessThanOrEqual(tol(an));
        checked++;
      }
      for (let i = 0; i < x.length; i++) {
        const x0 = x[i] as number;
        x[i] = x0 + h;
        const lp = lossAt();
        x[i] = x0 - h;
        const lm = lossAt();
        x[i] = x0;
        const fd = (lp - lm) / (2 * h);
        const an = inputGrad[i] as number;
        expect(Math.abs(fd - an), `input ${i}: fd ${fd} vs backward ${an}`).toBeLessThanOrEqual(tol(an));
      }
      expect(checked).toBe(FastMlp.paramCount(sizes));
    });
  }
});

describe('FastMlp vs TensorFlow.js (cpu backend, float32)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  // tfjs computes in float32 (unit roundoff 6e-8). With the parameters rounded to float32 on
  // both sides, the only difference is float32 rounding of 64-term sums, tanh and products
  // through three layers: observed ≤ 2e-7 on values up to ~4 (outputs ≤ 2e-8). Tolerance:
  // 1e-6 absolute + 1e-5 relative (≥ 10× margin), far below the O(1e-2) of a layout or
  // transposition mistake.
  const tol = (ref: number): number => 1e-6 + 1e-5 * Math.abs(ref);

  function expectClose(ours: ArrayLike<number>, ref: ArrayLike<number>, what: string): void {
    expect(ours.length).toBe(ref.length);
    for (let i = 0; i < ref.length; i++) {
      const r = ref[i] as number;
      expect(Math.abs((ours[i] as number) - r), `${what}[${i}]: ${ours[i]} vs tfjs ${r}`).toBeLessThanOrEqual(tol(r));
    }
  }

  for (const [sizes, out] of [
    [[4, 64, 64, 2], 'identity'],
    [[4, 64, 64, 1], 'identity'],
    [[6, 10, 7, 3], 'tanh'],
  ] as const) {
    it(`sizes ${sizes.join('-')} (${out}): outputs, parameter and input gradients`, async () => {
      const rng = new Rng(`tfjs/${sizes.join('-')}`);
      const net = new FastMlp({ sizes, outputActivation: out });
      initOrthogonal(net, rng.split('init'), { outputGain: 0.5 });
      for (const layer of net.layers) for (let o = 0; o < layer.outSize; o++) net.params[layer.biasOffset + o] = 0.1 * rng.normal();
      // Same numbers on both sides: round our parameters to float32 first.
      net.params.set(Float32Array.from(net.params));
      const batch = 10;
      const inSize = sizes[0];
      const outSize = sizes[sizes.length - 1] as number;
      const x = Float64Array.from(Float32Array.from(randomArray(batch * inSize, rng.split('x'))));
      const c = Float64Array.from(Float32Array.from(randomArray(batch * outSize, rng.split('c'))));

      // 1. A Keras-style Sequential model of Dense layers with our kernels as its [in, out] kernels.
      const model = tf.sequential();
      sizes.slice(1).forEach((units, l) => {
        const activation = l === sizes.length - 2 ? (out === 'identity' ? 'linear' : out) : 'tanh';
        model.add(tf.layers.dense({ units, activation, ...(l === 0 ? { inputShape: [inSize] } : {}) }));
      });
      const dense = net.getDenseWeights();
      model.setWeights(
        dense.flatMap((w) => [tf.tensor2d(Float32Array.from(w.kernel), [w.inSize, w.outSize]), tf.tensor1d(Float32Array.from(w.bias))]),
      );
      const xT = tf.tensor2d(Float32Array.from(x), [batch, inSize]);
      const cT = tf.tensor2d(Float32Array.from(c), [batch, outSize]);
      const modelOut = model.predict(xT) as tf.Tensor;
      const ours = net.forward(x, batch);
      expectClose(ours, await modelOut.data(), 'output (Sequential)');

      // 2. The same network as plain tf ops, differentiated with tf.grads w.r.t. input and every parameter.
      const tensors = dense.flatMap((w) => [tf.tensor2d(Float32Array.from(w.kernel), [w.inSize, w.outSize]), tf.tensor1d(Float32Array.from(w.bias))]);
      const lossFn = (...args: tf.Tensor[]): tf.Tensor => {
        let hT = args[0] as tf.Tensor;
        for (let l = 0; l < dense.length; l++) {
          const z = tf.add(tf.matMul(hT as tf.Tensor2D, args[1 + 2 * l] as tf.Tensor2D), args[2 + 2 * l] as tf.Tensor);
          hT = l < dense.length - 1 ? tf.tanh(z) : out === 'tanh' ? tf.tanh(z) : z;
        }
        return tf.add(tf.sum(tf.mul(cT, hT)), tf.mul(0.5, tf.sum(tf.square(hT))));
      };
      const tfLoss = (await lossFn(xT, ...tensors).data())[0] as number;
      const tfGrads = tf.grads(lossFn)([xT, ...tensors]);

      const gradOut = new Float64Array(batch * outSize);
      const loss = testLoss(ours, c, gradOut);
      expect(Math.abs(loss - tfLoss)).toBeLessThanOrEqual(tol(tfLoss) * 10); // a sum of batch·out terms
      const gx = net.backward(gradOut, batch, true);
      expectClose(gx ?? [], await (tfGrads[0] as tf.Tensor).data(), 'input gradient');
      for (let l = 0; l < dense.length; l++) {
        const layer = net.layers[l];
        if (!layer) throw new Error('missing layer');
        expectClose(net.grads.subarray(layer.weightOffset, layer.biasOffset), await (tfGrads[1 + 2 * l] as tf.Tensor).data(), `kernel ${l} grad`);
        expectClose(
          net.grads.subarray(layer.biasOffset, layer.biasOffset + layer.outSize),
          await (tfGrads[2 + 2 * l] as tf.Tensor).data(),
          `bias ${l} grad`,
        );
      }
      tf.dispose([xT, cT, modelOut, ...tensors, ...tfGrads]);
      model.dispose();
    });
  }

  it('Adam matches tf.train.adam on the same gradient sequence', async () => {
    const rng = new Rng('adam-tfjs');
    const n = 50;
    const lr = 0.01;
    const eps = 1e-5;
    const p0 = Float32Array.from(randomArray(n, rng.split('p')));
    const params = Float64Array.from(p0);
    const adam = new Adam(n, { lr, eps });
    const variable = tf.variable(tf.tensor1d(p0), true, 'adam_param');
    const opt = tf.train.adam(lr, 0.9, 0.999, eps);
    for (let step = 0; step < 20; step++) {
      const g = Float32Array.from(randomArray(n, rng.split(`g${step}`), step % 3 === 0 ? 1 : 1e-2));
      adam.step(params, Float64Array.from(g));
      const gT = tf.tensor1d(g);
      opt.applyGradients([{ name: 'adam_param', tensor: gT }]);
      gT.dispose();
    }
    // Per step |Δp| ≤ lr; float32 rounding of p (6e-8 relative) and of the moments over 20
    // steps stays well below 1e-6.
    const ref = await variable.data();
    expect(maxAbsDiff(params, ref)).toBeLessThan(1e-6);
    expect(maxAbsDiff(params, p0)).toBeGreaterThan(0.05); // it did move
    opt.dispose();
    variable.dispose();
  });
});

describe('Adam', () => {
  it('matches a hand-computed two-step example', () => {
    const lr = 0.1;
    const eps = 1e-8;
    const b1 = 0.9;
    const b2 = 0.999;
    const p = new Float64Array([1, -2]);
    const adam = new Adam(2, { lr, eps });
    const g1 = [0.5, -1];
    const g2 = [0.1, 0.3];
    adam.step(p, new Float64Array(g1));
    // Step 1: m̂ = g, v̂ = g², so each parameter moves by lr·g/(|g| + eps) ≈ ±lr.
    const p1 = [1 - (lr * 0.5) / (0.5 + eps), -2 - (lr * -1) / (1 + eps)];
    expect(p[0]).toBeCloseTo(p1[0] as number, 15);
    expect(p[1]).toBeCloseTo(p1[1] as number, 15);
    expect(p[0]).toBeCloseTo(0.9, 7);
    expect(p[1]).toBeCloseTo(-1.9, 7);
    adam.step(p, new Float64Array(g2));
    // Step 2, textbook form (Kingma & Ba): m = β1·m + (1−β1)g, v = β2·v + (1−β2)g², p −= lr·m̂/(√v̂ + eps).
    for (let i = 0; i < 2; i++) {
      const m1 = (1 - b1) * (g1[i] as number);
      const v1 = (1 - b2) * (g1[i] as number) ** 2;
      const m2 = b1 * m1 + (1 - b1) * (g2[i] as number);
      const v2 = b2 * v1 + (1 - b2) * (g2[i] as number) ** 2;
      const mHat = m2 / (1 - b1 ** 2);
      const vHat = v2 / (1 - b2 ** 2);
      const expected = (p1[i] as number) - (lr * mHat) / (Math.sqrt(vHat) + eps);
      expect(Math.abs((p[i] as number) - expected)).toBeLessThan(1e-14);
    }
    // Concretely: p[0] = p1[0] − 0.1·(0.055/0.19)/(√(0.00025975/0.001999) + 1e-8).
    expect(p[0]).toBeCloseTo((p1[0] as number) - (0.1 * (0.055 / 0.19)) / (Math.sqrt(0.00025975 / 0.001999) + 1e-8), 12);
    expect(adam.t).toBe(2);
  });

  it('uses the per-step learning rate and resumes bit-exactly from exported state', () => {
    const rng = new Rng('adam-resume');
    const n = 30;
    const gradsAt = (s: number): Float64Array => randomArray(n, rng.split(`g${s}`));
    const a = new Adam(n, { lr: 1e-3, eps: 1e-5 });
    const pa = randomArray(n, rng.split('p'));
    const pb = pa.slice();
    for (let s = 0; s < 5; s++) a.step(pa, gradsAt(s), 1e-3 * (1 - s / 10));
    const state = a.getState();
    const saved = pa.slice();
    for (let s = 5; s < 10; s++) a.step(pa, gradsAt(s), 1e-3 * (1 - s / 10));

    const b = new Adam(n, { lr: 1e-3, eps: 1e-5 });
    for (let s = 0; s < 5; s++) b.step(pb, gradsAt(s), 1e-3 * (1 - s / 10));
    expect(sameBits(pb, saved)).toBe(true);
    const c = new Adam(n, { lr: 1e-3, eps: 1e-5 });
    c.setState(JSON.parse(JSON.stringify({ ...state, m: [...state.m], v: [...state.v] }), (key: string, value: unknown) =>
      (key === 'm' || key === 'v') && Array.isArray(value) ? Float64Array.from(value as number[]) : value,
    ));
    expect(c.t).toBe(5);
    for (let s = 5; s < 10; s++) c.step(pb, gradsAt(s), 1e-3 * (1 - s / 10));
    expect(sameBits(pb, pa)).toBe(true);
  });
});

describe('clipGradNorm', () => {
  it('scales by maxNorm / (norm + 1e-6) above the limit and returns the pre-clip norm', () => {
    const g = new Float64Array([3, 4]);
    expect(clipGradNorm(g, 1)).toBe(5);
    expect(g[0]).toBe(3 * (1 / (5 + 1e-6)));
    expect(g[1]).toBe(4 * (1 / (5 + 1e-6)));
    expect(Math.hypot(g[0] as number, g[1] as number)).toBeCloseTo(1, 6);
  });

  it('leaves gradients below the limit bit-identical', () => {
    const g = new Float64Array([0.3, -0.4, 0]);
    const before = g.slice();
    expect(clipGradNorm(g, 0.5)).toBeCloseTo(0.5, 15); // coef = 0.5/(0.5 + 1e-6) < 1: clipped (as in PyTorch)
    const g2 = new Float64Array([0.3, -0.4]);
    expect(clipGradNorm(g2, 0.6)).toBeCloseTo(0.5, 15);
    expect(sameBits(g2, [0.3, -0.4])).toBe(true);
    expect(g[0]).toBeLessThan(before[0] as number);
  });

  it('clips several arrays jointly (actor and critic) and propagates non-finite norms', () => {
    const a = new Float64Array([3, 0]);
    const b = new Float32Array([0, 4]);
    expect(clipGradNorm([a, b], 2.5)).toBe(5);
    const coef = 2.5 / (5 + 1e-6);
    expect(a[0]).toBe(3 * coef);
    expect(b[1]).toBe(Math.fround(4 * coef));
    const bad = new Float64Array([1, Number.NaN]);
    expect(clipGradNorm(bad, 1)).toBeNaN();
    expect(bad[0]).toBeNaN();
    const inf = new Float64Array([1, Infinity]);
    expect(clipGradNorm(inf, 1)).toBe(Infinity);
    expect(inf[0]).toBe(0);
  });
});

describe('orthogonal initialisation', () => {
  /** Max |(AᵀA or AAᵀ) − gain²·I| for a rows×cols row-major matrix, over the smaller dimension. */
  function orthError(a: ArrayLike<number>, rows: number, cols: number, gain: number): number {
    const byCols = rows >= cols; // columns orthonormal when tall
    const k = byCols ? cols : rows;
    const len = byCols ? rows : cols;
    const at = (u: number, t: number): number => (byCols ? (a[t * cols + u] as number) : (a[u * cols + t] as number));
    let err = 0;
    for (let u = 0; u < k; u++) {
      for (let v = 0; v < k; v++) {
        let dot = 0;
        for (let t = 0; t < len; t++) dot += at(u, t) * at(v, t);
        err = Math.max(err, Math.abs(dot - (u === v ? gain * gain : 0)));
      }
    }
    return err;
  }

  it('gives WᵀW = gain²·I (tall) or WWᵀ = gain²·I (wide) to 1e-10', () => {
    const rng = new Rng('ortho');
    for (const [rows, cols, gain] of [
      [64, 64, Math.SQRT2],
      [64, 4, Math.SQRT2],
      [4, 64, 1],
      [2, 64, 0.01],
      [64, 1, 1],
      [1, 1, 3],
      [100, 37, 0.5],
    ] as const) {
      const w = orthogonal(rows, cols, gain, rng);
      expect(w.length).toBe(rows * cols);
      expect(orthError(w, rows, cols, gain), `${rows}×${cols}`).toBeLessThan(1e-10);
    }
  });

  it('is the sign-corrected Q of the Gaussian draw: R = QᵀA upper triangular with positive diagonal', () => {
    const rows = 20;
    const cols = 6;
    const q = orthogonal(rows, cols, 1, new Rng('qr'));
    const src = new Rng('qr');
    const a = new Float64Array(rows * cols).map(() => src.normal());
    for (let i = 0; i < cols; i++) {
      for (let j = 0; j < cols; j++) {
        let r = 0;
        for (let t = 0; t < rows; t++) r += (q[t * cols + i] as number) * (a[t * cols + j] as number);
        if (i > j) expect(Math.abs(r)).toBeLessThan(1e-12);
        if (i === j) expect(r).toBeGreaterThan(0);
      }
    }
  });

  it('initOrthogonal: CleanRL gains per layer, zero biases, Dense [in, out] layout', () => {
    const actor = new FastMlp({ sizes: [4, 64, 64, 2] });
    actor.params.fill(7);
    initOrthogonal(actor, new Rng(1).split('actor'), { outputGain: 0.01 });
    const gains = [Math.SQRT2, Math.SQRT2, 0.01];
    actor.getDenseWeights().forEach((w, l) => {
      expect(orthError(w.kernel, w.inSize, w.outSize, gains[l] as number)).toBeLessThan(1e-10);
      expect([...w.bias].every((b) => b === 0)).toBe(true);
    });
  });
});

describe('determinism and batch invariance', () => {
  function trainRun(seed: string, steps: number, arrayType: FloatArrayConstructor<FloatArray> = Float64Array): { initial: FloatArray; final: FloatArray } {
    const rng = new Rng(seed);
    const actor = new FastMlp({ sizes: [4, 64, 64, 2], arrayType });
    const critic = new FastMlp({ sizes: [4, 64, 64, 1], arrayType });
    initOrthogonal(actor, rng.split('actor'), { outputGain: 0.01 });
    initOrthogonal(critic, rng.split('critic'), { outputGain: 1 });
    const initial = Float64Array.from([...actor.params, ...critic.params]);
    const adamA = new Adam(actor.paramCount, { lr: 2.5e-4, eps: 1e-5 });
    const adamC = new Adam(critic.paramCount, { lr: 2.5e-4, eps: 1e-5 });
    const batch = 64;
    const data = rng.split('data');
    const gA = new Float64Array(batch * 2);
    const gC = new Float64Array(batch);
    for (let s = 0; s < steps; s++) {
      const x = randomArray(batch * 4, data);
      const c = randomArray(batch * 2, data);
      const target = randomArray(batch, data);
      testLoss(actor.forward(x, batch), c, gA);
      const v = critic.forward(x, batch);
      for (let i = 0; i < batch; i++) gC[i] = ((v[i] as number) - (target[i] as number)) / batch;
      actor.backward(gA, batch);
      critic.backward(gC, batch);
      clipGradNorm([actor.grads, critic.grads], 0.5);
      adamA.step(actor.params, actor.grads, 2.5e-4 * (1 - s / steps));
      adamC.step(critic.params, critic.grads, 2.5e-4 * (1 - s / steps));
    }
    return { initial, final: Float64Array.from([...actor.params, ...critic.params]) };
  }

  it('same seed → bit-identical parameters after init and after 10 updates', () => {
    const a = trainRun('det', 10);
    const b = trainRun('det', 10);
    expect(sameBits(a.initial, b.initial)).toBe(true);
    expect(sameBits(a.final, b.final)).toBe(true);
    expect(sameBits(a.initial, a.final)).toBe(false);
    const other = trainRun('det2', 0);
    expect(sameBits(a.initial, other.initial)).toBe(false);
    const f32a = trainRun('det', 10, Float32Array);
    const f32b = trainRun('det', 10, Float32Array);
    expect(sameBits(f32a.final, f32b.final)).toBe(true);
    // Float32 storage only rounds what is stored: after 10 steps it stays close to the float64 run.
    expect(maxAbsDiff(f32a.final, a.final)).toBeLessThan(1e-5);
  });

  it('a row gives the same bits whatever the batch (forward vs forwardInference)', () => {
    const rng = new Rng('batch');
    for (const sizes of [[4, 64, 64, 2], [5, 7, 6, 3]]) {
      const net = new FastMlp({ sizes });
      initOrthogonal(net, rng.split(sizes.join('-')));
      const inSize = sizes[0] as number;
      const outSize = sizes[sizes.length - 1] as number;
      const batch = 13;
      const x = randomArray(batch * inSize, rng);
      const full = net.forward(x, batch).slice();
      const out1 = new Float64Array(outSize);
      for (let i = 0; i < batch; i++) {
        net.forwardInference(x.subarray(i * inSize, (i + 1) * inSize), 1, out1);
        expect(sameBits(out1, full.subarray(i * outSize, (i + 1) * outSize))).toBe(true);
      }
      expect(sameBits(net.forwardInference(x, batch), full)).toBe(true);
      expect(sameBits(net.forward(x.subarray(0, 5 * inSize), 5), full.subarray(0, 5 * outSize))).toBe(true);
    }
  });
});

describe('FastMlp buffers and API', () => {
  it('reuses buffers: same output object per batch size, no reallocation below the largest batch', () => {
    const rng = new Rng('buffers');
    const net = new FastMlp({ sizes: [4, 16, 16, 2] });
    initOrthogonal(net, rng);
    const params = net.params;
    const grads = net.grads;
    const x = randomArray(64 * 4, rng);
    const g = randomArray(64 * 2, rng);
    const y64 = net.forward(x, 64);
    const gx64 = net.backward(g, 64, true);
    const y8 = net.forward(x, 8);
    expect(y8.buffer).toBe(y64.buffer); // smaller batch: same storage
    expect(net.backward(g, 8)).toBeNull();
    for (let k = 0; k < 100; k++) {
      expect(net.forward(x, 64)).toBe(y64);
      expect(net.backward(g, 64, true)).toBe(gx64);
      expect(net.forward(x, 8)).toBe(y8);
    }
    const inf8 = net.forwardInference(x, 8);
    expect(net.forwardInference(x, 8)).toBe(inf8);
    expect(inf8.buffer).not.toBe(y8.buffer); // inference has its own scratch space
    expect(net.params).toBe(params);
    expect(net.grads).toBe(grads);
    // Growing reallocates once; views are then stable again.
    const y100 = net.forward(randomArray(100 * 4, rng), 100);
    expect(y100.length).toBe(200);
    expect(net.forward(x, 64)).not.toBe(y64);
    expect(net.forward(x, 64).buffer).toBe(y100.buffer);
  });

  it('forwardInference leaves a pending backward intact', () => {
    const rng = new Rng('pending');
    const net = new FastMlp({ sizes: [4, 8, 2] });
    initOrthogonal(net, rng);
    const x = randomArray(8, rng);
    const g = randomArray(4, rng);
    net.forward(x, 2);
    net.backward(g, 2);
    const expected = net.grads.slice();
    net.forward(x, 2);
    net.forwardInference(randomArray(40, rng), 10);
    net.backward(g, 2);
    expect(sameBits(net.grads, expected)).toBe(true);
  });

  it('validates sizes, batches and lengths', () => {
    expect(() => new FastMlp({ sizes: [4] })).toThrow(RangeError);
    expect(() => new FastMlp({ sizes: [4, 0, 2] })).toThrow(RangeError);
    const net = new FastMlp({ sizes: [3, 5, 2] });
    expect(() => net.forward(new Float64Array(5), 2)).toThrow(/expected 2 × 3/);
    expect(() => net.forward(new Float64Array(6), 0)).toThrow(RangeError);
    net.forward(new Float64Array(6), 2);
    expect(() => net.backward(new Float64Array(6), 3)).toThrow(/does not match/);
    expect(() => new FastMlp({ sizes: [3, 5, 2], params: new Float64Array(3) })).toThrow(/length/);
  });

  it('documents its flat layout: Dense [in, out] kernels and biases, round trip', () => {
    const net = new FastMlp({ sizes: [3, 4, 2] });
    expect(net.paramCount).toBe(3 * 4 + 4 + 4 * 2 + 2);
    expect(net.layers).toEqual([
      { inSize: 3, outSize: 4, weightOffset: 0, biasOffset: 12 },
      { inSize: 4, outSize: 2, weightOffset: 16, biasOffset: 24 },
    ]);
    for (let i = 0; i < net.paramCount; i++) net.params[i] = i;
    const dense = net.getDenseWeights();
    expect([...(dense[1]?.kernel ?? [])]).toEqual([16, 17, 18, 19, 20, 21, 22, 23]);
    // One hand-computed row: unit o of layer 0 = bias[o] + Σ_i x[i]·kernel[i·4 + o].
    const x = new Float64Array([1, 0, 0]);
    const single = new FastMlp({ sizes: [3, 4], activation: 'tanh' });
    single.setDenseWeights([{ kernel: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], bias: [0.5, 0.5, 0.5, 0.5] }]);
    expect([...single.forward(x, 1)]).toEqual([1.5, 2.5, 3.5, 4.5]);
    const copy = new FastMlp({ sizes: [3, 4, 2] });
    copy.setDenseWeights(dense);
    expect(sameBits(copy.params, net.params)).toBe(true);
    const copy2 = new FastMlp({ sizes: [3, 4, 2] });
    copy2.copyParamsFrom(net);
    expect(sameBits(copy2.params, net.params)).toBe(true);
  });

  it('can live in shared storage so that one Adam and one clip cover actor and critic', () => {
    const actorSizes = [4, 8, 2];
    const criticSizes = [4, 8, 1];
    const na = FastMlp.paramCount(actorSizes);
    const nc = FastMlp.paramCount(criticSizes);
    const params = new Float64Array(na + nc);
    const grads = new Float64Array(na + nc);
    const actor = new FastMlp({ sizes: actorSizes, params: params.subarray(0, na), grads: grads.subarray(0, na) });
    const critic = new FastMlp({ sizes: criticSizes, params: params.subarray(na), grads: grads.subarray(na) });
    const rng = new Rng('shared');
    initOrthogonal(actor, rng.split('a'));
    initOrthogonal(critic, rng.split('c'));
    expect(params[0]).toBe(actor.params[0]);
    expect(params[na]).toBe(critic.params[0]);
    const x = randomArray(12, rng);
    actor.forward(x, 3);
    actor.backward(randomArray(6, rng), 3);
    critic.forward(x, 3);
    critic.backward(randomArray(3, rng), 3);
    expect(grads[na]).toBe(critic.grads[0]);
    const before = params.slice();
    new Adam(na + nc, { lr: 0.01 }).step(params, grads);
    expect(actor.params[0]).not.toBe(before[0]);
    expect(critic.params[0]).not.toBe(before[na]);
  });
});
