/**
 * The SAC learner: a squashed Gaussian actor, twin critics with Polyak-averaged targets, and a
 * learned temperature, updated in Stable-Baselines3's order (`SAC.train`): the temperature from
 * the actor's fresh sample, then the critics towards the soft targets, then the actor against
 * the updated critics, then the targets.
 * @module
 */

import { twinRegressionLoss } from '../../algorithms/iql.js';
import { actorLoss, entropyTerms, softTargets, temperatureLoss } from '../../algorithms/sac.js';
import { ConfigError } from '../../core/errors.js';
import { Rng, type RngState } from '../../core/rng.js';
import type { Box, Discrete } from '../../core/spaces.js';
import type { TransitionBatch } from '../../data/transitions.js';
import type { PolicyActor } from '../../loop/agent.js';
import { Adam, type AdamState } from '../../nn/fast/index.js';
import { ValueHeads, type ValueHeadsState } from '../offline/value-heads.js';
import type { SacConfig } from './sac-config.js';
import { SacPolicy, type SacPolicyState } from './sac-policy.js';

/** What one gradient step measured; per entropy group (SAC: one; SAC-RS: the action, then z′). */
export interface SacStepMetrics {
  readonly criticLoss: number;
  readonly actorLoss: number;
  /** α of each group used in this step's losses. */
  readonly alphas: readonly number[];
  /** The temperatures' losses (NaN where α is fixed). */
  readonly alphaLosses: readonly number[];
  /** −mean log π of the actor's sample per group: the entropy estimates the temperatures are tuned on. */
  readonly entropies: readonly number[];
  /** Mean of the critics' Q(s, a) on the batch. */
  readonly meanQ: number;
}

/** Serialisable state of a {@link SacAgent}. */
export interface SacAgentState {
  readonly policy: SacPolicyState;
  readonly critic: ValueHeadsState;
  /** log α per entropy group. */
  readonly logAlphas: Float64Array;
  /** The optimiser of the learned log α's (every group's entry; fixed ones do not move). */
  readonly alphaAdam: AdamState;
  readonly noise: RngState;
  readonly actions: RngState;
  readonly gradientSteps: number;
}

/** The Box of a SAC agent's actions, refusing what tanh squashing cannot serve; the last `free` entries (SAC-RS's z′) may be unbounded. */
export function requireBoundedBox(space: Box | Discrete, env: string, free = 0): Box {
  if (space.kind !== 'Box') throw new ConfigError(`${env}: SAC needs continuous (Box) actions, got ${space.kind}; use PPO or A2C for discrete actions`);
  for (let j = 0; j < space.flatDim - free; j++) {
    if (!Number.isFinite(space.low[j]) || !Number.isFinite(space.high[j])) throw new ConfigError(`${env}: SAC squashes actions with tanh into the action bounds, but entry ${j} is unbounded [${space.low[j]}, ${space.high[j]}]; wrap the env to give it finite bounds`);
  }
  return space;
}

/** A SAC learner on `observationSize` observations and a bounded Box of actions. */
export class SacAgent implements PolicyActor {
  readonly policy: SacPolicy;
  readonly critic: ValueHeads;
  private readonly config: SacConfig;
  private readonly obsDim: number;
  private readonly actDim: number;
  private readonly mid: Float64Array;
  private readonly half: Float64Array;
  /** Sizes of the entropy groups: [A] for SAC, [A − Z, Z] for SAC-RS. */
  private readonly groups: readonly number[];
  private readonly targetEntropies: readonly number[];
  /** Whether each group's α is learned. */
  private readonly learned: readonly boolean[];
  private readonly logAlphas: Float64Array;
  private readonly alphaAdam: Adam;
  private readonly alphaGrads: Float64Array;
  private readonly alphaValues: Float64Array;
  private noise: Rng;
  private actRng: Rng;
  private gradientSteps = 0;
  // Scratch, sized for the batch (or the acting copies) on first use.
  private stateActions = new Float64Array(0);
  private nextActions = new Float64Array(0);
  private nextLogProbs = new Float64Array(0);
  private nextTerms = new Float64Array(0);
  private terms = new Float64Array(0);
  private nextMinQ = new Float64Array(0);
  private bootstrap = new Float64Array(0);
  private targets = new Float64Array(0);
  private gradQ = new Float64Array(0);
  private gradActions = new Float64Array(0);
  private gradLogProbs = new Float64Array(0);
  private squashed = new Float64Array(0);
  private actLogProbs = new Float64Array(0);
  private actOut = new Float32Array(0);

