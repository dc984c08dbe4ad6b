/**
 * The WebAssembly SIMD kernels against the JavaScript kernels (the reference): bit for bit on
 * every shape class the blocking distinguishes, special values included; FastMlp and the PPO
 * actor-critic identical under both paths; the arena's memory rules; the fallback.
 */
import { describe, expect, it, vi } from 'vitest';
import { ActorCritic } from '../../src/agents/actor-critic.js';
import { Rng } from '../../src/core/rng.js';
import { Box, Discrete } from '../../src/core/spaces.js';
import { FastArena, fastEngineInfo } from '../../src/nn/fast/arena.js';
import { FastMlp, LAYER_NORM_EPS, LayerNormMlp, initOrthogonal, layerNormBackward, layerNormForward, tanhInPlace, type HiddenActivation, type OutputActivation } from '../../src/nn/fast/index.js';
import { denseForward, denseGradInput, denseGradParams } from '../../src/nn/fast/kernels.js';

const wasmExpected = !['0', 'false', 'off'].includes((process.env['RXRL_WASM'] ?? '').trim().toLowerCase());

/** Bitwise equality (distinguishes −0 and +0, equates NaNs). Returns the first differing index, or −1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  const i = firstDifference(actual, expected);
  const show = (v: number | undefined): string => (Object.is(v, -0) ? '-0' : String(v));
  if (i >= 0) expect.fail(`${what}: element ${i} is ${show(actual[i])}, expected ${show(expected[i])}`);
}

const SPECIAL = [Number.NaN, Infinity, -Infinity, 0, -0, 1e300, -1e300, 5e-324, -2.5e-310, 1e-17, 22, -22, 44, 100];

/** Normal entries, with a few special values mixed in when `special`. */
function fill(a: Float64Array, rng: Rng, scale: number, special = false): Float64Array {
  for (let i = 0; i < a.length; i++) {
    a[i] = special && rng.uniform() < 0.05 ? (SPECIAL[rng.int(SPECIAL.length)] as number) : scale * rng.normal();
  }
  return a;
}

const ACT = { identity: 0, tanh: 1, relu: 2 } as const;

/** The JavaScript activation loops of mlp.ts, as reference. */
function activateJs(code: number, a: Float64Array): void {
  if (code === ACT.tanh) tanhInPlace(a, 0, a.length);
  else if (code === ACT.relu) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i] as number;
      if (!(v > 0)) a[i] = v !== v ? v : 0;
    }
  }
}

function activationBackwardJs(code: number, d: Float64Array, h: ArrayLike<number>): void {
  if (code === ACT.tanh) {
    for (let i = 0; i < d.length; i++) {
      const v = h[i] as number;
      d[i] = (d[i] as number) * (1 - v * v);
    }
  } else if (code === ACT.relu) {
    for (let i = 0; i < d.length; i++) if (!((h[i] as number) > 0)) d[i] = 0;
  }
}

function arenaOrSkip(): FastArena {
  const arena = FastArena.create();
  if (arena === null) throw new Error('no wasm arena (RXRL_WASM=0?)');
  return arena;
}

