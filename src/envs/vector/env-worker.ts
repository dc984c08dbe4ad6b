/**
 * Worker-thread side of {@link WorkerVectorEnv}: builds this worker's shard of env copies,
 * steps them with a {@link SyncVectorEnv} and writes the results into the shared buffers.
 *
 * This module is started by `WorkerVectorEnv.create()` as a `worker_threads` script; it is
 * not meant to be imported. The message protocol below is private to the two modules.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isPromiseLike, type MaybePromise } from '../../core/maybe-promise.js';
import type { SpaceJSON } from '../../core/spaces.js';
import type { AnyEnv, EnvSpec, Info, ResetOptions, ResetResult, StepResult } from '../env.js';
import { SyncVectorEnv } from './sync-vector-env.js';
import { copySeed, type BatchedActions } from './vector-env.js';

// ---------------------------------------------------------------------------------------
// Protocol (shared with worker-vector-env.ts through `import type`).
// ---------------------------------------------------------------------------------------

/** How a worker builds its copies. `url` is already resolved to an importable URL or bare specifier. */
export type WorkerEnvSource =
  | { readonly kind: 'id'; readonly id: string; readonly kwargs: Readonly<Record<string, unknown>> }
  | { readonly kind: 'module'; readonly url: string; readonly exportName: string; readonly args: unknown };

/** `workerData` of an env worker. */
export interface WorkerInit {
  readonly workerIndex: number;
  /** Global index of this worker's first copy. */
  readonly start: number;
  /** Number of copies in this worker. */
  readonly count: number;
  readonly source: WorkerEnvSource;
}

/** Shared memory of the whole vector env; each worker reads and writes only its own rows. */
export interface SharedBuffers {
  readonly observations: SharedArrayBuffer;
  readonly finalObservations: SharedArrayBuffer;
  readonly rewards: SharedArrayBuffer;
  readonly terminated: SharedArrayBuffer;
  readonly truncated: SharedArrayBuffer;
  readonly actions: SharedArrayBuffer;
  /** Int32 sequence numbers: entry 0 written by the main thread, entry 1 + w by worker w (memory fences). */
  readonly control: SharedArrayBuffer;
  readonly actionsAreFloat: boolean;
}

/** Main thread → worker. */
export type ToWorker =
  | { readonly t: 'buffers'; readonly buffers: SharedBuffers }
  | { readonly t: 'reset'; readonly seq: number; readonly seed?: number | string; readonly seeds?: readonly (number | string)[]; readonly options?: Readonly<Record<string, unknown>> }
  | { readonly t: 'step'; readonly seq: number }
  | { readonly t: 'close' };

/** Sparse per-copy infos: `[globalCopyIndex, info]` for the non-empty ones only. */
export type SparseInfos = readonly (readonly [number, Info])[];

/** Worker → main thread. */
export type FromWorker =
  | { readonly t: 'ready'; readonly observationSpace: SpaceJSON; readonly actionSpace: SpaceJSON; readonly spec: EnvSpec | undefined }
  | { readonly t: 'done'; readonly seq: number; readonly infos?: SparseInfos; readonly finalInfos?: SparseInfos }
  | {
      readonly t: 'error';
      readonly seq: number;
      /** Global index of the copy that threw, if known. */
      readonly copy: number | null;
      /** The env method that threw (`reset`, `step`, …) or the phase (`create`) when no copy is known. */
      readonly where: string;
      readonly name: string;
      readonly message: string;
      readonly stack: string | undefined;
    }
  | { readonly t: 'closed' };

// ---------------------------------------------------------------------------------------
// Worker implementation.
// ---------------------------------------------------------------------------------------

/** An error thrown by one copy, tagged with its global index and the method that threw. */
class CopyFailure {
  constructor(
    readonly copy: number,
    readonly where: string,
    readonly error: unknown,
  ) {}
}

/** Seeds to hand to the copies on the current reset: a global seed each copy derives its own from, or one per copy (by global index). */
interface SeedBox {
  seed: number | string | undefined;
  seeds: readonly (number | string)[] | undefined;
}

/**
 * One copy as seen by the shard's SyncVectorEnv: it swaps the shard-local seed for the
 * global `copySeed(seed, globalIndex)` and tags anything the env throws with the copy index.
 */
class ShardCopy implements AnyEnv {
  constructor(
    private readonly env: AnyEnv,
    private readonly index: number,
    private readonly seeds: SeedBox,
  ) {}

  get observationSpace(): AnyEnv['observationSpace'] {
    return this.env.observationSpace;
  }

  get actionSpace(): AnyEnv['actionSpace'] {
    return this.env.actionSpace;
  }

  get spec(): EnvSpec | undefined {
    return this.env.spec;
  }

  set spec(value: EnvSpec | undefined) {
    this.env.spec = value;
  }

