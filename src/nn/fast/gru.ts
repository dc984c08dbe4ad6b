import type { Rng } from '../../core/rng.js';
import { orthogonal } from './init.js';

/** Shape of a {@link GruSequenceNet}. */
export interface GruShape {
  /** Input entries per token (the observation size). */
  readonly inputSize: number;
  /** Hidden units H. */
  readonly hiddenSize: number;
  /** Outputs per token (e.g. K logits); 0: no head, the outputs are the hidden states (H per token). */
  readonly outputSize: number;
}

/** Parameter count of a {@link GruSequenceNet}: the GRU's 3H(D + H + 2) and the head's K(H + 1) (none when K = 0). */
export function gruParamCount({ inputSize: D, hiddenSize: H, outputSize: K }: GruShape): number {
  return 3 * H * (D + H + 2) + K * (H + 1);
}

/**
 * A one-layer GRU (PyTorch's `nn.GRU` equations, gates in its order r, z, n) followed by a linear
 * head, over a flat float64 parameter vector:
 *
 *     r = σ(W_ir x + b_ir + W_hr h + b_hr)
 *     z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *     n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
 *     h' = (1 − z) ⊙ n + z ⊙ h,        y = W_o h' + b_o
 *
 * Layout: W_i [3H × D], b_i [3H], W_h [3H × H], b_h [3H], W_o [K × H], b_o [K], row-major.
 * {@link step} advances one hidden state (acting); {@link forwardSequences} runs whole sequences
 * from a zero state, keeping what {@link backwardSequences} (backpropagation through time) needs.
 * Both share {@link cell}, so a sequence's training outputs equal the step-wise ones bit for bit.
 */
export class GruSequenceNet {
  readonly params: Float64Array;
  readonly grads: Float64Array;
  private readonly D: number;
  private readonly H: number;
  private readonly K: number;
  // Offsets of the parameter blocks.
  private readonly oBi: number;
  private readonly oWh: number;
  private readonly oBh: number;
  private readonly oWo: number;
  private readonly oBo: number;
  /** Per-token scratch of one cell: input and hidden pre-activations [3H]. */
  private readonly ix: Float64Array;
  private readonly hx: Float64Array;
  /** Training caches, [tokens × H] each (grown on demand), and the outputs [tokens × K]. */
  private cache = { capacity: 0, hPrev: new Float64Array(0), r: new Float64Array(0), z: new Float64Array(0), n: new Float64Array(0), hn: new Float64Array(0), h: new Float64Array(0), y: new Float64Array(0) };
  /** The inputs and sequence lengths of the last {@link forwardSequences}. */
  private last: { inputs: ArrayLike<number>; lengths: ArrayLike<number>; tokens: number } = { inputs: new Float64Array(0), lengths: new Int32Array(0), tokens: 0 };
  /** Backward scratch: ∂L/∂h carried to the previous token, and the gate gradients [3H] of the input and hidden paths. */
  private readonly dhNext: Float64Array;
  private readonly gi: Float64Array;
  private readonly gh: Float64Array;

  /**
   * `storage`: the parameter and gradient vectors to use (e.g. views into a larger flat vector, or
   * the same parameters shared by two nets); default fresh ones.
   */
  constructor(
    readonly shape: GruShape,
    storage?: { readonly params: Float64Array; readonly grads: Float64Array },
  ) {
    const { inputSize: D, hiddenSize: H, outputSize: K } = shape;
    for (const [name, v] of Object.entries(shape)) if (!Number.isInteger(v) || (v as number) < (name === 'outputSize' ? 0 : 1)) throw new RangeError(`GruSequenceNet: ${name} must be a ${name === 'outputSize' ? 'non-negative' : 'positive'} integer, got ${String(v)}`);
    this.D = D;
    this.H = H;
    this.K = K;
    this.oBi = 3 * H * D;
    this.oWh = this.oBi + 3 * H;
    this.oBh = this.oWh + 3 * H * H;
    this.oWo = this.oBh + 3 * H;
    this.oBo = this.oWo + K * H;
    const count = gruParamCount(shape);
    if (storage !== undefined && (storage.params.length !== count || storage.grads.length !== count)) throw new RangeError(`GruSequenceNet: the storage must hold ${count} parameters and gradients, got ${storage.params.length} and ${storage.grads.length}`);
    this.params = storage?.params ?? new Float64Array(count);
    this.grads = storage?.grads ?? new Float64Array(count);
    this.ix = new Float64Array(3 * H);
    this.hx = new Float64Array(3 * H);
    this.dhNext = new Float64Array(H);
    this.gi = new Float64Array(3 * H);
    this.gh = new Float64Array(3 * H);
    this.stepRow = { r: new Float64Array(H), z: new Float64Array(H), n: new Float64Array(H), hn: new Float64Array(H), h: new Float64Array(H) };
  }

