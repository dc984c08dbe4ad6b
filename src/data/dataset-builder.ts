/**
 * Builds an offline dataset from transitions as they are recorded, keeping each episode's rows
 * contiguous even when N env copies step together.
 *
 * @module
 */

import { ConfigError, SpaceMismatchError } from '../core/errors.js';
import type { DatasetMetadata, OfflineDataset } from './dataset.js';
import type { TransitionRows, TransitionSink } from './transitions.js';

/** Shape of the transitions a {@link DatasetBuilder} takes. */
export interface DatasetBuilderOptions {
  readonly observationShape: readonly number[];
  readonly actionDim: number;
  readonly discrete: boolean;
  /** Env copies per recorded step (default 1). */
  readonly numEnvs?: number;
  /** Stop accepting rows after this many (default: no limit); see {@link DatasetBuilder.full}. */
  readonly limit?: number;
}

/** Growable columns of transitions (capacity doubles as needed). */
class Columns {
  size = 0;
  observations: Float32Array;
  nextObservations: Float32Array;
  actions: Float32Array | Int32Array;
  rewards: Float32Array;
  terminals: Uint8Array;
  timeouts: Uint8Array;
  private capacity: number;

  constructor(
    private readonly d: number,
    private readonly a: number,
    private readonly discrete: boolean,
    capacity = 64,
  ) {
    this.capacity = capacity;
    this.observations = new Float32Array(capacity * d);
    this.nextObservations = new Float32Array(capacity * d);
    this.actions = discrete ? new Int32Array(capacity * a) : new Float32Array(capacity * a);
    this.rewards = new Float32Array(capacity);
    this.terminals = new Uint8Array(capacity);
    this.timeouts = new Uint8Array(capacity);
  }

  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    let cap = this.capacity;
    while (cap < rows) cap *= 2;
    const grow = <T extends Float32Array | Int32Array | Uint8Array>(old: T, make: (n: number) => T, width: number): T => {
      const out = make(cap * width);
      out.set(old.subarray(0, this.size * width));
      return out;
    };
    this.observations = grow(this.observations, (n) => new Float32Array(n), this.d);
    this.nextObservations = grow(this.nextObservations, (n) => new Float32Array(n), this.d);
    this.actions = this.discrete ? grow(this.actions as Int32Array, (n) => new Int32Array(n), this.a) : grow(this.actions as Float32Array, (n) => new Float32Array(n), this.a);
    this.rewards = grow(this.rewards, (n) => new Float32Array(n), 1);
    this.terminals = grow(this.terminals, (n) => new Uint8Array(n), 1);
    this.timeouts = grow(this.timeouts, (n) => new Uint8Array(n), 1);
    this.capacity = cap;
  }

  /** Appends row `i` of a vector step. */
  pushRow(t: TransitionRows, i: number): void {
    this.reserve(this.size + 1);
    const { d, a } = this;
    const r = this.size;
    for (let j = 0; j < d; j++) {
      this.observations[r * d + j] = t.observations[i * d + j] as number;
      this.nextObservations[r * d + j] = t.nextObservations[i * d + j] as number;
    }
    for (let j = 0; j < a; j++) this.actions[r * a + j] = t.actions[i * a + j] as number;
    this.rewards[r] = t.rewards[i] as number;
    this.terminals[r] = t.terminated[i] as number;
    this.timeouts[r] = t.truncated[i] as number;
    this.size++;
  }

  /** Appends all of `other`'s rows. */
  append(other: Columns): void {
    this.reserve(this.size + other.size);
    const { d, a } = this;
    const n = other.size;
    this.observations.set(other.observations.subarray(0, n * d), this.size * d);
    this.nextObservations.set(other.nextObservations.subarray(0, n * d), this.size * d);
    this.actions.set(other.actions.subarray(0, n * a), this.size * a);
    this.rewards.set(other.rewards.subarray(0, n), this.size);
    this.terminals.set(other.terminals.subarray(0, n), this.size);
    this.timeouts.set(other.timeouts.subarray(0, n), this.size);
    this.size += n;
  }
}

