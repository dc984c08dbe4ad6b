/**
 * The offline dataset: transitions in the D4RL layout, one row per transition, in typed arrays.
 * This is what the HDF5 readers return, what the collectors build and what offline algorithms
 * sample from (through `ReplayBuffer.fromDataset`). It needs no environment: build one from
 * plain arrays with {@link createDataset}.
 *
 * @module
 */

import { RxrlError, describeValue } from '../core/errors.js';

/** A malformed dataset: missing key, wrong length or shape, wrong dtype, unreadable file. The message names the key, the shapes and the fix. */
export class DatasetError extends RxrlError {}

/** Any typed array an `infos/*` column may hold (kept in its own dtype, so files round-trip bit-exactly). */
export type NumericArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** An extra per-row column (`infos/qpos`, `infos/action_log_probs`): flat data, row-major, with its shape (first entry: rows). */
export interface DatasetColumn {
  readonly data: NumericArray;
  readonly shape: readonly number[];
}

/** A JSON scalar, the type of a metadata value. */
export type MetadataValue = string | number | boolean | null;

/**
 * Free-form facts about a dataset, stored as the HDF5 root attribute `rxrl_metadata` (JSON).
 * The named keys are the ones rxrl writes and reads; any other scalar may be added.
 */
export interface DatasetMetadata {
  /** The env the transitions come from (an rxrl id: `rxrl/Hopper-v0`, `gymnasium:Hopper-v5`). */
  readonly envId?: string;
  /** How the data was made: `random`, `medium`, `medium-replay`, `expert`, `medium-expert`, or anything else. */
  readonly recipe?: string;
  /** `random` or the run folder of the policy. */
  readonly policy?: string;
  /** Action noise σ used when collecting. */
  readonly noise?: number;
  readonly seed?: number;
  /** Reference returns for normalised scores, when the source gives them (Minari's `ref_min_score` / `ref_max_score`). */
  readonly refMinScore?: number;
  readonly refMaxScore?: number;
  /** Set by the readers for files not written by rxrl: `d4rl` (D4RL layout without rxrl metadata) or `minari`. */
  readonly source?: string;
  readonly [key: string]: MetadataValue | undefined;
}

/**
 * Transitions in the D4RL layout. Row `i` is the transition
 * `(observations[i], actions[i], rewards[i], nextObservations[i], terminals[i], timeouts[i])`;
 * episodes are contiguous runs of rows, each ended by a row with `terminals` (a true end: do not
 * bootstrap) or `timeouts` (a cut: bootstrap from `nextObservations`) set, as D4RL.
 */
export interface OfflineDataset {
  /** Number of transitions (rows). */
  readonly size: number;
  /** Shape of one observation (`[11]` for Hopper); the arrays hold it flattened. */
  readonly observationShape: readonly number[];
  /** Entries per observation row (product of {@link observationShape}). */
  readonly observationDim: number;
  /** Entries per action row: the Box dimension, or 1 for a Discrete action. */
  readonly actionDim: number;
  /** Whether actions are integers (a Discrete action space); they are then an `Int32Array`. */
  readonly discrete: boolean;
  /** `size × observationDim`, row-major. */
  readonly observations: Float32Array;
  /** `size × actionDim`: `Float32Array` for Box actions, `Int32Array` for Discrete ones. */
  readonly actions: Float32Array | Int32Array;
  /** `size` rewards (float32, D4RL's dtype). */
  readonly rewards: Float32Array;
  /** `size × observationDim`; on a row that ends an episode, the episode's final observation. */
  readonly nextObservations: Float32Array;
  /** 1 where the episode reached a terminal state at this row (Gymnasium's `terminated`). */
  readonly terminals: Uint8Array;
  /** 1 where the episode was cut at this row (time limit, end of collection: Gymnasium's `truncated`). */
  readonly timeouts: Uint8Array;
  /** Extra per-row columns (`infos/*` in the file), in their own dtypes. */
  readonly infos: Readonly<Record<string, DatasetColumn>>;
  readonly metadata: DatasetMetadata;
}

