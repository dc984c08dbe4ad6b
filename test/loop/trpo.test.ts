import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/agents/algorithms.js';
import type { TrpoConfigInput } from '../../src/agents/trpo-config.js';
import type { TrainEvent } from '../../src/loop/events.js';
import { latestCheckpoint, paramsOf, runToEnd, summaryOf, TempDirs } from '../helpers/run.js';

const temp = new TempDirs('rxrl-trpo-');
afterAll(() => temp.removeAll());

describe('TRPO on the training loop', () => {
  it('resolves sb3-contrib defaults and the zoo values per env', () => {
    expect(resolveConfig({ algo: 'trpo', env: 'MountainCar-v0' })).toMatchObject({ algo: 'trpo', nSteps: 2048, batchSize: 128, gamma: 0.99, gaeLambda: 0.95, learningRate: 1e-3, targetKl: 0.01, cgMaxSteps: 15, cgDamping: 0.1, lineSearchShrink: 0.8, lineSearchMaxIter: 10, nCriticUpdates: 10, normalizeAdvantage: true });
    expect(resolveConfig({ algo: 'trpo', env: 'CartPole-v1' })).toMatchObject({ numEnvs: 2, nSteps: 512, batchSize: 512, cgDamping: 1e-3, gaeLambda: 0.98, nCriticUpdates: 20 });
    expect(resolveConfig({ algo: 'trpo', env: 'Pendulum-v1' })).toMatchObject({ numEnvs: 2, nSteps: 1024, gamma: 0.9, useSde: true, sdeSampleFreq: 4 });
    expect(() => resolveConfig({ algo: 'trpo', env: 'CartPole-v1', clipRange: 0.2 })).toThrow(/Unrecognized key.*clipRange/);
  });

  it('learns CartPole within 15k steps (random ≈ 22), every accepted step within δ', async () => {
    // Measured: the full zoo run (100k steps) reaches 500 on most seeds; 15k steps take ~3 s.
    const { events, error } = await runToEnd({ config: { algo: 'trpo', env: 'CartPole-v1', seed: 1, totalSteps: 15_000, evalEpisodes: 5 } });
    expect(error).toBeUndefined();
    expect(summaryOf(events).finalEval?.mean).toBeGreaterThan(60);
    const updates = events.flatMap((e) => (e.type === 'update' ? [e.metrics] : []));
    expect(updates.length).toBe(15); // ⌈15000 / 1024⌉
    for (const m of updates) expect(m.approxKl).toBeLessThanOrEqual(0.01);
    expect(updates.filter((m) => m.details?.['stepAccepted'] === 1).length).toBeGreaterThan(10);
  });

  it('same seed twice gives the same parameters; a run stopped halfway and resumed ends bit-identical', async () => {
    const config: TrpoConfigInput = { algo: 'trpo', env: 'Pendulum-v1', seed: 3, totalSteps: 4096, nSteps: 512, evalEpisodes: 1 };
    const [a, b, split] = [temp.make(), temp.make(), temp.make()];
    await runToEnd({ config, checkpointDir: path.join(a, 'checkpoints') });
    await runToEnd({ config, checkpointDir: path.join(b, 'checkpoints') });
    expect(latestCheckpoint(a).algo).toBe('trpo');
    expect(Buffer.from(paramsOf(latestCheckpoint(a)).buffer).equals(Buffer.from(paramsOf(latestCheckpoint(b)).buffer))).toBe(true);
    const first = await runToEnd({ config, checkpointDir: path.join(split, 'checkpoints') }, 2000);
    expect(first.events.some((e) => e.type === 'done')).toBe(false);
    const stoppedAt = (first.events.filter((e) => e.type === 'checkpoint').at(-1) as TrainEvent).step;
    expect(stoppedAt).toBeGreaterThanOrEqual(2000);
    expect(stoppedAt).toBeLessThan(4096);
    const resumed = await runToEnd({ resumeFrom: split });
    expect(resumed.events[0]).toMatchObject({ type: 'start', resumed: true, step: stoppedAt });
    expect(Buffer.from(paramsOf(latestCheckpoint(a)).buffer).equals(Buffer.from(paramsOf(latestCheckpoint(split)).buffer))).toBe(true);
  });
});
