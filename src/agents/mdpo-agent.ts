import { normalizeInPlace } from '../algorithms/gae.js';
import { mdpoIterations, mdpoLoss, mdpoStepSize, type MdpoLossMetrics, type OldHeadOutputs } from '../algorithms/mdpo-loss.js';
import { Rng, type RngState } from '../core/rng.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { RolloutBuffer } from '../data/rollout-buffer.js';
import type { UpdateMetrics } from '../loop/events.js';
import { categorical } from '../nn/distributions.js';
import type { AdamState } from '../nn/fast/adam.js';
import { ActorCriticAgent } from './actor-critic-agent.js';
import { ActorCritic, networkOptions, type ActorCriticState } from './actor-critic.js';
import type { EngineFactory } from './engines/engine.js';
import type { MdpoConfig } from './mdpo-config.js';
import { actorCriticRanges, CriticFitter, paramSegment, stepSegments, type ParamSegment } from './param-segments.js';
import { scheduleValue } from './schedule.js';

/** Checkpointed state of an {@link MdpoAgent}. */
export interface MdpoAgentState {
  readonly network: ActorCriticState;
  readonly minibatchRng: RngState;
  /** Iterations done: k of the step size t_k. */
  readonly iteration: number;
  /** The policy's Adam per parameter segment (bodies and head, then log-std), and the critic's. */
  readonly policyAdam: readonly AdamState[];
  readonly valueAdam: AdamState;
}

/**
 * On-policy MDPO (Tomar et al. 2020; ALGORITHMS.md §3). Each iteration, from θ_k:
 * the old head outputs at θ_k are computed once on the whole rollout; then m = `sgdSteps` Adam
 * steps on the full batch minimise −mean(ρ·A) + (1/t_k)·mean KL(π_θ ‖ π_θk) (no ratio clip, no
 * line search; global grad-norm clip), with t_k = 1 − (k − 1)/K and K the run's real number of
 * iterations; then the critic is fitted by its own Adam, `vfEpochs` epochs of shuffled
 * minibatches of the clipped value loss. Policy and critic parameters live in the one flat
 * vector of {@link ActorCritic} (whose own optimiser is not used here); each side is stepped by
 * its own Adam on its own parameter segments, as the reference's two optimisers.
 */
export class MdpoAgent extends ActorCriticAgent {
  override readonly net: ActorCritic;
  /** K: iterations of the whole run. */
  readonly totalIterations: number;
  private iteration = 0;
  private minibatchRng: Rng;
  private readonly policySegments: ParamSegment[];
  private readonly critic: CriticFitter;
  private readonly batch: {
    advantages: Float64Array;
    zeroValues: Float64Array;
    gradValues: Float64Array;
    gradPolicy: Float64Array;
    gradLogStd: Float64Array;
    scratchLogp: Float64Array;
    oldPolicy: Float64Array;
    oldLogStd: Float64Array;
  };

  constructor(
    readonly config: MdpoConfig,
    observationSize: number,
    actionSpace: Box | Discrete,
    rng: Rng,
    engine?: EngineFactory,
  ) {
    super();
    this.net = new ActorCritic({ ...networkOptions(config, observationSize, actionSpace, engine), adamEps: config.adamEps }, rng.split('network'));
    this.minibatchRng = rng.split('minibatch');
    const rolloutSize = config.nSteps * config.numEnvs;
    this.totalIterations = mdpoIterations(config.totalSteps, rolloutSize);
    const ranges = actorCriticRanges(this.net);
    this.policySegments = ranges.policy.map((r) => paramSegment(this.net, r, config.adamEps));
    this.critic = new CriticFitter(this.net, paramSegment(this.net, ranges.value, config.adamEps), rolloutSize, config.vfBatchSize);
    const out = this.net.policyOutputSize;
    const D = this.net.actionSize;
    this.batch = {
      advantages: new Float64Array(rolloutSize),
      zeroValues: new Float64Array(rolloutSize),
      gradValues: new Float64Array(rolloutSize),
      gradPolicy: new Float64Array(rolloutSize * out),
      gradLogStd: new Float64Array(rolloutSize * D),
      scratchLogp: new Float64Array(rolloutSize * out),
      oldPolicy: new Float64Array(rolloutSize * out),
      oldLogStd: new Float64Array(rolloutSize * D),
    };
  }

  /** The KL penalty 1/t_k of the next iteration. */
  get klCoef(): number {
    return 1 / mdpoStepSize(this.iteration, this.totalIterations);
  }

