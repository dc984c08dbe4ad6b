import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConfigError, EnvStateError, RxrlError, SpaceMismatchError } from '../../core/errors.js';
import { describeSpace, spaceFromJSON, type Space, type SpaceJSON } from '../../core/spaces.js';
import type { EnvSpec } from '../env.js';
import type { FromWorker, SharedBuffers, ToWorker, WorkerEnvSource, WorkerInit } from './env-worker.js';
import { ActionUnbatcher } from './unbatch.js';
import { allocateStepBuffers, copySeeds, EMPTY_INFO, type BatchedActions, type VectorStepBuffers, type VectorEnv, type VectorResetOptions, type VectorResetResult, type VectorStepResult } from './vector-env.js';

/**
 * What each worker builds its copies from.
 *
 * - `{ id, kwargs }`: a registered id, built with `make(id, kwargs)` in the worker after the
 *   envs barrel has registered the built-in environments. Registrations made with
 *   `register()` in the main thread do not exist in the workers; use the module form for
 *   your own environments.
 * - `{ module, exportName, args }`: the worker imports `module` (a file path, relative to the
 *   current directory or absolute, a `file:` URL, or a package specifier) and calls its export
 *   `exportName` (default `"default"`) as a factory `(args) => Env` — an `Env` class is
 *   instantiated with `new` instead. `args` is passed by structured clone, once per copy.
 */
export type WorkerEnvDefinition =
  | { readonly id: string; readonly kwargs?: Readonly<Record<string, unknown>> }
  | { readonly module: string | URL; readonly exportName?: string; readonly args?: unknown };

/** Options of {@link WorkerVectorEnv.create}. */
export interface WorkerVectorEnvOptions {
  /** Number of env copies, N ≥ 1. */
  readonly numEnvs: number;
  /** Worker threads W, 1 ≤ W; default `min(N, os.availableParallelism())`; more than N is clamped to N. */
  readonly workers?: number;
  /** How each copy is built. */
  readonly env: WorkerEnvDefinition;
}

/**
 * A failure inside a worker of a {@link WorkerVectorEnv}: an exception thrown by one env copy
 * (`copyIndex` set; the message names the copy, the method, the original message and the
 * worker-side stack), or a worker thread that died.
 */
export class WorkerEnvError extends RxrlError {
  constructor(
    message: string,
    /** Global index of the copy that threw, when known. */
    readonly copyIndex: number | undefined,
    /** Index of the worker thread involved. */
    readonly workerIndex: number,
    /** The worker-side stack of the original error, when there was one. */
    readonly remoteStack: string | undefined,
  ) {
    super(message);
  }
}

/** How long `close()` waits for the workers to close their envs before terminating them. */
const CLOSE_GRACE_MS = 1000;

const SELF_URL = import.meta.url;
/** Running from TypeScript sources (vitest, tsx): the worker must load `env-worker.ts` through tsx. */
const FROM_TS = /\.[cm]?ts$/.test(new URL(SELF_URL).pathname);

/** URL of tsx's ESM `register()` API, or undefined if tsx is not installed. */
function tsxEsmApiUrl(): string | undefined {
  try {
    const req = createRequire(SELF_URL);
    const pkgPath = req.resolve('tsx/package.json');
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, unknown> };
    const entry = pkg.exports?.['./esm/api'] as string | { import?: string | { default?: string } } | undefined;
    const target = typeof entry === 'string' ? entry : entry?.import;
    const file = typeof target === 'string' ? target : target?.default;
    return file === undefined ? undefined : pathToFileURL(join(dirname(pkgPath), file)).href;
  } catch {
    return undefined;
  }
}

let cachedScript: URL | undefined;

/**
 * The worker's entry point. Compiled (`dist/…/worker-vector-env.js`): `env-worker.js`, started
 * plainly. From TypeScript sources: a tiny bootstrap that registers tsx in the worker and then
 * imports `env-worker.ts` — `execArgv: ['--import', 'tsx']` is not enough, because tsx only
 * installs its hooks from `--import` in the main thread. Without tsx, `env-worker.ts` is started
 * directly and works if the runtime itself loads TypeScript.
 */
