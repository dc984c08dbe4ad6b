/**
 * The TD3 learner: a deterministic tanh actor with a target copy, twin critics with target
 * copies, updated in Stable-Baselines3's order (`TD3.train`): the critics every gradient step
 * towards r + γ·min_k Q̄_k(s′, smoothed μ̄(s′)); every `policyDelay`-th step the actor against the
 * first critic, then both targets by Polyak averaging.
 * @module
 */

import { softTargets } from '../../algorithms/sac.js';
import { addExplorationNoise, deterministicActorLoss, smoothTargetActions } from '../../algorithms/td3.js';
import { Rng, type RngState } from '../../core/rng.js';
import type { Box } from '../../core/spaces.js';
import type { TransitionBatch } from '../../data/transitions.js';
import { Adam, FastMlp, initFanInUniform, polyakUpdate, type AdamState } from '../../nn/fast/index.js';
import { ValueHeads, type ValueHeadsState } from '../offline/value-heads.js';
import { actionGradients, bootstrapFactors, BoxScaling, fitTwinCritics, stateActionRows, type OffPolicyAgent, type OffPolicyStepMetrics } from '../off-policy-agent.js';
import type { Td3Config } from './td3-config.js';

/** Serialisable state of a {@link Td3Agent}. */
export interface Td3AgentState {
  readonly actor: Float64Array;
  readonly actorTarget: Float64Array;
  readonly actorAdam: AdamState;
  readonly critic: ValueHeadsState;
  /** The stream of the target smoothing noise. */
  readonly noise: RngState;
  /** The stream of the exploration noise. */
  readonly actions: RngState;
  readonly gradientSteps: number;
}

/** A TD3 learner on `observationSize` observations and a bounded Box of actions. */
export class Td3Agent implements OffPolicyAgent {
  /** μ(s) ∈ [−1, 1]^A: ReLU layers, then tanh (SB3's actor with `squash_output`). */
  readonly actor: FastMlp;
  /** The target actor μ̄ (Polyak-averaged copy). */
  readonly actorTarget: FastMlp;
  readonly actorAdam: Adam;
  readonly critic: ValueHeads;
  private readonly config: Td3Config;
  private readonly obsDim: number;
  private readonly actDim: number;
  private readonly scaling: BoxScaling;
  private noise: Rng;
  private actRng: Rng;
  private gradientSteps = 0;
  // Scratch, sized for the batch (or the acting copies) on first use.
  private stateActions = new Float64Array(0);
  private nextActions = new Float64Array(0);
  private nextMinQ = new Float64Array(0);
  private noEntropy = new Float64Array(0);
  private bootstrap = new Float64Array(0);
  private targets = new Float64Array(0);
  private gradQ = new Float64Array(0);
  private gradActions = new Float64Array(0);
  private unit = new Float64Array(0);
  private actOut = new Float32Array(0);

  constructor(config: Td3Config, observationSize: number, actionSpace: Box, rng: Rng) {
    this.config = config;
    this.obsDim = observationSize;
    this.actDim = actionSpace.flatDim;
    this.scaling = new BoxScaling(actionSpace);
    const sizes = [observationSize, ...config.policy.hidden, this.actDim];
    this.actor = new FastMlp({ sizes, activation: config.policy.activation, outputActivation: 'tanh' });
    initFanInUniform(this.actor, rng.split('policy'));
    this.actorTarget = new FastMlp({ sizes, activation: config.policy.activation, outputActivation: 'tanh' });
    this.actorTarget.params.set(this.actor.params);
    this.actorAdam = new Adam(this.actor.paramCount, { lr: config.learningRate });
    // Pass 0 fits the critics; pass 1 differentiates them at the actor's actions.
    this.critic = new ValueHeads({ inputSize: observationSize + this.actDim, hidden: config.critic.hidden, heads: 2, layerNorm: false, lr: config.learningRate, passes: 2, rng: rng.split('critic') });
    this.noise = rng.split('noise');
    this.actRng = rng.split('actions');
  }

