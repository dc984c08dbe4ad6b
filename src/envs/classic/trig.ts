/**
 * Correctly rounded sine and cosine for the classic-control kernels.
 *
 * Why not `Math.sin`/`Math.cos`: V8 computes them with fdlibm, which is faithful but returns
 * the neighbour of the correctly rounded double for about 3% of arguments, while Gymnasium's
 * NumPy calls the C library (glibc), whose results are correctly rounded for all but about
 * 0.1–0.3% of arguments. One ulp is harmless for most envs, but Acrobot is chaotic: a single
 * differing ulp grows by roughly 9% a step, and over a 500-step episode fdlibm's differences
 * reach 1e-6 in the observation. Rounding correctly agrees with glibc on ~99.8% of calls, so
 * whole traces replay bit for bit or very nearly.
 *
 * Method (standard, written from the mathematics): split x = a + τ with a = j/64 taken from a
 * table of sin a and cos a in double-double, evaluate short Taylor polynomials in τ
 * (|τ| ≤ 1/128), and combine with error-free transforms (Veltkamp/Dekker products, Knuth
 * sums). Near a multiple of π/2 (where sin or cos is small) or for |x| ≥ 8, x is first reduced
 * by k·π/2 in double-double (π/2 split into 33 + 33 + 53 bits, exact products for |k| < 2²⁰)
 * so the relative accuracy holds. The value before the final rounding is accurate to roughly
 * 2⁻⁶⁶ relative, so the last rounding is correct except within a tiny fraction of an ulp
 * around rounding midpoints. π and the table are computed once at load time with BigInt
 * fixed-point arithmetic; nothing is copied from any libm. |x| ≥ 2¹⁹, NaN and ±∞ fall back to
 * `Math.sin`/`Math.cos`.
 *
 * Interface: V8 passes and returns doubles between functions that it does not inline as
 * heap-allocated numbers, and this routine is too large to be inlined, so it takes its
 * argument from and writes its results to the shared array {@link TRIG}, and a call allocates
 * nothing:
 *
 * ```ts
 * TRIG[TRIG_X] = theta;
 * sinCos();
 * const s = TRIG[TRIG_SIN] as number;
 * const c = TRIG[TRIG_COS] as number;
 * ```
 *
 * Cost: about 2–3× one `Math.sin` for both values together.
 */

/** Fixed-point scale of the load-time computations: values are integers times 2⁻¹⁶⁰. */
const FRAC_BITS = 160n;
const FIX_ONE = 1n << FRAC_BITS;
const FIX_TO_DOUBLE = 2 ** -160;

/** atan(1/n) in fixed point, by its alternating series. */
function fixAtanInv(n: bigint): bigint {
  const n2 = n * n;
  let power = FIX_ONE / n;
  let sum = 0n;
  for (let k = 1n, sign = 1n; power !== 0n; k += 2n, sign = -sign) {
    sum += (sign * power) / k;
    power /= n2;
  }
  return sum;
}

/** Machin's formula: π = 16·atan(1/5) − 4·atan(1/239). */
const FIX_PI = 16n * fixAtanInv(5n) - 4n * fixAtanInv(239n);
const FIX_PI_2 = FIX_PI / 2n;

/** sin x and cos x in fixed point for a small fixed-point x, by their Taylor series. */
function fixSinCos(x: bigint): [bigint, bigint] {
  let sin = 0n;
  let cos = 0n;
  let term = FIX_ONE; // x^n / n!
  for (let n = 0n; term !== 0n; n++) {
    const r = n % 4n;
    if (r === 0n) cos += term;
    else if (r === 1n) sin += term;
    else if (r === 2n) cos -= term;
    else sin -= term;
    term = (term * x) / FIX_ONE / (n + 1n);
  }
  return [sin, cos];
}

/** Nearest double to a fixed-point value, and the nearest double to what is left. */
function fixToDoubleDouble(v: bigint): [number, number] {
  const hiScaled = Number(v); // correctly rounded; an integer whenever |v| ≥ 2⁵³
  const lo = Number(v - BigInt(hiScaled)) * FIX_TO_DOUBLE;
  return [hiScaled * FIX_TO_DOUBLE, lo];
}

