import { Rng, type RngState } from '../core/rng.js';

/**
 * Generalized state-dependent exploration (gSDE, Raffin et al. 2022; SB3's `use_sde`): the
 * action noise is latent · M with M [L × D] drawn from N(0, σ_kj²) and held between
 * resamplings, so exploration is smooth in the state. Its per-sample distribution is Gaussian
 * with variance_bj = Σ_k f_bk² σ_kj² + ε, f the policy's latent features (held fixed in these
 * derivatives unless the caller asks for ∂/∂f). One implementation shared by every policy with
 * a gSDE head.
 */

/** gSDE's variance floor ε. */
export const SDE_EPSILON = 1e-6;

/** The sizes of a gSDE head: latent features L and action entries D; its log-σ parameters are [L × D], row-major. */
export interface GsdeShape {
  readonly latentSize: number;
  readonly actionSize: number;
}

/**
 * Per-sample log-std (and variance) of `batch` latent rows: log s_bj = ½ log(Σ_k f_bk² σ_kj² + ε).
 * `logSigma` holds the [L × D] parameters from `offset` on. Only columns before `columnEnd`
 * (default D) are written: the others' noise is not gSDE's (as in the backward and `perturb`).
 */
export function gsdeLogStd(
  shape: GsdeShape,
  latent: ArrayLike<number>,
  batch: number,
  logSigma: ArrayLike<number>,
  offset: number,
  logStdOut: Float64Array,
  varianceOut: Float64Array,
  columnEnd: number = shape.actionSize,
): void {
  const { latentSize: L, actionSize: D } = shape;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < columnEnd; j++) {
      let v = 0;
      for (let k = 0; k < L; k++) {
        const f = latent[b * L + k] as number;
        v += f * f * Math.exp(2 * (logSigma[offset + k * D + j] as number));
      }
      varianceOut[b * D + j] = v + SDE_EPSILON;
      logStdOut[b * D + j] = 0.5 * Math.log(v + SDE_EPSILON);
    }
  }
}

/**
 * Backward of {@link gsdeLogStd}: with ∂L/∂log s_bj given, ∂log s_bj/∂log σ_kj = f_bk² σ_kj² / var_bj
 * is accumulated into `gradLogSigma` (not cleared first), and ∂log s_bj/∂f_bk = f_bk σ_kj² / var_bj
 * into `gradLatent` when it is given (SB3's `learn_features`; it must be zeroed by the caller).
 * Columns from `columnEnd` on (default D) are left out: their log-std is not gSDE's.
 */
export function gsdeLogStdBackward(
  shape: GsdeShape,
  latent: ArrayLike<number>,
  batch: number,
  logSigma: ArrayLike<number>,
  variance: ArrayLike<number>,
  gradLogStd: ArrayLike<number>,
  gradLogSigma: Float64Array,
  gradLatent: Float64Array | null,
  columnEnd: number = shape.actionSize,
): void {
  const { latentSize: L, actionSize: D } = shape;
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < columnEnd; j++) {
      const g = (gradLogStd[b * D + j] as number) / (variance[b * D + j] as number);
      if (g === 0) continue;
      for (let k = 0; k < L; k++) {
        const f = latent[b * L + k] as number;
        const kj = k * D + j;
        const sigma2 = Math.exp(2 * (logSigma[kj] as number));
        gradLogSigma[kj] = (gradLogSigma[kj] as number) + g * f * f * sigma2;
        if (gradLatent !== null) gradLatent[b * L + k] = (gradLatent[b * L + k] as number) + g * f * sigma2;
      }
    }
  }
}

/** Checkpointed state of a {@link GsdeExploration}. */
export interface GsdeExplorationState {
  readonly noiseRng: RngState;
  readonly explorationMatrix: Float64Array;
}

/** gSDE's exploration matrix M and the stream it is drawn from. */
export class GsdeExploration {
  /** M [L × D]; entries N(0, σ_kj²) after {@link resample}. */
  readonly matrix: Float64Array;

  constructor(
    readonly shape: GsdeShape,
    private rng: Rng,
  ) {
    this.matrix = new Float64Array(shape.latentSize * shape.actionSize);
  }

  /** Draws a new matrix with the current log-σ parameters ([L × D]). */
  resample(logSigma: ArrayLike<number>): void {
    for (let k = 0; k < this.matrix.length; k++) this.matrix[k] = Math.exp(logSigma[k] as number) * this.rng.normal();
  }

  /** SB3's `sde_sample_freq`: a new matrix after every `sampleFreq`-th step of a rollout (≤ 0: only at rollout start). */
  afterStep(stepInRollout: number, sampleFreq: number, logSigma: ArrayLike<number>): void {
    if (sampleFreq > 0 && (stepInRollout + 1) % sampleFreq === 0) this.resample(logSigma);
  }

  /** Writes mean + latent·M for latent row `row` into `out[outOffset …]`, columns before `columnEnd` (default all). */
  perturb(latent: ArrayLike<number>, row: number, mean: ArrayLike<number>, meanOffset: number, out: Float32Array, outOffset: number, columnEnd: number = this.shape.actionSize): void {
    const { latentSize: L, actionSize: D } = this.shape;
    for (let j = 0; j < columnEnd; j++) {
      let noise = 0;
      for (let k = 0; k < L; k++) noise += (latent[row * L + k] as number) * (this.matrix[k * D + j] as number);
      out[outOffset + j] = (mean[meanOffset + j] as number) + noise;
    }
  }

  getState(): GsdeExplorationState {
    return { noiseRng: this.rng.getState(), explorationMatrix: this.matrix.slice() };
  }

  setState(state: GsdeExplorationState): void {
    this.rng = Rng.fromState(state.noiseRng);
    this.matrix.set(state.explorationMatrix);
  }
}