function workerScript(): URL {
  if (cachedScript !== undefined) return cachedScript;
  const entry = new URL(FROM_TS ? './env-worker.ts' : './env-worker.js', SELF_URL);
  const api = FROM_TS ? tsxEsmApiUrl() : undefined;
  cachedScript =
    api === undefined
      ? entry
      : new URL(`data:text/javascript,${encodeURIComponent(`(await import(${JSON.stringify(api)})).register();\nawait import(${JSON.stringify(entry.href)});\n`)}`);
  return cachedScript;
}

/** Resolves a module path against the current directory; URLs and package specifiers pass through. */
function resolveModule(m: string | URL): string {
  if (m instanceof URL) return m.href;
  if (/^[a-zA-Z][a-zA-Z\d+.-]+:/.test(m)) return m; // file:, data:, node: … (two letters at least, so not a Windows drive)
  if (isAbsolute(m) || m.startsWith('./') || m.startsWith('../') || m === '.' || m === '..') return pathToFileURL(resolvePath(m)).href;
  return m;
}

function toSource(def: WorkerEnvDefinition): { source: WorkerEnvSource; label: string } {
  const d = def as { id?: unknown; kwargs?: unknown; module?: unknown; exportName?: unknown; args?: unknown } | null | undefined;
  if (d === null || typeof d !== 'object') throw new ConfigError(`WorkerVectorEnv.create: options.env must be { id, kwargs? } or { module, exportName?, args? }, got ${String(d)}`);
  const hasId = d.id !== undefined;
  const hasModule = d.module !== undefined;
  if (hasId === hasModule) throw new ConfigError('WorkerVectorEnv.create: options.env needs exactly one of `id` (a registered env) or `module` (a module exporting an env factory)');
  if (hasId) {
    if (typeof d.id !== 'string') throw new ConfigError(`WorkerVectorEnv.create: env.id must be a string, got ${typeof d.id}`);
    const kwargs = (d.kwargs ?? {}) as Record<string, unknown>;
    if (typeof kwargs !== 'object' || kwargs === null) throw new ConfigError('WorkerVectorEnv.create: env.kwargs must be an object');
    for (const reserved of ['numEnvs', 'vectorization', 'wrappers']) {
      if (kwargs[reserved] !== undefined) throw new ConfigError(`WorkerVectorEnv.create: env.kwargs.${reserved} is not allowed (each worker builds single envs; use options.numEnvs / the module form for wrappers)`);
    }
    return { source: { kind: 'id', id: d.id, kwargs }, label: d.id };
  }
  if (typeof d.module !== 'string' && !(d.module instanceof URL)) throw new ConfigError(`WorkerVectorEnv.create: env.module must be a path, URL or specifier, got ${typeof d.module}`);
  const exportName = d.exportName ?? 'default';
  if (typeof exportName !== 'string') throw new ConfigError(`WorkerVectorEnv.create: env.exportName must be a string, got ${typeof exportName}`);
  const url = resolveModule(d.module);
  return { source: { kind: 'module', url, exportName, args: d.args }, label: `${String(d.module)}#${exportName}` };
}

type Reply = FromWorker;
type ErrorReply = Extract<FromWorker, { t: 'error' }>;
type DoneReply = Extract<FromWorker, { t: 'done' }>;

/** One worker thread and its single outstanding request. */
class WorkerSlot {
  readonly worker: Worker;
  /** Resolves once the thread's `exit` event fired. */
  readonly exited: Promise<void>;
  /** The worker's first reply: `ready`, or an `error` if building its copies failed. */
  readonly ready: Promise<Reply>;
  alive = true;
  /** Set while `close()` runs: the exit is expected. */
  closing = false;
  /** Called when the thread exits while not closing. */
  onUnexpectedExit: (error: WorkerEnvError) => void = () => {};
  private pending: { resolve: (m: Reply) => void; reject: (e: Error) => void } | null = null;
  private onClosed: (() => void) | undefined;
  private lastError: unknown;

