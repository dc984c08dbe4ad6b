/**
 * Locomotion environments on rxrl's batched physics: one implementation ({@link LocomotionBatch},
 * B worlds in one `PhysicsData`) behind both the single env ({@link LocomotionEnv}, B = 1) and the
 * native vector env ({@link LocomotionVectorEnv}, B = numEnvs, auto-reset per world).
 *
 * Each world's physics is independent of the others and of B (the stages never mix worlds), so
 * copy i of a vector env reset with seed s follows exactly the trajectory of a single env reset
 * with `copySeed(s, i)` under the same actions, as for the classic kernel envs.
 *
 * These envs are the Gymnasium-style ones; gradient-based agents use the differentiable variant
 * of the same observations, rewards and terminations in `differentiable.ts`.
 * @module
 */

import { ConfigError, describeValue, EnvStateError, SpaceMismatchError } from '../../core/errors.js';
import { randomSeed, Rng, type RngState } from '../../core/rng.js';
import { Box } from '../../core/spaces.js';
import { PhysicsData, step as physicsStep, type ContactParams, type PhysicsModel } from '../../physics/index.js';
import type { Env, EnvSpec, Info, ResetOptions, ResetResult, StepResult } from '../env.js';
import type { EnvLifecycle } from '../kernel-env.js';
import { assertCanStep } from '../kernel-env.js';
import { poseFromQpos, type PoseRecord } from '../../render/pose.js';
import { checkBatchedActions, checkSingleAction } from '../validate.js';
import { allocateStepBuffers, copySeeds, EMPTY_INFO, type BatchedActions, type SnapshotVectorEnv, type VectorResetOptions, type VectorResetResult, type VectorStepBuffers, type VectorStepResult } from '../vector/vector-env.js';
import { locomotionModel, type HealthRule, type LocomotionOptions, type LocomotionTask } from './tasks.js';

/** The resolved settings of a locomotion env (task defaults overridden by keyword arguments). */
export interface LocomotionSettings {
  readonly forwardRewardWeight: number;
  readonly ctrlCostWeight: number;
  readonly healthyReward: number;
  readonly terminateWhenUnhealthy: boolean;
  readonly resetNoiseScale: number;
  readonly excludeCurrentPositionsFromObservation: boolean;
  readonly frameSkip: number;
}

function resolveSettings(task: LocomotionTask, o: LocomotionOptions): LocomotionSettings {
  const s: LocomotionSettings = {
    forwardRewardWeight: o.forwardRewardWeight ?? task.forwardRewardWeight,
    ctrlCostWeight: o.ctrlCostWeight ?? task.ctrlCostWeight,
    healthyReward: o.healthyReward ?? task.healthyReward,
    terminateWhenUnhealthy: o.terminateWhenUnhealthy ?? task.terminateWhenUnhealthy,
    resetNoiseScale: o.resetNoiseScale ?? task.resetNoiseScale,
    excludeCurrentPositionsFromObservation: o.excludeCurrentPositionsFromObservation ?? true,
    frameSkip: o.frameSkip ?? task.frameSkip,
  };
  if (!Number.isInteger(s.frameSkip) || s.frameSkip < 1) throw new ConfigError(`${task.id}: frameSkip must be a positive integer, got ${s.frameSkip}`);
  if (!(s.resetNoiseScale >= 0)) throw new ConfigError(`${task.id}: resetNoiseScale must be ≥ 0, got ${s.resetNoiseScale}`);
  return s;
}

function contactOverrides(o: LocomotionOptions): Partial<ContactParams> {
  return {
    ...(o.contactStiffness !== undefined ? { stiffness: o.contactStiffness } : {}),
    ...(o.contactDamping !== undefined ? { damping: o.contactDamping } : {}),
    ...(o.contactSmoothing !== undefined ? { smoothing: o.contactSmoothing } : {}),
    ...(o.frictionSmoothing !== undefined ? { frictionSmoothing: o.frictionSmoothing } : {}),
  };
}

/**
 * B worlds of one locomotion task: physics state, per-world reward terms and observations.
 * Everything is preallocated; {@link LocomotionBatch.step} allocates nothing.
 */
