import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { resolveConfig } from '../../src/agents/algorithms.js';
import type { RecurrentPpoAgentState } from '../../src/agents/recurrent-ppo-agent.js';
import { ConfigError } from '../../src/core/errors.js';
import type { TrainEvent } from '../../src/loop/events.js';
import { latestCheckpoint, runToEnd, summaryOf, TempDirs } from '../helpers/run.js';

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
    expect(() => resolveConfig({ algo: 'ppo-lstm', env: 'PendulumNoVel-v1', useSde: true })).toThrow(ConfigError);
  });
});
