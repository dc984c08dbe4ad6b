import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { GruSequenceNet, gruParamCount } from '../../src/nn/fast/gru.js';
import { centralDifference } from '../helpers/finite-differences.js';

const SHAPE = { inputSize: 3, hiddenSize: 5, outputSize: 4 };
const LENGTHS = Int32Array.of(4, 1, 3);
const TOKENS = 8;

function setup() {
  const rng = new Rng('gru');
  const net = new GruSequenceNet(SHAPE);
  net.init(rng, 1); // a head of gain 1, so every output carries gradient
  // Biases away from zero, so no gate sits at a symmetric point.
  for (let i = 0; i < net.params.length; i++) net.params[i] = (net.params[i] as number) + 0.1 * rng.normal();
  const inputs = Float64Array.from({ length: TOKENS * SHAPE.inputSize }, () => rng.uniformRange(-1, 1));
  const weights = Float64Array.from({ length: TOKENS * SHAPE.outputSize }, () => rng.normal());
  return { net, inputs, weights };
}

/** L = Σ weights ⊙ y: a loss whose ∂L/∂y is `weights`. */
function loss(net: GruSequenceNet, inputs: Float64Array, weights: Float64Array): number {
  const y = net.forwardSequences(inputs, LENGTHS, TOKENS);
  let l = 0;
  for (let i = 0; i < y.length; i++) l += (y[i] as number) * (weights[i] as number);
  return l;
}

describe('GruSequenceNet', () => {
  it('has PyTorch nn.GRU’s parameter count plus the head', () => {
    // nn.GRU(3, 5): weight_ih 15×3, weight_hh 15×5, two biases of 15; head 4×5 + 4.
    expect(gruParamCount(SHAPE)).toBe(15 * 3 + 15 * 5 + 30 + 24);
    expect(() => new GruSequenceNet({ ...SHAPE, hiddenSize: 0 })).toThrow(/hiddenSize must be a positive integer/);
  });

  it('backpropagation through time matches central finite differences on every parameter', () => {
    const { net, inputs, weights } = setup();
    loss(net, inputs, weights);
    net.backwardSequences(weights);
    const analytic = net.grads.slice();
    let worst = 0;
    for (let i = 0; i < net.params.length; i++) {
      const numeric = centralDifference(net.params, i, () => loss(net, inputs, weights));
      worst = Math.max(worst, Math.abs(numeric - (analytic[i] as number)) / Math.max(1, Math.abs(numeric)));
    }
    expect(worst).toBeLessThan(1e-7);
    // The gradient is not trivially zero anywhere it should flow: the recurrent weights get some.
    expect(analytic.some((g) => Math.abs(g) > 1e-3)).toBe(true);
  });

  it('sequence outputs equal step-by-step outputs bit for bit, each sequence starting from a zero state', () => {
    const { net, inputs } = setup();
    const y = net.forwardSequences(inputs, LENGTHS, TOKENS).slice();
    const memory = new Float64Array(SHAPE.hiddenSize);
    const out = new Float64Array(SHAPE.outputSize);
    let t = 0;
    for (const len of LENGTHS) {
      memory.fill(0);
      for (let i = 0; i < len; i++, t++) {
        net.step(inputs, t * SHAPE.inputSize, memory, 0, out, 0);
        expect(Array.from(out)).toEqual(Array.from(y.subarray(t * SHAPE.outputSize, (t + 1) * SHAPE.outputSize)));
      }
    }
    // The state matters: the second token of a sequence differs from the same input from a zero state.
    memory.fill(0);
    net.step(inputs, SHAPE.inputSize, memory, 0, out, 0);
    expect(Array.from(out)).not.toEqual(Array.from(y.subarray(SHAPE.outputSize, 2 * SHAPE.outputSize)));
  });

  it('starts each sequence from a given state (truncated BPTT): equal to stepping on from it, and finite-difference exact', () => {
    const { net, inputs, weights } = setup();
    const rng = new Rng('initial');
    const initial = Float64Array.from({ length: LENGTHS.length * SHAPE.hiddenSize }, () => rng.uniformRange(-0.5, 0.5));
    const y = net.forwardSequences(inputs, LENGTHS, TOKENS, initial).slice();
    const memory = new Float64Array(SHAPE.hiddenSize);
    const out = new Float64Array(SHAPE.outputSize);
    let t = 0;
    LENGTHS.forEach((len, s) => {
      memory.set(initial.subarray(s * SHAPE.hiddenSize, (s + 1) * SHAPE.hiddenSize));
      for (let i = 0; i < len; i++, t++) {
        net.step(inputs, t * SHAPE.inputSize, memory, 0, out, 0);
        expect(Array.from(out)).toEqual(Array.from(y.subarray(t * SHAPE.outputSize, (t + 1) * SHAPE.outputSize)));
      }
    });
    const lossFrom = () => net.forwardSequences(inputs, LENGTHS, TOKENS, initial).reduce((a, v, i) => a + v * (weights[i] as number), 0);
    lossFrom();
    net.backwardSequences(weights);
    const analytic = net.grads.slice();
    for (let i = 0; i < net.params.length; i += 7) expect(Math.abs(centralDifference(net.params, i, lossFrom) - (analytic[i] as number))).toBeLessThan(1e-7);
  });

  it('rejects lengths that do not add up to the token count', () => {
    const { net, inputs } = setup();
    expect(() => net.forwardSequences(inputs, Int32Array.of(4, 3), TOKENS)).toThrow(/add up to 7 tokens, expected 8/);
  });
});
