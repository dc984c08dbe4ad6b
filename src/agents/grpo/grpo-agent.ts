import { epoEntropyGradients, epoPhaseWeight, TurnEntropyHistory, type EpoTermMetrics } from '../../algorithms/epo.js';
import { groupAdvantages, grpoLoss, GRPO_STD_EPS, type GrpoHyper } from '../../algorithms/grpo.js';
import { accumulateHeadGrad, headEntropy, headLogProb, prepareHead } from '../../algorithms/policy-head.js';
import { Rng, type RngState } from '../../core/rng.js';
import type { Box, Discrete } from '../../core/spaces.js';
import type { GroupBatch } from '../../data/group-batch.js';
import type { ActOutput, PolicyActor } from '../../loop/agent.js';
import type { UpdateMetrics } from '../../loop/events.js';
import { networkOptions } from '../actor-critic.js';
import { scheduleValue } from '../schedule.js';
import { TurnEntropyMeter } from '../turn-entropy.js';
import type { EpoSettings } from '../epo-config.js';
import type { GrpoConfig } from './grpo-config.js';
import { GruTokenPolicy, MlpTokenPolicy, type TokenPolicy, type TokenPolicyState } from './token-policy.js';

/** Checkpointed state of a {@link GrpoAgent}. */
export interface GrpoAgentState {
  /** The policy's state (the field keeps its name from when the policy was always an MLP). */
  readonly network: TokenPolicyState;
  /** Parameters of the reference policy (null without a KL term). */
  readonly reference: Float64Array | null;
  readonly stages: number;
  readonly minibatchRng: RngState;
  /** EPO's per-turn entropy history (null for plain GRPO). */
  readonly entropyHistory: { sums: number[]; counts: number[] } | null;
}

/** EPO's settings and phase weight β_k for one stage's update. */
interface EpoStep {
  readonly settings: EpoSettings;
  readonly beta: number;
}

/**
 * GRPO (Shao et al. 2024): critic-free policy optimisation from groups of rollouts of one task
 * instance. Each sequence's advantage is its return normalised within its group, shared by all
 * its tokens; the loss is the clipped token surrogate plus β·k3 to a reference policy, aggregated
 * as configured (`src/algorithms/grpo.ts`). With `algo: "epo-grpo"` EPO's entropy terms are added
 * (`src/algorithms/epo.ts`): −c_H·[H − c_s·mean(β_k·smoothing)], the smoothing measured against
 * each turn's historical entropy. The policy is a {@link TokenPolicy}: an MLP, or a GRU trained
 * through whole episodes; the group loop (`src/loop/group-loop.ts`) samples the stages and resets
 * the policy's memory at each stage start.
 */
export class GrpoAgent implements PolicyActor {
  readonly policy: TokenPolicy;
  /** The reference policy π_ref of the KL term (only when klCoef > 0). */
  private readonly reference: TokenPolicy | null;
  private minibatchRng: Rng;
  private stages = 0;
  /** EPO's settings (null: plain GRPO) and per-turn entropy history H̄_t. */
  private readonly epo: EpoSettings | null;
  private readonly history = new TurnEntropyHistory();
  /** Each turn's mean entropy of the stage under the sampling policy. */
  private readonly turnEntropy = new TurnEntropyMeter();
  private readonly groupOrder: Int32Array;
  private readonly advantages: Float64Array;
  private readonly mb: {
    obs: Float32Array;
    actions: Int32Array | Float32Array;
    logpOld: Float64Array;
    logp: Float64Array;
    logpRef: Float64Array;
    gradLogp: Float64Array;
    turns: Int32Array;
    entropy: Float64Array;
    gradEntropy: Float64Array;
    lengths: Int32Array;
    advantages: Float64Array;
    gradPolicy: Float64Array;
    gradLogStd: Float64Array;
    scratchLogp: Float64Array;
    refGradPolicy: Float64Array;
    refScratchLogp: Float64Array;
  };

