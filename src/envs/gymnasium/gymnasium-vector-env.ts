import { ConfigError, EnvStateError } from '../../core/errors.js';
import type { Space } from '../../core/spaces.js';
import type { EnvSpec } from '../env.js';
import { allocateStepBuffers, copySeeds, EMPTY_INFO, type BatchedActions, type VectorEnv, type VectorResetOptions, type VectorResetResult, type VectorStepBuffers, type VectorStepResult } from '../vector/vector-env.js';
import { ActionEncoder, gymnasiumSeed, unbatchInfo } from './convert.js';
import { GymnasiumError } from './errors.js';
import { gymnasiumId } from './gymnasium-env.js';
import { describeSync, launch, sameSpaces, type EnvDescription } from './handshake.js';
import { CLOSE_GRACE_MS, forget, killWhenCollected, quiet } from './lifecycle.js';
import { resolveOptions, type GymnasiumVectorOptions, type ResolvedOptions } from './options.js';
import { bytesOf, encodeFrame, ReusableFrame, type Frame } from './protocol.js';
import { readRender, type RenderResult } from './render.js';
import type { ServerProcess } from './server-process.js';

/** Keys of Gymnasium's SAME_STEP vector info that rxrl moves into `finalInfos`. */
const FINAL_KEYS: ReadonlySet<string> = new Set(['final_info', '_final_info']);

/** One server process and the copies it runs. */
interface Shard {
  readonly process: ServerProcess;
  /** Global index of its first copy. */
  readonly start: number;
  readonly count: number;
  readonly stepFrame: ReusableFrame;
  readonly actions: Float32Array | Int32Array;
}

/** Splits `n` copies over `p` processes as evenly as possible, the larger shares first. */
function split(n: number, p: number): { start: number; count: number }[] {
  const base = Math.floor(n / p);
  const extra = n % p;
  let start = 0;
  return Array.from({ length: p }, (_, i) => {
    const count = base + (i < extra ? 1 : 0);
    const shard = { start, count };
    start += count;
    return shard;
  });
}

/**
 * N copies of a Gymnasium environment in P Python processes, behind rxrl's async
 * {@link VectorEnv} API. Each process runs its copies in Gymnasium's own `SyncVectorEnv` with
 * `autoreset_mode=SAME_STEP` (Gymnasium 1.x's default is NEXT_STEP): a finished copy is reset
 * in the same step, `finalObservations`/`finalInfos` hold its last observation and info, and
 * `observations` already the new episode's first — exactly rxrl's VectorEnv contract.
 *
 * Seeds: `reset({ seed: s })` seeds copy i with `s + i`, as Gymnasium's `envs.reset(seed=s)`
 * does (a string seed is hashed to an integer first, see {@link gymnasiumSeed}).
 *
 * @example
 * const envs = await GymnasiumVectorEnv.create('Hopper-v5', { numEnvs: 8, processes: 2 });
 * await envs.reset({ seed: 0 });
 * const r = await envs.step(new Float32Array(8 * envs.actionSize));
 * await envs.close();
 */
