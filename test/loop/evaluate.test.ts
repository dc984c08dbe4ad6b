import { describe, expect, it } from 'vitest';
import { ActorCritic } from '../../src/agents/actor-critic.js';
import { Rng } from '../../src/core/rng.js';
import { Discrete } from '../../src/core/spaces.js';
import { make } from '../../src/envs/index.js';
import type { VectorEnv } from '../../src/envs/vector/vector-env.js';
import { VectorRecordEpisodeStatistics } from '../../src/envs/wrappers/record-episode-statistics.js';
import { evaluatePolicy } from '../../src/loop/evaluate.js';

const network = () => new ActorCritic({ observationSize: 4, actionSpace: new Discrete(2), hidden: [8], activation: 'tanh', logStdInit: 0, adamEps: 1e-5, useSde: false, sdeSampleFreq: -1 }, new Rng(3));
const cartPole = (): VectorEnv => new VectorRecordEpisodeStatistics(make('CartPole-v1', { numEnvs: 1 }));
const actor = (net: ActorCritic) => ({ act: (o: Float32Array, n: number, det: boolean, sampler?: Rng) => net.act(o, n, det, false, sampler) });

describe('evaluatePolicy', () => {
  it('samples from its own seeded stream: the agent stream is untouched and a seed repeats exactly', async () => {
    const net = network();
    const before = JSON.stringify(net.getState().actionRng);
    const a = await evaluatePolicy(actor(net), cartPole(), 6, { seed: 's', deterministic: false });
    expect(JSON.stringify(net.getState().actionRng)).toBe(before);
    const b = await evaluatePolicy(actor(network()), cartPole(), 6, { seed: 's', deterministic: false });
    expect(b.returns).toEqual(a.returns);
    // The sampled policy is not the greedy one: the two evaluations see different episodes.
    const greedy = await evaluatePolicy(actor(network()), cartPole(), 6, { seed: 's', deterministic: true });
    expect(greedy.returns).not.toEqual(a.returns);
  });

  it('resets a recurrent policy at the start and after every episode', async () => {
    const net = network();
    const resets: number[] = [];
    let steps = 0;
    const recurrent = { ...actor(net), act: (o: Float32Array, n: number, det: boolean) => { steps++; return net.act(o, n, det, false); }, resetMemory: (copy: number) => resets.push(copy) };
    const r = await evaluatePolicy(recurrent, cartPole(), 3, { seed: 'r', deterministic: true });
    expect(resets).toEqual([0, 0, 0, 0]);
    expect(steps).toBe(r.returns.reduce((s, x) => s + x, 0));
  });
});
