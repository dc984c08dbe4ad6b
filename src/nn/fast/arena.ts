/**
 * The WebAssembly SIMD kernels of the fast MLP engine and the memory they compute in.
 *
 * **Kernels.** `assembly/kernels.ts` (AssemblyScript, f64x2) holds the dense-layer products,
 * tanh/relu and their derivatives, and LayerNorm with its backward; `npm run build:wasm`
 * compiles it into the generated module `wasm/kernels-wasm.generated.ts` (base64, git-ignored;
 * `npm ci`, `npm run build` and `npm test` regenerate it). This module compiles it synchronously when it is first imported
 * (`new WebAssembly.Module`) and checks, once, that the kernels reproduce the JavaScript
 * kernels bit for bit on a small problem. The JavaScript kernels (`kernels.ts`, `tanh.ts`)
 * remain the reference and the fallback: they are used when `RXRL_WASM=0` is set, when the
 * runtime lacks WebAssembly SIMD or shared memory, or when the generated module is missing.
 * {@link fastEngineInfo} says which path is active. Both paths give bit-identical results.
 *
 * **Arena.** The kernels can only read and write their linear memory, so a network computed
 * by them keeps its parameters, gradients, activations and scratch there: a {@link FastArena}
 * is one `WebAssembly.Memory` with its own instance of the kernels, from which
 * `Float64Array` views are allocated (a bump allocator; 64-byte aligned; zero-filled).
 *
 * - The memory is *shared* (`shared: true`, backed by a `SharedArrayBuffer`), for one reason:
 *   growing a shared memory never detaches the views already handed out — they keep their
 *   length and keep aliasing the same bytes (only `memory.buffer` gets longer). So an arena
 *   can grow whenever a network meets a larger batch, and a view kept by anyone
 *   (`ActorCritic.params`, a `subarray` of it, an output view) stays valid and correct: there
 *   is no stale view to misuse. (A non-shared memory would detach them on every grow, and a
 *   detached typed array silently reads as empty.) Nothing is shared between threads.
 * - Each allocation gets a `SharedArrayBuffer` object of its own (aliasing the memory), so
 *   `a.buffer === b.buffer` means "views of one allocation", as for ordinary typed arrays;
 *   `byteOffset` is the address in the memory.
 * - Memory is never reused within an arena, so no view ever aliases a later allocation; when
 *   buffers are outgrown (a larger batch), the old ones are abandoned, and the whole memory
 *   is freed by the garbage collector when the arena and every view into it are unreachable
 *   (views keep their memory alive, as any typed array keeps its buffer). Buffers that grow
 *   with the batch round their capacity up to a power of two, which bounds the waste to
 *   about the final size.
 * - One arena per owner: each {@link FastMlp} that is not given one creates its own, and
 *   `ActorCritic` creates one for its four networks and its flat parameter vector. Creating
 *   an arena costs ~0.2 ms (mostly reserving the address space of a wasm memory).
 * - Pre-sized to {@link FastArena.create}'s `initialBytes` (default 4 MiB: a 64-64
 *   actor-critic acts and trains at batch 256 without growing; batch 2048 grows it once, to
 *   32 MiB); untouched pages cost no physical memory. It grows by doubling, up to the 4 GiB
 *   limit of wasm32.
 * @module
 */
import { denseForward, denseGradInput, denseGradParams, type FloatArray } from './kernels.js';
import { LAYER_NORM_EPS, layerNormForward } from './layer-norm.js';
import { EXP2_HI, EXP2_LO, tanhInPlace } from './tanh.js';

/** Which kernels the fast MLP engine computes with. */
export type FastKernels = 'wasm-simd' | 'js';

/** What {@link fastEngineInfo} reports. */
export interface FastEngineInfo {
  /**
   * `'wasm-simd'`: the WebAssembly SIMD kernels (networks with `Float64Array` storage use
   * them); `'js'`: the JavaScript kernels only.
   */
  readonly kernels: FastKernels;
  /** Why: what was loaded, or why the fallback was taken. */
  readonly reason: string;
}

// The few WebAssembly JS-API types used here (the project compiles without the DOM lib).
/** A `WebAssembly.Memory`. */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(deltaPages: number): number;
}
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  readonly Module: new (bytes: Uint8Array) => WasmModule;
  readonly Instance: new (module: WasmModule, imports: object) => { readonly exports: unknown };
  readonly Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** The kernels' exports, on byte addresses in the arena's memory (see assembly/kernels.ts). */
