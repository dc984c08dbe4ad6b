/**
 * Observation normalisation for gradient windows (SHAC's `obs_rms`): running statistics
 * updated with every observation the training worlds produce, and a frozen copy taken at the
 * start of each window that normalises everything inside it, so that the normalisation is a
 * fixed affine map within a window's gradient, x = (o − mean)·invStd with
 * invStd = 1/√(var + 1e-5) (SHAC's RunningMeanStd.normalize; no clipping).
 * @module
 */

import { RunningMeanStd, type RunningMeanStdState } from '../../envs/wrappers/running-mean-std.js';

/** SHAC's `RunningMeanStd.normalize` epsilon. */
export const NORMALIZER_EPSILON = 1e-5;

/** Running observation statistics with a per-window frozen copy (identity when disabled). */
export class WindowNormalizer {
  readonly rms: RunningMeanStd;
  /** The frozen mean and 1/std of the current window. */
  readonly mean: Float64Array;
  readonly invStd: Float64Array;
  private readonly liveMean: Float64Array;
  private readonly liveInvStd: Float64Array;

  constructor(
    readonly size: number,
    readonly enabled: boolean,
  ) {
    this.rms = new RunningMeanStd(size);
    this.mean = new Float64Array(size);
    this.invStd = new Float64Array(size).fill(1);
    this.liveMean = new Float64Array(size);
    this.liveInvStd = new Float64Array(size).fill(1);
    this.freeze();
  }

  /** Takes the current statistics as the window's (SHAC: `obs_rms = deepcopy(self.obs_rms)`). */
  freeze(): void {
    if (!this.enabled) return;
    this.copyStats(this.mean, this.invStd);
  }

  /** Merges `n` rows of raw observations into the running statistics (not into the frozen copy). */
  update(rows: ArrayLike<number>, n: number): void {
    if (this.enabled) this.rms.update(rows, n);
  }

  /** Normalises `n` rows of `src` into `dst` with the frozen statistics. */
  normalize(src: ArrayLike<number>, n: number, dst: Float64Array, dstOffset = 0): void {
    this.apply(this.mean, this.invStd, src, n, dst, dstOffset);
  }

  /** Normalises with the current running statistics (evaluation: SHAC's `self.obs_rms.normalize`). */
  normalizeLive(src: ArrayLike<number>, n: number, dst: Float64Array): void {
    if (this.enabled) this.copyStats(this.liveMean, this.liveInvStd);
    this.apply(this.liveMean, this.liveInvStd, src, n, dst, 0);
  }

  /** Chain rule through the frozen normalisation: `g[r·size + j] *= invStd[j]` for `n` rows, in place. */
  backward(g: Float64Array, n: number): void {
    if (!this.enabled) return;
    const { size, invStd } = this;
    for (let r = 0; r < n; r++) for (let j = 0; j < size; j++) g[r * size + j] = (g[r * size + j] as number) * (invStd[j] as number);
  }

  getState(): RunningMeanStdState {
    return this.rms.getState();
  }

  setState(state: RunningMeanStdState): void {
    this.rms.setState(state);
  }

  private copyStats(mean: Float64Array, invStd: Float64Array): void {
    mean.set(this.rms.mean);
    for (let j = 0; j < this.size; j++) invStd[j] = 1 / Math.sqrt((this.rms.var[j] as number) + NORMALIZER_EPSILON);
  }

  private apply(mean: Float64Array, invStd: Float64Array, src: ArrayLike<number>, n: number, dst: Float64Array, dstOffset: number): void {
    const size = this.size;
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < size; j++) dst[dstOffset + r * size + j] = ((src[r * size + j] as number) - (mean[j] as number)) * (invStd[j] as number);
    }
  }
}
