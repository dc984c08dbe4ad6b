/** The live picture of runs whose loops are their own (offline, gradient agents): drawn while they train, and training unchanged by it. */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BatchedActions, VectorStepResult } from '../../src/envs/vector/vector-env.js';
import { make, register } from '../../src/envs/registry.js';
import { VectorWrapper } from '../../src/envs/wrappers/wrapper.js';
import type { AgentConfigInput } from '../../src/agents/algorithms.js';
import { LiveViewer } from '../../src/dashboard/viewer.js';
import type { Scene } from '../../src/dashboard/protocol.js';
import { train } from '../../src/loop/train.js';
import { writeRandomPendulumDataset } from '../helpers/datasets.js';
import { latestCheckpoint, runToEnd, TempDirs } from '../helpers/run.js';

const dirs = new TempDirs('rxrl-live-viewer-');
afterAll(() => dirs.removeAll());

/** Trains `config` with a viewer drawing a frame at every update event; returns the frames. */
async function trainWatched(config: AgentConfigInput, checkpointDir: string): Promise<(Scene | null)[]> {
  const run = train({ config, checkpointDir });
  const frames: Promise<Scene | null>[] = [];
  let viewer: LiveViewer | undefined;
  let failure: Error | undefined;
  run.events$.subscribe({
    next: (e) => {
      if (e.type !== 'update') return;
      const lent = run.live();
      if (lent === undefined) throw new Error('the run lends no policy');
      viewer ??= new LiveViewer(lent);
      frames.push(viewer.frame());
    },
    error: (err: Error) => (failure = err),
  });
  await run.finished;
  if (failure !== undefined) throw failure;
  const scenes = await Promise.all(frames);
  await viewer?.close();
  return scenes;
}

/** The agent's state in the latest checkpoint, as text (typed arrays as lists). */
const agentBytes = (dir: string) => JSON.stringify(latestCheckpoint(dir).agent, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v));

const IQL = async (): Promise<AgentConfigInput> => ({
  algo: 'iql',
  env: 'Pendulum-v1',
  dataset: await writeRandomPendulumDataset(dirs.make()),
  seed: 4,
  totalSteps: 3000,
  batchSize: 16,
  evalEvery: 1000,
  evalEpisodes: 1,
  policy: { hidden: [8], logStdMin: -5, logStdMax: 2 },
  value: { hidden: [8] },
});
const SAC = async (): Promise<AgentConfigInput> => ({ algo: 'sac', env: 'Pendulum-v1', seed: 3, totalSteps: 3000, learningStarts: 200, batchSize: 32, evalEvery: 1000, evalEpisodes: 1, policy: { hidden: [8] }, critic: { hidden: [8] } });
const APG = async (): Promise<AgentConfigInput> => ({ algo: 'apg', env: 'rxrl/HalfCheetah-v0', seed: 2, numEnvs: 2, horizon: 8, totalSteps: 64, maxEpisodeSteps: 40, evalEvery: 64, evalEpisodes: 1, policy: { hidden: [8] }, critic: { hidden: [8] } });

describe('the live picture of self-driven loops', () => {
  it.each([
    ['an offline run (IQL), in its raw eval env', IQL, 'pendulum'],
    ['an APG run, frames of the physics', APG, 'svg'],
    ['a SAC run, in its env', SAC, 'pendulum'],
  ] as const)('%s: the run lends its policy, and training ends with the bytes of an unwatched run', async (_name, makeConfig, sceneKind) => {
    const config = await makeConfig();
    const watched = dirs.make();
    const plain = dirs.make();
    const scenes = await trainWatched(config, path.join(watched, 'checkpoints'));
    expect((await runToEnd({ config, checkpointDir: path.join(plain, 'checkpoints') })).error).toBeUndefined();
    expect(scenes.length).toBeGreaterThanOrEqual(3);
    expect(scenes.every((s) => s?.kind === sceneKind)).toBe(true);
    expect(agentBytes(watched)).toBe(agentBytes(plain));
  });
});

/** CartPole whose vector steps resolve on a later turn of the event loop, as the Gymnasium bridge's do. */
class LaterStep extends VectorWrapper {
  override async step(actions: BatchedActions): Promise<VectorStepResult> {
    const r = await this.env.step(actions);
    await new Promise((resolve) => setImmediate(resolve));
    return r;
  }
}
register({ id: 'test/LaterCartPole-v0', entryPoint: () => make('CartPole-v1'), vectorEntryPoint: (numEnvs) => new LaterStep(make('CartPole-v1', { numEnvs })) }, { override: true });
register({ id: 'test/LaterSeqTask-v0', entryPoint: (kwargs) => make('rxrl/SeqTask-v0', kwargs), vectorEntryPoint: (numEnvs, kwargs) => new LaterStep(make('rxrl/SeqTask-v0', { ...kwargs, numEnvs })) }, { override: true });

