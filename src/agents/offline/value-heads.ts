/**
 * The value networks of the offline agents: `heads` independent networks (O-DICE's twin V,
 * IQL's twin Q) on one flat parameter vector — so "the gradient over every value parameter",
 * which O-DICE's projection needs, is one array — with a target copy for soft updates and an
 * Adam optimiser.
 * @module
 */

import type { Rng } from '../../core/rng.js';
import { Adam, FastArena, LayerNormMlp, polyakUpdate, type AdamState } from '../../nn/fast/index.js';

/** Options of {@link ValueHeads}. */
export interface ValueHeadsOptions {
  readonly inputSize: number;
  readonly hidden: readonly number[];
  /** Independent networks (2: twin heads; their minimum is the target value). */
  readonly heads: number;
  /** Hidden layers as Linear → LayerNorm → ReLU. */
  readonly layerNorm: boolean;
  /** Adam's learning rate. */
  readonly lr: number;
  /** Passes: sets of networks with their own activations and gradients (one per input batch that needs a backward before the next forward). */
  readonly passes?: number;
  /** Initialisation stream. */
  readonly rng: Rng;
}

/** Serialisable state of {@link ValueHeads}. */
export interface ValueHeadsState {
  readonly params: Float64Array;
  readonly target: Float64Array;
  readonly adam: AdamState;
}

/**
 * One forward/backward context of every head on the shared parameters. Values and their
 * gradients are `heads × B`, head-major.
 */
export class ValuePass {
  /** Gradient of the last {@link backward} w.r.t. every parameter of every head (flat, same layout as {@link ValueHeads.params}). */
  readonly grads: Float64Array;
  private readonly nets: LayerNormMlp[];
  private values = new Float64Array(0);
  private inferred = new Float64Array(0);
  private inputGrads = new Float64Array(0);

  /** @internal */
  constructor(nets: LayerNormMlp[], grads: Float64Array) {
    this.nets = nets;
    this.grads = grads;
  }

  /** Values of every head on `batch` inputs (a view valid until the next forward of this pass); keeps the activations for {@link backward}. */
  forward(input: ArrayLike<number>, batch: number): Float64Array {
    if (this.values.length < this.nets.length * batch) this.values = new Float64Array(this.nets.length * batch);
    this.nets.forEach((net, k) => this.values.set(net.forward(input, batch).subarray(0, batch), k * batch));
    return this.values.subarray(0, this.nets.length * batch);
  }

  /** Values of every head without keeping activations (a pending backward stays valid); a view valid until the next inference of this pass. */
  inference(input: ArrayLike<number>, batch: number): Float64Array {
    if (this.inferred.length < this.nets.length * batch) this.inferred = new Float64Array(this.nets.length * batch);
    this.nets.forEach((net, k) => this.inferred.set(net.forwardInference(input, batch).subarray(0, batch), k * batch));
    return this.inferred.subarray(0, this.nets.length * batch);
  }

  /** Overwrites {@link grads} with the gradient for ∂L/∂values `gradValues` (`heads × B`) of the last forward. */
  backward(gradValues: Float64Array, batch: number): void {
    this.nets.forEach((net, k) => net.backward(gradValues.subarray(k * batch, (k + 1) * batch), batch));
  }

  /**
   * As {@link backward}, and returns ∂L/∂input summed over the heads (B × input size, a view
   * valid until the next call): what a loss on the values of a differentiable input needs (SAC's
   * actor, through the critic to the actions).
   */
  backwardToInput(gradValues: Float64Array, batch: number): Float64Array {
    this.nets.forEach((net, k) => {
      const g = net.backward(gradValues.subarray(k * batch, (k + 1) * batch), batch, true) as Float64Array;
      const n = g.length;
      if (this.inputGrads.length < n) this.inputGrads = new Float64Array(n);
      if (k === 0) this.inputGrads.set(g);
      else for (let i = 0; i < n; i++) this.inputGrads[i] = (this.inputGrads[i] as number) + (g[i] as number);
    });
    return this.inputGrads.subarray(0, batch * (this.nets[0] as LayerNormMlp).inputSize);
  }
}