// π/2 = PIO2_1 + PIO2_2 + PIO2_3: the first two hold 33 significant bits each, so k·PIO2_1 and
// k·PIO2_2 are exact for |k| < 2²⁰; the third is the rounded rest.
const FIX_PIO2_1 = (FIX_PI_2 >> (FRAC_BITS - 32n)) << (FRAC_BITS - 32n);
const FIX_PIO2_2 = ((FIX_PI_2 - FIX_PIO2_1) >> (FRAC_BITS - 65n)) << (FRAC_BITS - 65n);
const PIO2_1 = Number(FIX_PIO2_1) * FIX_TO_DOUBLE;
const PIO2_2 = Number(FIX_PIO2_2) * FIX_TO_DOUBLE;
const PIO2_3 = Number(FIX_PI_2 - FIX_PIO2_1 - FIX_PIO2_2) * FIX_TO_DOUBLE;
const TWO_OVER_PI = Number((FIX_ONE << FRAC_BITS) / FIX_PI_2) * FIX_TO_DOUBLE;
/** Above this the reduction loses exactness; such angles use Math.sin/Math.cos. */
const MAX_REDUCED = 2 ** 19;
/** Below this |x| the table is used directly, without reduction. */
const MAX_DIRECT = 8;
/** Within this of a nonzero multiple of π/2 (a zero of sin or cos), the direct table sum cancels too much. */
const NEAR_ZERO = 0.0625;

/** Veltkamp split factor: 2²⁷ + 1. */
const SPLITTER = 134217729;
/** Adding and subtracting 1.5·2⁵² rounds a double below 2⁵¹ to an integer (ties to even). */
const ROUNDER = 6755399441055744;

// Table for a = j/64, |j| ≤ TABLE_MAX (covers |x| < 8 plus rounding), one row of TABLE_STRIDE
// doubles per j: sin a and cos a as double-double, and their high parts split in two 26-bit
// halves for exact products.
const TABLE_MAX = 513;
const TABLE_STRIDE = 8;
const SIN_HI = 0;
const SIN_LO = 1;
const SIN_HI_H = 2;
const SIN_HI_L = 3;
const COS_HI = 4;
const COS_LO = 5;
const COS_HI_H = 6;
const COS_HI_L = 7;
const TABLE = new Float64Array((2 * TABLE_MAX + 1) * TABLE_STRIDE);
{
  const [s1, c1] = fixSinCos(FIX_ONE >> 6n);
  let s = 0n;
  let c = FIX_ONE;
  for (let j = 0; j <= TABLE_MAX; j++) {
    const [sh, sl] = fixToDoubleDouble(s);
    const [ch, cl] = fixToDoubleDouble(c);
    const ts = SPLITTER * sh;
    const shH = ts - (ts - sh);
    const tc = SPLITTER * ch;
    const chH = tc - (tc - ch);
    TABLE.set([sh, sl, shH, sh - shH, ch, cl, chH, ch - chH], (TABLE_MAX + j) * TABLE_STRIDE);
    // sin(−a) = −sin a, cos(−a) = cos a.
    TABLE.set([-sh, -sl, -shH, -(sh - shH), ch, cl, chH, ch - chH], (TABLE_MAX - j) * TABLE_STRIDE);
    // Angle addition by 1/64; the fixed-point error grows by a few 2⁻¹⁶⁰ per step only.
    [s, c] = [(s * c1 + c * s1) / FIX_ONE, (c * c1 - s * s1) / FIX_ONE];
  }
}

// Taylor coefficients of sin τ = τ + τ³·(S3 + τ²·(S5 + …)) and cos τ = 1 + τ²·(C2 + …).
const S3 = -1 / 6;
const S5 = 1 / 120;
const S7 = -1 / 5040;
const S9 = 1 / 362880;
const C2 = -0.5;
const C4 = 1 / 24;
const C6 = -1 / 720;
const C8 = 1 / 40320;

/** Argument and results of {@link sinCos}: write `TRIG[TRIG_X]`, call, read `TRIG[TRIG_SIN]` and `TRIG[TRIG_COS]`. */
export const TRIG = new Float64Array(3);
/** Index of the argument x in {@link TRIG}. */
export const TRIG_X = 0;
/** Index of sin x in {@link TRIG} after {@link sinCos}. */
export const TRIG_SIN = 1;
/** Index of cos x in {@link TRIG} after {@link sinCos}. */
export const TRIG_COS = 2;

/**
 * Sets `TRIG[TRIG_SIN]` and `TRIG[TRIG_COS]` to sin and cos of `TRIG[TRIG_X]`, each correctly
 * rounded but for a tiny fraction of an ulp around rounding midpoints (see the module doc).
 */
