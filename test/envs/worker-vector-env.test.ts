import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvStateError, InvalidActionError } from '../../src/core/errors.js';
import { make } from '../../src/envs/index.js';
import { SyncVectorEnv } from '../../src/envs/vector/sync-vector-env.js';
import type { VectorResetResult, VectorStepResult } from '../../src/envs/vector/vector-env.js';
import { WorkerEnvError, WorkerVectorEnv } from '../../src/envs/vector/worker-vector-env.js';
import makeCounter, { CounterEnv, type CounterArgs } from '../fixtures/counter-env.js';

const COUNTER = new URL('../fixtures/counter-env.ts', import.meta.url);

function snapshot(r: VectorStepResult) {
  const done = Array.from(r.terminated, (t, i) => t === 1 || r.truncated[i] === 1);
  const obsSize = r.observations.length / r.rewards.length;
  return {
    observations: Array.from(r.observations),
    rewards: Array.from(r.rewards),
    terminated: Array.from(r.terminated),
    truncated: Array.from(r.truncated),
    // Rows of finished copies only: the others are stale by contract.
    finalObservations: done.map((d, i) => (d ? Array.from(r.finalObservations.subarray(i * obsSize, (i + 1) * obsSize)) : null)),
    finalInfos: [...r.finalInfos],
    infos: [...r.infos],
  };
}

/** Steps a WorkerVectorEnv and a SyncVectorEnv of the same env side by side and compares everything. */
async function compareWithSync(venv: WorkerVectorEnv, args: CounterArgs, steps: number): Promise<{ terminated: number; truncated: number }> {
  const sync = new SyncVectorEnv(Array.from({ length: venv.numEnvs }, () => makeCounter(args)));
  const counts = { terminated: 0, truncated: 0 };
  for (const seed of [7, 'again']) {
    const a = await venv.reset({ seed });
    const b = await sync.reset({ seed });
    expect(Array.from(a.observations)).toEqual(Array.from(b.observations));
    expect(a.infos).toEqual(b.infos);
    const actions = new Int32Array(venv.numEnvs);
    for (let t = 0; t < steps; t++) {
      for (let i = 0; i < actions.length; i++) actions[i] = (t * 7 + i * 3) % 3;
      const x = snapshot(await venv.step(actions));
      const y = snapshot(await sync.step(actions));
      expect(x).toEqual(y);
      counts.terminated += x.terminated.reduce((s, v) => s + v, 0);
      counts.truncated += x.truncated.reduce((s, v) => s + v, 0);
    }
  }
  await sync.close();
  return counts;
}