/** `heads` value networks, their target copies and their optimiser. */
export class ValueHeads {
  readonly heads: number;
  /** Parameters of one head. */
  readonly headParamCount: number;
  /** Every head's parameters, head after head. */
  readonly params: Float64Array;
  /** The target networks' parameters (same layout). */
  readonly target: Float64Array;
  readonly adam: Adam;
  private readonly passList: ValuePass[];
  private readonly targetNets: LayerNormMlp[];
  private targetValues = new Float64Array(0);

  constructor(options: ValueHeadsOptions) {
    const sizes = [options.inputSize, ...options.hidden, 1];
    this.heads = options.heads;
    this.headParamCount = LayerNormMlp.paramCount(sizes, options.layerNorm);
    const total = this.heads * this.headParamCount;
    // One arena for every vector: the dense layers need parameters and gradients in one memory.
    const arena = FastArena.create();
    const alloc = (n: number) => arena?.alloc(n) ?? new Float64Array(n);
    this.params = alloc(total);
    this.target = alloc(total);
    const headsOn = (params: Float64Array, grads: Float64Array) =>
      Array.from({ length: this.heads }, (_, k) => {
        const range = [k * this.headParamCount, (k + 1) * this.headParamCount] as const;
        return new LayerNormMlp({ sizes, layerNorm: options.layerNorm, params: params.subarray(...range), grads: grads.subarray(...range) });
      });
    const passes = Array.from({ length: options.passes ?? 1 }, () => {
      const grads = alloc(total);
      return { nets: headsOn(this.params, grads), grads };
    });
    // Each head draws from its own stream, so adding a head leaves the others' initial weights alone.
    passes[0]?.nets.forEach((net, k) => net.initFanInUniform(options.rng.split(`head${k}`)));
    this.passList = passes.map((p) => new ValuePass(p.nets, p.grads));
    this.targetNets = headsOn(this.target, alloc(total));
    this.target.set(this.params);
    this.adam = new Adam(total, { lr: options.lr });
  }

  /** The i-th pass (0 ≤ i < `passes`). */
  pass(i: number): ValuePass {
    const p = this.passList[i];
    if (p === undefined) throw new RangeError(`ValueHeads: pass ${i} of ${this.passList.length}`);
    return p;
  }

  /** The target networks' values (`heads × B`, a view valid until the next call). */
  targetForward(input: ArrayLike<number>, batch: number): Float64Array {
    if (this.targetValues.length < this.heads * batch) this.targetValues = new Float64Array(this.heads * batch);
    this.targetNets.forEach((net, k) => this.targetValues.set(net.forwardInference(input, batch).subarray(0, batch), k * batch));
    return this.targetValues.subarray(0, this.heads * batch);
  }

  /** min over the target heads, per row, into `out`. */
  targetMin(input: ArrayLike<number>, batch: number, out: Float64Array): void {
    minOverHeads(this.targetForward(input, batch), this.heads, batch, out);
  }

  /** One Adam step of every head from `grads` (flat, {@link params}' layout). */
  step(grads: Float64Array, lr?: number): void {
    this.adam.step(this.params, grads, lr);
  }

  /** Polyak averaging target ← (1 − τ)·target + τ·online (the reference codes' `tau` / `alpha` = 0.005). */
  softUpdate(tau: number): void {
    polyakUpdate(this.target, this.params, tau);
  }

  getState(): ValueHeadsState {
    return { params: this.params.slice(), target: this.target.slice(), adam: this.adam.getState() };
  }

  setState(state: ValueHeadsState): void {
    if (state.params.length !== this.params.length) throw new RangeError(`ValueHeads: state has ${state.params.length} parameters, these networks ${this.params.length}`);
    this.params.set(state.params);
    this.target.set(state.target);
    this.adam.setState(state.adam);
  }
}

/** Per row, the minimum over `heads` head-major value rows. */
export function minOverHeads(values: ArrayLike<number>, heads: number, batch: number, out: Float64Array): void {
  for (let b = 0; b < batch; b++) {
    let m = values[b] as number;
    for (let k = 1; k < heads; k++) m = Math.min(m, values[k * batch + b] as number);
    out[b] = m;
  }
}
