import { describe, expect, it } from 'vitest';
import {
  diceBackwardTerm,
  diceExtractionWeights,
  diceForwardTerm,
  diceTrueGradientTerm,
  diceValueTerm,
  fConjugate,
  fConjugateDerivative,
  orthogonalDualGradient,
  type DiceTermInput,
} from '../../src/algorithms/dice.js';
import { Rng } from '../../src/core/rng.js';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + x * (b[i] as number), 0);
const randomVector = (n: number, rng: Rng) => Float64Array.from({ length: n }, () => rng.normal());

describe('DICE f-divergence conjugates (ALGORITHMS.md §7 (e))', () => {
  it('Pearson χ² f* golden values: f*(−3) = −1, f*(−2) = −1, f*(−1) = −0.75, f*(0) = 0, f*(1) = 1.25, f*(2) = 3', () => {
    const golden: [number, number][] = [
      [-3, -1],
      [-2, -1],
      [-1, -0.75],
      [0, 0],
      [1, 1.25],
      [2, 3],
    ];
    for (const [y, v] of golden) expect(fConjugate('chi-square', y)).toBe(v);
  });

  it('the derivatives equal central differences of f* (χ² on both sides of its kink at −2, and KL)', () => {
    for (const divergence of ['chi-square', 'kl'] as const) {
      for (const y of [-5, -2.5, -1.9, -1, 0, 0.3, 2, 4]) {
        const h = 1e-6;
        const fd = (fConjugate(divergence, y + h) - fConjugate(divergence, y - h)) / (2 * h);
        expect(Math.abs(fConjugateDerivative(divergence, y) - fd)).toBeLessThan(1e-8);
      }
    }
    expect(fConjugate('kl', 1)).toBe(1);
  });
});