  /** Env actions for `n` observations: μ(s), plus the clipped exploration noise unless `deterministic` (from `sampler`, else the agent's stream). */
  act(observations: Float32Array, n: number, deterministic: boolean, sampler: Rng = this.actRng): { readonly actions: Float32Array } {
    const A = this.actDim;
    if (this.actOut.length < n * A) {
      this.actOut = new Float32Array(n * A);
      this.unit = new Float64Array(n * A);
    }
    this.unit.set(this.actor.forwardInference(observations, n).subarray(0, n * A));
    if (!deterministic && this.config.actionNoise > 0) addExplorationNoise(this.unit, n * A, this.config.actionNoise, sampler);
    return { actions: this.scaling.toEnv(this.unit, n, this.actOut) };
  }

  /** Uniformly random env actions for `n` copies from `rng` (SB3's warm-up before learning starts). */
  randomActions(n: number, rng: Rng, out: Float32Array): Float32Array {
    return this.scaling.randomActions(n, rng, out);
  }

  private ensure(batch: number): void {
    if (this.targets.length >= batch) return;
    const A = this.actDim;
    this.stateActions = new Float64Array(batch * (this.obsDim + A));
    this.nextActions = new Float64Array(batch * A);
    this.nextMinQ = new Float64Array(batch);
    this.noEntropy = new Float64Array(batch);
    this.bootstrap = new Float64Array(batch);
    this.targets = new Float64Array(batch);
    this.gradQ = new Float64Array(2 * batch);
    this.gradActions = new Float64Array(batch * A);
  }

  /** One gradient step on `batch` (actions in the env's scale, as the replay buffer holds them). */
  update(batch: TransitionBatch): OffPolicyStepMetrics {
    const B = batch.size;
    const A = this.actDim;
    const O = this.obsDim;
    this.ensure(B);
    this.gradientSteps++;
    // Targets: the target actor's smoothed action at s′, the smaller target critic.
    this.nextActions.set(this.actorTarget.forwardInference(batch.nextObservations, B).subarray(0, B * A));
    smoothTargetActions(this.nextActions, B * A, this.config.targetPolicyNoise, this.config.targetNoiseClip, this.noise);
    this.critic.targetMin(stateActionRows(batch.nextObservations, this.nextActions, B, O, A, null, this.stateActions), B, this.nextMinQ);
    softTargets(batch.rewards, bootstrapFactors(batch, this.bootstrap), this.nextMinQ, this.noEntropy, B, this.targets);
    // Critics: Σ_k MSE(Q_k(s, a), y), SB3's sum (scale 2 of the mean over heads).
    const { loss: criticLoss, meanQ } = fitTwinCritics(this.critic, stateActionRows(batch.observations, batch.actions, B, O, A, this.scaling, this.stateActions), this.targets, B, 2, this.gradQ);
    if (this.gradientSteps % this.config.policyDelay !== 0) return { criticLoss, actorLoss: null, entropy: null, details: { meanQ } };
    // Actor: −mean Q_1(s, μ(s)) through the updated critics, then both targets.
    const t = this.actor.forward(batch.observations, B);
    const at = this.critic.pass(1);
    const qPi = at.forward(stateActionRows(batch.observations, t, B, O, A, null, this.stateActions), B);
    const actorLoss = deterministicActorLoss(qPi, 2, B, this.gradQ);
    this.actor.backward(actionGradients(at.backwardToInput(this.gradQ, B), B, O, A, this.gradActions), B);
    this.actorAdam.step(this.actor.params, this.actor.grads);
    this.critic.softUpdate(this.config.tau);
    polyakUpdate(this.actorTarget.params, this.actor.params, this.config.tau);
    return { criticLoss, actorLoss, entropy: null, details: { meanQ } };
  }

  getState(): Td3AgentState {
    return {
      actor: this.actor.params.slice(),
      actorTarget: this.actorTarget.params.slice(),
      actorAdam: this.actorAdam.getState(),
      critic: this.critic.getState(),
      noise: this.noise.getState(),
      actions: this.actRng.getState(),
      gradientSteps: this.gradientSteps,
    };
  }

  setState(state: unknown): void {
    const s = state as Td3AgentState;
    if (s.actor.length !== this.actor.paramCount) throw new RangeError(`Td3Agent: state has ${s.actor.length} actor parameters, this actor ${this.actor.paramCount}`);
    this.actor.params.set(s.actor);
    this.actorTarget.params.set(s.actorTarget);
    this.actorAdam.setState(s.actorAdam);
    this.critic.setState(s.critic);
    this.noise = Rng.fromState(s.noise);
    this.actRng = Rng.fromState(s.actions);
    this.gradientSteps = s.gradientSteps;
  }
}