  constructor(
    readonly config: GrpoConfig,
    observationSize: number,
    actionSpace: Box | Discrete,
    maxTurns: number,
    rng: Rng,
  ) {
    const build = (stream: Rng): TokenPolicy =>
      config.policyType === 'gru'
        ? new GruTokenPolicy(observationSize, actionSpace, config.gruHiddenSize, config.adamEps, stream)
        : new MlpTokenPolicy({ ...networkOptions(config, observationSize, actionSpace, undefined), adamEps: config.adamEps }, stream);
    this.policy = build(rng.split('network'));
    this.reference = config.klCoef > 0 ? build(rng.split('reference')) : null;
    this.reference?.setParams(this.policy.params);
    this.minibatchRng = rng.split('minibatch');
    this.epo = config.algo === 'epo-grpo' ? config.epo : null;
    const groups = config.numEnvs / config.groupSize;
    this.groupOrder = Int32Array.from({ length: groups }, (_, g) => g);
    this.advantages = new Float64Array(config.numEnvs);
    // A minibatch holds at most every token of the stage.
    const rows = config.numEnvs * maxTurns;
    const out = this.policy.policyOutputSize;
    const A = this.policy.actionSize;
    this.mb = {
      obs: new Float32Array(rows * observationSize),
      actions: this.policy.discrete ? new Int32Array(rows) : new Float32Array(rows * A),
      logpOld: new Float64Array(rows),
      logp: new Float64Array(rows),
      logpRef: new Float64Array(rows),
      gradLogp: new Float64Array(rows),
      turns: new Int32Array(rows),
      entropy: new Float64Array(rows),
      gradEntropy: new Float64Array(rows),
      lengths: new Int32Array(config.numEnvs),
      advantages: new Float64Array(config.numEnvs),
      gradPolicy: new Float64Array(rows * out),
      gradLogStd: new Float64Array(rows * A),
      scratchLogp: new Float64Array(rows * out),
      refGradPolicy: new Float64Array(rows * out),
      refScratchLogp: new Float64Array(rows * out),
    };
  }

  /** Actions and their log-probs (GRPO has no critic: `values` is not filled). */
  act(observations: Float32Array, n: number, deterministic: boolean, sampler?: Rng): ActOutput {
    return this.policy.act(observations, n, deterministic, sampler);
  }

  /** Starts copy `copy`'s episode afresh (a recurrent policy forgets its hidden state). */
  resetMemory(copy: number): void {
    this.policy.resetMemory(copy);
  }

  /** An actor with a memory of its own (a recurrent token policy's), or the agent itself when its policy has none. */
  evaluationActor(): PolicyActor {
    return this.policy.evaluationActor?.() ?? this;
  }

