import { FastArena, roundCapacity, type FastKernels, type WasmKernelExports } from './arena.js';
import { denseForward, denseGradInput, denseGradParams, type FloatArray } from './kernels.js';
import { tanhInPlace } from './tanh.js';

export type { FloatArray } from './kernels.js';

/** Activation of the hidden layers. */
export type HiddenActivation = 'tanh' | 'relu';

/** Activation of the output layer (`identity` for logits, means and values). */
export type OutputActivation = 'identity' | 'tanh' | 'relu';

/** A typed-array constructor the engine can store its numbers in. */
export type FloatArrayConstructor<A extends FloatArray> = new (length: number) => A;

/** Options of {@link FastMlp}. */
export interface FastMlpOptions<A extends FloatArray = Float64Array> {
  /** Layer widths from input to output, e.g. `[4, 64, 64, 2]`; at least two entries. */
  readonly sizes: readonly number[];
  /** Activation after every layer but the last (default `tanh`). */
  readonly activation?: HiddenActivation;
  /** Activation after the last layer (default `identity`). */
  readonly outputActivation?: OutputActivation;
  /**
   * Storage for parameters, gradients and activations: `Float64Array` (default) or
   * `Float32Array`. Arithmetic is always in double; float32 only rounds what is stored.
   */
  readonly arrayType?: FloatArrayConstructor<A>;
  /**
   * Use this array (length {@link FastMlp.paramCount}) as the parameter vector instead of
   * allocating one — e.g. a `subarray` of one vector holding actor and critic, so that one
   * Adam step and one gradient clip cover both. Its contents are kept.
   */
  readonly params?: A;
  /** Same for the gradient vector. */
  readonly grads?: A;
  /**
   * `'auto'` (default): compute with the WebAssembly SIMD kernels when they are in use in
   * this process ({@link fastEngineInfo}) and the storage is `Float64Array`; `'js'`: always
   * the JavaScript kernels. Results are bit-identical either way.
   */
  readonly kernels?: 'auto' | 'js';
  /**
   * The {@link FastArena} to keep this network's buffers in (wasm kernels only), e.g. one
   * shared with other networks. Needed only to place several networks in one memory; without
   * it, a network whose `params`/`grads` are views of an arena uses that arena, and one
   * given neither creates its own. A network given `params` or `grads` outside any arena
   * (plain arrays) uses the JavaScript kernels.
   */
  readonly arena?: FastArena;
}

/** Where one dense layer lives in the flat parameter vector. */
export interface LayerLayout {
  /** Input width. */
  readonly inSize: number;
  /** Output width. */
  readonly outSize: number;
  /** Index of the kernel, `inSize × outSize` row-major: element (i, o) at `weightOffset + i·outSize + o`. */
  readonly weightOffset: number;
  /** Index of the bias, `outSize` entries, right after the kernel. */
  readonly biasOffset: number;
}

/** One dense layer's parameters in TensorFlow.js / Keras `Dense` form: kernel shape `[in, out]`, bias `[out]`. */
export interface DenseWeights<A extends FloatArray = FloatArray> {
  /** `[inSize, outSize]` row-major — exactly `tf.tensor2d(kernel, [inSize, outSize])`. */
  readonly kernel: A;
  readonly bias: A;
  readonly inSize: number;
  readonly outSize: number;
}

const ACT_IDENTITY = 0;
const ACT_TANH = 1;
const ACT_RELU = 2;

/** The kernels' code of an activation (0 identity, 1 tanh, 2 relu, as in assembly/kernels.ts). */
export function activationCode(name: string): number {
  switch (name) {
    case 'identity':
      return ACT_IDENTITY;
    case 'tanh':
      return ACT_TANH;
    case 'relu':
      return ACT_RELU;
    default:
      throw new RangeError(`FastMlp: unknown activation '${name}'`);
  }
}

/**
 * dst[0..n) ← src[0..n): one block copy when `src` is a typed array of exactly n numbers (a
 * whole buffer, as between the layers of a LayerNormMlp), element by element otherwise.
 * Either way each number is converted as an assignment converts it, so the bits agree.
 */
