import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { Box } from '../../src/core/spaces.js';
import { collectDataset, DatasetBuilder, observationShapeOf, randomPolicy, recordNextVectorEnv, requireBoxOrDiscrete, splitEpisodes, type DatasetPolicy, type OfflineDataset } from '../../src/data/index.js';
import { make } from '../../src/envs/index.js';
import { runToEnd } from '../helpers/run.js';

/** Within every episode, each row's next observation is the following row's observation. */
function expectContiguousEpisodes(ds: OfflineDataset): void {
  const d = ds.observationDim;
  for (let i = 0; i + 1 < ds.size; i++) {
    if (ds.terminals[i] === 1 || ds.timeouts[i] === 1) continue;
    for (let j = 0; j < d; j++) expect(ds.nextObservations[i * d + j]).toBe(ds.observations[(i + 1) * d + j]);
  }
}

async function collect(id: string, numEnvs: number, steps: number, seed: number, noise = 0, policy?: DatasetPolicy): Promise<OfflineDataset> {
  const env = make(id, { numEnvs });
  try {
    const space = requireBoxOrDiscrete(env.singleActionSpace, id);
    return await collectDataset({ env, policy: policy ?? randomPolicy(space, numEnvs, new Rng(seed).split('policy')), steps, seed, noise });
  } finally {
    await env.close();
  }
}

describe('collecting datasets', () => {
  it('records exactly the requested rows with contiguous episodes from N copies, the same for the same seed', async () => {
    const ds = await collect('CartPole-v1', 3, 1000, 4);
    expect(ds.size).toBe(1000);
    expect(ds.discrete).toBe(true);
    expect(ds.observationShape).toEqual([4]);
    expect(ds.metadata).toMatchObject({ envId: 'CartPole-v1', policy: 'random', seed: 4 });
    expectContiguousEpisodes(ds);
    const episodes = splitEpisodes(ds, { detectUnflaggedCuts: false });
    expect(episodes.count).toBeGreaterThan(10);
    // CartPole gives +1 per step: returns are episode lengths.
    expect(Array.from(episodes.returns)).toEqual(Array.from(episodes.lengths));
    const again = await collect('CartPole-v1', 3, 1000, 4);
    expect(Array.from(again.observations)).toEqual(Array.from(ds.observations));
    expect(Array.from((await collect('CartPole-v1', 3, 1000, 5)).observations)).not.toEqual(Array.from(ds.observations));
  });

  it('adds Gaussian action noise clipped to the Box, and records the clipped actions the env applied', async () => {
    const zero: DatasetPolicy = { name: 'zero', act: (_o, n) => new Float32Array(n) };
    const quiet = await collect('Pendulum-v1', 2, 400, 1, 0, zero);
    expect(quiet.actions.every((a) => a === 0)).toBe(true);
    expect(quiet.timeouts.reduce((a, b) => a + b, 0)).toBe(2); // two 200-step episodes, time-limited
    const noisy = await collect('Pendulum-v1', 2, 400, 1, 0.5, zero);
    const acts = Array.from(noisy.actions);
    expect(Math.max(...acts)).toBe(2);
    expect(Math.min(...acts)).toBe(-2);
    // σ = 0.5 × half-range 2 = 1 before clipping.
    const inside = acts.filter((a) => Math.abs(a) < 2);
    const std = Math.sqrt(inside.reduce((s, a) => s + a * a, 0) / inside.length);
    expect(std).toBeGreaterThan(0.7);
    expect(std).toBeLessThan(1.1);
    expect(noisy.metadata.noise).toBe(0.5);
  });

  it('records every transition of a training run through train(), not those of its evaluations', async () => {
    let builder: DatasetBuilder | undefined;
    const recording = recordNextVectorEnv('CartPole-v1', (env) => {
      const space = requireBoxOrDiscrete(env.singleActionSpace, 'CartPole-v1');
      builder = new DatasetBuilder({ observationShape: observationShapeOf(env), actionDim: env.actionSize, discrete: !(space instanceof Box), numEnvs: env.numEnvs });
      return builder;
    });
    expect(recording.envId).toBe('rxrl-record:CartPole-v1');
    const { events, error } = await runToEnd({ config: { env: recording.envId, seed: 3, totalSteps: 512, numEnvs: 2, nSteps: 64, batchSize: 64, nEpochs: 1, evalEvery: 256, evalEpisodes: 2 } });
    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'eval').length).toBeGreaterThan(0);
    const ds = builder!.build();
    expect(ds.size).toBe(512);
    expectContiguousEpisodes(ds);
    // Training episodes that finished are all in the data with their returns.
    const trained = events.filter((e) => e.type === 'episode').map((e) => (e as { return: number }).return);
    const recorded = Array.from(splitEpisodes(ds, { detectUnflaggedCuts: false }).returns);
    expect(recorded.slice(0, trained.length).sort()).toEqual([...trained].sort());
    // The namespace builds the plain env when nothing is armed.
    const plain = make('rxrl-record:CartPole-v1', { numEnvs: 1 });
    expect(plain.constructor.name).not.toBe('TransitionRecorder');
    await plain.close();
  });
});
