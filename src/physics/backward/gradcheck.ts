/**
 * Finite-difference checks of vector–Jacobian products, for tests of this folder's VJPs and of
 * later ones (integrator, contact, rollouts).
 *
 * The check (PHYSICS.md §7.6): for a random linear functional L = Σ seed·outputs and a random
 * unit direction v over the inputs, compare the analytic ⟨∇L, v⟩ with the central difference
 * [L(x + εv) − L(x − εv)] / 2ε at ε = 1e-6·max(1, |x|∞) and at ε/10, where |x|∞ is taken per
 * input buffer (per parameter array), so inputs in different units each move relative to their
 * own size. This allocates freely; it
 * is not for per-step use.
 * @module
 */

import type { PhysicsModel } from '../model.js';
import type { PhysicsData } from '../state.js';
import type { ModelParamName, PhysicsGrad } from './grad.js';

/** |a − b| / max(|a|, |b|), 0 when both are 0. */
export function relativeError(a: number, b: number): number {
  const d = Math.max(Math.abs(a), Math.abs(b));
  return d === 0 ? 0 : Math.abs(a - b) / d;
}

/** Result of one directional check at two step sizes. */
export interface DirectionalCheck {
  /** ⟨∇L, v⟩ from the VJP. */
  readonly analytic: number;
  /** Central differences at ε and ε/10. */
  readonly fd: readonly [number, number];
  /** {@link relativeError} of each against `analytic`. */
  readonly relError: readonly [number, number];
  /** The step t (for {@link checkVjp}: relEps, the direction carrying each input's scale). */
  readonly eps: number;
}

/**
 * Compares `analytic` = ⟨∇L, v⟩ with the central differences diff(t)/2t at t = `eps` and
 * `eps`/10, where `diff(t)` = L(x + t·v) − L(x − t·v). (A caller that can difference outputs
 * entry by entry before summing them avoids the cancellation of two large sums.)
 */
export function checkDirectional(diff: (t: number) => number, analytic: number, eps: number): DirectionalCheck {
  const fd1 = diff(eps) / (2 * eps);
  const e2 = eps / 10;
  const fd2 = diff(e2) / (2 * e2);
  return { analytic, fd: [fd1, fd2], relError: [relativeError(analytic, fd1), relativeError(analytic, fd2)], eps };
}

/** A source of standard normal numbers (e.g. `Rng` from core). */
export interface NormalSource {
  normal(): number;
}

/** What {@link checkVjp} perturbs, reads and runs. Buffer names are {@link PhysicsData} fields; their cotangents are the {@link PhysicsGrad} fields named `<name>Bar`. */
export interface VjpCheckSpec {
  readonly model: PhysicsModel;
  readonly data: PhysicsData;
  readonly grad: PhysicsGrad;
  /** Input buffers, perturbed one world at a time. */
  readonly inputs: readonly string[];
  /** Inputs among `inputs` that are nv×nv symmetric matrices: perturbed symmetrically. */
  readonly symmetricInputs?: readonly string[];
  /** Model parameters, perturbed together (they are shared by all worlds). */
  readonly params: readonly ModelParamName[];
  /** Output buffers the random functional reads (every world). */
  readonly outputs: readonly string[];
  /** Recomputes the outputs from the inputs and the model (the stage's forward). */
  run(): void;
  /** The VJP under test: reads the outputs' bars in `grad`, accumulates the inputs' bars and `grad.params`. */
  vjp(): void;
  readonly rng: NormalSource;
  /**
   * How directions are drawn (default `'aligned'`): `'random'` is a Gaussian direction;
   * `'aligned'` has Gaussian magnitudes |r_i| with the sign of the VJP's ∂L/∂x_i (a random sign
   * where that is 0). A purely random direction in n dimensions is nearly orthogonal to ∇L now
   * and then, and ⟨∇L, v⟩ is then a cancellation of terms much larger than itself, so its
   * relative error only measures the finite differences' round-off. Aligned signs keep
   * ⟨∇L, v⟩ = Σ|r_i||∂L/∂x_i| free of cancellation while any wrong sign, wrong size, missing
   * or spurious entry of the VJP still changes it relative to the finite difference.
   */
  readonly directions?: 'aligned' | 'random';
  /** Relative step (default 1e-6): input (or parameter array) k moves by relEps·max(1, |x_k|∞) along a unit random direction. */
  readonly relEps?: number;
}

/** Per-world and parameter checks of one {@link checkVjp} call. */
export interface VjpCheckResult {
  /** One check per world: direction nonzero only in that world's inputs. */
  readonly worlds: readonly DirectionalCheck[];
  /** The parameter check (null when no parameters were listed). */
  readonly params: DirectionalCheck | null;
  /** Largest relative error over all checks, at ε and at ε/10. */
  readonly maxRelError: readonly [number, number];
}

type Buffers = Record<string, Float64Array>;

/** One direction component: Gaussian, with the sign of `g` when aligned and g ≠ 0. */
function direction(rng: NormalSource, aligned: boolean, g: number): number {
  const r = rng.normal();
  return aligned && g !== 0 ? Math.sign(g) * Math.abs(r) : r;
}

function buffer(src: object, name: string): Float64Array {
  const b = (src as Buffers)[name];
  if (!(b instanceof Float64Array)) throw new Error(`no Float64Array field "${name}"`);
  return b;
}

/**
 * Checks a stage VJP against central differences, world by world (so that gradients landing in
 * another world's slots are caught) and for the listed model parameters. Leaves the inputs,
 * parameters and outputs as it found them (outputs recomputed by `run`), and `grad` holding the
 * cotangents of the seeded functional.
 */
