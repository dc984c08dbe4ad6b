import type { ServerProcess } from './server-process.js';

/** How long `close()` lets a server close its envs before killing it. */
export const CLOSE_GRACE_MS = 2000;

/**
 * Kills the server processes of bridged envs that were garbage-collected without `close()`.
 * The held value is the process list, never the env, so registering does not keep the env alive.
 */
const finalizer = new FinalizationRegistry<readonly ServerProcess[]>((processes) => {
  for (const p of processes) p.kill();
});

/** Ties `processes` to `owner`'s lifetime: when `owner` is collected, they are killed. */
export function killWhenCollected(owner: object, processes: readonly ServerProcess[]): void {
  finalizer.register(owner, processes, owner);
}

/** Undoes {@link killWhenCollected} (after a regular close). */
export function forget(owner: object): void {
  finalizer.unregister(owner);
}

/** Resolves `ready`, but marks it handled now, so a failure nobody awaits yet is not an unhandled rejection. */
export function quiet<T>(ready: Promise<T>): Promise<T> {
  ready.catch(() => {});
  return ready;
}
