import { afterAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createDataset, datasetDigest, readD4rl, writeD4rl, type OfflineDataset } from '../../src/data/index.js';
import { TempDirs } from '../helpers/run.js';
import { randomDataset } from './helpers.js';

const dirs = new TempDirs('rxrl-digest-');
afterAll(() => dirs.removeAll());

const withInfos = (ds: OfflineDataset): OfflineDataset => ({
  ...ds,
  infos: { qpos: { data: Float64Array.from({ length: ds.size * 2 }, (_, i) => i / 3), shape: [ds.size, 2] }, goal: { data: Int32Array.from({ length: ds.size }, (_, i) => i), shape: [ds.size] } },
});

describe('datasetDigest', () => {
  it('is the same for the rows read back from HDF5 files written at different times, whatever the metadata', async () => {
    const ds = withInfos(randomDataset(3, 6, 5, 2));
    const dir = dirs.make();
    await writeD4rl(path.join(dir, 'a.h5'), ds);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // HDF5's object times have a resolution of one second
    await writeD4rl(path.join(dir, 'b.h5'), { ...ds, metadata: { ...ds.metadata, policy: 'elsewhere/run' } });
    const digest = datasetDigest(ds);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(datasetDigest(await readD4rl(path.join(dir, 'a.h5')))).toBe(digest);
    expect(datasetDigest(await readD4rl(path.join(dir, 'b.h5')))).toBe(digest);
  });

  it('changes with one bit of any column, with an infos column added, and with the same bytes in another shape', () => {
    const ds = withInfos(randomDataset(4, 4, 6, 2));
    const digest = datasetDigest(ds);
    const flipped = (pick: (d: OfflineDataset) => Float32Array | Uint8Array | Float64Array): string => {
      const copy: OfflineDataset = {
        ...ds,
        observations: ds.observations.slice(),
        rewards: ds.rewards.slice(),
        terminals: ds.terminals.slice(),
        infos: { ...ds.infos, qpos: { data: (ds.infos['qpos']?.data as Float64Array).slice(), shape: [ds.size, 2] } },
      };
      const column = pick(copy);
      const bytes = new Uint8Array(column.buffer, column.byteOffset, column.byteLength);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
      return datasetDigest(copy);
    };
    expect(flipped((d) => d.observations)).not.toBe(digest);
    expect(flipped((d) => d.rewards)).not.toBe(digest);
    expect(flipped((d) => d.terminals)).not.toBe(digest);
    expect(flipped((d) => d.infos['qpos']?.data as Float64Array)).not.toBe(digest);
    expect(datasetDigest({ ...ds, infos: { ...ds.infos, extra: { data: new Uint8Array(ds.size), shape: [ds.size] } } })).not.toBe(digest);
    // 6-entry observations seen as [2, 3]: the same bytes, another dataset.
    expect(datasetDigest({ ...ds, observationShape: [2, 3] })).not.toBe(digest);
  });

  // The expected value was computed apart from this code, with Python's hashlib over the layout the TSDoc describes.
  it('keeps its value for a fixed dataset (benchmark records store digests; a change of layout must be deliberate)', () => {
    const ds = createDataset({
      observations: [0, 1, 2, 3],
      nextObservations: [1, 2, 3, 4],
      actions: [0.5, -0.5],
      rewards: [1, 2],
      terminals: [0, 1],
      timeouts: [0, 0],
      observationShape: [2],
    });
    expect(datasetDigest(ds)).toBe('d9afe8ed5502fb5a97da4e3aaab15e50e340050e15ebcb3e302a5faba3a6fa25');
  });
});
