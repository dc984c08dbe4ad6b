import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { GrpoAgent, type GrpoAgentState } from '../../src/agents/grpo/grpo-agent.js';
import { resolveGrpoConfig, type GrpoConfigInput } from '../../src/agents/grpo/grpo-config.js';
import { ConfigError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { Box, Discrete } from '../../src/core/spaces.js';
import { GroupBatch } from '../../src/data/group-batch.js';
import type { TrainEvent } from '../../src/loop/events.js';
import { exportRunPolicy } from '../../src/loop/export-run.js';
import { latestCheckpoint, runToEnd, summaryOf, TempDirs } from '../helpers/run.js';

const temp = new TempDirs('rxrl-grpo-');
afterAll(() => temp.removeAll());

/** Reverse 3 binary digits: the initial policy succeeds 1/8 of the time. */
const SMALL: GrpoConfigInput = { algo: 'grpo', env: 'rxrl/SeqTask-v0', envKwargs: { length: 3, base: 2 }, seed: 1, numEnvs: 32, groupSize: 8, totalSteps: 30_000, evalEpisodes: 20, policy: { hidden: [32] } };

const updates = (events: TrainEvent[]) => events.filter((e): e is Extract<TrainEvent, { type: 'update' }> => e.type === 'update');
const paramsOf = (dir: string) => (latestCheckpoint(dir).agent as GrpoAgentState).network.params;

describe('GRPO', () => {
  it('learns to reverse binary sequences from the outcome reward alone, and reports success rates', async () => {
    const { events, error } = await runToEnd({ config: SMALL });
    expect(error).toBeUndefined();
    const u = updates(events);
    const meanSuccess = (stages: typeof u) => stages.reduce((s, e) => s + (e.metrics.details?.['trainSuccessRate'] as number), 0) / stages.length;
    // The sampling policy starts near chance (1/8) and still explores at the end; its greedy mode is evaluated below.
    expect(meanSuccess(u.slice(0, 10))).toBeLessThan(0.25);
    expect(meanSuccess(u.slice(-10))).toBeGreaterThan(0.6);
    const summary = summaryOf(events);
    expect(summary.finalEval?.successRate).toBeGreaterThanOrEqual(0.9);
    // Every stage: 32 copies × 3 turns.
    expect(summary.totalSteps % 96).toBe(0);
    expect(events.filter((e) => e.type === 'episode')).toHaveLength(summary.totalSteps / 3);
  });

  it('leaves the policy unchanged when every group’s rewards are equal (no signal, no KL, no entropy bonus)', () => {
    const config = resolveGrpoConfig({ ...SMALL, numEnvs: 16, minibatches: 1 });
    const agent = new GrpoAgent(config, 4, new Discrete(3), 2, new Rng(0));
    const batch = new GroupBatch({ numEnvs: 16, groupSize: 8, maxTurns: 2, observationSize: 4, actionSize: 1, discrete: true });
    const rng = new Rng('batch');
    const obs = Float32Array.from({ length: 16 * 4 }, () => rng.uniformRange(-1, 1));
    for (let t = 0; t < 2; t++) {
      const act = agent.act(obs, 16, false);
      batch.addTurn(t, obs, act.actions, act.logProbs);
      // Group 0 all get 1, group 1 all get 0.
      batch.endTurn(t, Float64Array.from({ length: 16 }, (_, i) => (t === 1 && i < 8 ? 1 : 0)), () => t === 1, () => false);
    }
    expect(batch.complete).toBe(true);
    expect(batch.tokens).toBe(32);
    const before = agent.policy.params.slice();
    const m = agent.train(batch, 0);
    expect(m.details?.['groupsWithSignal']).toBe(0);
    expect(Array.from(agent.policy.params)).toEqual(Array.from(before));
    // One differing reward in group 1 gives a signal, and the policy moves.
    batch.returns[9] = 1;
    const m2 = agent.train(batch, 0);
    expect(m2.details?.['groupsWithSignal']).toBe(0.5);
    expect(Array.from(agent.policy.params)).not.toEqual(Array.from(before));
  });

  it('with klCoef > 0 measures k3 to the reference, and a larger β keeps the policy closer to it', async () => {
    const klOf = async (klCoef: number) => {
      const { events } = await runToEnd({ config: { ...SMALL, totalSteps: 9600, klCoef, evalEpisodes: 0 } });
      return updates(events).at(-1)?.metrics.details?.['klToReference'] as number;
    };
    const loose = await klOf(1e-6);
    const tight = await klOf(1);
    expect(loose).toBeGreaterThan(0);
    expect(tight).toBeGreaterThan(0);
    expect(tight).toBeLessThan(loose);
  });

  it('is reproducible bit for bit, and a stopped run resumed from its checkpoint ends identically', async () => {
    const config = { ...SMALL, totalSteps: 9600, evalEpisodes: 0 };
    const whole = temp.make();
    const again = temp.make();
    const split = temp.make();
    await runToEnd({ config, checkpointDir: path.join(whole, 'checkpoints') });
    await runToEnd({ config, checkpointDir: path.join(again, 'checkpoints') });
    expect(Buffer.from(paramsOf(again).buffer).equals(Buffer.from(paramsOf(whole).buffer))).toBe(true);
    const first = await runToEnd({ config, checkpointDir: path.join(split, 'checkpoints') }, 4800);
    expect(first.events.some((e) => e.type === 'done')).toBe(false);
    const resumed = await runToEnd({ resumeFrom: split });
    expect(resumed.events[0]).toMatchObject({ type: 'start', resumed: true, exact: true });
    expect(resumed.events.at(-1)?.type).toBe('done');
    expect(Buffer.from(paramsOf(split).buffer).equals(Buffer.from(paramsOf(whole).buffer))).toBe(true);
    // Its token policy has no exporter yet: export says so instead of writing a wrong model.
    await expect(exportRunPolicy(whole, path.join(whole, 'export'))).rejects.toThrow(/token policy cannot be exported yet/);
  });

  it('logs each turn’s policy entropy per stage', async () => {
    const { events } = await runToEnd({ config: { ...SMALL, totalSteps: 960, evalEpisodes: 0 } });
    const details = updates(events)[0]?.metrics.details ?? {};
    // Three turns of a near-uniform binary policy: entropy ≈ log 2.
    for (const t of [0, 1, 2]) expect(details[`entropy/turn${t}`]).toBeCloseTo(Math.log(2), 2);
    expect(details['entropy/turn3']).toBeUndefined();
  });
});

describe('GRPO with the gru token policy', () => {
  /** Reverse 3 binary digits, the prompt shown on the first turn only: digits 2 and 3 need memory. */
  const MEMORY: GrpoConfigInput = { ...SMALL, envKwargs: { length: 3, base: 2, prompt: 'first' }, totalSteps: 30_000, evalEpisodes: 50, gruHiddenSize: 32 };
  const finalSuccess = async (policyType: 'mlp' | 'gru') => summaryOf((await runToEnd({ config: { ...MEMORY, policyType } })).events).finalEval?.successRate as number;

  it('solves a task that needs memory, where the feed-forward policy cannot beat its 1/4 ceiling', async () => {
    // Without memory only the first digit (still in view) can be right: at most 1/4 of the prompts.
    expect(await finalSuccess('mlp')).toBeLessThanOrEqual(0.4);
    expect(await finalSuccess('gru')).toBeGreaterThanOrEqual(0.9);
  });

  it('resumes from a checkpoint bit for bit, and a sampled turn’s log-prob is the one training recomputes', async () => {
    const config = { ...MEMORY, policyType: 'gru' as const, totalSteps: 4800, evalEpisodes: 0 };
    const whole = temp.make();
    const split = temp.make();
    await runToEnd({ config, checkpointDir: path.join(whole, 'checkpoints') });
    await runToEnd({ config, checkpointDir: path.join(split, 'checkpoints') }, 2400);
    await runToEnd({ resumeFrom: split });
    expect((latestCheckpoint(whole).agent as GrpoAgentState).network).toHaveProperty('kind', 'gru');
    expect(Buffer.from(paramsOf(split).buffer).equals(Buffer.from(paramsOf(whole).buffer))).toBe(true);
    // With one minibatch per stage the loss is computed by the sampling policy itself: the
    // approx-KL is exactly 0 only if acting (one step at a time) and training (whole episodes) agree.
    const one = updates((await runToEnd({ config: { ...config, minibatches: 1, totalSteps: 960 } })).events);
    expect(one.length).toBe(10);
    for (const u of one) expect(u.metrics.approxKl).toBe(0);
  });

  it('rejects continuous actions with the fix', () => {
    const config = resolveGrpoConfig({ ...SMALL, policyType: 'gru' });
    expect(() => new GrpoAgent(config, 4, new Box(-1, 1, [2]), 2, new Rng(0))).toThrow(/needs a Discrete action space.*policyType "mlp"/);
  });
});

describe('EPO on GRPO (epo-grpo)', () => {
  const EPO: GrpoConfigInput = { ...SMALL, algo: 'epo-grpo', totalSteps: 9600, evalEpisodes: 0, epo: { entropyCoef: 0.01, bandLow: 0.99, bandHigh: 1.01, penalty: 1 } };

  it('with the released code’s mask equals GRPO with the same entropy bonus, bit for bit: the smoothing has zero gradient', async () => {
    const code = temp.make();
    const plain = temp.make();
    const { events } = await runToEnd({ config: { ...EPO, epo: { ...EPO.epo, smoothing: 'code' } }, checkpointDir: path.join(code, 'checkpoints') });
    await runToEnd({ config: { ...SMALL, totalSteps: 9600, evalEpisodes: 0, entCoef: 0.01 }, checkpointDir: path.join(plain, 'checkpoints') });
    // The mask was active (tokens outside the narrow band) and entered the logged loss…
    expect(updates(events).some((e) => (e.metrics.details?.['epoOutsideBand'] ?? 0) > 0)).toBe(true);
    // …yet the parameters are those of plain GRPO with c_H as its entropy bonus.
    expect(Buffer.from(paramsOf(code).buffer).equals(Buffer.from(paramsOf(plain).buffer))).toBe(true);
  });

  it('with the differentiable penalty moves the policy differently, and reports β_k per stage', async () => {
    const code = temp.make();
    const diff = temp.make();
    await runToEnd({ config: { ...EPO, epo: { ...EPO.epo, smoothing: 'code' } }, checkpointDir: path.join(code, 'checkpoints') });
    const { events } = await runToEnd({ config: EPO, checkpointDir: path.join(diff, 'checkpoints') });
    expect(Buffer.from(paramsOf(diff).buffer).equals(Buffer.from(paramsOf(code).buffer))).toBe(false);
    const u = updates(events);
    expect(u[0]?.metrics.details?.['epoBeta']).toBe(1);
    // The spec's golden values: β_75 = 0.8271, β_76 = 0.7686 (the drop at K/2).
    expect(u[75]?.metrics.details?.['epoBeta']).toBeCloseTo(0.8271, 4);
    expect(u[76]?.metrics.details?.['epoBeta']).toBeCloseTo(0.7686, 4);
    // No history before the first stage: nothing is smoothed then.
    expect(u[0]?.metrics.details?.['epoSmoothingLoss']).toBe(0);
  });

  it('resumes exactly, its per-turn entropy history included', async () => {
    const whole = temp.make();
    const split = temp.make();
    await runToEnd({ config: EPO, checkpointDir: path.join(whole, 'checkpoints') });
    await runToEnd({ config: EPO, checkpointDir: path.join(split, 'checkpoints') }, 4800);
    const resumed = await runToEnd({ resumeFrom: split });
    expect(resumed.events.at(-1)?.type).toBe('done');
    expect(Buffer.from(paramsOf(split).buffer).equals(Buffer.from(paramsOf(whole).buffer))).toBe(true);
  });
});

describe('GRPO configuration', () => {
  it('rejects configurations it cannot honour, naming the fix', () => {
    expect(() => resolveGrpoConfig({ ...SMALL, numEnvs: 20 })).toThrow(/numEnvs must be a multiple of groupSize/);
    expect(() => resolveGrpoConfig({ ...SMALL, minibatches: 8 })).toThrow(/at most numEnvs \/ groupSize/);
    expect(() => resolveGrpoConfig({ ...SMALL, normalizeReward: true })).toThrow(ConfigError);
    expect(() => resolveGrpoConfig({ ...SMALL, groupSize: 1 })).toThrow(ConfigError);
  });
});