function copyPrefix(dst: FloatArray, src: ArrayLike<number>, n: number): void {
  if (src.length === n && (src instanceof Float64Array || src instanceof Float32Array)) {
    dst.set(src);
    return;
  }
  for (let i = 0; i < n; i++) dst[i] = src[i] as number;
}

function checkBatch(batch: number): void {
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`FastMlp: batch must be a positive integer, got ${batch}`);
}

/** Applies the activation to `a[start..end)` in place. */
function activate(code: number, a: FloatArray, start: number, end: number): void {
  if (code === ACT_TANH) {
    tanhInPlace(a, start, end);
  } else if (code === ACT_RELU) {
    for (let i = start; i < end; i++) {
      const v = a[i] as number;
      if (!(v > 0)) a[i] = v !== v ? v : 0; // keep NaN visible
    }
  }
}

/**
 * Multiplies the gradient `d[dOff..dOff+len)` by the activation's derivative, written in
 * terms of the activation's output `h[hOff..)`: tanh' = 1 − h², relu' = [h > 0].
 */
function activationBackward(code: number, d: FloatArray, dOff: number, h: FloatArray, hOff: number, len: number): void {
  if (code === ACT_TANH) {
    for (let i = 0; i < len; i++) {
      const v = h[hOff + i] as number;
      d[dOff + i] = (d[dOff + i] as number) * (1 - v * v);
    }
  } else if (code === ACT_RELU) {
    for (let i = 0; i < len; i++) if (!((h[hOff + i] as number) > 0)) d[dOff + i] = 0;
  }
}

/**
 * A multilayer perceptron (dense layers, one activation for the hidden layers and one for
 * the output) computed directly on typed arrays: forward pass, exact backward pass, and
 * an allocation-free action-selection path. It is the engine behind rxrl's built-in
 * policy and value networks, where TensorFlow.js's per-op overhead would dominate.
 *
 * **Parameter layout.** All parameters live in one flat vector {@link FastMlp.params} (and
 * their gradients in the parallel {@link FastMlp.grads}), so Adam, gradient clipping,
 * checkpoints and copying are single loops. Layer by layer, from input to output:
 *
 *     [ kernel (inSize × outSize, row-major) | bias (outSize) ]
 *
 * so layer l's output unit o is `bias[o] + Σ_i input[i] · kernel[i·outSize + o]`. The kernel
 * is the TensorFlow.js / Keras `Dense` kernel of shape `[in, out]` element for element
 * (see {@link FastMlp.getDenseWeights}); a PyTorch `nn.Linear.weight` is its transpose.
 *
 * **Batches** are row-major: `batch` rows of `sizes[0]` numbers in, `batch` rows of the
 * output width out. Internal buffers grow to the largest batch seen; after that no call
 * allocates (returned views are cached per batch size, so the same batch size returns the
 * same array object).
 *
 * **Exactness.** Arithmetic is IEEE double throughout; tanh is {@link fastTanh} (≤ 3.4 ulp).
 * Each output is summed in a fixed order, so a row's result does not depend on the batch
 * it is computed in ({@link FastMlp.forwardInference} and {@link FastMlp.forward} agree
 * bit for bit), and equal seeds give bit-identical runs.
 *
 * **Kernels.** With `Float64Array` storage, networks compute with the WebAssembly SIMD
 * kernels when they are available ({@link fastEngineInfo}, `RXRL_WASM=0` disables them),
 * else with the JavaScript kernels; both give the same bits. A wasm network keeps its
 * parameters, gradients and buffers in a {@link FastArena} (a WebAssembly memory): its
 * `params`, `grads` and returned views are ordinary `Float64Array`s backed by the arena's
 * `SharedArrayBuffer`, valid for as long as they are referenced. {@link FastMlp.kernels}
 * says which path a network takes.
 *
 * **Storage.** `Float64Array` by default. `Float32Array` (option `arrayType`) halves memory
 * but is not faster in V8, which computes in double and converts on every load and store
 * (see `npm run bench:mlp`), and always uses the JavaScript kernels. Use one storage type per
 * process where speed matters: the kernels are shared, and seeing both array types makes
 * their property accesses polymorphic.
 */