describe('WorkerVectorEnv', () => {
  let venv: WorkerVectorEnv;

  beforeAll(async () => {
    venv = await WorkerVectorEnv.create({ numEnvs: 5, workers: 2, env: { module: COUNTER.href } });
  });

  afterAll(async () => {
    await venv.close();
  });

  it('knows the spaces and the shape of the batch', () => {
    expect(venv.numWorkers).toBe(2);
    expect(venv.liveWorkers).toBe(2);
    expect(venv.singleObservationSpace.toJSON()).toEqual(new CounterEnv().observationSpace.toJSON());
    expect(venv.singleActionSpace.toJSON()).toEqual({ type: 'Discrete', n: 3, start: 0 });
    expect(venv.observationSize).toBe(3);
    expect(venv.actionSize).toBe(1);
    expect(venv.spec?.id).toBe('test/Counter-v0');
  });

  it('rejects step() before reset()', async () => {
    await expect(venv.step(new Int32Array(5))).rejects.toThrow(EnvStateError);
    await expect(venv.step(new Int32Array(5))).rejects.toThrow(/call reset\(\) first/);
  });

  it('produces the same arrays as a SyncVectorEnv for the same seeds and actions, across autoresets', async () => {
    const counts = await compareWithSync(venv, {}, 14);
    // Episodes last 2–5 steps, so every copy autoreset several times, both ways.
    expect(counts.terminated).toBeGreaterThan(5);
    expect(counts.truncated).toBeGreaterThan(5);
  });

  it('reports the last observation and info of finished episodes, and the new episode in observations', async () => {
    await venv.reset({ seed: 3 });
    const actions = new Int32Array(5).fill(1);
    let checked = 0;
    for (let t = 0; t < 6; t++) {
      const r = await venv.step(actions);
      for (let i = 0; i < 5; i++) {
        const row = (a: Float32Array) => Array.from(a.subarray(i * 3, i * 3 + 3));
        if (r.terminated[i] === 1 || r.truncated[i] === 1) {
          const info = r.finalInfos[i] as { episodeSteps: number; counter: number };
          expect(row(r.finalObservations)[2]).toBe(info.episodeSteps); // the finished episode's step count
          expect(row(r.finalObservations)[0]).toBe(info.counter);
          expect(r.terminated[i] === 1).toBe(info.counter % 2 === 0);
          expect(row(r.observations)[2]).toBe(0); // already reset
          expect(r.infos[i]).toHaveProperty('length'); // the reset's info
          checked++;
        } else {
          expect(r.finalInfos[i]).toBeUndefined();
          expect(r.infos[i]).toEqual({});
        }
      }
    }
    expect(checked).toBeGreaterThan(3);
  });

  it('rejects badly typed or sized action arrays with a clear error', async () => {
    await venv.reset({ seed: 1 });
    await expect(venv.step(new Float32Array(5))).rejects.toThrow(InvalidActionError);
    await expect(venv.step(new Float32Array(5))).rejects.toThrow(/expected an Int32Array of 5×1 actions, got Float32Array/);
    await expect(venv.step(new Int32Array(4))).rejects.toThrow(/expected 5×1 = 5 action entries, got 4/);
    await expect(venv.step([0, 1, 2, 0, 1] as unknown as Int32Array)).rejects.toThrow(InvalidActionError);
    // The env is still usable.
    const r = await venv.step(new Int32Array(5));
    expect(r.rewards).toHaveLength(5);
  });

  it('refuses overlapping calls', async () => {
    await venv.reset({ seed: 1 });
    const first = venv.step(new Int32Array(5));
    await expect(venv.step(new Int32Array(5))).rejects.toThrow(/still running/);
    await first;
  });

  it('close() terminates every worker thread (their exit events fired) and refuses later calls', async () => {
    await venv.reset({ seed: 0 });
    const threads = venv.liveWorkers;
    expect(threads).toBe(2);
    await venv.close();
    expect(venv.liveWorkers).toBe(0);
    await venv.close(); // idempotent
    await expect(venv.step(new Int32Array(5))).rejects.toThrow(/called after close\(\)/);
    await expect(venv.reset()).rejects.toThrow(EnvStateError);
  });
});

describe('WorkerVectorEnv with per-copy seeds', () => {
  it('passes them to the copies of every worker', async () => {
    const seeds = ['x', 'y', 'x', 'z'];
    const workers = await WorkerVectorEnv.create({ numEnvs: 4, workers: 2, env: { id: 'rxrl/SeqTask-v0' } });
    const native = make('rxrl/SeqTask-v0', { numEnvs: 4 });
    expect(Array.from((await workers.reset({ seeds })).observations)).toEqual(Array.from((native.reset({ seeds }) as VectorResetResult).observations));
    await expect(workers.reset({ seeds: ['x'] })).rejects.toThrow(/1 seeds for 4 copies/);
    await workers.close();
  });
});

describe('WorkerVectorEnv with a class export and an asynchronous env', () => {
  it('matches SyncVectorEnv too', async () => {
    const args: CounterArgs = { async: true };
    const venv = await WorkerVectorEnv.create({ numEnvs: 3, workers: 1, env: { module: COUNTER, exportName: 'CounterEnv', args } });
    try {
      await compareWithSync(venv, args, 8);
    } finally {
      await venv.close();
    }
  });
});

