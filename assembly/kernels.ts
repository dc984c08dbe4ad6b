/**
 * WebAssembly SIMD (f64x2) versions of the fast MLP engine's kernels
 * (`src/nn/fast/kernels.ts`, `tanh.ts`, `layer-norm.ts` and the activation loops of `mlp.ts`
 * and `layer-norm-mlp.ts`), compiled by
 * `npm run build:wasm` (scripts/build-wasm.mjs) with AssemblyScript.
 *
 * **Bit-identical to the JavaScript kernels.** Every result element is computed by exactly
 * the same sequence of IEEE-754 double operations as in JavaScript: a dense output starts
 * from the bias (or 0) and adds the products for p = 0, 1, …, k − 1 in that order, each
 * product rounded before the addition (`f64x2.mul` then `f64x2.add`; no FMA, no relaxed
 * SIMD, no reassociation — binaryen does not reorder floating-point arithmetic). The two
 * lanes of a vector are two *different* output elements, never two halves of one sum, so
 * vectorising changes which elements are computed together, not how any one is computed.
 * The blocking (4 rows × 4 columns, with 2-, 1-column and 1-row edges) therefore does not
 * matter for the result, as in JavaScript.
 *
 * **Memory.** All pointers are byte addresses in the imported (shared) linear memory, arrays
 * of f64, row-major. The JavaScript side (`src/nn/fast/arena.ts`) owns the layout: bytes
 * [TABLE_OFFSET, TABLE_OFFSET + 1024) hold tanh's 2^(j/64) table (written by JavaScript
 * from `tanh.ts`, so there is one source for it), and allocations start at HEAP_OFFSET.
 * Nothing here allocates.
 *
 * Activation codes: 0 identity, 1 tanh, 2 relu (as `ACT_*` in mlp.ts).
 */

/**
 * Where JavaScript writes tanh's table: 64 pairs (EXP2_HI[j], EXP2_LO[j]), 16 bytes each, so
 * that one 128-bit load fetches both values for one lane.
 */
export const TABLE_OFFSET: u32 = 1024;
/** First byte the JavaScript arena may allocate. */
export const HEAP_OFFSET: u32 = 4096;

const TABLE: usize = 1024;

const ACT_TANH: i32 = 1;
const ACT_RELU: i32 = 2;

// ---------------------------------------------------------------------------------------
// Matrix products
// ---------------------------------------------------------------------------------------

/** c + a·b, the product rounded first (two instructions, never fused). */
// @ts-ignore: decorator
@inline function madd(c: v128, a: v128, b: v128): v128 {
  return f64x2.add(c, f64x2.mul(a, b));
}

/** Two doubles at `ptr`, or (bias == 0) two zeros. */
// @ts-ignore: decorator
@inline function start2(bias: usize, off: usize): v128 {
  return bias != 0 ? v128.load(bias + off) : f64x2.splat(0.0);
}

// @ts-ignore: decorator
@inline function start1(bias: usize, off: usize): f64 {
  return bias != 0 ? load<f64>(bias + off) : 0.0;
}

/**
 * C[m×n] = A[m×k]·B[k×n] + bias (a row of n, or 0 when `bias` is 0). Element (i, j) is
 * `((start_j + a_i0·b_0j) + a_i1·b_1j) + …` in ascending p, as denseForward and
 * denseGradInput in kernels.ts.
 */
