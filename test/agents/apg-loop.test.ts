import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { latestCheckpoint, runToEnd, summaryOf, TempDirs } from '../helpers/run.js';
import type { ApgAgentState } from '../../src/agents/apg/apg-agent.js';
import type { ApgConfigInput } from '../../src/agents/apg/apg-config.js';
import type { IldAgentState } from '../../src/agents/ild/ild-agent.js';
import type { TrainEvent } from '../../src/loop/events.js';

const temp = new TempDirs('rxrl-apg-loop-');
afterAll(() => temp.removeAll());

/** 4 cheetah worlds × windows of 8 steps: 32 env steps per iteration, 8 iterations. */
const SMALL: ApgConfigInput = { algo: 'apg', env: 'rxrl/HalfCheetah-v0', seed: 1, numEnvs: 4, horizon: 8, totalSteps: 256, maxEpisodeSteps: 40, evalEvery: 128, evalEpisodes: 1, policy: { hidden: [16] }, critic: { hidden: [16] } };

const actorOf = (dir: string): Float64Array => (latestCheckpoint(dir).agent as ApgAgentState).policy.mean;

describe('train() with --algo apg', () => {
  it('emits the on-policy loop’s events, evaluates on the registered env and ends with a summary', async () => {
    const dir = temp.make();
    const { events, error } = await runToEnd({ config: SMALL, checkpointDir: path.join(dir, 'checkpoints') });
    expect(error).toBeUndefined();
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('start');
    expect(types.at(-1)).toBe('done');
    expect(types.filter((t) => t === 'update')).toHaveLength(8);
    expect(types.filter((t) => t === 'rollout')).toHaveLength(8);
    // Episodes of the training worlds end at their 40-step limit.
    const episodes = events.filter((e): e is Extract<TrainEvent, { type: 'episode' }> => e.type === 'episode');
    expect(episodes.length).toBe(4 * Math.floor(64 / 40));
    expect(episodes.every((e) => e.length === 40)).toBe(true);
    const evals = events.filter((e): e is Extract<TrainEvent, { type: 'eval' }> => e.type === 'eval');
    expect(evals.map((e) => e.step)).toEqual([128, 256]);
    const steps = events.map((e) => e.step);
    expect([...steps].sort((a, b) => a - b)).toEqual(steps);
    expect(summaryOf(events)).toMatchObject({ algo: 'apg', env: 'rxrl/HalfCheetah-v0', totalSteps: 256, finalEval: { episodes: 1 } });
  });

  it('a run stopped halfway and resumed from its checkpoint ends with bit-identical parameters', async () => {
    const whole = temp.make();
    const split = temp.make();
    await runToEnd({ config: SMALL, checkpointDir: path.join(whole, 'checkpoints') });
    const first = await runToEnd({ config: SMALL, checkpointDir: path.join(split, 'checkpoints') }, 96);
    expect(first.events.some((e) => e.type === 'done')).toBe(false);
    const resumed = await runToEnd({ resumeFrom: split });
    expect(resumed.error).toBeUndefined();
    expect(resumed.events[0]).toMatchObject({ type: 'start', resumed: true, exact: true, step: 96 });
    expect(resumed.events.at(-1)?.type).toBe('done');
    expect(Buffer.from(actorOf(whole).buffer).equals(Buffer.from(actorOf(split).buffer))).toBe(true);
    const evalOf = (events: TrainEvent[]) => events.filter((e) => e.type === 'eval').at(-1);
    expect(evalOf(resumed.events)).toEqual(evalOf((await runToEnd({ config: SMALL })).events));
  });
});

describe('train() with --algo ild', () => {
  it('trains on the bundled hopper expert and reports the Chamfer distance per update', async () => {
    const dir = temp.make();
    const { events, error } = await runToEnd({ config: { algo: 'ild', env: 'rxrl/Hopper-v0', seed: 0, numEnvs: 2, horizon: 16, totalSteps: 96, evalEpisodes: 1, policy: { hidden: [8] } }, checkpointDir: path.join(dir, 'checkpoints') });
    expect(error).toBeUndefined();
    const updates = events.filter((e): e is Extract<TrainEvent, { type: 'update' }> => e.type === 'update');
    expect(updates).toHaveLength(3);
    for (const u of updates) expect(u.metrics.details?.['chamfer']).toBe(u.metrics.policyLoss);
    expect(summaryOf(events)).toMatchObject({ algo: 'ild', totalSteps: 96 });
    expect((latestCheckpoint(dir).agent as IldAgentState).iteration).toBe(3);
    expect(latestCheckpoint(dir).env).toBeNull();
  });
});
