/**
 * Off-policy replay: a ring buffer of transitions in typed arrays, uniform sampling with
 * optional n-step returns, checkpointable state, and conversion to and from offline datasets.
 *
 * @module
 */

import { ConfigError, SpaceMismatchError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { VectorStepResult } from '../envs/vector/vector-env.js';
import { DatasetError, type DatasetMetadata, type OfflineDataset } from './dataset.js';
import { allocateBatch, type TransitionBatch, type TransitionRows, type TransitionSink } from './transitions.js';

/** Options of {@link ReplayBuffer}. */
export interface ReplayBufferOptions {
  /** Transitions kept (rounded down to a multiple of `numEnvs`); the oldest are overwritten first. */
  readonly capacity: number;
  /** Shape of one observation (`[11]`); the buffer stores it flattened. */
  readonly observationShape: readonly number[];
  /** Entries per action: the Box dimension, or 1 for Discrete. */
  readonly actionDim: number;
  /** Discrete actions (stored as `Int32Array`); default false. */
  readonly discrete?: boolean;
  /** Env copies added together by each {@link ReplayBuffer.add} (default 1). */
  readonly numEnvs?: number;
  /** Steps summed into each sampled return (default 1: one-step TD targets). */
  readonly nStep?: number;
  /** Discount of the n-step returns and of {@link TransitionBatch.discounts} (default 0.99, SB3's `gamma`). */
  readonly gamma?: number;
}

/** The arrays of a buffer (slot-major: slot `row · numEnvs + env`). */
export interface ReplayStorage {
  readonly observations: Float32Array;
  readonly actions: Float32Array | Int32Array;
  readonly rewards: Float32Array;
  readonly nextObservations: Float32Array;
  readonly terminals: Uint8Array;
  readonly timeouts: Uint8Array;
}

/** Checkpoint of a {@link ReplayBuffer}: JSON with typed arrays (write it with `stringifyWithTypedArrays`). */
export interface ReplayBufferState {
  readonly format: 'rxrl-replay-buffer';
  readonly version: 1;
  readonly options: Required<ReplayBufferOptions>;
  /** Next row to write. */
  readonly head: number;
  /** Rows holding data (≤ rows). */
  readonly filledRows: number;
  /** The filled slots only (`filledRows · numEnvs` of them). */
  readonly storage: ReplayStorage;
  /** Prioritised buffers: the priority of each filled slot (already raised to α), the largest priority seen, and the exponents. */
  readonly priorities?: { readonly leaves: Float64Array; readonly maxPriority: number; readonly alpha: number; readonly beta: number; readonly epsilon: number };
}

/** Options resolved with their defaults. */
function resolveOptions(o: ReplayBufferOptions): Required<ReplayBufferOptions> {
  const resolved = { capacity: o.capacity, observationShape: [...o.observationShape], actionDim: o.actionDim, discrete: o.discrete ?? false, numEnvs: o.numEnvs ?? 1, nStep: o.nStep ?? 1, gamma: o.gamma ?? 0.99 };
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`ReplayBuffer ${name} must be a positive integer, got ${v}`);
  };
  positiveInt('numEnvs', resolved.numEnvs);
  positiveInt('nStep', resolved.nStep);
  positiveInt('actionDim', resolved.actionDim);
  if (!Number.isInteger(resolved.capacity) || resolved.capacity < resolved.numEnvs) {
    throw new ConfigError(`ReplayBuffer capacity must be an integer ≥ numEnvs (${resolved.numEnvs}), got ${resolved.capacity}`);
  }
  if (resolved.discrete && resolved.actionDim !== 1) throw new ConfigError(`ReplayBuffer with discrete actions needs actionDim 1, got ${resolved.actionDim}`);
  if (!(resolved.gamma >= 0 && resolved.gamma <= 1)) throw new ConfigError(`ReplayBuffer gamma must be in [0, 1], got ${resolved.gamma}`);
  return resolved;
}