function gemm(a: usize, b: usize, bias: usize, c: usize, m: i32, k: i32, n: i32): void {
  const rowA = <usize>k << 3;
  const rowB = <usize>n << 3;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = a + <usize>i * rowA;
    const a1 = a0 + rowA;
    const a2 = a1 + rowA;
    const a3 = a2 + rowA;
    const c0 = c + <usize>i * rowB;
    const c1 = c0 + rowB;
    const c2 = c1 + rowB;
    const c3 = c2 + rowB;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const jo = <usize>j << 3;
      const z0 = start2(bias, jo);
      const z1 = start2(bias, jo + 16);
      let c00 = z0, c01 = z1, c10 = z0, c11 = z1, c20 = z0, c21 = z1, c30 = z0, c31 = z1;
      let bp = b + jo;
      let ao: usize = 0;
      for (let p = 0; p < k; p++) {
        const w0 = v128.load(bp);
        const w1 = v128.load(bp, 16);
        let x = v128.load64_splat(a0 + ao);
        c00 = madd(c00, x, w0);
        c01 = madd(c01, x, w1);
        x = v128.load64_splat(a1 + ao);
        c10 = madd(c10, x, w0);
        c11 = madd(c11, x, w1);
        x = v128.load64_splat(a2 + ao);
        c20 = madd(c20, x, w0);
        c21 = madd(c21, x, w1);
        x = v128.load64_splat(a3 + ao);
        c30 = madd(c30, x, w0);
        c31 = madd(c31, x, w1);
        bp += rowB;
        ao += 8;
      }
      v128.store(c0 + jo, c00);
      v128.store(c0 + jo, c01, 16);
      v128.store(c1 + jo, c10);
      v128.store(c1 + jo, c11, 16);
      v128.store(c2 + jo, c20);
      v128.store(c2 + jo, c21, 16);
      v128.store(c3 + jo, c30);
      v128.store(c3 + jo, c31, 16);
    }
    if (j + 2 <= n) {
      const jo = <usize>j << 3;
      const z = start2(bias, jo);
      let e0 = z, e1 = z, e2 = z, e3 = z;
      let bp = b + jo;
      let ao: usize = 0;
      for (let p = 0; p < k; p++) {
        const w = v128.load(bp);
        e0 = madd(e0, v128.load64_splat(a0 + ao), w);
        e1 = madd(e1, v128.load64_splat(a1 + ao), w);
        e2 = madd(e2, v128.load64_splat(a2 + ao), w);
        e3 = madd(e3, v128.load64_splat(a3 + ao), w);
        bp += rowB;
        ao += 8;
      }
      v128.store(c0 + jo, e0);
      v128.store(c1 + jo, e1);
      v128.store(c2 + jo, e2);
      v128.store(c3 + jo, e3);
      j += 2;
    }
    if (j < n) {
      const jo = <usize>j << 3;
      const z = start1(bias, jo);
      let s0 = z, s1 = z, s2 = z, s3 = z;
      let bp = b + jo;
      let ao: usize = 0;
      for (let p = 0; p < k; p++) {
        const w = load<f64>(bp);
        s0 += load<f64>(a0 + ao) * w;
        s1 += load<f64>(a1 + ao) * w;
        s2 += load<f64>(a2 + ao) * w;
        s3 += load<f64>(a3 + ao) * w;
        bp += rowB;
        ao += 8;
      }
      store<f64>(c0 + jo, s0);
      store<f64>(c1 + jo, s1);
      store<f64>(c2 + jo, s2);
      store<f64>(c3 + jo, s3);
    }
  }
  for (; i < m; i++) {
    const a0 = a + <usize>i * rowA;
    const c0 = c + <usize>i * rowB;
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      const jo = <usize>j << 3;
      let e0 = start2(bias, jo);
      let e1 = start2(bias, jo + 16);
      let e2 = start2(bias, jo + 32);
      let e3 = start2(bias, jo + 48);
      let bp = b + jo;
      let ao: usize = 0;
      for (let p = 0; p < k; p++) {
        const x = v128.load64_splat(a0 + ao);
        e0 = madd(e0, x, v128.load(bp));
        e1 = madd(e1, x, v128.load(bp, 16));
        e2 = madd(e2, x, v128.load(bp, 32));
        e3 = madd(e3, x, v128.load(bp, 48));
        bp += rowB;
        ao += 8;
      }
      v128.store(c0 + jo, e0);
      v128.store(c0 + jo, e1, 16);
      v128.store(c0 + jo, e2, 32);
      v128.store(c0 + jo, e3, 48);
    }
    for (; j + 2 <= n; j += 2) {
      const jo = <usize>j << 3;
      let e = start2(bias, jo);
      let bp = b + jo;
      let ao: usize = 0;
      for (let p = 0; p < k; p++) {
        e = madd(e, v128.load64_splat(a0 + ao), v128.load(bp));
        bp += rowB;
        ao += 8;
      }
      v128.store(c0 + jo, e);
    }
    if (j < n) {
      const jo = <usize>j << 3;
      let s = start1(bias, jo);
      let bp = b + jo;
      let ao: usize = 0;
      for (let p = 0; p < k; p++) {
        s += load<f64>(a0 + ao) * load<f64>(bp);
        bp += rowB;
        ao += 8;
      }
      store<f64>(c0 + jo, s);
    }
  }
}

