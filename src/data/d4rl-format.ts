/**
 * The D4RL HDF5 layout: one dataset per key at the root, one row per transition.
 *
 * ```
 * observations       float32 [N, …obs]     actions  float32 [N, act] (int32 [N] if Discrete)
 * next_observations  float32 [N, …obs]     rewards  float32 [N]
 * terminals          uint8   [N]           timeouts uint8   [N]
 * infos/<name>       any numeric [N, …]    (optional)
 * ```
 *
 * Reading accepts what h5py writes for D4RL: bool flags (h5wasm reads them as int8), float64
 * columns (converted to float32), `[N, 1]` rewards and flags, and other root keys
 * (`metadata/*` of the D4RL v2 files) which are ignored. Writing uses uint8 for the flags,
 * because h5wasm cannot write HDF5's bool enum; h5py and D4RL's loaders read both the same way.
 *
 * @module
 */

import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { asFlags, asFloat32, asInt32, checkRows, checkScalarColumn, parseMetadata } from './columns.js';
import { DatasetError, formatShape, type DatasetColumn, type DatasetMetadata, type OfflineDataset } from './dataset.js';
import { isDataset, isGroup, listKeys, openForReading, openForWriting, readAttribute, readNumeric, writeArray, type H5File, type H5Group, type NumericData } from './hdf5.js';

/** Root attribute holding rxrl's {@link DatasetMetadata} as JSON. */
export const METADATA_ATTRIBUTE = 'rxrl_metadata';

/** Options of {@link readD4rl} (and `loadDataset`). */
export interface ReadD4rlOptions {
  /**
   * When the file has no `next_observations` (older D4RL files), rebuild them as D4RL's
   * `qlearning_dataset` does: `next = observations[i + 1]`, dropping rows whose successor is
   * unknown (rows with `timeouts` set, and the last row). Default false: such a file is an error.
   */
  readonly deriveNextObservations?: boolean;
}

const REQUIRED = ['observations', 'actions', 'rewards', 'terminals'] as const;

/**
 * Reads a D4RL-layout HDF5 file (written by rxrl, by D4RL's h5py code, or any writer of the same
 * keys). Throws {@link DatasetError} naming the key and the shapes for a missing key, a
 * wrong dtype or a length that does not match.
 */
export async function readD4rl(file: string, options: ReadD4rlOptions = {}): Promise<OfflineDataset> {
  const f = await openForReading(file);
  try {
    return readOpenD4rl(f, file, options);
  } finally {
    f.close();
  }
}

function readOpenD4rl(f: H5File, file: string, options: ReadD4rlOptions): OfflineDataset {
  const where = file;
  for (const key of REQUIRED) {
    if (f.get(key) === null) {
      throw new DatasetError(`${where}: missing key "${key}"; a D4RL-layout file needs ${REQUIRED.join(', ')} and next_observations (timeouts optional). Keys present: ${listKeys(f)}`);
    }
  }
  const obs = readNumeric(f, 'observations', where);
  if (obs.kind === 'bool' || obs.shape.length === 0) throw new DatasetError(`${where}: "observations" has dtype ${obs.dtype} and shape ${formatShape(obs.shape)}, expected numbers with one row per transition`);
  const rows = obs.shape[0] as number;
  const rowsFrom = `observations has shape ${formatShape(obs.shape)}`;
  const observationShape = obs.shape.length === 1 ? [1] : obs.shape.slice(1);

  const act = readNumeric(f, 'actions', where);
  checkRows(act, 'actions', rows, rowsFrom, where);
  if (act.kind === 'bool') throw new DatasetError(`${where}: "actions" has dtype bool, expected float (Box) or integer (Discrete) actions`);
  const discrete = act.kind === 'int';
  if (discrete && act.shape.length > 1 && !(act.shape.length === 2 && act.shape[1] === 1)) {
    throw new DatasetError(`${where}: "actions" is an integer array of shape ${formatShape(act.shape)}; integer (Discrete) actions must have shape [${rows}] — for MultiDiscrete store float32 actions`);
  }
  const actionDim = rows === 0 ? (act.shape.slice(1).reduce((a, b) => a * b, 1) || 1) : act.data.length / rows;

  const rew = readNumeric(f, 'rewards', where);
  checkScalarColumn(rew, 'rewards', rows, rowsFrom, where);
  if (rew.kind === 'bool') throw new DatasetError(`${where}: "rewards" has dtype bool, expected numbers`);
  const term = readNumeric(f, 'terminals', where);
  checkScalarColumn(term, 'terminals', rows, rowsFrom, where);
  let timeouts: Uint8Array;
  if (f.get('timeouts') !== null) {
    const to = readNumeric(f, 'timeouts', where);
    checkScalarColumn(to, 'timeouts', rows, rowsFrom, where);
    timeouts = asFlags(to, 'timeouts', where);
  } else {
    timeouts = new Uint8Array(rows);
  }
  const infos = readInfos(f, rows, rowsFrom, where);
  const metadata = readMetadata(f, where);
  const base = {
    observationShape,
    observationDim: observationShape.reduce((a, b) => a * b, 1),
    actionDim,
    discrete,
    observations: asFloat32(obs.data),
    actions: discrete ? asInt32(act.data, 'actions', where) : asFloat32(act.data),
    rewards: asFloat32(rew.data),
    terminals: asFlags(term, 'terminals', where),
    timeouts,
  };
  if (f.get('next_observations') !== null) {
    const next = readNumeric(f, 'next_observations', where);
    if (formatShape(next.shape) !== formatShape(obs.shape)) {
      throw new DatasetError(`${where}: "next_observations" has shape ${formatShape(next.shape)}, but observations has ${formatShape(obs.shape)}; they must match`);
    }
    if (next.kind === 'bool') throw new DatasetError(`${where}: "next_observations" has dtype bool, expected numbers`);
    return { size: rows, ...base, nextObservations: asFloat32(next.data), infos, metadata };
  }
  if (options.deriveNextObservations !== true) {
    throw new DatasetError(
      `${where}: missing key "next_observations". Older D4RL files lack it: read with { deriveNextObservations: true } (CLI: --derive-next-observations) to rebuild it from the next row, dropping rows with timeouts set and the last row, as D4RL's qlearning_dataset does`,
    );
  }
  return deriveNext({ size: rows, ...base, nextObservations: new Float32Array(0), infos, metadata: { ...metadata, derivedNextObservations: true } });
}

