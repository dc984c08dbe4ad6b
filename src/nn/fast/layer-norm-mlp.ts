import type { Rng } from '../../core/rng.js';
import { FastArena } from './arena.js';
import { initFanInUniform } from './init.js';
import { layerNormBackward, layerNormForward } from './layer-norm.js';
import { FastMlp } from './mlp.js';
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
 * A dense network whose hidden layers may be normalised: Linear → LayerNorm → activation per
 * hidden layer, a plain Linear output (the value networks of O-DICE, `util.mlp` with
 * `layer_norm=True`). Without LayerNorm it is one {@link FastMlp}. Layout of the flat parameter
 * vector, layer by layer: the dense kernel `[in, out]` and bias (as {@link FastMlp}), then, for
 * a normalised hidden layer, its gain and bias. The dense layers compute on the fast engine's
 * kernels (wasm when the parameters live in a {@link FastArena}); LayerNorm and the activation
 * run in JavaScript, O(batch · width) beside the O(batch · width²) matrix products.
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
  /** The dense layers (one {@link FastMlp} for the whole network without LayerNorm). */
  private readonly dense: FastMlp[];
  private readonly norms: NormLayer[];
  private capacity = 0;
  private inferCapacity = 0;
  private inferOut: Float64Array[] = [];
  private inferXhat = new Float64Array(0);
  private inferInvStd = new Float64Array(0);
  private scratch = new Float64Array(0);
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
      layerNormForward(z, batch, norm.width, norm.gain, norm.bias, norm.out, norm.xhat, norm.invStd);
      this.activate(norm.out, batch * norm.width);
      x = norm.out;
    }
    return (this.dense[this.norms.length] as FastMlp).forward(x, batch);
  }

  /** Backward pass of the last forward (same batch): **overwrites** {@link grads} with ∂L/∂params for the output gradient `gradOutput`. */
  backward(gradOutput: ArrayLike<number>, batch: number): void {
    if (batch !== this.lastBatch) throw new RangeError(`LayerNormMlp: backward batch ${batch} does not match the last forward batch ${this.lastBatch}`);
    if (!this.layerNorm) {
      (this.dense[0] as FastMlp).backward(gradOutput, batch);
      return;
    }
    let g = (this.dense[this.norms.length] as FastMlp).backward(gradOutput, batch, true) as Float64Array;
    for (let l = this.norms.length - 1; l >= 0; l--) {
      const norm = this.norms[l] as NormLayer;
      const n = batch * norm.width;
      const d = this.scratch;
      const y = norm.out;
      if (this.activation === 'relu') {
        for (let k = 0; k < n; k++) d[k] = (y[k] as number) > 0 ? (g[k] as number) : 0;
      } else {
        for (let k = 0; k < n; k++) d[k] = (g[k] as number) * (1 - (y[k] as number) * (y[k] as number));
      }
      layerNormBackward(d, batch, norm.width, norm.gain, norm.xhat, norm.invStd, d, norm.gradGain, norm.gradBias);
      const below = (this.dense[l] as FastMlp).backward(d, batch, l > 0);
      if (below !== null) g = below;
    }
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
      layerNormForward(z, batch, norm.width, norm.gain, norm.bias, out, this.inferXhat, this.inferInvStd);
      this.activate(out, batch * norm.width);
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

  private ensureCapacity(batch: number): void {
    if (batch <= this.capacity) return;
    const widest = Math.max(...this.norms.map((n) => n.width));
    for (const n of this.norms) {
      n.out = new Float64Array(batch * n.width);
      n.xhat = new Float64Array(batch * n.width);
      n.invStd = new Float64Array(batch);
    }
    this.scratch = new Float64Array(batch * widest);
    this.capacity = batch;
  }

  private ensureInferCapacity(batch: number): void {
    if (batch <= this.inferCapacity) return;
    const widest = Math.max(...this.norms.map((n) => n.width));
    this.inferOut = this.norms.map((n) => new Float64Array(batch * n.width));
    this.inferXhat = new Float64Array(batch * widest);
    this.inferInvStd = new Float64Array(batch);
    this.inferCapacity = batch;
  }
}
