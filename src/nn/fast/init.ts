import type { Rng } from '../../core/rng.js';
import type { FastMlp, FloatArray, LayerLayout } from './mlp.js';

/**
 * A random (semi-)orthogonal `rows × cols` matrix times `gain`, row-major — the algorithm of
 * PyTorch's `torch.nn.init.orthogonal_` on a tensor of shape `(rows, cols)`:
 *
 * 1. fill a `rows × cols` matrix with standard normals (row by row, from `rng`);
 * 2. if `rows < cols`, transpose it, so the matrix to factor is tall;
 * 3. QR-factorise it (Householder reflections here);
 * 4. flip the sign of each column of Q where R's diagonal is negative — this makes the
 *    factorisation unique (positive diagonal of R) and Q Haar-distributed;
 * 5. transpose back if step 2 did, and multiply by `gain`.
 *
 * The result has orthonormal rows (if `rows ≤ cols`) or columns (if `rows ≥ cols`), scaled
 * by `gain`. The random numbers differ from PyTorch's (different generator), not the law.
 */
export function orthogonal(rows: number, cols: number, gain: number, rng: Rng): Float64Array {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(`orthogonal: shape must be positive integers, got ${rows}×${cols}`);
  }
  const normals = new Float64Array(rows * cols);
  for (let i = 0; i < normals.length; i++) normals[i] = rng.normal();
  const transposed = rows < cols;
  const m = transposed ? cols : rows; // tall: m ≥ n
  const n = transposed ? rows : cols;
  // a: m × n row-major (the transpose of `normals` when transposed).
  const a = transposed ? transpose(normals, rows, cols) : normals;
  const q = householderQ(a, m, n);
  const out = transposed ? transpose(q, m, n) : q;
  if (gain !== 1) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) * gain;
  return out;
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j] as number;
  return t;
}

/**
 * The Q of the thin QR factorisation A = QR (A: m × n row-major, m ≥ n; overwritten), with
 * the columns sign-corrected so that R has a non-negative diagonal. Returns Q, m × n.
 */
function householderQ(a: Float64Array, m: number, n: number): Float64Array {
  // Householder vectors v_c (length m − c, stored from index c of row c·m) and their squared norms.
  const vs = new Float64Array(n * m);
  const vv = new Float64Array(n);
  const rDiag = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    let norm2 = 0;
    for (let r = c; r < m; r++) norm2 += (a[r * n + c] as number) ** 2;
    const norm = Math.sqrt(norm2);
    const head = a[c * n + c] as number;
    // Reflect onto −sign(head)·‖x‖·e₁ so that head − alpha does not cancel.
    const alpha = head >= 0 ? -norm : norm;
    const vo = c * m;
    let s2 = 0;
    for (let r = c; r < m; r++) {
      const v = r === c ? head - alpha : (a[r * n + c] as number);
      vs[vo + r] = v;
      s2 += v * v;
    }
    vv[c] = s2;
    rDiag[c] = s2 === 0 ? head : alpha;
    if (s2 === 0) continue; // column already zero below the diagonal: H = I
    // Apply H = I − 2vvᵀ/(vᵀv) to the remaining columns.
    for (let j = c; j < n; j++) {
      let dot = 0;
      for (let r = c; r < m; r++) dot += (vs[vo + r] as number) * (a[r * n + j] as number);
      const f = (2 * dot) / s2;
      for (let r = c; r < m; r++) a[r * n + j] = (a[r * n + j] as number) - f * (vs[vo + r] as number);
    }
  }
  // Q = H_0 H_1 … H_{n−1} applied to the first n columns of the identity, innermost first.
  const q = new Float64Array(m * n);
  for (let c = 0; c < n; c++) q[c * n + c] = 1;
  for (let c = n - 1; c >= 0; c--) {
    const s2 = vv[c] as number;
    if (s2 === 0) continue;
    const vo = c * m;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let r = c; r < m; r++) dot += (vs[vo + r] as number) * (q[r * n + j] as number);
      const f = (2 * dot) / s2;
      for (let r = c; r < m; r++) q[r * n + j] = (q[r * n + j] as number) - f * (vs[vo + r] as number);
    }
  }
  // torch: q *= sign(diag(r)); a zero diagonal entry (probability 0) keeps its column as is.
  for (let c = 0; c < n; c++) {
    if ((rDiag[c] as number) < 0) for (let r = 0; r < m; r++) q[r * n + c] = -(q[r * n + c] as number);
  }
  return q;
}

/** Gains of {@link initOrthogonal}. */
export interface OrthogonalInitOptions {
  /** Gain of every hidden layer (default √2, as CleanRL's `layer_init` and SB3's `ortho_init`). */
  readonly hiddenGain?: number;
  /** Gain of the last layer: 0.01 for a policy head, 1 for a value head (default 1). */
  readonly outputGain?: number;
}

/**
 * Orthogonal initialisation of every layer of `mlp` (CleanRL / SB3 convention): kernel =
 * {@link orthogonal} with the layer's gain, biases 0. Each kernel is drawn in PyTorch's
 * `nn.Linear.weight` shape `(out, in)` and stored transposed, as the engine's `[in, out]`
 * layout requires — so the draws follow the same order as in a PyTorch model. Layers are
 * drawn in order from `rng`; use a dedicated stream (`rng.split('actor')`).
 */
export function initOrthogonal<A extends FloatArray>(mlp: FastMlp<A>, rng: Rng, options: OrthogonalInitOptions = {}): void {
  const hiddenGain = options.hiddenGain ?? Math.SQRT2;
  const outputGain = options.outputGain ?? 1;
  const last = mlp.layers.length - 1;
  mlp.layers.forEach((layer: LayerLayout, l: number) => {
    const { inSize, outSize, weightOffset, biasOffset } = layer;
    const wt = orthogonal(outSize, inSize, l === last ? outputGain : hiddenGain, rng); // (out, in)
    for (let o = 0; o < outSize; o++) {
      for (let i = 0; i < inSize; i++) mlp.params[weightOffset + i * outSize + o] = wt[o * inSize + i] as number;
    }
    mlp.params.fill(0, biasOffset, biasOffset + outSize);
  });
}

/**
 * PyTorch's default initialisation of `nn.Linear(in, out)` for every layer of `mlp`
 * (`kaiming_uniform_(a=√5)` on the weight, which is U(−1/√in, 1/√in), and the same bound for
 * the bias): what reference code gets when it does not initialise its networks itself
 * (O-DICE's and IQL's value and policy networks). Each layer draws its weight in PyTorch's
 * `(out, in)` order, then its bias.
 */
export function initFanInUniform<A extends FloatArray>(mlp: FastMlp<A>, rng: Rng): void {
  for (const layer of mlp.layers) {
    const { inSize, outSize, weightOffset, biasOffset } = layer;
    const bound = 1 / Math.sqrt(inSize);
    for (let o = 0; o < outSize; o++) {
      for (let i = 0; i < inSize; i++) mlp.params[weightOffset + i * outSize + o] = rng.uniformRange(-bound, bound);
    }
    for (let o = 0; o < outSize; o++) mlp.params[biasOffset + o] = rng.uniformRange(-bound, bound);
  }
}