export class GymnasiumVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space<unknown>;
  readonly singleActionSpace: Space<unknown>;
  readonly observationSize: number;
  readonly actionSize: number;
  readonly spec: EnvSpec | undefined;
  /** Python, Gymnasium and NumPy versions of the servers. */
  readonly versions: EnvDescription['versions'];
  private readonly shards: readonly Shard[];
  private readonly ready: Promise<unknown>;
  private readonly encoder: ActionEncoder;
  private readonly result: VectorStepBuffers;
  /** Byte views of the result arrays the answers are copied into. */
  private readonly bytes: { readonly observations: Uint8Array; readonly rewards: Uint8Array; readonly finalObservations: Uint8Array };
  private readonly label: string;
  private readonly options: ResolvedOptions;
  private running = false;
  private busy = false;
  private closing: Promise<void> | undefined;

  private constructor(description: EnvDescription, processes: readonly ServerProcess[], ready: Promise<unknown>, numEnvs: number, options: ResolvedOptions) {
    this.numEnvs = numEnvs;
    this.singleObservationSpace = description.observationSpace;
    this.singleActionSpace = description.actionSpace;
    this.observationSize = description.observationSpace.flatDim;
    this.spec = description.spec;
    this.versions = description.versions;
    this.label = `${description.spec.id} ×${numEnvs}`;
    this.options = options;
    this.ready = quiet(ready);
    this.encoder = new ActionEncoder(description.spec.id, description.actionSpace, options.clipActions);
    this.actionSize = this.encoder.actionSize;
    const isBox = description.actionSpace.kind === 'Box';
    this.shards = split(numEnvs, processes.length).map(({ start, count }, p) => {
      const stepFrame = new ReusableFrame(null, 4 * count * this.actionSize);
      return { process: processes[p] as ServerProcess, start, count, stepFrame, actions: isBox ? stepFrame.float32() : stepFrame.int32() };
    });
    this.result = allocateStepBuffers(numEnvs, this.observationSize);
    this.bytes = { observations: bytesOf(this.result.observations), rewards: bytesOf(this.result.rewards), finalObservations: bytesOf(this.result.finalObservations) };
    killWhenCollected(this, processes);
  }

  /**
   * Starts the server processes and builds the copies, resolving once every process is ready.
   * Fails with {@link GymnasiumSetupError} when Python or Gymnasium is missing, with
   * {@link GymnasiumPythonError} when Gymnasium raises; no process is left running then.
   */
  static async create(id: string, options: GymnasiumVectorOptions): Promise<GymnasiumVectorEnv> {
    const gymId = gymnasiumId(id);
    const numEnvs = checkNumEnvs(`GymnasiumVectorEnv("${gymId}")`, options);
    const resolved = resolveOptions(`GymnasiumVectorEnv("${gymId}")`, options as unknown as Readonly<Record<string, unknown>>, numEnvs);
    const launched = split(numEnvs, resolved.processes).map(({ count }) => launch(`gymnasium:${gymId}`, gymId, resolved, count));
    const processes = launched.map((l) => l.process);
    try {
      const descriptions = await Promise.all(launched.map((l) => l.ready));
      const first = descriptions[0] as EnvDescription;
      checkSame(`gymnasium:${gymId}`, first, descriptions);
      return new GymnasiumVectorEnv(first, processes, Promise.resolve(), numEnvs, resolved);
    } catch (e) {
      await Promise.all(processes.map((p) => p.close(CLOSE_GRACE_MS)));
      throw e;
    }
  }

  /**
   * The synchronous form behind `make('gymnasium:ID', { numEnvs })`: learns the spaces with one
   * short `--describe` run of Python (cached), then starts the servers without waiting for them;
   * the first `reset()` waits.
   */
  static open(id: string, options: GymnasiumVectorOptions): GymnasiumVectorEnv {
    const gymId = gymnasiumId(id);
    const where = `make("gymnasium:${gymId}")`;
    const numEnvs = checkNumEnvs(where, options);
    const resolved = resolveOptions(where, options as unknown as Readonly<Record<string, unknown>>, numEnvs);
    const envId = `gymnasium:${gymId}`;
    // Start the servers first: they import Gymnasium while the describe run below blocks.
    const launched = split(numEnvs, resolved.processes).map(({ count }) => launch(envId, gymId, resolved, count));
    const processes = launched.map((l) => l.process);
    let description: EnvDescription;
    try {
      description = describeSync(envId, gymId, resolved);
    } catch (e) {
      processes.forEach((p) => p.kill());
      throw e;
    }
    const ready = Promise.all(launched.map((l) => l.ready)).then((ds) => checkSame(envId, description, ds));
    return new GymnasiumVectorEnv(description, processes, ready, numEnvs, resolved);
  }

  /** The polling time per wait in µs this env uses (its `spinMicros` option or the default for its process count). */
  get spinMicros(): number {
    return this.options.spinMicros;
  }

  /** Pids of the server processes. */
  get pids(): number[] {
    return this.shards.map((s) => s.process.pid);
  }

  /** Resets every copy; with `seed: s`, copy i is seeded `s + i` (Gymnasium's convention); with `seeds`, copy i gets `seeds[i]`. */
  async reset(options: VectorResetOptions = {}): Promise<VectorResetResult> {
    this.assertUsable('reset');
    this.busy = true;
    try {
      await this.ready;
      copySeeds(this.label, options, this.numEnvs);
      const seed = options.seed === undefined ? null : gymnasiumSeed(options.seed);
      const perCopy = options.seeds?.map(gymnasiumSeed);
      // Gymnasium's vector reset takes a list of seeds, one per copy of the shard.
      const shardSeed = (s: { start: number; count: number }) => (perCopy !== undefined ? perCopy.slice(s.start, s.start + s.count) : seed === null ? null : seed + s.start);
      const frames = await this.roundTrip('reset', (s) => encodeFrame({ op: 'reset', seed: shardSeed(s), options: options.options ?? null }));
      const { observations, infos } = this.result;
      const obsBytes = 4 * this.observationSize;
      this.shards.forEach((s, p) => {
        const frame = frames[p] as Frame;
        frame.payload.copy(this.bytes.observations, s.start * obsBytes, 0, s.count * obsBytes);
        const batched = frame.header?.['i'] as Record<string, unknown> | undefined;
        for (let j = 0; j < s.count; j++) infos[s.start + j] = batched === undefined ? EMPTY_INFO : unbatchInfo(batched, j);
      });
      this.running = true;
      return { observations, infos };
    } finally {
      this.busy = false;
    }
  }

  /**
   * Steps every copy with its row of `actions` (an `Int32Array` of N entries for a Discrete
   * action space, a `Float32Array` of N × actionSize for a Box); finished copies are reset in the
   * same step. Actions are checked before they are sent; Box actions are clipped to the bounds
   * unless the env was made with `clipActions: false`.
   */
  async step(actions: BatchedActions): Promise<VectorStepResult> {
    this.assertUsable('step');
    if (!this.running) throw new EnvStateError(`${this.label}: step() called before reset(); call reset() first`);
    this.encoder.checkBatch(actions, this.numEnvs);
    for (const s of this.shards) this.encoder.encode(actions, s.start, s.count, s.actions);
    this.busy = true;
    try {
      if (this.shards.length === 1) {
        // The common case without the array and closure of roundTrip(): this is the hot path.
        const s = this.shards[0] as Shard;
        let frame: Frame;
        try {
          frame = await s.process.request('step', s.stepFrame.buffer, this.options.timeoutMs);
        } catch (e) {
          // After a failure the copies' episodes are in an unknown state: demand a reset.
          this.running = false;
          throw e;
        }
        this.readStep(s, frame);
      } else {
        const frames = await this.roundTrip('step', (s) => s.stepFrame.buffer);
        for (let p = 0; p < this.shards.length; p++) this.readStep(this.shards[p] as Shard, frames[p] as Frame);
      }
      return this.result;
    } finally {
      this.busy = false;
    }
  }

  /** `render()` of every copy in Python (set `render_mode` in kwargs): one frame or text per copy, or null. */
  async render(): Promise<RenderResult> {
    this.assertUsable('render');
    this.busy = true;
    try {
      await this.ready;
      const results = (await this.roundTrip('render', () => encodeFrame({ op: 'render' }))).map(readRender);
      const first = results[0] ?? null;
      if (first === null) return null;
      if ('text' in first) return { text: results.flatMap((r) => (r !== null && 'text' in r ? r.text : [])) };
      return { frames: results.flatMap((r) => (r !== null && 'frames' in r ? r.frames : [])) };
    } finally {
      this.busy = false;
    }
  }

  /** Closes the envs in Python and ends every server process (killing those that do not exit within 2 s). Idempotent. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      forget(this);
      this.closing = Promise.all(this.shards.map((s) => s.process.close(CLOSE_GRACE_MS))).then(() => undefined);
    }
    return this.closing;
  }

  private assertUsable(method: string): void {
    if (this.closing !== undefined) throw new EnvStateError(`${this.label}: ${method}() called after close()`);
    if (this.busy) throw new EnvStateError(`${this.label}: ${method}() called while the previous call is still running; await each call before the next`);
  }

  /** Sends one request per process and waits for all answers; throws the first failure (by process order) after all have settled. */
  private async roundTrip(op: string, frameOf: (s: Shard) => Uint8Array): Promise<Frame[]> {
    const timeout = this.options.timeoutMs;
    try {
      const settled = await Promise.allSettled(this.shards.map((s) => s.process.request(op, frameOf(s), timeout)));
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
      return settled.map((r) => (r as PromiseFulfilledResult<Frame>).value);
    } catch (e) {
      // After a failure the copies' episodes are in an unknown state: demand a reset.
      this.running = false;
      throw e;
    }
  }

  /** Copies one process's step answer into the shared buffers. */
  private readStep(s: Shard, frame: Frame): void {
    const { terminated, truncated, finalInfos, infos } = this.result;
    const bytes = this.bytes;
    const p = frame.payload;
    const obsBytes = 4 * this.observationSize;
    const { start, count } = s;
    // Buffer.copy copies without making a view per array.
    let at = p.copy(bytes.observations, start * obsBytes, 0, count * obsBytes);
    at += p.copy(bytes.rewards, 8 * start, at, at + 8 * count);
    at += p.copy(terminated, start, at, at + count);
    at += p.copy(truncated, start, at, at + count);
    const batched = frame.header?.['i'] as Record<string, unknown> | undefined;
    const finalBatched = batched?.['final_info'] as Record<string, unknown> | undefined;
    for (let j = 0; j < count; j++) {
      const i = start + j;
      infos[i] = batched === undefined ? EMPTY_INFO : unbatchInfo(batched, j, FINAL_KEYS);
      if (terminated[i] === 1 || truncated[i] === 1) {
        at += p.copy(bytes.finalObservations, i * obsBytes, at, at + obsBytes);
        finalInfos[i] = finalBatched === undefined ? EMPTY_INFO : unbatchInfo(finalBatched, j);
      } else {
        finalInfos[i] = undefined;
      }
    }
  }
}

function checkNumEnvs(where: string, options: { readonly numEnvs?: unknown }): number {
  const n = options.numEnvs;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new ConfigError(`${where}: numEnvs must be a positive integer, got ${JSON.stringify(n)}`);
  return n;
}

function checkSame(envId: string, first: EnvDescription, all: readonly EnvDescription[]): void {
  all.forEach((d, p) => {
    if (!sameSpaces(first, d)) throw new GymnasiumError(`${envId}: server process ${p} built an env with other spaces than ${p === 0 ? 'the described one' : 'process 0'}; is the env's construction random?`, envId);
  });
}

