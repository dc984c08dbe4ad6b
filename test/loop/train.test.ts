import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TempDirs, runToEnd } from '../helpers/run.js';
import type { PpoConfigInput } from '../../src/agents/ppo-config.js';
import { ConfigError } from '../../src/core/errors.js';
import { parseWithTypedArrays } from '../../src/core/serialize.js';
import { CartPoleKernel } from '../../src/envs/classic/cartpole.js';
import { KernelEnv } from '../../src/envs/kernel-env.js';
import { register, unregister } from '../../src/envs/registry.js';
import { KernelVectorEnv } from '../../src/envs/vector/kernel-vector-env.js';
import type { BatchedActions } from '../../src/envs/vector/vector-env.js';
import { VectorWrapper } from '../../src/envs/wrappers/wrapper.js';
import type { Checkpoint } from '../../src/loop/checkpoint.js';
import type { RunSummary, TrainEvent } from '../../src/loop/events.js';
import { train } from '../../src/loop/train.js';

const temp = new TempDirs('rxrl-train-');
afterAll(() => temp.removeAll());
const tempDir = (): string => temp.make();

/** A small CartPole config: 8 copies × 32 steps per rollout, 4 epochs. */
const SMALL: PpoConfigInput = { env: 'CartPole-v1', seed: 3, totalSteps: 4096, numEnvs: 8, nSteps: 32, batchSize: 128, nEpochs: 4, evalEpisodes: 2 };


function latestParams(dir: string): Float64Array {
  const cp = parseWithTypedArrays(readFileSync(path.join(dir, 'checkpoints', 'latest.json'), 'utf8')) as Checkpoint;
  return (cp.agent as { network: { params: Float64Array } }).network.params;
}

function withoutWallTimes(summary: RunSummary): Omit<RunSummary, 'wallSeconds' | 'stepsPerSecond'> {
  const { wallSeconds: _w, stepsPerSecond: _s, ...rest } = summary;
  return rest;
}

