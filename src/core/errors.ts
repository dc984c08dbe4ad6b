/**
 * Typed errors. Every message names what was expected, what arrived and where,
 * so a user can fix the call without reading rxrl's source.
 */

/** Base class of every error rxrl throws on purpose. */
export class RxrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An action that does not fit the environment's action space (shape, dtype, range, NaN). */
export class InvalidActionError extends RxrlError {}

/** A value that is not an element of the space it was declared to belong to. */
export class SpaceMismatchError extends RxrlError {}

/** A method called in the wrong lifecycle state, e.g. `step()` before `reset()` or after `close()`. */
export class EnvStateError extends RxrlError {}

/** `make()` was given an id that is not registered. */
export class UnknownEnvError extends RxrlError {}

/** A configuration value is missing, malformed or out of range. */
export class ConfigError extends RxrlError {}

/** `checkEnv()` found a problem in an environment. */
export class EnvCheckError extends RxrlError {}

/** Short, single-line rendering of a value for error messages. */
export function describeValue(value: unknown, maxItems = 8): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const arr = value as unknown as ArrayLike<number>;
    const shown = Array.from({ length: Math.min(arr.length, maxItems) }, (_, i) => String(arr[i]));
    const more = arr.length > maxItems ? `, … (${arr.length} items)` : '';
    return `${value.constructor.name}[${shown.join(', ')}${more}]`;
  }
  if (Array.isArray(value)) {
    const shown = value.slice(0, maxItems).map((v) => describeValue(v, maxItems));
    const more = value.length > maxItems ? `, … (${value.length} items)` : '';
    return `[${shown.join(', ')}${more}]`;
  }
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name ?? 'Object';
    const keys = Object.keys(value as object).slice(0, maxItems);
    return `${name} {${keys.join(', ')}}`;
  }
  return typeof value;
}
