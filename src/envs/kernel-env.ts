import { describeValue, EnvStateError, SpaceMismatchError } from '../core/errors.js';
import { randomSeed, Rng } from '../core/rng.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { Env, EnvSpec, ResetOptions, ResetResult, StepResult } from './env.js';
import type { EnvKernel, KernelStepOut } from './kernel.js';
import { checkSingleAction } from './validate.js';
import { EMPTY_INFO, type BatchedActions } from './vector/vector-env.js';

/** Lifecycle of an env, for the errors on stepping before `reset()` or after `close()`. */
export type EnvLifecycle = 'new' | 'running' | 'closed';

/** Reads the `{ state }` reset option of a built-in env, checking its length and values. */
export function readStateOption(envId: string, stateSize: number, options: Readonly<Record<string, unknown>> | undefined): ArrayLike<number> | undefined {
  const state = options?.['state'];
  if (state === undefined) return undefined;
  const ok = (Array.isArray(state) || state instanceof Float64Array || state instanceof Float32Array) && state.length === stateSize;
  if (!ok) throw new SpaceMismatchError(`${envId}: reset option "state" must be ${stateSize} numbers (the layout of Gymnasium's env.unwrapped.state), got ${describeValue(state)}`);
  for (let j = 0; j < stateSize; j++) {
    if (typeof state[j] !== 'number' || !Number.isFinite(state[j])) throw new SpaceMismatchError(`${envId}: reset option "state" entry ${j} is ${describeValue(state[j])}, expected a finite number`);
  }
  return state as ArrayLike<number>;
}

/** Throws the lifecycle error of `step()` called before `reset()` or after `close()`. */
export function assertCanStep(envId: string, lifecycle: EnvLifecycle): void {
  if (lifecycle === 'running') return;
  throw new EnvStateError(lifecycle === 'new' ? `${envId}: step() called before reset(); call reset() first` : `${envId}: step() called after close(); make a new env`);
}

/**
 * A single built-in environment: one copy of an {@link EnvKernel}. Time limits are not
 * applied here; `make()` wraps the env in `TimeLimit` from its registered spec.
 */
export class KernelEnv implements Env<Float32Array, number | Float32Array> {
  readonly observationSpace: Box;
  readonly actionSpace: Box | Discrete;
  spec: EnvSpec | undefined = undefined;
  private readonly state: Float64Array;
  private readonly actionScratch: BatchedActions;
  private readonly out: KernelStepOut = { reward: 0, terminated: false };
  private rng: Rng | undefined;
  private lifecycle: EnvLifecycle = 'new';

  constructor(readonly kernel: EnvKernel) {
    this.observationSpace = kernel.observationSpace;
    this.actionSpace = kernel.actionSpace;
    this.state = new Float64Array(kernel.stateSize);
    this.actionScratch = kernel.actionSpace.kind === 'Discrete' ? new Int32Array(1) : new Float32Array(kernel.actionSize);
  }

  private get id(): string {
    return this.spec?.id ?? this.kernel.id;
  }

  reset(options: ResetOptions = {}): ResetResult<Float32Array> {
    if (this.lifecycle === 'closed') throw new EnvStateError(`${this.id}: reset() called after close(); make a new env`);
    if (options.seed !== undefined) this.rng = new Rng(options.seed);
    else this.rng ??= new Rng(randomSeed());
    const given = readStateOption(this.id, this.kernel.stateSize, options.options);
    if (given !== undefined) this.state.set(given);
    else this.kernel.resetState(this.state, 0, this.rng);
    this.lifecycle = 'running';
    return { observation: this.observe(), info: {} };
  }

  step(action: number | Float32Array): StepResult<Float32Array> {
    assertCanStep(this.id, this.lifecycle);
    const actions = checkSingleAction(this.id, this.actionSpace, action, this.actionScratch);
    this.kernel.step(this.state, 0, actions, 0, this.out);
    const info = this.out.terminated ? (this.kernel.finalInfo?.(this.state, 0) ?? EMPTY_INFO) : EMPTY_INFO;
    return { observation: this.observe(), reward: this.out.reward, terminated: this.out.terminated, truncated: false, info };
  }

  close(): void {
    this.lifecycle = 'closed';
  }

  /** A copy of the physical state (Gymnasium's `env.unwrapped.state`). */
  getPhysicalState(): Float64Array {
    return this.state.slice();
  }

  private observe(): Float32Array {
    const obs = new Float32Array(this.observationSpace.flatDim);
    this.kernel.observe(this.state, 0, obs, 0);
    return obs;
  }
}