  reset(options?: ResetOptions): MaybePromise<ResetResult<unknown>> {
    let opts = options;
    if (options?.seed !== undefined && this.seeds.seeds !== undefined) opts = { ...options, seed: this.seeds.seeds[this.index] as number | string };
    else if (options?.seed !== undefined && this.seeds.seed !== undefined) opts = { ...options, seed: copySeed(this.seeds.seed, this.index) };
    return this.guard('reset', () => this.env.reset(opts));
  }

  step(action: unknown): MaybePromise<StepResult<unknown>> {
    return this.guard('step', () => this.env.step(action));
  }

  close(): MaybePromise<void> {
    return this.guard('close', () => this.env.close());
  }

  private guard<T>(where: string, f: () => MaybePromise<T>): MaybePromise<T> {
    let r: MaybePromise<T>;
    try {
      r = f();
    } catch (e) {
      throw new CopyFailure(this.index, where, e);
    }
    if (!isPromiseLike(r)) return r;
    return r.then(undefined, (e: unknown) => {
      throw new CopyFailure(this.index, where, e);
    });
  }
}

function isClass(f: Function): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(f));
}

function describeExport(x: unknown): string {
  return x === null ? 'null' : typeof x === 'object' ? `an object (${(x as object).constructor?.name ?? 'Object'})` : typeof x;
}

/** A function that builds one copy (a registered id, or the module's factory or class). */
type Builder = () => unknown | Promise<unknown>;

async function loadBuilder(source: WorkerEnvSource): Promise<Builder> {
  if (source.kind === 'id') {
    // The envs barrel registers the built-in environments in this thread's registry.
    await import('../index.js');
    const { make } = await import('../registry.js');
    return () => make(source.id, source.kwargs);
  }
  const mod = (await import(source.url)) as Record<string, unknown>;
  const exported = mod[source.exportName];
  if (typeof exported !== 'function') {
    const names = Object.keys(mod).sort();
    throw new TypeError(
      `export "${source.exportName}" of ${source.url} is ${exported === undefined ? 'missing' : describeExport(exported)}, expected a factory (args) => Env or an Env class; the module exports: ${names.length > 0 ? names.join(', ') : '(nothing)'}`,
    );
  }
  const { args } = source;
  // Each copy gets its own copy of the arguments, as if they had been cloned for it alone.
  if (isClass(exported)) return () => new (exported as new (a: unknown) => unknown)(structuredClone(args));
  return () => (exported as (a: unknown) => unknown)(structuredClone(args));
}

async function buildCopy(source: WorkerEnvSource, build: Builder): Promise<AnyEnv> {
  const env = await build();
  const e = env as Partial<AnyEnv> | null | undefined;
  const what = source.kind === 'id' ? `make("${source.id}")` : `export "${source.exportName}" of ${source.url}`;
  if (e === null || typeof e !== 'object' || typeof e.reset !== 'function' || typeof e.step !== 'function' || e.observationSpace === undefined || e.actionSpace === undefined) {
    throw new TypeError(`${what} did not produce an Env (with observationSpace, actionSpace, reset and step); got ${describeExport(env)}`);
  }
  if (typeof e.close !== 'function') throw new TypeError(`the env produced by ${what} has no close() method`);
  return env as AnyEnv;
}

function cloneableSpec(spec: EnvSpec | undefined): EnvSpec | undefined {
  if (spec === undefined) return undefined;
  try {
    return structuredClone(spec);
  } catch {
    return { id: spec.id, ...(spec.maxEpisodeSteps !== undefined ? { maxEpisodeSteps: spec.maxEpisodeSteps } : {}), ...(spec.rewardThreshold !== undefined ? { rewardThreshold: spec.rewardThreshold } : {}) };
  }
}

function errorFields(e: unknown): { name: string; message: string; stack: string | undefined } {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: `non-Error value thrown: ${String(e)}`, stack: undefined };
}