describe('WorkerVectorEnv of a registered id', () => {
  it('builds the copies with make(id, kwargs) in the workers and matches make(id, { numEnvs, vectorization: "sync" })', async () => {
    const venv = await WorkerVectorEnv.create({ numEnvs: 3, workers: 1, env: { id: 'CartPole-v1', kwargs: { maxEpisodeSteps: 20 } } });
    const sync = make('CartPole-v1', { numEnvs: 3, vectorization: 'sync', maxEpisodeSteps: 20 });
    try {
      expect(venv.spec).toEqual(sync.spec);
      const a = await venv.reset({ seed: 11 });
      const b = await sync.reset({ seed: 11 });
      expect(Array.from(a.observations)).toEqual(Array.from(b.observations));
      let finished = 0;
      for (let t = 0; t < 30; t++) {
        const actions = Int32Array.from({ length: 3 }, (_, i) => (t + i) % 2);
        const x = snapshot(await venv.step(actions));
        expect(x).toEqual(snapshot(await sync.step(actions)));
        finished += x.truncated.reduce((s, v) => s + v, 0) + x.terminated.reduce((s, v) => s + v, 0);
      }
      expect(finished).toBeGreaterThan(0);
    } finally {
      await venv.close();
      await sync.close();
    }
  });
});

describe('WorkerVectorEnv failures', () => {
  it('rejects a step with an error naming the copy, the original message and its stack; reset() recovers', async () => {
    const venv = await WorkerVectorEnv.create({ numEnvs: 4, workers: 2, env: { module: COUNTER.href, args: { throwAtStep: 2, throwForSeed: '7/3' } } });
    try {
      await venv.reset({ seed: 7 });
      await venv.step(new Int32Array(4).fill(1));
      const error = await venv.step(new Int32Array(4).fill(1)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WorkerEnvError);
      const e = error as WorkerEnvError;
      expect(e.copyIndex).toBe(3);
      expect(e.workerIndex).toBe(1);
      expect(e.message).toMatch(/copy 3 threw in step\(\) during step\(\): RangeError: counter exploded at step 2/);
      expect(e.message).toMatch(/Worker stack:\n.*RangeError: counter exploded/);
      expect(e.message).toContain('counter-env.ts');
      // The batch is inconsistent after a failure: step() wants a reset first.
      await expect(venv.step(new Int32Array(4))).rejects.toThrow(/call reset\(\) first/);
      await venv.reset({ seed: 8 });
      expect((await venv.step(new Int32Array(4))).rewards).toHaveLength(4);
    } finally {
      await venv.close();
    }
    expect(venv.liveWorkers).toBe(0);
  });

  it('rejects pending and later calls when a worker dies', async () => {
    const venv = await WorkerVectorEnv.create({ numEnvs: 2, workers: 2, env: { module: COUNTER.href, args: { exitAtStep: 1, throwForSeed: '1/0' } } });
    try {
      await venv.reset({ seed: 1 });
      await expect(venv.step(new Int32Array(2))).rejects.toThrow(/worker 0 \(copy 0\) exited unexpectedly with code 3/);
      expect(venv.liveWorkers).toBe(1);
      await expect(venv.reset()).rejects.toThrow(/after a worker died/);
    } finally {
      await venv.close();
    }
    expect(venv.liveWorkers).toBe(0);
  });

  it('rejects creation when the export is not a factory, naming what the module exports', async () => {
    await expect(WorkerVectorEnv.create({ numEnvs: 1, env: { module: COUNTER.href, exportName: 'nope' } })).rejects.toThrow(/export "nope" .* is missing.*exports: CounterEnv, default/);
    await expect(WorkerVectorEnv.create({ numEnvs: 0, env: { module: COUNTER.href } })).rejects.toThrow(/numEnvs must be a positive integer/);
  });
});