/**
 * A ring buffer of transitions from `numEnvs` env copies, stored time-major (slot
 * `row · numEnvs + env`, so the successor of a transition is `numEnvs` slots later), in typed
 * arrays allocated once. Sampling is uniform and writes into a reused {@link TransitionBatch};
 * with `nStep > 1` each sample sums up to n rewards of its own env copy, stopping at the end of
 * its episode and at the newest row, and bootstraps from the observation where it stopped.
 * Randomness comes only from the {@link Rng} passed to {@link sample}: same seed, same samples.
 *
 * @example
 * const buffer = new ReplayBuffer({ capacity: 1_000_000, observationShape: [11], actionDim: 3, numEnvs: 4, nStep: 3 });
 * buffer.addStep(obs, actions, await env.step(actions)); // each vector step
 * const batch = buffer.sample(256, rng); // target: batch.rewards + batch.discounts·(1 − batch.terminals)·V(next)
 */
export class ReplayBuffer implements TransitionSink {
  readonly options: Required<ReplayBufferOptions>;
  /** Slots: `rows · numEnvs`. */
  readonly capacity: number;
  readonly rows: number;
  readonly numEnvs: number;
  readonly observationDim: number;
  readonly actionDim: number;
  readonly discrete: boolean;
  readonly nStep: number;
  readonly gamma: number;
  readonly observations: Float32Array;
  readonly actions: Float32Array | Int32Array;
  readonly rewards: Float32Array;
  readonly nextObservations: Float32Array;
  readonly terminals: Uint8Array;
  readonly timeouts: Uint8Array;
  protected head = 0;
  protected filledRows = 0;
  private batch: TransitionBatch | undefined;
  private mergedNext: Float32Array | undefined;

  /**
   * @param storage arrays to adopt instead of allocating (see {@link ReplayBuffer.fromDataset});
   * each must have exactly the buffer's size.
   */
  constructor(options: ReplayBufferOptions, storage?: ReplayStorage) {
    this.options = resolveOptions(options);
    const o = this.options;
    this.numEnvs = o.numEnvs;
    this.rows = Math.floor(o.capacity / o.numEnvs);
    this.capacity = this.rows * this.numEnvs;
    this.observationDim = o.observationShape.reduce((a, b) => a * b, 1);
    this.actionDim = o.actionDim;
    this.discrete = o.discrete;
    this.nStep = o.nStep;
    this.gamma = o.gamma;
    const n = this.capacity;
    if (storage !== undefined) checkStorage(storage, n, this.observationDim, this.actionDim, this.discrete, 'ReplayBuffer storage');
    this.observations = storage?.observations ?? new Float32Array(n * this.observationDim);
    this.actions = storage?.actions ?? (this.discrete ? new Int32Array(n) : new Float32Array(n * this.actionDim));
    this.rewards = storage?.rewards ?? new Float32Array(n);
    this.nextObservations = storage?.nextObservations ?? new Float32Array(n * this.observationDim);
    this.terminals = storage?.terminals ?? new Uint8Array(n);
    this.timeouts = storage?.timeouts ?? new Uint8Array(n);
  }

  /** Transitions held. */
  get size(): number {
    return this.filledRows * this.numEnvs;
  }

  get full(): boolean {
    return this.filledRows === this.rows;
  }

  /**
   * Adds one vector step: row i of every array is env copy i (`numEnvs` rows). Rewards may be
   * float64 (the env's); they are stored as float32.
   */
  add(t: TransitionRows): void {
    const N = this.numEnvs;
    const d = this.observationDim;
    const expect = (key: string, length: number, want: number) => {
      if (length !== want) throw new SpaceMismatchError(`ReplayBuffer.add: ${key} has ${length} entries, expected numEnvs ${N} × ${want / N} = ${want}`);
    };
    expect('observations', t.observations.length, N * d);
    expect('nextObservations', t.nextObservations.length, N * d);
    expect('actions', t.actions.length, N * this.actionDim);
    expect('rewards', t.rewards.length, N);
    expect('terminated', t.terminated.length, N);
    expect('truncated', t.truncated.length, N);
    const slot = this.head * N;
    this.observations.set(t.observations, slot * d);
    this.nextObservations.set(t.nextObservations, slot * d);
    if (this.discrete) this.actions.set(t.actions, slot);
    else this.actions.set(t.actions, slot * this.actionDim);
    this.rewards.set(t.rewards, slot);
    this.terminals.set(t.terminated, slot);
    this.timeouts.set(t.truncated, slot);
    this.head = (this.head + 1) % this.rows;
    if (this.filledRows < this.rows) this.filledRows++;
    this.onWrite(slot, N);
  }