export class LocomotionBatch {
  readonly model: PhysicsModel;
  readonly data: PhysicsData;
  readonly settings: LocomotionSettings;
  readonly observationSpace: Box;
  readonly actionSpace: Box;
  readonly observationSize: number;
  /** Length of a world's physical state: qpos then qvel. */
  readonly stateSize: number;
  /** Seconds per action (frameSkip × substep). */
  readonly dt: number;
  /** Per-world terms of the last step, for `info`. */
  readonly xVelocity: Float64Array;
  readonly rewardForward: Float64Array;
  readonly rewardCtrl: Float64Array;
  readonly rewardSurvive: Float64Array;
  private readonly xBefore: Float64Array;
  private readonly health: HealthRule | null;
  private readonly skip: number;

  constructor(
    readonly task: LocomotionTask,
    readonly batch: number,
    options: LocomotionOptions = {},
  ) {
    this.settings = resolveSettings(task, options);
    if (options.timestep !== undefined && !(options.timestep > 0 && options.timestep <= 0.05)) {
      throw new ConfigError(`${task.id}: timestep must be in (0, 0.05] s, got ${options.timestep}`);
    }
    this.model = locomotionModel(task, contactOverrides(options), options.timestep);
    this.data = new PhysicsData(this.model, batch);
    const { nq, nv, nu, actuatorCtrlRange } = this.model;
    this.skip = this.settings.excludeCurrentPositionsFromObservation ? task.positionsExcluded : 0;
    this.observationSize = nq - this.skip + nv;
    this.observationSpace = new Box(-Infinity, Infinity, [this.observationSize]);
    const low = Array.from({ length: nu }, (_, u) => actuatorCtrlRange[2 * u] as number);
    const high = Array.from({ length: nu }, (_, u) => actuatorCtrlRange[2 * u + 1] as number);
    this.actionSpace = new Box(low, high);
    this.stateSize = nq + nv;
    this.dt = this.settings.frameSkip * this.model.timestep;
    this.xVelocity = new Float64Array(batch);
    this.rewardForward = new Float64Array(batch);
    this.rewardCtrl = new Float64Array(batch);
    this.rewardSurvive = new Float64Array(batch);
    this.xBefore = new Float64Array(batch);
    this.health = task.healthy;
  }

  /**
   * Samples world w's initial state: qpos = qpos0 + U(−c, c), and qvel = U(−c, c) (hopper,
   * walker) or c·N(0, 1) (half-cheetah, ant), c the reset noise scale; qpos draws first.
   */
  resetWorld(w: number, rng: Rng): void {
    const { nq, nv, qpos0 } = this.model;
    const B = this.batch;
    const c = this.settings.resetNoiseScale;
    const { qpos, qvel } = this.data;
    for (let i = 0; i < nq; i++) qpos[i * B + w] = (qpos0[i] as number) + rng.uniformRange(-c, c);
    if (this.task.velocityNoise === 'uniform') for (let i = 0; i < nv; i++) qvel[i * B + w] = rng.uniformRange(-c, c);
    else for (let i = 0; i < nv; i++) qvel[i * B + w] = c * rng.normal();
  }

  /** Sets world w's qpos and qvel from `state` (qpos then qvel). */
  setWorldState(w: number, state: ArrayLike<number>): void {
    this.data.setQpos(w, state, 0);
    this.data.setQvel(w, state, this.model.nq);
  }

  /** World w's qpos then qvel. */
  getWorldState(w: number): Float64Array {
    const out = new Float64Array(this.stateSize);
    const { nq, nv } = this.model;
    const B = this.batch;
    for (let i = 0; i < nq; i++) out[i] = this.data.qpos[i * B + w] as number;
    for (let i = 0; i < nv; i++) out[nq + i] = this.data.qvel[i * B + w] as number;
    return out;
  }

  /** Whether world w is healthy (always true for tasks without a health rule). */
  isHealthy(w: number): boolean {
    const { nq, nv } = this.model;
    return this.health === null || this.health(this.data.qpos, this.data.qvel, this.batch, w, nq, nv);
  }

