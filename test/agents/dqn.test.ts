/** DQN as a run: configuration, the warm-up and training schedule, learning on CartPole, reproducibility, exact resume and export. */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/agents/algorithms.js';
import { ConfigError } from '../../src/core/errors.js';
import { loadRunPolicy } from '../../src/loop/evaluate-run.js';
import { exportRunPolicy } from '../../src/loop/export-run.js';
import { loadExported } from '../helpers/exported-model.js';
import { expectLearnsBeyondUntrained, expectSameBytesAndExactResume } from '../helpers/off-policy.js';
import { runToEnd, TempDirs } from '../helpers/run.js';

const tmp = new TempDirs('rxrl-dqn-');
afterAll(() => tmp.removeAll());

const SMALL = { algo: 'dqn' as const, env: 'CartPole-v1', seed: 1, policy: { hidden: [64, 64] }, evalEpisodes: 5 };

describe('DQN configuration', () => {
  it('has SB3\'s defaults and the zoo\'s CartPole values, and refuses what it cannot do', () => {
    expect(resolveConfig({ algo: 'dqn', env: 'LunarLander-v3' })).toMatchObject({ learningRate: 1e-4, bufferSize: 1_000_000, learningStarts: 100, batchSize: 32, tau: 1, gamma: 0.99, trainFreq: 4, gradientSteps: 1, targetUpdateInterval: 10_000, explorationInitialEps: 1, explorationFinalEps: 0.05, explorationFraction: 0.1, maxGradNorm: 10, policy: { hidden: [64, 64], activation: 'relu' } });
    expect(resolveConfig({ algo: 'dqn', env: 'CartPole-v1' })).toMatchObject({ totalSteps: 50_000, learningRate: 2.3e-3, batchSize: 64, trainFreq: 256, gradientSteps: 128, targetUpdateInterval: 10, policy: { hidden: [256, 256] } });
    expect(resolveConfig({ algo: 'dqn', env: 'Acrobot-v1' })).toMatchObject({ gradientSteps: -1, learningStarts: 0 });
    expect(() => resolveConfig({ algo: 'dqn', env: 'CartPole-v1', gradientSteps: 0 })).toThrow(/gradientSteps must be positive, or -1/);
    expect(() => resolveConfig({ algo: 'dqn', env: 'CartPole-v1', explorationFinalEps: 1.5 })).toThrow(ConfigError);
  });

  it('refuses continuous actions with what to use instead', async () => {
    const r = await runToEnd({ config: { ...SMALL, env: 'Pendulum-v1', totalSteps: 100 } });
    expect(r.error?.message).toMatch(/DQN needs Discrete actions, got Box; use SAC or TD3/);
  });
});

describe('DQN runs', () => {
  it('acts at random until learningStarts, trains gradientSteps every trainFreq steps, and learns CartPole well beyond its untrained policy within 10k steps', async () => {
    // Seeds 1–3 gained 80–127 at this budget (and reached 127–299 at 20k).
    const events = await expectLearnsBeyondUntrained({ ...SMALL, learningStarts: 1000 }, 10_000, 50);
    const updates = events.flatMap((e) => (e.type === 'update' ? [e] : []));
    // The zoo's 128 gradient steps at every 256th env step past the 1000 random ones: at 1024, 1280, …, 9984.
    const total = updates.reduce((s, e) => s + e.metrics.epochs, 0);
    expect(total).toBe(128 * (Math.floor(10_000 / 256) - Math.floor(1000 / 256)));
    const eps = updates.map((e) => e.metrics.details?.['explorationRate'] as number);
    // ε anneals over the first 16% of the budget to 0.04.
    expect(eps.at(-1)).toBeCloseTo(0.04, 12);
    expect(eps[0]).toBeGreaterThan(0.04);
  }, 120_000);

  it('same seed, same bytes; a stopped run resumed from its checkpoint (replay buffer, target, ε included) ends with the same bytes', async () => {
    await expectSameBytesAndExactResume(tmp, { ...SMALL, totalSteps: 4000, checkpointEvery: 2000, evalEpisodes: 1 }, 2000);
  }, 120_000);

  it('gradientSteps −1 takes as many gradient steps as the round\'s env steps', async () => {
    const r = await runToEnd({ config: { ...SMALL, numEnvs: 2, totalSteps: 1000, learningStarts: 0, trainFreq: 4, gradientSteps: -1, evalEpisodes: 0 } });
    expect(r.error).toBeUndefined();
    expect(r.events.reduce((s, e) => s + (e.type === 'update' ? e.metrics.epochs : 0), 0)).toBe(1000);
  }, 60_000);

  it('exports its Q network: the argmax of the exported output is the action the run evaluates with', async () => {
    const dir = tmp.make();
    expect((await runToEnd({ config: { ...SMALL, totalSteps: 3000 }, checkpointDir: path.join(dir, 'checkpoints') })).error).toBeUndefined();
    await exportRunPolicy(dir, path.join(dir, 'export'));
    const model = await loadExported(path.join(dir, 'export'));
    expect(model.getUserDefinedMetadata()).toMatchObject({ distribution: 'q-values', algo: 'dqn', actionBounds: null });
    const loaded = await loadRunPolicy(dir);
    try {
      const reset = await loaded.env.reset({ seed: 5 });
      let obs = Float32Array.from(reset.observations);
      for (let t = 0; t < 20; t++) {
        const expected = loaded.agent.act(obs, 1, true).actions[0] as number;
        const q = tf.tidy(() => (model.predict(tf.tensor2d(obs, [1, 4])) as tf.Tensor).dataSync());
        expect(q[0]! > q[1]! ? 0 : 1).toBe(expected);
        const r = await loaded.env.step(Int32Array.of(expected));
        obs = Float32Array.from(r.observations);
      }
    } finally {
      await loaded.env.close();
      model.dispose();
    }
  }, 60_000);
});
