import path from 'node:path';
import { Rng } from '../../src/core/rng.js';
import { createDataset } from '../../src/data/dataset.js';
import { writeD4rl } from '../../src/data/d4rl-format.js';

/**
 * Writes `dir/pendulum-random.h5`: 2000 rows of a seeded random walk with Pendulum-v1's shapes,
 * in episodes of 200 rows cut by timeouts (each row's next observation is the following row's
 * observation). Enough for an offline run to train and evaluate on; not a real Pendulum dataset.
 */
export async function writeRandomPendulumDataset(dir: string): Promise<string> {
  const rng = new Rng('pendulum-data');
  const rows = 2000;
  const states = Float32Array.from({ length: 3 * (rows + 1) }, () => rng.uniformRange(-1, 1));
  const ds = createDataset({
    observations: states.subarray(0, 3 * rows),
    nextObservations: states.subarray(3),
    actions: Float32Array.from({ length: rows }, () => rng.uniformRange(-2, 2)),
    rewards: Float32Array.from({ length: rows }, () => -rng.uniform() * 10),
    terminals: new Uint8Array(rows),
    timeouts: Uint8Array.from({ length: rows }, (_, i) => ((i + 1) % 200 === 0 ? 1 : 0)),
    metadata: { envId: 'Pendulum-v1', recipe: 'random' },
  });
  const file = path.join(dir, 'pendulum-random.h5');
  await writeD4rl(file, ds);
  return file;
}
