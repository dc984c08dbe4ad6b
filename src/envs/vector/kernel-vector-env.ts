import { EnvStateError, SpaceMismatchError } from '../../core/errors.js';
import { randomSeed, Rng, type RngState } from '../../core/rng.js';
import type { Box, Discrete } from '../../core/spaces.js';
import type { EnvSpec } from '../env.js';
import type { EnvKernel, KernelStepOut } from '../kernel.js';
import { assertCanStep, readStateOption, type EnvLifecycle } from '../kernel-env.js';
import { checkBatchedActions } from '../validate.js';
import { allocateStepBuffers, copySeeds, EMPTY_INFO, type BatchedActions, type VectorStepBuffers, type SnapshotVectorEnv, type VectorResetOptions, type VectorResetResult, type VectorStepResult } from './vector-env.js';

/** Options of {@link KernelVectorEnv}. */
export interface KernelVectorEnvOptions {
  /** Truncate each copy's episode after this many steps (the registered TimeLimit). */
  readonly maxEpisodeSteps?: number;
  readonly spec?: EnvSpec;
}

/**
 * N copies of a built-in environment stepped in one loop over structure-of-arrays buffers.
 * No per-copy objects and no allocation per step: the returned arrays are reused.
 * Copy i, reset with seed s, follows exactly the trajectory of a single env reset with
 * `copySeed(s, i)` under the same actions (each copy has its own random stream).
 */
export class KernelVectorEnv implements SnapshotVectorEnv {
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Box | Discrete;
  readonly observationSize: number;
  readonly actionSize: number;
  readonly spec: EnvSpec | undefined;
  private readonly maxEpisodeSteps: number;
  private readonly state: Float64Array;
  private readonly stepCounts: Int32Array;
  private readonly rngs: (Rng | undefined)[];
  private readonly out: KernelStepOut = { reward: 0, terminated: false };
  private readonly result: VectorStepBuffers;
  private lifecycle: EnvLifecycle = 'new';

  constructor(
    readonly kernel: EnvKernel,
    readonly numEnvs: number,
    options: KernelVectorEnvOptions = {},
  ) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`${kernel.id}: numEnvs must be a positive integer, got ${numEnvs}`);
    this.singleObservationSpace = kernel.observationSpace;
    this.singleActionSpace = kernel.actionSpace;
    this.observationSize = kernel.observationSpace.flatDim;
    this.actionSize = kernel.actionSize;
    this.spec = options.spec;
    this.maxEpisodeSteps = options.maxEpisodeSteps ?? Infinity;
    this.state = new Float64Array(numEnvs * kernel.stateSize);
    this.stepCounts = new Int32Array(numEnvs);
    this.rngs = new Array<Rng | undefined>(numEnvs).fill(undefined);
    this.result = allocateStepBuffers(numEnvs, this.observationSize);
  }

  private get id(): string {
    return this.spec?.id ?? this.kernel.id;
  }

  reset(options: VectorResetOptions = {}): VectorResetResult {
    if (this.lifecycle === 'closed') throw new EnvStateError(`${this.id}: reset() called after close(); make a new env`);
    const given = readStateOption(this.id, this.kernel.stateSize, options.options);
    const seedOf = copySeeds(this.id, options, this.numEnvs) ?? (this.rngs[0] === undefined ? copySeeds(this.id, { seed: randomSeed() }, this.numEnvs) : undefined);
    const { stateSize } = this.kernel;
    for (let i = 0; i < this.numEnvs; i++) {
      if (seedOf !== undefined) this.rngs[i] = new Rng(seedOf(i));
      if (given !== undefined) this.state.set(given, i * stateSize);
      else this.kernel.resetState(this.state, i * stateSize, this.rngs[i] as Rng);
      this.stepCounts[i] = 0;
      this.kernel.observe(this.state, i * stateSize, this.result.observations, i * this.observationSize);
    }
    this.lifecycle = 'running';
    return { observations: this.result.observations, infos: this.result.infos };
  }

  step(actions: BatchedActions): VectorStepResult {
    assertCanStep(this.id, this.lifecycle);
    checkBatchedActions(this.id, this.singleActionSpace, this.numEnvs, actions);
    const { kernel, state, stepCounts, out, maxEpisodeSteps, observationSize, actionSize } = this;
    const { observations, rewards, terminated, truncated, finalObservations, finalInfos } = this.result;
    const stateSize = kernel.stateSize;
    for (let i = 0; i < this.numEnvs; i++) {
      const s = i * stateSize;
      const o = i * observationSize;
      kernel.step(state, s, actions, i * actionSize, out);
      rewards[i] = out.reward;
      const count = (stepCounts[i] as number) + 1;
      const term = out.terminated;
      // As Gymnasium's TimeLimit: a step at the limit is truncated even if it also terminated.
      const trunc = count >= maxEpisodeSteps;
      terminated[i] = term ? 1 : 0;
      truncated[i] = trunc ? 1 : 0;
      if (term || trunc) {
        kernel.observe(state, s, finalObservations, o);
        finalInfos[i] = kernel.finalInfo?.(state, s) ?? EMPTY_INFO;
        kernel.resetState(state, s, this.rngs[i] as Rng);
        stepCounts[i] = 0;
      } else {
        finalInfos[i] = undefined;
        stepCounts[i] = count;
      }
      kernel.observe(state, s, observations, o);
    }
    return this.result;
  }

  close(): void {
    this.lifecycle = 'closed';
  }

  /** Physical states, step counts and random streams of every copy (see {@link SnapshotVectorEnv}). */
  getSnapshot(): KernelVectorSnapshot {
    if (this.lifecycle !== 'running') throw new EnvStateError(`${this.id}: getSnapshot() needs a running env; call reset() first`);
    return {
      kernel: this.kernel.id,
      numEnvs: this.numEnvs,
      state: this.state.slice(),
      stepCounts: this.stepCounts.slice(),
      rngs: this.rngs.map((r) => (r as Rng).getState()),
      observations: this.result.observations.slice(),
    };
  }

  setSnapshot(snapshot: unknown): void {
    const s = snapshot as KernelVectorSnapshot;
    if (s.kernel !== this.kernel.id || s.numEnvs !== this.numEnvs || s.state.length !== this.state.length) {
      throw new SpaceMismatchError(`${this.id}: snapshot of ${s.kernel} × ${s.numEnvs} does not fit ${this.kernel.id} × ${this.numEnvs}`);
    }
    this.state.set(s.state);
    this.stepCounts.set(s.stepCounts);
    s.rngs.forEach((r, i) => (this.rngs[i] = Rng.fromState(r)));
    this.result.observations.set(s.observations);
    this.lifecycle = 'running';
  }

  /** Copy `copy`'s picture in text (see {@link EnvKernel.renderText}), or null when its kernel draws none. */
  renderText(copy: number): string | null {
    if (!Number.isInteger(copy) || copy < 0 || copy >= this.numEnvs) throw new RangeError(`${this.id}: renderText(${copy}): copy out of range [0, ${this.numEnvs})`);
    return this.kernel.renderText?.(this.state, copy * this.kernel.stateSize) ?? null;
  }
}

/** What {@link KernelVectorEnv.getSnapshot} returns. */
export interface KernelVectorSnapshot {
  readonly kernel: string;
  readonly numEnvs: number;
  readonly state: Float64Array;
  readonly stepCounts: Int32Array;
  readonly rngs: readonly RngState[];
  readonly observations: Float32Array;
}
