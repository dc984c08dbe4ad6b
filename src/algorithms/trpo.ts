/**
 * TRPO's update rules (Schulman et al. 2015; ALGORITHMS.md §2) as pure functions of vectors:
 * conjugate gradient on (damped) Fisher-vector products, the step length that puts the
 * quadratic model of the KL on the trust-region boundary, and the backtracking line search that
 * keeps the old parameters when every trial fails.
 * @module
 */

/** y = A·x for the matrix CG solves with (TRPO: the damped Fisher F + c·I). */
export type MatrixVectorProduct = (x: Float64Array, out: Float64Array) => void;

/** Result of {@link conjugateGradient}. */
export interface CgResult {
  /** Iterations run (matrix-vector products taken). */
  readonly iterations: number;
  /** ‖r‖² = ‖b − A·x‖² at exit (the recurrence's residual). */
  readonly residual: number;
}

/** Work vectors of {@link conjugateGradient}, all of the problem's length. */
export interface CgWork {
  readonly r: Float64Array;
  readonly p: Float64Array;
  readonly ap: Float64Array;
}

/** Allocates the work vectors of a CG solve of size `n`. */
export function cgWork(n: number): CgWork {
  return { r: new Float64Array(n), p: new Float64Array(n), ap: new Float64Array(n) };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/**
 * Solves A·x = b for a symmetric positive-definite A given only as products, writing x into
 * `x`: x₀ = 0, r₀ = p₀ = b, at most `maxSteps` iterations, stopping once ‖r‖² < `tolerance`.
 * Accumulates in float64.
 */
export function conjugateGradient(product: MatrixVectorProduct, b: Float64Array, x: Float64Array, maxSteps: number, tolerance: number, work: CgWork = cgWork(b.length)): CgResult {
  const { r, p, ap } = work;
  x.fill(0);
  r.set(b);
  p.set(b);
  let rr = dot(r, r);
  let k = 0;
  while (k < maxSteps && rr >= tolerance) {
    product(p, ap);
    k++;
    const pap = dot(p, ap);
    if (!(pap > 0)) break; // not positive definite along p (or NaN): stop with what we have
    const alpha = rr / pap;
    for (let i = 0; i < x.length; i++) {
      x[i] = (x[i] as number) + alpha * (p[i] as number);
      r[i] = (r[i] as number) - alpha * (ap[i] as number);
    }
    const rrNext = dot(r, r);
    const beta = rrNext / rr;
    rr = rrNext;
    for (let i = 0; i < p.length; i++) p[i] = (r[i] as number) + beta * (p[i] as number);
  }
  return { iterations: k, residual: rr };
}

/**
 * β = √(2δ / xᵀ·F̃·x): the multiple of the search direction x whose quadratic KL model
 * ½(βx)ᵀF̃(βx) equals δ. `fx` = F̃·x with the same damped F̃ that CG used. Returns 0 when the
 * curvature is not positive (no step).
 */
export function trpoStepScale(x: Float64Array, fx: Float64Array, maxKl: number): number {
  const xfx = dot(x, fx);
  return xfx > 0 ? Math.sqrt((2 * maxKl) / xfx) : 0;
}

/** The surrogate objective and the mean KL of one line-search trial. */
export interface TrialResult {
  readonly objective: number;
  readonly kl: number;
}

/** Settings of {@link backtrackingLineSearch}. */
export interface LineSearchSettings {
  /** δ: the largest mean KL a step may have. */
  readonly maxKl: number;
  /** s: each trial's step is s times the previous one's. */
  readonly shrink: number;
  /** J: trials before giving up. */
  readonly maxTrials: number;
}

/** Outcome of {@link backtrackingLineSearch}. */
export interface LineSearchResult {
  /** Index j of the accepted trial (step s^j·Δ), or −1 when every trial failed. */
  readonly accepted: number;
  /** Trials evaluated. */
  readonly trials: number;
  /** The accepted trial's objective and KL (the last trial's when none was accepted). */
  readonly last: TrialResult;
}

/**
 * Tries θ_old + s^j·Δ for j = 0 … J−1 through `tryStep(s^j)` (which sets the parameters and
 * evaluates them) and accepts the first with KL ≤ δ and objective ≥ `baseline` (the objective
 * at θ_old). It does not restore anything itself: when it returns −1 the caller must put θ_old
 * back — TRPO keeps the old parameters when the search fails (unlike an implementation that
 * keeps the last trial).
 */
export function backtrackingLineSearch(tryStep: (scale: number) => TrialResult, baseline: number, s: LineSearchSettings): LineSearchResult {
  let scale = 1;
  let last: TrialResult = { objective: Number.NaN, kl: Number.NaN };
  for (let j = 0; j < s.maxTrials; j++) {
    last = tryStep(scale);
    if (last.kl <= s.maxKl && last.objective >= baseline) return { accepted: j, trials: j + 1, last };
    scale *= s.shrink;
  }
  return { accepted: -1, trials: s.maxTrials, last };
}
