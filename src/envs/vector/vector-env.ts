import type { Space } from '../../core/spaces.js';
import type { MaybePromise } from '../../core/maybe-promise.js';
import type { EnvSpec, Info } from '../env.js';

/**
 * Actions for a whole batch: `Int32Array` of N entries for a Discrete action space
 * (N×k for MultiDiscrete/MultiBinary), `Float32Array` of N×actionDim for a Box.
 */
export type BatchedActions = Float32Array | Int32Array;

/** Arguments of {@link VectorEnv.reset}. */
export interface VectorResetOptions {
  /** Copy i is seeded with the derived seed `${seed}/${i}` (see {@link copySeed}). */
  readonly seed?: number | string;
  /**
   * One seed per copy instead of `seed`: copy i starts as a single env reset with `seeds[i]`.
   * Equal seeds give equal initial states, e.g. one task instance replayed by a group of copies.
   */
  readonly seeds?: readonly (number | string)[];
  readonly options?: Readonly<Record<string, unknown>>;
}

/** What {@link VectorEnv.reset} returns. Arrays are owned by the env and overwritten by the next call. */
export interface VectorResetResult {
  /** N × observationSize, row-major, flat float32 encoding of each copy's observation. */
  readonly observations: Float32Array;
  readonly infos: readonly Info[];
}

/**
 * What {@link VectorEnv.step} returns. Arrays are owned by the env and overwritten by the
 * next call: copy them if you keep them.
 *
 * Finished copies are reset in the same step (Gymnasium's `SAME_STEP` autoreset): row i of
 * `observations` is then the first observation of the new episode, and row i of
 * `finalObservations` the last observation of the finished one — the value to bootstrap
 * from when the episode was truncated.
 */
export interface VectorStepResult {
  readonly observations: Float32Array;
  readonly rewards: Float64Array;
  /** 1 where the copy reached a terminal state this step. */
  readonly terminated: Uint8Array;
  /** 1 where the copy was cut (time limit) this step. */
  readonly truncated: Uint8Array;
  /** N × observationSize; row i is meaningful only where `terminated[i] || truncated[i]`. */
  readonly finalObservations: Float32Array;
  /** Entry i is the finished episode's last info where copy i finished, otherwise `undefined`. */
  readonly finalInfos: readonly (Info | undefined)[];
  /** Per-copy info of this step (after any reset). */
  readonly infos: readonly Info[];
}

/** N copies of one environment stepped together with batched typed arrays. */
export interface VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space<unknown>;
  readonly singleActionSpace: Space<unknown>;
  /** Length of one copy's flat observation (`singleObservationSpace.flatDim`). */
  readonly observationSize: number;
  /** Entries per copy in {@link BatchedActions}: 1 for Discrete, the flat size for Box/MultiDiscrete/MultiBinary. */
  readonly actionSize: number;
  readonly spec: EnvSpec | undefined;
  reset(options?: VectorResetOptions): MaybePromise<VectorResetResult>;
  step(actions: BatchedActions): MaybePromise<VectorStepResult>;
  close(): MaybePromise<void>;
}

/** Seed of copy `index` in a vector env reset with `seed`; equals `new Rng(seed).split(index).key`. */
export function copySeed(seed: number | string, index: number): string {
  return `${seed}/${index}`;
}

/**
 * The seed of each copy under `options`: `seeds[i]`, else `copySeed(seed, i)`, else none
 * (undefined). Throws when both are given or `seeds` has the wrong length.
 */
export function copySeeds(envId: string, options: VectorResetOptions, numEnvs: number): ((i: number) => number | string) | undefined {
  const { seed, seeds } = options;
  if (seeds !== undefined) {
    if (seed !== undefined) throw new RangeError(`${envId}: reset() takes either seed or seeds, not both`);
    if (seeds.length !== numEnvs) throw new RangeError(`${envId}: reset() got ${seeds.length} seeds for ${numEnvs} copies; give one per copy`);
    return (i) => seeds[i] as number | string;
  }
  return seed === undefined ? undefined : (i) => copySeed(seed, i);
}

/** A shared empty info object, so steps without information allocate nothing. */
export const EMPTY_INFO: Info = Object.freeze({});

/** The mutable buffers behind a {@link VectorStepResult}, filled in place by a vector env every step. */
export interface VectorStepBuffers {
  observations: Float32Array;
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  finalObservations: Float32Array;
  finalInfos: (Info | undefined)[];
  infos: Info[];
}

/**
 * Allocates the step buffers of a vector env of `numEnvs` copies. Pass `memory` to lay the
 * typed arrays over existing (e.g. shared) buffers instead of allocating them.
 */
export function allocateStepBuffers(
  numEnvs: number,
  observationSize: number,
  memory?: { observations: ArrayBufferLike; rewards: ArrayBufferLike; terminated: ArrayBufferLike; truncated: ArrayBufferLike; finalObservations: ArrayBufferLike },
): VectorStepBuffers {
  const obsLength = numEnvs * observationSize;
  return {
    observations: memory ? new Float32Array(memory.observations) : new Float32Array(obsLength),
    rewards: memory ? new Float64Array(memory.rewards) : new Float64Array(numEnvs),
    terminated: memory ? new Uint8Array(memory.terminated) : new Uint8Array(numEnvs),
    truncated: memory ? new Uint8Array(memory.truncated) : new Uint8Array(numEnvs),
    finalObservations: memory ? new Float32Array(memory.finalObservations) : new Float32Array(obsLength),
    finalInfos: new Array<Info | undefined>(numEnvs).fill(undefined),
    infos: new Array<Info>(numEnvs).fill(EMPTY_INFO),
  };
}

/**
 * A vector env (or vector wrapper) whose complete state can be saved and restored, so a
 * training run resumed from a checkpoint continues bit-identically. The state is JSON-safe.
 */
export interface SnapshotVectorEnv extends VectorEnv {
  getSnapshot(): unknown;
  /** Restores a snapshot taken from an env of the same kind and size. */
  setSnapshot(snapshot: unknown): void;
}

/** Whether `env` supports {@link SnapshotVectorEnv}, all the way down through the wrappers it wraps. */
export function isSnapshotVectorEnv(env: VectorEnv): env is SnapshotVectorEnv {
  const e = env as Partial<SnapshotVectorEnv> & { readonly env?: VectorEnv };
  if (typeof e.getSnapshot !== 'function' || typeof e.setSnapshot !== 'function') return false;
  return e.env === undefined || isSnapshotVectorEnv(e.env);
}