  constructor(config: SacConfig, observationSize: number, actionSpace: Box, rng: Rng) {
    this.config = config;
    this.obsDim = observationSize;
    this.actDim = actionSpace.flatDim;
    this.mid = new Float64Array(this.actDim);
    this.half = new Float64Array(this.actDim);
    const Z = config.stateDim ?? 0;
    // z′ lives in (−1, 1) as the policy squashes it: mid 0, half-width 1.
    this.half.fill(1);
    for (let j = 0; j < this.actDim - Z; j++) {
      this.mid[j] = ((actionSpace.low[j] as number) + (actionSpace.high[j] as number)) / 2;
      this.half[j] = ((actionSpace.high[j] as number) - (actionSpace.low[j] as number)) / 2;
    }
    this.groups = Z > 0 ? [this.actDim - Z, Z] : [this.actDim];
    this.policy = new SacPolicy({ observationSize, actionSize: this.actDim, hidden: config.policy.hidden, activation: config.policy.activation, learningRate: config.learningRate, groups: this.groups, rng: rng.split('policy') });
    // Pass 0 fits the critics; pass 1 differentiates them at the actor's actions.
    this.critic = new ValueHeads({ inputSize: observationSize + this.actDim, hidden: config.critic.hidden, heads: 2, layerNorm: false, lr: config.learningRate, passes: 2, rng: rng.split('critic') });
    const coefs = Z > 0 ? [config.entCoef, config.stateEntCoef] : [config.entCoef];
    const targets = Z > 0 ? [config.targetEntropy, config.stateTargetEntropy] : [config.targetEntropy];
    this.targetEntropies = targets.map((t, g) => (t === 'auto' ? -(this.groups[g] as number) : t));
    this.learned = coefs.map((c) => c === 'auto');
    this.logAlphas = Float64Array.from(coefs, (c) => Math.log(c === 'auto' ? config.entCoefInit : c));
    // One Adam over the log α's: it is elementwise, so each entry moves as with an optimiser of its own.
    this.alphaAdam = new Adam(this.groups.length, { lr: config.learningRate });
    this.alphaGrads = new Float64Array(this.groups.length);
    this.alphaValues = new Float64Array(this.groups.length);
    this.noise = rng.split('noise');
    this.actRng = rng.split('actions');
  }

  /** The temperature α of each entropy group (SAC: one; SAC-RS: the action's, then z′'s). */
  get alphas(): number[] {
    return Array.from(this.logAlphas, Math.exp);
  }

  /** Env actions for `n` observations: sampled (from `sampler`, else the agent's stream) or, when `deterministic`, mid + half·tanh(μ). */
  act(observations: Float32Array, n: number, deterministic: boolean, sampler: Rng = this.actRng): { readonly actions: Float32Array } {
    const A = this.actDim;
    if (this.actOut.length < n * A) {
      this.actOut = new Float32Array(n * A);
      this.squashed = new Float64Array(n * A);
      this.actLogProbs = new Float64Array(n * this.groups.length);
    }
    if (deterministic) this.policy.mode(observations, n, this.squashed);
    else this.policy.infer(observations, n, sampler, this.squashed, this.actLogProbs);
    return { actions: this.toEnv(this.squashed, n, this.actOut) };
  }

  /** Uniformly random env actions for `n` copies from `rng` (SB3's warm-up before learning starts). */
  randomActions(n: number, rng: Rng, out: Float32Array): Float32Array {
    const A = this.actDim;
    if (this.squashed.length < n * A) this.squashed = new Float64Array(n * A);
    for (let k = 0; k < n * A; k++) this.squashed[k] = rng.uniformRange(-1, 1);
    return this.toEnv(this.squashed, n, out);
  }

  private toEnv(t: Float64Array, n: number, out: Float32Array): Float32Array {
    const A = this.actDim;
    for (let b = 0; b < n; b++) for (let j = 0; j < A; j++) out[b * A + j] = (this.mid[j] as number) + (this.half[j] as number) * (t[b * A + j] as number);
    return out.subarray(0, n * A);
  }

  private ensure(batch: number): void {
    if (this.targets.length >= batch) return;
    const A = this.actDim;
    this.stateActions = new Float64Array(batch * (this.obsDim + A));
    this.nextActions = new Float64Array(batch * A);
    this.nextLogProbs = new Float64Array(batch * this.groups.length);
    this.nextTerms = new Float64Array(batch);
    this.terms = new Float64Array(batch);
    this.nextMinQ = new Float64Array(batch);
    this.bootstrap = new Float64Array(batch);
    this.targets = new Float64Array(batch);
    this.gradQ = new Float64Array(2 * batch);
    this.gradActions = new Float64Array(batch * A);
    this.gradLogProbs = new Float64Array(batch * this.groups.length);
    if (this.squashed.length < batch * A) this.squashed = new Float64Array(batch * A);
  }