export class FastMlp<A extends FloatArray = Float64Array> {
  /** Layer widths, input first. */
  readonly sizes: readonly number[];
  /** Hidden-layer activation. */
  readonly activation: HiddenActivation;
  /** Output-layer activation. */
  readonly outputActivation: OutputActivation;
  /** Number of parameters (length of {@link FastMlp.params}). */
  readonly paramCount: number;
  /** Where each layer's kernel and bias sit in {@link FastMlp.params}. */
  readonly layers: readonly LayerLayout[];
  /** All parameters, laid out as described on the class. Read and write freely between calls. */
  readonly params: A;
  /**
   * Gradients, same layout as {@link FastMlp.params}. {@link FastMlp.backward} overwrites
   * them (it does not accumulate): to combine two losses on one network, backpropagate
   * their summed output gradient once.
   */
  readonly grads: A;
  /** Input width. */
  readonly inputSize: number;
  /** Output width. */
  readonly outputSize: number;
  /** The kernels this network computes with: `'wasm-simd'` or `'js'`. */
  readonly kernels: FastKernels;
  /** The arena holding this network's buffers (wasm kernels), else `null`. */
  readonly arena: FastArena | null;

  private readonly arrayType: FloatArrayConstructor<A>;
  /** Wasm path: the arena's kernels and byte addresses of every buffer (null on the JS path). */
  private readonly raw: WasmKernelExports | null;
  private readonly pWeight: number[] = [];
  private readonly pBias: number[] = [];
  private readonly pGradWeight: number[] = [];
  private readonly pGradBias: number[] = [];
  /** Scratch for a transposed kernel (denseGradInput), largest layer. */
  private pTransposed = 0;
  private pActs: number[] = [];
  private pDeltaA = 0;
  private pDeltaB = 0;
  private pInputGrad = 0;
  private pInferA = 0;
  private pInferB = 0;
  private readonly hiddenCode: number;
  private readonly outputCode: number;
  private readonly maxWidth: number;
  private capacity = 0;
  /** acts[0] = copy of the input, acts[l] = output of layer l (after its activation). */
  private acts: A[] = [];
  /** Ping-pong buffers for the gradients w.r.t. pre-activations. */
  private deltaA: A;
  private deltaB: A;
  private inputGrad: A;
  private lastBatch = 0;
  private readonly outputViews = new Map<number, A>();
  private readonly inputGradViews = new Map<number, A>();
  // Separate buffers for forwardInference so that it never clobbers a pending backward.
  private inferCapacity = 0;
  private inferA: A;
  private inferB: A;
  private readonly inferViews = new Map<number, A>();

  /** Number of parameters of an MLP with these layer widths (to size shared storage). */
  static paramCount(sizes: readonly number[]): number {
    let count = 0;
    for (let l = 0; l + 1 < sizes.length; l++) count += ((sizes[l] as number) + 1) * (sizes[l + 1] as number);
    return count;
  }

