/**
 * One entry point for reading datasets whatever wrote them: the layout is recognised from the
 * file's keys.
 *
 * @module
 */

import { existsSync, statSync } from 'node:fs';
import { readD4rl, type ReadD4rlOptions } from './d4rl-format.js';
import type { OfflineDataset } from './dataset.js';
import { openForReading } from './hdf5.js';
import { minariEpisodeNames, readMinari } from './minari-format.js';

/** The on-disk layouts rxrl reads. */
export type DatasetLayout = 'd4rl' | 'minari';

/** Which layout `file` holds: Minari when it is a folder or has `episode_<k>` groups and no `observations`, else D4RL. */
export async function detectLayout(file: string): Promise<DatasetLayout> {
  if (existsSync(file) && statSync(file).isDirectory()) return 'minari';
  const f = await openForReading(file);
  try {
    return f.get('observations') === null && minariEpisodeNames(f).length > 0 ? 'minari' : 'd4rl';
  } finally {
    f.close();
  }
}

/**
 * Reads a dataset file: D4RL layout (rxrl's own files, D4RL's h5py files) or Minari's
 * per-episode layout (a dataset folder or its `main_data.hdf5`).
 *
 * @example
 * const ds = await loadDataset('hopper-medium-v2.hdf5');
 * const { returns } = splitEpisodes(ds);
 */
export async function loadDataset(file: string, options: ReadD4rlOptions = {}): Promise<OfflineDataset> {
  return (await detectLayout(file)) === 'minari' ? readMinari(file) : readD4rl(file, options);
}
