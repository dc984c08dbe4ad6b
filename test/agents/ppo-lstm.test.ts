import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { resolveConfig } from '../../src/agents/algorithms.js';
import type { RecurrentPpoAgentState } from '../../src/agents/recurrent-ppo-agent.js';
import { RecurrentActorCritic } from '../../src/agents/recurrent-actor-critic.js';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { Box } from '../../src/core/spaces.js';
import type { TrainEvent } from '../../src/loop/events.js';
import { latestCheckpoint, runToEnd, summaryOf, TempDirs } from '../helpers/run.js';
import { centralDifference } from '../helpers/finite-differences.js';

const temp = new TempDirs('rxrl-ppo-lstm-');
afterAll(() => temp.removeAll());

/** A T-maze with a corridor of 2: episodes of a few steps, a cue that must be remembered. */
const SMALL = { algo: 'ppo-lstm' as const, env: 'rxrl/TMaze-v0', envKwargs: { length: 2 }, seed: 3, numEnvs: 4, nSteps: 32, batchSize: 128, nEpochs: 4, learningRate: 1e-3, entCoef: 0.01, recurrentHiddenSize: 16, totalSteps: 1024, evalEpisodes: 0 };
const updates = (events: TrainEvent[]) => events.filter((e): e is Extract<TrainEvent, { type: 'update' }> => e.type === 'update');

