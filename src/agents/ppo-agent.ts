import { epoEntropyGradients, epoPhaseWeight, TurnEntropyHistory, type EpoTermMetrics } from '../algorithms/epo.js';
import { normalizeInPlace } from '../algorithms/gae.js';
import { headEntropy, prepareHead } from '../algorithms/policy-head.js';
import { ppoLoss, type PpoLossMetrics } from '../algorithms/ppo-loss.js';
import { Rng, type RngState } from '../core/rng.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { RolloutBuffer } from '../data/rollout-buffer.js';
import type { UpdateMetrics } from '../loop/events.js';
import { ActorCriticAgent } from './actor-critic-agent.js';
import { ActorCritic, networkOptions, type ActorCriticState } from './actor-critic.js';
import type { EngineFactory } from './engines/engine.js';
import type { PpoConfig } from './ppo-config.js';
import type { EpoSettings } from './epo-config.js';
import { scheduleValue } from './schedule.js';
import { PpoMinibatchMeans } from './ppo-update-metrics.js';
import { TurnEntropyMeter } from './turn-entropy.js';

/** Checkpointed state of a {@link PpoAgent}. */
export interface PpoAgentState {
  readonly network: ActorCriticState;
  readonly minibatchRng: RngState;
  /** EPO-PPO only: updates so far (β_k's k) and the per-turn entropy history. */
  readonly epo?: { readonly updates: number; readonly history: { sums: number[]; counts: number[] } };
}

/**
 * Proximal policy optimisation (Schulman et al. 2017) with SB3's defaults: the clipped
 * surrogate, optional value clipping, entropy bonus, per-minibatch advantage normalisation,
 * several epochs of shuffled minibatches, global grad-norm clipping and an optional target-KL
 * stop. The rollout, GAE and logging come from the shared on-policy loop. With
 * `algo: "epo-ppo"`, EPO's entropy terms join the loss (`src/algorithms/epo.ts`), keyed by each
 * sample's turn within its episode, and each turn's entropy is logged per update.
 */
export class PpoAgent extends ActorCriticAgent {
  override readonly net: ActorCritic;
  private minibatchRng: Rng;
  private readonly indices: Int32Array;
  /** EPO's settings (null: plain PPO), its update count and per-turn entropy history. */
  private readonly epo: EpoSettings | null;
  private updates = 0;
  private readonly history = new TurnEntropyHistory();
  private readonly turnEntropy = new TurnEntropyMeter();
  private readonly mb: {
    obs: Float32Array;
    actions: Float32Array | Int32Array;
    oldLogProbs: Float64Array;
    advantages: Float64Array;
    returns: Float64Array;
    oldValues: Float64Array;
    gradValues: Float64Array;
    gradPolicy: Float64Array;
    gradLogStd: Float64Array;
    scratchLogp: Float64Array;
    turns: Int32Array;
    entropy: Float64Array;
    gradEntropy: Float64Array;
  };

  constructor(
    readonly config: PpoConfig,
    observationSize: number,
    actionSpace: Box | Discrete,
    rng: Rng,
    engine?: EngineFactory,
  ) {
    super();
    this.net = new ActorCritic({ ...networkOptions(config, observationSize, actionSpace, engine), adamEps: config.adamEps }, rng.split('network'));
    this.minibatchRng = rng.split('minibatch');
    this.epo = config.algo === 'epo-ppo' ? config.epo : null;
    const rolloutSize = config.nSteps * config.numEnvs;
    this.indices = Int32Array.from({ length: rolloutSize }, (_, k) => k);
    const B = Math.min(config.batchSize, rolloutSize);
    const out = this.net.policyOutputSize;
    this.mb = {
      obs: new Float32Array(B * observationSize),
      actions: this.net.discrete ? new Int32Array(B) : new Float32Array(B * this.net.actionSize),
      oldLogProbs: new Float64Array(B),
      advantages: new Float64Array(B),
      returns: new Float64Array(B),
      oldValues: new Float64Array(B),
      gradValues: new Float64Array(B),
      gradPolicy: new Float64Array(B * out),
      gradLogStd: new Float64Array(B * this.net.actionSize),
      scratchLogp: new Float64Array(B * out),
      turns: new Int32Array(B),
      entropy: new Float64Array(B),
      gradEntropy: new Float64Array(B),
    };
  }

