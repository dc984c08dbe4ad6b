import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { PpoAgentState } from '../../src/agents/ppo-agent.js';
import type { PpoConfigInput } from '../../src/agents/ppo-config.js';
import type { TrainEvent } from '../../src/loop/events.js';
import { latestCheckpoint, runToEnd, TempDirs } from '../helpers/run.js';

const temp = new TempDirs('rxrl-epo-ppo-');
afterAll(() => temp.removeAll());

/** Reverse 3 binary digits: episodes of exactly 3 turns. */
const PPO: PpoConfigInput = { algo: 'ppo', env: 'rxrl/SeqTask-v0', envKwargs: { length: 3, base: 2 }, seed: 2, numEnvs: 4, nSteps: 32, batchSize: 32, nEpochs: 2, totalSteps: 4096, evalEpisodes: 0, policy: { hidden: [16] } };
const EPO: PpoConfigInput = { ...PPO, algo: 'epo-ppo', epo: { entropyCoef: 0.01, bandLow: 0.99, bandHigh: 1.01, penalty: 1 } };

const updates = (events: TrainEvent[]) => events.filter((e): e is Extract<TrainEvent, { type: 'update' }> => e.type === 'update');
const paramsOf = (dir: string) => (latestCheckpoint(dir).agent as PpoAgentState).network.params;
const same = (a: Float64Array, b: Float64Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));

describe('EPO on PPO (epo-ppo)', () => {
  it('keys the entropy history by each sample’s turn within its episode, across rollout boundaries', async () => {
    const { events } = await runToEnd({ config: EPO });
    for (const u of updates(events)) {
      const keys = Object.keys(u.metrics.details ?? {}).filter((k) => k.startsWith('entropy/turn'));
      // 32 steps per copy and episodes of 3: every turn 0, 1, 2 appears, never a fourth.
      expect(keys.sort()).toEqual(['entropy/turn0', 'entropy/turn1', 'entropy/turn2']);
    }
    expect(updates(events).some((u) => (u.metrics.details?.['epoOutsideBand'] ?? 0) > 0)).toBe(true);
  });

  it('plain PPO logs the per-turn entropy on request, and its parameters do not change for it', async () => {
    const [logged, plain] = [temp.make(), temp.make()];
    const { events } = await runToEnd({ config: { ...PPO, logTurnEntropy: true }, checkpointDir: path.join(logged, 'checkpoints') });
    await runToEnd({ config: PPO, checkpointDir: path.join(plain, 'checkpoints') });
    expect(Object.keys(updates(events)[0]?.metrics.details ?? {}).sort()).toEqual(['entropy/turn0', 'entropy/turn1', 'entropy/turn2']);
    expect(same(paramsOf(logged), paramsOf(plain))).toBe(true);
  });

  it('with the released code’s mask equals PPO with the same entropy bonus, bit for bit; the differentiable penalty differs', async () => {
    const [code, plain, diff] = [temp.make(), temp.make(), temp.make()];
    await runToEnd({ config: { ...EPO, epo: { ...EPO.epo, smoothing: 'code' } }, checkpointDir: path.join(code, 'checkpoints') });
    await runToEnd({ config: { ...PPO, entCoef: 0.01 }, checkpointDir: path.join(plain, 'checkpoints') });
    await runToEnd({ config: EPO, checkpointDir: path.join(diff, 'checkpoints') });
    expect(same(paramsOf(code), paramsOf(plain))).toBe(true);
    expect(same(paramsOf(diff), paramsOf(code))).toBe(false);
  });

  it('resumes exactly, with its update count and history', async () => {
    const [whole, split] = [temp.make(), temp.make()];
    await runToEnd({ config: EPO, checkpointDir: path.join(whole, 'checkpoints') });
    await runToEnd({ config: EPO, checkpointDir: path.join(split, 'checkpoints') }, 2048);
    const resumed = await runToEnd({ resumeFrom: split });
    expect(resumed.events.at(-1)?.type).toBe('done');
    expect(same(paramsOf(split), paramsOf(whole))).toBe(true);
  });
});