  /** One update from a complete sampling stage; `progress` ∈ [0, 1] drives the learning-rate schedule. */
  train(batch: GroupBatch, progress: number): UpdateMetrics {
    const started = performance.now();
    const c = this.config;
    const G = c.groupSize;
    const learningRate = scheduleValue(c.learningRate, progress);
    if (this.reference !== null && c.referenceUpdateEvery > 0 && this.stages > 0 && this.stages % c.referenceUpdateEvery === 0) this.reference.setParams(this.policy.params);
    groupAdvantages(batch.returns, G, this.advantages, GRPO_STD_EPS, c.scaleRewards);
    const hyper: GrpoHyper = { clipLow: c.clipRange, clipHigh: c.clipRangeHigh ?? c.clipRange, klCoef: c.klCoef, aggregation: c.aggregation };
    const groups = this.groupOrder.length;
    this.measureTurnEntropy(batch);
    const epo: EpoStep | null =
      this.epo === null ? null : { settings: this.epo, beta: epoPhaseWeight(this.stages, this.epo.phaseLength) };
    let smoothing = 0;
    let outside = 0;
    const sums = { loss: 0, entropy: 0, kl: 0, approxKl: 0, clipFraction: 0, gradNorm: 0 };
    let steps = 0;
    for (let pass = 0; pass < c.updatesPerStage; pass++) {
      for (let g = 0; g < groups; g++) this.groupOrder[g] = g;
      this.minibatchRng.shuffle(this.groupOrder);
      for (let m = 0; m < c.minibatches; m++) {
        // Whole groups per minibatch, so every group's advantages stay centred.
        const from = Math.floor((m * groups) / c.minibatches);
        const to = Math.floor(((m + 1) * groups) / c.minibatches);
        const B = this.gather(batch, from, to);
        if (B === 0) continue;
        const r = this.minibatchStep(B, (to - from) * G, hyper, epo);
        smoothing += r.smoothing;
        outside += r.outside;
        sums.loss += r.loss;
        sums.entropy += r.entropy;
        sums.kl += r.kl;
        sums.approxKl += r.approxKl;
        sums.clipFraction += r.clipFraction;
        sums.gradNorm += this.policy.applyGradients(c.maxGradNorm, learningRate);
        steps++;
      }
    }
    const k = Math.max(1, steps);
    // Each turn's mean entropy under the sampling policy: logged, and EPO's history (after use, so H̄ holds past stages only).
    const turnDetails = this.turnEntropy.report(this.epo === null ? undefined : this.history);
    const epoDetails = epo === null ? {} : { epoBeta: epo.beta, epoSmoothingLoss: smoothing / k, epoOutsideBand: outside / k };
    this.stages++;
    let signal = 0;
    for (let g = 0; g < groups; g++) {
      let any = false;
      for (let i = g * G; i < (g + 1) * G; i++) if (this.advantages[i] !== 0) any = true;
      if (any) signal++;
    }
    return {
      policyLoss: sums.loss / k,
      valueLoss: Number.NaN,
      entropy: sums.entropy / k,
      approxKl: sums.approxKl / k,
      clipFraction: sums.clipFraction / k,
      explainedVariance: Number.NaN,
      gradNorm: sums.gradNorm / k,
      learningRate,
      clipRange: c.clipRange,
      epochs: c.updatesPerStage,
      seconds: (performance.now() - started) / 1000,
      // Groups whose rewards differ: the only ones with a policy-gradient signal.
      details: { klToReference: sums.kl / k, groupsWithSignal: signal / groups, ...epoDetails, ...turnDetails },
    };
  }

  /** Copies the tokens of the groups at `groupOrder[from … to)` into the minibatch; returns the token count. */
  private gather(batch: GroupBatch, from: number, to: number): number {
    const { mb } = this;
    const { maxTurns: T, observationSize: D, actionSize: A, groupSize: G } = batch.shape;
    let row = 0;
    let seq = 0;
    for (let k = from; k < to; k++) {
      const g = this.groupOrder[k] as number;
      for (let i = g * G; i < (g + 1) * G; i++) {
        const len = batch.lengths[i] as number;
        mb.lengths[seq] = len;
        mb.advantages[seq] = this.advantages[i] as number;
        seq++;
        const src = i * T;
        mb.obs.set(batch.observations.subarray(src * D, (src + len) * D), row * D);
        for (let j = 0; j < len * A; j++) mb.actions[row * A + j] = batch.actions[src * A + j] as number;
        mb.logpOld.set(batch.logProbs.subarray(src, src + len), row);
        for (let t = 0; t < len; t++) mb.turns[row + t] = t;
        row += len;
      }
    }
    return row;
  }

  /** Each turn's token entropy over the whole stage under the current (= sampling) policy, into {@link turnEntropy}. */
  private measureTurnEntropy(batch: GroupBatch): void {
    this.turnEntropy.reset();
    const groups = this.groupOrder.length;
    for (let g = 0; g < groups; g++) this.groupOrder[g] = g;
    const B = this.gather(batch, 0, groups);
    const { mb, policy } = this;
    const head = policy.policyHead(policy.forwardSequences(mb.obs, mb.lengths.subarray(0, batch.shape.numEnvs), B), mb.actions, { policy: mb.gradPolicy, logStd: mb.gradLogStd, logp: mb.scratchLogp });
    prepareHead(head, B);
    for (let b = 0; b < B; b++) this.turnEntropy.add(mb.turns[b] as number, headEntropy(head, b));
  }

