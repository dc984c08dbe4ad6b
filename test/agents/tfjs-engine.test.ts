import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ActorCritic } from '../../src/agents/actor-critic.js';
import { TfjsEngine } from '../../src/agents/engines/tfjs-engine.js';
import { ppoLoss, type PolicyHead } from '../../src/algorithms/ppo-loss.js';
import { Rng } from '../../src/core/rng.js';
import { Box, Discrete } from '../../src/core/spaces.js';

const B = 16;
const OBS = 4;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function pair(kind: 'discrete' | 'gsde') {
  const options = {
    observationSize: OBS,
    actionSpace: kind === 'discrete' ? new Discrete(3) : new Box(-1, 1, [2]),
    hidden: [16, 16],
    activation: 'tanh' as const,
    logStdInit: -0.5,
    adamEps: 1e-5,
    useSde: kind === 'gsde',
    sdeSampleFreq: -1,
  };
  const fast = new ActorCritic(options, new Rng(7));
  const tfjs = new ActorCritic({ ...options, engine: (shape) => new TfjsEngine(shape) }, new Rng(7));
  return { fast, tfjs };
}

/** Loss gradients of one minibatch through a network, as the PPO agent computes them. */
function lossGradients(net: ActorCritic, kind: 'discrete' | 'gsde', obs: Float32Array, rng: Rng) {
  const D = net.actionSize;
  const actions = kind === 'discrete' ? Int32Array.from({ length: B }, () => rng.int(3)) : Float32Array.from({ length: B * D }, () => rng.normal());
  const samples = { size: B, oldLogProbs: Float64Array.from({ length: B }, () => -1.2 + 0.2 * rng.normal()), advantages: Float64Array.from({ length: B }, () => rng.normal()), returns: Float64Array.from({ length: B }, () => rng.normal()), oldValues: new Float64Array(B) };
  const g = { policy: new Float64Array(B * net.policyOutputSize), logStd: new Float64Array(B * D), values: new Float64Array(B), logp: new Float64Array(B * net.policyOutputSize) };
  const out = net.forwardTrain(obs, B);
  const head: PolicyHead =
    kind === 'discrete'
      ? { kind: 'categorical', numActions: 3, logits: out.policy, actions, gradLogits: g.policy, scratchLogp: g.logp }
      : { kind: 'gaussian', actionDim: D, mean: out.policy, logStd: out.logStd, actions, gradMean: g.policy, gradLogStd: g.logStd };
  const metrics = ppoLoss(head, out.values, samples, { clipRange: 0.2, clipRangeVf: null, entCoef: 0.01, vfCoef: 0.5 }, g.values);
  net.backwardTrain(B, g.policy, g.logStd, g.values);
  return { loss: metrics.loss, policy: Float64Array.from(out.policy), values: Float64Array.from(out.values), grads: net.grads.slice() };
}

describe('TensorFlow.js engine computes what the fast engine computes', () => {
  for (const kind of ['discrete', 'gsde'] as const) {
    it(`${kind}: same outputs and gradients from the same parameters (float32 tolerance)`, () => {
      const { fast, tfjs } = pair(kind);
      expect(tfjs.params).toEqual(fast.params);
      const obs = Float32Array.from({ length: B * OBS }, (_, k) => Math.sin(k * 0.7) * 2);
      const a = lossGradients(fast, kind, obs, new Rng(1));
      const b = lossGradients(tfjs, kind, obs, new Rng(1));
      // tfjs computes in float32 from float32-rounded weights: agreement to ~1e-6 relative, 1e-5 allowed.
      const close = (x: Float64Array, y: Float64Array) => x.forEach((v, k) => expect(Math.abs(v - (y[k] as number)), `entry ${k}`).toBeLessThan(1e-5 + 1e-4 * Math.abs(v)));
      close(a.policy, b.policy);
      close(a.values, b.values);
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5 * (1 + Math.abs(a.loss)));
      close(a.grads, b.grads);
      expect(a.grads.some((v) => v !== 0)).toBe(true);
      tfjs.engine.dispose();
    });
  }

  it('holds no growing number of tensors across acting and updates', () => {
    const { tfjs } = pair('discrete');
    const obs = Float32Array.from({ length: B * OBS }, (_, k) => Math.cos(k));
    const rng = new Rng(3);
    lossGradients(tfjs, 'discrete', obs, rng);
    tfjs.applyGradients(0.5, 1e-3);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 20; k++) {
      tfjs.act(obs, 8, false);
      tfjs.values(obs, 8);
      lossGradients(tfjs, 'discrete', obs, rng);
      tfjs.applyGradients(0.5, 1e-3);
    }
    expect(tf.memory().numTensors).toBe(before);
    tfjs.engine.dispose();
  });
});
