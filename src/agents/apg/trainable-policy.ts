/**
 * The trainable squashed-Gaussian policy bundle the gradient agents (APG, ILD) share: the
 * policy network with one Adam per parameter group (mean network, log σ), the observation
 * normaliser, the action-noise stream, the evaluation actor, and the per-step window buffers
 * that a policy step records in the forward pass and reads back in the backward pass.
 *
 * Forward, per step t: the agent writes the normalised observations into
 * {@link TrainablePolicy.obsNormAt}[t], then {@link TrainablePolicy.actStep} samples the
 * actions and loads them into the worlds' controls. Backward, in the rollout's `onStep(t)`:
 * {@link TrainablePolicy.gatherActionsBar} reads ∂L/∂a_t, the agent adds its own terms, then
 * {@link TrainablePolicy.backwardStep} accumulates the policy gradient and adds
 * (∂π/∂s_t)ᵀ·ā_t to the state cotangent.
 * @module
 */

import { Rng, type RngState } from '../../core/rng.js';
import type { DifferentiableTask, WorldArrays } from '../../envs/differentiable-task.js';
import type { RunningMeanStdState } from '../../envs/wrappers/running-mean-std.js';
import type { ActOutput } from '../../loop/agent.js';
import { Adam, clipGradNorm, type AdamState } from '../../nn/fast/index.js';
import { PolicyActor, type ValueSource } from './policy-actor.js';
import { SquashedGaussianPolicy, type SquashedGaussianPolicyOptions, type SquashedGaussianPolicyState } from './squashed-gaussian.js';
import { stepViews } from './step-views.js';
import { WindowNormalizer } from './window-normalizer.js';

/** Options of a {@link TrainablePolicy}. */
export interface TrainablePolicyOptions {
  /** The worlds' differentiable view (sizes, `observeVjp`). */
  readonly diff: DifferentiableTask;
  /** Action bounds of the env. */
  readonly low: ArrayLike<number>;
  readonly high: ArrayLike<number>;
  /** Number of worlds B stepped together. */
  readonly numWorlds: number;
  /** Policy steps per window. */
  readonly steps: number;
  /** Observation blocks kept per window (≥ `steps`; APG also keeps the window's final observation). */
  readonly observationSteps: number;
  readonly policy: Pick<SquashedGaussianPolicyOptions, 'hidden' | 'activation' | 'logStdInit'>;
  /** Whether observations are normalised by running statistics. */
  readonly observationRms: boolean;
  /** Adam (β1, β2) of both optimisers; omitted: Adam's defaults. */
  readonly betas?: readonly [number, number];
  /** Critic reporting values at evaluation, or null. */
  readonly critic: ValueSource | null;
  /** The agent's stream: the policy's streams are its splits `actor`, `noise` and `act`. */
  readonly rng: Rng;
}

/** Serialisable state of a {@link TrainablePolicy}. */
export interface TrainablePolicyState {
  readonly policy: SquashedGaussianPolicyState;
  readonly adam: { readonly mean: AdamState; readonly logStd: AdamState };
  readonly observationRms: RunningMeanStdState;
  readonly noise: RngState;
  readonly act: RngState;
}

export type { WorldArrays } from '../../envs/differentiable-task.js';

/** A squashed-Gaussian policy with its optimisers, normaliser and per-step window buffers. */
export class TrainablePolicy {
  readonly policy: SquashedGaussianPolicy;
  readonly normalizer: WindowNormalizer;
  /** Normalised observations, step-major: step t's block of B·O starts at t·B·O. */
  readonly obsNorm: Float64Array;
  /** qpos before the current step (its reward needs it). */
  readonly qposBefore: Float64Array;
  /** ∂L/∂a of the current backward step, world-major [B × nu]. */
  readonly actionsBar: Float64Array;
  // Per-step views of the window buffers (see stepViews).
  readonly obsNormAt: readonly Float64Array[];
  readonly qposBeforeAt: readonly Float64Array[];
  readonly qvelBeforeAt: readonly Float64Array[];
  readonly epsAt: readonly Float64Array[];
  readonly squashedAt: readonly Float64Array[];
  readonly actionsAt: readonly Float64Array[];
  private readonly diff: DifferentiableTask;
  private readonly actor: PolicyActor;
  private readonly meanAdam: Adam;
  private readonly logStdAdam: Adam;
  private noiseRng: Rng;
  private readonly B: number;
  private readonly nu: number;
  private readonly obsGrad: Float64Array;

