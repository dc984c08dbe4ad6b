import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createDataset, loadDataset, readD4rl, writeD4rl, type OfflineDataset } from '../../src/data/index.js';
import { TempDirs } from '../helpers/run.js';
import { bytes, randomDataset } from './helpers.js';

const dirs = new TempDirs('rxrl-data-');
afterAll(() => dirs.removeAll());

function expectIdentical(a: OfflineDataset, b: OfflineDataset): void {
  expect(b.size).toBe(a.size);
  expect(b.observationShape).toEqual(a.observationShape);
  expect(b.actionDim).toBe(a.actionDim);
  expect(b.discrete).toBe(a.discrete);
  for (const key of ['observations', 'actions', 'rewards', 'nextObservations', 'terminals', 'timeouts'] as const) {
    expect(b[key].constructor).toBe(a[key].constructor);
    expect(bytes(b[key]).equals(bytes(a[key])), key).toBe(true);
  }
  expect(Object.keys(b.infos).sort()).toEqual(Object.keys(a.infos).sort());
  for (const [key, column] of Object.entries(a.infos)) {
    const other = b.infos[key];
    expect(other?.data.constructor, key).toBe(column.data.constructor);
    expect(other?.shape, key).toEqual(column.shape);
    expect(bytes(other!.data).equals(bytes(column.data)), key).toBe(true);
  }
  expect(b.metadata).toEqual(a.metadata);
}

describe('D4RL-layout HDF5 round trip', () => {
  it('reads back bit-identically what it writes, infos of every dtype and the metadata included', async () => {
    const base = randomDataset(1, 6, 5, 3);
    // Values whose bits a decimal or float64 detour would change.
    base.observations[0] = NaN;
    base.observations[1] = -0;
    base.rewards[2] = 1e-40; // float32 subnormal
    base.actions[0] = Math.fround(1 / 3);
    const n = base.size;
    const ds: OfflineDataset = {
      ...base,
      infos: {
        qpos: { data: Float64Array.from({ length: n * 2 }, (_, i) => Math.PI * i), shape: [n, 2] },
        goal: { data: Int32Array.from({ length: n }, (_, i) => -i), shape: [n] },
        'nested/step': { data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 10_000_000_000n), shape: [n] },
        flag: { data: Int8Array.from({ length: n }, (_, i) => (i % 3) - 1), shape: [n] },
      },
    };
    const file = path.join(dirs.make(), 'ds.h5');
    await writeD4rl(file, ds);
    expectIdentical(ds, await readD4rl(file));
    expectIdentical(ds, await loadDataset(file));
  });

  it('round-trips discrete actions, image-shaped observations, gzip compression and an empty dataset', async () => {
    const dir = dirs.make();
    const n = 7;
    const discrete = createDataset({
      observations: Float32Array.from({ length: n * 12 }, (_, i) => i / 7),
      nextObservations: Float32Array.from({ length: n * 12 }, (_, i) => i / 5),
      actions: Int32Array.from({ length: n }, (_, i) => i % 3),
      rewards: new Float32Array(n).fill(1),
      terminals: Uint8Array.from({ length: n }, (_, i) => (i === n - 1 ? 1 : 0)),
      observationShape: [2, 3, 2],
    });
    expect(discrete.discrete).toBe(true);
    await writeD4rl(path.join(dir, 'd.h5'), discrete, { compression: 4 });
    expectIdentical(discrete, await readD4rl(path.join(dir, 'd.h5')));

    const empty = createDataset({ observations: new Float32Array(0), nextObservations: new Float32Array(0), actions: new Float32Array(0), rewards: new Float32Array(0), terminals: new Uint8Array(0), observationShape: [3] });
    await writeD4rl(path.join(dir, 'e.h5'), empty);
    const back = await readD4rl(path.join(dir, 'e.h5'));
    expect(back.size).toBe(0);
    expect(back.observationShape).toEqual([3]);
  });

  it('overwrites an existing file and leaves no temporary file behind', async () => {
    const dir = dirs.make();
    const file = path.join(dir, 'x.h5');
    await writeD4rl(file, randomDataset(2));
    const second = randomDataset(3);
    await writeD4rl(file, second);
    expectIdentical(second, await readD4rl(file));
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir)).toEqual(['x.h5']);
  });
});
