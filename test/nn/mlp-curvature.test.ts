import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { MlpCurvature, type CurvatureActivation, type CurvatureLayer } from '../../src/nn/fast/mlp-curvature.js';

/** A stack [in → h → h → out] laid out from offset `start` (entries before it belong to something else). */
function stack(sizes: readonly number[], activations: readonly CurvatureActivation[], start = 3): { layers: CurvatureLayer[]; size: number } {
  let offset = start;
  const layers = sizes.slice(1).map((outSize, i) => {
    const inSize = sizes[i] as number;
    const layer = { inSize, outSize, offset, activation: activations[i] as CurvatureActivation };
    offset += inSize * outSize + outSize;
    return layer;
  });
  return { layers, size: offset + 2 };
}

const rng = new Rng(5);
const randn = (n: number, s = 1) => Float64Array.from({ length: n }, () => s * rng.normal());
const B = 7;

/** Relative max-norm error. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 1e-12;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs((a[i] as number) - (b[i] as number)));
    den = Math.max(den, Math.abs(b[i] as number));
  }
  return num / den;
}

describe.each([
  ['tanh', ['tanh', 'tanh', 'identity']],
  ['relu', ['relu', 'relu', 'identity']],
  ['tanh output', ['tanh', 'tanh', 'tanh']],
] as const)('MlpCurvature (%s)', (_name, activations) => {
  const sizes = [4, 6, 5, 3];
  const { layers, size } = stack(sizes, activations);
  const params = randn(size, 0.6);
  const input = randn(B * 4);
  const v = randn(size);
  const curv = new MlpCurvature(layers);
  const outputAt = (p: Float64Array) => new MlpCurvature(layers).forward(p, input, B).slice();
  const shifted = (h: number) => Float64Array.from(params, (x, i) => x + h * (v[i] as number));
  const h = 1e-6;

  it('jvp matches a central difference of the output along v', () => {
    curv.forward(params, input, B);
    const jv = curv.jvp(v).slice();
    const up = outputAt(shifted(h));
    const down = outputAt(shifted(-h));
    const fd = up.map((u, i) => (u - (down[i] as number)) / (2 * h));
    expect(relErr(jv, fd)).toBeLessThan(1e-6);
  });

  it('vjp is the transpose of jvp: ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩, and leaves entries outside the stack alone', () => {
    curv.forward(params, input, B);
    const jv = curv.jvp(v).slice();
    const u = randn(B * 3);
    const grad = new Float64Array(size).fill(0.5);
    curv.vjp(u, grad);
    let lhs = 0;
    for (let i = 0; i < u.length; i++) lhs += (u[i] as number) * (jv[i] as number);
    let rhs = 0;
    for (let i = 0; i < size; i++) rhs += ((grad[i] as number) - 0.5) * (v[i] as number);
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-10 * Math.max(1, Math.abs(lhs)));
    expect([grad[0], grad[1], grad[2], grad[size - 1]]).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('hvp matches a central difference of gradients for ℓ = Σ a·f + ½ q·f²', () => {
    const a = randn(B * 3);
    const q = 0.7;
    const gradAt = (p: Float64Array) => {
      const c = new MlpCurvature(layers);
      const f = c.forward(p, input, B);
      const g = new Float64Array(size);
      c.vjp(Float64Array.from(f, (y, i) => (a[i] as number) + q * y), g);
      return g;
    };
    const f = curv.forward(params, input, B);
    const cot = Float64Array.from(f, (y, i) => (a[i] as number) + q * y);
    const jv = curv.jvp(v);
    const hv = new Float64Array(size);
    curv.hvp(cot, Float64Array.from(jv, (d) => q * d), hv);
    const up = gradAt(shifted(1e-5));
    const down = gradAt(shifted(-1e-5));
    const fd = up.map((u, i) => (u - (down[i] as number)) / 2e-5);
    expect(relErr(hv, fd)).toBeLessThan(1e-6);
  });
});

describe('MlpCurvature input checks', () => {
  it('rejects mismatched layer widths and hvp before jvp', () => {
    expect(() => new MlpCurvature([{ inSize: 2, outSize: 3, offset: 0, activation: 'tanh' }, { inSize: 4, outSize: 1, offset: 9, activation: 'identity' }])).toThrow(/takes 4 inputs but layer 0 gives 3/);
    const c = new MlpCurvature([{ inSize: 2, outSize: 1, offset: 0, activation: 'identity' }]);
    c.forward(new Float64Array(3), new Float64Array(2), 1);
    expect(() => c.hvp([1], [0], new Float64Array(3))).toThrow(/jvp/);
  });
});

it('computes with the WebAssembly kernels when they are in use', async () => {
  const { fastEngineInfo } = await import('../../src/nn/fast/arena.js');
  expect(new MlpCurvature([{ inSize: 2, outSize: 1, offset: 0, activation: 'identity' }]).kernels).toBe(fastEngineInfo().kernels);
});
