/**
 * Reading Minari's HDF5 layout (`<dataset>/data/main_data.hdf5`): one group per episode,
 *
 * ```
 * episode_<k>/observations   [T + 1, …]   (a group of such datasets for Dict/Tuple spaces)
 * episode_<k>/actions        [T, …]
 * episode_<k>/rewards        [T]
 * episode_<k>/terminations   [T] bool
 * episode_<k>/truncations    [T] bool
 * ```
 *
 * into the D4RL layout: row t of an episode is `(obs[t], action[t], reward[t], obs[t + 1])`.
 * Dict/Tuple observations are flattened by concatenating their leaves in key order (`_index_<i>`
 * in index order). Infos are not read. An episode whose last step is neither terminated nor
 * truncated (collection stopped) gets `timeouts` set on its last row, so it stays a separate
 * episode. The dataset's `metadata.json` beside the file (or the file's attributes) provides the
 * env id and, when present, the reference scores.
 *
 * @module
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { asFlags, checkRows, checkScalarColumn } from './columns.js';
import { DatasetError, formatShape, type DatasetMetadata, type MetadataValue, type OfflineDataset } from './dataset.js';
import { isDataset, isGroup, listKeys, openForReading, readAttribute, readNumeric, type H5File, type H5Group } from './hdf5.js';

const EPISODE = /^episode_(\d+)$/;

/** Where Minari keeps the HDF5 file inside a dataset folder. */
function resolveMinariFile(p: string): string {
  if (!existsSync(p)) throw new DatasetError(`no file or folder at ${p}`);
  if (!statSync(p).isDirectory()) return p;
  for (const candidate of [path.join(p, 'data', 'main_data.hdf5'), path.join(p, 'main_data.hdf5')]) if (existsSync(candidate)) return candidate;
  throw new DatasetError(`${p} is a folder without data/main_data.hdf5 or main_data.hdf5; pass a Minari dataset folder or its main_data.hdf5`);
}

/** The episode groups of a Minari file, in episode order. */
export function minariEpisodeNames(f: H5File): string[] {
  return f
    .keys()
    .filter((k) => EPISODE.test(k))
    .sort((a, b) => Number(EPISODE.exec(a)?.[1]) - Number(EPISODE.exec(b)?.[1]));
}

/** The datasets under an observation/action entry: itself, or a group's leaves in key order. */
function leafPaths(f: H5File, key: string, where: string): string[] {
  const entity = f.get(key);
  if (entity === null) throw new DatasetError(`${where}: missing key "${key}" (keys present: ${listKeys(f, key.slice(0, key.lastIndexOf('/')))})`);
  if (isDataset(entity)) return [key];
  if (!isGroup(entity)) throw new DatasetError(`${where}: "${key}" is neither a dataset nor a group`);
  const names = sortedKeys(entity);
  if (names.length === 0) throw new DatasetError(`${where}: "${key}" is an empty group`);
  return names.flatMap((n) => leafPaths(f, `${key}/${n}`, where));
}

function sortedKeys(group: H5Group): string[] {
  const keys = group.keys();
  const index = /^_index_(\d+)$/;
  if (keys.every((k) => index.test(k))) return keys.sort((a, b) => Number(index.exec(a)?.[1]) - Number(index.exec(b)?.[1]));
  return keys.sort();
}

interface EpisodeLayout {
  readonly name: string;
  readonly steps: number;
}

function shapeOf(f: H5File, key: string): readonly number[] {
  const entity = f.get(key);
  return isDataset(entity) ? (entity.shape ?? []) : [];
}

/** Width of a row of the leaves at `paths` (each `[rows, …]`), checking their row counts. */
function rowWidth(f: H5File, paths: readonly string[], rows: number, rowsFrom: string, where: string): number {
  let width = 0;
  for (const p of paths) {
    const shape = shapeOf(f, p);
    if (shape[0] !== rows) throw new DatasetError(`${where}: "${p}" has shape ${formatShape(shape)}, expected ${rows} rows (${rowsFrom})`);
    width += shape.slice(1).reduce((a, b) => a * b, 1);
  }
  return width;
}

/**
 * Reads a Minari dataset (its folder, or its `main_data.hdf5`) into the D4RL layout. Throws
 * {@link DatasetError} naming the episode, the key and the shapes when an episode is malformed.
 */
export async function readMinari(p: string): Promise<OfflineDataset> {
  const file = resolveMinariFile(p);
  const f = await openForReading(file);
  try {
    return readOpenMinari(f, file);
  } finally {
    f.close();
  }
}

