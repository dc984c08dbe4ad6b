/**
 * The two-sided Chamfer distance between two sequences of d-dimensional points (ILD's loss,
 * Chen et al. 2023), with squared weighted Euclidean distances:
 *
 *     C(X, Y) = 1/n Σ_i min_j ‖x_i − y_j‖²_W + 1/m Σ_j min_i ‖x_i − y_j‖²_W,   ‖z‖²_W = Σ_f W_f z_f²
 *
 * for X = x_1…x_n (the agent's states) and Y = y_1…y_m (the expert's). Order-free: it asks the
 * rollout to visit the expert's states and only those, not to hit them at the same times.
 * Its gradient in X (Y fixed) is piecewise linear: each nearest-neighbour pair (i, j*(i)) adds
 * (2/n)·W(x_i − y_j*) to x̄_i, and each pair (i*(j), j) adds (2/m)·W(x_i* − y_j) to x̄_i*
 * (ties go to the lowest index, a measure-zero choice).
 * @module
 */

/** The two halves of a Chamfer distance. */
export interface ChamferTerms {
  /** 1/n Σ_i min_j ‖x_i − y_j‖²: how far the agent's states are from the expert's. */
  readonly toExpert: number;
  /** 1/m Σ_j min_i ‖x_i − y_j‖²: how far the expert's states are from the agent's. */
  readonly fromExpert: number;
}

/**
 * Chamfer distance of `n` rows of `x` and `m` rows of `y` (row-major, `d` columns, `x` read from
 * `xOffset`). With `gradX`, **adds** `scale`·∂C/∂x into it (same layout as `x`, from `xOffset`).
 * `weights` (length d) or null for W = I. `nearest` is scratch of at least max(n, m) entries.
 */
export function chamferDistance(
  x: Float64Array,
  xOffset: number,
  n: number,
  y: Float64Array,
  m: number,
  d: number,
  weights: Float64Array | null,
  nearest: Int32Array,
  gradX: Float64Array | null = null,
  scale = 1,
): ChamferTerms {
  const dist2 = (i: number, j: number): number => {
    const xo = xOffset + i * d;
    const yo = j * d;
    let s = 0;
    for (let f = 0; f < d; f++) {
      const z = (x[xo + f] as number) - (y[yo + f] as number);
      s += (weights === null ? 1 : (weights[f] as number)) * z * z;
    }
    return s;
  };
  const addGrad = (i: number, j: number, c: number): void => {
    if (gradX === null) return;
    const xo = xOffset + i * d;
    const yo = j * d;
    for (let f = 0; f < d; f++) {
      const w = weights === null ? 1 : (weights[f] as number);
      gradX[xo + f] = (gradX[xo + f] as number) + c * w * ((x[xo + f] as number) - (y[yo + f] as number));
    }
  };
  let toExpert = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    let arg = 0;
    for (let j = 0; j < m; j++) {
      const s = dist2(i, j);
      if (s < best) {
        best = s;
        arg = j;
      }
    }
    nearest[i] = arg;
    toExpert += best;
  }
  for (let i = 0; i < n; i++) addGrad(i, nearest[i] as number, (2 * scale) / n);
  let fromExpert = 0;
  for (let j = 0; j < m; j++) {
    let best = Infinity;
    let arg = 0;
    for (let i = 0; i < n; i++) {
      const s = dist2(i, j);
      if (s < best) {
        best = s;
        arg = i;
      }
    }
    nearest[j] = arg;
    fromExpert += best;
  }
  for (let j = 0; j < m; j++) addGrad(nearest[j] as number, j, (2 * scale) / m);
  return { toExpert: toExpert / n, fromExpert: fromExpert / m };
}
