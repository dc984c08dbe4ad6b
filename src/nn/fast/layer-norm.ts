import type { FloatArray } from './kernels.js';

/** PyTorch's `nn.LayerNorm` default ε. */
export const LAYER_NORM_EPS = 1e-5;

/**
 * Layer normalisation of `batch` rows of width `h` (PyTorch's `nn.LayerNorm(h)`: biased
 * variance, ε inside the square root): `out = gain ⊙ (x − μ)/√(σ² + ε) + bias`. Keeps the
 * normalised rows in `xhat` and each row's `1/√(σ² + ε)` in `invStd` for
 * {@link layerNormBackward}. `out` may be `x` itself.
 */
export function layerNormForward(
  x: ArrayLike<number>,
  batch: number,
  h: number,
  gain: ArrayLike<number>,
  bias: ArrayLike<number>,
  out: FloatArray,
  xhat: Float64Array,
  invStd: Float64Array,
  eps: number = LAYER_NORM_EPS,
): void {
  for (let b = 0; b < batch; b++) {
    const o = b * h;
    let mean = 0;
    for (let j = 0; j < h; j++) mean += x[o + j] as number;
    mean /= h;
    let variance = 0;
    for (let j = 0; j < h; j++) {
      const d = (x[o + j] as number) - mean;
      variance += d * d;
    }
    const inv = 1 / Math.sqrt(variance / h + eps);
    invStd[b] = inv;
    for (let j = 0; j < h; j++) {
      const n = ((x[o + j] as number) - mean) * inv;
      xhat[o + j] = n;
      out[o + j] = (gain[j] as number) * n + (bias[j] as number);
    }
  }
}

/**
 * Backward of {@link layerNormForward}: from `gradOut` (∂L/∂out) writes ∂L/∂x into `gradIn`
 * (may be `gradOut` itself) and **overwrites** `gradGain`, `gradBias` with the parameter
 * gradients summed over the batch:
 *
 *     ∂L/∂x = invStd · (g − mean(g) − x̂ · mean(g ⊙ x̂)),   g = gain ⊙ ∂L/∂out
 */
export function layerNormBackward(
  gradOut: ArrayLike<number>,
  batch: number,
  h: number,
  gain: ArrayLike<number>,
  xhat: Float64Array,
  invStd: Float64Array,
  gradIn: FloatArray,
  gradGain: FloatArray,
  gradBias: FloatArray,
): void {
  for (let j = 0; j < h; j++) {
    gradGain[j] = 0;
    gradBias[j] = 0;
  }
  for (let b = 0; b < batch; b++) {
    const o = b * h;
    let meanG = 0;
    let meanGx = 0;
    for (let j = 0; j < h; j++) {
      const dy = gradOut[o + j] as number;
      const n = xhat[o + j] as number;
      gradGain[j] = (gradGain[j] as number) + dy * n;
      gradBias[j] = (gradBias[j] as number) + dy;
      const g = (gain[j] as number) * dy;
      meanG += g;
      meanGx += g * n;
    }
    meanG /= h;
    meanGx /= h;
    const inv = invStd[b] as number;
    for (let j = 0; j < h; j++) {
      const g = (gain[j] as number) * (gradOut[o + j] as number);
      gradIn[o + j] = inv * (g - meanG - (xhat[o + j] as number) * meanGx);
    }
  }
}