describe("O-DICE's orthogonal-gradient update", () => {
  it('what the backward gradient adds is orthogonal to g_f (to 1e-6, random g_f, g_b)', () => {
    const rng = new Rng('odice/orth');
    let worst = 0;
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + rng.int(500);
      const gf = randomVector(n, rng);
      const gb = randomVector(n, rng).map((x) => 10 * x);
      const out = new Float64Array(n);
      orthogonalDualGradient(gf, gb, out);
      // g − ∇(1−λ)V − g_f: the dual part minus the forward gradient.
      const added = out.map((x, i) => x - (gf[i] as number));
      worst = Math.max(worst, Math.abs(dot(gf, added)) / (Math.sqrt(dot(gf, gf) * dot(added, added)) + 1e-300));
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('a backward gradient parallel to g_f (g_b = k·g_f) leaves exactly g_f', () => {
    const rng = new Rng('odice/parallel');
    const gf = randomVector(40, rng);
    for (const k of [-3, 0.5, 2]) {
      const out = new Float64Array(40);
      const c = orthogonalDualGradient(gf, gf.map((x) => k * x), out);
      expect(c).toBeCloseTo(k, 12);
      out.forEach((x, i) => expect(x).toBeCloseTo(gf[i] as number, 12));
    }
  });

  it('g_f = 0 (below the 1e-10 floor) adds g_b unprojected', () => {
    const gb = Float64Array.of(1, -2, 3);
    const out = new Float64Array(3);
    expect(orthogonalDualGradient(new Float64Array(3), gb, out)).toBe(0);
    expect(Array.from(out)).toEqual([1, -2, 3]);
  });
});

describe('DICE value gradients on a linear V = wᵀφ', () => {
  // With V(s) = wᵀφ(s), ∂V/∂w = φ(s): a term's gradient w.r.t. w is Σ_b (∂term/∂V_b)·φ(s_b) + Σ_b (∂term/∂V'_b)·φ(s'_b).
  const rng = new Rng('dice/linear');
  const B = 6;
  const d = 4;
  const phiS = Array.from({ length: B }, () => randomVector(d, rng));
  const phiN = Array.from({ length: B }, () => randomVector(d, rng));
  const w = randomVector(d, rng);
  const wTarget = randomVector(d, rng);
  const V = (phi: Float64Array[], weights: Float64Array) => Float64Array.from(phi, (p) => dot(weights, p));
  const rewards = randomVector(B, rng);
  const terminal = [0, 1, 0, 0, 1, 0];
  const gamma = 0.99;
  const input: DiceTermInput = { heads: 1, batch: B, rewards, bootstrap: terminal.map((t) => gamma * (1 - t)), divergence: 'chi-square' };
  const lambda = 0.6;
  const eta = 1.3;

  it('the semi-gradient has no φ(s′) component: it is Σ_b ∂/∂V_b · φ(s_b) only', () => {
    const grad = new Float64Array(B);
    diceForwardTerm(input, V(phiS, w), V(phiN, wTarget), lambda, new Float64Array(B), grad);
    // The semi-gradient w.r.t. w, compared with central differences of the term in w with the target held fixed.
    const semi = Float64Array.from({ length: d }, (_, j) => phiS.reduce((s, p, b) => s + (grad[b] as number) * (p[j] as number), 0));
    for (let j = 0; j < d; j++) {
      const h = 1e-6;
      const at = (x: number) => {
        const wj = w.slice();
        wj[j] = x;
        return diceForwardTerm(input, V(phiS, wj), V(phiN, wTarget), lambda, new Float64Array(B), new Float64Array(B));
      };
      const fd = (at((w[j] as number) + h) - at((w[j] as number) - h)) / (2 * h);
      expect(Math.abs((semi[j] as number) - fd)).toBeLessThan(1e-7);
    }
  });

  it('g_b = λη·f*′(δ_b)·γ(1 − d)·φ(s′) summed over the batch (mean over B)', () => {
    const grad = new Float64Array(B);
    const vN = V(phiN, w);
    const vTargetS = V(phiS, wTarget);
    diceBackwardTerm(input, vN, vTargetS, lambda * eta, grad);
    for (let j = 0; j < d; j++) {
      const ours = phiN.reduce((s, p, b) => s + (grad[b] as number) * (p[j] as number), 0);
      let expected = 0;
      for (let b = 0; b < B; b++) {
        const g = gamma * (1 - (terminal[b] as number));
        const delta = (rewards[b] as number) + g * (vN[b] as number) - (vTargetS[b] as number);
        expected += ((lambda * eta) / B) * fConjugateDerivative('chi-square', delta) * g * ((phiN[b] as Float64Array)[j] as number);
      }
      expect(ours).toBeCloseTo(expected, 12);
    }
    // A terminal row contributes nothing through V(s′).
    expect(grad[1]).toBe(0);
  });

  it('the true gradient is the full derivative of λ·mean f*(r + γ(1−d)wᵀφ′ − wᵀφ) + (1−λ)·mean wᵀφ', () => {
    const gS = new Float64Array(B);
    const gN = new Float64Array(B);
    const loss = (weights: Float64Array) => {
      const vs = V(phiS, weights);
      return diceTrueGradientTerm(input, vs, V(phiN, weights), lambda, new Float64Array(B), new Float64Array(B), new Float64Array(B)) + diceValueTerm(1, B, vs, lambda, new Float64Array(B));
    };
    const vs = V(phiS, w);
    diceTrueGradientTerm(input, vs, V(phiN, w), lambda, new Float64Array(B), gS, gN);
    diceValueTerm(1, B, vs, lambda, gS);
    for (let j = 0; j < d; j++) {
      const ours = phiS.reduce((s, p, b) => s + (gS[b] as number) * (p[j] as number), 0) + phiN.reduce((s, p, b) => s + (gN[b] as number) * (p[j] as number), 0);
      const h = 1e-6;
      const wp = w.slice();
      wp[j] = (w[j] as number) + h;
      const wm = w.slice();
      wm[j] = (w[j] as number) - h;
      expect(Math.abs(ours - (loss(wp) - loss(wm)) / (2 * h))).toBeLessThan(1e-7);
    }
  });
});

describe('policy extraction weights', () => {
  it('clip(relu(δ), 100), averaged over twin heads', () => {
    const residuals = Float64Array.of(-1, 0.5, 300, 2, /* head 2 */ 1, 1.5, -4, 202);
    const out = new Float64Array(4);
    diceExtractionWeights(2, 4, residuals, 100, out);
    expect(Array.from(out)).toEqual([0.5, 1, 50, 51]);
  });
});