  /**
   * PyTorch's GRU initialisation (every GRU weight and bias uniform in ±1/√H) and a head with
   * orthogonal weights of gain `headGain` and zero bias (0.01 starts a categorical policy near
   * uniform, as SB3's action head).
   */
  init(rng: Rng, headGain = 0.01): void {
    const bound = 1 / Math.sqrt(this.H);
    for (let i = 0; i < this.oWo; i++) this.params[i] = rng.uniformRange(-bound, bound);
    if (this.K === 0) return;
    this.params.set(orthogonal(this.K, this.H, headGain, rng), this.oWo);
    this.params.fill(0, this.oBo);
  }

  /** One GRU cell: reads x (at xOff) and h_prev (at hOff), writes r, z, n, W_hn h + b_hn and h' at row `o` of the given arrays. */
  private cell(x: ArrayLike<number>, xOff: number, hPrev: Float64Array, hOff: number, r: Float64Array, z: Float64Array, n: Float64Array, hn: Float64Array, h: Float64Array, o: number): void {
    const { D, H, ix, hx, params: p } = this;
    const oBi = this.oBi;
    const oWh = this.oWh;
    const oBh = this.oBh;
    for (let j = 0; j < 3 * H; j++) {
      let a = p[oBi + j] as number;
      const w = j * D;
      for (let d = 0; d < D; d++) a += (p[w + d] as number) * (x[xOff + d] as number);
      ix[j] = a;
      let b = p[oBh + j] as number;
      const u = oWh + j * H;
      for (let k = 0; k < H; k++) b += (p[u + k] as number) * (hPrev[hOff + k] as number);
      hx[j] = b;
    }
    for (let j = 0; j < H; j++) {
      const rj = 1 / (1 + Math.exp(-((ix[j] as number) + (hx[j] as number))));
      const zj = 1 / (1 + Math.exp(-((ix[H + j] as number) + (hx[H + j] as number))));
      const hnj = hx[2 * H + j] as number;
      const nj = Math.tanh((ix[2 * H + j] as number) + rj * hnj);
      r[o + j] = rj;
      z[o + j] = zj;
      n[o + j] = nj;
      hn[o + j] = hnj;
      h[o + j] = nj + zj * ((hPrev[hOff + j] as number) - nj);
    }
  }

  /** y = W_o h + b_o for the hidden state at `hOff`, into `y` at `yOff` (y = h without a head). */
  private head(h: Float64Array, hOff: number, y: Float64Array, yOff: number): void {
    const { H, K, params: p } = this;
    if (K === 0) {
      for (let j = 0; j < H; j++) y[yOff + j] = h[hOff + j] as number;
      return;
    }
    for (let k = 0; k < K; k++) {
      let a = p[this.oBo + k] as number;
      const w = this.oWo + k * H;
      for (let j = 0; j < H; j++) a += (p[w + j] as number) * (h[hOff + j] as number);
      y[yOff + k] = a;
    }
  }

  /** Outputs per token: K, or H without a head. */
  get outputWidth(): number {
    return this.K === 0 ? this.H : this.K;
  }

  /** Step scratch (one row of each cell output). */
  private readonly stepRow: { r: Float64Array; z: Float64Array; n: Float64Array; hn: Float64Array; h: Float64Array };

  /**
   * Advances the hidden state `memory[mOff … mOff + H)` by input `x[xOff …]` in place and writes
   * the outputs to `y[yOff … yOff + K)` (H entries without a head).
   */
  step(x: ArrayLike<number>, xOff: number, memory: Float64Array, mOff: number, y: Float64Array, yOff: number): void {
    const s = this.stepRow;
    this.cell(x, xOff, memory, mOff, s.r, s.z, s.n, s.hn, s.h, 0);
    memory.set(s.h, mOff);
    this.head(memory, mOff, y, yOff);
  }

  private ensureCache(tokens: number): void {
    if (this.cache.capacity >= tokens) return;
    const size = tokens * this.H;
    this.cache = { capacity: tokens, hPrev: new Float64Array(size), r: new Float64Array(size), z: new Float64Array(size), n: new Float64Array(size), hn: new Float64Array(size), h: new Float64Array(size), y: new Float64Array(tokens * this.outputWidth) };
  }