  /** {@link TransitionSink} form of {@link add}, so a `TransitionRecorder` can fill the buffer. */
  addTransitions(rows: TransitionRows): void {
    this.add(rows);
  }

  /** Ends every episode in progress at the newest row (an env reset): n-step sums do not run into the next episode. */
  cutEpisodes(): void {
    if (this.filledRows === 0) return;
    const slot = ((this.head - 1 + this.rows) % this.rows) * this.numEnvs;
    for (let i = 0; i < this.numEnvs; i++) if (this.terminals[slot + i] === 0) this.timeouts[slot + i] = 1;
  }

  /**
   * Adds a vector step straight from what the env returned: `observations` are the ones the
   * `actions` were taken in; the next observation of a finished copy is its final observation.
   */
  addStep(observations: Float32Array, actions: Float32Array | Int32Array, result: VectorStepResult): void {
    const d = this.observationDim;
    const next = (this.mergedNext ??= new Float32Array(this.numEnvs * d));
    next.set(result.observations);
    for (let i = 0; i < this.numEnvs; i++) {
      if (result.terminated[i] === 1 || result.truncated[i] === 1) {
        for (let j = 0; j < d; j++) next[i * d + j] = result.finalObservations[i * d + j] as number;
      }
    }
    this.add({ observations, actions, rewards: result.rewards, nextObservations: next, terminated: result.terminated, truncated: result.truncated });
  }

