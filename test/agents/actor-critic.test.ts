import { describe, expect, it } from 'vitest';
import { ActorCritic } from '../../src/agents/actor-critic.js';
import { ppoLoss, type PolicyHead } from '../../src/algorithms/ppo-loss.js';
import { Rng } from '../../src/core/rng.js';
import { Box, Discrete, HybridBox } from '../../src/core/spaces.js';
import { headLogProb, prepareHead } from '../../src/algorithms/policy-head.js';
import { networkParamCount } from '../../src/agents/engines/fast-engine.js';
import { GruSequenceNet, gruParamCount } from '../../src/nn/fast/gru.js';
import { centralDifference } from '../helpers/finite-differences.js';

const B = 6;
const OBS = 3;
const HYPER = { clipRange: 0.2, clipRangeVf: null, entCoef: 0.01, vfCoef: 0.5 };

function setup(kind: 'discrete' | 'gaussian' | 'gsde' | 'gsde-learn-features') {
  const actionSpace = kind === 'discrete' ? new Discrete(3) : new Box(-1, 1, [2]);
  const net = new ActorCritic({ observationSize: OBS, actionSpace, hidden: [8, 8], activation: 'tanh', logStdInit: -0.5, adamEps: 1e-5, useSde: kind.startsWith('gsde'), sdeSampleFreq: -1, sdeLearnFeatures: kind === 'gsde-learn-features' }, new Rng(1));
  // Larger head weights than the 0.01 init, so every parameter visibly moves the loss.
  const rng = new Rng(2);
  for (let k = 0; k < net.params.length; k++) net.params[k] = (net.params[k] as number) + 0.3 * rng.normal();
  const obs = Float32Array.from({ length: B * OBS }, () => rng.normal());
  const D = net.actionSize;
  const actions = kind === 'discrete' ? Int32Array.from({ length: B }, () => rng.int(3)) : Float32Array.from({ length: B * D }, () => rng.normal());
  const samples = {
    size: B,
    oldLogProbs: Float64Array.from({ length: B }, () => (kind === 'discrete' ? Math.log(1 / 3) : -2) + 0.3 * rng.normal()),
    advantages: Float64Array.from({ length: B }, () => rng.normal()),
    returns: Float64Array.from({ length: B }, () => rng.normal()),
    oldValues: new Float64Array(B),
  };
  const grads = { policy: new Float64Array(B * net.policyOutputSize), logStd: new Float64Array(B * D), values: new Float64Array(B), logp: new Float64Array(B * net.policyOutputSize) };
  const loss = (): number => {
    const out = net.forwardTrain(obs, B);
    const head: PolicyHead =
      kind === 'discrete'
        ? { kind: 'categorical', numActions: 3, logits: out.policy, actions, gradLogits: grads.policy, scratchLogp: grads.logp }
        : { kind: 'gaussian', actionDim: D, mean: out.policy, logStd: out.logStd, actions, gradMean: grads.policy, gradLogStd: grads.logStd };
    return ppoLoss(head, out.values, samples, HYPER, grads.values).loss;
  };
  return { net, loss, grads };
}

/** Checks every entry of `analytic` against the central difference of `loss` in that parameter of `net`; returns how many were checked. */
function expectFiniteDifferences(net: ActorCritic, analytic: Float64Array, loss: () => number): number {
  let checked = 0;
  for (let k = 0; k < net.params.length; k++) {
    const numeric = centralDifference(net.params, k, loss);
    expect(Math.abs((analytic[k] as number) - numeric), `parameter ${k}`).toBeLessThan(1e-7 + 1e-6 * Math.abs(numeric));
    checked++;
  }
  return checked;
}