export interface WasmKernelExports {
  readonly TABLE_OFFSET: { readonly value: number };
  readonly HEAP_OFFSET: { readonly value: number };
  /** a[0..len) ← act(a) in place; act 0 identity, 1 tanh, 2 relu. */
  activate(act: number, a: number, len: number): void;
  /** d[i] ·= act'(expressed with the output h[i]). */
  activationBackward(act: number, d: number, h: number, len: number): void;
  /** y[m×n] = act(x[m×k]·w[k×n] + b). */
  denseForward(x: number, w: number, b: number, y: number, m: number, k: number, n: number, act: number): void;
  /** g[k×n] = xᵀ·dz, gb[n] = column sums of dz. */
  denseGradParams(x: number, dz: number, g: number, gb: number, m: number, k: number, n: number): void;
  /** dx[m×k] = (dz[m×n]·wᵀ) · act'(h); `wt` is k·n doubles of scratch. */
  denseGradInput(dz: number, w: number, wt: number, dx: number, h: number, m: number, k: number, n: number, act: number): void;
  /** out[m×h] = act(LayerNorm(x)) with gain, bias; keeps xhat[m×h], invStd[m] (layer-norm.ts). */
  layerNormForward(x: number, gain: number, bias: number, out: number, xhat: number, invStd: number, m: number, h: number, eps: number, act: number): void;
  /** gradIn[m×h] = ∂L/∂x from gradOut = ∂L/∂out (out given as y); overwrites gradGain[h], gradBias[h]. */
  layerNormBackward(gradOut: number, y: number, gain: number, xhat: number, invStd: number, gradIn: number, gradGain: number, gradBias: number, m: number, h: number, act: number): void;
}

const PAGE_BYTES = 65536;
/** wasm32's limit: 65536 pages = 4 GiB (also the module's declared maximum). */
const MAX_PAGES = 65536;
const ALIGN = 64;
const DEFAULT_INITIAL_BYTES = 4 << 20;

interface Loaded {
  readonly module: WasmModule | null;
  readonly reason: string;
}