/**
 * G[k×n] = Xᵀ·DZ with X [m×k], DZ [m×n]: g_rj = ((0 + x_0r·dz_0j) + x_1r·dz_1j) + … in
 * ascending batch index, as denseGradParams.
 */
function gemmTN(x: usize, dz: usize, g: usize, m: i32, k: i32, n: i32): void {
  const rowX = <usize>k << 3;
  const rowD = <usize>n << 3;
  let r = 0;
  for (; r + 4 <= k; r += 4) {
    const g0 = g + <usize>r * rowD;
    const g1 = g0 + rowD;
    const g2 = g1 + rowD;
    const g3 = g2 + rowD;
    const xr = x + (<usize>r << 3);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const jo = <usize>j << 3;
      const z = f64x2.splat(0.0);
      let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
      let xp = xr;
      let dp = dz + jo;
      for (let p = 0; p < m; p++) {
        const d0 = v128.load(dp);
        const d1 = v128.load(dp, 16);
        let a = v128.load64_splat(xp);
        c00 = madd(c00, a, d0);
        c01 = madd(c01, a, d1);
        a = v128.load64_splat(xp, 8);
        c10 = madd(c10, a, d0);
        c11 = madd(c11, a, d1);
        a = v128.load64_splat(xp, 16);
        c20 = madd(c20, a, d0);
        c21 = madd(c21, a, d1);
        a = v128.load64_splat(xp, 24);
        c30 = madd(c30, a, d0);
        c31 = madd(c31, a, d1);
        xp += rowX;
        dp += rowD;
      }
      v128.store(g0 + jo, c00);
      v128.store(g0 + jo, c01, 16);
      v128.store(g1 + jo, c10);
      v128.store(g1 + jo, c11, 16);
      v128.store(g2 + jo, c20);
      v128.store(g2 + jo, c21, 16);
      v128.store(g3 + jo, c30);
      v128.store(g3 + jo, c31, 16);
    }
    if (j + 2 <= n) {
      const jo = <usize>j << 3;
      const z = f64x2.splat(0.0);
      let e0 = z, e1 = z, e2 = z, e3 = z;
      let xp = xr;
      let dp = dz + jo;
      for (let p = 0; p < m; p++) {
        const d = v128.load(dp);
        e0 = madd(e0, v128.load64_splat(xp), d);
        e1 = madd(e1, v128.load64_splat(xp, 8), d);
        e2 = madd(e2, v128.load64_splat(xp, 16), d);
        e3 = madd(e3, v128.load64_splat(xp, 24), d);
        xp += rowX;
        dp += rowD;
      }
      v128.store(g0 + jo, e0);
      v128.store(g1 + jo, e1);
      v128.store(g2 + jo, e2);
      v128.store(g3 + jo, e3);
      j += 2;
    }
    if (j < n) {
      const jo = <usize>j << 3;
      let s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
      let xp = xr;
      let dp = dz + jo;
      for (let p = 0; p < m; p++) {
        const d = load<f64>(dp);
        s0 += load<f64>(xp) * d;
        s1 += load<f64>(xp, 8) * d;
        s2 += load<f64>(xp, 16) * d;
        s3 += load<f64>(xp, 24) * d;
        xp += rowX;
        dp += rowD;
      }
      store<f64>(g0 + jo, s0);
      store<f64>(g1 + jo, s1);
      store<f64>(g2 + jo, s2);
      store<f64>(g3 + jo, s3);
    }
  }
  for (; r < k; r++) {
    const g0 = g + <usize>r * rowD;
    const xr = x + (<usize>r << 3);
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      const jo = <usize>j << 3;
      const z = f64x2.splat(0.0);
      let e0 = z, e1 = z, e2 = z, e3 = z;
      let xp = xr;
      let dp = dz + jo;
      for (let p = 0; p < m; p++) {
        const a = v128.load64_splat(xp);
        e0 = madd(e0, a, v128.load(dp));
        e1 = madd(e1, a, v128.load(dp, 16));
        e2 = madd(e2, a, v128.load(dp, 32));
        e3 = madd(e3, a, v128.load(dp, 48));
        xp += rowX;
        dp += rowD;
      }
      v128.store(g0 + jo, e0);
      v128.store(g0 + jo, e1, 16);
      v128.store(g0 + jo, e2, 32);
      v128.store(g0 + jo, e3, 48);
    }
    for (; j + 2 <= n; j += 2) {
      const jo = <usize>j << 3;
      let e = f64x2.splat(0.0);
      let xp = xr;
      let dp = dz + jo;
      for (let p = 0; p < m; p++) {
        e = madd(e, v128.load64_splat(xp), v128.load(dp));
        xp += rowX;
        dp += rowD;
      }
      v128.store(g0 + jo, e);
    }
    if (j < n) {
      const jo = <usize>j << 3;
      let s = 0.0;
      let xp = xr;
      let dp = dz + jo;
      for (let p = 0; p < m; p++) {
        s += load<f64>(xp) * load<f64>(dp);
        xp += rowX;
        dp += rowD;
      }
      store<f64>(g0 + jo, s);
    }
  }
}

