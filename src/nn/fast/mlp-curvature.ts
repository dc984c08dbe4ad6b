import { FastArena, type WasmKernelExports } from './arena.js';
import { denseForward, denseGradInput, denseGradParams } from './kernels.js';
import { tanhInPlace } from './tanh.js';

/**
 * Second-order products of a dense network, for the algorithms that need curvature: TRPO's
 * Fisher-vector products (J·v forward, Jᵀ·u backward) and HARPG's Hessian-vector products
 * (Pearlmutter's R-operator on the backward pass). It computes on a flat parameter vector in
 * the layout every engine shares (each layer's `[in × out]` row-major kernel, then its bias),
 * so it serves any engine. It computes with the fast engine's kernels — WebAssembly SIMD when
 * available (its buffers then live in a {@link FastArena} of its own, parameters and directions
 * copied in), else JavaScript; both give the same bits.
 *
 * For one layer with input x, pre-activation z = x·W + b and output y = f(z), and a direction
 * v = (dW, db) in parameter space:
 *
 *   forward tangent   dz = dx·W + x·dW + db,         dy = f′(z) ⊙ dz
 *   backward          g_z = f′(z) ⊙ g_y,             ∇W = xᵀ·g_z,  ∇b = Σ g_z,  g_x = g_z·Wᵀ
 *   R-op (d/dv of it) R{g_z} = f′(z) ⊙ R{g_y} + f″(z) ⊙ dz ⊙ g_y
 *                     R{∇W} = dxᵀ·g_z + xᵀ·R{g_z},   R{∇b} = Σ R{g_z},
 *                     R{g_x} = R{g_z}·Wᵀ + g_z·dWᵀ
 *
 * with f′ and f″ written in terms of y: tanh′ = 1 − y², tanh″ = −2y(1 − y²); relu′ = [y > 0],
 * relu″ = 0; identity′ = 1.
 * @module
 */

/** Activation after a layer. */
export type CurvatureActivation = 'tanh' | 'relu' | 'identity';

/** One dense layer of the stack: kernel `[inSize × outSize]` at `offset` of the flat vector, bias right after. */
export interface CurvatureLayer {
  readonly inSize: number;
  readonly outSize: number;
  readonly offset: number;
  readonly activation: CurvatureActivation;
}

/** Per-layer buffers, sized for the largest batch seen. */
interface LayerBuffers {
  /** Output y = f(z), [B × out]. */
  y: Float64Array;
  /** Forward tangent dy, [B × out]. */
  dy: Float64Array;
  /** Cotangent at z, [B × out]. */
  gz: Float64Array;
  /** R{g_z}, [B × out]. */
  rgz: Float64Array;
  /** Scratch [B × out]. */
  tmp: Float64Array;
  /** The kernel with a zero bias appended, so that dx·W runs on the bias-adding kernel. */
  wNoBias: Float64Array;
}

/**
 * Forward, Jacobian-vector, vector-Jacobian and Hessian-vector products of a stack of dense
 * layers whose parameters sit in one flat vector. Call {@link forward} first; the products are
 * taken at that point and batch. Buffers grow to the largest batch and are then reused.
 */
export class MlpCurvature {
  readonly inputSize: number;
  readonly outputSize: number;
  private capacity = 0;
  private batch = 0;
  private inputF64: Float64Array = new Float64Array(0);
  private readonly buffers: LayerBuffers[];
  /** Cotangent/tangent at a layer's input, the widest layer's [B × in]. */
  private gx: Float64Array = new Float64Array(0);
  private rgx: Float64Array = new Float64Array(0);
  private tmpIn: Float64Array = new Float64Array(0);
  /** Scratch gradient of the widest layer's kernel + bias. */
  private readonly gradScratch: Float64Array;
  private readonly gradScratch2: Float64Array;
  /** The parameters of the last {@link forward} (a copy in the arena on the wasm path). */
  private params: Float64Array = new Float64Array(0);
  /** The direction of the last {@link jvp} (likewise). */
  private direction: Float64Array | null = null;
  private readonly arena: FastArena | null;
  private readonly raw: WasmKernelExports | null;
  /** Arena copies of the parameters and the direction (wasm path). */
  private paramCopy: Float64Array = new Float64Array(0);
  private directionCopy: Float64Array = new Float64Array(0);
  /** Scratch of the wasm input-gradient kernel (k·n doubles). */
  private readonly transposeScratch: Float64Array;