/** Every numeric dataset under `infos/` (nested groups flattened to `a/b`); non-numeric ones are skipped. */
function readInfos(f: H5File, rows: number, rowsFrom: string, where: string): Record<string, DatasetColumn> {
  const out: Record<string, DatasetColumn> = {};
  const root = f.get('infos');
  if (!isGroup(root)) return out;
  const visit = (group: H5Group, prefix: string) => {
    for (const name of group.keys()) {
      const entity = group.get(name);
      const key = prefix === '' ? name : `${prefix}/${name}`;
      if (isGroup(entity)) visit(entity, key);
      else if (isDataset(entity)) {
        let column: NumericData;
        try {
          column = readNumeric(f, `infos/${key}`, where);
        } catch {
          continue; // strings and other non-numeric infos are not carried
        }
        checkRows(column, `infos/${key}`, rows, rowsFrom, where);
        out[key] = { data: column.data, shape: column.shape };
      }
    }
  };
  visit(root, '');
  return out;
}

function readMetadata(f: H5File, where: string): DatasetMetadata {
  const text = readAttribute(f, METADATA_ATTRIBUTE);
  if (typeof text !== 'string') return { source: 'd4rl' };
  // Returned exactly as written, so a file round-trips unchanged.
  return parseMetadata(text, where);
}

/** D4RL's qlearning_dataset: next = observations[i + 1], keeping rows whose successor is known. */
function deriveNext(ds: OfflineDataset): OfflineDataset {
  const keep: number[] = [];
  for (let i = 0; i + 1 < ds.size; i++) if (ds.timeouts[i] === 0) keep.push(i);
  const d = ds.observationDim;
  const a = ds.actionDim;
  const n = keep.length;
  const observations = new Float32Array(n * d);
  const nextObservations = new Float32Array(n * d);
  const actions = ds.discrete ? new Int32Array(n) : new Float32Array(n * a);
  const rewards = new Float32Array(n);
  const terminals = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = keep[k] as number;
    observations.set(ds.observations.subarray(i * d, (i + 1) * d), k * d);
    nextObservations.set(ds.observations.subarray((i + 1) * d, (i + 2) * d), k * d);
    actions.set(ds.actions.subarray(i * a, (i + 1) * a), k * a);
    rewards[k] = ds.rewards[i] as number;
    terminals[k] = ds.terminals[i] as number;
  }
  const infos: Record<string, DatasetColumn> = {};
  for (const [key, column] of Object.entries(ds.infos)) {
    const width = column.shape.slice(1).reduce((x, y) => x * y, 1);
    const data = new (column.data.constructor as new (len: number) => Float64Array)(n * width);
    for (let k = 0; k < n; k++) {
      const i = keep[k] as number;
      data.set((column.data as Float64Array).subarray(i * width, (i + 1) * width), k * width);
    }
    infos[key] = { data, shape: [n, ...column.shape.slice(1)] };
  }
  // Every kept row is followed by its own episode's next row, so no row is a cut any more.
  return { ...ds, size: n, observations, nextObservations, actions, rewards, terminals, timeouts: new Uint8Array(n), infos };
}

/** Options of {@link writeD4rl}. */
export interface WriteD4rlOptions {
  /** gzip level 1–9 for every key; omit for none (the fastest, and what D4RL's files use). */
  readonly compression?: number;
}

/**
 * Writes a dataset as an HDF5 file in the D4RL layout (see the module comment), readable by
 * h5py/D4RL code and by {@link readD4rl} bit-identically. The file is written under a temporary
 * name and renamed, so an interrupted write never leaves a half file at `file`.
 */
export async function writeD4rl(file: string, ds: OfflineDataset, options: WriteD4rlOptions = {}): Promise<void> {
  const target = path.resolve(file);
  const tmp = `${target}.tmp-${process.pid}`;
  const f = await openForWriting(tmp);
  const opts = options.compression !== undefined ? { compression: options.compression } : {};
  try {
    const obsShape = [ds.size, ...ds.observationShape];
    writeArray(f, 'observations', ds.observations, obsShape, opts);
    writeArray(f, 'actions', ds.actions, ds.discrete ? [ds.size] : [ds.size, ds.actionDim], opts);
    writeArray(f, 'rewards', ds.rewards, [ds.size], opts);
    writeArray(f, 'terminals', ds.terminals, [ds.size], opts);
    writeArray(f, 'timeouts', ds.timeouts, [ds.size], opts);
    writeArray(f, 'next_observations', ds.nextObservations, obsShape, opts);
    for (const [key, column] of Object.entries(ds.infos)) writeArray(f, `infos/${key}`, column.data, column.shape, opts);
    f.create_attribute(METADATA_ATTRIBUTE, JSON.stringify(ds.metadata));
  } catch (err) {
    f.close();
    rmSync(tmp, { force: true });
    throw err;
  }
  f.close();
  renameSync(tmp, target);
}
