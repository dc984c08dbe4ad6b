/**
 * SAC's actor: an MLP giving the mean μ and log σ of a diagonal Gaussian per observation
 * (SB3's `Actor`: a latent network, then the two linear heads, here one output layer of 2·A),
 * log σ clamped to [−20, 2], sampled with reparameterised noise u = μ + σ·ε and squashed,
 * t = tanh(u) ∈ (−1, 1)^A.
 * @module
 */

import { squashedLogProb } from '../../algorithms/sac.js';
import type { Rng } from '../../core/rng.js';
import { Adam, FastMlp, initFanInUniform, type AdamState } from '../../nn/fast/index.js';

/** SB3's bounds of log σ. */
export const SAC_LOG_STD_MIN = -20;
export const SAC_LOG_STD_MAX = 2;

/** Options of {@link SacPolicy}. */
export interface SacPolicyOptions {
  readonly observationSize: number;
  readonly actionSize: number;
  readonly hidden: readonly number[];
  readonly activation: 'tanh' | 'relu';
  readonly learningRate: number;
  /**
   * Sizes of the action's entropy groups, in order, summing to `actionSize` (default one group):
   * each gets its own log-probability (SAC-RS: the action, then the next internal state).
   */
  readonly groups?: readonly number[];
  /** Initial weights (PyTorch's default `nn.Linear` initialisation, as SB3 leaves it). */
  readonly rng: Rng;
}

/** Serialisable state of a {@link SacPolicy}. */
export interface SacPolicyState {
  readonly params: Float64Array;
  readonly adam: AdamState;
}

/**
 * The squashed Gaussian policy with its optimiser. {@link sample} keeps what {@link backward}
 * needs (one pending sample at a time); {@link infer} and {@link mode} leave it intact.
 */
export class SacPolicy {
  readonly net: FastMlp;
  readonly adam: Adam;
  readonly actionSize: number;
  readonly observationSize: number;
  /** Sizes of the entropy groups (see {@link SacPolicyOptions.groups}). */
  readonly groups: readonly number[];
  /** The group of each action entry. */
  private readonly groupOf: Int32Array;
  /** Of the last {@link sample}: noise, pre-squash sample, clamped log σ, squashed action t and log π per group (rows × A, rows × groups). */
  private eps = new Float64Array(0);
  private u = new Float64Array(0);
  private logStd = new Float64Array(0);
  private t = new Float64Array(0);
  private logProbs = new Float64Array(0);
  private gradOut = new Float64Array(0);
  private sampled = 0;
  /** Scratch of {@link infer}, apart from the pending sample's. */
  private spare = { eps: new Float64Array(0), u: new Float64Array(0), logStd: new Float64Array(0) };

  constructor(options: SacPolicyOptions) {
    this.actionSize = options.actionSize;
    this.observationSize = options.observationSize;
    this.groups = options.groups ?? [options.actionSize];
    if (this.groups.some((g) => !Number.isInteger(g) || g < 1) || this.groups.reduce((a, b) => a + b, 0) !== options.actionSize) {
      throw new RangeError(`SacPolicy: entropy groups [${this.groups.join(', ')}] must be positive and sum to the action size ${options.actionSize}`);
    }
    this.groupOf = new Int32Array(options.actionSize);
    let at = 0;
    this.groups.forEach((size, g) => {
      this.groupOf.fill(g, at, at + size);
      at += size;
    });
    this.net = new FastMlp({ sizes: [options.observationSize, ...options.hidden, 2 * options.actionSize], activation: options.activation });
    initFanInUniform(this.net, options.rng);
    this.adam = new Adam(this.net.paramCount, { lr: options.learningRate });
  }

  private ensure(batch: number): void {
    const A = this.actionSize;
    if (this.t.length >= batch * A) return;
    this.eps = new Float64Array(batch * A);
    this.u = new Float64Array(batch * A);
    this.logStd = new Float64Array(batch * A);
    this.t = new Float64Array(batch * A);
    this.logProbs = new Float64Array(batch * this.groups.length);
    this.gradOut = new Float64Array(batch * 2 * A);
  }