describe('ActorCritic backward through the PPO loss', () => {
  // gSDE with the latent attached to the variance: the full function's gradient.
  for (const kind of ['discrete', 'gaussian', 'gsde-learn-features'] as const) {
    it(`${kind}: every parameter's gradient matches central finite differences`, () => {
      const { net, loss, grads } = setup(kind);
      loss();
      net.backwardTrain(B, grads.policy, grads.logStd, grads.values);
      const analytic = net.grads.slice();
      expect(expectFiniteDifferences(net, analytic, loss)).toBe(net.parameterCount);
      expect(analytic.some((g) => g !== 0)).toBe(true);
    });
  }

  it('gsde (SB3 default): the latent is detached from the variance path, everything else is the full gradient', () => {
    const detached = setup('gsde');
    const attached = setup('gsde-learn-features');
    for (const s of [detached, attached]) {
      s.loss();
      s.net.backwardTrain(B, s.grads.policy, s.grads.logStd, s.grads.values);
    }
    expect(detached.net.params).toEqual(attached.net.params);
    // The policy body comes first in the flat vector: its gradients differ, all others agree exactly.
    const bodySize = OBS * 8 + 8 + 8 * 8 + 8;
    const differ = [...detached.net.grads.subarray(0, bodySize)].some((g, k) => g !== attached.net.grads[k]);
    expect(differ).toBe(true);
    expect([...detached.net.grads.subarray(bodySize)]).toEqual([...attached.net.grads.subarray(bodySize)]);
  });

  it('acting is reproducible from the seed and the deterministic action is the mode', () => {
    const make = () => new ActorCritic({ observationSize: OBS, actionSpace: new Discrete(3), hidden: [8], activation: 'tanh', logStdInit: 0, adamEps: 1e-5, useSde: false, sdeSampleFreq: -1 }, new Rng(5));
    const obs = Float32Array.from({ length: 4 * OBS }, (_, k) => Math.sin(k));
    const a = make();
    const b = make();
    for (let t = 0; t < 5; t++) expect([...a.act(obs, 4, false).actions]).toEqual([...b.act(obs, 4, false).actions]);
    const out = a.forwardTrain(obs, 4);
    const modes = [...a.act(obs, 4, true).actions];
    modes.forEach((m, i) => {
      const row = [...out.policy.subarray(i * 3, i * 3 + 3)];
      expect(m).toBe(row.indexOf(Math.max(...row)));
    });
  });
});