describe.runIf(wasmExpected)('WebAssembly kernels', () => {
  it('are the active path in this process', () => {
    const info = fastEngineInfo();
    expect(info.kernels, info.reason).toBe('wasm-simd');
    expect(FastArena.available).toBe(true);
    expect(new FastMlp({ sizes: [3, 4, 2] }).kernels).toBe('wasm-simd');
  });

  // Row blocks of 4 with single-row edges; column blocks of 4 / 2 / 1 (8 / 2 / 1 for one row);
  // reduction lengths around the same boundaries.
  const DIMS = [1, 2, 3, 4, 5, 7, 8, 64, 65];

  it('dense forward, parameter and input gradients equal the JavaScript kernels bit for bit on every shape', () => {
    const rng = new Rng('wasm-kernels-shapes');
    const arena = arenaOrSkip();
    const raw = arena.raw;
    const max = 65;
    // Operands at odd element offsets inside larger arrays, as layers inside a flat vector.
    const x = arena.alloc(3 + max * max);
    const w = arena.alloc(5 + max * max + max);
    const dz = arena.alloc(1 + max * max);
    const y = arena.alloc(2 + max * max);
    const g = arena.alloc(7 + max * max + max);
    const dx = arena.alloc(1 + max * max);
    const wt = arena.alloc(max * max);
    let checked = 0;
    for (const m of DIMS) {
      for (const k of DIMS) {
        for (const n of DIMS) {
          const special = rng.uniform() < 0.2;
          fill(x, rng, 1, special);
          fill(w, rng, 0.3, special);
          fill(dz, rng, 1, special);
          const act = [ACT.identity, ACT.tanh, ACT.relu][checked % 3] as number;
          const shape = `${m}×${k}×${n}, act ${act}${special ? ', special values' : ''}`;

          raw.denseForward(arena.ptr(x, 3), arena.ptr(w, 5), arena.ptr(w, 5 + k * n), arena.ptr(y, 2), m, k, n, act);
          const yRef = new Float64Array(m * n);
          denseForward(x, 3, w, 5, 5 + k * n, yRef, 0, m, k, n);
          activateJs(act, yRef);
          expectSameBits(y.subarray(2, 2 + m * n), yRef, `forward ${shape}`);

          raw.denseGradParams(arena.ptr(x, 3), arena.ptr(dz, 1), arena.ptr(g, 7), arena.ptr(g, 7 + k * n), m, k, n);
          const gRef = new Float64Array(k * n + n);
          denseGradParams(x, 3, dz, 1, gRef, 0, k * n, m, k, n);
          expectSameBits(g.subarray(7, 7 + k * n + n), gRef, `parameter gradients ${shape}`);

          // h: the layer input (x) stands in for the previous layer's activation output.
          raw.denseGradInput(arena.ptr(dz, 1), arena.ptr(w, 5), arena.ptr(wt), arena.ptr(dx, 1), arena.ptr(x, 3), m, k, n, act);
          const dxRef = new Float64Array(m * k);
          denseGradInput(dz, 1, w, 5, dxRef, 0, m, k, n);
          activationBackwardJs(act, dxRef, x.subarray(3, 3 + m * k));
          expectSameBits(dx.subarray(1, 1 + m * k), dxRef, `input gradients ${shape}`);
          checked++;
        }
      }
    }
    expect(checked).toBe(DIMS.length ** 3);
  });

  it('tanh, relu and their derivatives equal the JavaScript loops on every value class, odd lengths included', () => {
    const rng = new Rng('wasm-activations');
    const arena = arenaOrSkip();
    const values: number[] = [...SPECIAL, ...SPECIAL.map((v) => -v), 1e-300, 0.34, 0.35, 18, 19, 20, 21, 23, 50, 700, 4063 / 92.33248261689366];
    for (let i = 0; i < 50_000; i++) values.push(rng.uniform() * 50 - 25, Math.exp(-40 * rng.uniform()) * (rng.uniform() < 0.5 ? -1 : 1), 3 * rng.normal());
    for (const len of [values.length, values.length - 1, 1, 2, 3]) {
      const input = Float64Array.from(values.slice(0, len));
      for (const act of [ACT.tanh, ACT.relu]) {
        const a = arena.alloc(len);
        a.set(input);
        arena.raw.activate(act, arena.ptr(a), len);
        const ref = input.slice();
        activateJs(act, ref);
        expectSameBits(a, ref, `activation ${act}, length ${len}`);

        const d = arena.alloc(len);
        fill(d, rng, 1, true);
        const dRef = d.slice();
        arena.raw.activationBackward(act, arena.ptr(d), arena.ptr(a), len);
        activationBackwardJs(act, dRef, a);
        expectSameBits(d, dRef, `activation backward ${act}, length ${len}`);
      }
    }
  });

  it('FastMlp computes the same bits with either kernels: forward, backward, input gradients, inference', () => {
    const rng = new Rng('wasm-fastmlp');
    const cases: { sizes: number[]; activation: HiddenActivation; outputActivation: OutputActivation }[] = [
      { sizes: [4, 64, 64, 2], activation: 'tanh', outputActivation: 'identity' },
      { sizes: [4, 64, 64, 1], activation: 'tanh', outputActivation: 'identity' },
      { sizes: [3, 65, 5], activation: 'relu', outputActivation: 'tanh' },
      { sizes: [1, 1, 1], activation: 'tanh', outputActivation: 'relu' },
      { sizes: [7, 3, 2, 65, 64], activation: 'relu', outputActivation: 'identity' },
      { sizes: [17, 8], activation: 'tanh', outputActivation: 'tanh' },
    ];
    for (const { sizes, activation, outputActivation } of cases) {
      const wasm = new FastMlp({ sizes, activation, outputActivation });
      const js = new FastMlp({ sizes, activation, outputActivation, kernels: 'js' });
      expect(wasm.kernels).toBe('wasm-simd');
      expect(js.kernels).toBe('js');
      expect(js.arena).toBeNull();
      initOrthogonal(wasm, rng);
      for (let i = 0; i < wasm.paramCount; i++) wasm.params[i] = (wasm.params[i] as number) + 0.1 * rng.normal();
      js.params.set(wasm.params);
      const inSize = sizes[0] as number;
      const outSize = sizes[sizes.length - 1] as number;
      for (const batch of [1, 2, 3, 4, 5, 8, 63, 64, 65, 256, 3]) {
        const x = fill(new Float64Array(batch * inSize), rng, 2);
        const gOut = fill(new Float64Array(batch * outSize), rng, 1);
        const what = `${sizes.join('-')} ${activation}/${outputActivation} batch ${batch}`;
        expectSameBits(wasm.forward(x, batch), js.forward(x, batch), `${what}: forward`);
        const gxWasm = wasm.backward(gOut, batch, true) as Float64Array;
        const gxJs = js.backward(gOut, batch, true) as Float64Array;
        expectSameBits(wasm.grads, js.grads, `${what}: parameter gradients`);
        expectSameBits(gxWasm, gxJs, `${what}: input gradients`);
        expect(wasm.backward(gOut, batch)).toBeNull();
        expectSameBits(wasm.grads, js.grads, `${what}: parameter gradients without input gradients`);
        expectSameBits(wasm.forwardInference(x, batch), js.forwardInference(x, batch), `${what}: forwardInference`);
        const out = new Float64Array(batch * outSize + 3);
        const outJs = new Float64Array(batch * outSize + 3);
        expect(wasm.forwardInference(x, batch, out)).toBe(out);
        js.forwardInference(x, batch, outJs);
        expectSameBits(out, outJs, `${what}: forwardInference into a caller's array`);
        // Float32 inputs, as observations arrive.
        const x32 = Float32Array.from(x);
        expectSameBits(wasm.forward(x32, batch), js.forward(x32, batch), `${what}: forward from float32`);
      }
    }
  });

  it('LayerNorm with its activation equals the JavaScript loops on every value class, odd rows and widths included', () => {
    const rng = new Rng('wasm-layernorm');
    const arena = FastArena.create() as FastArena;
    for (const act of ['relu', 'tanh'] as const) {
      for (const [m, h] of [[1, 1], [2, 3], [3, 2], [5, 7], [4, 64], [7, 65], [256, 64]] as const) {
        const special = m * h > 4;
        const x = fill(arena.alloc(m * h), rng, 3, special);
        const gain = fill(arena.alloc(h), rng, 1);
        const bias = fill(arena.alloc(h), rng, 1);
        // Column 0 gives −0 (gain +0 times a negative x̂, plus bias −0): the activation must keep it.
        gain[0] = 0;
        bias[0] = -0;
        const gOut = fill(arena.alloc(m * h), rng, 1, special);
        const out = arena.alloc(m * h);
        const xhat = arena.alloc(m * h);
        const invStd = arena.alloc(m);
        const gradIn = arena.alloc(m * h);
        const gradGain = fill(arena.alloc(h), rng, 1);
        const gradBias = fill(arena.alloc(h), rng, 1);
        const code = ACT[act];
        arena.raw.layerNormForward(arena.ptr(x), arena.ptr(gain), arena.ptr(bias), arena.ptr(out), arena.ptr(xhat), arena.ptr(invStd), m, h, LAYER_NORM_EPS, code);
        arena.raw.layerNormBackward(arena.ptr(gOut), arena.ptr(out), arena.ptr(gain), arena.ptr(xhat), arena.ptr(invStd), arena.ptr(gradIn), arena.ptr(gradGain), arena.ptr(gradBias), m, h, code);
        // The reference: layer-norm.ts and the activation loops of layer-norm-mlp.ts.
        const ref = { out: new Float64Array(m * h), xhat: new Float64Array(m * h), invStd: new Float64Array(m), d: new Float64Array(m * h), gain: new Float64Array(h), bias: new Float64Array(h) };
        layerNormForward(x, m, h, gain, bias, ref.out, ref.xhat, ref.invStd);
        if (act === 'tanh') tanhInPlace(ref.out, 0, m * h);
        else for (let i = 0; i < m * h; i++) if ((ref.out[i] as number) < 0) ref.out[i] = 0;
        for (let i = 0; i < m * h; i++) {
          const y = ref.out[i] as number;
          const g = gOut[i] as number;
          ref.d[i] = act === 'relu' ? (y > 0 ? g : 0) : g * (1 - y * y);
        }
        layerNormBackward(ref.d, m, h, gain, ref.xhat, ref.invStd, ref.d, ref.gain, ref.bias);
        const what = `${act} ${m}×${h}`;
        expectSameBits(out, ref.out, `${what}: output`);
        expectSameBits(xhat, ref.xhat, `${what}: normalised rows`);
        expectSameBits(invStd, ref.invStd, `${what}: inverse deviations`);
        expectSameBits(gradIn, ref.d, `${what}: input gradients`);
        expectSameBits(gradGain, ref.gain, `${what}: gain gradients`);
        expectSameBits(gradBias, ref.bias, `${what}: bias gradients`);
      }
    }
  });

  it('LayerNormMlp computes the same bits in an arena (wasm) as on plain arrays (JavaScript)', () => {
    const rng = new Rng('wasm-layernorm-mlp');
    for (const { sizes, activation } of [
      { sizes: [17, 64, 64, 1], activation: 'relu' as const },
      { sizes: [5, 7, 9, 3], activation: 'tanh' as const },
      { sizes: [3, 65, 2], activation: 'relu' as const },
    ]) {
      const arena = FastArena.create() as FastArena;
      const count = LayerNormMlp.paramCount(sizes);
      const wasm = new LayerNormMlp({ sizes, activation, params: arena.alloc(count), grads: arena.alloc(count) });
      wasm.initFanInUniform(rng.split('init'));
      for (let i = 0; i < count; i++) wasm.params[i] = (wasm.params[i] as number) + 0.2 * rng.normal();
      const js = new LayerNormMlp({ sizes, activation, params: Float64Array.from(wasm.params), grads: new Float64Array(count) });
      expect(wasm.kernels).toBe('wasm-simd');
      expect(js.kernels).toBe('js');
      const inSize = sizes[0] as number;
      const outSize = sizes[sizes.length - 1] as number;
      for (const batch of [1, 2, 3, 9, 64, 256, 5]) {
        const x = fill(new Float64Array(batch * inSize), rng, 2);
        const gOut = fill(new Float64Array(batch * outSize), rng, 1);
        const what = `${sizes.join('-')} ${activation} batch ${batch}`;
        expectSameBits(wasm.forward(x, batch), js.forward(x, batch), `${what}: forward`);
        wasm.backward(gOut, batch);
        js.backward(gOut, batch);
        expectSameBits(wasm.grads, js.grads, `${what}: parameter gradients`);
        expectSameBits(wasm.forwardInference(x, batch), js.forwardInference(x, batch), `${what}: forwardInference`);
      }
    }
  });

  it('keeps every view valid when its arena grows, and never hands out the same bytes twice', () => {
    const arena = FastArena.create(65536) as FastArena; // one page: the allocations below grow it
    expect(arena.byteLength).toBe(65536);
    const a = arena.alloc(1000);
    const b = arena.alloc(10);
    a.fill(1.5);
    b.fill(-2);
    expect(a.byteOffset % 64).toBe(0);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + a.byteLength);
    const before = arena.byteLength;
    const big = arena.alloc(1_000_000); // 8 MB: grows the memory
    expect(arena.byteLength).toBeGreaterThan(before);
    expect(a.length).toBe(1000); // not detached
    expect(a.every((v) => v === 1.5) && b.every((v) => v === -2)).toBe(true);
    expect(big.every((v) => v === 0)).toBe(true);
    a[3] = 42; // writes through an old view reach the memory the kernels see
    const alias = new Float64Array(arena.memory.buffer, a.byteOffset, a.length);
    expect(alias[3]).toBe(42);
    // Own buffer object per allocation, as for ordinary typed arrays; the arena is found from any of them.
    expect(a.buffer).not.toBe(b.buffer);
    expect(a.subarray(2).buffer).toBe(a.buffer);
    expect(FastArena.of(a)).toBe(arena);
    expect(FastArena.of(a.subarray(5, 9))).toBe(arena);
    expect(FastArena.of(big)).toBe(arena);
    expect(FastArena.of(new Float64Array(4))).toBeUndefined();
    expect(() => arena.ptr(new Float64Array(4))).toThrow(RangeError);
    expect(() => arena.alloc(2 ** 29 + 1)).toThrow(/4 GiB/);
    expect(() => arena.alloc(-1)).toThrow(RangeError);
  });

  it('FastMlp buffers outlive growth: outputs stay valid and correct after a larger batch grows the arena', () => {
    const rng = new Rng('wasm-growth');
    const net = new FastMlp({ sizes: [5, 32, 3] });
    const ref = new FastMlp({ sizes: [5, 32, 3], kernels: 'js' });
    initOrthogonal(net, rng);
    ref.params.set(net.params);
    const params = net.params;
    const x = fill(new Float64Array(5 * 5000), rng, 1);
    const y4 = net.forward(x, 4);
    const y4copy = y4.slice();
    const arenaBytes = net.arena?.byteLength ?? 0;
    const y5000 = net.forward(x, 5000); // beyond the pre-sized arena
    expect(net.arena?.byteLength).toBeGreaterThan(arenaBytes);
    expectSameBits(y5000, ref.forward(x, 5000), 'forward after growth');
    expectSameBits(y4, y4copy, 'an outgrown output view keeps its values'); // as with the JS kernels
    expect(net.params).toBe(params);
    expect(params.length).toBe(net.paramCount);
    net.backward(fill(new Float64Array(3 * 5000), rng, 1), 5000);
    expect(net.grads.some((v) => v !== 0)).toBe(true);
  });

  it('places networks: own arena by default, the arena of given params, JS kernels for plain or float32 arrays', () => {
    const arena = arenaOrSkip();
    const count = FastMlp.paramCount([3, 4, 2]);
    const shared = arena.alloc(2 * count);
    const grads = arena.alloc(2 * count);
    const a = new FastMlp({ sizes: [3, 4, 2], params: shared.subarray(0, count), grads: grads.subarray(0, count) });
    const b = new FastMlp({ sizes: [3, 4, 2], params: shared.subarray(count), arena });
    expect(a.arena).toBe(arena);
    expect(b.arena).toBe(arena);
    expect(a.kernels).toBe('wasm-simd');
    expect(FastArena.of(b.grads)).toBe(arena);
    const own = new FastMlp({ sizes: [3, 4, 2] });
    expect(own.arena).not.toBeNull();
    expect(own.arena).not.toBe(arena);
    expect(new FastMlp({ sizes: [3, 4, 2], params: new Float64Array(count) }).kernels).toBe('js');
    expect(new FastMlp({ sizes: [3, 4, 2], params: shared.subarray(0, count), grads: new Float64Array(count) }).kernels).toBe('js');
    expect(new FastMlp({ sizes: [3, 4, 2], arrayType: Float32Array }).kernels).toBe('js');
    expect(() => new FastMlp({ sizes: [3, 4, 2], arrayType: Float32Array, arena })).toThrow(TypeError);
    expect(() => new FastMlp({ sizes: [3, 4, 2], params: new Float64Array(count), arena })).toThrow(/not in the given arena/);
  });

  it('ActorCritic keeps its flat parameter vector in an arena and trains bit-identically to the JavaScript kernels', async () => {
    const wasmNet = buildActorCritic(ActorCritic, Rng, Box, Discrete, 'discrete');
    const arena = FastArena.of(wasmNet.params);
    expect(arena).toBeDefined();
    // Its networks keep their buffers in that arena too (they are allocated on the first forward).
    const used = arena?.usedBytes ?? 0;
    wasmNet.forwardTrain(new Float32Array(4 * 32), 32);
    expect(arena?.usedBytes).toBeGreaterThan(used);
    // A second copy of the modules, loaded with RXRL_WASM=0: the JavaScript kernels throughout.
    vi.stubEnv('RXRL_WASM', '0');
    vi.resetModules();
    try {
      const js = {
        ac: await import('../../src/agents/actor-critic.js'),
        rng: await import('../../src/core/rng.js'),
        spaces: await import('../../src/core/spaces.js'),
        arena: await import('../../src/nn/fast/arena.js'),
      };
      expect(js.arena.fastEngineInfo().kernels).toBe('js');
      for (const kind of ['discrete', 'gsde'] as const) {
        const a = buildActorCritic(ActorCritic, Rng, Box, Discrete, kind);
        const b = buildActorCritic(js.ac.ActorCritic, js.rng.Rng, js.spaces.Box, js.spaces.Discrete, kind);
        expect(FastArena.of(a.params)).toBeDefined();
        expect(js.arena.FastArena.of(b.params)).toBeUndefined();
        expectSameBits(a.params, b.params, `${kind}: initial parameters`);
        const rng = new Rng('ppo-steps');
        for (let step = 0; step < 5; step++) {
          const batch = [1, 7, 64, 65, 256][step] as number;
          const obs = Float32Array.from({ length: batch * 4 }, () => rng.normal());
          const outA = a.forwardTrain(obs, batch);
          const outB = b.forwardTrain(obs, batch);
          expectSameBits(outA.policy, outB.policy, `${kind} step ${step}: policy`);
          expectSameBits(outA.values, outB.values, `${kind} step ${step}: values`);
          const gp = Float64Array.from({ length: outA.policy.length }, () => rng.normal());
          const gl = Float64Array.from({ length: outA.logStd.length }, () => rng.normal());
          const gv = Float64Array.from({ length: batch }, () => rng.normal());
          a.backwardTrain(batch, gp, gl, gv);
          b.backwardTrain(batch, gp, gl, gv);
          expectSameBits(a.grads, b.grads, `${kind} step ${step}: gradients`);
          expect(a.applyGradients(0.5, 3e-4)).toBe(b.applyGradients(0.5, 3e-4));
          expectSameBits(a.params, b.params, `${kind} step ${step}: parameters after Adam`);
          const actA = a.act(obs.subarray(0, 8 * 4), Math.min(8, batch), false);
          const actB = b.act(obs.subarray(0, 8 * 4), Math.min(8, batch), false);
          expectSameBits(actA.logProbs, actB.logProbs, `${kind} step ${step}: act log-probs`);
          expectSameBits(actA.values, actB.values, `${kind} step ${step}: act values`);
        }
        // Checkpoints: slice() out, set() in.
        const state = a.getState();
        expect(FastArena.of(state.params)).toBeUndefined();
        b.setState(state);
        expectSameBits(b.params, a.params, `${kind}: restored parameters`);
      }
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});

describe('fallback', () => {
  it('RXRL_WASM=0 selects the JavaScript kernels everywhere', async () => {
    vi.stubEnv('RXRL_WASM', '0');
    vi.resetModules();
    try {
      const fast = await import('../../src/nn/fast/index.js');
      const info = fast.fastEngineInfo();
      expect(info.kernels).toBe('js');
      expect(info.reason).toMatch(/RXRL_WASM=0/);
      expect(fast.FastArena.available).toBe(false);
      expect(fast.FastArena.create()).toBeNull();
      const net = new fast.FastMlp({ sizes: [3, 5, 2] });
      expect(net.kernels).toBe('js');
      expect(net.arena).toBeNull();
      expect(net.params.buffer).toBeInstanceOf(ArrayBuffer);
      const { ActorCritic: JsActorCritic } = await import('../../src/agents/actor-critic.js');
      const { Rng: JsRng } = await import('../../src/core/rng.js');
      const spaces = await import('../../src/core/spaces.js');
      const ac = buildActorCritic(JsActorCritic, JsRng, spaces.Box, spaces.Discrete, 'discrete');
      expect(ac.params.buffer).toBeInstanceOf(ArrayBuffer);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});

type ActorCriticClass = typeof ActorCritic;
type RngClass = typeof Rng;

function buildActorCritic(AC: ActorCriticClass, R: RngClass, BoxC: typeof Box, DiscreteC: typeof Discrete, kind: 'discrete' | 'gsde'): ActorCritic {
  const actionSpace = kind === 'discrete' ? new DiscreteC(3) : new BoxC(-1, 1, [2]);
  return new AC(
    { observationSize: 4, actionSpace, hidden: [64, 64], activation: 'tanh', logStdInit: -0.5, adamEps: 1e-5, useSde: kind === 'gsde', sdeSampleFreq: -1, sdeLearnFeatures: true },
    new R(11),
  );
}
