import { normalizeInPlace } from '../algorithms/gae.js';
import { mdpoIterations, mdpoLoss, mdpoStepSize, type MdpoLossMetrics, type OldHeadOutputs } from '../algorithms/mdpo-loss.js';
import { valueLoss } from '../algorithms/policy-head.js';
import { Rng, type RngState } from '../core/rng.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { RolloutBuffer } from '../data/rollout-buffer.js';
import type { UpdateMetrics } from '../loop/events.js';
import { categorical } from '../nn/distributions.js';
import { Adam, clipGradNorm, type AdamState } from '../nn/fast/adam.js';
import { ActorCriticAgent } from './actor-critic-agent.js';
import { ActorCritic, networkOptions, type ActorCriticState } from './actor-critic.js';
import { actorCriticLayout } from './engines/engine.js';
import type { EngineFactory } from './engines/engine.js';
import type { MdpoConfig } from './mdpo-config.js';
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

/** A contiguous run of the flat parameter vector with its own Adam (elementwise, so segments = one Adam over their union). */
interface Segment {
  readonly params: Float64Array;
  readonly grads: Float64Array;
  readonly adam: Adam;
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
  private readonly policySegments: Segment[];
  private readonly valueSegment: Segment;
  private readonly indices: Int32Array;
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
  private readonly mb: { obs: Float32Array; returns: Float64Array; oldValues: Float64Array };

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
    const layout = actorCriticLayout({ observationSize, hidden: config.policy.hidden, activation: config.policy.activation, policyOutputSize: this.net.policyOutputSize });
    const valueStart = (layout.valueBody[0] as { offset: number }).offset;
    const networks = layout.size;
    const { params, grads } = this.net;
    const segment = (from: number, to: number): Segment => ({ params: params.subarray(from, to), grads: grads.subarray(from, to), adam: new Adam(to - from, { eps: config.adamEps }) });
    this.policySegments = [segment(0, valueStart), segment(networks, params.length)];
    this.valueSegment = segment(valueStart, networks);
    this.indices = Int32Array.from({ length: rolloutSize }, (_, k) => k);
    const out = this.net.policyOutputSize;
    const D = this.net.actionSize;
    const mbSize = Math.min(config.vfBatchSize, rolloutSize);
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
    this.mb = { obs: new Float32Array(mbSize * observationSize), returns: new Float64Array(mbSize), oldValues: new Float64Array(mbSize) };
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
      gradNormSum += this.step(this.policySegments, c.maxGradNorm, learningRate);
    }
    // The policy after the m steps: its KL from π_θk and its surrogate.
    const after = this.evaluatePolicy(buffer, samples, hyper);

    // The critic: epochs of shuffled minibatches of the clipped value loss, its own Adam.
    let valueLossSum = 0;
    let valueSteps = 0;
    const obsSize = buffer.shape.observationSize;
    for (let epoch = 0; epoch < c.vfEpochs; epoch++) {
      for (let k = 0; k < B; k++) this.indices[k] = k;
      this.minibatchRng.shuffle(this.indices.subarray(0, B));
      for (let start = 0; start < B; start += c.vfBatchSize) {
        const n = Math.min(c.vfBatchSize, B - start);
        for (let i = 0; i < n; i++) {
          const k = this.indices[start + i] as number;
          this.mb.obs.set(buffer.observations.subarray(k * obsSize, (k + 1) * obsSize), i * obsSize);
          this.mb.returns[i] = buffer.returns[k] as number;
          this.mb.oldValues[i] = buffer.values[k] as number;
        }
        const out = net.forwardTrain(this.mb.obs, n);
        valueLossSum += valueLoss(n, out.values, this.mb.returns, this.mb.oldValues, c.clipRangeVf, 1, batch.gradValues);
        batch.gradPolicy.fill(0, 0, n * K);
        batch.gradLogStd.fill(0, 0, n * D);
        net.backwardTrain(n, batch.gradPolicy, batch.gradLogStd, batch.gradValues);
        this.step([this.valueSegment], c.vfMaxGradNorm, vfLearningRate);
        valueSteps++;
      }
    }
    this.iteration++;
    return {
      policyLoss: (first as MdpoLossMetrics).policyLoss,
      valueLoss: valueLossSum / Math.max(1, valueSteps),
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

  /** Clips the segments' joint gradient norm (if `maxNorm` is not null), steps their Adams; returns the norm before clipping. */
  private step(segments: readonly Segment[], maxNorm: number | null, learningRate: number): number {
    const grads = segments.map((s) => s.grads);
    const norm = clipGradNorm(grads, maxNorm ?? Number.POSITIVE_INFINITY);
    for (const s of segments) s.adam.step(s.params, s.grads, learningRate);
    this.net.engine.setParams(this.net.params);
    return norm;
  }

  override getState(): MdpoAgentState {
    return {
      network: this.net.getState(),
      minibatchRng: this.minibatchRng.getState(),
      iteration: this.iteration,
      policyAdam: this.policySegments.map((s) => s.adam.getState()),
      valueAdam: this.valueSegment.adam.getState(),
    };
  }

  override setState(state: unknown): void {
    const s = state as MdpoAgentState;
    this.net.setState(s.network);
    this.minibatchRng = Rng.fromState(s.minibatchRng);
    this.iteration = s.iteration;
    this.policySegments.forEach((seg, i) => seg.adam.setState(s.policyAdam[i] as AdamState));
    this.valueSegment.adam.setState(s.valueAdam);
  }
}