  /**
   * Outputs [tokens × K] (hidden states [tokens × H] without a head) of sequences laid out back to back: `inputs` holds `tokens` rows of D,
   * sequence s has `lengths[s]` of them and starts from row s of `initial` ([sequences × H], e.g.
   * hidden states stored while acting, for truncated backpropagation through time) or from a zero
   * state. The initial states are constants: no gradient flows into them. The view is valid until
   * the next call.
   */
  forwardSequences(inputs: ArrayLike<number>, lengths: ArrayLike<number>, tokens: number, initial?: ArrayLike<number>): Float64Array {
    let total = 0;
    for (let s = 0; s < lengths.length; s++) total += lengths[s] as number;
    if (total !== tokens) throw new RangeError(`GruSequenceNet: the sequence lengths add up to ${total} tokens, expected ${tokens}`);
    if (inputs.length < tokens * this.D) throw new RangeError(`GruSequenceNet: ${tokens} tokens need ${tokens * this.D} inputs, got ${inputs.length}`);
    if (initial !== undefined && initial.length < lengths.length * this.H) throw new RangeError(`GruSequenceNet: ${lengths.length} sequences need ${lengths.length * this.H} initial-state entries, got ${initial.length}`);
    this.ensureCache(tokens);
    const { D, H, cache: c } = this;
    const W = this.outputWidth;
    let t = 0;
    for (let s = 0; s < lengths.length; s++) {
      const len = lengths[s] as number;
      for (let i = 0; i < len; i++, t++) {
        const o = t * H;
        if (i > 0) for (let j = 0; j < H; j++) c.hPrev[o + j] = c.h[o - H + j] as number;
        else if (initial === undefined) c.hPrev.fill(0, o, o + H);
        else for (let j = 0; j < H; j++) c.hPrev[o + j] = initial[s * H + j] as number;
        this.cell(inputs, t * D, c.hPrev, o, c.r, c.z, c.n, c.hn, c.h, o);
        this.head(c.h, o, c.y, t * W);
      }
    }
    this.last = { inputs, lengths, tokens };
    return c.y.subarray(0, tokens * W);
  }

  /** Hidden states [tokens × H] of the last {@link forwardSequences} (e.g. a gSDE head's latent), valid until the next call. */
  lastHiddenStates(): Float64Array {
    return this.cache.h.subarray(0, this.last.tokens * this.H);
  }

  /**
   * Backpropagation through time of ∂L/∂y ([tokens × K], or ∂L/∂h [tokens × H] without a head,
   * for the last {@link forwardSequences})
   * into {@link grads} (overwritten). Gradients stop at each sequence's initial state.
   */
  backwardSequences(gradY: ArrayLike<number>): void {
    const { D, H, K, cache: c, params: p, grads: g, dhNext, gi, gh } = this;
    const { inputs, lengths, tokens } = this.last;
    g.fill(0);
    let end = tokens;
    for (let s = lengths.length - 1; s >= 0; s--) {
      const start = end - (lengths[s] as number);
      dhNext.fill(0);
      for (let t = end - 1; t >= start; t--) {
        const o = t * H;
        // Head: ∂L/∂W_o, ∂L/∂b_o, and ∂L/∂h from this token's output plus the carry from t + 1.
        if (K === 0) for (let j = 0; j < H; j++) dhNext[j] = (dhNext[j] as number) + (gradY[o + j] as number);
        for (let k = 0; k < K; k++) {
          const gy = gradY[t * K + k] as number;
          if (gy === 0) continue;
          g[this.oBo + k] = (g[this.oBo + k] as number) + gy;
          const w = this.oWo + k * H;
          for (let j = 0; j < H; j++) {
            g[w + j] = (g[w + j] as number) + gy * (c.h[o + j] as number);
            dhNext[j] = (dhNext[j] as number) + gy * (p[w + j] as number);
          }
        }
        // Through h' = n + z (h_prev − n): the gate pre-activation gradients.
        for (let j = 0; j < H; j++) {
          const dh = dhNext[j] as number;
          const rj = c.r[o + j] as number;
          const zj = c.z[o + j] as number;
          const nj = c.n[o + j] as number;
          const dnPre = dh * (1 - zj) * (1 - nj * nj);
          const dzPre = dh * ((c.hPrev[o + j] as number) - nj) * zj * (1 - zj);
          const drPre = dnPre * (c.hn[o + j] as number) * rj * (1 - rj);
          gi[j] = drPre;
          gi[H + j] = dzPre;
          gi[2 * H + j] = dnPre;
          gh[j] = drPre;
          gh[H + j] = dzPre;
          gh[2 * H + j] = dnPre * rj;
          dhNext[j] = dh * zj; // the direct path to h_prev; W_hᵀ·gh is added below
        }
        for (let j = 0; j < 3 * H; j++) {
          const a = gi[j] as number;
          g[this.oBi + j] = (g[this.oBi + j] as number) + a;
          const w = j * D;
          for (let d = 0; d < D; d++) g[w + d] = (g[w + d] as number) + a * (inputs[t * D + d] as number);
          const b = gh[j] as number;
          g[this.oBh + j] = (g[this.oBh + j] as number) + b;
          const u = this.oWh + j * H;
          for (let k = 0; k < H; k++) {
            g[u + k] = (g[u + k] as number) + b * (c.hPrev[o + k] as number);
            dhNext[k] = (dhNext[k] as number) + b * (p[u + k] as number);
          }
        }
      }
      end = start;
    }
  }
}
