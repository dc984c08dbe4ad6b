/** Helpers shared by the wrapper modules; not part of the public API. */
import { ConfigError, describeValue, InvalidActionError, SpaceMismatchError } from '../../core/errors.js';
import { Box, describeSpace, type Space } from '../../core/spaces.js';
import type { VectorStepResult } from '../vector/vector-env.js';

/** `T` with its `readonly` modifiers removed, for result objects a wrapper reuses every step. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** `space` as a Box, or a {@link SpaceMismatchError} naming the wrapper and what it got. */
export function requireBox(space: Space<unknown>, wrapper: string, role: 'observation' | 'action'): Box {
  if (space instanceof Box) return space;
  throw new SpaceMismatchError(`${wrapper} needs a Box ${role} space, got ${describeSpace(space)}`);
}

/** Throws {@link ConfigError} unless `value` is an integer ≥ `min`. */
export function requireInteger(value: number, min: number, what: string): void {
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${what} must be an integer >= ${min}, got ${describeValue(value)}`);
}

/** Throws {@link ConfigError} unless `value` is a finite number > 0. */
export function requirePositive(value: number, what: string): void {
  if (!(Number.isFinite(value) && value > 0)) throw new ConfigError(`${what} must be a finite number > 0, got ${describeValue(value)}`);
}

/** A step result whose fields the wrapper overwrites each step (allocated once). */
export function emptyStepResult(): Mutable<VectorStepResult> {
  return {
    observations: new Float32Array(0),
    rewards: new Float64Array(0),
    terminated: new Uint8Array(0),
    truncated: new Uint8Array(0),
    finalObservations: new Float32Array(0),
    finalInfos: [],
    infos: [],
  };
}

/** Copies every field of `from` into `to` (references, not contents). */
export function assignStepResult(to: Mutable<VectorStepResult>, from: VectorStepResult): Mutable<VectorStepResult> {
  to.observations = from.observations;
  to.rewards = from.rewards;
  to.terminated = from.terminated;
  to.truncated = from.truncated;
  to.finalObservations = from.finalObservations;
  to.finalInfos = from.finalInfos;
  to.infos = from.infos;
  return to;
}

/** Clamps `x` to `[-clip, clip]` when `clip` is set. */
export function clipValue(x: number, clip: number | undefined): number {
  if (clip === undefined) return x;
  return x > clip ? clip : x < -clip ? -clip : x;
}

/** Throws {@link InvalidActionError} unless `actions` is a Float32Array of `expected` entries. */
export function checkFloatActions(actions: unknown, expected: number, wrapper: string): asserts actions is Float32Array {
  if (!(actions instanceof Float32Array)) throw new InvalidActionError(`${wrapper} expected a Float32Array of ${expected} actions, got ${describeValue(actions)}`);
  if (actions.length !== expected) throw new InvalidActionError(`${wrapper} expected ${expected} action entries, got ${actions.length}`);
}

/** Throws {@link InvalidActionError} unless `action` is a numeric array (typed or plain) of `expected` entries. */
export function checkActionRow(action: unknown, expected: number, wrapper: string): asserts action is ArrayLike<number> {
  if (!(action instanceof Float32Array || action instanceof Float64Array || Array.isArray(action))) {
    throw new InvalidActionError(`${wrapper} expected a Float32Array of ${expected} entries, got ${describeValue(action)}`);
  }
  if (action.length !== expected) throw new InvalidActionError(`${wrapper} expected an action of ${expected} entries, got ${action.length}`);
}

/** Copies `length` entries without allocating (unlike `subarray`, which creates a view object). */
export function copyRange(src: ArrayLike<number>, srcOffset: number, dst: Float32Array, dstOffset: number, length: number): void {
  for (let j = 0; j < length; j++) dst[dstOffset + j] = src[srcOffset + j] as number;
}

/** Throws {@link SpaceMismatchError} unless `observations` has `expected` entries. */
export function checkObservationLength(observations: ArrayLike<number>, expected: number, wrapper: string): void {
  if (observations.length !== expected) throw new SpaceMismatchError(`${wrapper} expected observations of ${expected} entries, got ${observations.length}`);
}