  /** `layers` from input to output; each layer's input width is the previous one's output width. */
  constructor(readonly layers: readonly CurvatureLayer[]) {
    if (layers.length === 0) throw new RangeError('MlpCurvature: needs at least one layer');
    layers.forEach((l, i) => {
      const prev = layers[i - 1];
      if (prev !== undefined && prev.outSize !== l.inSize) throw new RangeError(`MlpCurvature: layer ${i} takes ${l.inSize} inputs but layer ${i - 1} gives ${prev.outSize}`);
    });
    this.inputSize = (layers[0] as CurvatureLayer).inSize;
    this.outputSize = (layers[layers.length - 1] as CurvatureLayer).outSize;
    this.arena = FastArena.create();
    this.raw = this.arena?.raw ?? null;
    this.buffers = layers.map((l) => ({ y: this.alloc(0), dy: this.alloc(0), gz: this.alloc(0), rgz: this.alloc(0), tmp: this.alloc(0), wNoBias: this.alloc(l.inSize * l.outSize + l.outSize) }));
    const widest = Math.max(...layers.map((l) => l.inSize * l.outSize + l.outSize));
    this.gradScratch = this.alloc(widest);
    this.gradScratch2 = this.alloc(widest);
    this.transposeScratch = this.alloc(widest);
  }

  /** Which kernels compute the products: `'wasm-simd'` or `'js'`. */
  get kernels(): 'wasm-simd' | 'js' {
    return this.raw !== null ? 'wasm-simd' : 'js';
  }

  private alloc(length: number): Float64Array {
    return this.arena?.alloc(length) ?? new Float64Array(length);
  }

  /** Byte address of `a[offset]` in the arena (wasm path only). */
  private ptr(a: Float64Array, offset = 0): number {
    return (this.arena as FastArena).ptr(a, offset);
  }

  /** y = x·W + b (no activation) with W at `w[wOff]`, b at `w[bOff]`. */
  private dense(x: Float64Array, w: Float64Array, wOff: number, bOff: number, y: Float64Array, m: number, k: number, n: number): void {
    if (this.raw !== null) this.raw.denseForward(this.ptr(x), this.ptr(w, wOff), this.ptr(w, bOff), this.ptr(y), m, k, n, 0);
    else denseForward(x, 0, w, wOff, bOff, y, 0, m, k, n);
  }

  /** g[0..k·n) = xᵀ·dz and g[k·n..) = Σ_rows dz. */
  private gradParams(x: Float64Array, dz: Float64Array, g: Float64Array, m: number, k: number, n: number): void {
    if (this.raw !== null) this.raw.denseGradParams(this.ptr(x), this.ptr(dz), this.ptr(g), this.ptr(g, k * n), m, k, n);
    else denseGradParams(x, 0, dz, 0, g, 0, k * n, m, k, n);
  }

  /** dx = dz·Wᵀ with W at `w[wOff]`. */
  private gradInput(dz: Float64Array, w: Float64Array, wOff: number, dx: Float64Array, m: number, k: number, n: number): void {
    if (this.raw !== null) this.raw.denseGradInput(this.ptr(dz), this.ptr(w, wOff), this.ptr(this.transposeScratch), this.ptr(dx), this.ptr(dx), m, k, n, 0);
    else denseGradInput(dz, 0, w, wOff, dx, 0, m, k, n);
  }

  /** The arena copy of `src` in `slot` (grown as needed), or `src` itself on the JS path. */
  private inArena(src: Float64Array, which: 'params' | 'direction'): Float64Array {
    if (this.arena === null) return src;
    let copy = which === 'params' ? this.paramCopy : this.directionCopy;
    if (copy.length < src.length) {
      copy = this.arena.alloc(src.length);
      if (which === 'params') this.paramCopy = copy;
      else this.directionCopy = copy;
    }
    copy.set(src);
    return copy;
  }

  private ensure(batch: number): void {
    if (batch <= this.capacity) return;
    this.capacity = batch;
    this.layers.forEach((l, i) => {
      const b = this.buffers[i] as LayerBuffers;
      b.y = this.alloc(batch * l.outSize);
      b.dy = this.alloc(batch * l.outSize);
      b.gz = this.alloc(batch * l.outSize);
      b.rgz = this.alloc(batch * l.outSize);
      b.tmp = this.alloc(batch * l.outSize);
    });
    const widestIn = Math.max(...this.layers.map((l) => l.inSize));
    this.gx = this.alloc(batch * widestIn);
    this.rgx = this.alloc(batch * widestIn);
    this.tmpIn = this.alloc(batch * widestIn);
    this.inputF64 = this.alloc(batch * this.inputSize);
  }