function disabledByEnv(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.['RXRL_WASM']?.trim().toLowerCase();
  return value === '0' || value === 'false' || value === 'off';
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The generated module, imported dynamically so that a missing file means "JS kernels", not a crash. */
async function importGenerated(): Promise<{ readonly WASM_BASE64: string } | string> {
  try {
    // @ts-ignore -- written by `npm run build:wasm`; absent in a tree where it was never run (then the JS kernels are used).
    const generated: unknown = await import('./wasm/kernels-wasm.generated.js');
    const base64 = (generated as { WASM_BASE64?: unknown }).WASM_BASE64;
    if (typeof base64 !== 'string') return 'the generated kernels module is malformed; run `npm run build:wasm`';
    return { WASM_BASE64: base64 };
  } catch (error) {
    return `the generated kernels module could not be loaded (${message(error)}); run \`npm run build:wasm\``;
  }
}

async function load(): Promise<Loaded> {
  if (disabledByEnv()) return { module: null, reason: 'JavaScript kernels: WebAssembly disabled by RXRL_WASM=0' };
  if (wasmApi === undefined) return { module: null, reason: 'JavaScript kernels: this runtime has no WebAssembly' };
  const generated = await importGenerated();
  if (typeof generated === 'string') return { module: null, reason: `JavaScript kernels: ${generated}` };
  const bytes = decodeBase64(generated.WASM_BASE64);
  // The module uses SIMD and a shared memory: it validates only where both are supported.
  if (!wasmApi.validate(bytes)) {
    return { module: null, reason: 'JavaScript kernels: this runtime lacks WebAssembly SIMD or threads (shared memory)' };
  }
  let module: WasmModule;
  try {
    module = new wasmApi.Module(bytes);
  } catch (error) {
    return { module: null, reason: `JavaScript kernels: compiling the WebAssembly kernels failed (${message(error)})` };
  }
  try {
    const mismatch = selfTest(new FastArena(module, 16 * PAGE_BYTES));
    if (mismatch !== null) return { module: null, reason: `JavaScript kernels: the WebAssembly kernels differ from the JavaScript ones (${mismatch})` };
  } catch (error) {
    return { module: null, reason: `JavaScript kernels: instantiating the WebAssembly kernels failed (${message(error)})` };
  }
  return { module, reason: 'WebAssembly SIMD kernels (f64x2), bit-identical to the JavaScript kernels' };
}

/**
 * A small check, once per process, that the wasm kernels reproduce the JavaScript kernels
 * bit for bit (a layer with odd sizes, tanh and relu, all three products, a LayerNorm); the
 * tests check far more. Returns null, or what differed.
 */
function selfTest(arena: FastArena): string | null {
  // Shapes that take every block path: rows 4 + 1, columns 4 + 4 + 2 + 1 (one row: 8 + 2 + 1).
  const m = 5;
  const k = 7;
  const n = 11;
  let seed = 12345;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed / 2147483648) * 4 - 2;
  };
  const random = (length: number): Float64Array => {
    const a = arena.alloc(length);
    for (let i = 0; i < length; i++) a[i] = next();
    return a;
  };
  const x = random(m * k);
  const w = random(k * n + n);
  const dz = random(m * n);
  const y = arena.alloc(m * n);
  const g = arena.alloc(k * n + n);
  const dx = arena.alloc(m * k);
  const wt = arena.alloc(k * n);
  const ref = { y: new Float64Array(m * n), g: new Float64Array(k * n + n), dx: new Float64Array(m * k) };
  const raw = arena.raw;
  const same = (a: Float64Array, b: Float64Array): boolean => a.every((v, i) => Object.is(v, b[i]));
  raw.denseForward(arena.ptr(x), arena.ptr(w), arena.ptr(w, k * n), arena.ptr(y), m, k, n, 1);
  denseForward(x, 0, w, 0, k * n, ref.y, 0, m, k, n);
  tanhInPlace(ref.y, 0, m * n);
  if (!same(y, ref.y)) return 'dense forward + tanh';
  raw.denseGradParams(arena.ptr(x), arena.ptr(dz), arena.ptr(g), arena.ptr(g, k * n), m, k, n);
  denseGradParams(x, 0, dz, 0, ref.g, 0, k * n, m, k, n);
  if (!same(g, ref.g)) return 'parameter gradients';
  raw.denseGradInput(arena.ptr(dz), arena.ptr(w), arena.ptr(wt), arena.ptr(dx), arena.ptr(x), m, k, n, 2);
  denseGradInput(dz, 0, w, 0, ref.dx, 0, m, k, n);
  for (let i = 0; i < m * k; i++) if (!((x[i] as number) > 0)) ref.dx[i] = 0;
  if (!same(dx, ref.dx)) return 'input gradients + relu';
  // LayerNorm of the 5 × 11 rows of dz (two-row and one-row paths, odd width), identity activation.
  const out = arena.alloc(m * n);
  const xhat = arena.alloc(m * n);
  const invStd = arena.alloc(m);
  raw.layerNormForward(arena.ptr(dz), arena.ptr(w), arena.ptr(w, n), arena.ptr(out), arena.ptr(xhat), arena.ptr(invStd), m, n, LAYER_NORM_EPS, 0);
  const refOut = new Float64Array(m * n);
  layerNormForward(dz, m, n, w, w.subarray(n), refOut, new Float64Array(m * n), new Float64Array(m));
  if (!same(out, refOut)) return 'layer norm';
  return null;
}

/** Maps every buffer an arena has created views on to that arena. */
const owners = new WeakMap<ArrayBufferLike, FastArena>();

/**
 * One WebAssembly memory with its own instance of the kernels, from which `Float64Array`s
 * are allocated for networks computed by the wasm kernels. See the module comment for the
 * design; in short: shared memory, so growing never invalidates a view; bump allocation,
 * never reused; freed by the garbage collector with its last view.
 */
export class FastArena {
  /** The memory (shared; every view from {@link FastArena.alloc} lies in it). */
  readonly memory: WasmMemory;
  /** The kernels of this arena, on byte addresses ({@link FastArena.ptr}). */
  readonly raw: WasmKernelExports;
  private buffer: ArrayBufferLike;
  private top: number;

  /** Whether the wasm kernels are in use in this process (see {@link fastEngineInfo}). */
  static get available(): boolean {
    return loaded.module !== null;
  }

  /**
   * A new arena of at least `initialBytes` (default 4 MiB), or `null` when the wasm kernels
   * are not in use (then compute with the JavaScript kernels on ordinary arrays).
   */
  static create(initialBytes: number = DEFAULT_INITIAL_BYTES): FastArena | null {
    return loaded.module === null ? null : new FastArena(loaded.module, initialBytes);
  }

  /** The arena `array` was allocated from (or is a view into), if any. */
  static of(array: { readonly buffer: ArrayBufferLike }): FastArena | undefined {
    return owners.get(array.buffer);
  }