/** gb[j] = ((0 + dz_0j) + dz_1j) + … (column sums in ascending row order, row by row). */
function columnSums(dz: usize, gb: usize, m: i32, n: i32): void {
  const rowD = <usize>n << 3;
  const n2 = n & ~1;
  for (let j = 0; j < n; j++) store<f64>(gb + (<usize>j << 3), 0.0);
  let dp = dz;
  for (let p = 0; p < m; p++) {
    let j = 0;
    for (; j < n2; j += 2) {
      const o = <usize>j << 3;
      v128.store(gb + o, f64x2.add(v128.load(gb + o), v128.load(dp + o)));
    }
    if (j < n) {
      const o = <usize>j << 3;
      store<f64>(gb + o, load<f64>(gb + o) + load<f64>(dp + o));
    }
    dp += rowD;
  }
}

/** wt[n×k] = transpose of w[k×n]. */
function transpose(w: usize, wt: usize, k: i32, n: i32): void {
  const rowW = <usize>n << 3;
  const rowT = <usize>k << 3;
  for (let r = 0; r < k; r++) {
    const src = w + <usize>r * rowW;
    const dst = wt + (<usize>r << 3);
    for (let p = 0; p < n; p++) store<f64>(dst + <usize>p * rowT, load<f64>(src + (<usize>p << 3)));
  }
}

// ---------------------------------------------------------------------------------------
// Activations
// ---------------------------------------------------------------------------------------

const INV_LN2_64: f64 = 92.33248261689366;
const LN2_64_HI: f64 = 0.010830424695086549;
const LN2_64_LO: f64 = 1.162596423439437e-12;
const ROUND_SHIFTER: f64 = 6755399441055744.0;
const CLAMP: f64 = 44.0;
const C3: f64 = 1.0 / 6.0;
const C4: f64 = 1.0 / 24.0;
const C5: f64 = 1.0 / 120.0;
const C6: f64 = 1.0 / 720.0;