function readOpenMinari(f: H5File, file: string): OfflineDataset {
  const names = minariEpisodeNames(f);
  if (names.length === 0) throw new DatasetError(`${file}: no episode_<k> groups, so not a Minari file (keys present: ${listKeys(f)})`);
  const first = names[0] as string;
  // First pass: shapes only, so the output is allocated once.
  const episodes: EpisodeLayout[] = [];
  let obsWidth = -1;
  let actWidth = -1;
  let obsShape: readonly number[] = [];
  let discrete = false;
  for (const name of names) {
    for (const key of ['rewards', 'terminations', 'truncations', 'observations', 'actions']) {
      if (f.get(`${name}/${key}`) === null) throw new DatasetError(`${file}: missing key "${name}/${key}"; a Minari episode needs observations, actions, rewards, terminations, truncations (keys present: ${listKeys(f, name)})`);
    }
    const rewardShape = shapeOf(f, `${name}/rewards`);
    const steps = rewardShape[0] ?? 0;
    const rowsFrom = `${name}/rewards has shape ${formatShape(rewardShape)}`;
    const obsLeaves = leafPaths(f, `${name}/observations`, file);
    const ow = rowWidth(f, obsLeaves, steps + 1, `${rowsFrom}, and Minari stores one more observation than steps`, file);
    const actLeaves = leafPaths(f, `${name}/actions`, file);
    const aw = rowWidth(f, actLeaves, steps, rowsFrom, file);
    if (obsWidth === -1) {
      obsWidth = ow;
      actWidth = aw;
      obsShape = obsLeaves.length === 1 ? shapeOf(f, obsLeaves[0] as string).slice(1) : [ow];
      if (obsShape.length === 0) obsShape = [1];
      const actMeta = f.get(actLeaves[0] as string);
      discrete = actLeaves.length === 1 && isDataset(actMeta) && actMeta.metadata.type === 0 && aw === 1;
    } else if (ow !== obsWidth || aw !== actWidth) {
      throw new DatasetError(`${file}: "${name}" has ${ow} observation and ${aw} action entries per row, but "${first}" has ${obsWidth} and ${actWidth}`);
    }
    episodes.push({ name, steps });
  }
  const size = episodes.reduce((n, e) => n + e.steps, 0);
  const observations = new Float32Array(size * obsWidth);
  const nextObservations = new Float32Array(size * obsWidth);
  const actions = discrete ? new Int32Array(size) : new Float32Array(size * actWidth);
  const rewards = new Float32Array(size);
  const terminals = new Uint8Array(size);
  const timeouts = new Uint8Array(size);
  let row = 0;
  for (const { name, steps } of episodes) {
    const rowsFrom = `${name}/rewards has ${steps} rows`;
    let offset = 0;
    for (const leaf of leafPaths(f, `${name}/observations`, file)) {
      const col = readNumeric(f, leaf, file);
      const w = col.shape.slice(1).reduce((a, b) => a * b, 1);
      for (let t = 0; t < steps; t++) {
        for (let j = 0; j < w; j++) {
          observations[(row + t) * obsWidth + offset + j] = Number(col.data[t * w + j]);
          nextObservations[(row + t) * obsWidth + offset + j] = Number(col.data[(t + 1) * w + j]);
        }
      }
      offset += w;
    }
    offset = 0;
    for (const leaf of leafPaths(f, `${name}/actions`, file)) {
      const col = readNumeric(f, leaf, file);
      if (col.kind === 'bool' && !discrete) throw new DatasetError(`${file}: "${leaf}" has dtype bool, expected numbers`);
      const w = col.shape.slice(1).reduce((a, b) => a * b, 1);
      for (let t = 0; t < steps; t++) for (let j = 0; j < w; j++) actions[(row + t) * actWidth + offset + j] = Number(col.data[t * w + j]);
      offset += w;
    }
    const rew = readNumeric(f, `${name}/rewards`, file);
    checkScalarColumn(rew, `${name}/rewards`, steps, rowsFrom, file);
    for (let t = 0; t < steps; t++) rewards[row + t] = Number(rew.data[t]);
    for (const [key, out] of [
      ['terminations', terminals],
      ['truncations', timeouts],
    ] as const) {
      const col = readNumeric(f, `${name}/${key}`, file);
      checkRows(col, `${name}/${key}`, steps, rowsFrom, file);
      checkScalarColumn(col, `${name}/${key}`, steps, rowsFrom, file);
      out.set(asFlags(col, `${name}/${key}`, file), row);
    }
    // An episode the collector stopped mid-way is cut here (bootstrapping from its last observation is right).
    if (steps > 0 && terminals[row + steps - 1] === 0) timeouts[row + steps - 1] = 1;
    row += steps;
  }
  return {
    size,
    observationShape: obsShape,
    observationDim: obsWidth,
    actionDim: actWidth,
    discrete,
    observations,
    actions,
    rewards,
    nextObservations,
    terminals,
    timeouts,
    infos: {},
    metadata: minariMetadata(f, file),
  };
}

/** Env id and reference scores from Minari's `metadata.json` beside the file, or the file's root attributes. */
function minariMetadata(f: H5File, file: string): DatasetMetadata {
  const raw: Record<string, unknown> = {};
  for (const key of ['dataset_id', 'env_spec', 'ref_min_score', 'ref_max_score', 'total_steps', 'total_episodes']) {
    const v = readAttribute(f, key);
    if (v !== undefined) raw[key] = v;
  }
  const json = path.join(path.dirname(file), 'metadata.json');
  if (existsSync(json)) {
    try {
      Object.assign(raw, JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>);
    } catch {
      // A broken metadata.json only loses the env id and reference scores.
    }
  }
  const out: Record<string, MetadataValue> = { source: 'minari' };
  if (typeof raw['dataset_id'] === 'string') out['minariDatasetId'] = raw['dataset_id'];
  const spec = raw['env_spec'];
  const specId = typeof spec === 'string' ? safeId(spec) : typeof spec === 'object' && spec !== null ? (spec as { id?: unknown }).id : undefined;
  // Minari's env ids are Gymnasium's: rxrl reaches them through the bridge.
  if (typeof specId === 'string') out['envId'] = `gymnasium:${specId}`;
  if (typeof raw['ref_min_score'] === 'number') out['refMinScore'] = raw['ref_min_score'];
  if (typeof raw['ref_max_score'] === 'number') out['refMaxScore'] = raw['ref_max_score'];
  return out;
}

function safeId(specJson: string): unknown {
  try {
    return (JSON.parse(specJson) as { id?: unknown }).id;
  } catch {
    return undefined;
  }
}
