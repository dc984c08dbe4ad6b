import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diceBackwardTerm, diceForwardTerm, diceTrueGradientTerm, diceValueTerm, type DiceTermInput } from '../../src/algorithms/dice.js';
import { createOfflineAgent, resolveConfig } from '../../src/agents/algorithms.js';
import { DiceAgent } from '../../src/agents/offline/dice-agent.js';
import { resolveOfflineConfig, type DiceConfig, type OfflineAlgorithmName } from '../../src/agents/offline/offline-config.js';
import { minOverHeads } from '../../src/agents/offline/value-heads.js';
import { ConfigError, SpaceMismatchError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { Box, Discrete } from '../../src/core/spaces.js';
import { createDataset, DatasetError, type OfflineDataset } from '../../src/data/dataset.js';
import { OfflineSampler, returnRange, returnRangeRewardScale, type OfflineBatch } from '../../src/data/offline-sampler.js';
import { evaluateRun } from '../../src/loop/evaluate-run.js';
import { writeRandomPendulumDataset } from '../helpers/datasets.js';
import { latestCheckpoint, runToEnd, summaryOf, TempDirs } from '../helpers/run.js';

const tmp = new TempDirs('rxrl-offline-');
afterAll(() => tmp.removeAll());

/** Small networks, so that finite differences over every value parameter stay cheap. */
const SMALL = { batchSize: 16, policy: { hidden: [8], logStdMin: -5, logStdMax: 2 } };

/** A batch of random transitions (obs 3, act 1), some terminal. */
function randomBatch(rng: Rng, B: number): OfflineBatch {
  return {
    size: B,
    observations: Float32Array.from({ length: 3 * B }, () => rng.normal()),
    nextObservations: Float32Array.from({ length: 3 * B }, () => rng.normal()),
    actions: Float32Array.from({ length: B }, () => rng.uniformRange(-1, 1)),
    rewards: Float64Array.from({ length: B }, () => 2 * rng.normal()),
    bootstrap: Float64Array.from({ length: B }, (_, b) => (b % 5 === 0 ? 0 : 0.99)),
  };
}

describe('DICE agents: the value step applies the gradient ALGORITHMS.md §7 defines', () => {
  // After update(), pass(0).grads holds the value gradient the Adam step used (computed at the
  // parameters before the step). It is compared with central differences of the three terms
  // through the real twin LayerNorm networks: the semi-gradient and O-DICE hold the target fixed.
  const h = 1e-6;
  for (const algo of ['semi-dice', 'true-dice', 'odice'] as const) {
    it(`${algo}: twin LayerNorm heads, every value parameter`, () => {
      const config = resolveOfflineConfig(algo, { env: 'Pendulum-v1', dataset: 'x.h5', ...SMALL, value: { hidden: [6, 5], layerNorm: true, twin: true }, lambda: 0.7, eta: 1.5 }) as DiceConfig;
      const rng = new Rng(`dice-grad/${algo}`);
      const agent = new DiceAgent(config, 3, new Box(-2, 2, [1]), rng.split('agent'));
      const v = agent.value;
      // Move the target away from the online networks, so that mixing them up shows.
      for (let i = 0; i < v.target.length; i++) v.target[i] = (v.params[i] as number) + 0.3 * rng.normal();
      const batch = randomBatch(rng, config.batchSize);
      const before = agent.getState();
      agent.update(batch, 0);
      const applied = v.pass(0).grads.slice();
      agent.setState(before);

      const B = batch.size;
      const input: DiceTermInput = { heads: 2, batch: B, rewards: batch.rewards, bootstrap: batch.bootstrap, divergence: config.divergence };
      const scratch = () => new Float64Array(2 * B);
      const targetMin = (obs: Float32Array) => {
        const out = new Float64Array(B);
        minOverHeads(v.targetForward(obs, B), 2, B, out);
        return out;
      };
      const tS = targetMin(batch.observations);
      const tN = targetMin(batch.nextObservations);
      const online = (obs: Float32Array) => Float64Array.from(v.pass(0).inference(obs, B));
      const forward = () => diceForwardTerm(input, online(batch.observations), tN, config.lambda, scratch(), scratch());
      const backward = () => diceBackwardTerm(input, online(batch.nextObservations), tS, config.lambda * config.eta, scratch());
      const linear = () => diceValueTerm(2, B, online(batch.observations), config.lambda, scratch());
      const trueTerm = () => diceTrueGradientTerm(input, online(batch.observations), online(batch.nextObservations), config.lambda, scratch(), scratch(), scratch());
      const fdGradient = (f: () => number) =>
        Float64Array.from(v.params, (p0, i) => {
          v.params[i] = p0 + h;
          const plus = f();
          v.params[i] = p0 - h;
          const minus = f();
          v.params[i] = p0;
          return (plus - minus) / (2 * h);
        });
      let expected: Float64Array;
      if (algo === 'semi-dice') expected = fdGradient(() => forward() + linear());
      else if (algo === 'true-dice') expected = fdGradient(() => trueTerm() + linear());
      else {
        const gf = fdGradient(forward);
        const gb = fdGradient(backward);
        const gv = fdGradient(linear);
        let dot = 0;
        let norm2 = 0;
        gf.forEach((x, i) => {
          dot += x * (gb[i] as number);
          norm2 += x * x;
        });
        const c = dot / Math.max(norm2, 1e-10);
        expected = gv.map((x, i) => x + (1 - c) * (gf[i] as number) + (gb[i] as number));
      }
      let worst = 0;
      let scale = 0;
      expected.forEach((x, i) => {
        worst = Math.max(worst, Math.abs(x - (applied[i] as number)));
        scale = Math.max(scale, Math.abs(x));
      });
      // Central differences with h = 1e-6 on O(1) terms: errors ~1e-9; a wrong sign, head or projection is O(scale).
      expect(scale).toBeGreaterThan(1e-3);
      expect(worst / scale).toBeLessThan(1e-6);
    });
  }
});

/**
 * A contextual bandit with one-step episodes: in every state, half the rows take a = +0.5
 * (reward 1) and half a = −0.5 (reward 0). Cloning averages the two; a value-weighted
 * extraction should prefer the rewarded action.
 */
function banditDataset(rows: number, seed: number): OfflineDataset {
  const rng = new Rng(seed);
  const observations = Float32Array.from({ length: 3 * rows }, () => rng.uniformRange(-1, 1));
  const actions = Float32Array.from({ length: rows }, (_, i) => (i % 2 === 0 ? 0.5 : -0.5));
  return createDataset({
    observations,
    nextObservations: observations.slice(),
    actions,
    rewards: Float32Array.from(actions, (a) => (a > 0 ? 1 : 0)),
    terminals: new Uint8Array(rows).fill(1),
  });
}

describe('offline agents learn the policy their objective asks for', () => {
  const meanAction = (algo: OfflineAlgorithmName, steps: number) => {
    const ds = banditDataset(512, 3);
    const networks = algo === 'bc' ? {} : algo === 'iql' ? { value: { hidden: [16, 16] } } : { value: { hidden: [16, 16], layerNorm: true, twin: true } };
    const config = resolveOfflineConfig(algo, { env: 'Pendulum-v1', dataset: 'bandit.h5', batchSize: 64, policy: { hidden: [16, 16], logStdMin: -5, logStdMax: 2 }, ...networks });
    const rng = new Rng(`bandit/${algo}`);
    const agent = createOfflineAgent(config, 3, new Box(-1, 1, [1]), rng.split('agent'));
    // The default reward preprocessing (×1000 / return range), under which V-DICE's residuals separate the two actions.
    const sampler = new OfflineSampler(ds, { batchSize: 64, gamma: 0.99, rewardScale: returnRangeRewardScale(ds), rng: rng.split('batches') });
    for (let s = 0; s < steps; s++) agent.update(sampler.next(), s / steps);
    const obs = Float32Array.from({ length: 3 * 50 }, (_, i) => Math.sin(i));
    const a = agent.act(obs, 50, true).actions;
    return a.reduce((x, y) => x + y, 0) / 50;
  };

  it('BC averages the two actions; IQL and O-DICE pick the rewarded one', () => {
    const bc = meanAction('bc', 1500);
    expect(Math.abs(bc)).toBeLessThan(0.15);
    // Measured: BC 0.01, IQL 0.51, O-DICE 0.50 (the rewarded action is +0.5).
    for (const algo of ['iql', 'odice'] as const) expect(meanAction(algo, 1500)).toBeGreaterThan(0.35);
  });
});

describe('offline data', () => {
  it('the return range counts complete episodes; the reward scale is 1000 / (max − min)', () => {
    // Episodes: [1, 2] terminal (3), [4] timeout at the limit 1 (4), [10, 10] cut at the end (20, incomplete).
    const ds = createDataset({ observations: new Float32Array(5), nextObservations: new Float32Array(5), actions: new Float32Array(5), rewards: [1, 2, 4, 10, 10], terminals: [0, 1, 0, 0, 0], timeouts: [0, 0, 1, 0, 1] });
    expect(returnRange(ds)).toEqual({ min: 3, max: 4, episodes: 2 });
    expect(returnRangeRewardScale(ds)).toBe(1000);
    expect(returnRange(ds, 2)).toEqual({ min: 3, max: 20, episodes: 2 });
    const flat = createDataset({ observations: new Float32Array(2), nextObservations: new Float32Array(2), actions: new Float32Array(2), rewards: [1, 1], terminals: [1, 1] });
    expect(() => returnRangeRewardScale(flat)).toThrow(/all with return 1.*set rewardScale to a number/);
  });

  it('batches scale the rewards and give γ·(1 − terminal) as the bootstrap', () => {
    const ds = createDataset({ observations: [0, 1, 2], nextObservations: [1, 2, 3], actions: [0, 0, 0], rewards: [1, 2, 3], terminals: [0, 0, 1] });
    const sampler = new OfflineSampler(ds, { batchSize: 64, gamma: 0.9, rewardScale: 2, rng: new Rng(0) });
    const b = sampler.next();
    for (let i = 0; i < b.size; i++) {
      const row = b.observations[i] as number;
      expect(b.rewards[i]).toBe(2 * (row + 1));
      expect(b.bootstrap[i]).toBe(row === 2 ? 0 : 0.9);
    }
  });
});

describe('offline training runs (train(), the CLI, run folders)', () => {
  const pendulumDataset = () => writeRandomPendulumDataset(tmp.make());

  const config = (algo: OfflineAlgorithmName, dataset: string, totalSteps: number) => ({ algo, env: 'Pendulum-v1', dataset, totalSteps, evalEpisodes: 2, ...SMALL, ...(algo === 'bc' ? {} : { value: { hidden: [8] } }) });

  it('same seed, same bytes; a stopped run resumed from its checkpoint ends with the same bytes', async () => {
    const dataset = await pendulumDataset();
    for (const algo of ['odice', 'iql'] as const) {
      const a = tmp.make();
      const b = tmp.make();
      const c = tmp.make();
      const full = await runToEnd({ config: config(algo, dataset, 3000), checkpointDir: path.join(a, 'checkpoints') });
      expect(full.error).toBeUndefined();
      expect((await runToEnd({ config: config(algo, dataset, 3000), checkpointDir: path.join(b, 'checkpoints') })).error).toBeUndefined();
      const first = await runToEnd({ config: config(algo, dataset, 3000), checkpointDir: path.join(c, 'checkpoints') }, 1000);
      expect(first.events.some((e) => e.type === 'done')).toBe(false);
      const resumed = await runToEnd({ resumeFrom: c });
      expect(resumed.error).toBeUndefined();
      const bytes = (dir: string) => JSON.stringify(latestCheckpoint(dir).agent, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v));
      expect(bytes(b)).toBe(bytes(a));
      expect(bytes(c)).toBe(bytes(a));
      expect(summaryOf(full.events).totalSteps).toBe(3000);
      expect(summaryOf(full.events).finalEval?.episodes).toBe(2);
      // The run folder's policy evaluates like any run's.
      const result = await evaluateRun(a, { episodes: 1, deterministic: true });
      expect(Number.isFinite(result.mean)).toBe(true);
    }
  }, 120_000);

  it('bad input names the problem: no dataset, no env, wrong shapes, discrete actions', async () => {
    expect(() => resolveConfig({ algo: 'odice', env: 'Pendulum-v1' })).toThrow(/odice learns from a dataset: pass --dataset FILE/);
    expect(() => resolveConfig({ algo: 'iql', dataset: 'x.h5' })).toThrow(/iql needs the env to evaluate its policy in: pass --env ID/);
    expect(() => resolveConfig({ algo: 'bc', env: 'Pendulum-v1', dataset: 'x.h5', lambda: 0.5 })).toThrow(ConfigError);
    const dataset = await pendulumDataset();
    const wrongEnv = await runToEnd({ config: { ...config('bc', dataset, 10), env: 'MountainCarContinuous-v0' } });
    expect(wrongEnv.error).toBeInstanceOf(DatasetError);
    expect(wrongEnv.error?.message).toMatch(/observations have 3 entries, but MountainCarContinuous-v0's have 2.*metadata says Pendulum-v1/);
    expect(() => createOfflineAgent(resolveOfflineConfig('bc', { env: 'CartPole-v1', dataset: 'x' }), 4, new Discrete(2), new Rng(0))).toThrow(SpaceMismatchError);
  });
});