/**
 * tanh of both lanes: `fastTanh` of tanh.ts operation for operation (see there), with the
 * same values; only the integer bookkeeping is done differently:
 *
 * - the clamp uses pmin/pmax (`b < a ? b : a`), which keep NaN as the JavaScript
 *   comparisons do;
 * - k = `kd | 0` is read from the bits of z = y·(64/ln 2) + 1.5·2^52 (the rounded sum whose
 *   difference is kd): |kd| < 2^12, so z = 1.5·2^52 + kd exactly and its low 32 bits are k
 *   in two's complement. (For NaN input the bits are those of some NaN, the result NaN as in
 *   JavaScript; the table index is masked, so it stays in bounds.)
 * - 2^(k >> 6) is built from its exponent bits ((k >> 6) + 1023) << 52, which is the POW2
 *   table's value exactly; shifting the 64-bit lane left by 52 keeps only the low 12 bits
 *   of its low 32-bit half, so the high half does not matter.
 */
// @ts-ignore: decorator
@inline function tanh2(v: v128): v128 {
  let y = f64x2.mul(v, f64x2.splat(-2.0));
  y = f64x2.pmin(y, f64x2.splat(CLAMP));
  y = f64x2.pmax(y, f64x2.splat(-CLAMP));
  const shifter = f64x2.splat(ROUND_SHIFTER);
  const z = f64x2.add(f64x2.mul(y, f64x2.splat(INV_LN2_64)), shifter);
  const kd = f64x2.sub(z, shifter);
  const r = f64x2.sub(f64x2.sub(y, f64x2.mul(kd, f64x2.splat(LN2_64_HI))), f64x2.mul(kd, f64x2.splat(LN2_64_LO)));
  const r2 = f64x2.mul(r, r);
  const q = f64x2.add(
    f64x2.add(r, f64x2.mul(r2, f64x2.add(f64x2.splat(0.5), f64x2.mul(r, f64x2.splat(C3))))),
    f64x2.mul(f64x2.mul(r2, r2), f64x2.add(f64x2.add(f64x2.splat(C4), f64x2.mul(r, f64x2.splat(C5))), f64x2.mul(r2, f64x2.splat(C6)))),
  );
  const s = i64x2.shl(i32x4.add(i32x4.shr_s(z, 6), i32x4.splat(1023)), 52);
  const idx = v128.and(z, i32x4.splat(63));
  const p0 = v128.load(TABLE + (<usize>i32x4.extract_lane(idx, 0) << 4));
  const p1 = v128.load(TABLE + (<usize>i32x4.extract_lane(idx, 2) << 4));
  const hi = v128.shuffle<f64>(p0, p1, 0, 2);
  const lo = v128.shuffle<f64>(p0, p1, 1, 3);
  const t = f64x2.add(
    f64x2.sub(f64x2.mul(s, hi), f64x2.splat(1.0)),
    f64x2.mul(s, f64x2.add(f64x2.add(lo, f64x2.mul(hi, q)), f64x2.mul(lo, q))),
  );
  return f64x2.div(f64x2.neg(t), f64x2.add(t, f64x2.splat(2.0)));
}

/** max(v, 0) keeping NaN, as mlp.ts: `v > 0 || v !== v ? v : +0`. */
// @ts-ignore: decorator
@inline function relu2(v: v128): v128 {
  return v128.bitselect(v, f64x2.splat(0.0), v128.or(f64x2.gt(v, f64x2.splat(0.0)), f64x2.ne(v, v)));
}

function tanhInPlace(a: usize, len: i32): void {
  const end = a + (<usize>len << 3);
  let p = a;
  for (; p + 16 <= end; p += 16) v128.store(p, tanh2(v128.load(p)));
  if (p < end) v128.store64_lane(p, tanh2(v128.load64_zero(p)), 0);
}

function reluInPlace(a: usize, len: i32): void {
  const end = a + (<usize>len << 3);
  let p = a;
  for (; p + 16 <= end; p += 16) v128.store(p, relu2(v128.load(p)));
  if (p < end) v128.store64_lane(p, relu2(v128.load64_zero(p)), 0);
}

/** Applies activation `act` to a[0..len) in place. */
export function activate(act: i32, a: usize, len: i32): void {
  if (act == ACT_TANH) tanhInPlace(a, len);
  else if (act == ACT_RELU) reluInPlace(a, len);
}