describe('train()', () => {
  it('emits typed events in order and a complete summary', async () => {
    const { events, error } = await runToEnd({ config: SMALL });
    expect(error).toBeUndefined();
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('start');
    expect(types.at(-1)).toBe('done');
    expect(types.filter((t) => t === 'update')).toHaveLength(4096 / 256);
    expect(types).toContain('episode');
    const update = events.find((e) => e.type === 'update');
    expect(update?.type === 'update' && Object.keys(update.metrics).sort()).toEqual(
      ['approxKl', 'clipFraction', 'clipRange', 'entropy', 'epochs', 'explainedVariance', 'gradNorm', 'learningRate', 'policyLoss', 'seconds', 'valueLoss'].sort(),
    );
    const done = events.at(-1);
    expect(done?.type === 'done' && done.summary).toMatchObject({ algo: 'ppo', env: 'CartPole-v1', seed: 3, totalSteps: 4096, finalEval: { episodes: 2 } });
  });

  it('same seed twice gives the same summary (wall times aside) and the same parameters', async () => {
    const [a, b] = [tempDir(), tempDir()];
    const runA = await runToEnd({ config: SMALL, checkpointDir: path.join(a, 'checkpoints') });
    const runB = await runToEnd({ config: SMALL, checkpointDir: path.join(b, 'checkpoints') });
    const summary = (r: { events: TrainEvent[] }) => (r.events.at(-1) as Extract<TrainEvent, { type: 'done' }>).summary;
    expect(withoutWallTimes(summary(runA))).toEqual(withoutWallTimes(summary(runB)));
    expect(latestParams(a)).toEqual(latestParams(b));
    const other = await runToEnd({ config: { ...SMALL, seed: 4 } });
    expect(withoutWallTimes(summary(other))).not.toEqual(withoutWallTimes(summary(runA)));
  });

  it('a run stopped halfway and resumed ends with bit-identical parameters', async () => {
    const whole = tempDir();
    const split = tempDir();
    await runToEnd({ config: SMALL, checkpointDir: path.join(whole, 'checkpoints') });
    const first = await runToEnd({ config: SMALL, checkpointDir: path.join(split, 'checkpoints') }, 2048);
    expect(first.events.some((e) => e.type === 'done')).toBe(false);
    const stoppedAt = (first.events.filter((e) => e.type === 'checkpoint').at(-1) as TrainEvent).step;
    expect(stoppedAt).toBeGreaterThanOrEqual(2048);
    expect(stoppedAt).toBeLessThan(4096);
    const resumed = await runToEnd({ resumeFrom: split });
    expect(resumed.events[0]).toMatchObject({ type: 'start', resumed: true, step: stoppedAt });
    expect(resumed.events.at(-1)?.type).toBe('done');
    const a = latestParams(whole);
    const b = latestParams(split);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });

  it('trains a continuous policy (Pendulum with gSDE) with finite losses throughout', async () => {
    const { events, error } = await runToEnd({ config: { env: 'Pendulum-v1', seed: 1, totalSteps: 2048, numEnvs: 2, nSteps: 256, batchSize: 64, nEpochs: 2, useSde: true, sdeSampleFreq: 4, evalEpisodes: 1 } });
    expect(error).toBeUndefined();
    const updates = events.filter((e): e is Extract<TrainEvent, { type: 'update' }> => e.type === 'update');
    expect(updates).toHaveLength(4);
    for (const u of updates) for (const [k, v] of Object.entries(u.metrics)) if (k !== 'explainedVariance') expect(Number.isFinite(v), k).toBe(true);
  });

  it('rejects a bad configuration naming the key', () => {
    expect(() => train({ config: { ...SMALL, totalSteps: -5 } })).toThrow(ConfigError);
    expect(() => train({ config: { ...SMALL, totalSteps: -5 } })).toThrow(/totalSteps/);
    expect(() => train({ config: { ...SMALL, lerningRate: 0.1 } as unknown as PpoConfigInput })).toThrow(/Unrecognized key.*lerningRate/);
    expect(() => train({ config: { ...SMALL, gamma: '0.9' } as unknown as PpoConfigInput })).toThrow(/gamma/);
    expect(() => train({ config: { ...SMALL, env: 'CartPol-v1' } })).toThrow(/Did you mean "CartPole-v1"/);
    expect(() => train({ config: { ...SMALL, backend: 'wasm' } })).toThrow(/backend: backend selects a TensorFlow.js backend: set network to "tfjs"/);
  });

  it('an exception inside the env becomes an error event, and the last checkpoint stays intact', async () => {
    /** CartPole whose vector env throws on its 100th step call (800 env steps with 8 copies). */
    class ThrowOnStep extends VectorWrapper {
      private calls = 0;
      override step(actions: BatchedActions) {
        if (++this.calls === 100) throw new Error('simulator exploded');
        return super.step(actions);
      }
    }
    register({
      id: 'test/CrashingCartPole-v0',
      entryPoint: () => new KernelEnv(new CartPoleKernel()),
      vectorEntryPoint: (n, _kw, spec) => new ThrowOnStep(new KernelVectorEnv(new CartPoleKernel(), n, { ...spec, spec })),
      maxEpisodeSteps: 500,
    });
    try {
      const dir = tempDir();
      const { events, error } = await runToEnd({ config: { ...SMALL, env: 'test/CrashingCartPole-v0', checkpointEvery: 256 }, checkpointDir: path.join(dir, 'checkpoints') });
      expect(error?.message).toBe('simulator exploded');
      expect(events.at(-1)).toMatchObject({ type: 'error', error: { message: 'simulator exploded' } });
      const lastSaved = (events.filter((e) => e.type === 'checkpoint').at(-1) as TrainEvent).step;
      expect(lastSaved).toBe(768); // the iteration before the crash at step 800
      const cp = parseWithTypedArrays(readFileSync(path.join(dir, 'checkpoints', 'latest.json'), 'utf8')) as Checkpoint;
      expect(cp.loop.step).toBe(768);
      expect(latestParams(dir).every(Number.isFinite)).toBe(true);
    } finally {
      unregister('test/CrashingCartPole-v0');
    }
  });
});