/** What {@link createDataset} takes: the D4RL keys as typed arrays (or plain number arrays). */
export interface DatasetInput {
  readonly observations: Float32Array | Float64Array | readonly number[];
  readonly actions: Float32Array | Float64Array | Int32Array | readonly number[];
  readonly rewards: Float32Array | Float64Array | readonly number[];
  readonly nextObservations: Float32Array | Float64Array | readonly number[];
  readonly terminals: Uint8Array | Int8Array | readonly (number | boolean)[];
  /** All zeros when omitted. */
  readonly timeouts?: Uint8Array | Int8Array | readonly (number | boolean)[];
  /** Rows; inferred from `rewards` when omitted. */
  readonly size?: number;
  /** Shape of one observation; `[observations.length / size]` when omitted. */
  readonly observationShape?: readonly number[];
  /** Whether actions are Discrete indices (default: true exactly when `actions` is an `Int32Array`). */
  readonly discrete?: boolean;
  readonly infos?: Readonly<Record<string, DatasetColumn>>;
  readonly metadata?: DatasetMetadata;
}

/** The canonical key names, as in the HDF5 file, for error messages. */
export const D4RL_KEYS = ['observations', 'actions', 'rewards', 'terminals', 'timeouts', 'next_observations'] as const;

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** `[a, b]` for error messages. */
export const formatShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

function toFloat32(x: Float32Array | Float64Array | readonly number[]): Float32Array {
  return x instanceof Float32Array ? x : Float32Array.from(x);
}

function toFlags(x: Uint8Array | Int8Array | readonly (number | boolean)[], key: string): Uint8Array {
  const out = x instanceof Uint8Array ? x : new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const n = typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
    if (n !== 0 && n !== 1) throw new DatasetError(`${key}[${i}] is ${describeValue(v)}; flags must be 0 or 1 (or booleans)`);
    if (out !== x) out[i] = n;
  }
  return out;
}

/**
 * Builds a dataset from plain arrays, no env needed, checking that every key has one row per
 * transition. Arrays of the canonical dtype (`Float32Array` observations, rewards…, `Uint8Array`
 * flags) are used as they are, without copying.
 *
 * @example
 * const ds = createDataset({
 *   observations: new Float32Array([0, 1, 2, 3]), actions: new Float32Array([0.5, -0.5]),
 *   rewards: [1, 0], nextObservations: new Float32Array([2, 3, 4, 5]), terminals: [0, 1],
 *   observationShape: [2],
 * });
 */
export function createDataset(input: DatasetInput): OfflineDataset {
  const size = input.size ?? input.rewards.length;
  if (!Number.isInteger(size) || size < 0) throw new DatasetError(`size must be a non-negative integer, got ${describeValue(size)}`);
  if (input.rewards.length !== size) throw new DatasetError(`rewards has ${input.rewards.length} entries but the dataset has ${size} rows; give one reward per transition`);
  const observationShape = input.observationShape ?? [size === 0 ? 0 : input.observations.length / size];
  const observationDim = product(observationShape);
  if (!Number.isInteger(observationDim)) {
    throw new DatasetError(`observations has ${input.observations.length} entries, not a multiple of ${size} rows; pass observationShape or fix the array`);
  }
  for (const [key, arr] of [
    ['observations', input.observations],
    ['next_observations', input.nextObservations],
  ] as const) {
    if (arr.length !== size * observationDim) {
      throw new DatasetError(`${key} has ${arr.length} entries, expected ${size} rows × ${formatShape(observationShape)} = ${size * observationDim}; every key needs one row per transition`);
    }
  }
  const discrete = input.discrete ?? input.actions instanceof Int32Array;
  if (size > 0 && input.actions.length % size !== 0) {
    throw new DatasetError(`actions has ${input.actions.length} entries, not a multiple of ${size} rows; every key needs one row per transition`);
  }
  const actionDim = size === 0 ? 0 : input.actions.length / size;
  if (discrete && actionDim !== 1) throw new DatasetError(`discrete actions need one integer per row, got ${actionDim} per row (actions has ${input.actions.length} entries for ${size} rows)`);
  const actions = discrete ? toInt32Actions(input.actions) : toFloat32(input.actions instanceof Int32Array ? Float32Array.from(input.actions) : input.actions);
  const terminals = toFlags(input.terminals, 'terminals');
  const timeouts = input.timeouts === undefined ? new Uint8Array(size) : toFlags(input.timeouts, 'timeouts');
  for (const [key, arr] of [
    ['terminals', terminals],
    ['timeouts', timeouts],
  ] as const) {
    if (arr.length !== size) throw new DatasetError(`${key} has ${arr.length} entries but the dataset has ${size} rows; give one flag per transition`);
  }
  const infos = input.infos ?? {};
  for (const [key, column] of Object.entries(infos)) {
    if (column.shape[0] !== size || column.data.length !== product(column.shape)) {
      throw new DatasetError(`infos/${key} has shape ${formatShape(column.shape)} and ${column.data.length} entries; expected ${size} rows and entries = product of the shape`);
    }
  }
  return {
    size,
    observationShape: [...observationShape],
    observationDim,
    actionDim,
    discrete,
    observations: toFloat32(input.observations),
    actions,
    rewards: toFloat32(input.rewards),
    nextObservations: toFloat32(input.nextObservations),
    terminals,
    timeouts,
    infos,
    metadata: input.metadata ?? {},
  };
}