  /** Output of layer `l` ([B × out]) at the last {@link forward}, e.g. a policy body's latent. */
  layerOutput(l: number): Float64Array {
    const layer = this.layers[l] as CurvatureLayer;
    return (this.buffers[l] as LayerBuffers).y.subarray(0, this.batch * layer.outSize);
  }

  /** Runs the network on `batch` rows of `input` with `params`, keeping what the products need; returns the output [B × out]. */
  forward(params: Float64Array, input: ArrayLike<number>, batch: number): Float64Array {
    this.ensure(batch);
    this.batch = batch;
    this.params = this.inArena(params, 'params');
    params = this.params;
    this.direction = null;
    const n0 = batch * this.inputSize;
    for (let i = 0; i < n0; i++) this.inputF64[i] = input[i] as number;
    let x: Float64Array = this.inputF64;
    this.layers.forEach((l, i) => {
      const b = this.buffers[i] as LayerBuffers;
      const kernelSize = l.inSize * l.outSize;
      b.wNoBias.set(params.subarray(l.offset, l.offset + kernelSize));
      b.wNoBias.fill(0, kernelSize);
      this.dense(x, params, l.offset, l.offset + kernelSize, b.y, batch, l.inSize, l.outSize);
      if (l.activation === 'tanh') tanhInPlace(b.y, 0, batch * l.outSize);
      else if (l.activation === 'relu') for (let k = 0; k < batch * l.outSize; k++) if (!((b.y[k] as number) > 0)) b.y[k] = 0;
      x = b.y;
    });
    return this.layerOutput(this.layers.length - 1);
  }

  private layerInput(i: number): Float64Array {
    return i === 0 ? this.inputF64 : (this.buffers[i - 1] as LayerBuffers).y;
  }

  /**
   * J·v: the output's directional derivative along `v` (parameter layout; entries outside the
   * stack's layers are ignored), [B × out]. Keeps the layer tangents for {@link hvp}.
   */
  jvp(direction: Float64Array): Float64Array {
    const B = this.batch;
    const v = this.inArena(direction, 'direction');
    this.layers.forEach((l, i) => {
      const b = this.buffers[i] as LayerBuffers;
      const x = this.layerInput(i);
      const kernelSize = l.inSize * l.outSize;
      // x·dW + db …
      this.dense(x, v, l.offset, l.offset + kernelSize, b.dy, B, l.inSize, l.outSize);
      // … + dx·W (the input's tangent is 0 at the first layer).
      if (i > 0) {
        this.dense((this.buffers[i - 1] as LayerBuffers).dy, b.wNoBias, 0, kernelSize, b.tmp, B, l.inSize, l.outSize);
        for (let k = 0; k < B * l.outSize; k++) b.dy[k] = (b.dy[k] as number) + (b.tmp[k] as number);
      }
      scaleByDerivative(l.activation, b.dy, b.y, B * l.outSize);
    });
    this.direction = v;
    return (this.buffers[this.layers.length - 1] as LayerBuffers).dy.subarray(0, B * this.outputSize);
  }

  /** Adds Jᵀ·`cotangent` ([B × out], the gradient w.r.t. the output) to `grad` (parameter layout). */
  vjp(cotangent: ArrayLike<number>, grad: Float64Array): void {
    this.backward(cotangent, grad, null, null);
  }

  /**
   * Pearlmutter's R-operator: adds to `out` the derivative along the last {@link jvp}'s `v` of
   * the gradient Jᵀ·g, where g = `cotangent` is the gradient w.r.t. the output and
   * `cotangentTangent` its own derivative along v (for a loss ℓ(output): ∇²ℓ · J·v). With
   * g = ∇ℓ this is the Hessian-vector product ∇²_θ ℓ(f(θ)) · v.
   */
  hvp(cotangent: ArrayLike<number>, cotangentTangent: ArrayLike<number>, out: Float64Array): void {
    if (this.direction === null) throw new Error('MlpCurvature.hvp: call jvp(v) after forward() first');
    this.backward(cotangent, null, cotangentTangent, out);
  }