  /**
   * Samples `batchSize` transitions uniformly (with replacement) into a batch owned by the
   * buffer and overwritten by the next call; copy what you keep.
   */
  sample(batchSize: number, rng: Rng): TransitionBatch {
    if (this.size === 0) throw new ConfigError('ReplayBuffer.sample: the buffer is empty; add transitions first');
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`ReplayBuffer.sample: batchSize must be a positive integer, got ${batchSize}`);
    if (this.batch === undefined || this.batch.indices.length < batchSize) this.batch = allocateBatch(batchSize, this.observationDim, this.actionDim, this.discrete);
    const batch = this.batch;
    batch.size = batchSize;
    this.sampleSlots(batch, batchSize, rng);
    for (let b = 0; b < batchSize; b++) this.gather(batch, b, batch.indices[b] as number);
    return batch;
  }

  /** Chooses the slots of a batch (`indices`) and their `weights`. Uniform here; prioritised replay overrides it. */
  protected sampleSlots(batch: TransitionBatch, batchSize: number, rng: Rng): void {
    const n = this.size;
    for (let b = 0; b < batchSize; b++) {
      batch.indices[b] = rng.int(n);
      batch.weights[b] = 1;
    }
  }

  /** Called after slots `[first, first + count)` were written (prioritised replay gives them the top priority). */
  protected onWrite(_first: number, _count: number): void {}

  /** Writes the (n-step) transition starting at `slot` into row `b` of `batch`, without allocating. */
  private gather(batch: TransitionBatch, b: number, slot: number): void {
    const N = this.numEnvs;
    const d = this.observationDim;
    const a = this.actionDim;
    const row = Math.floor(slot / N);
    const env = slot - row * N;
    // Rows after this one that hold data of the same stream (0 for the newest row).
    const age = (this.head - 1 - row + this.rows) % this.rows;
    const steps = Math.min(this.nStep, age + 1);
    let ret = 0;
    let discount = 1;
    let last = slot;
    for (let k = 0; k < steps; k++) {
      const s = ((row + k) % this.rows) * N + env;
      ret += discount * (this.rewards[s] as number);
      discount *= this.gamma;
      last = s;
      if (this.terminals[s] === 1 || this.timeouts[s] === 1) break;
    }
    batch.rewards[b] = ret;
    batch.discounts[b] = discount;
    batch.terminals[b] = this.terminals[last] as number;
    const obs = this.observations;
    const next = this.nextObservations;
    const bo = batch.observations;
    const bn = batch.nextObservations;
    for (let j = 0; j < d; j++) {
      bo[b * d + j] = obs[slot * d + j] as number;
      bn[b * d + j] = next[last * d + j] as number;
    }
    const acts = this.actions;
    const ba = batch.actions;
    for (let j = 0; j < a; j++) ba[b * a + j] = acts[slot * a + j] as number;
  }

  /** Everything needed to continue exactly (the filled part of the arrays and the write position). */
  getState(): ReplayBufferState {
    const n = this.size;
    const d = this.observationDim;
    return {
      format: 'rxrl-replay-buffer',
      version: 1,
      options: this.options,
      head: this.head,
      filledRows: this.filledRows,
      storage: {
        observations: this.observations.slice(0, n * d),
        actions: this.actions.slice(0, n * this.actionDim),
        rewards: this.rewards.slice(0, n),
        nextObservations: this.nextObservations.slice(0, n * d),
        terminals: this.terminals.slice(0, n),
        timeouts: this.timeouts.slice(0, n),
      },
    };
  }

  /** Restores {@link getState} into a buffer built with the same options; throws naming the option that differs. */
  setState(state: ReplayBufferState): void {
    if (state?.format !== 'rxrl-replay-buffer' || state.version !== 1) throw new ConfigError(`not a replay-buffer state (format ${String(state?.format)}, version ${String(state?.version)})`);
    for (const key of Object.keys(this.options) as (keyof ReplayBufferOptions)[]) {
      const mine = JSON.stringify(this.options[key]);
      const theirs = JSON.stringify(state.options[key]);
      if (mine !== theirs) throw new ConfigError(`replay-buffer state has ${key} ${theirs}, this buffer ${mine}; build the buffer with the saved options (ReplayBuffer.fromState)`);
    }
    if (!Number.isInteger(state.filledRows) || state.filledRows < 0 || state.filledRows > this.rows || !Number.isInteger(state.head) || state.head < 0 || state.head >= this.rows) {
      throw new ConfigError(`replay-buffer state has head ${state.head} and filledRows ${state.filledRows}, outside this buffer's ${this.rows} rows`);
    }
    const n = state.filledRows * this.numEnvs;
    checkStorage(state.storage, n, this.observationDim, this.actionDim, this.discrete, 'replay-buffer state');
    this.observations.set(state.storage.observations);
    this.actions.set(state.storage.actions);
    this.rewards.set(state.storage.rewards);
    this.nextObservations.set(state.storage.nextObservations);
    this.terminals.set(state.storage.terminals);
    this.timeouts.set(state.storage.timeouts);
    this.head = state.head;
    this.filledRows = state.filledRows;
  }

  /** A buffer rebuilt from {@link getState}. */
  static fromState(state: ReplayBufferState): ReplayBuffer {
    const buffer = new ReplayBuffer(state.options);
    buffer.setState(state);
    return buffer;
  }

  /**
   * A single-stream buffer holding an offline dataset, for offline algorithms (n-step returns
   * stop at the dataset's episode ends). Without a larger `capacity` the buffer is exactly full
   * and shares the dataset's arrays (no copy: adding then overwrites the dataset's oldest rows).
   */
  static fromDataset(ds: OfflineDataset, options: { readonly capacity?: number; readonly nStep?: number; readonly gamma?: number } = {}): ReplayBuffer {
    if (ds.size === 0) throw new DatasetError('ReplayBuffer.fromDataset: the dataset is empty');
    const capacity = options.capacity ?? ds.size;
    if (capacity < ds.size) throw new ConfigError(`ReplayBuffer.fromDataset: capacity ${capacity} is smaller than the dataset (${ds.size} rows)`);
    const o: ReplayBufferOptions = {
      capacity,
      observationShape: ds.observationShape,
      actionDim: ds.actionDim,
      discrete: ds.discrete,
      ...(options.nStep !== undefined ? { nStep: options.nStep } : {}),
      ...(options.gamma !== undefined ? { gamma: options.gamma } : {}),
    };
    const shared = capacity === ds.size ? ds : undefined;
    const buffer = new ReplayBuffer(o, shared);
    if (shared === undefined) {
      buffer.observations.set(ds.observations);
      buffer.actions.set(ds.actions);
      buffer.rewards.set(ds.rewards);
      buffer.nextObservations.set(ds.nextObservations);
      buffer.terminals.set(ds.terminals);
      buffer.timeouts.set(ds.timeouts);
      // Rows added later are the same stream: they must not read as a continuation of the dataset's last episode.
      const last = ds.size - 1;
      if (buffer.terminals[last] === 0) buffer.timeouts[last] = 1;
    }
    buffer.filledRows = ds.size;
    buffer.head = ds.size % buffer.rows;
    buffer.onWrite(0, ds.size);
    return buffer;
  }

  /**
   * The buffer's transitions as an offline dataset (D4RL's medium-replay is a training run's
   * buffer): each env copy's stream oldest to newest, one after the other, so episodes are
   * contiguous; a stream's last row, when not an episode end, is marked as a cut (`timeouts`).
   */
  toDataset(metadata: DatasetMetadata = {}): OfflineDataset {
    const N = this.numEnvs;
    const d = this.observationDim;
    const a = this.actionDim;
    const n = this.size;
    const oldest = this.full ? this.head : 0;
    const observations = new Float32Array(n * d);
    const nextObservations = new Float32Array(n * d);
    const actions = this.discrete ? new Int32Array(n) : new Float32Array(n * a);
    const rewards = new Float32Array(n);
    const terminals = new Uint8Array(n);
    const timeouts = new Uint8Array(n);
    let out = 0;
    for (let env = 0; env < N; env++) {
      for (let k = 0; k < this.filledRows; k++) {
        const s = ((oldest + k) % this.rows) * N + env;
        observations.set(this.observations.subarray(s * d, (s + 1) * d), out * d);
        nextObservations.set(this.nextObservations.subarray(s * d, (s + 1) * d), out * d);
        actions.set(this.actions.subarray(s * a, (s + 1) * a), out * a);
        rewards[out] = this.rewards[s] as number;
        terminals[out] = this.terminals[s] as number;
        timeouts[out] = this.timeouts[s] as number;
        out++;
      }
      if (out > 0 && terminals[out - 1] === 0) timeouts[out - 1] = 1;
    }
    return { size: n, observationShape: [...this.options.observationShape], observationDim: d, actionDim: a, discrete: this.discrete, observations, actions, rewards, nextObservations, terminals, timeouts, infos: {}, metadata };
  }
}

function checkStorage(s: ReplayStorage, n: number, d: number, a: number, discrete: boolean, where: string): void {
  const want: [keyof ReplayStorage, number][] = [
    ['observations', n * d],
    ['actions', n * a],
    ['rewards', n],
    ['nextObservations', n * d],
    ['terminals', n],
    ['timeouts', n],
  ];
  for (const [key, length] of want) {
    const arr = s?.[key];
    if (arr === undefined || arr.length !== length) {
      throw new ConfigError(`${where}: ${key} has ${arr === undefined ? 'no array' : `${arr.length} entries`}, expected ${length} (${n} transitions × ${length / Math.max(n, 1)})`);
    }
  }
  if (discrete !== s.actions instanceof Int32Array) throw new ConfigError(`${where}: actions is a ${s.actions.constructor.name}, expected ${discrete ? 'Int32Array (discrete)' : 'Float32Array'}`);
  if (!(s.observations instanceof Float32Array) || !(s.rewards instanceof Float32Array)) throw new ConfigError(`${where}: observations and rewards must be Float32Array, got ${s.observations.constructor.name} and ${s.rewards.constructor.name}`);
}