describe('ActorCritic with a hybrid action (a stochastic stateful policy over a discrete env)', () => {
  const K = 3;
  const Z = 2;
  type Kernel = 'mlp' | 'residual' | 'gru';
  function hybrid(kernel: Kernel = 'mlp') {
    const layout = kernel === 'residual' ? { stateResidual: { inputOffset: 1, outputOffset: K, size: Z } } : kernel === 'gru' ? { stateGru: { stateOffset: 1, size: Z } } : {};
    const net = new ActorCritic({ observationSize: OBS, actionSpace: new HybridBox(K, Z), hidden: [8], activation: 'tanh', logStdInit: -0.5, adamEps: 1e-5, useSde: false, sdeSampleFreq: -1, ...layout }, new Rng(4));
    const rng = new Rng(5);
    for (let k = 0; k < net.params.length; k++) net.params[k] = (net.params[k] as number) + 0.3 * rng.normal();
    const obs = Float32Array.from({ length: B * OBS }, () => rng.normal());
    return { net, obs, rng };
  }

  it('a categorical first entry and a Gaussian rest: the acting log-prob is the training head’s joint log-prob', () => {
    const { net, obs } = hybrid();
    expect(net.policyOutputSize).toBe(K + Z);
    expect(net.actionSize).toBe(1 + Z);
    const acted = net.act(obs, B, false);
    const actions = Float32Array.from(acted.actions);
    const logProbs = Float64Array.from(acted.logProbs);
    for (let b = 0; b < B; b++) expect(Number.isInteger(actions[b * (1 + Z)])).toBe(true);
    const grads = { policy: new Float64Array(B * (K + Z)), logStd: new Float64Array(B * (1 + Z)), logp: new Float64Array(B * (K + Z)) };
    const head = net.policyHead(net.forwardTrain(obs, B), actions, grads);
    expect(head.kind).toBe('joint');
    prepareHead(head, B);
    for (let b = 0; b < B; b++) expect(headLogProb(head, b)).toBeCloseTo(logProbs[b] as number, 10);
  });

  it('with a residual kernel the z′ means are z plus the network’s output', () => {
    const plain = hybrid('mlp');
    const residual = hybrid('residual');
    const a = Float32Array.from(plain.net.act(plain.obs, B, true).actions);
    const b = Float32Array.from(residual.net.act(residual.obs, B, true).actions);
    for (let i = 0; i < B; i++) {
      expect(b[i * (1 + Z)]).toBe(a[i * (1 + Z)]);
      for (let j = 0; j < Z; j++) expect(b[i * (1 + Z) + 1 + j]).toBeCloseTo((a[i * (1 + Z) + 1 + j] as number) + (residual.obs[i * OBS + 1 + j] as number), 5);
    }
  });

  it('with a GRU kernel the z′ means are a GRU cell’s next hidden state: input [o, a_prev], hidden state z', () => {
    const { net, obs } = hybrid('gru');
    const shape = { inputSize: OBS - Z, hiddenSize: Z, outputSize: 0 };
    const count = gruParamCount(shape);
    expect(net.parameterCount).toBe(networkParamCount(net.shape) + Z + count);
    expect(net.shape.policyOutputSize).toBe(K);
    const cell = new GruSequenceNet(shape);
    cell.params.set(net.params.subarray(net.params.length - count));
    const acted = Float32Array.from(net.act(obs, B, true).actions);
    for (let i = 0; i < B; i++) {
      const memory = Float64Array.from(obs.subarray(i * OBS + 1, i * OBS + OBS));
      const y = new Float64Array(Z);
      cell.step([obs[i * OBS] as number], 0, memory, 0, y, 0);
      for (let j = 0; j < Z; j++) expect(acted[i * (1 + Z) + 1 + j]).toBeCloseTo(y[j] as number, 6);
    }
  });

  for (const kernel of ['mlp', 'residual', 'gru'] as const) it(`every parameter’s gradient through the PPO loss matches central finite differences (${kernel} kernel)`, () => {
    const { net, obs, rng } = hybrid(kernel);
    const actions = Float32Array.from({ length: B * (1 + Z) }, (_, i) => (i % (1 + Z) === 0 ? rng.int(K) : rng.normal()));
    const samples = { size: B, oldLogProbs: Float64Array.from({ length: B }, () => -3 + 0.3 * rng.normal()), advantages: Float64Array.from({ length: B }, () => rng.normal()), returns: Float64Array.from({ length: B }, () => rng.normal()), oldValues: new Float64Array(B) };
    const grads = { policy: new Float64Array(B * (K + Z)), logStd: new Float64Array(B * (1 + Z)), values: new Float64Array(B), logp: new Float64Array(B * (K + Z)) };
    const loss = () => {
      const out = net.forwardTrain(obs, B);
      return ppoLoss(net.policyHead(out, actions, grads), out.values, samples, HYPER, grads.values).loss;
    };
    loss();
    net.backwardTrain(B, grads.policy, grads.logStd, grads.values);
    const analytic = net.grads.slice();
    expectFiniteDifferences(net, analytic, loss);
    // The kernel's log-std (the Z parameters after the networks) gets gradient: z′ is part of the ratio.
    const networks = networkParamCount(net.shape);
    expect(Array.from(analytic.subarray(networks, networks + Z)).every((g) => g !== 0)).toBe(true);
    if (kernel === 'gru') expect(Array.from(analytic.subarray(networks + Z)).filter((g) => g !== 0).length).toBeGreaterThan(0);
  });
});