function toInt32Actions(x: Float32Array | Float64Array | Int32Array | readonly number[]): Int32Array {
  if (x instanceof Int32Array) return x;
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (!Number.isInteger(v)) throw new DatasetError(`actions[${i}] is ${describeValue(v)}; discrete actions must be integers`);
    out[i] = v;
  }
  return out;
}

/**
 * Concatenates datasets with the same observation shape and action layout (D4RL's
 * medium-expert is medium followed by expert). Episodes stay intact; `infos` keys present in
 * every part are kept, others dropped. The metadata is `metadata` (default: the first part's).
 */
export function concatDatasets(parts: readonly OfflineDataset[], metadata?: DatasetMetadata): OfflineDataset {
  const first = parts[0];
  if (first === undefined) throw new DatasetError('concatDatasets needs at least one dataset');
  for (const [k, p] of parts.entries()) {
    if (formatShape(p.observationShape) !== formatShape(first.observationShape) || p.actionDim !== first.actionDim || p.discrete !== first.discrete) {
      throw new DatasetError(
        `cannot concatenate dataset ${k} (observations ${formatShape(p.observationShape)}, ${p.actionDim} ${p.discrete ? 'discrete' : 'continuous'} action entries) with dataset 0 (observations ${formatShape(first.observationShape)}, ${first.actionDim} ${first.discrete ? 'discrete' : 'continuous'}): they come from different envs`,
      );
    }
  }
  const size = parts.reduce((n, p) => n + p.size, 0);
  const cat = <T extends Float32Array | Int32Array | Uint8Array>(make: (n: number) => T, get: (p: OfflineDataset) => T, width: number): T => {
    const out = make(size * width);
    let offset = 0;
    for (const p of parts) {
      out.set(get(p), offset);
      offset += p.size * width;
    }
    return out;
  };
  const infos: Record<string, DatasetColumn> = {};
  for (const key of Object.keys(first.infos)) {
    const columns = parts.map((p) => p.infos[key]);
    if (columns.some((c) => c === undefined || c.data.constructor !== first.infos[key]?.data.constructor || formatShape(c.shape.slice(1)) !== formatShape(first.infos[key]?.shape.slice(1) ?? []))) continue;
    const present = columns as DatasetColumn[];
    const ctor = present[0]?.data.constructor as new (n: number) => NumericArray;
    const data = new ctor(present.reduce((n, c) => n + c.data.length, 0));
    let offset = 0;
    for (const c of present) {
      (data as Float64Array).set(c.data as Float64Array, offset);
      offset += c.data.length;
    }
    infos[key] = { data, shape: [size, ...(present[0]?.shape.slice(1) ?? [])] };
  }
  return {
    size,
    observationShape: first.observationShape,
    observationDim: first.observationDim,
    actionDim: first.actionDim,
    discrete: first.discrete,
    observations: cat((n) => new Float32Array(n), (p) => p.observations, first.observationDim),
    actions: first.discrete ? cat((n) => new Int32Array(n), (p) => p.actions as Int32Array, 1) : cat((n) => new Float32Array(n), (p) => p.actions as Float32Array, first.actionDim),
    rewards: cat((n) => new Float32Array(n), (p) => p.rewards, 1),
    nextObservations: cat((n) => new Float32Array(n), (p) => p.nextObservations, first.observationDim),
    terminals: cat((n) => new Uint8Array(n), (p) => p.terminals, 1),
    timeouts: cat((n) => new Uint8Array(n), (p) => p.timeouts, 1),
    infos,
    metadata: metadata ?? first.metadata,
  };
}