/**
 * Collects transitions into an {@link OfflineDataset}. Each env copy's episode in progress is
 * kept apart and appended whole when it ends, so the dataset's episodes are contiguous (the
 * D4RL layout needs that) in the order they finished. Episodes still running at
 * {@link build} (or at {@link cutEpisodes}) are appended with `timeouts` set on their last row:
 * they were cut, not terminated, and their next observations are real.
 */
export class DatasetBuilder implements TransitionSink {
  readonly observationShape: readonly number[];
  readonly observationDim: number;
  readonly actionDim: number;
  readonly discrete: boolean;
  readonly numEnvs: number;
  readonly limit: number;
  private readonly done: Columns;
  private readonly pending: Columns[];
  private recorded = 0;

  constructor(options: DatasetBuilderOptions) {
    this.observationShape = [...options.observationShape];
    this.observationDim = options.observationShape.reduce((a, b) => a * b, 1);
    this.actionDim = options.actionDim;
    this.discrete = options.discrete;
    this.numEnvs = options.numEnvs ?? 1;
    this.limit = options.limit ?? Infinity;
    if (!Number.isInteger(this.numEnvs) || this.numEnvs < 1) throw new ConfigError(`DatasetBuilder numEnvs must be a positive integer, got ${this.numEnvs}`);
    if (this.discrete && this.actionDim !== 1) throw new ConfigError(`DatasetBuilder: discrete actions need actionDim 1, got ${this.actionDim}`);
    this.done = new Columns(this.observationDim, this.actionDim, this.discrete, 1024);
    this.pending = Array.from({ length: this.numEnvs }, () => new Columns(this.observationDim, this.actionDim, this.discrete));
  }

  /** Rows recorded so far (finished episodes and episodes in progress). */
  get size(): number {
    return this.recorded;
  }

  /** Whether {@link limit} rows have been recorded; later rows are ignored. */
  get full(): boolean {
    return this.recorded >= this.limit;
  }

  /** Records one vector step (copies the rows); copies beyond the limit are left out, lowest env index first kept. */
  addTransitions(t: TransitionRows): void {
    const N = this.numEnvs;
    if (t.rewards.length !== N || t.observations.length !== N * this.observationDim || t.actions.length !== N * this.actionDim) {
      throw new SpaceMismatchError(
        `DatasetBuilder: a step must hold ${N} rows (${N}×${this.observationDim} observations, ${N}×${this.actionDim} actions), got ${t.rewards.length} rewards, ${t.observations.length} observation and ${t.actions.length} action entries`,
      );
    }
    const take = Math.min(N, this.limit - this.recorded);
    for (let i = 0; i < take; i++) {
      const episode = this.pending[i] as Columns;
      episode.pushRow(t, i);
      if (t.terminated[i] === 1 || t.truncated[i] === 1) {
        this.done.append(episode);
        episode.size = 0;
      }
    }
    this.recorded += Math.max(0, take);
  }

  /** Ends every episode in progress as a cut (the env is being reset). */
  cutEpisodes(): void {
    for (const episode of this.pending) {
      if (episode.size === 0) continue;
      episode.timeouts[episode.size - 1] = 1;
      this.done.append(episode);
      episode.size = 0;
    }
  }

  /** The dataset of everything recorded; episodes in progress are appended as cuts. The builder can keep recording afterwards. */
  build(metadata: DatasetMetadata = {}): OfflineDataset {
    this.cutEpisodes();
    const c = this.done;
    const n = c.size;
    return {
      size: n,
      observationShape: this.observationShape,
      observationDim: this.observationDim,
      actionDim: this.actionDim,
      discrete: this.discrete,
      observations: c.observations.slice(0, n * this.observationDim),
      actions: c.actions.slice(0, n * this.actionDim),
      rewards: c.rewards.slice(0, n),
      nextObservations: c.nextObservations.slice(0, n * this.observationDim),
      terminals: c.terminals.slice(0, n),
      timeouts: c.timeouts.slice(0, n),
      infos: {},
      metadata,
    };
  }
}