/**
 * d[i] ·= the activation's derivative written with its output h[i]: tanh' = 1 − h², relu'
 * = [h > 0] (d set to +0 otherwise); identity does nothing.
 */
export function activationBackward(act: i32, d: usize, h: usize, len: i32): void {
  const n = <usize>len << 3;
  const n2 = n & ~15;
  if (act == ACT_TANH) {
    const one = f64x2.splat(1.0);
    let o: usize = 0;
    for (; o < n2; o += 16) {
      const v = v128.load(h + o);
      v128.store(d + o, f64x2.mul(v128.load(d + o), f64x2.sub(one, f64x2.mul(v, v))));
    }
    if (o < n) {
      const v = load<f64>(h + o);
      store<f64>(d + o, load<f64>(d + o) * (1.0 - v * v));
    }
  } else if (act == ACT_RELU) {
    const zero = f64x2.splat(0.0);
    let o: usize = 0;
    for (; o < n2; o += 16) {
      v128.store(d + o, v128.bitselect(v128.load(d + o), zero, f64x2.gt(v128.load(h + o), zero)));
    }
    if (o < n && !(load<f64>(h + o) > 0.0)) store<f64>(d + o, 0.0);
  }
}

// ---------------------------------------------------------------------------------------
// Dense layers
// ---------------------------------------------------------------------------------------

/** y[m×n] = act(x[m×k]·w[k×n] + b) — denseForward followed by the activation. */
export function denseForward(x: usize, w: usize, b: usize, y: usize, m: i32, k: i32, n: i32, act: i32): void {
  gemm(x, w, b, y, m, k, n);
  activate(act, y, m * n);
}

/** g[k×n] = xᵀ·dz and gb[n] = column sums of dz — denseGradParams. */
export function denseGradParams(x: usize, dz: usize, g: usize, gb: usize, m: i32, k: i32, n: i32): void {
  gemmTN(x, dz, g, m, k, n);
  columnSums(dz, gb, m, n);
}

/**
 * dx[m×k] = dz[m×n]·wᵀ (denseGradInput), then times the derivative of activation `act`
 * written with h[m×k] (the layer's input, i.e. the previous layer's output). `wt` is scratch
 * for the k×n transposed kernel, so that the product runs with both operands contiguous
 * along the output: dx_ir = ((0 + dz_i0·w_r0) + dz_i1·w_r1) + … as in JavaScript.
 */
export function denseGradInput(dz: usize, w: usize, wt: usize, dx: usize, h: usize, m: i32, k: i32, n: i32, act: i32): void {
  transpose(w, wt, k, n);
  gemm(dz, wt, 0, dx, m, n, k);
  activationBackward(act, dx, h, m * k);
}

// ---------------------------------------------------------------------------------------
// LayerNorm (layer-norm.ts and the hidden layers of layer-norm-mlp.ts)
// ---------------------------------------------------------------------------------------
//
// The row statistics are sums over a row in ascending column order, so there the two lanes
// are two *rows* (b, b + 1), each summed exactly as in JavaScript; the elementwise passes
// and the column sums of the parameter gradients put two columns in the lanes.

/** (row0[o], row1[o]) as one vector. */
// @ts-ignore: decorator
@inline function rows2(p0: usize, p1: usize): v128 {
  return f64x2.replace_lane(v128.load64_splat(p0), 1, load<f64>(p1));
}

/**
 * The hidden activation of layer-norm-mlp.ts: relu sets negatives to +0 and keeps −0 and
 * NaN (`if (v < 0) v = 0`), which is not quite `relu2` above.
 */
// @ts-ignore: decorator
@inline function normAct2(act: i32, v: v128): v128 {
  if (act == ACT_RELU) return v128.bitselect(f64x2.splat(0.0), v, f64x2.lt(v, f64x2.splat(0.0)));
  if (act == ACT_TANH) return tanh2(v);
  return v;
}

