/**
 * The policy of the gradient agents: a tanh-squashed Gaussian with reparameterised noise,
 *
 *     u = μ_θ(x) + σ ⊙ ε,   ε ~ N(0, I),   σ = exp(logStd)   (state-independent)
 *     a = mid + half ⊙ tanh(u)                               (the control range [low, high])
 *
 * so that a is a differentiable function of θ, logStd and the (normalised) observation x.
 *
 * Why tanh rather than clipping: the physics clamps controls to their range and its VJP is 0
 * outside it, so with a clipped Gaussian every action beyond the range would lose the
 * gradient of the dynamics while the control cost still pulled on it; tanh keeps a gradient
 * everywhere, and is what SHAC does (`env.step(torch.tanh(actions))`) and PHYSICS.md §7.3 asks.
 * @module
 */

import type { Rng } from '../../core/rng.js';
import { FastMlp, initOrthogonal } from '../../nn/fast/index.js';

/** Options of {@link SquashedGaussianPolicy}. */
export interface SquashedGaussianPolicyOptions {
  readonly observationSize: number;
  /** Lower and upper bounds of each action entry (finite). */
  readonly low: readonly number[];
  readonly high: readonly number[];
  /** Hidden widths of the mean network. */
  readonly hidden: readonly number[];
  readonly activation: 'tanh' | 'relu';
  /** Initial log σ of every entry. */
  readonly logStdInit: number;
  /** Stream of the initial weights (orthogonal, gain √2 hidden, 0.01 output: CleanRL's policy init). */
  readonly rng: Rng;
}

/** Serialisable parameters of a {@link SquashedGaussianPolicy}. */
export interface SquashedGaussianPolicyState {
  readonly mean: Float64Array;
  readonly logStd: Float64Array;
}

/**
 * A tanh-squashed diagonal Gaussian policy on a {@link FastMlp} mean. Gradients of a loss on
 * the actions accumulate in {@link SquashedGaussianPolicy.meanGrad} and
 * {@link SquashedGaussianPolicy.logStdGrad} over any number of {@link SquashedGaussianPolicy.backward}
 * calls (one per step of a window) until {@link SquashedGaussianPolicy.zeroGrad}.
 */
export class SquashedGaussianPolicy {
  readonly net: FastMlp;
  /** log σ per action entry (a parameter). */
  readonly logStd: Float64Array;
  /** Accumulated ∂L/∂(mean network parameters), layout of `net.params`. */
  readonly meanGrad: Float64Array;
  /** Accumulated ∂L/∂logStd. */
  readonly logStdGrad: Float64Array;
  readonly actionSize: number;
  readonly observationSize: number;
  private readonly mid: Float64Array;
  private readonly half: Float64Array;
  private readonly std: Float64Array;
  private uBar = new Float64Array(0);

