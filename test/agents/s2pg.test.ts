import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { resolveConfig } from '../../src/agents/algorithms.js';
import { resolvePpoConfig } from '../../src/agents/ppo-config.js';
import type { PpoAgentState } from '../../src/agents/ppo-agent.js';
import { ConfigError } from '../../src/core/errors.js';
import { buildEnv } from '../../src/loop/training-env.js';
import { latestCheckpoint, runToEnd, summaryOf, TempDirs } from '../helpers/run.js';

const temp = new TempDirs('rxrl-s2pg-');
afterAll(() => temp.removeAll());

const SMALL = { algo: 's2pg' as const, env: 'PendulumNoVel-v1', seed: 2, stateDim: 3, stateKernel: 'residual' as const, useSde: false, numEnvs: 2, nSteps: 64, batchSize: 32, nEpochs: 2, totalSteps: 512, evalEpisodes: 0 };

describe('S2PG (PPO-RS)', () => {
  it('takes the per-env values and trains PPO on the extended state [o, z, a_prev] with actions [a, z′]', async () => {
    const config = resolveConfig({ algo: 's2pg', env: 'PendulumNoVel-v1' });
    expect(config).toMatchObject({ algo: 's2pg', stateDim: 16, stateKernel: 'gru', useSde: true, numEnvs: 4, nSteps: 1024, normalizeObservation: true });
    const dir = temp.make();
    const { events, error } = await runToEnd({ config: SMALL, checkpointDir: path.join(dir, 'checkpoints') });
    expect(error).toBeUndefined();
    expect(summaryOf(events).totalSteps).toBe(512);
    // The policy's input is o (2) + z (3) + a_prev (1), its output [a, z′] (4 means + 4 log-stds).
    const params = (latestCheckpoint(dir).agent as PpoAgentState).network.params.length;
    const mlp = (i: number, o: number) => (i + 1) * 64 + 65 * 64 + 65 * o;
    expect(params).toBe(mlp(6, 4) + mlp(6, 1) + 4);
    // With the GRU kernel the network's head covers a only; the GRU cell (input [o, a_prev] = 3, hidden z = 3) has 3·3·(3 + 3 + 2) parameters.
    const gruDir = temp.make();
    const gru = await runToEnd({ config: { ...SMALL, stateKernel: 'gru' }, checkpointDir: path.join(gruDir, 'checkpoints') });
    expect(gru.error).toBeUndefined();
    expect((latestCheckpoint(gruDir).agent as PpoAgentState).network.params.length).toBe(mlp(6, 1) + mlp(6, 1) + 4 + 72);
  });

  it('resumes bit for bit: the internal states of the running episodes are in the env snapshot', async () => {
    const whole = temp.make();
    const split = temp.make();
    await runToEnd({ config: SMALL, checkpointDir: path.join(whole, 'checkpoints') });
    await runToEnd({ config: SMALL, checkpointDir: path.join(split, 'checkpoints') }, 256);
    const resumed = await runToEnd({ resumeFrom: split });
    expect(resumed.events[0]).toMatchObject({ type: 'start', resumed: true, exact: true });
    const paramsOf = (dir: string) => (latestCheckpoint(dir).agent as PpoAgentState).network.params;
    expect(Buffer.from(paramsOf(split).buffer).equals(Buffer.from(paramsOf(whole).buffer))).toBe(true);
  });

  it('window PPO (frameStack k) observes the last k normalised observations; gradient agents refuse it', async () => {
    const env = buildEnv(resolvePpoConfig({ env: 'CartPoleNoVel-v1', frameStack: 4, normalizeObservation: true }), 2);
    expect(env.observationSize).toBe(2 * 4);
    const { events, error } = await runToEnd({ config: { algo: 'ppo', env: 'CartPoleNoVel-v1', frameStack: 4, numEnvs: 2, nSteps: 32, batchSize: 32, nEpochs: 1, totalSteps: 128, evalEpisodes: 1 } });
    expect(error).toBeUndefined();
    expect(summaryOf(events).finalEval?.episodes).toBe(1);
    expect(() => resolveConfig({ algo: 'apg', env: 'rxrl/Hopper-v0', frameStack: 2 })).toThrow(ConfigError);
  });
});
