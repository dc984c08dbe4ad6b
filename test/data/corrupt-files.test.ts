import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createDataset, DatasetError, loadDataset, readD4rl, readMinari } from '../../src/data/index.js';
import { openForWriting, writeArray } from '../../src/data/hdf5.js';
import type { NumericArray } from '../../src/data/dataset.js';
import { TempDirs } from '../helpers/run.js';

const dirs = new TempDirs('rxrl-corrupt-');
afterAll(() => dirs.removeAll());

type Columns = Record<string, [NumericArray, number[]] | string>;

/** A D4RL-layout file of 4 rows with `changes` applied (a column replaced, or removed with `null`). */
async function d4rlFile(changes: Record<string, [NumericArray, number[]] | string | null> = {}): Promise<string> {
  const columns: Columns = {
    observations: [new Float32Array(8), [4, 2]],
    next_observations: [new Float32Array(8), [4, 2]],
    actions: [new Float32Array(4), [4, 1]],
    rewards: [new Float32Array(4), [4]],
    terminals: [new Uint8Array(4), [4]],
    timeouts: [new Uint8Array(4), [4]],
  };
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) delete columns[k];
    else columns[k] = v;
  }
  const file = path.join(dirs.make(), 'f.h5');
  const f = await openForWriting(file);
  for (const [key, v] of Object.entries(columns)) {
    if (typeof v === 'string') f.create_dataset({ name: key, data: [v, v, v, v] });
    else writeArray(f, key, v[0], v[1]);
  }
  f.close();
  return file;
}

async function errorOf(p: Promise<unknown>): Promise<DatasetError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatasetError);
  return err as DatasetError;
}

describe('corrupt or mismatched dataset files', () => {
  it('names a missing key and lists the keys present', async () => {
    const err = await errorOf(readD4rl(await d4rlFile({ rewards: null })));
    expect(err.message).toMatch(/missing key "rewards"/);
    expect(err.message).toMatch(/Keys present: actions, next_observations, observations, terminals, timeouts/);
  });

  it('names the key and both shapes when lengths differ', async () => {
    const err = await errorOf(readD4rl(await d4rlFile({ rewards: [new Float32Array(3), [3]] })));
    expect(err.message).toMatch(/"rewards" has shape \[3\], expected \[4\] \(one value per row: observations has shape \[4, 2\]\)/);
    const actions = await errorOf(readD4rl(await d4rlFile({ actions: [new Float32Array(5), [5, 1]] })));
    expect(actions.message).toMatch(/"actions" has shape \[5, 1\], expected 4 rows/);
    const next = await errorOf(readD4rl(await d4rlFile({ next_observations: [new Float32Array(12), [4, 3]] })));
    expect(next.message).toMatch(/"next_observations" has shape \[4, 3\], but observations has \[4, 2\]/);
    const info = await errorOf(readD4rl(await d4rlFile({ 'infos/qpos': [new Float64Array(6), [3, 2]] })));
    expect(info.message).toMatch(/"infos\/qpos" has shape \[3, 2\], expected 4 rows/);
  });

  it('names the key and the dtype when a column holds no numbers, and a flag that is not 0/1', async () => {
    const err = await errorOf(readD4rl(await d4rlFile({ rewards: 'oops' })));
    expect(err.message).toMatch(/"rewards" has dtype string, expected numbers/);
    const flags = await errorOf(readD4rl(await d4rlFile({ terminals: [Uint8Array.of(0, 2, 0, 1), [4]] })));
    expect(flags.message).toMatch(/terminals\[1\] = 2, but terminals \(dtype uint8\) must hold only 0\/1/);
  });

  it('explains what to do about a file without next_observations, and derives them on request as D4RL does', async () => {
    const obs = Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
    const file = await d4rlFile({ next_observations: null, observations: [obs, [4, 2]], timeouts: [Uint8Array.of(0, 1, 0, 0), [4]] });
    const err = await errorOf(readD4rl(file));
    expect(err.message).toMatch(/missing key "next_observations".*deriveNextObservations: true.*--derive-next-observations/);
    const ds = await loadDataset(file, { deriveNextObservations: true });
    // Row 1 (a timeout: successor unknown) and row 3 (the last) are dropped.
    expect(ds.size).toBe(2);
    expect(Array.from(ds.observations)).toEqual([0, 0, 2, 2]);
    expect(Array.from(ds.nextObservations)).toEqual([1, 1, 3, 3]);
    expect(ds.metadata['derivedNextObservations']).toBe(true);
  });

  it('rejects missing files, folders without data and files that are not HDF5, without HDF5 noise', async () => {
    const dir = dirs.make();
    expect((await errorOf(loadDataset(path.join(dir, 'nope.h5')))).message).toMatch(/no file at/);
    const junk = path.join(dir, 'junk.h5');
    writeFileSync(junk, 'not an hdf5 file at all, just text that is long enough');
    expect((await errorOf(loadDataset(junk))).message).toMatch(/is not an HDF5 file/);
    writeFileSync(path.join(dir, 'empty.h5'), '');
    expect((await errorOf(loadDataset(path.join(dir, 'empty.h5')))).message).toMatch(/is not an HDF5 file/);
    expect((await errorOf(readMinari(dir))).message).toMatch(/without data\/main_data.hdf5/);
  });

  it('names the Minari episode and key with the wrong number of observations', async () => {
    const dir = dirs.make();
    mkdirSync(path.join(dir, 'data'));
    const f = await openForWriting(path.join(dir, 'data', 'main_data.hdf5'));
    writeArray(f, 'episode_0/observations', new Float32Array(6), [3, 2]); // T + 1 = 3 rows for 2 steps: right
    writeArray(f, 'episode_0/actions', new Float32Array(2), [2, 1]);
    writeArray(f, 'episode_0/rewards', new Float64Array(2), [2]);
    writeArray(f, 'episode_0/terminations', new Uint8Array(2), [2]);
    writeArray(f, 'episode_0/truncations', Uint8Array.of(0, 1), [2]);
    writeArray(f, 'episode_1/observations', new Float32Array(4), [2, 2]); // 2 rows for 2 steps: wrong
    writeArray(f, 'episode_1/actions', new Float32Array(2), [2, 1]);
    writeArray(f, 'episode_1/rewards', new Float64Array(2), [2]);
    writeArray(f, 'episode_1/terminations', new Uint8Array(2), [2]);
    writeArray(f, 'episode_1/truncations', new Uint8Array(2), [2]);
    f.close();
    const err = await errorOf(loadDataset(dir));
    expect(err.message).toMatch(/"episode_1\/observations" has shape \[2, 2\], expected 3 rows \(episode_1\/rewards has shape \[2\], and Minari stores one more observation than steps\)/);
  });

  it('checks plain arrays given to createDataset', () => {
    const base = { observations: new Float32Array(6), nextObservations: new Float32Array(6), actions: new Float32Array(3), rewards: [0, 0, 0], terminals: [0, 0, 1], observationShape: [2] };
    expect(() => createDataset({ ...base, nextObservations: new Float32Array(4) })).toThrow(/next_observations has 4 entries, expected 3 rows × \[2\] = 6/);
    expect(() => createDataset({ ...base, terminals: [0, 2, 1] })).toThrow(/terminals\[1\] is 2; flags must be 0 or 1/);
    expect(() => createDataset({ ...base, timeouts: [0, 0] })).toThrow(/timeouts has 2 entries but the dataset has 3 rows/);
    expect(() => createDataset({ ...base, actions: new Float32Array(4) })).toThrow(/actions has 4 entries, not a multiple of 3 rows/);
  });
});
