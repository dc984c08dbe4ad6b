import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadDataset, readD4rl, readMinari, splitEpisodes, writeD4rl } from '../../src/data/index.js';
import { TempDirs } from '../helpers/run.js';
import { h5pyPython, randomDataset, runPython } from './helpers.js';

const dirs = new TempDirs('rxrl-h5py-');
afterAll(() => dirs.removeAll());

const found = h5pyPython();
if ('skip' in found) console.warn(`skipping the h5py interoperability tests: ${found.skip}`);
const python = 'python' in found ? found.python : '';

/** A D4RL-style file as D4RL's own code writes it: bool flags, float32 columns, float64 infos, string metadata. */
const D4RL_WRITER = `
import sys, h5py, numpy as np
rng = np.random.default_rng(0)
N = 1000
obs = rng.standard_normal((N, 11)).astype(np.float32)
with h5py.File(sys.argv[1], 'w') as f:
    f['observations'] = obs
    f['next_observations'] = obs + 1
    f['actions'] = rng.uniform(-1, 1, (N, 3)).astype(np.float32)
    f['rewards'] = np.arange(N, dtype=np.float32) / 7
    f['terminals'] = (np.arange(N) % 100 == 99)
    f['timeouts'] = (np.arange(N) % 250 == 249) & ~(np.arange(N) % 100 == 99)
    f['infos/qpos'] = rng.standard_normal((N, 6))
    f['infos/action_log_probs'] = rng.standard_normal(N).astype(np.float32)
    f['metadata/algorithm'] = 'SAC'
    f['metadata/policy/fc0/weight'] = np.ones((3, 3), dtype=np.float32)
`;

/** A Minari main_data.hdf5 as Minari's HDF5 storage writes it: one group per episode, T + 1 observations. */
const MINARI_WRITER = `
import sys, json, h5py, numpy as np
lengths = [5, 3, 4]
ends = [('terminations', 4), ('truncations', 2), (None, 3)]
with h5py.File(sys.argv[1], 'w', track_order=True) as f:
    f.attrs['total_steps'] = sum(lengths)
    for k, T in enumerate(lengths):
        g = f.create_group(f'episode_{k}')
        g.attrs['id'] = k
        g['observations'] = (np.arange((T + 1) * 2, dtype=np.float64).reshape(T + 1, 2) + 100 * k)
        g['actions'] = np.full((T, 1), k, dtype=np.float32)
        g['rewards'] = np.ones(T) * (k + 1)
        term = np.zeros(T, dtype=bool); trunc = np.zeros(T, dtype=bool)
        key, _ = ends[k]
        if key == 'terminations': term[-1] = True
        if key == 'truncations': trunc[-1] = True
        g['terminations'] = term
        g['truncations'] = trunc
        g['infos/success'] = np.zeros(T + 1, dtype=bool)
json.dump({'dataset_id': 'mujoco/test/mini-v0', 'env_spec': json.dumps({'id': 'Hopper-v5'}), 'ref_min_score': -10.0, 'ref_max_score': 90.0}, open(sys.argv[2], 'w'))
`;