  constructor(options: SquashedGaussianPolicyOptions) {
    const nu = options.low.length;
    if (options.high.length !== nu || nu === 0) throw new RangeError('SquashedGaussianPolicy: low and high need the same, non-zero length');
    this.actionSize = nu;
    this.observationSize = options.observationSize;
    this.mid = new Float64Array(nu);
    this.half = new Float64Array(nu);
    for (let u = 0; u < nu; u++) {
      const lo = options.low[u] as number;
      const hi = options.high[u] as number;
      if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) throw new RangeError(`SquashedGaussianPolicy: action entry ${u} needs a finite range, got [${lo}, ${hi}]`);
      this.mid[u] = (lo + hi) / 2;
      this.half[u] = (hi - lo) / 2;
    }
    this.net = new FastMlp({ sizes: [options.observationSize, ...options.hidden, nu], activation: options.activation });
    initOrthogonal(this.net, options.rng, { outputGain: 0.01 });
    this.logStd = new Float64Array(nu).fill(options.logStdInit);
    this.meanGrad = new Float64Array(this.net.paramCount);
    this.logStdGrad = new Float64Array(nu);
    this.std = new Float64Array(nu);
  }

  /** Clears the accumulated gradients. */
  zeroGrad(): void {
    this.meanGrad.fill(0);
    this.logStdGrad.fill(0);
  }

  /**
   * Actions for `B` rows of normalised observations `obs` (B × observationSize): with noise
   * `eps` (B × actionSize standard normals), or the mode mid + half·tanh(μ) when `eps` is null.
   * Writes tanh(u) to `squashed` and the actions to `actions` (both B × actionSize). Leaves any
   * pending backward of the network intact.
   */
  act(obs: ArrayLike<number>, B: number, eps: ArrayLike<number> | null, squashed: Float64Array, actions: Float64Array | Float32Array): void {
    const nu = this.actionSize;
    const mu = this.net.forwardInference(obs, B);
    for (let u = 0; u < nu; u++) this.std[u] = Math.exp(this.logStd[u] as number);
    for (let w = 0; w < B; w++) {
      for (let u = 0; u < nu; u++) {
        const k = w * nu + u;
        const pre = eps === null ? (mu[k] as number) : (mu[k] as number) + (this.std[u] as number) * (eps[k] as number);
        const t = Math.tanh(pre);
        squashed[k] = t;
        actions[k] = (this.mid[u] as number) + (this.half[u] as number) * t;
      }
    }
  }

  /**
   * Backward of {@link SquashedGaussianPolicy.act} for the same `obs`, `eps` and its `squashed`
   * output, given ∂L/∂a (`actionsBar`, B × actionSize): **adds** to the parameter gradients and,
   * when `inputGrad`, returns ∂L/∂obs (B × observationSize, a view valid until the next call),
   * else null. Recomputes the network's forward pass (its activations are not kept per step).
   */
  backward(obs: ArrayLike<number>, B: number, eps: ArrayLike<number> | null, squashed: ArrayLike<number>, actionsBar: ArrayLike<number>, inputGrad: boolean): Float64Array | null {
    const nu = this.actionSize;
    if (this.uBar.length < B * nu) this.uBar = new Float64Array(B * nu);
    const uBar = this.uBar;
    for (let u = 0; u < nu; u++) this.std[u] = Math.exp(this.logStd[u] as number);
    for (let w = 0; w < B; w++) {
      for (let u = 0; u < nu; u++) {
        const k = w * nu + u;
        const t = squashed[k] as number;
        const g = (actionsBar[k] as number) * (this.half[u] as number) * (1 - t * t);
        uBar[k] = g;
        // u = μ + exp(logStd)·ε: ∂u/∂logStd = σ·ε.
        if (eps !== null) this.logStdGrad[u] = (this.logStdGrad[u] as number) + g * (this.std[u] as number) * (eps[k] as number);
      }
    }
    this.net.forward(obs, B);
    const gIn = this.net.backward(uBar, B, inputGrad);
    const grads = this.net.grads;
    const acc = this.meanGrad;
    for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] as number) + (grads[i] as number);
    return gIn;
  }

  /**
   * log-density of `actions` (B rows) under the policy at `obs`: the Gaussian density of
   * u = atanh(tanh-part) minus the log-Jacobian Σ log(half·(1 − tanh²u)). Uses the given
   * pre-computed `squashed` values and the mean of a fresh forward.
   */
  logProb(obs: ArrayLike<number>, B: number, squashed: ArrayLike<number>, out: Float64Array): void {
    const nu = this.actionSize;
    const mu = this.net.forwardInference(obs, B);
    const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
    for (let w = 0; w < B; w++) {
      let lp = 0;
      for (let u = 0; u < nu; u++) {
        const k = w * nu + u;
        const t = Math.min(Math.max(squashed[k] as number, -1 + 1e-12), 1 - 1e-12);
        const pre = Math.atanh(t);
        const ls = this.logStd[u] as number;
        const z = (pre - (mu[k] as number)) / Math.exp(ls);
        lp += -0.5 * z * z - ls - LOG_SQRT_2PI - Math.log((this.half[u] as number) * (1 - t * t));
      }
      out[w] = lp;
    }
  }

  /** Entropy of the Gaussian before squashing, Σ (½ log 2πe + log σ) (what SAC-style agents log). */
  gaussianEntropy(): number {
    let h = 0;
    for (let u = 0; u < this.actionSize; u++) h += 0.5 * Math.log(2 * Math.PI * Math.E) + (this.logStd[u] as number);
    return h;
  }

  getState(): SquashedGaussianPolicyState {
    return { mean: this.net.params.slice(), logStd: this.logStd.slice() };
  }

  setState(state: SquashedGaussianPolicyState): void {
    if (state.mean.length !== this.net.paramCount || state.logStd.length !== this.actionSize) throw new RangeError('SquashedGaussianPolicy: state does not fit this network');
    this.net.params.set(state.mean);
    this.logStd.set(state.logStd);
  }
}
