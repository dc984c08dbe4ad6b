import type { Rng } from '../../core/rng.js';
import { FastArena, roundCapacity, type FastKernels } from './arena.js';
import { initFanInUniform } from './init.js';
import { LAYER_NORM_EPS, layerNormBackward, layerNormForward } from './layer-norm.js';
import { activationCode, FastMlp } from './mlp.js';
import { tanhInPlace } from './tanh.js';

/** Options of {@link LayerNormMlp}. */
export interface LayerNormMlpOptions {
  /** Widths from input to output, e.g. `[11, 256, 256, 1]`. */
  readonly sizes: readonly number[];
  /** Hidden layers as Linear → LayerNorm → activation (default true); false gives a plain MLP. */
  readonly layerNorm?: boolean;
  /** Hidden activation (default `relu`). */
  readonly activation?: 'relu' | 'tanh';
  /**
   * Use this vector (length {@link LayerNormMlp.paramCount}) as the parameters, contents kept;
   * several networks may share one (each then keeps its own activations and gradients). Without
   * it the network allocates zeroed parameters with LayerNorm gains 1.
   */
  readonly params?: Float64Array;
  /** Same for the gradients. */
  readonly grads?: Float64Array;
}

/** Where a hidden layer's LayerNorm parameters sit and the buffers its backward needs. */
interface NormLayer {
  readonly width: number;
  readonly gain: Float64Array;
  readonly bias: Float64Array;
  readonly gradGain: Float64Array;
  readonly gradBias: Float64Array;
  /** Output after the activation (training forward). */
  out: Float64Array;
  xhat: Float64Array;
  invStd: Float64Array;
}

/**
 * Byte addresses of a {@link NormLayer}'s arrays in the arena (wasm path), kept rather than
 * looked up per call: `FastArena.ptr` on every array made a forward + backward ~6% slower.
 */
interface NormPointers {
  readonly gain: number;
  readonly bias: number;
  readonly gradGain: number;
  readonly gradBias: number;
  out: number;
  xhat: number;
  invStd: number;
}

/**
 * A dense network whose hidden layers may be normalised: Linear → LayerNorm → activation per
 * hidden layer, a plain Linear output (the value networks of O-DICE, `util.mlp` with
 * `layer_norm=True`). Without LayerNorm it is one {@link FastMlp}. Layout of the flat parameter
 * vector, layer by layer: the dense kernel `[in, out]` and bias (as {@link FastMlp}), then, for
 * a normalised hidden layer, its gain and bias. When the parameters live in a
 * {@link FastArena}, everything computes with the wasm kernels, LayerNorm and its activation
 * included (their buffers then live in the arena too); otherwise with the JavaScript ones
 * (`layer-norm.ts`). Both give the same bits.
 *
 * Like {@link FastMlp}: {@link forward} keeps what {@link backward} needs, backward
 * overwrites {@link grads} and may be called again after the same forward with another output
 * gradient, {@link forwardInference} leaves both alone.
 */
export class LayerNormMlp {
  readonly sizes: readonly number[];
  readonly layerNorm: boolean;
  readonly activation: 'relu' | 'tanh';
  readonly paramCount: number;
  readonly params: Float64Array;
  readonly grads: Float64Array;
  readonly inputSize: number;
  readonly outputSize: number;
  /** The kernels this network computes with (`'wasm-simd'` when its vectors lie in one arena). */
  readonly kernels: FastKernels;
  /** The dense layers (one {@link FastMlp} for the whole network without LayerNorm). */
  private readonly dense: FastMlp[];
  private readonly norms: NormLayer[];
  /** The arena of the wasm path (null: JavaScript LayerNorm on ordinary arrays). */
  private readonly arena: FastArena | null = null;
  private readonly normPointers: NormPointers[] = [];
  /** The hidden activation's code for the wasm kernels. */
  private readonly actCode: number;
  private pScratch = 0;
  private pInferXhat = 0;
  private pInferInvStd = 0;
  private pInferOut: number[] = [];
  private capacity = 0;
  private inferCapacity = 0;
  private inferOut: Float64Array[] = [];
  private inferXhat: Float64Array = new Float64Array(0);
  private inferInvStd: Float64Array = new Float64Array(0);
  private scratch: Float64Array = new Float64Array(0);
  private lastBatch = 0;

  /** Number of parameters of a network with these widths. */
  static paramCount(sizes: readonly number[], layerNorm = true): number {
    const hidden = sizes.slice(1, -1).reduce((a, b) => a + b, 0);
    return FastMlp.paramCount(sizes) + (layerNorm ? 2 * hidden : 0);
  }