export function sinCos(): void {
  const x = TRIG[TRIG_X] as number;
  const ax = Math.abs(x);
  if (ax < 7.450580596923828e-9) {
    // Below 2⁻²⁷, sin x rounds to x and cos x to 1.
    TRIG[TRIG_SIN] = x;
    TRIG[TRIG_COS] = 1;
    return;
  }
  if (!(ax < MAX_REDUCED)) {
    TRIG[TRIG_SIN] = Math.sin(x);
    TRIG[TRIG_COS] = Math.cos(x);
    return;
  }

  // Write x = k·π/2 + a + τ with a = j/64 and τ = th + tl, |τ| ≲ 1/128.
  let k = x * TWO_OVER_PI + ROUNDER - ROUNDER;
  const r1 = x - k * PIO2_1; // exact (Sterbenz; k·PIO2_1 is exact)
  let j: number;
  let th: number;
  let tl: number;
  if (ax < MAX_DIRECT && (k === 0 || Math.abs(r1) >= NEAR_ZERO)) {
    // Far from the zeros: straight from the table, no reduction error at all.
    k = 0;
    j = x * 64 + ROUNDER - ROUNDER;
    th = x - j * 0.015625; // exact
    tl = 0;
  } else {
    // r = x − k·π/2 = rh + rl in double-double.
    const p2 = k * PIO2_2; // exact
    const rh = r1 - p2;
    const bb = rh - r1;
    const rl = r1 - (rh - bb) + (-p2 - bb) - k * PIO2_3;
    j = rh * 64 + ROUNDER - ROUNDER;
    const t = rh - j * 0.015625; // exact
    th = t + rl;
    const tv = th - t;
    tl = t - (th - tv) + (rl - tv);
  }

  // sin τ = th + sinTail, cos τ = 1 + cosM1.
  const z = th * th;
  const sinTail = th * z * (S3 + z * (S5 + z * (S7 + z * S9))) + tl * (1 + C2 * z);
  const cosM1 = z * (C2 + z * (C4 + z * (C6 + z * C8))) - th * tl;
  // Veltkamp split of th for the exact products below.
  const ts = SPLITTER * th;
  const thH = ts - (ts - th);
  const thL = th - thH;

  const row = ((j + TABLE_MAX) * TABLE_STRIDE) | 0;
  const sh = TABLE[row + SIN_HI] as number;
  const sl = TABLE[row + SIN_LO] as number;
  const ch = TABLE[row + COS_HI] as number;
  const cl = TABLE[row + COS_LO] as number;

  // sin(a + τ) = sin a·cos τ + cos a·sin τ; cos a·th is formed exactly (sp + spl).
  const chH = TABLE[row + COS_HI_H] as number;
  const chL = TABLE[row + COS_HI_L] as number;
  const sp = ch * th;
  const spl = chH * thH - sp + chH * thL + chL * thH + chL * thL;
  const su = sh + sp;
  const sv = su - sh;
  const se = sh - (su - sv) + (sp - sv);
  const sinR = su + (se + (spl + (sl + (sh * cosM1 + (ch * sinTail + cl * th)))));

  // cos(a + τ) = cos a·cos τ − sin a·sin τ; −sin a·th is formed exactly (cp + cpl).
  const shH = TABLE[row + SIN_HI_H] as number;
  const shL = TABLE[row + SIN_HI_L] as number;
  const cp = -(sh * th);
  const cpl = -(shH * thH + cp + shH * thL + shL * thH + shL * thL);
  const cu = ch + cp;
  const cv = cu - ch;
  const ce = ch - (cu - cv) + (cp - cv);
  const cosR = cu + (ce + (cpl + (cl + (ch * cosM1 - (sh * sinTail + sl * th)))));

  // Quadrant k mod 4: (sin x, cos x) = (s, c), (c, −s), (−s, −c), (−c, s).
  const q = k & 3;
  if (q === 0) {
    TRIG[TRIG_SIN] = sinR;
    TRIG[TRIG_COS] = cosR;
  } else if (q === 1) {
    TRIG[TRIG_SIN] = cosR;
    TRIG[TRIG_COS] = -sinR;
  } else if (q === 2) {
    TRIG[TRIG_SIN] = -sinR;
    TRIG[TRIG_COS] = -cosR;
  } else {
    TRIG[TRIG_SIN] = -cosR;
    TRIG[TRIG_COS] = sinR;
  }
}