/** Trains `config` while a viewer draws whenever the event loop lets it (as the dashboard's timer does); returns the scenes. */
async function trainWatchedThroughout(config: AgentConfigInput, checkpointDir: string): Promise<(Scene | null)[]> {
  const run = train({ config, checkpointDir });
  const scenes: (Scene | null)[] = [];
  let viewer: LiveViewer | undefined;
  let watching = true;
  const draw = async () => {
    while (watching) {
      const lent = run.live();
      if (lent !== undefined) {
        viewer ??= new LiveViewer(lent);
        scenes.push(await viewer.frame());
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  let failure: Error | undefined;
  run.events$.subscribe({ error: (err: Error) => (failure = err) });
  const drawing = draw();
  await run.finished;
  watching = false;
  await drawing;
  await viewer?.close();
  if (failure !== undefined) throw failure;
  return scenes;
}

describe('the live picture of an on-policy run', () => {
  it.each<[string, AgentConfigInput]>([
    ['PPO', { algo: 'ppo', env: 'test/LaterCartPole-v0', seed: 3, numEnvs: 2, nSteps: 32, batchSize: 32, nEpochs: 1, totalSteps: 256, evalEvery: 128, evalEpisodes: 1, policy: { hidden: [8] } }],
    ['recurrent PPO', { algo: 'ppo-lstm', env: 'test/LaterCartPole-v0', seed: 3, numEnvs: 2, nSteps: 32, batchSize: 32, nEpochs: 1, recurrentHiddenSize: 8, totalSteps: 256, evalEvery: 128, evalEpisodes: 1 }],
  ])('%s: frames drawn while the rollout awaits its env steps leave training unchanged', async (_name, config) => {
    const watched = dirs.make();
    const plain = dirs.make();
    const scenes = await trainWatchedThroughout(config, path.join(watched, 'checkpoints'));
    expect((await runToEnd({ config, checkpointDir: path.join(plain, 'checkpoints') })).error).toBeUndefined();
    expect(scenes.length).toBeGreaterThan(50);
    expect(agentBytes(watched)).toBe(agentBytes(plain));
  });
});

describe('the live picture of GRPO', () => {
  it('a gru token policy acts with hidden states of its own, its task drawn as text, and training ends with the bytes of an unwatched run', async () => {
    const config: AgentConfigInput = { algo: 'grpo', env: 'test/LaterSeqTask-v0', envKwargs: { length: 3, base: 2, prompt: 'first' }, seed: 2, numEnvs: 8, groupSize: 4, minibatches: 1, policyType: 'gru', gruHiddenSize: 8, totalSteps: 960, evalEvery: 480, evalEpisodes: 2 };
    const watched = dirs.make();
    const plain = dirs.make();
    const scenes = await trainWatchedThroughout(config, path.join(watched, 'checkpoints'));
    expect((await runToEnd({ config, checkpointDir: path.join(plain, 'checkpoints') })).error).toBeUndefined();
    expect(scenes.length).toBeGreaterThan(50);
    expect(scenes.every((s) => s?.kind === 'text' && /^reverse\nprompt  [01] [01] [01]\nanswer  /.test(s.text))).toBe(true);
    expect(agentBytes(watched)).toBe(agentBytes(plain));
  });

  it('KeyDoor (an mlp token policy) is drawn as its grid', async () => {
    const config: AgentConfigInput = { algo: 'grpo', env: 'rxrl/KeyDoor-v0', envKwargs: { size: 7, minSolution: 4 }, seed: 5, numEnvs: 4, groupSize: 2, minibatches: 1, totalSteps: 2000, evalEvery: 1000, evalEpisodes: 1, policy: { hidden: [8] } };
    const scenes = await trainWatched(config, path.join(dirs.make(), 'checkpoints'));
    expect(scenes.length).toBeGreaterThanOrEqual(1);
    for (const scene of scenes) {
      const lines = scene?.kind === 'text' ? scene.text.split('\n') : [];
      expect(lines).toHaveLength(8);
      expect(lines.slice(0, 7).every((l) => /^#[#.AKDG/]{5}#$/.test(l))).toBe(true);
      expect(lines.slice(0, 7).join('').split('A')).toHaveLength(2);
    }
  });
});
