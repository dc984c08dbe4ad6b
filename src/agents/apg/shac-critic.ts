/**
 * SHAC's critic: a value network V_φ trained by regression on a window's TD(λ) targets, and a
 * target copy, soft-updated after every iteration, that supplies the terminal values of the
 * actor's loss and the bootstrap values of the targets (NVlabs/DiffRL `algorithms/shac.py`).
 * @module
 */

import type { Rng } from '../../core/rng.js';
import { Adam, clipGradNorm, FastMlp, initOrthogonal, type AdamState } from '../../nn/fast/index.js';

/** Options of {@link ShacCritic}. */
export interface ShacCriticOptions {
  readonly observationSize: number;
  readonly hidden: readonly number[];
  readonly activation: 'tanh' | 'relu';
  readonly betas: readonly [number, number];
  readonly rng: Rng;
}

/** Serialisable state of a {@link ShacCritic}. */
export interface ShacCriticState {
  readonly params: Float64Array;
  readonly target: Float64Array;
  readonly adam: AdamState;
}

/** What one {@link ShacCritic.fit} reports. */
export interface CriticFitResult {
  /** Mean minibatch loss of the last pass (SHAC's `value_loss`). */
  readonly loss: number;
  /** Mean gradient norm before clipping over every minibatch. */
  readonly gradNorm: number;
}

/** The value network, its target copy and its optimiser. */
export class ShacCritic {
  readonly net: FastMlp;
  readonly target: FastMlp;
  readonly adam: Adam;
  private gradOut = new Float64Array(0);

  constructor(options: ShacCriticOptions) {
    const sizes = [options.observationSize, ...options.hidden, 1];
    this.net = new FastMlp({ sizes, activation: options.activation });
    // SHAC's CriticMLP: orthogonal with gain √2 on every layer, zero biases.
    initOrthogonal(this.net, options.rng, { hiddenGain: Math.SQRT2, outputGain: Math.SQRT2 });
    this.target = new FastMlp({ sizes, activation: options.activation });
    this.target.copyParamsFrom(this.net);
    this.adam = new Adam(this.net.paramCount, { beta1: options.betas[0], beta2: options.betas[1] });
  }

  /** Target-network values of `n` normalised observations into `out` (leaves no pending backward). */
  targetValues(obs: ArrayLike<number>, n: number, out: Float64Array): void {
    const v = this.target.forwardInference(obs, n);
    for (let i = 0; i < n; i++) out[i] = v[i] as number;
  }

  /**
   * ∂(Σ_i coef_i·V_target(obs_i))/∂obs for `n` rows: a view (n × observationSize) valid until
   * the next call. The target network's own parameter gradients are discarded.
   */
  targetInputGrad(obs: ArrayLike<number>, n: number, coef: ArrayLike<number>): Float64Array {
    this.target.forward(obs, n);
    return this.target.backward(coef, n, true) as Float64Array;
  }

  /** Online-network values (for diagnostics such as explained variance). */
  values(obs: ArrayLike<number>, n: number, out: Float64Array): void {
    const v = this.net.forwardInference(obs, n);
    for (let i = 0; i < n; i++) out[i] = v[i] as number;
  }

  /**
   * SHAC's critic training: `iterations` passes over the `n` rows of (`obs`, `targets`) in
   * dataset order, cut into `minibatches` consecutive minibatches of ⌈n/minibatches⌉ rows
   * (SHAC's CriticDataset, no shuffling); per minibatch loss mean((V − y)²), gradient clipped to
   * `maxGradNorm`, one Adam step at `lr`.
   */
  fit(obs: Float64Array, targets: Float64Array, n: number, iterations: number, minibatches: number, lr: number, maxGradNorm: number): CriticFitResult {
    const d = this.net.inputSize;
    const size = Math.floor((n - 1) / minibatches) + 1;
    if (this.gradOut.length < size) this.gradOut = new Float64Array(size);
    let loss = 0;
    let normSum = 0;
    let normCount = 0;
    for (let it = 0; it < iterations; it++) {
      let total = 0;
      let count = 0;
      for (let start = 0; start < n; start += size) {
        const m = Math.min(size, n - start);
        const rows = obs.subarray(start * d, (start + m) * d);
        const v = this.net.forward(rows, m);
        let l = 0;
        for (let i = 0; i < m; i++) {
          const diff = (v[i] as number) - (targets[start + i] as number);
          l += diff * diff;
          this.gradOut[i] = (2 * diff) / m;
        }
        this.net.backward(this.gradOut, m, false);
        normSum += clipGradNorm(this.net.grads, maxGradNorm);
        normCount++;
        this.adam.step(this.net.params, this.net.grads, lr);
        total += l / m;
        count++;
      }
      loss = total / count;
    }
    return { loss, gradNorm: normSum / Math.max(1, normCount) };
  }

  /** target ← α·target + (1 − α)·online (SHAC: `param_targ.mul_(alpha).add_((1 − alpha)·param)`). */
  softUpdate(alpha: number): void {
    const t = this.target.params;
    const p = this.net.params;
    for (let i = 0; i < t.length; i++) t[i] = (t[i] as number) * alpha + (1 - alpha) * (p[i] as number);
  }

  getState(): ShacCriticState {
    return { params: this.net.params.slice(), target: this.target.params.slice(), adam: this.adam.getState() };
  }

  setState(state: ShacCriticState): void {
    this.net.params.set(state.params);
    this.target.params.set(state.target);
    this.adam.setState(state.adam);
  }
}