  /** Rows [s_b, t_b] into the critic-input scratch; `squashed` actions, or env actions mapped back to [−1, 1]. */
  private criticInput(observations: Float32Array, actions: ArrayLike<number>, batch: number, envScale: boolean): Float64Array {
    const O = this.obsDim;
    const A = this.actDim;
    const D = O + A;
    const sa = this.stateActions;
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < O; i++) sa[b * D + i] = observations[b * O + i] as number;
      for (let j = 0; j < A; j++) {
        const a = actions[b * A + j] as number;
        sa[b * D + O + j] = envScale ? Math.min(1, Math.max(-1, (a - (this.mid[j] as number)) / (this.half[j] as number))) : a;
      }
    }
    return sa.subarray(0, batch * D);
  }

  /** One gradient step on `batch` (actions in the env's scale, as the replay buffer holds them). */
  update(batch: TransitionBatch): SacStepMetrics {
    const B = batch.size;
    const A = this.actDim;
    this.ensure(B);
    // The actor's reparameterised sample at s, kept for its backward at the end.
    const G = this.groups.length;
    const pi = this.policy.sample(batch.observations, B, this.noise);
    // The temperatures of before their step weigh this step's losses (as SB3's ent_coef).
    const alphas = this.alphaValues;
    for (let g = 0; g < G; g++) alphas[g] = Math.exp(this.logAlphas[g] as number);
    const alphaLosses: number[] = [];
    const entropies: number[] = [];
    for (let g = 0; g < G; g++) {
      let entropy = 0;
      for (let b = 0; b < B; b++) entropy -= (pi.logProbs[b * G + g] as number) / B;
      entropies.push(entropy);
      const t = temperatureLoss(this.logAlphas[g] as number, pi.logProbs, this.targetEntropies[g] as number, B, G, g);
      alphaLosses.push(this.learned[g] ? t.loss : Number.NaN);
      this.alphaGrads[g] = this.learned[g] ? t.grad : 0;
    }
    if (this.learned.some((l) => l)) this.alphaAdam.step(this.logAlphas, this.alphaGrads);
    // Soft targets from the target critics at the policy's next actions.
    this.policy.infer(batch.nextObservations, B, this.noise, this.nextActions, this.nextLogProbs);
    this.critic.targetMin(this.criticInput(batch.nextObservations, this.nextActions, B, false), B, this.nextMinQ);
    for (let b = 0; b < B; b++) this.bootstrap[b] = (batch.discounts[b] as number) * (1 - (batch.terminals[b] as number));
    entropyTerms(this.nextLogProbs, alphas, B, this.nextTerms);
    softTargets(batch.rewards, this.bootstrap, this.nextMinQ, this.nextTerms, B, this.targets);
    // Critics: ½ Σ_k MSE(Q_k(s, a), y).
    const fit = this.critic.pass(0);
    const q = fit.forward(this.criticInput(batch.observations, batch.actions, B, true), B);
    let meanQ = 0;
    for (let k = 0; k < 2 * B; k++) meanQ += (q[k] as number) / (2 * B);
    const criticLoss = twinRegressionLoss(q, this.targets, 2, B, this.gradQ);
    fit.backward(this.gradQ, B);
    this.critic.step(fit.grads);
    // Actor: α·log π − min_k Q_k at its own actions, through the updated critics.
    const at = this.critic.pass(1);
    const qPi = at.forward(this.criticInput(batch.observations, pi.actions, B, false), B);
    entropyTerms(pi.logProbs, alphas, B, this.terms);
    const loss = actorLoss(qPi, this.terms, 2, B, this.gradQ);
    const inputGrad = at.backwardToInput(this.gradQ, B);
    const D = this.obsDim + A;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < A; j++) this.gradActions[b * A + j] = inputGrad[b * D + this.obsDim + j] as number;
      for (let g = 0; g < G; g++) this.gradLogProbs[b * G + g] = (alphas[g] as number) / B;
    }
    this.policy.backward(this.gradActions, this.gradLogProbs);
    this.policy.step();
    this.gradientSteps++;
    if (this.gradientSteps % this.config.targetUpdateInterval === 0) this.critic.softUpdate(this.config.tau);
    return { criticLoss, actorLoss: loss, alphas: Array.from(alphas), alphaLosses, entropies, meanQ };
  }

  getState(): SacAgentState {
    return {
      policy: this.policy.getState(),
      critic: this.critic.getState(),
      logAlphas: this.logAlphas.slice(),
      alphaAdam: this.alphaAdam.getState(),
      noise: this.noise.getState(),
      actions: this.actRng.getState(),
      gradientSteps: this.gradientSteps,
    };
  }

  setState(state: unknown): void {
    const s = state as SacAgentState;
    this.policy.setState(s.policy);
    this.critic.setState(s.critic);
    if (s.logAlphas.length !== this.logAlphas.length) throw new RangeError(`SacAgent: state has ${s.logAlphas.length} temperatures, this agent ${this.logAlphas.length} (stateDim differs?)`);
    this.logAlphas.set(s.logAlphas);
    this.alphaAdam.setState(s.alphaAdam);
    this.noise = Rng.fromState(s.noise);
    this.actRng = Rng.fromState(s.actions);
    this.gradientSteps = s.gradientSteps;
  }
}

