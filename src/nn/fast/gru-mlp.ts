import type { Rng } from '../../core/rng.js';
import { GruSequenceNet, gruParamCount } from './gru.js';
import { initFanInUniform, initOrthogonal } from './init.js';
import { FastMlp, type HiddenActivation } from './mlp.js';

/** Shape of a {@link GruMlpNet}. */
export interface GruMlpShape {
  /** Input entries per token (the observation size). */
  readonly inputSize: number;
  /** Hidden units H of the GRU. */
  readonly hiddenSize: number;
  /** Widths of the MLP layers between the GRU and the linear head (SB3-contrib's `net_arch`); empty: the head reads the GRU state. */
  readonly layers: readonly number[];
  /** Activation of those layers. */
  readonly activation: HiddenActivation;
  /** Outputs per token (K logits, D means, or 1 value). */
  readonly outputSize: number;
}

/** How {@link GruMlpNet.init} draws the layers after the GRU. */
export interface GruMlpInit {
  /** Gain of the linear head's orthogonal weights (0.01 for a policy, 1 for a value). */
  readonly headGain: number;
  /** SB3's `ortho_init`: orthogonal MLP layers (gain √2) and head; false: PyTorch's default `nn.Linear` draws for both. */
  readonly orthogonal: boolean;
}

/**
 * A GRU followed by an MLP over its state and a linear head, per token — SB3-contrib's
 * RecurrentPPO network (recurrent cell, then `mlp_extractor`, then `action_net` / `value_net`).
 * Without layers the head reads the GRU state directly ({@link GruSequenceNet}'s own head).
 * The latent — the last MLP layer's activations, or the GRU state without layers — is what a
 * gSDE head perturbs. Parameters and gradients are one flat vector each (GRU, then MLP, then
 * head), so one Adam step and one gradient clip cover the whole network.
 */
export class GruMlpNet {
  readonly params: Float64Array;
  readonly grads: Float64Array;
  /** Entries of the latent per token. */
  readonly latentSize: number;
  private readonly gru: GruSequenceNet;
  /** The MLP layers and the head, or null without layers. */
  private readonly body: FastMlp | null;
  private readonly head: FastMlp | null;
  private stepScratch = { capacity: 0, hidden: new Float64Array(0), latent: new Float64Array(0) };
  private lastLatentView: Float64Array = new Float64Array(0);

  constructor(readonly shape: GruMlpShape) {
    const { inputSize, hiddenSize: H, layers, activation, outputSize: K } = shape;
    for (const w of layers) if (!Number.isInteger(w) || w < 1) throw new RangeError(`GruMlpNet: layer widths must be positive integers, got ${String(w)}`);
    const withMlp = layers.length > 0;
    const gruShape = { inputSize, hiddenSize: H, outputSize: withMlp ? 0 : K };
    const gruCount = gruParamCount(gruShape);
    const bodySizes = [H, ...layers];
    const bodyCount = withMlp ? FastMlp.paramCount(bodySizes) : 0;
    const headSizes = [layers[layers.length - 1] ?? H, K];
    const headCount = withMlp ? FastMlp.paramCount(headSizes) : 0;
    this.params = new Float64Array(gruCount + bodyCount + headCount);
    this.grads = new Float64Array(this.params.length);
    const slice = (a: Float64Array, from: number, count: number) => a.subarray(from, from + count);
    this.gru = new GruSequenceNet(gruShape, { params: slice(this.params, 0, gruCount), grads: slice(this.grads, 0, gruCount) });
    this.latentSize = withMlp ? (layers[layers.length - 1] as number) : H;
    if (!withMlp) {
      this.body = null;
      this.head = null;
      return;
    }
    this.body = new FastMlp({ sizes: bodySizes, activation, outputActivation: activation, params: slice(this.params, gruCount, bodyCount), grads: slice(this.grads, gruCount, bodyCount) });
    const h = gruCount + bodyCount;
    this.head = new FastMlp({ sizes: headSizes, params: slice(this.params, h, headCount), grads: slice(this.grads, h, headCount) });
  }

  /** PyTorch's GRU initialisation (from `rng`), then the MLP and the head as `init` says (from streams split off it). */
  init(rng: Rng, init: GruMlpInit): void {
    this.gru.init(rng, init.headGain);
    if (this.body === null || this.head === null) return;
    if (init.orthogonal) {
      initOrthogonal(this.body, rng.split('mlp'), { outputGain: Math.SQRT2 });
      initOrthogonal(this.head, rng.split('head'), { outputGain: init.headGain });
    } else {
      initFanInUniform(this.body, rng.split('mlp'));
      initFanInUniform(this.head, rng.split('head'));
    }
  }

  private ensureStep(n: number): void {
    if (this.stepScratch.capacity >= n) return;
    this.stepScratch = { capacity: n, hidden: new Float64Array(n * this.shape.hiddenSize), latent: new Float64Array(n * this.latentSize) };
  }

  /**
   * Advances the GRU states of `n` copies (`memory`, [n × H]) by their inputs (`x`, [n × D]) in
   * place and writes the outputs to `out` ([n × K]). Returns the latents [n × latent], a view
   * valid until the next call (the GRU states themselves without layers).
   */
  stepCopies(x: ArrayLike<number>, n: number, memory: Float64Array, out: Float64Array): Float64Array {
    const { inputSize: D, hiddenSize: H, outputSize: K } = this.shape;
    if (this.body === null || this.head === null) {
      for (let i = 0; i < n; i++) this.gru.step(x, i * D, memory, i * H, out, i * K);
      return memory.subarray(0, n * H);
    }
    this.ensureStep(n);
    const { hidden, latent } = this.stepScratch;
    for (let i = 0; i < n; i++) this.gru.step(x, i * D, memory, i * H, hidden, i * H);
    this.body.forwardInference(hidden, n, latent);
    this.head.forwardInference(latent, n, out);
    return latent.subarray(0, n * this.latentSize);
  }

  /** Outputs [tokens × K] of sequences laid out back to back, as {@link GruSequenceNet.forwardSequences}; keeps what {@link backwardSequences} needs. */
  forwardSequences(inputs: ArrayLike<number>, lengths: ArrayLike<number>, tokens: number, initial?: ArrayLike<number>): Float64Array {
    const y = this.gru.forwardSequences(inputs, lengths, tokens, initial);
    if (this.body === null || this.head === null) {
      this.lastLatentView = this.gru.lastHiddenStates();
      return y;
    }
    this.lastLatentView = this.body.forward(y, tokens);
    return this.head.forward(this.lastLatentView, tokens);
  }

  /** Latents [tokens × latent] of the last {@link forwardSequences}, valid until the next call. */
  lastLatents(): Float64Array {
    return this.lastLatentView;
  }

  /** Backpropagation (through time, in the GRU) of ∂L/∂outputs of the last {@link forwardSequences} into {@link grads} (overwritten). */
  backwardSequences(gradY: ArrayLike<number>, tokens: number): void {
    if (this.body === null || this.head === null) {
      this.gru.backwardSequences(gradY);
      return;
    }
    const gradLatent = this.head.backward(gradY, tokens, true) as Float64Array;
    const gradHidden = this.body.backward(gradLatent, tokens, true) as Float64Array;
    this.gru.backwardSequences(gradHidden);
  }
}