  /**
   * Samples t for `batch` observations with standard normals from `rng`, keeping the network's
   * activations for {@link backward}; returns views of t (batch × A) and log π per group
   * (batch × groups), valid until the next sample.
   */
  sample(observations: ArrayLike<number>, batch: number, rng: Rng): { readonly actions: Float64Array; readonly logProbs: Float64Array } {
    this.ensure(batch);
    const out = this.net.forward(observations, batch);
    this.draw(out, batch, rng, this.eps, this.u, this.logStd, this.t, this.logProbs);
    this.sampled = batch;
    return { actions: this.t.subarray(0, batch * this.actionSize), logProbs: this.logProbs.subarray(0, batch * this.groups.length) };
  }

  /** As {@link sample}, into the caller's arrays (log π: batch × groups), without disturbing a pending {@link backward}. */
  infer(observations: ArrayLike<number>, batch: number, rng: Rng, actions: Float64Array, logProbs: Float64Array): void {
    const A = this.actionSize;
    if (this.spare.eps.length < batch * A) this.spare = { eps: new Float64Array(batch * A), u: new Float64Array(batch * A), logStd: new Float64Array(batch * A) };
    const out = this.net.forwardInference(observations, batch);
    this.draw(out, batch, rng, this.spare.eps, this.spare.u, this.spare.logStd, actions, logProbs);
  }

  /** The deterministic action tanh(μ) of `batch` observations into `actions` (batch × A). */
  mode(observations: ArrayLike<number>, batch: number, actions: Float64Array): void {
    const A = this.actionSize;
    const out = this.net.forwardInference(observations, batch);
    for (let b = 0; b < batch; b++) for (let j = 0; j < A; j++) actions[b * A + j] = Math.tanh(out[b * 2 * A + j] as number);
  }

  private draw(out: ArrayLike<number>, batch: number, rng: Rng, eps: Float64Array, u: Float64Array, logStd: Float64Array, t: Float64Array, logProbs: Float64Array): void {
    const A = this.actionSize;
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < A; j++) {
        const k = b * A + j;
        const ls = Math.min(SAC_LOG_STD_MAX, Math.max(SAC_LOG_STD_MIN, out[b * 2 * A + A + j] as number));
        const e = rng.normal();
        eps[k] = e;
        logStd[k] = ls;
        u[k] = (out[b * 2 * A + j] as number) + Math.exp(ls) * e;
        t[k] = Math.tanh(u[k] as number);
      }
      let start = 0;
      this.groups.forEach((size, g) => {
        logProbs[b * this.groups.length + g] = squashedLogProb(eps, logStd, u, b * A + start, size);
        start += size;
      });
    }
  }

  /**
   * Backward of the last {@link sample} for a loss with ∂L/∂t = `gradActions` (batch × A) and
   * ∂L/∂log π_g = `gradLogProbs` (batch × groups): overwrites the network's gradients. Through the
   * reparameterisation ∂u/∂μ = 1 and ∂u/∂log σ = σ·ε; log π depends on log σ directly (−1) and
   * on u through the squash (∂/∂u of −log(1 − tanh²u) is 2·tanh u); the clamp passes no gradient
   * to a log σ outside its bounds.
   */
  backward(gradActions: ArrayLike<number>, gradLogProbs: ArrayLike<number>): void {
    const batch = this.sampled;
    const A = this.actionSize;
    const g = this.gradOut;
    const G = this.groups.length;
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < A; j++) {
        const gl = gradLogProbs[b * G + (this.groupOf[j] as number)] as number;
        const k = b * A + j;
        const t = this.t[k] as number;
        const gu = (gradActions[k] as number) * (1 - t * t) + gl * 2 * t;
        const ls = this.logStd[k] as number;
        const inside = ls > SAC_LOG_STD_MIN && ls < SAC_LOG_STD_MAX;
        g[b * 2 * A + j] = gu;
        g[b * 2 * A + A + j] = inside ? gu * Math.exp(ls) * (this.eps[k] as number) - gl : 0;
      }
    }
    this.net.backward(g.subarray(0, batch * 2 * A), batch);
  }

  /** One Adam step from the gradients of the last {@link backward}. */
  step(lr?: number): void {
    this.adam.step(this.net.params, this.net.grads, lr);
  }

  getState(): SacPolicyState {
    return { params: this.net.params.slice(), adam: this.adam.getState() };
  }

  setState(state: SacPolicyState): void {
    if (state.params.length !== this.net.paramCount) throw new RangeError(`SacPolicy: state has ${state.params.length} parameters, this network ${this.net.paramCount}`);
    this.net.params.set(state.params);
    this.adam.setState(state.adam);
  }
}