describe('ActorCritic with a Box action [a, z′] (a stochastic stateful policy over a continuous env)', () => {
  const A = 1;
  const Z = 2;
  const O = 2 + Z + A; // [o, z, a_prev]
  /** PPO's loss of `net` on random [a, z′] actions and samples for `obs`, with the buffers its backward reads. */
  const jointPpoLoss = (net: ActorCritic, obs: Float32Array, rng: Rng) => {
    const actions = Float32Array.from({ length: B * (A + Z) }, () => rng.normal());
    const samples = { size: B, oldLogProbs: Float64Array.from({ length: B }, () => -3 + 0.3 * rng.normal()), advantages: Float64Array.from({ length: B }, () => rng.normal()), returns: Float64Array.from({ length: B }, () => rng.normal()), oldValues: new Float64Array(B) };
    const grads = { policy: new Float64Array(B * (A + Z)), logStd: new Float64Array(B * (A + Z)), values: new Float64Array(B), logp: new Float64Array(B * (A + Z)) };
    const loss = (): number => {
      const out = net.forwardTrain(obs, B);
      return ppoLoss(net.policyHead(out, actions, grads), out.values, samples, HYPER, grads.values).loss;
    };
    return { loss, grads };
  };
  it('stateNoise starts z′’s log-std apart from the action’s; a GRU kernel’s gradients match central finite differences', () => {
    const space = new Box(new Float32Array(A + Z).fill(-Infinity), new Float32Array(A + Z).fill(Infinity), [A + Z]);
    const net = new ActorCritic({ observationSize: O, actionSpace: space, hidden: [8], activation: 'tanh', logStdInit: -0.5, adamEps: 1e-5, useSde: false, sdeSampleFreq: -1, stateGru: { stateOffset: 2, size: Z }, stateNoise: { size: Z, logStdInit: -2 } }, new Rng(7));
    const networks = networkParamCount(net.shape);
    expect(Array.from(net.params.subarray(networks, networks + A + Z))).toEqual([-0.5, -2, -2]);
    const rng = new Rng(8);
    for (let k = 0; k < net.params.length; k++) net.params[k] = (net.params[k] as number) + 0.3 * rng.normal();
    const obs = Float32Array.from({ length: B * O }, () => rng.normal());
    const { loss, grads } = jointPpoLoss(net, obs, rng);
    loss();
    // Acting between the training forward and its backward must not disturb the latter.
    net.act(Float32Array.from({ length: 3 * O }, () => rng.normal()), 3, false);
    net.backwardTrain(B, grads.policy, grads.logStd, grads.values);
    const analytic = net.grads.slice();
    expectFiniteDifferences(net, analytic, loss);
  });

  it('plainStateNoise under gSDE: z′ takes fresh state-independent noise each step while the action’s is held; gradients match finite differences', () => {
    const space = new Box(new Float32Array(A + Z).fill(-Infinity), new Float32Array(A + Z).fill(Infinity), [A + Z]);
    // sdeLearnFeatures: the variance's gradient reaches the latent too, so the finite differences below check the whole function.
    const net = new ActorCritic({ observationSize: O, actionSpace: space, hidden: [8], activation: 'tanh', logStdInit: -0.5, adamEps: 1e-5, useSde: true, sdeSampleFreq: -1, sdeLearnFeatures: true, stateGru: { stateOffset: 2, size: Z }, stateNoise: { size: Z, logStdInit: -2 }, plainStateNoise: Z }, new Rng(9));
    const rng = new Rng(10);
    for (let k = 0; k < net.params.length; k++) net.params[k] = (net.params[k] as number) + 0.3 * rng.normal();
    const obs = Float32Array.from({ length: B * O }, () => rng.normal());
    // The per-sample log-std: gSDE's (state-dependent) for a, row 0 of z′'s columns for z′ in every row.
    const { logStd } = net.forwardTrain(obs, B);
    const networks = networkParamCount(net.shape);
    for (let b = 0; b < B; b++) for (let j = A; j < A + Z; j++) expect(logStd[b * (A + Z) + j]).toBe(net.params[networks + j]);
    expect(logStd[0]).not.toBe(logStd[A + Z]);
    // Acting twice on one observation with the matrix held: the same a, a new z′.
    const one = obs.subarray(0, O);
    net.resampleExplorationNoise();
    const first = Array.from(net.act(one, 1, false).actions);
    const second = Array.from(net.act(one, 1, false).actions);
    expect(second[0]).toBe(first[0]);
    for (let j = A; j < A + Z; j++) expect(second[j]).not.toBe(first[j]);
    const { loss, grads } = jointPpoLoss(net, obs, rng);
    loss();
    net.backwardTrain(B, grads.policy, grads.logStd, grads.values);
    const analytic = net.grads.slice();
    expect(analytic[networks + A]).not.toBe(0);
    expectFiniteDifferences(net, analytic, loss);
  });
});
