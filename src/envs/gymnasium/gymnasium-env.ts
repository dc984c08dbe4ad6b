import { EnvStateError, InvalidActionError, describeValue } from '../../core/errors.js';
import { Box, type Space } from '../../core/spaces.js';
import type { Env, EnvSpec, Info, ResetOptions, ResetResult, StepResult } from '../env.js';
import { EMPTY_INFO } from '../vector/vector-env.js';
import { gymnasiumSeed } from './convert.js';
import { GymnasiumError } from './errors.js';
import { describeSync, launch, sameSpaces, type EnvDescription } from './handshake.js';
import { CLOSE_GRACE_MS, forget, killWhenCollected, quiet } from './lifecycle.js';
import { resolveOptions, type GymnasiumOptions, type ResolvedOptions } from './options.js';
import { encodeFrame, ReusableFrame, type Frame } from './protocol.js';
import type { ServerProcess } from './server-process.js';
import { readRender, type RenderResult } from './render.js';

/** Strips the optional `gymnasium:` prefix: `gymnasium:CartPole-v1` → `CartPole-v1`. */
export function gymnasiumId(id: string): string {
  return id.startsWith('gymnasium:') ? id.slice('gymnasium:'.length) : id;
}

/**
 * One Gymnasium environment in a Python child process, behind rxrl's async {@link Env} API.
 *
 * `reset()` and `step()` return promises. Observations arrive in rxrl's form (a `Float32Array`
 * for a Box, a number for a Discrete, an object for a Dict, …); Box values are float32, so a
 * float64 Gymnasium observation is rounded to float32. `terminated`, `truncated` and `info`
 * are Gymnasium's. There is no autoreset: after an episode ends, call `reset()`.
 *
 * @example
 * const env = await GymnasiumEnv.create('CartPole-v1');
 * const { observation } = await env.reset({ seed: 42 });
 * const step = await env.step(0);
 * await env.close();
 */
export class GymnasiumEnv implements Env<unknown, unknown> {
  readonly observationSpace: Space<unknown>;
  readonly actionSpace: Space<unknown>;
  spec: EnvSpec | undefined;
  /** Python, Gymnasium and NumPy versions of the server. */
  readonly versions: EnvDescription['versions'];
  private readonly process: ServerProcess;
  private readonly ready: Promise<unknown>;
  private readonly label: string;
  private readonly options: ResolvedOptions;
  private readonly stepFrame: ReusableFrame;
  private readonly actionBuffer: Float32Array;
  private readonly observationSize: number;
  private running = false;
  private closing: Promise<void> | undefined;

  private constructor(description: EnvDescription, process: ServerProcess, ready: Promise<unknown>, options: ResolvedOptions) {
    this.observationSpace = description.observationSpace;
    this.actionSpace = description.actionSpace;
    this.spec = description.spec;
    this.versions = description.versions;
    this.label = description.spec.id;
    this.process = process;
    this.ready = quiet(ready);
    this.options = options;
    this.observationSize = this.observationSpace.flatDim;
    this.stepFrame = new ReusableFrame(null, 4 * this.actionSpace.flatDim);
    this.actionBuffer = this.stepFrame.float32();
    killWhenCollected(this, [process]);
  }

  /**
   * Starts the server and builds `gymnasium.make(id, **kwargs)` (or `module:Class`), resolving
   * once the env exists. Fails with {@link GymnasiumSetupError} when Python or Gymnasium is
   * missing, with {@link GymnasiumPythonError} when Gymnasium raises.
   */
  static async create(id: string, options: GymnasiumOptions = {}): Promise<GymnasiumEnv> {
    const gymId = gymnasiumId(id);
    const resolved = resolveOptions(`GymnasiumEnv("${gymId}")`, options as Readonly<Record<string, unknown>>, null);
    const { process, ready } = launch(`gymnasium:${gymId}`, gymId, resolved, null);
    try {
      return new GymnasiumEnv(await ready, process, ready, resolved);
    } catch (e) {
      await process.close(CLOSE_GRACE_MS);
      throw e;
    }
  }

