import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { FastMlp, LayerNormMlp, layerNormForward } from '../../src/nn/fast/index.js';

/** L = Σ c·y + ½ Σ y²: nonlinear in the output, so second-order mistakes in a backward show. */
function testLoss(y: ArrayLike<number>, c: ArrayLike<number>, gradOut?: Float64Array): number {
  let loss = 0;
  for (let i = 0; i < y.length; i++) {
    const yi = y[i] as number;
    loss += (c[i] as number) * yi + 0.5 * yi * yi;
    if (gradOut) gradOut[i] = (c[i] as number) + yi;
  }
  return loss;
}

const randomArray = (n: number, rng: Rng, scale = 1) => Float64Array.from({ length: n }, () => scale * rng.normal());

describe('LayerNorm', () => {
  it("normalises each row as PyTorch's nn.LayerNorm (biased variance, ε = 1e-5 inside the root)", () => {
    const x = Float64Array.of(1, 2, 3, -4, 0, 4);
    const out = new Float64Array(6);
    const xhat = new Float64Array(6);
    const invStd = new Float64Array(2);
    layerNormForward(x, 2, 3, [1, 1, 1], [0, 0, 0], out, xhat, invStd);
    // Row 1: mean 2, variance 2/3: (x − 2)/√(2/3 + 1e-5); torch.nn.LayerNorm(3)(tensor([1., 2., 3.])) = [-1.2247, 0, 1.2247].
    const s1 = Math.sqrt(2 / 3 + 1e-5);
    const s2 = Math.sqrt(32 / 3 + 1e-5);
    const expected = [-1 / s1, 0, 1 / s1, -4 / s2, 0, 4 / s2];
    expected.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 14));
    expect(out[0]).toBeCloseTo(-1.2247357, 6);
    layerNormForward(x, 2, 3, [2, 1, 0.5], [0.5, -1, 0], out, xhat, invStd);
    expect(Array.from(out.subarray(0, 3))).toEqual([2 * (-1 / s1) + 0.5, -1, 0.5 / s1]);
  });
});

describe('LayerNormMlp', () => {
  // Central differences, h = 1e-5: truncation ~h²·|L'''| and rounding ~1e-16·|L|/h ≈ 1e-10 on
  // these O(1)–O(10) losses. A mistake in the LayerNorm backward (a dropped mean term, the
  // wrong x̂ factor) shows at O(1e-2).
  const h = 1e-5;
  const cases = [
    { sizes: [5, 8, 7, 1], batch: 9, activation: 'relu' as const },
    { sizes: [3, 6, 2], batch: 4, activation: 'tanh' as const },
    { sizes: [4, 16, 16, 3], batch: 6, activation: 'relu' as const },
  ];
  for (const { sizes, batch, activation } of cases) {
    it(`gradients equal central differences (sizes ${sizes.join('-')}, ${activation})`, () => {
      const rng = new Rng(`ln/${sizes.join('-')}`);
      const net = new LayerNormMlp({ sizes, activation });
      net.initFanInUniform(rng.split('init'));
      // Gains and biases away from 1 and 0, so that their gradients and their effect on ∂L/∂x are tested.
      for (let i = 0; i < net.params.length; i++) net.params[i] = (net.params[i] as number) + 0.2 * rng.normal();
      const x = randomArray(batch * (sizes[0] as number), rng.split('x'), 2);
      const c = randomArray(batch * (sizes[sizes.length - 1] as number), rng.split('c'));
      const gradOut = new Float64Array(c.length);
      testLoss(net.forward(x, batch), c, gradOut);
      net.backward(gradOut, batch);
      const grads = net.grads.slice();
      let worst = 0;
      for (let i = 0; i < net.paramCount; i++) {
        const p0 = net.params[i] as number;
        net.params[i] = p0 + h;
        const lp = testLoss(net.forwardInference(x, batch), c);
        net.params[i] = p0 - h;
        const lm = testLoss(net.forwardInference(x, batch), c);
        net.params[i] = p0;
        const fd = (lp - lm) / (2 * h);
        worst = Math.max(worst, Math.abs(fd - (grads[i] as number)) / (1e-6 + Math.abs(fd)));
      }
      expect(worst).toBeLessThan(1e-5);
    });
  }

  it('forwardInference equals forward bit for bit; backward can be repeated with another output gradient', () => {
    const rng = new Rng('ln/infer');
    const net = new LayerNormMlp({ sizes: [6, 10, 10, 2] });
    net.initFanInUniform(rng);
    const x = randomArray(7 * 6, rng);
    const a = Float64Array.from(net.forward(x, 7));
    expect(Array.from(net.forwardInference(x, 7))).toEqual(Array.from(a));
    const g1 = randomArray(14, rng);
    const g2 = randomArray(14, rng);
    net.backward(g1, 7);
    const first = net.grads.slice();
    net.backward(g2, 7);
    const second = net.grads.slice();
    net.backward(g1.map((v, i) => v + (g2[i] as number)), 7);
    // Backward is linear in the output gradient.
    net.grads.forEach((v, i) => expect(v).toBeCloseTo((first[i] as number) + (second[i] as number), 12));
  });

  it('without LayerNorm it is a plain FastMlp on the same parameters', () => {
    const rng = new Rng('ln/plain');
    const net = new LayerNormMlp({ sizes: [4, 9, 9, 1], layerNorm: false });
    net.initFanInUniform(rng);
    expect(net.paramCount).toBe(FastMlp.paramCount([4, 9, 9, 1]));
    const mlp = new FastMlp({ sizes: [4, 9, 9, 1], activation: 'relu' });
    mlp.params.set(net.params);
    const x = randomArray(20, rng);
    expect(Array.from(net.forward(x, 5))).toEqual(Array.from(mlp.forward(x, 5)));
  });

  it('two networks on one parameter vector keep their own activations and gradients', () => {
    const rng = new Rng('ln/shared');
    const sizes = [3, 5, 1];
    const count = LayerNormMlp.paramCount(sizes);
    const params = new Float64Array(count);
    const a = new LayerNormMlp({ sizes, params, grads: new Float64Array(count) });
    const b = new LayerNormMlp({ sizes, params, grads: new Float64Array(count) });
    a.initFanInUniform(rng);
    const xa = randomArray(6, rng);
    const xb = randomArray(6, rng);
    const ya = Float64Array.from(a.forward(xa, 2));
    b.forward(xb, 2);
    a.backward([1, 1], 2);
    b.backward([1, 1], 2);
    const solo = new LayerNormMlp({ sizes, params: params.slice() });
    expect(Array.from(solo.forward(xa, 2))).toEqual(Array.from(ya));
    solo.backward([1, 1], 2);
    expect(Array.from(a.grads)).toEqual(Array.from(solo.grads));
    expect(Array.from(b.grads)).not.toEqual(Array.from(a.grads));
  });
});