  constructor(options: LayerNormMlpOptions) {
    this.sizes = [...options.sizes];
    this.layerNorm = options.layerNorm ?? true;
    this.activation = options.activation ?? 'relu';
    this.paramCount = LayerNormMlp.paramCount(this.sizes, this.layerNorm);
    this.inputSize = this.sizes[0] as number;
    this.outputSize = this.sizes[this.sizes.length - 1] as number;
    this.actCode = activationCode(this.activation);
    // A vector not given comes from the arena of the one that is (the dense layers need both in one memory).
    const given = options.params ?? options.grads;
    const arena = given !== undefined ? (FastArena.of(given) ?? null) : FastArena.create();
    const vector = (given: Float64Array | undefined, name: string): Float64Array => {
      if (given === undefined) return arena?.alloc(this.paramCount) ?? new Float64Array(this.paramCount);
      if (given.length !== this.paramCount) throw new RangeError(`LayerNormMlp: ${name} has ${given.length} entries, expected ${this.paramCount}`);
      return given;
    };
    this.params = vector(options.params, 'params');
    this.grads = vector(options.grads, 'grads');
    if (!this.layerNorm) {
      this.dense = [new FastMlp({ sizes: this.sizes, activation: this.activation, params: this.params, grads: this.grads })];
      this.norms = [];
      this.kernels = (this.dense[0] as FastMlp).kernels;
      return;
    }
    this.dense = [];
    this.norms = [];
    let at = 0;
    const take = (v: Float64Array, n: number) => v.subarray(at, at + n);
    for (let l = 0; l + 1 < this.sizes.length; l++) {
      const layerSizes = [this.sizes[l] as number, this.sizes[l + 1] as number];
      const n = FastMlp.paramCount(layerSizes);
      this.dense.push(new FastMlp({ sizes: layerSizes, outputActivation: 'identity', params: take(this.params, n), grads: take(this.grads, n) }));
      at += n;
      if (l + 2 < this.sizes.length) {
        const width = layerSizes[1] as number;
        const gain = take(this.params, width);
        const gradGain = take(this.grads, width);
        at += width;
        const bias = take(this.params, width);
        const gradBias = take(this.grads, width);
        at += width;
        if (options.params === undefined) gain.fill(1);
        this.norms.push({ width, gain, bias, gradGain, gradBias, out: new Float64Array(0), xhat: new Float64Array(0), invStd: new Float64Array(0) });
      }
    }
    // The dense layers chose their kernels from the same vectors: the wasm path when both lie in one arena.
    this.kernels = (this.dense[0] as FastMlp).kernels;
    if ((this.dense[0] as FastMlp).arena !== null) {
      const a = (this.dense[0] as FastMlp).arena as FastArena;
      this.arena = a;
      for (const n of this.norms) {
        this.normPointers.push({ gain: a.ptr(n.gain), bias: a.ptr(n.bias), gradGain: a.ptr(n.gradGain), gradBias: a.ptr(n.gradBias), out: 0, xhat: 0, invStd: 0 });
      }
    }
  }

  /** PyTorch's default init of every Linear (see {@link initFanInUniform}); LayerNorm gains 1, biases 0. */
  initFanInUniform(rng: Rng): void {
    for (const d of this.dense) initFanInUniform(d, rng);
    for (const n of this.norms) {
      n.gain.fill(1);
      n.bias.fill(0);
    }
  }

  /** Forward pass of `batch` rows; returns a view of the `batch × outputSize` outputs valid until the next forward. */
  forward(input: ArrayLike<number>, batch: number): Float64Array {
    this.lastBatch = batch;
    if (!this.layerNorm) return (this.dense[0] as FastMlp).forward(input, batch);
    this.ensureCapacity(batch);
    let x: ArrayLike<number> = input;
    for (let l = 0; l < this.norms.length; l++) {
      const norm = this.norms[l] as NormLayer;
      const z = (this.dense[l] as FastMlp).forward(x, batch);
      if (this.arena !== null) {
        const p = this.normPointers[l] as NormPointers;
        this.arena.raw.layerNormForward(this.arena.ptr(z), p.gain, p.bias, p.out, p.xhat, p.invStd, batch, norm.width, LAYER_NORM_EPS, this.actCode);
      } else {
        layerNormForward(z, batch, norm.width, norm.gain, norm.bias, norm.out, norm.xhat, norm.invStd);
        this.activate(norm.out, batch * norm.width);
      }
      x = norm.out;
    }
    return (this.dense[this.norms.length] as FastMlp).forward(x, batch);
  }

