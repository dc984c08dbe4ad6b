import { EnvStateError, SpaceMismatchError } from '../../core/errors.js';
import { allMaybe, thenMaybe, type MaybePromise } from '../../core/maybe-promise.js';
import { describeSpace, type Space } from '../../core/spaces.js';
import type { AnyEnv, EnvSpec, ResetResult, StepResult } from '../env.js';
import { ActionUnbatcher } from './unbatch.js';
import { allocateStepBuffers, copySeeds, type BatchedActions, type VectorStepBuffers, type VectorEnv, type VectorResetOptions, type VectorResetResult, type VectorStepResult } from './vector-env.js';

/**
 * Vectorises any environment — a user's own, a wrapped one, a bridged one — by holding N
 * instances in this thread. Synchronous copies are stepped one after another with no
 * Promise created; if any copy answers with a promise, the step awaits all copies together,
 * so N asynchronous (e.g. bridged) copies overlap their waiting.
 *
 * Built-in environments have a faster native vector form (`KernelVectorEnv`); `make()` picks it.
 */
export class SyncVectorEnv implements VectorEnv {
  readonly numEnvs: number;
  readonly singleObservationSpace: Space<unknown>;
  readonly singleActionSpace: Space<unknown>;
  readonly observationSize: number;
  readonly actionSize: number;
  readonly spec: EnvSpec | undefined;
  private readonly unbatcher: ActionUnbatcher;
  private readonly result: VectorStepBuffers;
  private running = false;
  private closed = false;

  constructor(readonly envs: readonly AnyEnv[]) {
    const first = envs[0];
    if (first === undefined) throw new RangeError('SyncVectorEnv needs at least one env');
    this.numEnvs = envs.length;
    this.singleObservationSpace = first.observationSpace;
    this.singleActionSpace = first.actionSpace;
    this.spec = first.spec;
    const obsJson = JSON.stringify(first.observationSpace.toJSON());
    const actJson = JSON.stringify(first.actionSpace.toJSON());
    envs.forEach((env, i) => {
      if (JSON.stringify(env.observationSpace.toJSON()) !== obsJson || JSON.stringify(env.actionSpace.toJSON()) !== actJson) {
        throw new SpaceMismatchError(
          `SyncVectorEnv: copy ${i} has spaces ${describeSpace(env.observationSpace)} / ${describeSpace(env.actionSpace)}, copy 0 has ${describeSpace(first.observationSpace)} / ${describeSpace(first.actionSpace)}; all copies must share their spaces`,
        );
      }
    });
    this.observationSize = first.observationSpace.flatDim;
    this.unbatcher = new ActionUnbatcher(first.actionSpace, this.numEnvs);
    this.actionSize = this.unbatcher.actionSize;
    this.result = allocateStepBuffers(this.numEnvs, this.observationSize);
  }

  private get id(): string {
    return this.spec?.id ?? 'SyncVectorEnv';
  }

  reset(options: VectorResetOptions = {}): MaybePromise<VectorResetResult> {
    if (this.closed) throw new EnvStateError(`${this.id}: reset() called after close()`);
    const seedOf = copySeeds(this.id, options, this.envs.length);
    const resets = this.envs.map((env, i) =>
      env.reset({
        ...(seedOf !== undefined ? { seed: seedOf(i) } : {}),
        ...(options.options !== undefined ? { options: options.options } : {}),
      }),
    );
    return thenMaybe(allMaybe(resets), (results) => {
      results.forEach((r, i) => this.storeReset(r, i, this.result.observations));
      this.running = true;
      return { observations: this.result.observations, infos: this.result.infos };
    });
  }

  step(actions: BatchedActions): MaybePromise<VectorStepResult> {
    if (this.closed) throw new EnvStateError(`${this.id}: step() called after close()`);
    if (!this.running) throw new EnvStateError(`${this.id}: step() called before reset(); call reset() first`);
    this.unbatcher.checkBatch(this.id, actions, this.numEnvs);
    const steps = this.envs.map((env, i) => env.step(this.unbatcher.actionOf(actions, i)));
    return thenMaybe(allMaybe(steps), (results) => {
      const resets: MaybePromise<ResetResult<unknown> | null>[] = results.map((r, i) => this.storeStep(r, i));
      return thenMaybe(allMaybe(resets), (after) => {
        after.forEach((r, i) => {
          if (r !== null) this.storeReset(r, i, this.result.observations);
        });
        return this.result;
      });
    });
  }

  close(): MaybePromise<void> {
    if (this.closed) return;
    this.closed = true;
    return thenMaybe(allMaybe(this.envs.map((env) => env.close())), () => undefined);
  }

  /** Records copy i's step; returns the pending reset if its episode ended, else null. */
  private storeStep(r: StepResult<unknown>, i: number): MaybePromise<ResetResult<unknown>> | null {
    const { rewards, terminated, truncated, finalObservations, finalInfos, infos } = this.result;
    rewards[i] = r.reward;
    terminated[i] = r.terminated ? 1 : 0;
    truncated[i] = r.truncated ? 1 : 0;
    if (!r.terminated && !r.truncated) {
      this.singleObservationSpace.flattenInto(r.observation, this.result.observations, i * this.observationSize);
      finalInfos[i] = undefined;
      infos[i] = r.info;
      return null;
    }
    this.singleObservationSpace.flattenInto(r.observation, finalObservations, i * this.observationSize);
    finalInfos[i] = r.info;
    return (this.envs[i] as AnyEnv).reset();
  }

  private storeReset(r: ResetResult<unknown>, i: number, into: Float32Array): void {
    this.singleObservationSpace.flattenInto(r.observation, into, i * this.observationSize);
    this.result.infos[i] = r.info;
  }
}