function isEmpty(info: Info | undefined): boolean {
  if (info === undefined) return true;
  for (const _ in info) return false;
  return Object.getOwnPropertySymbols(info).length === 0;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('rxrl env-worker must run in a worker thread (it is started by WorkerVectorEnv.create())');
  const init = workerData as WorkerInit;
  const { start, count, workerIndex } = init;
  const post = (m: FromWorker): void => port.postMessage(m);

  let sync: SyncVectorEnv;
  const seeds: SeedBox = { seed: undefined, seeds: undefined };
  try {
    const build = await loadBuilder(init.source);
    const copies: AnyEnv[] = [];
    for (let j = 0; j < count; j++) {
      try {
        copies.push(new ShardCopy(await buildCopy(init.source, build), start + j, seeds));
      } catch (e) {
        throw new CopyFailure(start + j, 'create', e);
      }
    }
    sync = new SyncVectorEnv(copies);
    const first = copies[0] as AnyEnv;
    post({ t: 'ready', observationSpace: first.observationSpace.toJSON(), actionSpace: first.actionSpace.toJSON(), spec: cloneableSpec(sync.spec) });
  } catch (e) {
    const failure = e instanceof CopyFailure ? e : undefined;
    post({ t: 'error', seq: 0, copy: failure?.copy ?? null, where: failure?.where ?? 'create', ...errorFields(failure?.error ?? e) });
    return;
  }

  const obsSize = sync.observationSize;
  const rows = { from: start * obsSize };
  let obs!: Float32Array;
  let finalObs!: Float32Array;
  let rewards!: Float64Array;
  let terminated!: Uint8Array;
  let truncated!: Uint8Array;
  let actions!: BatchedActions;
  let control!: Int32Array;

  /** The non-empty infos, by global copy index; with flags, only those of copies that finished. */
  const sparse = (infos: readonly (Info | undefined)[], term: Uint8Array | null, trunc: Uint8Array | null): [number, Info][] | undefined => {
    let out: [number, Info][] | undefined;
    for (let j = 0; j < infos.length; j++) {
      if (term !== null && trunc !== null && term[j] === 0 && trunc[j] === 0) continue;
      const info = infos[j];
      if (isEmpty(info)) continue;
      (out ??= []).push([start + j, info as Info]);
    }
    return out;
  };

  const handle = async (msg: ToWorker): Promise<void> => {
    switch (msg.t) {
      case 'buffers': {
        const b = msg.buffers;
        obs = new Float32Array(b.observations);
        finalObs = new Float32Array(b.finalObservations);
        rewards = new Float64Array(b.rewards);
        terminated = new Uint8Array(b.terminated);
        truncated = new Uint8Array(b.truncated);
        const a = sync.actionSize;
        actions = b.actionsAreFloat ? new Float32Array(b.actions, start * a * 4, count * a) : new Int32Array(b.actions, start * a * 4, count * a);
        control = new Int32Array(b.control);
        return;
      }
      case 'reset': {
        Atomics.load(control, 0);
        let infos: SparseInfos | undefined;
        try {
          seeds.seed = msg.seed;
          seeds.seeds = msg.seeds;
          // Any seed asks the copies to reseed; each ShardCopy swaps in its global one.
          const seed = msg.seed ?? (msg.seeds !== undefined ? 0 : undefined);
          const r = await sync.reset({ ...(seed !== undefined ? { seed } : {}), ...(msg.options !== undefined ? { options: msg.options } : {}) });
          obs.set(r.observations, rows.from);
          infos = sparse(r.infos, null, null);
        } catch (e) {
          reportError(msg.seq, e);
          return;
        } finally {
          seeds.seed = undefined;
        }
        Atomics.store(control, 1 + workerIndex, msg.seq);
        postResults(msg.seq, { t: 'done', seq: msg.seq, ...(infos !== undefined ? { infos } : {}) });
        return;
      }
      case 'step': {
        Atomics.load(control, 0);
        let infos: SparseInfos | undefined;
        let finalInfos: SparseInfos | undefined;
        try {
          const r = await sync.step(actions);
          obs.set(r.observations, rows.from);
          finalObs.set(r.finalObservations, rows.from);
          rewards.set(r.rewards, start);
          terminated.set(r.terminated, start);
          truncated.set(r.truncated, start);
          infos = sparse(r.infos, null, null);
          finalInfos = sparse(r.finalInfos, r.terminated, r.truncated);
        } catch (e) {
          reportError(msg.seq, e);
          return;
        }
        Atomics.store(control, 1 + workerIndex, msg.seq);
        postResults(msg.seq, { t: 'done', seq: msg.seq, ...(infos !== undefined ? { infos } : {}), ...(finalInfos !== undefined ? { finalInfos } : {}) });
        return;
      }
      case 'close': {
        try {
          await sync.close();
        } catch {
          // Closing is best effort: the thread is terminated right after.
        }
        post({ t: 'closed' });
        return;
      }
    }
  };

  const reportError = (seq: number, e: unknown): void => {
    const failure = e instanceof CopyFailure ? e : undefined;
    post({ t: 'error', seq, copy: failure?.copy ?? null, where: failure?.where ?? 'worker', ...errorFields(failure?.error ?? e) });
  };

  const postResults = (seq: number, m: FromWorker): void => {
    try {
      post(m);
    } catch (e) {
      const f = errorFields(e);
      post({
        t: 'error',
        seq,
        copy: null,
        where: 'worker',
        name: f.name,
        message: `could not send the infos of copies ${start}–${start + count - 1} to the main thread (infos must be structured-cloneable): ${f.message}`,
        stack: f.stack,
      });
    }
  };

  // Messages are handled strictly one after another, in arrival order.
  let chain: Promise<void> = Promise.resolve();
  port.on('message', (msg: ToWorker) => {
    chain = chain.then(() => handle(msg)).catch((e: unknown) => {
      const seq = msg.t === 'reset' || msg.t === 'step' ? msg.seq : -1;
      post({ t: 'error', seq, copy: null, where: 'worker', ...errorFields(e) });
    });
  });
}

await main();
