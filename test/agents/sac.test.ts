/** SAC as a run: configuration, the warm-up, learning on Pendulum, reproducibility and exact resume. */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/agents/algorithms.js';
import { ConfigError } from '../../src/core/errors.js';
import { evaluateRun } from '../../src/loop/evaluate-run.js';
import { exportRunPolicy } from '../../src/loop/export-run.js';
import { agentBytes, expectExportActsAsEvaluation, expectLearnsBeyondUntrained, expectSameBytesAndExactResume } from '../helpers/off-policy.js';
import { latestCheckpoint, runToEnd, TempDirs } from '../helpers/run.js';

const tmp = new TempDirs('rxrl-sac-');
afterAll(() => tmp.removeAll());

const SMALL = { algo: 'sac' as const, env: 'Pendulum-v1', seed: 1, policy: { hidden: [32, 32] }, critic: { hidden: [32, 32] }, learningStarts: 500, evalEpisodes: 2 };

describe('SAC configuration', () => {
  it('has SB3\'s defaults and the zoo\'s Pendulum values, and refuses what it cannot do', () => {
    expect(resolveConfig({ algo: 'sac', env: 'MountainCarContinuous-v0' })).toMatchObject({ learningRate: 3e-4, bufferSize: 1_000_000, learningStarts: 100, batchSize: 256, tau: 0.005, gamma: 0.99, trainFreq: 1, gradientSteps: 1, entCoef: 'auto', targetEntropy: 'auto', policy: { hidden: [256, 256], activation: 'relu' }, critic: { hidden: [256, 256] } });
    expect(resolveConfig({ algo: 'sac', env: 'Pendulum-v1' })).toMatchObject({ totalSteps: 20_000, learningRate: 1e-3 });
    expect(() => resolveConfig({ algo: 'sac', env: 'Pendulum-v1', normalizeObservation: true })).toThrow(ConfigError);
    expect(() => resolveConfig({ algo: 'sac', env: 'Pendulum-v1', batchSize: 512, bufferSize: 100 })).toThrow(/batchSize cannot exceed bufferSize/);
  });

  it('refuses discrete actions with what to use instead', async () => {
    const r = await runToEnd({ config: { ...SMALL, env: 'CartPole-v1', totalSteps: 100 } });
    expect(r.error?.message).toMatch(/SAC needs continuous \(Box\) actions.*use PPO or A2C/);
  });
});

describe('SAC runs', () => {
  it('learns nothing before learningStarts, then learns Pendulum\'s swing-up well beyond a random policy within 3000 steps', async () => {
    const events = await expectLearnsBeyondUntrained({ ...SMALL, evalEpisodes: 5 }, 3000, 300);
    // The first iteration (steps 1–1000) trains only after step 500: 500 gradient steps.
    expect(events.flatMap((e) => (e.type === 'update' ? [e.metrics.epochs] : []))).toEqual([500, 1000, 1000]);
  }, 120_000);

  it('same seed, same bytes; a stopped run resumed from its checkpoint (replay buffer included) ends with the same bytes', async () => {
    await expectSameBytesAndExactResume(tmp, { ...SMALL, totalSteps: 2000, checkpointEvery: 1000 }, 1000);
    // Evaluations land on their grid even where it does not divide the iterations' 1000 steps.
    const evals = await runToEnd({ config: { ...SMALL, totalSteps: 1200, evalEvery: 300, evalEpisodes: 1 } });
    expect(evals.events.filter((e) => e.type === 'eval').map((e) => e.step)).toEqual([300, 600, 900, 1200]);
  }, 120_000);

  it('exports its policy\'s mean: squashed into the exported bounds, it is the action the run evaluates with', async () => {
    await expectExportActsAsEvaluation(tmp, { ...SMALL, totalSteps: 800 }, { distribution: 'squashed-gaussian', logStd: null, algo: 'sac' });
  }, 60_000);

  it('SAC-RS: the internal state is observed and chosen (z′ in (−1, 1)) with a temperature of its own; resumes exactly; not exportable', async () => {
    const config = { ...SMALL, env: 'PendulumNoVel-v1', stateDim: 3, totalSteps: 2000, checkpointEvery: 1000 };
    const a = tmp.make();
    const c = tmp.make();
    const full = await runToEnd({ config, checkpointDir: path.join(a, 'checkpoints') });
    expect(full.error).toBeUndefined();
    const last = full.events.filter((e) => e.type === 'update').at(-1);
    expect(last?.type === 'update' && last.metrics.details).toMatchObject({ stateAlpha: expect.any(Number), stateEntropy: expect.any(Number) });
    // The two temperatures move apart: each follows its own group's entropy.
    const agent = latestCheckpoint(a).agent as { logAlphas: Float64Array; policy: unknown };
    expect(agent.logAlphas).toHaveLength(2);
    expect(agent.logAlphas[0]).not.toBe(agent.logAlphas[1]);
    // Observations [o (2), z (3), a_prev (1)]; the buffer's z′ entries stay inside (−1, 1).
    const replay = (latestCheckpoint(a).env as { replay: { storage: { observations: Float32Array; actions: Float32Array } } }).replay.storage;
    expect(replay.observations.length / 6).toBe(2000);
    for (let r = 0; r < 2000; r++) for (let j = 1; j < 4; j++) expect(Math.abs(replay.actions[r * 4 + j] as number)).toBeLessThan(1);
    await runToEnd({ config, checkpointDir: path.join(c, 'checkpoints') }, 1000);
    expect((await runToEnd({ resumeFrom: c })).error).toBeUndefined();
    expect(agentBytes(c)).toBe(agentBytes(a));
    expect(Number.isFinite((await evaluateRun(a, { episodes: 1, deterministic: true })).mean)).toBe(true);
    await expect(exportRunPolicy(a, path.join(a, 'export'))).rejects.toThrow(/internal state z.*rxrl eval --run/);
  }, 120_000);
});