  /** The backward pass, and its R-op when `rTop` is given (then `rOut` receives R{∇θ}, else `grad` receives ∇θ). */
  private backward(top: ArrayLike<number>, grad: Float64Array | null, rTop: ArrayLike<number> | null, rOut: Float64Array | null): void {
    const B = this.batch;
    const params = this.params;
    const v = this.direction;
    const second = rTop !== null && rOut !== null && v !== null;
    const last = this.layers.length - 1;
    for (let i = last; i >= 0; i--) {
      const l = this.layers[i] as CurvatureLayer;
      const b = this.buffers[i] as LayerBuffers;
      const n = B * l.outSize;
      const kernelSize = l.inSize * l.outSize;
      const size = kernelSize + l.outSize;
      // g_y and R{g_y}: from the caller at the top, else the input cotangents of the layer above.
      const gy: ArrayLike<number> = i === last ? top : this.gx;
      const rgy: ArrayLike<number> | null = second ? (i === last ? rTop : this.rgx) : null;
      for (let k = 0; k < n; k++) b.gz[k] = gy[k] as number;
      if (second) {
        for (let k = 0; k < n; k++) b.rgz[k] = (rgy as ArrayLike<number>)[k] as number;
        scaleByDerivative(l.activation, b.rgz, b.y, n);
        addSecondDerivativeTerm(l.activation, b.rgz, b.y, b.dy, b.gz, n);
      }
      scaleByDerivative(l.activation, b.gz, b.y, n);
      const x = this.layerInput(i);
      if (second) {
        const out = rOut as Float64Array;
        // R{∇W} = xᵀ·R{g_z} (+ R{∇b}) …
        this.gradParams(x, b.rgz, this.gradScratch, B, l.inSize, l.outSize);
        for (let k = 0; k < size; k++) out[l.offset + k] = (out[l.offset + k] as number) + (this.gradScratch[k] as number);
        // … + dxᵀ·g_z (dx = 0 at the first layer).
        if (i > 0) {
          this.gradParams((this.buffers[i - 1] as LayerBuffers).dy, b.gz, this.gradScratch2, B, l.inSize, l.outSize);
          for (let k = 0; k < kernelSize; k++) out[l.offset + k] = (out[l.offset + k] as number) + (this.gradScratch2[k] as number);
        }
      } else {
        const g = grad as Float64Array;
        this.gradParams(x, b.gz, this.gradScratch, B, l.inSize, l.outSize);
        for (let k = 0; k < size; k++) g[l.offset + k] = (g[l.offset + k] as number) + (this.gradScratch[k] as number);
      }
      if (i > 0) {
        this.gradInput(b.gz, params, l.offset, this.gx, B, l.inSize, l.outSize);
        if (second) {
          // R{g_x} = R{g_z}·Wᵀ + g_z·dWᵀ.
          this.gradInput(b.rgz, params, l.offset, this.rgx, B, l.inSize, l.outSize);
          this.gradInput(b.gz, v as Float64Array, l.offset, this.tmpIn, B, l.inSize, l.outSize);
          for (let k = 0; k < B * l.inSize; k++) this.rgx[k] = (this.rgx[k] as number) + (this.tmpIn[k] as number);
        }
      }
    }
  }
}

/** d[k] *= f′(z_k), with f′ written in terms of the output y. */
function scaleByDerivative(activation: CurvatureActivation, d: Float64Array, y: Float64Array, n: number): void {
  if (activation === 'tanh') {
    for (let k = 0; k < n; k++) {
      const t = y[k] as number;
      d[k] = (d[k] as number) * (1 - t * t);
    }
  } else if (activation === 'relu') {
    for (let k = 0; k < n; k++) if (!((y[k] as number) > 0)) d[k] = 0;
  }
}

/** r[k] += f″(z_k)·dz_k·g_k, where dy = f′(z)·dz is what the forward tangent holds (tanh only; relu″ = identity″ = 0). */
function addSecondDerivativeTerm(activation: CurvatureActivation, r: Float64Array, y: Float64Array, dy: Float64Array, g: Float64Array, n: number): void {
  if (activation !== 'tanh') return;
  // f″(z)·dz = −2y(1 − y²)·dz = −2y·dy.
  for (let k = 0; k < n; k++) r[k] = (r[k] as number) - 2 * (y[k] as number) * (dy[k] as number) * (g[k] as number);
}