  /** @internal Use {@link FastArena.create}. */
  constructor(module: WasmModule, initialBytes: number) {
    if (!(initialBytes >= 0) || !Number.isFinite(initialBytes)) throw new RangeError(`FastArena: invalid initial size ${initialBytes}`);
    if (wasmApi === undefined) throw new Error('FastArena: this runtime has no WebAssembly');
    const pages = Math.min(MAX_PAGES, Math.max(1, Math.ceil(initialBytes / PAGE_BYTES)));
    this.memory = new wasmApi.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
    const instance = new wasmApi.Instance(module, { env: { memory: this.memory } });
    this.raw = instance.exports as unknown as WasmKernelExports;
    this.buffer = this.memory.buffer;
    owners.set(this.buffer, this);
    // tanh's table, as pairs (EXP2_HI[j], EXP2_LO[j]) (see assembly/kernels.ts).
    const table = new Float64Array(this.buffer, this.raw.TABLE_OFFSET.value, 128);
    for (let j = 0; j < 64; j++) {
      table[2 * j] = EXP2_HI[j] as number;
      table[2 * j + 1] = EXP2_LO[j] as number;
    }
    this.top = this.raw.HEAP_OFFSET.value;
  }

  /** Bytes handed out so far (including alignment and the reserved low memory). */
  get usedBytes(): number {
    return this.top;
  }

  /** Current size of the memory in bytes. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /**
   * A new zero-filled `Float64Array` of `length` in this arena, 64-byte aligned. Grows the
   * memory if needed (which leaves every earlier view valid). Throws a RangeError beyond 4 GiB.
   */
  alloc(length: number): Float64Array {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`FastArena: length must be a non-negative integer, got ${length}`);
    const start = Math.ceil(this.top / ALIGN) * ALIGN;
    const end = start + length * 8;
    if (end > this.buffer.byteLength) this.grow(end);
    this.top = end;
    return new Float64Array(this.allocationBuffer(), start, length);
  }

  /**
   * A buffer object of its own for each allocation, aliasing the whole memory (a clone of a
   * SharedArrayBuffer shares its bytes): so that, as with ordinary typed arrays, two arrays
   * have the same `.buffer` exactly when they are views of one allocation.
   */
  private allocationBuffer(): ArrayBufferLike {
    let buffer: ArrayBufferLike;
    try {
      buffer = structuredClone(this.buffer);
    } catch {
      return this.buffer;
    }
    owners.set(buffer, this);
    return buffer;
  }

  /** Whether `array` lies in this arena's memory. */
  owns(array: { readonly buffer: ArrayBufferLike }): boolean {
    return owners.get(array.buffer) === this;
  }

  /** Byte address of `array[offset]` for the raw kernels; `array` must lie in this arena. */
  ptr(array: FloatArray, offset = 0): number {
    if (!(array instanceof Float64Array) || !this.owns(array)) throw new RangeError('FastArena: the array is not a Float64Array of this arena');
    return array.byteOffset + offset * 8;
  }

  private grow(end: number): void {
    const have = this.memory.buffer.byteLength / PAGE_BYTES;
    const need = Math.ceil(end / PAGE_BYTES) - have;
    if (have + need > MAX_PAGES) {
      throw new RangeError(`FastArena: ${end} bytes exceed the 4 GiB of a WebAssembly memory; use smaller batches or set RXRL_WASM=0`);
    }
    // Double, so that a sequence of growing allocations costs few grows.
    this.memory.grow(Math.min(MAX_PAGES - have, Math.max(need, have)));
    this.buffer = this.memory.buffer;
    owners.set(this.buffer, this);
  }
}

/** Batch capacity of buffers in an arena: a power of two (at least 8), since an arena never frees and a growing batch would otherwise leave a trail of buffers. */
export function roundCapacity(batch: number): number {
  return batch <= 8 ? 8 : 2 ** Math.ceil(Math.log2(batch));
}

const loaded: Loaded = await load();

/**
 * Which kernels the fast MLP engine uses in this process: `{ kernels: 'wasm-simd' }` when the
 * WebAssembly SIMD kernels loaded, `{ kernels: 'js' }` otherwise (`RXRL_WASM=0`, no SIMD or
 * shared memory, generated module missing), with the reason. `Float32Array` networks and
 * networks whose parameters the caller allocated outside an arena use the JavaScript kernels
 * either way ({@link FastMlp.kernels} tells per network). Results are identical bit for bit.
 */
export function fastEngineInfo(): FastEngineInfo {
  return { kernels: loaded.module === null ? 'js' : 'wasm-simd', reason: loaded.reason };
}