/** One row: xhat = (x − mean)·inv, out = act(gain·xhat + bias). */
function normalizeRow(x: usize, gain: usize, bias: usize, out: usize, xhat: usize, h: i32, mean: f64, inv: f64, act: i32): void {
  const n = <usize>h << 3;
  const n2 = n & ~15;
  const mv = f64x2.splat(mean);
  const iv = f64x2.splat(inv);
  let o: usize = 0;
  for (; o < n2; o += 16) {
    const z = f64x2.mul(f64x2.sub(v128.load(x + o), mv), iv);
    v128.store(xhat + o, z);
    v128.store(out + o, normAct2(act, f64x2.add(f64x2.mul(v128.load(gain + o), z), v128.load(bias + o))));
  }
  if (o < n) {
    const z = (load<f64>(x + o) - mean) * inv;
    store<f64>(xhat + o, z);
    v128.store64_lane(out + o, normAct2(act, f64x2.splat(load<f64>(gain + o) * z + load<f64>(bias + o))), 0);
  }
}

/**
 * LayerNorm of m rows of h, then activation `act`, as layerNormForward in layer-norm.ts
 * followed by layer-norm-mlp.ts's activation: mean = (Σ x)/h, var = (Σ (x − mean)²)/h,
 * inv = 1/√(var + eps); keeps xhat[m×h] and invStd[m] for the backward.
 */
export function layerNormForward(x: usize, gain: usize, bias: usize, out: usize, xhat: usize, invStd: usize, m: i32, h: i32, eps: f64, act: i32): void {
  const row = <usize>h << 3;
  const hv = f64x2.splat(<f64>h);
  const ev = f64x2.splat(eps);
  let b = 0;
  for (; b + 2 <= m; b += 2) {
    const r0 = x + <usize>b * row;
    const r1 = r0 + row;
    let s = f64x2.splat(0.0);
    for (let o: usize = 0; o < row; o += 8) s = f64x2.add(s, rows2(r0 + o, r1 + o));
    const mean = f64x2.div(s, hv);
    let v = f64x2.splat(0.0);
    for (let o: usize = 0; o < row; o += 8) {
      const d = f64x2.sub(rows2(r0 + o, r1 + o), mean);
      v = f64x2.add(v, f64x2.mul(d, d));
    }
    const inv = f64x2.div(f64x2.splat(1.0), f64x2.sqrt(f64x2.add(f64x2.div(v, hv), ev)));
    v128.store(invStd + (<usize>b << 3), inv);
    const at = <usize>b * row;
    normalizeRow(r0, gain, bias, out + at, xhat + at, h, f64x2.extract_lane(mean, 0), f64x2.extract_lane(inv, 0), act);
    normalizeRow(r1, gain, bias, out + at + row, xhat + at + row, h, f64x2.extract_lane(mean, 1), f64x2.extract_lane(inv, 1), act);
  }
  if (b < m) {
    const r0 = x + <usize>b * row;
    let s = 0.0;
    for (let o: usize = 0; o < row; o += 8) s += load<f64>(r0 + o);
    const mean = s / <f64>h;
    let v = 0.0;
    for (let o: usize = 0; o < row; o += 8) {
      const d = load<f64>(r0 + o) - mean;
      v += d * d;
    }
    const inv = 1.0 / Math.sqrt(v / <f64>h + eps);
    store<f64>(invStd + (<usize>b << 3), inv);
    const at = <usize>b * row;
    normalizeRow(r0, gain, bias, out + at, xhat + at, h, mean, inv, act);
  }
}

/** One row: gradIn = inv·((gain·dy − meanG) − xhat·meanGx). */
function normGradRow(dy: usize, gain: usize, xhat: usize, gradIn: usize, h: i32, meanG: f64, meanGx: f64, inv: f64): void {
  const n = <usize>h << 3;
  const n2 = n & ~15;
  const gv = f64x2.splat(meanG);
  const xv = f64x2.splat(meanGx);
  const iv = f64x2.splat(inv);
  let o: usize = 0;
  for (; o < n2; o += 16) {
    const g = f64x2.mul(v128.load(gain + o), v128.load(dy + o));
    v128.store(gradIn + o, f64x2.mul(iv, f64x2.sub(f64x2.sub(g, gv), f64x2.mul(v128.load(xhat + o), xv))));
  }
  if (o < n) {
    const g = load<f64>(gain + o) * load<f64>(dy + o);
    store<f64>(gradIn + o, inv * (g - meanG - load<f64>(xhat + o) * meanGx));
  }
}