  /** Forward, GRPO loss (with EPO's terms when `epo` is given) and backward of one minibatch of `B` tokens in `sequences` sequences. */
  private minibatchStep(B: number, sequences: number, hyper: GrpoHyper, epo: EpoStep | null): { loss: number; entropy: number; kl: number; approxKl: number; clipFraction: number; smoothing: number; outside: number } {
    const { mb, policy } = this;
    const lengths = mb.lengths.subarray(0, sequences);
    if (this.reference !== null) {
      const refOut = this.reference.forwardSequences(mb.obs, lengths, B);
      const refHead = this.reference.policyHead(refOut, mb.actions, { policy: mb.refGradPolicy, logStd: mb.gradLogStd, logp: mb.refScratchLogp });
      prepareHead(refHead, B);
      for (let b = 0; b < B; b++) mb.logpRef[b] = headLogProb(refHead, b);
    }
    const out = policy.forwardSequences(mb.obs, lengths, B);
    const head = policy.policyHead(out, mb.actions, { policy: mb.gradPolicy, logStd: mb.gradLogStd, logp: mb.scratchLogp });
    prepareHead(head, B);
    let entropy = 0;
    let approxKl = 0;
    for (let b = 0; b < B; b++) {
      const lp = headLogProb(head, b);
      mb.logp[b] = lp;
      mb.entropy[b] = headEntropy(head, b);
      entropy += mb.entropy[b] as number;
      // (ρ − 1) − log ρ: the low-variance estimate of KL(π_old ‖ π_θ), as SB3 and CleanRL log it.
      const logRatio = lp - (mb.logpOld[b] as number);
      approxKl += Math.exp(logRatio) - 1 - logRatio;
    }
    const tokens = { lengths: mb.lengths.subarray(0, sequences), logp: mb.logp, logpOld: mb.logpOld, logpRef: mb.logpRef, advantages: mb.advantages };
    const metrics = grpoLoss(tokens, hyper, mb.gradLogp);
    // Entropy terms: GRPO's own bonus (entCoef), and EPO's −c_H·[H − c_s·mean(β_k·smoothing)].
    const entCoef = this.config.entCoef;
    let epoTerms: EpoTermMetrics = { loss: 0, smoothing: 0, outside: 0 };
    if (epo !== null) {
      epoTerms = epoEntropyGradients(mb.entropy, mb.turns, B, this.history, epo.settings, epo.beta, mb.gradEntropy);
    }
    for (let b = 0; b < B; b++) accumulateHeadGrad(head, b, mb.gradLogp[b] as number, -entCoef / B + (epo === null ? 0 : (mb.gradEntropy[b] as number)));
    policy.backwardSequences(B, mb.gradPolicy, mb.gradLogStd);
    const loss = metrics.loss - entCoef * (entropy / B) + epoTerms.loss;
    return { loss, entropy: entropy / B, kl: metrics.kl, approxKl: approxKl / B, clipFraction: metrics.clipFraction, smoothing: epoTerms.smoothing, outside: epoTerms.outside };
  }

  getState(): GrpoAgentState {
    return { network: this.policy.getState(), reference: this.reference?.params.slice() ?? null, stages: this.stages, minibatchRng: this.minibatchRng.getState(), entropyHistory: this.epo === null ? null : this.history.getState() };
  }

  setState(state: unknown): void {
    const s = state as GrpoAgentState;
    this.policy.setState(s.network);
    if (this.reference !== null && s.reference !== null) this.reference.setParams(s.reference);
    this.stages = s.stages;
    this.minibatchRng = Rng.fromState(s.minibatchRng);
    if (s.entropyHistory !== null) this.history.setState(s.entropyHistory);
  }
}
