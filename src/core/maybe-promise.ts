/**
 * Continuations over values that may or may not be promises. Built-in envs are synchronous
 * and should not pay for a Promise per step; bridged envs are asynchronous. Code that
 * handles both composes with these helpers, which only create a Promise when one came in.
 */

/** A value or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** Whether `x` is a thenable. */
export function isPromiseLike<T>(x: MaybePromise<T>): x is Promise<T> {
  return typeof x === 'object' && x !== null && typeof (x as { then?: unknown }).then === 'function';
}

/** `f(x)` now if `x` is a plain value, `x.then(f)` if it is a promise. */
export function thenMaybe<T, U>(x: MaybePromise<T>, f: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return isPromiseLike(x) ? x.then(f) : f(x);
}

/** `x`'s value, awaited when it is a promise (for async code over envs that may be either). */
export async function awaitMaybe<T>(x: MaybePromise<T>): Promise<T> {
  return isPromiseLike(x) ? await x : x;
}

/** All values, synchronously if none is a promise. */
export function allMaybe<T>(xs: readonly MaybePromise<T>[]): MaybePromise<T[]> {
  return xs.some(isPromiseLike) ? Promise.all(xs) : (xs as T[]);
}