  /**
   * The synchronous form behind `make('gymnasium:ID')`: learns the spaces with one short
   * `--describe` run of Python (cached), then starts the server without waiting for it; the
   * first `reset()` waits.
   */
  static open(id: string, options: GymnasiumOptions = {}): GymnasiumEnv {
    const gymId = gymnasiumId(id);
    const resolved = resolveOptions(`make("gymnasium:${gymId}")`, options as Readonly<Record<string, unknown>>, null);
    const envId = `gymnasium:${gymId}`;
    const { process, ready } = launch(envId, gymId, resolved, null);
    let description: EnvDescription;
    try {
      description = describeSync(envId, gymId, resolved);
    } catch (e) {
      process.kill();
      throw e;
    }
    const checked = ready.then((d) => {
      if (!sameSpaces(d, description)) throw new GymnasiumError(`${envId}: the server built an env with other spaces than the described one; is the env's construction random?`, envId);
    });
    return new GymnasiumEnv(description, process, checked, resolved);
  }

  /** Pid of the server process. */
  get pid(): number {
    return this.process.pid;
  }

  /** Resets the env (`env.reset(seed=…, options=…)`); see {@link gymnasiumSeed} for how seeds map. */
  async reset(options: ResetOptions = {}): Promise<ResetResult<unknown>> {
    this.assertOpen('reset');
    await this.ready;
    const header = { op: 'reset', seed: options.seed === undefined ? null : gymnasiumSeed(options.seed), options: options.options ?? null };
    const frame = await this.request('reset', encodeFrame(header));
    this.running = true;
    return { observation: this.readObservation(frame.payload), info: infoOf(frame) };
  }

  /** Steps the env; the action is checked (and Box actions clipped, unless `clipActions: false`) before it is sent. */
  async step(action: unknown): Promise<StepResult<unknown>> {
    this.assertOpen('step');
    if (!this.running) throw new EnvStateError(`${this.label}: step() called before reset(); call reset() first`);
    this.encodeAction(action);
    const frame = await this.request('step', this.stepFrame.buffer);
    const p = frame.payload;
    const obsBytes = 4 * this.observationSize;
    return {
      observation: this.readObservation(p),
      reward: p.readDoubleLE(obsBytes),
      terminated: p[obsBytes + 8] === 1,
      truncated: p[obsBytes + 9] === 1,
      info: infoOf(frame),
    };
  }

  /** `env.render()` in Python: frames for `render_mode: 'rgb_array'` (in kwargs), text for `'ansi'`, else null. */
  async render(): Promise<RenderResult> {
    this.assertOpen('render');
    await this.ready;
    return readRender(await this.request('render', encodeFrame({ op: 'render' })));
  }

  /** Closes the env in Python and ends the process (killing it if it does not exit within 2 s). Idempotent. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      forget(this);
      this.closing = this.process.close(CLOSE_GRACE_MS);
    }
    return this.closing;
  }

  private assertOpen(method: string): void {
    if (this.closing !== undefined) throw new EnvStateError(`${this.label}: ${method}() called after close()`);
  }

  private async request(op: string, frame: Uint8Array): Promise<Frame> {
    try {
      return await this.process.request(op, frame, this.options.timeoutMs);
    } catch (e) {
      this.running = false;
      throw e;
    }
  }

  private encodeAction(action: unknown): void {
    const space = this.actionSpace;
    if (space instanceof Box) {
      const ok = action instanceof Float32Array || action instanceof Float64Array || Array.isArray(action);
      if (!ok || (action as ArrayLike<unknown>).length !== space.flatDim) {
        throw new InvalidActionError(`${this.label}: expected a Float32Array of length ${space.flatDim} (shape [${space.shape.join(', ')}]), got ${describeValue(action)}`);
      }
      const a = action as ArrayLike<number>;
      for (let k = 0; k < space.flatDim; k++) {
        let v = a[k] as number;
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidActionError(`${this.label}: action entry ${k} is ${describeValue(v)}; actions must be finite numbers`);
        if (this.options.clipActions) v = Math.min(Math.max(v, space.low[k] as number), space.high[k] as number);
        this.actionBuffer[k] = v;
      }
      return;
    }
    const why = space.explainMismatch(action);
    if (why !== null) throw new InvalidActionError(`${this.label}: action ${describeValue(action)} is not in the action space: ${why}`);
    space.flattenInto(action, this.actionBuffer, 0);
  }

  private readObservation(payload: Buffer): unknown {
    const flat = new Float32Array(this.observationSize);
    new Uint8Array(flat.buffer).set(payload.subarray(0, 4 * this.observationSize));
    return this.observationSpace instanceof Box ? flat : this.observationSpace.unflatten(flat);
  }
}

function infoOf(frame: Frame): Info {
  const info = frame.header?.['i'];
  return typeof info === 'object' && info !== null ? (info as Info) : EMPTY_INFO;
}
