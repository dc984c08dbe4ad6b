import { describe, expect, it } from 'vitest';
import { ActorCritic } from '../../src/agents/actor-critic.js';
import { ppoLoss, type PolicyHead } from '../../src/algorithms/ppo-loss.js';
import { Rng } from '../../src/core/rng.js';
import { Box, Discrete } from '../../src/core/spaces.js';

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

describe('ActorCritic backward through the PPO loss', () => {
  // gSDE with the latent attached to the variance: the full function's gradient.
  for (const kind of ['discrete', 'gaussian', 'gsde-learn-features'] as const) {
    it(`${kind}: every parameter's gradient matches central finite differences`, () => {
      const { net, loss, grads } = setup(kind);
      loss();
      net.backwardTrain(B, grads.policy, grads.logStd, grads.values);
      const analytic = net.grads.slice();
      const h = 1e-6;
      let checked = 0;
      for (let k = 0; k < net.params.length; k++) {
        const keep = net.params[k] as number;
        net.params[k] = keep + h;
        const up = loss();
        net.params[k] = keep - h;
        const down = loss();
        net.params[k] = keep;
        const numeric = (up - down) / (2 * h);
        // Float64 central differences with h = 1e-6: truncation O(h²) and rounding O(1e-16/h) ≈ 1e-10.
        expect(Math.abs((analytic[k] as number) - numeric), `parameter ${k}`).toBeLessThan(1e-7 + 1e-6 * Math.abs(numeric));
        checked++;
      }
      expect(checked).toBe(net.parameterCount);
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