  /**
   * Backward pass of the last forward (same batch): **overwrites** {@link grads} with ∂L/∂params
   * for the output gradient `gradOutput`; with `inputGrad`, returns ∂L/∂input (a view valid until
   * the next backward), else null.
   */
  backward(gradOutput: ArrayLike<number>, batch: number, inputGrad = false): Float64Array | null {
    if (batch !== this.lastBatch) throw new RangeError(`LayerNormMlp: backward batch ${batch} does not match the last forward batch ${this.lastBatch}`);
    if (!this.layerNorm) return (this.dense[0] as FastMlp).backward(gradOutput, batch, inputGrad);
    let g = (this.dense[this.norms.length] as FastMlp).backward(gradOutput, batch, true) as Float64Array;
    const d = this.scratch;
    for (let l = this.norms.length - 1; l >= 0; l--) {
      const norm = this.norms[l] as NormLayer;
      if (this.arena !== null) {
        const p = this.normPointers[l] as NormPointers;
        this.arena.raw.layerNormBackward(this.arena.ptr(g), p.out, p.gain, p.xhat, p.invStd, this.pScratch, p.gradGain, p.gradBias, batch, norm.width, this.actCode);
      } else {
        const n = batch * norm.width;
        const y = norm.out;
        if (this.activation === 'relu') {
          for (let k = 0; k < n; k++) d[k] = (y[k] as number) > 0 ? (g[k] as number) : 0;
        } else {
          for (let k = 0; k < n; k++) d[k] = (g[k] as number) * (1 - (y[k] as number) * (y[k] as number));
        }
        layerNormBackward(d, batch, norm.width, norm.gain, norm.xhat, norm.invStd, d, norm.gradGain, norm.gradBias);
      }
      const below = (this.dense[l] as FastMlp).backward(d, batch, l > 0 || inputGrad);
      if (below !== null) g = below;
    }
    return inputGrad ? g : null;
  }

  /** Forward pass without keeping anything for backward (own scratch), bit-identical to {@link forward}. */
  forwardInference(input: ArrayLike<number>, batch: number): Float64Array {
    if (!this.layerNorm) return (this.dense[0] as FastMlp).forwardInference(input, batch);
    this.ensureInferCapacity(batch);
    let x: ArrayLike<number> = input;
    for (let l = 0; l < this.norms.length; l++) {
      const norm = this.norms[l] as NormLayer;
      const out = this.inferOut[l] as Float64Array;
      const z = (this.dense[l] as FastMlp).forwardInference(x, batch);
      if (this.arena !== null) {
        const p = this.normPointers[l] as NormPointers;
        this.arena.raw.layerNormForward(this.arena.ptr(z), p.gain, p.bias, this.pInferOut[l] as number, this.pInferXhat, this.pInferInvStd, batch, norm.width, LAYER_NORM_EPS, this.actCode);
      } else {
        layerNormForward(z, batch, norm.width, norm.gain, norm.bias, out, this.inferXhat, this.inferInvStd);
        this.activate(out, batch * norm.width);
      }
      x = out;
    }
    return (this.dense[this.norms.length] as FastMlp).forwardInference(x, batch);
  }

  private activate(x: Float64Array, n: number): void {
    if (this.activation === 'tanh') {
      tanhInPlace(x, 0, n);
      return;
    }
    for (let k = 0; k < n; k++) if ((x[k] as number) < 0) x[k] = 0;
  }

  /** A buffer for the LayerNorm kernels: in the arena on the wasm path. */
  private alloc(n: number): Float64Array {
    return this.arena?.alloc(n) ?? new Float64Array(n);
  }

  private ptr(a: Float64Array): number {
    return this.arena?.ptr(a) ?? 0;
  }

  private ensureCapacity(batch: number): void {
    if (batch <= this.capacity) return;
    const cap = this.arena === null ? batch : roundCapacity(batch);
    const widest = Math.max(...this.norms.map((n) => n.width));
    this.norms.forEach((n, l) => {
      n.out = this.alloc(cap * n.width);
      n.xhat = this.alloc(cap * n.width);
      n.invStd = this.alloc(cap);
      const p = this.normPointers[l];
      if (p !== undefined) {
        p.out = this.ptr(n.out);
        p.xhat = this.ptr(n.xhat);
        p.invStd = this.ptr(n.invStd);
      }
    });
    this.scratch = this.alloc(cap * widest);
    this.pScratch = this.ptr(this.scratch);
    this.capacity = cap;
  }

  private ensureInferCapacity(batch: number): void {
    if (batch <= this.inferCapacity) return;
    const cap = this.arena === null ? batch : roundCapacity(batch);
    const widest = Math.max(...this.norms.map((n) => n.width));
    this.inferOut = this.norms.map((n) => this.alloc(cap * n.width));
    this.inferXhat = this.alloc(cap * widest);
    this.inferInvStd = this.alloc(cap);
    this.pInferOut = this.inferOut.map((a) => this.ptr(a));
    this.pInferXhat = this.ptr(this.inferXhat);
    this.pInferInvStd = this.ptr(this.inferInvStd);
    this.inferCapacity = cap;
  }
}