  /**
   * One action for every world: `actions` holds B rows of nu controls (unclipped; the model
   * clamps them to the control range, the control cost uses them as given). Writes each world's
   * reward and termination flag.
   */
  step(actions: ArrayLike<number>, rewards: Float64Array, terminated: Uint8Array): void {
    const { model, data, settings, batch: B } = this;
    const { nu } = model;
    const { qpos, ctrl } = data;
    const { forwardRewardWeight, ctrlCostWeight, healthyReward, terminateWhenUnhealthy } = settings;
    for (let w = 0; w < B; w++) {
      let cost = 0;
      for (let u = 0; u < nu; u++) {
        const a = actions[w * nu + u] as number;
        ctrl[u * B + w] = a;
        cost += a * a;
      }
      this.rewardCtrl[w] = -ctrlCostWeight * cost;
      this.xBefore[w] = qpos[w] as number;
    }
    physicsStep(model, data, settings.frameSkip);
    const invDt = 1 / this.dt;
    for (let w = 0; w < B; w++) {
      const xv = ((qpos[w] as number) - (this.xBefore[w] as number)) * invDt;
      const healthy = this.isHealthy(w);
      this.xVelocity[w] = xv;
      this.rewardForward[w] = forwardRewardWeight * xv;
      this.rewardSurvive[w] = healthy ? healthyReward : 0;
      rewards[w] = (this.rewardForward[w] as number) + (this.rewardSurvive[w] as number) + (this.rewardCtrl[w] as number);
      terminated[w] = terminateWhenUnhealthy && !healthy ? 1 : 0;
    }
  }

  /** Writes world w's observation: qpos (without the excluded root positions), then qvel (clipped for hopper and walker). */
  observe(w: number, obs: Float32Array, offset: number): void {
    const { nq, nv } = this.model;
    const B = this.batch;
    const { qpos, qvel } = this.data;
    const clip = this.task.velocityClip;
    let k = offset;
    for (let i = this.skip; i < nq; i++) obs[k++] = qpos[i * B + w] as number;
    for (let i = 0; i < nv; i++) obs[k++] = Math.min(Math.max(qvel[i * B + w] as number, -clip), clip);
  }

  /**
   * World w's current pose for drawing: every body's and geom's world pose, computed from its
   * qpos into fresh buffers and copied out (see `render/pose.ts`; the physics buffers are not
   * touched). Allocates; nothing in {@link LocomotionBatch.step} does.
   */
  renderWorld(w: number): PoseRecord {
    if (!Number.isInteger(w) || w < 0 || w >= this.batch) throw new RangeError(`${this.task.id}: world index ${w} out of range [0, ${this.batch})`);
    return poseFromQpos(this.model, this.data.gather(this.data.qpos, this.model.nq, w));
  }

  /** The info of world w's last step (Gymnasium's keys). */
  info(w: number): Info {
    const info: Record<string, number> = {
      x_position: this.data.qpos[w] as number,
      x_velocity: this.xVelocity[w] as number,
      reward_forward: this.rewardForward[w] as number,
      reward_ctrl: this.rewardCtrl[w] as number,
    };
    if (this.task.healthy !== null) info['reward_survive'] = this.rewardSurvive[w] as number;
    return info;
  }
}

/** Reads the `{ state }` reset option: qpos then qvel, finite numbers. */
function readPhysicsState(envId: string, size: number, options: Readonly<Record<string, unknown>> | undefined): ArrayLike<number> | undefined {
  const state = options?.['state'];
  if (state === undefined) return undefined;
  const ok = (Array.isArray(state) || state instanceof Float64Array || state instanceof Float32Array) && state.length === size;
  if (!ok) throw new SpaceMismatchError(`${envId}: reset option "state" must be ${size} numbers (qpos then qvel), got ${describeValue(state)}`);
  for (let j = 0; j < size; j++) {
    if (typeof state[j] !== 'number' || !Number.isFinite(state[j])) throw new SpaceMismatchError(`${envId}: reset option "state" entry ${j} is ${describeValue(state[j])}, expected a finite number`);
  }
  return state as ArrayLike<number>;
}

/**
 * A single locomotion env (one world). `make()` wraps it in `TimeLimit` (1000 steps).
 * `reset({ options: { state } })` sets qpos then qvel.
 */
export class LocomotionEnv implements Env<Float32Array, Float32Array> {
  readonly observationSpace: Box;
  readonly actionSpace: Box;
  spec: EnvSpec | undefined = undefined;
  /** The batch of one world behind this env (its `model` and `data` are the physics). */
  readonly core: LocomotionBatch;
  private readonly actionScratch: Float32Array;
  private readonly reward = new Float64Array(1);
  private readonly terminated = new Uint8Array(1);
  private rng: Rng | undefined;
  private lifecycle: EnvLifecycle = 'new';