  constructor(options: FastMlpOptions<A>) {
    const sizes = [...options.sizes];
    if (sizes.length < 2) throw new RangeError('FastMlp: sizes needs an input and an output width');
    for (const s of sizes) {
      if (!Number.isInteger(s) || s < 1) throw new RangeError(`FastMlp: layer widths must be positive integers, got ${s}`);
    }
    this.sizes = sizes;
    this.activation = options.activation ?? 'tanh';
    this.outputActivation = options.outputActivation ?? 'identity';
    this.hiddenCode = activationCode(this.activation);
    this.outputCode = activationCode(this.outputActivation);
    if (this.hiddenCode === ACT_IDENTITY) throw new RangeError("FastMlp: hidden activation must be 'tanh' or 'relu'");
    // The default type argument is Float64Array, so without `arrayType` A is Float64Array.
    this.arrayType = options.arrayType ?? (Float64Array as unknown as FloatArrayConstructor<A>);
    this.inputSize = sizes[0] as number;
    this.outputSize = sizes[sizes.length - 1] as number;
    this.maxWidth = Math.max(...sizes);

    const layers: LayerLayout[] = [];
    let offset = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const inSize = sizes[l] as number;
      const outSize = sizes[l + 1] as number;
      layers.push({ inSize, outSize, weightOffset: offset, biasOffset: offset + inSize * outSize });
      offset += (inSize + 1) * outSize;
    }
    this.layers = layers;
    this.paramCount = offset;
    const params = this.external(options.params, 'params');
    const grads = this.external(options.grads, 'grads');
    this.arena = this.chooseArena(options, params, grads);
    this.kernels = this.arena === null ? 'js' : 'wasm-simd';
    const alloc = (n: number): A => (this.arena === null ? new this.arrayType(n) : (this.arena.alloc(n) as A));
    this.params = params ?? alloc(offset);
    this.grads = grads ?? alloc(offset);
    this.raw = this.arena?.raw ?? null;
    if (this.arena !== null) {
      const arena = this.arena;
      for (const layer of layers) {
        this.pWeight.push(arena.ptr(this.params, layer.weightOffset));
        this.pBias.push(arena.ptr(this.params, layer.biasOffset));
        this.pGradWeight.push(arena.ptr(this.grads, layer.weightOffset));
        this.pGradBias.push(arena.ptr(this.grads, layer.biasOffset));
      }
      this.pTransposed = arena.ptr(arena.alloc(Math.max(...layers.map((l) => l.inSize * l.outSize))));
    }
    this.deltaA = new this.arrayType(0);
    this.deltaB = this.deltaA;
    this.inputGrad = this.deltaA;
    this.inferA = this.deltaA;
    this.inferB = this.deltaA;
  }

  /** The arena for the wasm path, or null for the JavaScript kernels (see {@link FastMlpOptions.arena}). */
  private chooseArena(options: FastMlpOptions<A>, params: A | undefined, grads: A | undefined): FastArena | null {
    const given = options.arena;
    if (given !== undefined) {
      if (this.arrayType !== (Float64Array as unknown)) throw new TypeError('FastMlp: an arena holds Float64Array storage only');
      for (const [array, name] of [[params, 'params'], [grads, 'grads']] as const) {
        if (array !== undefined && !given.owns(array)) throw new RangeError(`FastMlp: ${name} is not in the given arena`);
      }
    }
    if (options.kernels === 'js' || this.arrayType !== (Float64Array as unknown) || !FastArena.available) return null;
    if (given !== undefined) return given;
    const arena = params !== undefined ? FastArena.of(params) : grads !== undefined ? FastArena.of(grads) : undefined;
    if (arena !== undefined) return (params === undefined || arena.owns(params)) && (grads === undefined || arena.owns(grads)) ? arena : null;
    if (params !== undefined || grads !== undefined) return null; // caller-allocated plain arrays
    // Own arena, pre-sized for the parameters, gradients and the buffers of a batch of 256.
    const perRow = this.sizes.reduce((a, b) => a + b, 0) + 4 * this.maxWidth + this.inputSize;
    const maxLayer = Math.max(...this.layers.map((l) => l.inSize * l.outSize));
    return FastArena.create(8 * (2 * this.paramCount + maxLayer + 256 * perRow) + 65536);
  }

  private external(array: A | undefined, name: string): A | undefined {
    if (array === undefined) return undefined;
    if (array.length !== this.paramCount) {
      throw new RangeError(`FastMlp: ${name} has length ${array.length}, expected ${this.paramCount}`);
    }
    if (!(array instanceof this.arrayType)) throw new TypeError(`FastMlp: ${name} must be a ${this.arrayType.name}`);
    return array;
  }

  /**
   * Grows the training buffers to hold `batch` rows: to the largest batch seen, no more (JS
   * path), or to the next power of two (wasm path, whose arena does not reuse memory).
   */
  private ensureCapacity(batch: number): void {
    if (batch <= this.capacity) return;
    const arena = this.arena;
    const cap = arena === null ? batch : roundCapacity(batch);
    const alloc = (n: number): A => (arena === null ? new this.arrayType(n) : (arena.alloc(n) as A));
    this.acts = this.sizes.map((s) => alloc(cap * s));
    this.deltaA = alloc(cap * this.maxWidth);
    this.deltaB = alloc(cap * this.maxWidth);
    this.inputGrad = alloc(cap * this.inputSize);
    if (arena !== null) {
      this.pActs = this.acts.map((a) => arena.ptr(a));
      this.pDeltaA = arena.ptr(this.deltaA);
      this.pDeltaB = arena.ptr(this.deltaB);
      this.pInputGrad = arena.ptr(this.inputGrad);
    }
    this.outputViews.clear();
    this.inputGradViews.clear();
    this.capacity = cap;
  }

  private ensureInferCapacity(batch: number): void {
    if (batch <= this.inferCapacity) return;
    const arena = this.arena;
    const cap = arena === null ? batch : roundCapacity(batch);
    const alloc = (n: number): A => (arena === null ? new this.arrayType(n) : (arena.alloc(n) as A));
    this.inferA = alloc(cap * this.maxWidth);
    this.inferB = alloc(cap * this.maxWidth);
    if (arena !== null) {
      this.pInferA = arena.ptr(this.inferA);
      this.pInferB = arena.ptr(this.inferB);
    }
    this.inferViews.clear();
    this.inferCapacity = cap;
  }

  private static view<A extends FloatArray>(cache: Map<number, A>, buffer: A, batch: number, width: number): A {
    let v = cache.get(batch);
    if (v === undefined) {
      v = buffer.subarray(0, batch * width) as A;
      cache.set(batch, v);
    }
    return v;
  }

  private checkInput(input: ArrayLike<number>, batch: number, width: number, what: string): void {
    checkBatch(batch);
    if (input.length < batch * width) {
      throw new RangeError(`FastMlp: ${what} has ${input.length} numbers, expected ${batch} × ${width} = ${batch * width}`);
    }
  }

  /**
   * Forward pass of `batch` rows (`input` row-major, `batch × inputSize`, only that prefix is
   * read). Keeps the activations for {@link FastMlp.backward}. Returns a view of
   * `batch × outputSize` outputs that stays valid until the next `forward` (the same
   * object for the same batch size).
   */
  forward(input: ArrayLike<number>, batch: number): A {
    this.checkInput(input, batch, this.inputSize, 'input');
    this.ensureCapacity(batch);
    const acts = this.acts;
    const x0 = acts[0] as A;
    const n0 = batch * this.inputSize;
    copyPrefix(x0, input, n0);
    const last = this.layers.length - 1;
    const raw = this.raw;
    if (raw !== null) {
      const pActs = this.pActs;
      for (let l = 0; l <= last; l++) {
        const layer = this.layers[l] as LayerLayout;
        raw.denseForward(pActs[l] as number, this.pWeight[l] as number, this.pBias[l] as number, pActs[l + 1] as number, batch, layer.inSize, layer.outSize, l === last ? this.outputCode : this.hiddenCode);
      }
    } else {
      const params = this.params;
      for (let l = 0; l <= last; l++) {
        const layer = this.layers[l] as LayerLayout;
        const out = acts[l + 1] as A;
        denseForward(acts[l] as A, 0, params, layer.weightOffset, layer.biasOffset, out, 0, batch, layer.inSize, layer.outSize);
        activate(l === last ? this.outputCode : this.hiddenCode, out, 0, batch * layer.outSize);
      }
    }
    this.lastBatch = batch;
    return FastMlp.view(this.outputViews, acts[last + 1] as A, batch, this.outputSize);
  }

  /**
   * Backward pass for the last {@link FastMlp.forward} (same `batch`). `gradOutput` is the
   * gradient of the loss w.r.t. that forward's output (`batch × outputSize`, after the
   * output activation). **Overwrites** {@link FastMlp.grads} with the gradient w.r.t. every
   * parameter — it does not accumulate.
   *
   * With `inputGrad` true it also returns the gradient w.r.t. the input (`batch × inputSize`,
   * a view valid until the next backward); otherwise it returns `null` and skips that work.
   */
  backward(gradOutput: ArrayLike<number>, batch: number, inputGrad = false): A | null {
    if (batch !== this.lastBatch) {
      throw new RangeError(`FastMlp: backward batch ${batch} does not match the last forward batch ${this.lastBatch}`);
    }
    this.checkInput(gradOutput, batch, this.outputSize, 'gradOutput');
    if (this.raw !== null) return this.backwardWasm(this.raw, gradOutput, batch, inputGrad);
    const acts = this.acts;
    const params = this.params;
    const grads = this.grads;
    const last = this.layers.length - 1;
    let delta = this.deltaA;
    let spare = this.deltaB;
    const nOut = batch * this.outputSize;
    copyPrefix(delta, gradOutput, nOut);
    activationBackward(this.outputCode, delta, 0, acts[last + 1] as A, 0, nOut);
    for (let l = last; l >= 0; l--) {
      const layer = this.layers[l] as LayerLayout;
      const x = acts[l] as A;
      denseGradParams(x, 0, delta, 0, grads, layer.weightOffset, layer.biasOffset, batch, layer.inSize, layer.outSize);
      if (l > 0) {
        denseGradInput(delta, 0, params, layer.weightOffset, spare, 0, batch, layer.inSize, layer.outSize);
        activationBackward(this.hiddenCode, spare, 0, x, 0, batch * layer.inSize);
        const t = delta;
        delta = spare;
        spare = t;
      } else if (inputGrad) {
        denseGradInput(delta, 0, params, layer.weightOffset, this.inputGrad, 0, batch, layer.inSize, layer.outSize);
        return FastMlp.view(this.inputGradViews, this.inputGrad, batch, this.inputSize);
      }
    }
    return null;
  }

  private backwardWasm(raw: WasmKernelExports, gradOutput: ArrayLike<number>, batch: number, inputGrad: boolean): A | null {
    const last = this.layers.length - 1;
    const pActs = this.pActs;
    const delta = this.deltaA;
    let pDelta = this.pDeltaA;
    let pSpare = this.pDeltaB;
    const nOut = batch * this.outputSize;
    copyPrefix(delta, gradOutput, nOut);
    raw.activationBackward(this.outputCode, pDelta, pActs[last + 1] as number, nOut);
    for (let l = last; l >= 0; l--) {
      const layer = this.layers[l] as LayerLayout;
      const pX = pActs[l] as number;
      raw.denseGradParams(pX, pDelta, this.pGradWeight[l] as number, this.pGradBias[l] as number, batch, layer.inSize, layer.outSize);
      if (l > 0) {
        raw.denseGradInput(pDelta, this.pWeight[l] as number, this.pTransposed, pSpare, pX, batch, layer.inSize, layer.outSize, this.hiddenCode);
        const t = pDelta;
        pDelta = pSpare;
        pSpare = t;
      } else if (inputGrad) {
        raw.denseGradInput(pDelta, this.pWeight[0] as number, this.pTransposed, this.pInputGrad, 0, batch, layer.inSize, layer.outSize, ACT_IDENTITY);
        return FastMlp.view(this.inputGradViews, this.inputGrad, batch, this.inputSize);
      }
    }
    return null;
  }

  /**
   * Forward pass for action selection: same result as {@link FastMlp.forward} bit for bit,
   * but on its own scratch buffers, so it keeps no activations and leaves a pending
   * {@link FastMlp.backward} intact. Writes `batch × outputSize` numbers into `out` if given
   * (and returns it), else into an internal view valid until the next call (the same object
   * for the same batch size).
   */
  forwardInference(input: ArrayLike<number>, batch: number): A;
  forwardInference<O extends FloatArray>(input: ArrayLike<number>, batch: number, out: O): O;
  forwardInference(input: ArrayLike<number>, batch: number, out?: FloatArray): FloatArray {
    this.checkInput(input, batch, this.inputSize, 'input');
    if (out !== undefined && out.length < batch * this.outputSize) {
      throw new RangeError(`FastMlp: out has ${out.length} numbers, expected ${batch * this.outputSize}`);
    }
    this.ensureInferCapacity(batch);
    const params = this.params;
    let src = this.inferA;
    let dst = this.inferB;
    const n0 = batch * this.inputSize;
    copyPrefix(src, input, n0);
    const last = this.layers.length - 1;
    const raw = this.raw;
    if (raw !== null) {
      let pSrc = this.pInferA;
      let pDst = this.pInferB;
      for (let l = 0; l <= last; l++) {
        const layer = this.layers[l] as LayerLayout;
        raw.denseForward(pSrc, this.pWeight[l] as number, this.pBias[l] as number, pDst, batch, layer.inSize, layer.outSize, l === last ? this.outputCode : this.hiddenCode);
        const t = pSrc;
        pSrc = pDst;
        pDst = t;
        const u = src;
        src = dst;
        dst = u;
      }
      if (out === undefined) return FastMlp.view(this.inferViews, src, batch, this.outputSize);
      const nOut = batch * this.outputSize;
      for (let i = 0; i < nOut; i++) out[i] = src[i] as number;
      return out;
    }
    for (let l = 0; l <= last; l++) {
      const layer = this.layers[l] as LayerLayout;
      const target: FloatArray = l === last && out !== undefined ? out : dst;
      denseForward(src, 0, params, layer.weightOffset, layer.biasOffset, target, 0, batch, layer.inSize, layer.outSize);
      activate(l === last ? this.outputCode : this.hiddenCode, target, 0, batch * layer.outSize);
      const t = src;
      src = dst;
      dst = t;
    }
    if (out !== undefined) return out;
    return FastMlp.view(this.inferViews, src, batch, this.outputSize);
  }

  /**
   * Views (no copies) of each layer's kernel `[in, out]` and bias, in TensorFlow.js `Dense`
   * order: `tf.tensor2d(w.kernel, [w.inSize, w.outSize])` is the layer's kernel exactly.
   */
  getDenseWeights(): DenseWeights<A>[] {
    return this.layers.map((layer) => ({
      kernel: this.params.subarray(layer.weightOffset, layer.biasOffset) as A,
      bias: this.params.subarray(layer.biasOffset, layer.biasOffset + layer.outSize) as A,
      inSize: layer.inSize,
      outSize: layer.outSize,
    }));
  }

  /**
   * Copies kernels `[in, out]` (row-major, as `await kernelTensor.data()` gives them) and biases
   * into {@link FastMlp.params}; one entry per layer, shapes must match.
   */
  setDenseWeights(weights: readonly { readonly kernel: ArrayLike<number>; readonly bias: ArrayLike<number> }[]): void {
    if (weights.length !== this.layers.length) {
      throw new RangeError(`FastMlp: got weights for ${weights.length} layers, the network has ${this.layers.length}`);
    }
    weights.forEach((w, l) => {
      const layer = this.layers[l] as LayerLayout;
      if (w.kernel.length !== layer.inSize * layer.outSize || w.bias.length !== layer.outSize) {
        throw new RangeError(
          `FastMlp: layer ${l} expects a ${layer.inSize}×${layer.outSize} kernel and ${layer.outSize} biases, ` +
            `got ${w.kernel.length} and ${w.bias.length} numbers`,
        );
      }
      for (let i = 0; i < w.kernel.length; i++) this.params[layer.weightOffset + i] = w.kernel[i] as number;
      for (let i = 0; i < w.bias.length; i++) this.params[layer.biasOffset + i] = w.bias[i] as number;
    });
  }

  /** Copies all parameters of `other` (same sizes) into this network, e.g. for a target network. */
  copyParamsFrom(other: { readonly sizes: readonly number[]; readonly paramCount: number; readonly params: FloatArray }): void {
    if (other.paramCount !== this.paramCount || other.sizes.some((s, i) => s !== this.sizes[i])) {
      throw new RangeError('FastMlp: copyParamsFrom needs a network of the same sizes');
    }
    this.params.set(other.params);
  }
}