  constructor(
    readonly index: number,
    readonly start: number,
    readonly count: number,
    init: WorkerInit,
    readonly label: () => string,
  ) {
    this.ready = new Promise<Reply>((resolve, reject) => {
      this.pending = { resolve, reject };
    });
    this.worker = new Worker(workerScript(), { workerData: init, name: `rxrl-env-worker-${index}` });
    this.worker.on('message', (m: Reply) => {
      if (m.t === 'closed') {
        this.onClosed?.();
        return;
      }
      const p = this.pending;
      if (p === null) return;
      this.pending = null;
      this.worker.unref();
      p.resolve(m);
    });
    this.worker.on('error', (e) => {
      this.lastError = e;
    });
    this.worker.on('messageerror', (e) => {
      const p = this.pending;
      this.pending = null;
      p?.reject(new WorkerEnvError(`${this.label()}: a message from worker ${index} (${this.copies}) could not be deserialized: ${e.message}`, undefined, index, e.stack));
    });
    this.exited = new Promise<void>((resolve) => {
      this.worker.once('exit', (code) => {
        this.alive = false;
        const error = this.exitError(code);
        const p = this.pending;
        this.pending = null;
        p?.reject(error);
        if (!this.closing) this.onUnexpectedExit(error);
        resolve();
      });
    });
  }

  /** `copies a–b`, for messages. */
  get copies(): string {
    return this.count === 1 ? `copy ${this.start}` : `copies ${this.start}–${this.start + this.count - 1}`;
  }

  private exitError(code: number): WorkerEnvError {
    if (this.closing) return new WorkerEnvError(`${this.label()}: closed while a call was pending`, undefined, this.index, undefined);
    const e = this.lastError;
    const why = e instanceof Error ? `: ${e.name}: ${e.message}` : e !== undefined ? `: ${String(e)}` : '';
    const stack = e instanceof Error ? e.stack : undefined;
    return new WorkerEnvError(
      `${this.label()}: worker ${this.index} (${this.copies}) exited unexpectedly with code ${code}${why}${stack !== undefined ? `\nWorker stack:\n${stack}` : ''}`,
      undefined,
      this.index,
      stack,
    );
  }

  /** Posts a message that expects no reply. */
  post(msg: ToWorker): void {
    this.worker.postMessage(msg);
  }

  /** Posts `msg` and resolves with the worker's reply; rejects if the worker dies first. */
  request(msg: ToWorker): Promise<Reply> {
    if (!this.alive) return Promise.reject(this.exitError(-1));
    return new Promise<Reply>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.ref(); // keep the process alive while a call is in flight (idle workers are unref'd)
      try {
        this.worker.postMessage(msg);
      } catch (e) {
        this.pending = null;
        this.worker.unref();
        reject(new ConfigError(`${this.label()}: could not send the call to worker ${this.index} (arguments must be structured-cloneable): ${e instanceof Error ? e.message : String(e)}`));
      }
    });
  }

  /** Asks the worker to close its envs (waiting at most `graceMs`), then terminates it; resolves after `exit`. */
  async shutdown(graceMs: number): Promise<void> {
    this.closing = true;
    if (this.alive) {
      let timer: NodeJS.Timeout | undefined;
      const acked = new Promise<void>((resolve) => {
        this.onClosed = resolve;
        timer = setTimeout(resolve, graceMs);
      });
      try {
        this.worker.postMessage({ t: 'close' } satisfies ToWorker);
        await Promise.race([acked, this.exited]);
      } catch {
        // The worker is terminated below anyway.
      } finally {
        clearTimeout(timer);
      }
      await this.worker.terminate();
    }
    await this.exited;
  }
}

