/**
 * The DQN learner: a Q network over the Discrete actions, its target copy, ε-greedy acting, in
 * Stable-Baselines3's order: after every vector env step (`DQN._on_step`) the target update when
 * due and ε from the schedule; each gradient step regresses Q(s, a) on r + γ(1 − d)·max Q̄(s′, ·)
 * with the Huber loss, gradients clipped to `maxGradNorm`.
 * @module
 */

import { argmax, greedyTargets, huberTdLoss, linearSchedule } from '../../algorithms/dqn.js';
import { ConfigError } from '../../core/errors.js';
import { Rng, type RngState } from '../../core/rng.js';
import type { Box, Discrete } from '../../core/spaces.js';
import type { TransitionBatch } from '../../data/transitions.js';
import type { BatchedActions } from '../../envs/vector/vector-env.js';
import { Adam, clipGradNorm, FastMlp, initFanInUniform, polyakUpdate, type AdamState } from '../../nn/fast/index.js';
import { bootstrapFactors, type OffPolicyAgent, type OffPolicyStepMetrics } from '../off-policy-agent.js';
import type { DqnConfig } from './dqn-config.js';

/** Serialisable state of a {@link DqnAgent}. */
export interface DqnAgentState {
  readonly q: Float64Array;
  readonly target: Float64Array;
  readonly adam: AdamState;
  readonly explorationRate: number;
  /** Vector env steps seen (SB3's `_n_calls`). */
  readonly envSteps: number;
  readonly actions: RngState;
}

/** The Discrete space of a DQN agent's actions, refusing others with what to use instead. */
export function requireDiscrete(space: Box | Discrete, env: string): Discrete {
  if (space.kind !== 'Discrete') throw new ConfigError(`${env}: DQN needs Discrete actions, got ${space.kind}; use SAC or TD3 for continuous actions`);
  return space;
}

/** A DQN learner on `observationSize` observations and `actionSpace.n` actions. */
export class DqnAgent implements OffPolicyAgent {
  readonly q: FastMlp;
  /** The target network Q̄ (copied, or Polyak-averaged when tau < 1, every targetUpdateInterval env steps). */
  readonly target: FastMlp;
  readonly adam: Adam;
  private readonly config: DqnConfig;
  private readonly actionCount: number;
  /** Vector env steps between target updates (SB3: targetUpdateInterval // numEnvs, at least 1). */
  private readonly targetEvery: number;
  /** ε of the next exploring action (0 before the first env step, as SB3). */
  explorationRate = 0;
  private envSteps = 0;
  private actRng: Rng;
  private actOut = new Int32Array(0);
  private bootstrap = new Float64Array(0);
  private targets = new Float64Array(0);
  private gradQ = new Float64Array(0);

  constructor(config: DqnConfig, observationSize: number, actionSpace: Discrete, rng: Rng) {
    this.config = config;
    this.actionCount = actionSpace.n;
    const sizes = [observationSize, ...config.policy.hidden, this.actionCount];
    this.q = new FastMlp({ sizes, activation: config.policy.activation });
    initFanInUniform(this.q, rng.split('q'));
    this.target = new FastMlp({ sizes, activation: config.policy.activation });
    this.target.params.set(this.q.params);
    this.adam = new Adam(this.q.paramCount, { lr: config.learningRate });
    this.targetEvery = Math.max(Math.floor(config.targetUpdateInterval / config.numEnvs), 1);
    this.actRng = rng.split('actions');
  }

  /**
   * Actions for `n` observations: argmax Q, or, unless `deterministic`, with probability ε uniformly
   * random actions for all `n` (one draw for the batch, as SB3's and CleanRL's `predict`).
   */
  act(observations: Float32Array, n: number, deterministic: boolean, sampler: Rng = this.actRng): { readonly actions: Int32Array } {
    if (this.actOut.length < n) this.actOut = new Int32Array(n);
    const out = this.actOut.subarray(0, n);
    if (!deterministic && sampler.uniform() < this.explorationRate) {
      this.randomActions(n, sampler, out);
      return { actions: out };
    }
    const q = this.q.forwardInference(observations, n);
    for (let b = 0; b < n; b++) out[b] = argmax(q, b * this.actionCount, this.actionCount);
    return { actions: out };
  }

  /** Uniformly random actions for `n` copies from `rng` into `out`. */
  randomActions(n: number, rng: Rng, out: BatchedActions): BatchedActions {
    for (let b = 0; b < n; b++) out[b] = rng.int(this.actionCount);
    return out.subarray(0, n);
  }

  /** After each vector env step (SB3's `_on_step`): the target update when due, then ε at `step` of `totalSteps`. */
  afterEnvStep(step: number, totalSteps: number): void {
    this.envSteps++;
    if (this.envSteps % this.targetEvery === 0) polyakUpdate(this.target.params, this.q.params, this.config.tau);
    const c = this.config;
    this.explorationRate = linearSchedule(c.explorationInitialEps, c.explorationFinalEps, c.explorationFraction, step / totalSteps);
  }

  private ensure(batch: number): void {
    if (this.targets.length >= batch) return;
    this.bootstrap = new Float64Array(batch);
    this.targets = new Float64Array(batch);
    this.gradQ = new Float64Array(batch * this.actionCount);
  }

  /** One gradient step on `batch`. */
  update(batch: TransitionBatch): OffPolicyStepMetrics {
    const B = batch.size;
    const K = this.actionCount;
    this.ensure(B);
    greedyTargets(batch.rewards, bootstrapFactors(batch, this.bootstrap), this.target.forwardInference(batch.nextObservations, B), B, K, this.targets);
    const q = this.q.forward(batch.observations, B);
    let meanQ = 0;
    for (let b = 0; b < B; b++) meanQ += (q[b * K + (batch.actions[b] as number)] as number) / B;
    const loss = huberTdLoss(q, batch.actions, this.targets, B, K, this.gradQ);
    this.q.backward(this.gradQ.subarray(0, B * K), B);
    const gradNorm = clipGradNorm(this.q.grads, this.config.maxGradNorm);
    this.adam.step(this.q.params, this.q.grads);
    return { criticLoss: loss, actorLoss: null, entropy: null, details: { meanQ, gradNorm, explorationRate: this.explorationRate } };
  }

  getState(): DqnAgentState {
    return { q: this.q.params.slice(), target: this.target.params.slice(), adam: this.adam.getState(), explorationRate: this.explorationRate, envSteps: this.envSteps, actions: this.actRng.getState() };
  }

  setState(state: unknown): void {
    const s = state as DqnAgentState;
    if (s.q.length !== this.q.paramCount) throw new RangeError(`DqnAgent: state has ${s.q.length} parameters, this network ${this.q.paramCount}`);
    this.q.params.set(s.q);
    this.target.params.set(s.target);
    this.adam.setState(s.adam);
    this.explorationRate = s.explorationRate;
    this.envSteps = s.envSteps;
    this.actRng = Rng.fromState(s.actions);
  }
}