describe.skipIf(!('python' in found))('files written by Python h5py', () => {
  it('loads a D4RL-layout file with the right shapes, dtypes and values', async () => {
    const file = path.join(dirs.make(), 'hopper-test.hdf5');
    runPython(python, D4RL_WRITER, [file]);
    const ds = await loadDataset(file);
    expect(ds.size).toBe(1000);
    expect(ds.observationShape).toEqual([11]);
    expect(ds.actionDim).toBe(3);
    expect(ds.discrete).toBe(false);
    expect(ds.metadata).toEqual({ source: 'd4rl' });
    expect(ds.rewards[700]).toBe(Math.fround(700 / 7));
    expect(ds.nextObservations[5]).toBe(Math.fround((ds.observations[5] as number) + 1));
    expect(ds.terminals.reduce((a, b) => a + b, 0)).toBe(10);
    expect(ds.terminals[99]).toBe(1);
    expect(ds.timeouts[249]).toBe(1);
    expect(ds.timeouts[499]).toBe(0); // terminal rows are not also timeouts in this file
    expect(ds.infos['qpos']?.shape).toEqual([1000, 6]);
    expect(ds.infos['qpos']?.data).toBeInstanceOf(Float64Array);
    expect(ds.infos['action_log_probs']?.shape).toEqual([1000]);
    // Numbers checked against h5py's own reading.
    const expected = JSON.parse(runPython(python, `import sys, h5py, json; f = h5py.File(sys.argv[1]); print(json.dumps([float(f['observations'][3, 4]), float(f['actions'][999, 2]), float(f['infos/qpos'][10, 5])]))`, [file])) as number[];
    expect([ds.observations[3 * 11 + 4], ds.actions[999 * 3 + 2], ds.infos['qpos']?.data[10 * 6 + 5]]).toEqual(expected);
    const episodes = splitEpisodes(ds, { detectUnflaggedCuts: false });
    expect(episodes.count).toBe(12); // 10 terminals (the last row is one) and timeouts at 249 and 749 (499 and 999 are terminals)
  });

  it('writes files that h5py reads with the D4RL dtypes', async () => {
    const file = path.join(dirs.make(), 'rxrl.h5');
    const ds = randomDataset(4);
    await writeD4rl(file, ds);
    const out = JSON.parse(
      runPython(python, `import sys, h5py, json; f = h5py.File(sys.argv[1]); print(json.dumps({k: [str(f[k].dtype), list(f[k].shape)] for k in ['observations','actions','rewards','terminals','timeouts','next_observations']} | {'meta': f.attrs['rxrl_metadata'], 'sum': float(f['rewards'][()].sum())}))`, [file]),
    ) as Record<string, unknown>;
    expect(out['observations']).toEqual(['float32', [ds.size, 4]]);
    expect(out['terminals']).toEqual(['uint8', [ds.size]]);
    expect(JSON.parse(out['meta'] as string)).toEqual(ds.metadata);
    expect(out['sum']).toBeCloseTo(ds.rewards.reduce((a, b) => a + b, 0), 4);
  });

  it('loads a Minari dataset: episodes flattened into the D4RL layout, env id and reference scores from metadata.json', async () => {
    const root = dirs.make();
    const data = path.join(root, 'data');
    mkdirSync(data);
    runPython(python, MINARI_WRITER, [path.join(data, 'main_data.hdf5'), path.join(data, 'metadata.json')]);
    for (const ds of [await loadDataset(root), await readMinari(path.join(data, 'main_data.hdf5'))]) {
      expect(ds.size).toBe(12);
      expect(ds.observationShape).toEqual([2]);
      expect(ds.metadata).toMatchObject({ source: 'minari', envId: 'gymnasium:Hopper-v5', refMinScore: -10, refMaxScore: 90, minariDatasetId: 'mujoco/test/mini-v0' });
      // Episode 1 (3 steps) starts at row 5: obs rows 0..2 of its group, next = rows 1..3.
      expect(Array.from(ds.observations.subarray(5 * 2, 6 * 2))).toEqual([100, 101]);
      expect(Array.from(ds.nextObservations.subarray(7 * 2, 8 * 2))).toEqual([106, 107]);
      expect(Array.from(ds.terminals)).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
      // Episode 2 ends without a flag in the file: it becomes a cut.
      expect(Array.from(ds.timeouts)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
      const episodes = splitEpisodes(ds);
      expect(Array.from(episodes.lengths)).toEqual([5, 3, 4]);
      expect(Array.from(episodes.returns)).toEqual([5, 6, 12]);
    }
  });

  it('reads bool flags written by h5py and rejects a bool array that is not a flag column', async () => {
    const file = path.join(dirs.make(), 'bad.h5');
    runPython(python, `import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'w') as f:
    f['observations'] = np.zeros((4, 2), np.float32); f['next_observations'] = np.zeros((4, 2), np.float32)
    f['actions'] = np.zeros((4, 1), bool); f['rewards'] = np.zeros(4); f['terminals'] = np.zeros(4, bool)`, [file]);
    await expect(readD4rl(file)).rejects.toThrow(/"actions" has dtype bool/);
  });
});