  constructor(
    readonly task: LocomotionTask,
    options: LocomotionOptions = {},
  ) {
    this.core = new LocomotionBatch(task, 1, options);
    this.observationSpace = this.core.observationSpace;
    this.actionSpace = this.core.actionSpace;
    this.actionScratch = new Float32Array(this.actionSpace.flatDim);
  }

  private get id(): string {
    return this.spec?.id ?? this.task.id;
  }

  reset(options: ResetOptions = {}): ResetResult<Float32Array> {
    if (this.lifecycle === 'closed') throw new EnvStateError(`${this.id}: reset() called after close(); make a new env`);
    if (options.seed !== undefined) this.rng = new Rng(options.seed);
    else this.rng ??= new Rng(randomSeed());
    const given = readPhysicsState(this.id, this.core.stateSize, options.options);
    if (given !== undefined) this.core.setWorldState(0, given);
    else this.core.resetWorld(0, this.rng);
    this.lifecycle = 'running';
    return { observation: this.observe(), info: {} };
  }

  step(action: Float32Array): StepResult<Float32Array> {
    assertCanStep(this.id, this.lifecycle);
    const a = checkSingleAction(this.id, this.actionSpace, action, this.actionScratch);
    this.core.step(a, this.reward, this.terminated);
    return { observation: this.observe(), reward: this.reward[0] as number, terminated: this.terminated[0] === 1, truncated: false, info: this.core.info(0) };
  }

  close(): void {
    this.lifecycle = 'closed';
  }

  /** A copy of the physical state: qpos then qvel. */
  getPhysicalState(): Float64Array {
    return this.core.getWorldState(0);
  }

  /** The current pose (body and geom world poses, plain arrays) for drawing, e.g. with `renderFrameSvg(env.core.model, env.render())`. */
  render(): PoseRecord {
    return this.core.renderWorld(0);
  }

  private observe(): Float32Array {
    const obs = new Float32Array(this.core.observationSize);
    this.core.observe(0, obs, 0);
    return obs;
  }
}

/** Options of {@link LocomotionVectorEnv}. */
export interface LocomotionVectorEnvOptions extends LocomotionOptions {
  /** Truncate each copy's episode after this many steps (the registered TimeLimit). */
  readonly maxEpisodeSteps?: number;
  readonly spec?: EnvSpec;
}

/** What {@link LocomotionVectorEnv.getSnapshot} returns. */
export interface LocomotionVectorSnapshot {
  readonly task: string;
  readonly numEnvs: number;
  readonly qpos: Float64Array;
  readonly qvel: Float64Array;
  readonly stepCounts: Int32Array;
  readonly rngs: readonly RngState[];
  readonly observations: Float32Array;
}

/**
 * N copies of a locomotion task in one batch of worlds, stepped together by the batched physics.
 * Finished copies (terminated or at the time limit) are reset in the same step and their last
 * observation goes to `finalObservations`, as in every rxrl vector env. No allocation per step.
 */
export class LocomotionVectorEnv implements SnapshotVectorEnv {
  readonly singleObservationSpace: Box;
  readonly singleActionSpace: Box;
  readonly observationSize: number;
  readonly actionSize: number;
  readonly spec: EnvSpec | undefined;
  /** The batch of `numEnvs` worlds behind this env. */
  readonly core: LocomotionBatch;
  private readonly maxEpisodeSteps: number;
  private readonly stepCounts: Int32Array;
  private readonly rngs: (Rng | undefined)[];
  private readonly result: VectorStepBuffers;
  private lifecycle: EnvLifecycle = 'new';

