/**
 * The SAC learner: a squashed Gaussian actor, twin critics with Polyak-averaged targets, and a
 * learned temperature, updated in Stable-Baselines3's order (`SAC.train`): the temperature from
 * the actor's fresh sample, then the critics towards the soft targets, then the actor against
 * the updated critics, then the targets.
 * @module
 */

import { actorLoss, entropyTerms, softTargets, temperatureLoss } from '../../algorithms/sac.js';
import { Rng, type RngState } from '../../core/rng.js';
import type { Box } from '../../core/spaces.js';
import type { TransitionBatch } from '../../data/transitions.js';
import { Adam, type AdamState } from '../../nn/fast/index.js';
import { ValueHeads, type ValueHeadsState } from '../offline/value-heads.js';
import { actionGradients, bootstrapFactors, BoxScaling, fitTwinCritics, stateActionRows, type OffPolicyAgent, type OffPolicyStepMetrics } from '../off-policy-agent.js';
import type { SacConfig } from './sac-config.js';
import { SacPolicy, type SacPolicyState } from './sac-policy.js';

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

/** A SAC learner on `observationSize` observations and a bounded Box of actions. */
export class SacAgent implements OffPolicyAgent {
  readonly policy: SacPolicy;
  readonly critic: ValueHeads;
  private readonly config: SacConfig;
  private readonly obsDim: number;
  private readonly actDim: number;
  private readonly scaling: BoxScaling;
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
    const Z = config.stateDim ?? 0;
    // z′ lives in (−1, 1) as the policy squashes it: the env takes it as it is.
    this.scaling = new BoxScaling(actionSpace, Z);
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
    return { actions: this.scaling.toEnv(this.squashed, n, this.actOut) };
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
    return stateActionRows(observations, actions, batch, this.obsDim, this.actDim, envScale ? this.scaling : null, this.stateActions);
  }

  /** One gradient step on `batch` (actions in the env's scale, as the replay buffer holds them). */
  update(batch: TransitionBatch): OffPolicyStepMetrics {
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
    entropyTerms(this.nextLogProbs, alphas, B, this.nextTerms);
    softTargets(batch.rewards, bootstrapFactors(batch, this.bootstrap), this.nextMinQ, this.nextTerms, B, this.targets);
    // Critics: ½ Σ_k MSE(Q_k(s, a), y).
    const { loss: criticLoss, meanQ } = fitTwinCritics(this.critic, this.criticInput(batch.observations, batch.actions, B, true), this.targets, B, 1, this.gradQ);
    // Actor: α·log π − min_k Q_k at its own actions, through the updated critics.
    const at = this.critic.pass(1);
    const qPi = at.forward(this.criticInput(batch.observations, pi.actions, B, false), B);
    entropyTerms(pi.logProbs, alphas, B, this.terms);
    const loss = actorLoss(qPi, this.terms, 2, B, this.gradQ);
    actionGradients(at.backwardToInput(this.gradQ, B), B, this.obsDim, A, this.gradActions);
    for (let b = 0; b < B; b++) for (let g = 0; g < G; g++) this.gradLogProbs[b * G + g] = (alphas[g] as number) / B;
    this.policy.backward(this.gradActions, this.gradLogProbs);
    this.policy.step();
    this.gradientSteps++;
    if (this.gradientSteps % this.config.targetUpdateInterval === 0) this.critic.softUpdate(this.config.tau);
    // The action's temperature and entropy in the main fields, z′'s (SAC-RS) in the details.
    const details: Record<string, number> = { alpha: alphas[0] as number, alphaLoss: alphaLosses[0] as number, meanQ };
    if (G > 1) {
      details['stateAlpha'] = alphas[1] as number;
      details['stateAlphaLoss'] = alphaLosses[1] as number;
      details['stateEntropy'] = entropies[1] as number;
    }
    return { criticLoss, actorLoss: loss, entropy: entropies[0] as number, details };
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

