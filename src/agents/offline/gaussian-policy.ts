/**
 * The policy the offline agents extract: a diagonal Gaussian whose mean is an MLP of the
 * observation and whose log-std is a state-independent parameter clamped to [−5, 2]
 * (O-DICE's and IQL-PyTorch's `GaussianPolicy`: mean not squashed, evaluated with the mean
 * action clipped to the action bounds), trained by weighted maximum likelihood of the dataset
 * actions.
 * @module
 */

import type { Rng } from '../../core/rng.js';
import { clampLogStd, weightedGaussianNll } from '../../algorithms/weighted-likelihood.js';
import { Adam, FastArena, FastMlp, initFanInUniform, type AdamState } from '../../nn/fast/index.js';

/** Options of {@link OfflineGaussianPolicy}. */
export interface OfflineGaussianPolicyOptions {
  readonly observationSize: number;
  readonly actionSize: number;
  readonly hidden: readonly number[];
  readonly logStdMin: number;
  readonly logStdMax: number;
  readonly lr: number;
  /** Adam's coupled L2 penalty (O-DICE: 1e-4). */
  readonly weightDecay: number;
  /** Action bounds (Box low/high), for clipping acted actions. */
  readonly low: ArrayLike<number>;
  readonly high: ArrayLike<number>;
  /** Initialisation stream. */
  readonly rng: Rng;
}

/** Serialisable state of an {@link OfflineGaussianPolicy}. */
export interface OfflineGaussianPolicyState {
  readonly params: Float64Array;
  readonly adam: AdamState;
}

/** What one policy update reports. */
export interface PolicyUpdate {
  /** Weighted negative log-likelihood (the loss). */
  readonly loss: number;
  /** Unweighted mean negative log-likelihood of the dataset actions. */
  readonly nll: number;
}

/** A Gaussian MLP policy with a clamped state-independent log-std, its Adam, and its acting buffers. */
export class OfflineGaussianPolicy {
  readonly net: FastMlp;
  /** Mean network parameters, then the log-std (one flat vector for Adam and checkpoints). */
  readonly params: Float64Array;
  readonly grads: Float64Array;
  readonly logStd: Float64Array;
  readonly adam: Adam;
  readonly actionSize: number;
  private readonly options: OfflineGaussianPolicyOptions;
  private readonly gradLogStd: Float64Array;
  private gradMean = new Float64Array(0);
  private actions = new Float32Array(0);

  constructor(options: OfflineGaussianPolicyOptions) {
    this.options = options;
    this.actionSize = options.actionSize;
    const sizes = [options.observationSize, ...options.hidden, options.actionSize];
    const netCount = FastMlp.paramCount(sizes);
    const total = netCount + options.actionSize;
    const arena = FastArena.create();
    this.params = arena?.alloc(total) ?? new Float64Array(total);
    this.grads = arena?.alloc(total) ?? new Float64Array(total);
    this.net = new FastMlp({ sizes, activation: 'relu', params: this.params.subarray(0, netCount), grads: this.grads.subarray(0, netCount) });
    initFanInUniform(this.net, options.rng);
    this.logStd = this.params.subarray(netCount); // nn.Parameter(torch.zeros(act_dim))
    this.gradLogStd = this.grads.subarray(netCount);
    this.adam = new Adam(total, { lr: options.lr, weightDecay: options.weightDecay });
  }

  /** One Adam step of the weighted likelihood loss mean_b w_b·(−log π(a_b|s_b)) on `batch` rows. */
  update(observations: Float32Array, actions: Float32Array, weights: Float64Array, batch: number, lr: number): PolicyUpdate {
    const mean = this.net.forward(observations, batch);
    if (this.gradMean.length < batch * this.actionSize) this.gradMean = new Float64Array(batch * this.actionSize);
    const { loss, nll } = weightedGaussianNll(
      { batch, actionDim: this.actionSize, mean, logStd: this.logStd, logStdMin: this.options.logStdMin, logStdMax: this.options.logStdMax, actions, weights },
      this.gradMean,
      this.gradLogStd,
    );
    this.net.backward(this.gradMean, batch);
    this.adam.step(this.params, this.grads, lr);
    return { loss, nll };
  }

  /**
   * Actions for `n` observations, clipped to the bounds: the mean (deterministic; how the
   * reference codes evaluate) or a sample of the clamped Gaussian. A view valid until the next call.
   */
  act(observations: Float32Array, n: number, deterministic: boolean, rng: Rng): Float32Array {
    const d = this.actionSize;
    if (this.actions.length < n * d) this.actions = new Float32Array(n * d);
    const mean = this.net.forwardInference(observations, n);
    const { low, high, logStdMin, logStdMax } = this.options;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const k = i * d + j;
        let a = mean[k] as number;
        if (!deterministic) a += Math.exp(clampLogStd(this.logStd[j] as number, logStdMin, logStdMax)) * rng.normal();
        this.actions[k] = Math.min(Math.max(a, low[j] as number), high[j] as number);
      }
    }
    return this.actions.subarray(0, n * d);
  }

  getState(): OfflineGaussianPolicyState {
    return { params: this.params.slice(), adam: this.adam.getState() };
  }

  setState(state: OfflineGaussianPolicyState): void {
    if (state.params.length !== this.params.length) throw new RangeError(`OfflineGaussianPolicy: state has ${state.params.length} parameters, this policy ${this.params.length}`);
    this.params.set(state.params);
    this.adam.setState(state.adam);
  }
}