describe('recurrent PPO (ppo-lstm, GRU cells, truncated BPTT)', () => {
  it('replays each sequence from its stored hidden states: the first minibatch’s ratios are exactly 1', async () => {
    // One epoch of one minibatch (the whole rollout): the loss is computed by the sampling policy itself.
    const { events, error } = await runToEnd({ config: { ...SMALL, nEpochs: 1, batchSize: 128 } });
    expect(error).toBeUndefined();
    const u = updates(events);
    expect(u).toHaveLength(8);
    for (const e of u) {
      expect(e.metrics.approxKl).toBe(0);
      expect(e.metrics.clipFraction).toBe(0);
      // Episodes of the T-maze are short: every rollout is cut into many sequences.
      expect(e.metrics.details?.['sequences']).toBeGreaterThan(4);
    }
  });

  it('resumes bit for bit, the hidden states of the running episodes included', async () => {
    const whole = temp.make();
    const split = temp.make();
    await runToEnd({ config: SMALL, checkpointDir: path.join(whole, 'checkpoints') });
    await runToEnd({ config: SMALL, checkpointDir: path.join(split, 'checkpoints') }, 512);
    const resumed = await runToEnd({ resumeFrom: split });
    expect(resumed.events[0]).toMatchObject({ type: 'start', resumed: true, exact: true });
    const actorOf = (dir: string) => (latestCheckpoint(dir).agent as RecurrentPpoAgentState).network.actor;
    expect(Buffer.from(actorOf(split).buffer).equals(Buffer.from(actorOf(whole).buffer))).toBe(true);
  });

  it('learns the T-maze, whose cue must be remembered', async () => {
    const config = { ...SMALL, numEnvs: 8, nSteps: 64, batchSize: 256, recurrentHiddenSize: 32, totalSteps: 40_960, evalEpisodes: 50 };
    const lstm = summaryOf((await runToEnd({ config })).events).finalEval?.successRate as number;
    expect(lstm).toBeGreaterThanOrEqual(0.9);
  });

  it('takes the RL-zoo settings per env and refuses what it cannot do', () => {
    expect(resolveConfig({ algo: 'ppo-lstm', env: 'CartPoleNoVel-v1' })).toMatchObject({ numEnvs: 8, nSteps: 32, nEpochs: 20, recurrentHiddenSize: 64 });
    expect(() => resolveConfig({ algo: 'ppo-lstm', env: 'PendulumNoVel-v1', frameStack: 2 })).toThrow(ConfigError);
    expect(resolveConfig({ algo: 'ppo-lstm', env: 'PendulumNoVel-v1', useSde: true })).toMatchObject({ useSde: true });
  });

  describe('with gSDE (the actor’s hidden state as the latent)', () => {
    const SDE = { algo: 'ppo-lstm' as const, env: 'PendulumNoVel-v1', seed: 5, numEnvs: 2, nSteps: 64, batchSize: 128, nEpochs: 1, recurrentHiddenSize: 8, recurrentNetArch: [], useSde: true, sdeSampleFreq: 4, totalSteps: 512, evalEpisodes: 0 };

    it('acts and replays with the same state-dependent noise: the first minibatch’s ratios are exactly 1', async () => {
      const { events, error } = await runToEnd({ config: SDE });
      expect(error).toBeUndefined();
      const u = updates(events);
      expect(u).toHaveLength(4);
      for (const e of u) expect(e.metrics.approxKl).toBe(0);
      // …and learning changes the policy between updates (the test could fail).
      expect(u.some((e) => e.metrics.policyLoss !== 0)).toBe(true);
    });

    it('resumes bit for bit, the exploration matrix included', async () => {
      const config = { ...SDE, nEpochs: 2, batchSize: 64 };
      const whole = temp.make();
      const split = temp.make();
      await runToEnd({ config, checkpointDir: path.join(whole, 'checkpoints') });
      await runToEnd({ config, checkpointDir: path.join(split, 'checkpoints') }, 256);
      const resumed = await runToEnd({ resumeFrom: split });
      expect(resumed.events[0]).toMatchObject({ type: 'start', resumed: true, exact: true });
      const netOf = (dir: string) => (latestCheckpoint(dir).agent as RecurrentPpoAgentState).network;
      expect(Buffer.from(netOf(split).actor.buffer).equals(Buffer.from(netOf(whole).actor.buffer))).toBe(true);
      expect(Array.from(netOf(split).explorationMatrix ?? [])).toEqual(Array.from(netOf(whole).explorationMatrix ?? []));
      expect(netOf(whole).explorationMatrix?.length).toBe(8);
    });

    it('with MLP layers after the GRUs (SB3-contrib’s net_arch), the last layer is the latent: ratios exactly 1, a σ row per latent entry', async () => {
      const { events, error } = await runToEnd({ config: { ...SDE, recurrentNetArch: [6], orthoInit: false }, checkpointDir: path.join(temp.make(), 'checkpoints') });
      expect(error).toBeUndefined();
      const u = updates(events);
      expect(u).toHaveLength(4);
      for (const e of u) expect(e.metrics.approxKl).toBe(0);
      expect(u.some((e) => e.metrics.policyLoss !== 0)).toBe(true);
    });

    it('has the gradient of the per-step log-std in its σ matrix (finite differences)', () => {
      const net = new RecurrentActorCritic({ observationSize: 3, actionSpace: new Box([-1, -1], [1, 1]), hiddenSize: 4, logStdInit: -0.5, adamEps: 1e-8, useSde: true }, new Rng(11));
      const rng = new Rng(12);
      const lengths = [3, 2];
      const tokens = 5;
      const obs = Float32Array.from({ length: tokens * 3 }, () => rng.normal());
      const initial = Float64Array.from({ length: 2 * 4 }, () => 0.3 * rng.normal());
      const weights = Float64Array.from({ length: tokens * 2 }, () => rng.normal());
      const loss = () => {
        const { logStd } = net.forwardSequences(obs, lengths, tokens, initial, initial);
        let l = 0;
        for (let k = 0; k < weights.length; k++) l += (weights[k] as number) * (logStd[k] as number);
        return l;
      };
      loss();
      net.backwardSequences(new Float64Array(tokens * 2), weights, new Float64Array(tokens));
      const sigma = net.blocks()[2] as { params: Float64Array; grads: Float64Array };
      expect(sigma.params.length).toBe(4 * 2);
      const analytic = sigma.grads.slice();
      for (let k = 0; k < sigma.params.length; k++) expect(analytic[k]).toBeCloseTo(centralDifference(sigma.params, k, loss), 6);
      expect(Math.max(...Array.from(analytic, Math.abs))).toBeGreaterThan(1e-3);
    });
  });
});