export function checkVjp(spec: VjpCheckSpec): VjpCheckResult {
  const { model, data, grad, rng } = spec;
  const B = data.batch;
  const relEps = spec.relEps ?? 1e-6;
  const nv = model.nv;
  const symmetric = new Set(spec.symmetricInputs ?? []);
  const aligned = (spec.directions ?? 'aligned') === 'aligned';

  spec.run();
  const seeds = spec.outputs.map((name) => Float64Array.from(buffer(data, name), () => rng.normal()));
  grad.zero();
  spec.outputs.forEach((name, i) => buffer(grad, `${name}Bar`).set(seeds[i] as Float64Array));
  spec.vjp();

  // The functional's change when only world w (or only the parameters) moved: outputs are
  // evaluated at x ± t·v and differenced entry by entry before the weighted sum, restricted to
  // world w's entries when only world w moved (the others cancel exactly, but would add their
  // round-off). world = −1: all worlds.
  const outputs = spec.outputs.map((name) => buffer(data, name));
  const plus = outputs.map((o) => new Float64Array(o.length));
  const diffAt = (set: (t: number) => void, restore: () => void, world: number) => (t: number): number => {
    set(t);
    spec.run();
    outputs.forEach((o, i) => (plus[i] as Float64Array).set(o));
    set(-t);
    spec.run();
    restore();
    let s = 0;
    outputs.forEach((o, i) => {
      const seed = seeds[i] as Float64Array;
      const p = plus[i] as Float64Array;
      const w0 = world < 0 ? 0 : world;
      const step = world < 0 ? 1 : B;
      for (let t2 = w0; t2 < seed.length; t2 += step) s += (seed[t2] as number) * ((p[t2] as number) - (o[t2] as number));
    });
    return s;
  };
  const worlds: DirectionalCheck[] = [];
  for (let w = 0; w < B; w++) {
    const bufs = spec.inputs.map((name) => buffer(data, name));
    const bars = spec.inputs.map((name) => buffer(grad, `${name}Bar`));
    const base = bufs.map((b) => Float64Array.from(b));
    // Direction: world w only; symmetric matrices get v_ij = v_ji.
    const dirs = bufs.map((b, i) => {
      const C = b.length / B;
      const d = new Float64Array(C);
      const bar = bars[i] as Float64Array;
      for (let c = 0; c < C; c++) d[c] = direction(rng, aligned, bar[c * B + w] as number);
      if (symmetric.has(spec.inputs[i] as string)) {
        for (let r = 0; r < nv; r++) for (let c = 0; c < r; c++) d[c * nv + r] = d[r * nv + c] as number;
      }
      return d;
    });
    // Unit direction, then each input scaled by its own size in this world: the step is
    // ε_k = relEps·max(1, |x_k|∞) for input k, so quantities in different units (kg·m², N, rad)
    // are each moved relative to their own magnitude.
    let norm = 0;
    dirs.forEach((d) => d.forEach((x) => (norm += x * x)));
    norm = Math.sqrt(norm);
    let analytic = 0;
    dirs.forEach((d, i) => {
      const b = base[i] as Float64Array;
      const bar = bars[i] as Float64Array;
      let xmax = 0;
      for (let c = 0; c < d.length; c++) xmax = Math.max(xmax, Math.abs(b[c * B + w] as number));
      const scale = Math.max(1, xmax) / norm;
      for (let c = 0; c < d.length; c++) {
        d[c] = (d[c] as number) * scale;
        analytic += (d[c] as number) * (bar[c * B + w] as number);
      }
    });
    const set = (t: number): void => {
      dirs.forEach((d, i) => {
        const b = bufs[i] as Float64Array;
        const b0 = base[i] as Float64Array;
        for (let c = 0; c < d.length; c++) b[c * B + w] = (b0[c * B + w] as number) + t * (d[c] as number);
      });
    };
    const restore = (): void => bufs.forEach((b, i) => b.set(base[i] as Float64Array));
    worlds.push(checkDirectional(diffAt(set, restore, w), analytic, relEps));
  }

  let params: DirectionalCheck | null = null;
  if (spec.params.length > 0) {
    const arrays = spec.params.map((p) => buffer(model, p));
    const base = arrays.map((a) => Float64Array.from(a));
    const sums = spec.params.map((p) => grad.params.sumOverWorlds(p));
    const dirs = arrays.map((a, i) => Float64Array.from(a, (_, c) => direction(rng, aligned, (sums[i] as Float64Array)[c] as number)));
    let norm = 0;
    dirs.forEach((d) => d.forEach((x) => (norm += x * x)));
    norm = Math.sqrt(norm);
    let analytic = 0;
    dirs.forEach((d, i) => {
      const a0 = base[i] as Float64Array;
      const scale = Math.max(1, ...a0.map(Math.abs)) / norm;
      const pg = sums[i] as Float64Array;
      for (let c = 0; c < d.length; c++) {
        d[c] = (d[c] as number) * scale;
        analytic += (d[c] as number) * (pg[c] as number);
      }
    });
    const set = (t: number): void => {
      dirs.forEach((d, i) => {
        const a = arrays[i] as Float64Array;
        const a0 = base[i] as Float64Array;
        for (let c = 0; c < d.length; c++) a[c] = (a0[c] as number) + t * (d[c] as number);
      });
    };
    const restore = (): void => arrays.forEach((a, i) => a.set(base[i] as Float64Array));
    params = checkDirectional(diffAt(set, restore, -1), analytic, relEps);
  }
  spec.run();

  const all = params === null ? worlds : [...worlds, params];
  const maxRelError: [number, number] = [Math.max(...all.map((c) => c.relError[0])), Math.max(...all.map((c) => c.relError[1]))];
  return { worlds, params, maxRelError };
}
