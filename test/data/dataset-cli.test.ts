import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCliInProcess as rxrl } from '../helpers/cli.js';
import { readD4rl, splitEpisodes } from '../../src/data/index.js';
import { TempDirs, latestCheckpoint } from '../helpers/run.js';

const dirs = new TempDirs('rxrl-dataset-cli-');
afterAll(() => dirs.removeAll());

describe('rxrl dataset', () => {
  const dir = dirs.make();

  it('collects a random dataset and inspects it, writing the PNG figure', async () => {
    const file = path.join(dir, 'random.h5');
    const collected = await rxrl('dataset', 'collect', '--env', 'CartPole-v1', '--policy', 'random', '--steps', '300', '--seed', '2', '--out', file);
    expect(collected.code, collected.err).toBe(0);
    expect(collected.err).toMatch(/wrote .*random\.h5: 300 transitions/);
    const ds = await readD4rl(file);
    expect(ds.size).toBe(300);
    expect(ds.metadata).toMatchObject({ envId: 'CartPole-v1', policy: 'random', seed: 2 });

    const inspected = await rxrl('dataset', 'inspect', file);
    expect(inspected.code, inspected.err).toBe(0);
    expect(inspected.out).toMatch(/300 transitions, observations \[4\], discrete actions/);
    expect(inspected.out).toMatch(/episodes: \d+ \(\d+ terminated/);
    expect(inspected.out).toMatch(/histogram: .*random\.png/);
    expect(readFileSync(path.join(dir, 'random.png')).subarray(1, 4).toString()).toBe('PNG');

    const json = await rxrl('dataset', 'inspect', file, '--json', '--no-plot', '--ref-min', '0', '--ref-max', '500');
    const report = JSON.parse(json.out) as { size: number; normalized: { mean: number; reference: { source: string } }; returns: { mean: number }; plot: null };
    expect(report.size).toBe(300);
    expect(report.plot).toBeNull();
    expect(report.normalized.mean).toBeCloseTo(report.returns.mean / 5, 9);
    expect(report.normalized.reference.source).toBe('given by the user');
  });

  it('records medium-replay from a training run, then collects medium and medium-expert data with that run', async () => {
    const config = path.join(dir, 'ppo.json');
    writeFileSync(config, JSON.stringify({ numEnvs: 2, nSteps: 64, batchSize: 64, nEpochs: 1, normalizeObservation: true }));
    const run = path.join(dir, 'run');
    const replay = path.join(dir, 'replay.h5');
    const r = await rxrl('dataset', 'collect', '--recipe', 'medium-replay', '--env', 'CartPole-v1', '--steps', '256', '--config', config, '--run-dir', run, '--out', replay, '--quiet');
    expect(r.code, r.err).toBe(0);
    const mr = await readD4rl(replay);
    expect(mr.size).toBe(256);
    expect(mr.metadata).toMatchObject({ envId: 'CartPole-v1', recipe: 'medium-replay', trainingSteps: 256 });
    // Raw observations (the recorder sits below the run's normaliser): CartPole's pole angle stays within ±0.21 rad.
    for (let i = 0; i < mr.size; i++) expect(Math.abs(mr.observations[i * 4 + 2]!)).toBeLessThan(0.25);
    expect(existsSync(path.join(run, 'config.json'))).toBe(true);
    expect((latestCheckpoint(run).config as { env: string }).env).toBe('rxrl-record:CartPole-v1');

    const medium = path.join(dir, 'medium.h5');
    const m = await rxrl('dataset', 'collect', '--recipe', 'medium', '--policy', run, '--steps', '150', '--noise', '0.1', '--num-envs', '2', '--out', medium, '--quiet');
    expect(m.code, m.err).toBe(0);
    const md = await readD4rl(medium);
    expect(md.size).toBe(150);
    expect(md.metadata).toMatchObject({ envId: 'CartPole-v1', recipe: 'medium', policy: run, noise: 0.1 });
    for (let i = 0; i < md.size; i++) expect(Math.abs(md.observations[i * 4 + 2]!)).toBeLessThan(0.25);

    const mixed = path.join(dir, 'medium-expert.h5');
    const me = await rxrl('dataset', 'collect', '--recipe', 'medium-expert', '--policy', run, '--expert-policy', run, '--steps', '101', '--out', mixed, '--quiet');
    expect(me.code, me.err).toBe(0);
    const mx = await readD4rl(mixed);
    expect(mx.size).toBe(101);
    expect(mx.metadata).toMatchObject({ recipe: 'medium-expert', mediumRows: 50, expertRows: 51 });
    expect(splitEpisodes(mx).count).toBeGreaterThanOrEqual(2);

    // Off-policy evaluation of the run's policy from the replay data: an estimate inside its interval, the Monte-Carlo check, and the same numbers twice.
    const opeArgs = ['ope', '--dataset', replay, '--policy', run, '--steps', '200', '--batch-size', '32', '--mc-episodes', '2', '--json', '--quiet'];
    const ope = await rxrl(...opeArgs);
    expect(ope.code, ope.err).toBe(0);
    type Interval = { value: number; low: number; high: number };
    const result = JSON.parse(ope.out) as { estimates: { lagrangian: Interval; dualDice: Interval; fittedQ: Interval; gamma: number }; monteCarlo: { episodes: number; mean: number }; relativeErrors: Record<'lagrangian' | 'dualDice' | 'fittedQ', number> };
    expect(result.estimates.gamma).toBe(0.99);
    for (const key of ['lagrangian', 'dualDice', 'fittedQ'] as const) {
      const e = result.estimates[key];
      expect(e.low).toBeLessThanOrEqual(e.value);
      expect(e.high).toBeGreaterThanOrEqual(e.value);
      expect(result.relativeErrors[key]).toBeCloseTo((e.value - result.monteCarlo.mean) / Math.abs(result.monteCarlo.mean), 12);
    }
    expect(result.monteCarlo.episodes).toBe(2);
    expect((await rxrl(...opeArgs)).out).toBe(ope.out);
  });

  it('records medium-replay from an off-policy run: the dataset holds the run\'s replay buffer, row for row', async () => {
    const config = path.join(dir, 'sac.json');
    writeFileSync(config, JSON.stringify({ learningStarts: 100, batchSize: 32, policy: { hidden: [16, 16] }, critic: { hidden: [16, 16] }, evalEpisodes: 1 }));
    const run = path.join(dir, 'sac-run');
    const replay = path.join(dir, 'sac-replay.h5');
    const r = await rxrl('dataset', 'collect', '--recipe', 'medium-replay', '--algo', 'sac', '--env', 'Pendulum-v1', '--steps', '300', '--config', config, '--run-dir', run, '--out', replay, '--quiet');
    expect(r.code, r.err).toBe(0);
    const ds = await readD4rl(replay);
    expect(ds.size).toBe(300);
    expect(ds.metadata).toMatchObject({ envId: 'Pendulum-v1', recipe: 'medium-replay', policy: expect.stringMatching(/^sac training/) });
    const buffer = (latestCheckpoint(run).env as { replay: { storage: { observations: Float32Array; actions: Float32Array; rewards: Float32Array } } }).replay.storage;
    expect(Array.from(ds.observations)).toEqual(Array.from(buffer.observations.subarray(0, 300 * 3)));
    expect(Array.from(ds.actions)).toEqual(Array.from(buffer.actions.subarray(0, 300)));
    expect(Array.from(ds.rewards)).toEqual(Array.from(buffer.rewards.subarray(0, 300)));
    const refused = await rxrl('dataset', 'collect', '--recipe', 'medium-replay', '--algo', 'iql', '--env', 'Pendulum-v1', '--steps', '10', '--out', path.join(dir, 'never.h5'), '--quiet');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/--algo iql: medium-replay trains with one of ppo, .*sac, td3, dqn/);
  });

  it('explains recipe mistakes', async () => {
    const out = path.join(dir, 'never.h5');
    const cases: [string[], RegExp][] = [
      [['--recipe', 'medium', '--env', 'CartPole-v1'], /--recipe medium needs --policy runs\/NAME/],
      [['--recipe', 'expert', '--policy', 'random', '--env', 'CartPole-v1'], /--recipe expert needs --policy runs\/NAME/],
      [['--recipe', 'medium-expert', '--policy', dir], /needs --expert-policy/],
      [['--recipe', 'random', '--env', 'CartPole-v1', '--stop-return', '10'], /--stop-return only applies to --recipe medium-replay/],
      [['--recipe', 'bogus', '--env', 'CartPole-v1'], /unknown recipe "bogus"; available: random, medium, medium-replay, expert, medium-expert/],
      [['--policy', 'random'], /--policy random needs --env ID/],
    ];
    for (const [args, message] of cases) {
      const r = await rxrl('dataset', 'collect', '--steps', '10', '--out', out, ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toMatch(message);
    }
    expect(existsSync(out)).toBe(false);
    const missing = await rxrl('dataset', 'inspect', path.join(dir, 'nope.h5'));
    expect(missing.err).toMatch(/DatasetError: no file at/);
  });
});
