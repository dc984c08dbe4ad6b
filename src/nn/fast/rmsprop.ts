import type { FloatArray } from './kernels.js';

/** Hyperparameters of {@link RmsProp}. */
export interface RmsPropOptions {
  /** Learning rate (default 1e-2 as PyTorch; SB3's A2C passes 7e-4); can be changed per step. */
  readonly lr?: number;
  /** Decay of the squared-gradient average (default 0.99, PyTorch's and SB3 A2C's). */
  readonly alpha?: number;
  /** Added to √(average) — outside the square root, as PyTorch (default 1e-8; SB3's A2C uses 1e-5). */
  readonly eps?: number;
}

/** Serialisable state of an {@link RmsProp} optimiser, for bit-exact resume. */
export interface RmsPropState {
  /** Running average of squared gradients, one per parameter. */
  readonly squareAvg: Float64Array;
  /** Number of steps taken. */
  readonly t: number;
}

/**
 * RMSprop over one flat parameter vector with PyTorch's update (`torch.optim.RMSprop`,
 * single-tensor path, no momentum, not centred, no weight decay — how SB3's A2C builds it):
 *
 *     s ← α·s + (1 − α)·g·g
 *     p ← p − lr · g / (√s + eps)
 *
 * The state starts at zero (no bias correction), so early steps are large: the first one moves
 * each parameter by lr·g/(√(1−α)·|g| + eps) ≈ 10·lr·sign(g) with α = 0.99. (TensorFlow's
 * RMSprop — SB3's `RMSpropTFLike` — differs: eps inside the root and the average starting at 1.)
 * Elementwise, so one optimiser over several networks' parameters equals one per network.
 */
export class RmsProp {
  /** Learning rate used by {@link RmsProp.step} when none is passed. */
  lr: number;
  readonly alpha: number;
  readonly eps: number;
  /** Number of parameters. */
  readonly size: number;
  private readonly squareAvg: Float64Array;
  private steps = 0;

  constructor(size: number, options: RmsPropOptions = {}) {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`RmsProp: size must be a non-negative integer, got ${size}`);
    this.size = size;
    this.lr = options.lr ?? 1e-2;
    this.alpha = options.alpha ?? 0.99;
    this.eps = options.eps ?? 1e-8;
    this.squareAvg = new Float64Array(size);
  }

  /** Steps taken so far. */
  get t(): number {
    return this.steps;
  }

  /** One update of `params` in place from `grads` (both of length {@link RmsProp.size}). */
  step(params: FloatArray, grads: FloatArray, lr: number = this.lr): void {
    const n = this.size;
    if (params.length !== n || grads.length !== n) throw new RangeError(`RmsProp: expected ${n} parameters and gradients, got ${params.length} and ${grads.length}`);
    this.steps++;
    const { alpha, eps, squareAvg } = this;
    const w = 1 - alpha;
    for (let i = 0; i < n; i++) {
      const g = grads[i] as number;
      // square_avg.mul_(alpha).addcmul_(grad, grad, value=1-alpha); avg = sqrt(square_avg) + eps
      const s = (squareAvg[i] as number) * alpha + w * g * g;
      squareAvg[i] = s;
      params[i] = (params[i] as number) - (lr * g) / (Math.sqrt(s) + eps);
    }
  }

  /** Copy of the optimiser state. */
  getState(): RmsPropState {
    return { squareAvg: this.squareAvg.slice(), t: this.steps };
  }

  /** Restores a state from {@link RmsProp.getState}; the next step continues bit-exactly. */
  setState(state: RmsPropState): void {
    if (state.squareAvg.length !== this.size) throw new RangeError(`RmsProp: state is for ${state.squareAvg.length} parameters, this optimiser has ${this.size}`);
    if (!Number.isInteger(state.t) || state.t < 0) throw new RangeError(`RmsProp: invalid step count ${state.t}`);
    this.squareAvg.set(state.squareAvg);
    this.steps = state.t;
  }

  /** Forgets the average and the step count. */
  reset(): void {
    this.squareAvg.fill(0);
    this.steps = 0;
  }
}