  override train(buffer: RolloutBuffer, progress: number): UpdateMetrics {
    const started = performance.now();
    const c = this.config;
    const { net, batch } = this;
    const learningRate = scheduleValue(c.learningRate, progress);
    const vfLearningRate = scheduleValue(c.vfLearningRate, progress);
    const klCoef = this.klCoef;
    const B = buffer.size;
    batch.advantages.set(buffer.advantages.subarray(0, B));
    if (c.normalizeAdvantage && B > 1) normalizeInPlace(batch.advantages, 0, B);

    // π_θk's outputs on the whole rollout, once, before the m steps.
    const D = net.actionSize;
    const K = net.policyOutputSize;
    const atOld = net.forwardTrain(buffer.observations, B);
    let old: OldHeadOutputs;
    if (net.discrete) {
      categorical.logSoftmax(atOld.policy, B, K, batch.oldPolicy);
      old = { kind: 'categorical', logp: batch.oldPolicy.subarray(0, B * K) };
    } else {
      batch.oldPolicy.set(atOld.policy.subarray(0, B * K));
      batch.oldLogStd.set(atOld.logStd.subarray(0, B * D));
      old = { kind: 'gaussian', mean: batch.oldPolicy.subarray(0, B * K), logStd: batch.oldLogStd.subarray(0, B * D) };
    }
    const samples = { size: B, oldLogProbs: buffer.logProbs, advantages: batch.advantages, returns: buffer.returns, oldValues: buffer.values, old };
    // The critic has its own optimiser: the policy steps carry no value gradient.
    const hyper = { klCoef, clipRangeVf: c.clipRangeVf, entCoef: c.entCoef, vfCoef: 0 };

    let first: MdpoLossMetrics | null = null;
    let gradNormSum = 0;
    for (let step = 0; step < c.sgdSteps; step++) {
      const out = net.forwardTrain(buffer.observations, B);
      const head = net.policyHead(out, buffer.actions, { policy: batch.gradPolicy, logStd: batch.gradLogStd, logp: batch.scratchLogp });
      const m = mdpoLoss(head, out.values, samples, hyper, batch.gradValues);
      first ??= m;
      net.backwardTrain(B, batch.gradPolicy, batch.gradLogStd, batch.gradValues);
      gradNormSum += stepSegments(net, this.policySegments, c.maxGradNorm, learningRate);
    }
    // The policy after the m steps: its KL from π_θk and its surrogate.
    const after = this.evaluatePolicy(buffer, samples, hyper);

    // The critic: epochs of shuffled minibatches of the clipped value loss, its own Adam.
    const valueLossMean = this.critic.fit(buffer, this.minibatchRng, { epochs: c.vfEpochs, batchSize: c.vfBatchSize, clipRangeVf: c.clipRangeVf, maxGradNorm: c.vfMaxGradNorm, learningRate: vfLearningRate });
    this.iteration++;
    return {
      policyLoss: (first as MdpoLossMetrics).policyLoss,
      valueLoss: valueLossMean,
      entropy: (first as MdpoLossMetrics).entropy,
      // After the m steps: the sample estimate of KL(π_θk ‖ π_θ+1) PPO reports.
      approxKl: after.approxKl,
      clipFraction: Number.NaN,
      gradNorm: gradNormSum / c.sgdSteps,
      explainedVariance: Number.NaN,
      learningRate,
      clipRange: Number.NaN,
      epochs: c.sgdSteps,
      seconds: (performance.now() - started) / 1000,
    };
  }

  /** The loss terms of the current policy on the rollout, without touching the gradients. */
  evaluatePolicy(buffer: RolloutBuffer, samples: Parameters<typeof mdpoLoss>[2], hyper: Parameters<typeof mdpoLoss>[3]): MdpoLossMetrics {
    const { net, batch } = this;
    const B = samples.size;
    const out = net.forwardTrain(buffer.observations, B);
    const head = net.policyHead(out, buffer.actions, { policy: batch.gradPolicy, logStd: batch.gradLogStd, logp: batch.scratchLogp });
    return mdpoLoss(head, out.values, samples, { ...hyper, vfCoef: 0 }, batch.gradValues);
  }

  override getState(): MdpoAgentState {
    return {
      network: this.net.getState(),
      minibatchRng: this.minibatchRng.getState(),
      iteration: this.iteration,
      policyAdam: this.policySegments.map((s) => s.adam.getState()),
      valueAdam: this.critic.segment.adam.getState(),
    };
  }

  override setState(state: unknown): void {
    const s = state as MdpoAgentState;
    this.net.setState(s.network);
    this.minibatchRng = Rng.fromState(s.minibatchRng);
    this.iteration = s.iteration;
    this.policySegments.forEach((seg, i) => seg.adam.setState(s.policyAdam[i] as AdamState));
    this.critic.segment.adam.setState(s.valueAdam);
  }
}