  constructor(options: TrainablePolicyOptions) {
    const { diff, numWorlds: B, steps: T, rng } = options;
    const { observationSize: O, nq, nv, nu } = diff;
    this.diff = diff;
    this.B = B;
    this.nu = nu;
    this.policy = new SquashedGaussianPolicy({
      observationSize: O,
      low: Array.from(options.low),
      high: Array.from(options.high),
      hidden: options.policy.hidden,
      activation: options.policy.activation,
      logStdInit: options.policy.logStdInit,
      rng: rng.split('actor'),
    });
    this.normalizer = new WindowNormalizer(O, options.observationRms);
    // Betas omitted leave Adam's own defaults (ILD's optimiser).
    const adamOptions = options.betas === undefined ? {} : { beta1: options.betas[0], beta2: options.betas[1] };
    this.meanAdam = new Adam(this.policy.net.paramCount, adamOptions);
    this.logStdAdam = new Adam(nu, adamOptions);
    this.noiseRng = rng.split('noise');
    this.actor = new PolicyActor(this.policy, this.normalizer, options.critic, rng.split('act'));
    this.obsNorm = new Float64Array(options.observationSteps * B * O);
    this.qposBefore = new Float64Array(nq * B);
    this.actionsBar = new Float64Array(B * nu);
    this.obsGrad = new Float64Array(B * O);
    this.obsNormAt = stepViews(this.obsNorm, B * O, options.observationSteps);
    this.qposBeforeAt = stepViews(new Float64Array(T * nq * B), nq * B, T);
    this.qvelBeforeAt = stepViews(new Float64Array(T * nv * B), nv * B, T);
    this.epsAt = stepViews(new Float64Array(T * B * nu), B * nu, T);
    this.squashedAt = stepViews(new Float64Array(T * B * nu), B * nu, T);
    this.actionsAt = stepViews(new Float64Array(T * B * nu), B * nu, T);
  }

  /**
   * Samples step t's actions from `obsNormAt[t]` (recording the noise and squashed means for
   * the backward pass), loads them into `data.ctrl` and records the state before the step.
   * Returns the actions, world-major [B × nu].
   */
  actStep(t: number, data: WorldArrays): Float64Array {
    const { B, nu } = this;
    const eps = this.epsAt[t] as Float64Array;
    const actions = this.actionsAt[t] as Float64Array;
    for (let i = 0; i < B * nu; i++) eps[i] = this.noiseRng.normal();
    this.policy.act(this.obsNormAt[t] as Float64Array, B, eps, this.squashedAt[t] as Float64Array, actions);
    for (let w = 0; w < B; w++) for (let u = 0; u < nu; u++) data.ctrl[u * B + w] = actions[w * nu + u] as number;
    this.qposBefore.set(data.qpos);
    (this.qposBeforeAt[t] as Float64Array).set(data.qpos);
    (this.qvelBeforeAt[t] as Float64Array).set(data.qvel);
    return actions;
  }

  /** Copies the controls' cotangent (world-minor) into {@link TrainablePolicy.actionsBar} (world-major) and returns it. */
  gatherActionsBar(ctrlBar: Float64Array): Float64Array {
    const { B, nu, actionsBar } = this;
    for (let w = 0; w < B; w++) for (let u = 0; u < nu; u++) actionsBar[w * nu + u] = ctrlBar[u * B + w] as number;
    return actionsBar;
  }

  /**
   * Takes {@link TrainablePolicy.actionsBar} through step t's policy (accumulating its
   * parameter gradient); with `needInput`, also through the normaliser and the observation
   * into `qposBar`/`qvelBar` (skipped where the state before the step gets no cotangent).
   */
  backwardStep(t: number, needInput: boolean, qposBar: Float64Array, qvelBar: Float64Array): void {
    const { B } = this;
    const gObs = this.policy.backward(this.obsNormAt[t] as Float64Array, B, this.epsAt[t] as Float64Array, this.squashedAt[t] as Float64Array, this.actionsBar, needInput);
    if (gObs === null) return;
    const g = this.obsGrad;
    g.set(gObs);
    this.normalizer.backward(g, B);
    this.diff.observeVjp(this.qposBeforeAt[t] as Float64Array, this.qvelBeforeAt[t] as Float64Array, B, g, qposBar, qvelBar);
  }

  /**
   * Clips the accumulated gradient to global norm `maxGradNorm` and takes an Adam step at
   * `lr`, unless the norm is not finite (one bad window then skips its step instead of
   * poisoning the parameters).
   */
  step(maxGradNorm: number, lr: number): { readonly gradNorm: number; readonly stepped: boolean } {
    const p = this.policy;
    const gradNorm = clipGradNorm([p.meanGrad, p.logStdGrad], maxGradNorm);
    const stepped = Number.isFinite(gradNorm);
    if (stepped) {
      this.meanAdam.step(p.net.params, p.meanGrad, lr);
      this.logStdAdam.step(p.logStd, p.logStdGrad, lr);
    }
    return { gradNorm, stepped };
  }

  /** Evaluation actions for `n` raw observations (see {@link PolicyActor.act}). */
  act(observations: Float32Array, n: number, deterministic: boolean, sampler?: Rng): ActOutput {
    return this.actor.act(observations, n, deterministic, sampler);
  }

  getState(): TrainablePolicyState {
    return {
      policy: this.policy.getState(),
      adam: { mean: this.meanAdam.getState(), logStd: this.logStdAdam.getState() },
      observationRms: this.normalizer.getState(),
      noise: this.noiseRng.getState(),
      act: this.actor.getRngState(),
    };
  }

  setState(s: TrainablePolicyState): void {
    this.policy.setState(s.policy);
    this.meanAdam.setState(s.adam.mean);
    this.logStdAdam.setState(s.adam.logStd);
    this.normalizer.setState(s.observationRms);
    this.noiseRng = Rng.fromState(s.noise);
    this.actor.setRngState(s.act);
  }
}

/** The learning rate at `progress` ∈ [0, 1]: `start` throughout (`constant`) or linearly to `final` (`linear`). */
export function scheduledRate(start: number, final: number, schedule: 'linear' | 'constant', progress: number): number {
  const scale = schedule === 'linear' ? Math.min(1, Math.max(0, progress)) : 0;
  return start + (final - start) * scale;
}