/**
 * Backward of {@link layerNormForward} with its activation: from gradOut[m×h] (∂L/∂out, out
 * = the activated output, given as `y`) writes ∂L/∂x into gradIn (may be gradOut) and
 * overwrites gradGain[h], gradBias[h] — layer-norm-mlp.ts's activation derivative followed
 * by layerNormBackward in layer-norm.ts, operation for operation.
 */
export function layerNormBackward(gradOut: usize, y: usize, gain: usize, xhat: usize, invStd: usize, gradIn: usize, gradGain: usize, gradBias: usize, m: i32, h: i32, act: i32): void {
  const row = <usize>h << 3;
  const len = m * h;
  // dy, in gradIn: the gradient before the activation.
  if (gradIn != gradOut) memory.copy(gradIn, gradOut, <usize>len << 3);
  activationBackward(act, gradIn, y, len);
  // Parameter gradients: column sums over the rows, in row order.
  const n2 = row & ~15;
  for (let o: usize = 0; o < row; o += 8) {
    store<f64>(gradGain + o, 0.0);
    store<f64>(gradBias + o, 0.0);
  }
  for (let b = 0; b < m; b++) {
    const d = gradIn + <usize>b * row;
    const z = xhat + <usize>b * row;
    let o: usize = 0;
    for (; o < n2; o += 16) {
      const dv = v128.load(d + o);
      v128.store(gradGain + o, f64x2.add(v128.load(gradGain + o), f64x2.mul(dv, v128.load(z + o))));
      v128.store(gradBias + o, f64x2.add(v128.load(gradBias + o), dv));
    }
    if (o < row) {
      const dv = load<f64>(d + o);
      store<f64>(gradGain + o, load<f64>(gradGain + o) + dv * load<f64>(z + o));
      store<f64>(gradBias + o, load<f64>(gradBias + o) + dv);
    }
  }
  const hv = f64x2.splat(<f64>h);
  let b = 0;
  for (; b + 2 <= m; b += 2) {
    const d0 = gradIn + <usize>b * row;
    const d1 = d0 + row;
    const z0 = xhat + <usize>b * row;
    const z1 = z0 + row;
    let sg = f64x2.splat(0.0);
    let sgx = f64x2.splat(0.0);
    for (let o: usize = 0; o < row; o += 8) {
      const g = f64x2.mul(v128.load64_splat(gain + o), rows2(d0 + o, d1 + o));
      sg = f64x2.add(sg, g);
      sgx = f64x2.add(sgx, f64x2.mul(g, rows2(z0 + o, z1 + o)));
    }
    const meanG = f64x2.div(sg, hv);
    const meanGx = f64x2.div(sgx, hv);
    const inv = v128.load(invStd + (<usize>b << 3));
    normGradRow(d0, gain, z0, d0, h, f64x2.extract_lane(meanG, 0), f64x2.extract_lane(meanGx, 0), f64x2.extract_lane(inv, 0));
    normGradRow(d1, gain, z1, d1, h, f64x2.extract_lane(meanG, 1), f64x2.extract_lane(meanGx, 1), f64x2.extract_lane(inv, 1));
  }
  if (b < m) {
    const d0 = gradIn + <usize>b * row;
    const z0 = xhat + <usize>b * row;
    let sg = 0.0;
    let sgx = 0.0;
    for (let o: usize = 0; o < row; o += 8) {
      const g = load<f64>(gain + o) * load<f64>(d0 + o);
      sg += g;
      sgx += g * load<f64>(z0 + o);
    }
    normGradRow(d0, gain, z0, d0, h, sg / <f64>h, sgx / <f64>h, load<f64>(invStd + (<usize>b << 3)));
  }
}