/**
 * N copies of an environment spread over W `worker_threads`, so that copies whose step does
 * real work run in parallel on several cores. Each worker steps its contiguous shard of
 * copies with a {@link SyncVectorEnv}; observations, rewards, flags, final observations and
 * actions live in `SharedArrayBuffer`s that every worker writes its own rows of, so a call is
 * one small message to and from each worker. Infos travel by structured clone, and only the
 * non-empty ones.
 *
 * Semantics are those of {@link SyncVectorEnv}: same-step autoreset, `finalObservations` /
 * `finalInfos` of finished copies, and copy i reset with `seed` is seeded `copySeed(seed, i)`,
 * so both produce identical arrays for the same env, seed and actions. All methods return
 * promises; a call must be awaited before the next one. The returned arrays are views of the
 * shared buffers, overwritten by the next call.
 *
 * **When it pays.** Each call costs a round of messages to every worker — tens of
 * microseconds, more on a busy or virtualised machine — on top of the slowest shard's work. It
 * is a loss for cheap envs (a classic-control step costs about a microsecond: use their native
 * vector form or a SyncVectorEnv) and a gain only when a copy's step costs well over that. On a
 * 2-core VM, an empty round trip took ~60 µs with 1 worker and ~90 µs with 2 (a SyncVectorEnv
 * step of 8 trivial copies: ~3 µs); with a toy env burning 200 µs of CPU per step and N = 8,
 * 2 workers ran ~7,200 env steps/s against ~4,800 for a SyncVectorEnv (1.5×), while at 50 µs
 * per step the two were about even. A single worker never beats a SyncVectorEnv; it only moves
 * the work off the main thread.
 *
 * Errors: an exception in a copy rejects the call with a {@link WorkerEnvError} naming the copy,
 * the env method, the original message and its stack; the env then needs `reset()` again. A
 * worker that dies rejects the pending call, and every later call, with a WorkerEnvError.
 * Idle workers do not keep the process alive, but `close()` should be awaited to close the envs
 * and terminate the threads.
 *
 * @example
 * const venv = await WorkerVectorEnv.create({ numEnvs: 8, env: { module: './my-env.js', args: { hard: true } } });
 * let { observations } = await venv.reset({ seed: 1 });
 * const r = await venv.step(new Int32Array(8));
 * await venv.close();
 */