  constructor(
    readonly task: LocomotionTask,
    readonly numEnvs: number,
    options: LocomotionVectorEnvOptions = {},
  ) {
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`${task.id}: numEnvs must be a positive integer, got ${numEnvs}`);
    this.core = new LocomotionBatch(task, numEnvs, options);
    this.singleObservationSpace = this.core.observationSpace;
    this.singleActionSpace = this.core.actionSpace;
    this.observationSize = this.core.observationSize;
    this.actionSize = this.core.actionSpace.flatDim;
    this.spec = options.spec;
    this.maxEpisodeSteps = options.maxEpisodeSteps ?? Infinity;
    this.stepCounts = new Int32Array(numEnvs);
    this.rngs = new Array<Rng | undefined>(numEnvs).fill(undefined);
    this.result = allocateStepBuffers(numEnvs, this.observationSize);
  }

  private get id(): string {
    return this.spec?.id ?? this.task.id;
  }

  reset(options: VectorResetOptions = {}): VectorResetResult {
    if (this.lifecycle === 'closed') throw new EnvStateError(`${this.id}: reset() called after close(); make a new env`);
    const given = readPhysicsState(this.id, this.core.stateSize, options.options);
    const seedOf = copySeeds(this.id, options, this.numEnvs) ?? (this.rngs[0] === undefined ? copySeeds(this.id, { seed: randomSeed() }, this.numEnvs) : undefined);
    for (let i = 0; i < this.numEnvs; i++) {
      if (seedOf !== undefined) this.rngs[i] = new Rng(seedOf(i));
      if (given !== undefined) this.core.setWorldState(i, given);
      else this.core.resetWorld(i, this.rngs[i] as Rng);
      this.stepCounts[i] = 0;
      this.core.observe(i, this.result.observations, i * this.observationSize);
    }
    this.lifecycle = 'running';
    return { observations: this.result.observations, infos: this.result.infos };
  }

  step(actions: BatchedActions): VectorStepResult {
    assertCanStep(this.id, this.lifecycle);
    checkBatchedActions(this.id, this.singleActionSpace, this.numEnvs, actions);
    const { core, stepCounts, maxEpisodeSteps, observationSize } = this;
    const { observations, rewards, terminated, truncated, finalObservations, finalInfos } = this.result;
    core.step(actions, rewards, terminated);
    for (let i = 0; i < this.numEnvs; i++) {
      const o = i * observationSize;
      const count = (stepCounts[i] as number) + 1;
      // As Gymnasium's TimeLimit: a step at the limit is truncated even if it also terminated.
      const trunc = count >= maxEpisodeSteps;
      truncated[i] = trunc ? 1 : 0;
      if (terminated[i] === 1 || trunc) {
        core.observe(i, finalObservations, o);
        finalInfos[i] = EMPTY_INFO;
        core.resetWorld(i, this.rngs[i] as Rng);
        stepCounts[i] = 0;
      } else {
        finalInfos[i] = undefined;
        stepCounts[i] = count;
      }
      core.observe(i, observations, o);
    }
    return this.result;
  }

  close(): void {
    this.lifecycle = 'closed';
  }

  /**
   * The current pose of copy `index` (default 0) for drawing, as {@link LocomotionEnv.render}.
   * After a step that ended the copy's episode this is already the next episode's first pose.
   */
  render(index = 0): PoseRecord {
    if (!Number.isInteger(index) || index < 0 || index >= this.numEnvs) throw new RangeError(`${this.id}: render(${index}): copy index must be an integer in [0, ${this.numEnvs})`);
    return this.core.renderWorld(index);
  }

  /** Physical states, step counts and random streams of every copy (see {@link SnapshotVectorEnv}). */
  getSnapshot(): LocomotionVectorSnapshot {
    if (this.lifecycle !== 'running') throw new EnvStateError(`${this.id}: getSnapshot() needs a running env; call reset() first`);
    return {
      task: this.task.id,
      numEnvs: this.numEnvs,
      qpos: this.core.data.qpos.slice(),
      qvel: this.core.data.qvel.slice(),
      stepCounts: this.stepCounts.slice(),
      rngs: this.rngs.map((r) => (r as Rng).getState()),
      observations: this.result.observations.slice(),
    };
  }

  setSnapshot(snapshot: unknown): void {
    const s = snapshot as LocomotionVectorSnapshot;
    const { data } = this.core;
    if (s.task !== this.task.id || s.numEnvs !== this.numEnvs || s.qpos.length !== data.qpos.length || s.qvel.length !== data.qvel.length) {
      throw new SpaceMismatchError(`${this.id}: snapshot of ${s.task} × ${s.numEnvs} does not fit ${this.task.id} × ${this.numEnvs}`);
    }
    data.qpos.set(s.qpos);
    data.qvel.set(s.qvel);
    this.stepCounts.set(s.stepCounts);
    s.rngs.forEach((r, i) => (this.rngs[i] = Rng.fromState(r)));
    this.result.observations.set(s.observations);
    this.lifecycle = 'running';
  }
}