  override train(buffer: RolloutBuffer, progress: number): UpdateMetrics {
    const started = performance.now();
    const c = this.config;
    const learningRate = scheduleValue(c.learningRate, progress);
    const clipRange = scheduleValue(c.clipRange, progress);
    const hyper = { clipRange, clipRangeVf: c.clipRangeVf, entCoef: c.entCoef, vfCoef: c.vfCoef };
    const size = buffer.size;
    const means = new PpoMinibatchMeans();
    const epo = this.epo === null ? null : { settings: this.epo, beta: epoPhaseWeight(this.updates, this.epo.phaseLength), smoothing: 0, outside: 0 };
    const turnEntropy = epo !== null || this.config.logTurnEntropy;
    if (turnEntropy) this.measureTurnEntropy(buffer);
    let epochs = 0;
    let stop = false;
    for (let epoch = 0; epoch < c.nEpochs && !stop; epoch++) {
      epochs++;
      // A fresh permutation of 0…n−1 each epoch (as SB3's np.random.permutation), so the order
      // depends only on the random stream — which a checkpoint restores — not on earlier shuffles.
      for (let k = 0; k < size; k++) this.indices[k] = k;
      this.minibatchRng.shuffle(this.indices);
      for (let start = 0; start < size && !stop; start += c.batchSize) {
        const B = Math.min(c.batchSize, size - start);
        this.gather(buffer, start, B);
        if (c.normalizeAdvantage && B > 1) normalizeInPlace(this.mb.advantages, 0, B);
        const m = this.minibatchStep(B, hyper, epo);
        if (c.targetKl !== null && m.approxKl > 1.5 * c.targetKl) {
          // SB3: stop before applying a step that moved the policy too far.
          stop = true;
          break;
        }
        means.add(m, this.net.applyGradients(c.maxGradNorm, learningRate));
      }
    }
    const k = Math.max(1, means.count);
    let details: Record<string, number> | undefined;
    if (epo !== null) {
      // History after use: H̄_t holds past updates only.
      details = { epoBeta: epo.beta, epoSmoothingLoss: epo.smoothing / k, epoOutsideBand: epo.outside / k, ...this.turnEntropy.report(this.history) };
      this.updates++;
    } else if (turnEntropy) {
      details = this.turnEntropy.report();
    }
    return means.metrics({ learningRate, clipRange, epochs, seconds: (performance.now() - started) / 1000, ...(details !== undefined ? { details } : {}) });
  }

  /** Each turn's entropy over the rollout under the sampling policy, in minibatch-sized chunks. */
  private measureTurnEntropy(buffer: RolloutBuffer): void {
    const { mb, net } = this;
    this.turnEntropy.reset();
    for (let k = 0; k < buffer.size; k++) this.indices[k] = k;
    for (let start = 0; start < buffer.size; start += this.config.batchSize) {
      const B = Math.min(this.config.batchSize, buffer.size - start);
      this.gather(buffer, start, B);
      const head = net.policyHead(net.forwardTrain(mb.obs, B), mb.actions, { policy: mb.gradPolicy, logStd: mb.gradLogStd, logp: mb.scratchLogp });
      prepareHead(head, B);
      for (let b = 0; b < B; b++) this.turnEntropy.add(mb.turns[b] as number, headEntropy(head, b));
    }
  }

  /** Forward, loss (with EPO's terms when `epo` is given) and backward of one minibatch; leaves the gradients in the network. */
  private minibatchStep(B: number, hyper: { clipRange: number; clipRangeVf: number | null; entCoef: number; vfCoef: number }, epo: { settings: EpoSettings; beta: number; smoothing: number; outside: number } | null): PpoLossMetrics {
    const { mb, net } = this;
    const out = net.forwardTrain(mb.obs, B);
    const head = net.policyHead(out, mb.actions, { policy: mb.gradPolicy, logStd: mb.gradLogStd, logp: mb.scratchLogp });
    let epoTerms: EpoTermMetrics | undefined;
    if (epo !== null) {
      prepareHead(head, B);
      for (let b = 0; b < B; b++) mb.entropy[b] = headEntropy(head, b);
      epoTerms = epoEntropyGradients(mb.entropy, mb.turns, B, this.history, epo.settings, epo.beta, mb.gradEntropy);
      epo.smoothing += epoTerms.smoothing;
      epo.outside += epoTerms.outside;
    }
    const metrics = ppoLoss(head, out.values, { size: B, oldLogProbs: mb.oldLogProbs, advantages: mb.advantages, returns: mb.returns, oldValues: mb.oldValues }, hyper, mb.gradValues, epoTerms === undefined ? undefined : mb.gradEntropy);
    if (epoTerms !== undefined) metrics.loss += epoTerms.loss;
    net.backwardTrain(B, mb.gradPolicy, mb.gradLogStd, mb.gradValues);
    return metrics;
  }

  /** Copies the samples at `indices[start … start+B)` into the minibatch buffers. */
  private gather(buffer: RolloutBuffer, start: number, B: number): void {
    const { mb } = this;
    const obsSize = buffer.shape.observationSize;
    const actSize = buffer.shape.actionSize;
    for (let b = 0; b < B; b++) {
      const k = this.indices[start + b] as number;
      mb.obs.set(buffer.observations.subarray(k * obsSize, (k + 1) * obsSize), b * obsSize);
      for (let j = 0; j < actSize; j++) mb.actions[b * actSize + j] = buffer.actions[k * actSize + j] as number;
      mb.oldLogProbs[b] = buffer.logProbs[k] as number;
      mb.advantages[b] = buffer.advantages[k] as number;
      mb.returns[b] = buffer.returns[k] as number;
      mb.oldValues[b] = buffer.values[k] as number;
      mb.turns[b] = buffer.turns[k] as number;
    }
  }

  override getState(): PpoAgentState {
    return { network: this.net.getState(), minibatchRng: this.minibatchRng.getState(), ...(this.epo !== null ? { epo: { updates: this.updates, history: this.history.getState() } } : {}) };
  }

  override setState(state: unknown): void {
    const s = state as PpoAgentState;
    this.net.setState(s.network);
    this.minibatchRng = Rng.fromState(s.minibatchRng);
    if (s.epo !== undefined) {
      this.updates = s.epo.updates;
      this.history.setState(s.epo.history);
    }
  }
}
