import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { GruMlpNet } from '../../src/nn/fast/gru-mlp.js';
import { gruParamCount } from '../../src/nn/fast/gru.js';
import { centralDifference } from '../helpers/finite-differences.js';

const SHAPE = { inputSize: 3, hiddenSize: 5, layers: [6, 4], activation: 'tanh' as const, outputSize: 2 };
const LENGTHS = Int32Array.of(3, 1, 4);
const TOKENS = 8;

function setup(orthogonal = true) {
  const rng = new Rng('gru-mlp');
  const net = new GruMlpNet(SHAPE);
  net.init(rng.split('init'), { headGain: 1, orthogonal });
  // Away from zero biases, so no unit sits at a symmetric point.
  for (let i = 0; i < net.params.length; i++) net.params[i] = (net.params[i] as number) + 0.1 * rng.normal();
  const inputs = Float64Array.from({ length: TOKENS * SHAPE.inputSize }, () => rng.uniformRange(-1, 1));
  const initial = Float64Array.from({ length: LENGTHS.length * SHAPE.hiddenSize }, () => rng.uniformRange(-0.5, 0.5));
  const weights = Float64Array.from({ length: TOKENS * SHAPE.outputSize }, () => rng.normal());
  return { net, inputs, initial, weights };
}

describe('GruMlpNet (a GRU, MLP layers over its state, a linear head)', () => {
  it('holds the GRU, the MLP and the head in one vector, and exposes the last layer as its latent', () => {
    const net = new GruMlpNet(SHAPE);
    const gru = gruParamCount({ inputSize: 3, hiddenSize: 5, outputSize: 0 });
    expect(net.params.length).toBe(gru + (5 * 6 + 6) + (6 * 4 + 4) + (4 * 2 + 2));
    expect(net.latentSize).toBe(4);
    // Without layers it is the GRU with its own head, its state the latent.
    const bare = new GruMlpNet({ ...SHAPE, layers: [] });
    expect(bare.params.length).toBe(gruParamCount({ inputSize: 3, hiddenSize: 5, outputSize: 2 }));
    expect(bare.latentSize).toBe(5);
    expect(() => new GruMlpNet({ ...SHAPE, layers: [0] })).toThrow(/positive integers/);
  });

  it('backpropagation through the head, the MLP and time matches central finite differences on every parameter', () => {
    for (const orthogonal of [true, false]) {
      const { net, inputs, initial, weights } = setup(orthogonal);
      const loss = () => net.forwardSequences(inputs, LENGTHS, TOKENS, initial).reduce((a, v, i) => a + v * (weights[i] as number), 0);
      loss();
      net.backwardSequences(weights, TOKENS);
      const analytic = net.grads.slice();
      let worst = 0;
      for (let i = 0; i < net.params.length; i++) {
        const numeric = centralDifference(net.params, i, loss);
        worst = Math.max(worst, Math.abs(numeric - (analytic[i] as number)) / Math.max(1, Math.abs(numeric)));
      }
      expect(worst).toBeLessThan(1e-7);
      // Gradient reaches the GRU's recurrent weights (the first block), not only the head.
      const gruCount = gruParamCount({ inputSize: 3, hiddenSize: 5, outputSize: 0 });
      expect(analytic.subarray(0, gruCount).some((g) => Math.abs(g) > 1e-3)).toBe(true);
    }
  });

  it('acting step by step gives the training outputs and latents bit for bit', () => {
    const { net, inputs, initial } = setup();
    const y = net.forwardSequences(inputs, LENGTHS, TOKENS, initial).slice();
    const latents = net.lastLatents().slice();
    const { inputSize: D, hiddenSize: H, outputSize: K } = SHAPE;
    const L = net.latentSize;
    const memory = new Float64Array(H);
    const out = new Float64Array(K);
    let t = 0;
    LENGTHS.forEach((len, s) => {
      memory.set(initial.subarray(s * H, (s + 1) * H));
      for (let i = 0; i < len; i++, t++) {
        const latent = net.stepCopies(inputs.subarray(t * D, (t + 1) * D), 1, memory, out);
        expect(Array.from(out)).toEqual(Array.from(y.subarray(t * K, (t + 1) * K)));
        expect(Array.from(latent)).toEqual(Array.from(latents.subarray(t * L, (t + 1) * L)));
      }
    });
  });
});