export class WorkerVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space<unknown>;
  readonly singleActionSpace: Space<unknown>;
  readonly observationSize: number;
  readonly actionSize: number;
  readonly spec: EnvSpec | undefined;
  /** Number of worker threads. */
  readonly numWorkers: number;
  private readonly label: string;
  private readonly unbatcher: ActionUnbatcher;
  private readonly sharedActions: Float32Array | Int32Array;
  private readonly control: Int32Array;
  private readonly result: VectorStepBuffers;
  private seq = 0;
  private running = false;
  private busy = false;
  private failure: WorkerEnvError | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly slots: readonly WorkerSlot[],
    init: {
      numEnvs: number;
      observationSpace: Space<unknown>;
      actionSpace: Space<unknown>;
      spec: EnvSpec | undefined;
      label: string;
      unbatcher: ActionUnbatcher;
      buffers: SharedBuffers;
    },
  ) {
    this.numEnvs = init.numEnvs;
    this.numWorkers = slots.length;
    this.singleObservationSpace = init.observationSpace;
    this.singleActionSpace = init.actionSpace;
    this.spec = init.spec;
    this.label = init.label;
    this.observationSize = init.observationSpace.flatDim;
    this.unbatcher = init.unbatcher;
    this.actionSize = init.unbatcher.actionSize;
    const b = init.buffers;
    this.sharedActions = b.actionsAreFloat ? new Float32Array(b.actions) : new Int32Array(b.actions);
    this.control = new Int32Array(b.control);
    this.result = allocateStepBuffers(this.numEnvs, this.observationSize, b);
    for (const slot of slots) {
      slot.onUnexpectedExit = (error) => {
        this.failure ??= error;
      };
    }
  }

  /**
   * Starts the workers, builds every copy and resolves once all are ready (and their spaces
   * agree). Rejects — leaving no thread running — if a worker cannot start or a copy cannot be
   * built, naming the copy.
   */
  static async create(options: WorkerVectorEnvOptions): Promise<WorkerVectorEnv> {
    const { numEnvs } = options;
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new ConfigError(`WorkerVectorEnv.create: numEnvs must be a positive integer, got ${String(numEnvs)}`);
    const requested = options.workers ?? Math.min(numEnvs, availableParallelism());
    if (!Number.isInteger(requested) || requested < 1) throw new ConfigError(`WorkerVectorEnv.create: workers must be a positive integer, got ${String(requested)}`);
    const numWorkers = Math.min(requested, numEnvs);
    const { source, label: sourceLabel } = toSource(options.env);
    let label = `WorkerVectorEnv(${sourceLabel})`;
    const getLabel = () => label;

    const slots: WorkerSlot[] = [];
    const abort = async (error: unknown): Promise<never> => {
      for (const s of slots) s.closing = true;
      await Promise.all(slots.map(async (s) => (s.alive ? s.worker.terminate().then(() => s.exited) : s.exited)));
      throw error;
    };
    try {
      let start = 0;
      for (let w = 0; w < numWorkers; w++) {
        const count = Math.floor(numEnvs / numWorkers) + (w < numEnvs % numWorkers ? 1 : 0);
        slots.push(new WorkerSlot(w, start, count, { workerIndex: w, start, count, source }, getLabel));
        start += count;
      }
    } catch (e) {
      return abort(e);
    }

    const settled = await Promise.allSettled(slots.map((s) => s.ready));
    const readies: Extract<Reply, { t: 'ready' }>[] = [];
    for (const [w, s] of settled.entries()) {
      const slot = slots[w] as WorkerSlot;
      if (s.status === 'rejected') return abort(s.reason);
      const m = s.value;
      if (m.t === 'error') {
        const who = m.copy !== null ? `building copy ${m.copy}` : `starting worker ${w} (${slot.copies})`;
        return abort(new WorkerEnvError(`${label}: ${who} failed: ${m.name}: ${m.message}${m.stack !== undefined ? `\nWorker stack:\n${m.stack}` : ''}`, m.copy ?? undefined, w, m.stack));
      }
      if (m.t !== 'ready') return abort(new WorkerEnvError(`${label}: worker ${w} sent "${m.t}" before it was ready`, undefined, w, undefined));
      readies.push(m);
    }

    try {
      const first = readies[0] as Extract<Reply, { t: 'ready' }>;
      const obsJson = JSON.stringify(first.observationSpace);
      const actJson = JSON.stringify(first.actionSpace);
      const observationSpace = spaceFromJSON(first.observationSpace);
      const actionSpace = spaceFromJSON(first.actionSpace);
      readies.forEach((r, w) => {
        if (JSON.stringify(r.observationSpace) !== obsJson || JSON.stringify(r.actionSpace) !== actJson) {
          const fmt = (j: SpaceJSON) => describeSpace(spaceFromJSON(j));
          throw new SpaceMismatchError(
            `${label}: the copies of worker ${w} have spaces ${fmt(r.observationSpace)} / ${fmt(r.actionSpace)}, those of worker 0 have ${describeSpace(observationSpace)} / ${describeSpace(actionSpace)}; all copies must share their spaces`,
          );
        }
      });
      if (first.spec !== undefined) label = `WorkerVectorEnv(${first.spec.id})`;
      const unbatcher = new ActionUnbatcher(actionSpace, numEnvs);
      const obsBytes = 4 * numEnvs * observationSpace.flatDim;
      const buffers: SharedBuffers = {
        observations: new SharedArrayBuffer(obsBytes),
        finalObservations: new SharedArrayBuffer(obsBytes),
        rewards: new SharedArrayBuffer(8 * numEnvs),
        terminated: new SharedArrayBuffer(numEnvs),
        truncated: new SharedArrayBuffer(numEnvs),
        actions: new SharedArrayBuffer(4 * numEnvs * unbatcher.actionSize),
        control: new SharedArrayBuffer(4 * (1 + numWorkers)),
        actionsAreFloat: actionSpace.kind === 'Box',
      };
      for (const slot of slots) slot.post({ t: 'buffers', buffers });
      return new WorkerVectorEnv(slots, { numEnvs, observationSpace, actionSpace, spec: first.spec, label, unbatcher, buffers });
    } catch (e) {
      return abort(e);
    }
  }

  /** Number of worker threads that have not exited yet (0 once `close()` resolved). */
  get liveWorkers(): number {
    return this.slots.reduce((n, s) => n + (s.alive ? 1 : 0), 0);
  }

  /** Resets every copy; copy i is seeded `copySeed(seed, i)` when a seed is given. */
  async reset(options: VectorResetOptions = {}): Promise<VectorResetResult> {
    this.assertUsable('reset');
    copySeeds(this.label, options, this.numEnvs);
    const seq = this.nextSeq();
    const msg: ToWorker = {
      t: 'reset',
      seq,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.seeds !== undefined ? { seeds: [...options.seeds] } : {}),
      ...(options.options !== undefined ? { options: options.options } : {}),
    };
    const replies = await this.roundTrip(msg, seq, 'reset');
    const { infos } = this.result;
    infos.fill(EMPTY_INFO);
    for (const r of replies) for (const [i, info] of r.infos ?? []) infos[i] = info;
    this.running = true;
    return { observations: this.result.observations, infos };
  }

  /**
   * Steps every copy with its row of `actions` (an `Int32Array` of N entries for a Discrete
   * action space, a `Float32Array` of N × actionSize for a Box), resetting finished copies.
   */
  async step(actions: BatchedActions): Promise<VectorStepResult> {
    this.assertUsable('step');
    if (!this.running) throw new EnvStateError(`${this.label}: step() called before reset(); call reset() first`);
    this.unbatcher.checkBatch(this.label, actions, this.numEnvs);
    this.sharedActions.set(actions);
    const seq = this.nextSeq();
    const replies = await this.roundTrip({ t: 'step', seq }, seq, 'step');
    const { infos, finalInfos, terminated, truncated } = this.result;
    for (let i = 0; i < this.numEnvs; i++) {
      infos[i] = EMPTY_INFO;
      finalInfos[i] = terminated[i] === 1 || truncated[i] === 1 ? EMPTY_INFO : undefined;
    }
    for (const r of replies) {
      for (const [i, info] of r.infos ?? []) infos[i] = info;
      for (const [i, info] of r.finalInfos ?? []) finalInfos[i] = info;
    }
    return this.result;
  }

  /**
   * Closes every copy's env, terminates the workers and resolves once every thread has exited
   * (a worker whose envs take longer than a second to close is terminated anyway). Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= Promise.all(this.slots.map((s) => s.shutdown(CLOSE_GRACE_MS))).then(() => undefined);
    return this.closing;
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) | 0 || 1;
    return this.seq;
  }

  private assertUsable(method: string): void {
    if (this.closing !== undefined) throw new EnvStateError(`${this.label}: ${method}() called after close()`);
    if (this.failure !== undefined) throw new WorkerEnvError(`${this.label}: ${method}() called after a worker died; close this env and create a new one. ${this.failure.message}`, undefined, this.failure.workerIndex, this.failure.remoteStack);
    if (this.busy) throw new EnvStateError(`${this.label}: ${method}() called while the previous reset()/step() is still running; await each call before the next`);
  }

  /** Sends `msg` to every worker and waits for all replies; throws the first failure (by worker order). */
  private async roundTrip(msg: ToWorker, seq: number, op: 'reset' | 'step'): Promise<DoneReply[]> {
    this.busy = true;
    Atomics.store(this.control, 0, seq); // publishes the action rows written above
    let settled: PromiseSettledResult<Reply>[];
    try {
      settled = await Promise.allSettled(this.slots.map((s) => s.request(msg)));
    } finally {
      this.busy = false;
    }
    let failure: Error | undefined;
    const done: DoneReply[] = [];
    for (const [w, s] of settled.entries()) {
      if (s.status === 'rejected') {
        failure ??= s.reason instanceof Error ? s.reason : new Error(String(s.reason));
        continue;
      }
      const m = s.value;
      if (m.t === 'error') {
        failure ??= this.remoteError(m, op, w);
      } else if (m.t === 'done' && m.seq === seq && Atomics.load(this.control, 1 + w) === seq) {
        done.push(m);
      } else {
        failure ??= new WorkerEnvError(`${this.label}: worker ${w} answered ${op}() #${seq} out of order (got "${m.t}"); this is a bug in rxrl`, undefined, w, undefined);
      }
    }
    if (failure !== undefined) {
      this.running = false;
      throw failure;
    }
    return done;
  }

  private remoteError(m: ErrorReply, op: string, w: number): WorkerEnvError {
    const slot = this.slots[w] as WorkerSlot;
    const who = m.copy !== null ? `copy ${m.copy} threw in ${m.where}()` : `worker ${w} (${slot.copies}) failed`;
    const stack = m.stack !== undefined ? `\nWorker stack:\n${m.stack}` : '';
    return new WorkerEnvError(`${this.label}: ${who} during ${op}(): ${m.name}: ${m.message}${stack}`, m.copy ?? undefined, w, m.stack);
  }
}
