import { normalizeInPlace } from '../algorithms/gae.js';
import { ppoLoss } from '../algorithms/ppo-loss.js';
import { Rng, type RngState } from '../core/rng.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { RolloutBuffer } from '../data/rollout-buffer.js';
import type { ActOutput, OnPolicyAgent, PolicyActor } from '../loop/agent.js';
import type { UpdateMetrics } from '../loop/events.js';
import type { PpoConfig } from './ppo-config.js';
import { RecurrentActorCritic, type RecurrentActorCriticState, type RecurrentMemory } from './recurrent-actor-critic.js';
import { PpoMinibatchMeans } from './ppo-update-metrics.js';
import { scheduleValue } from './schedule.js';

/** Checkpointed state of a {@link RecurrentPpoAgent}. */
export interface RecurrentPpoAgentState {
  readonly network: RecurrentActorCriticState;
  readonly minibatchRng: RngState;
}

/** The settings the recurrent agent reads: PPO's and the GRU width. */
type RecurrentPpoConfig = PpoConfig & { readonly recurrentHiddenSize: number; readonly recurrentNetArch: readonly number[]; readonly orthoInit: boolean };

/**
 * Recurrent PPO with truncated backpropagation through time (`algo: "ppo-lstm"`, as
 * SB3-contrib's RecurrentPPO, with GRU cells): the actor and the critic are GRUs
 * ({@link RecurrentActorCritic}). While the rollout is collected the hidden states of every
 * copy are stored before each step; training cuts each copy's rollout into sequences at episode
 * starts, replays each sequence from its stored initial hidden states and backpropagates through
 * it. Minibatches are whole sequences, shuffled, filled up to `batchSize` steps; the loss is PPO's.
 */
export class RecurrentPpoAgent implements OnPolicyAgent {
  readonly net: RecurrentActorCritic;
  private minibatchRng: Rng;
  private stepInRollout = 0;
  /** Hidden states before each step of the rollout, [(t·N + i) × H] per network. */
  private readonly storedActor: Float64Array;
  private readonly storedCritic: Float64Array;
  private readonly numEnvs: number;
  private readonly peek: Float64Array;
  private readonly mb: {
    obs: Float32Array;
    actions: Int32Array | Float32Array;
    oldLogProbs: Float64Array;
    advantages: Float64Array;
    returns: Float64Array;
    oldValues: Float64Array;
    gradValues: Float64Array;
    gradPolicy: Float64Array;
    gradLogStd: Float64Array;
    scratchLogp: Float64Array;
    lengths: Int32Array;
    actorInitial: Float64Array;
    criticInitial: Float64Array;
  };
  /** Sequences of the rollout: copy, first step, length. */
  private readonly sequences: { copy: Int32Array; start: Int32Array; length: Int32Array; count: number };
  private readonly order: Int32Array;

  constructor(
    readonly config: RecurrentPpoConfig,
    private readonly observationSize: number,
    actionSpace: Box | Discrete,
    rng: Rng,
  ) {
    const H = config.recurrentHiddenSize;
    this.net = new RecurrentActorCritic({ observationSize, actionSpace, hiddenSize: H, layers: config.recurrentNetArch, activation: config.policy.activation, orthoInit: config.orthoInit, logStdInit: config.policy.logStdInit, adamEps: config.adamEps, useSde: config.useSde, sdeSampleFreq: config.sdeSampleFreq }, rng.split('network'));
    this.minibatchRng = rng.split('minibatch');
    this.numEnvs = config.numEnvs;
    const rows = config.nSteps * config.numEnvs;
    this.storedActor = new Float64Array(rows * H);
    this.storedCritic = new Float64Array(rows * H);
    this.peek = new Float64Array(config.numEnvs);
    const A = this.net.actionSize;
    const out = this.net.policyOutputSize;
    // A minibatch holds whole sequences: at most the whole rollout.
    this.mb = {
      obs: new Float32Array(rows * observationSize),
      actions: this.net.discrete ? new Int32Array(rows) : new Float32Array(rows * A),
      oldLogProbs: new Float64Array(rows),
      advantages: new Float64Array(rows),
      returns: new Float64Array(rows),
      oldValues: new Float64Array(rows),
      gradValues: new Float64Array(rows),
      gradPolicy: new Float64Array(rows * out),
      gradLogStd: new Float64Array(rows * A),
      scratchLogp: new Float64Array(rows * out),
      lengths: new Int32Array(rows),
      actorInitial: new Float64Array(rows * H),
      criticInitial: new Float64Array(rows * H),
    };
    this.sequences = { copy: new Int32Array(rows), start: new Int32Array(rows), length: new Int32Array(rows), count: 0 };
    this.order = new Int32Array(rows);
  }

  act(observations: Float32Array, n: number, deterministic: boolean, sampler?: Rng): ActOutput {
    // The loop's rollout acts on every copy: remember the hidden states each step starts from.
    if (n === this.numEnvs && this.stepInRollout < this.config.nSteps) this.net.copyMemory(n, this.storedActor, this.storedCritic, this.stepInRollout * n);
    return this.net.act(observations, n, deterministic, sampler);
  }

  predictValues(observations: Float32Array, n: number): Float64Array {
    const out = n <= this.peek.length ? this.peek.subarray(0, n) : new Float64Array(n);
    return this.net.peekValues(observations, n, out);
  }

  resetMemory(copy: number): void {
    this.net.resetMemory(copy);
  }

  /** An actor on the same networks with hidden states of its own, new at each call (what evaluation and the live picture use). */
  evaluationActor(): PolicyActor {
    const memory: RecurrentMemory = { actor: new Float64Array(0), critic: new Float64Array(0) };
    return {
      act: (observations, n, deterministic, sampler) => this.net.act(observations, n, deterministic, sampler, memory),
      resetMemory: (copy) => this.net.resetMemory(copy, memory),
    };
  }

  startRollout(): void {
    this.stepInRollout = 0;
    this.net.startRollout();
  }

  afterStep(stepInRollout: number): void {
    this.stepInRollout = stepInRollout + 1;
    this.net.afterStep(stepInRollout);
  }

  train(buffer: RolloutBuffer, progress: number): UpdateMetrics {
    const started = performance.now();
    const c = this.config;
    const learningRate = scheduleValue(c.learningRate, progress);
    const clipRange = scheduleValue(c.clipRange, progress);
    const hyper = { clipRange, clipRangeVf: c.clipRangeVf, entCoef: c.entCoef, vfCoef: c.vfCoef };
    this.cutSequences(buffer);
    const S = this.sequences.count;
    const means = new PpoMinibatchMeans();
    let epochs = 0;
    let stop = false;
    for (let epoch = 0; epoch < c.nEpochs && !stop; epoch++) {
      epochs++;
      for (let k = 0; k < S; k++) this.order[k] = k;
      this.minibatchRng.shuffle(this.order.subarray(0, S));
      let next = 0;
      while (next < S && !stop) {
        // Whole sequences until the minibatch holds at least batchSize steps.
        let tokens = 0;
        const first = next;
        while (next < S && tokens < c.batchSize) tokens += this.sequences.length[this.order[next++] as number] as number;
        this.gather(buffer, first, next);
        if (c.normalizeAdvantage && tokens > 1) normalizeInPlace(this.mb.advantages, 0, tokens);
        const { mb, net } = this;
        const out = net.forwardSequences(mb.obs, mb.lengths.subarray(0, next - first), tokens, mb.actorInitial, mb.criticInitial);
        const head = net.policyHead(out, mb.actions, { policy: mb.gradPolicy, logStd: mb.gradLogStd, logp: mb.scratchLogp });
        const m = ppoLoss(head, out.values, { size: tokens, oldLogProbs: mb.oldLogProbs, advantages: mb.advantages, returns: mb.returns, oldValues: mb.oldValues }, hyper, mb.gradValues);
        if (c.targetKl !== null && m.approxKl > 1.5 * c.targetKl) {
          stop = true;
          break;
        }
        net.backwardSequences(mb.gradPolicy, mb.gradLogStd, mb.gradValues);
        means.add(m, net.applyGradients(c.maxGradNorm, learningRate));
      }
    }
    return means.metrics({ learningRate, clipRange, epochs, seconds: (performance.now() - started) / 1000, details: { sequences: S, meanSequenceLength: buffer.size / Math.max(1, S) } });
  }

  /** Cuts every copy's rollout into sequences at episode starts (and the rollout's start). */
  private cutSequences(buffer: RolloutBuffer): void {
    const N = buffer.shape.numEnvs;
    const T = buffer.shape.numSteps;
    const q = this.sequences;
    q.count = 0;
    for (let i = 0; i < N; i++) {
      let start = 0;
      for (let t = 1; t <= T; t++) {
        if (t === T || buffer.episodeEnds[(t - 1) * N + i] === 1) {
          q.copy[q.count] = i;
          q.start[q.count] = start;
          q.length[q.count] = t - start;
          q.count++;
          start = t;
        }
      }
    }
  }

  /** Copies the sequences at `order[from … to)` into the minibatch, step by step, with their initial hidden states. */
  private gather(buffer: RolloutBuffer, from: number, to: number): void {
    const { mb } = this;
    const N = buffer.shape.numEnvs;
    const D = this.observationSize;
    const A = buffer.shape.actionSize;
    const H = this.net.hiddenSize;
    let row = 0;
    for (let s = from; s < to; s++) {
      const q = this.order[s] as number;
      const copy = this.sequences.copy[q] as number;
      const start = this.sequences.start[q] as number;
      const length = this.sequences.length[q] as number;
      mb.lengths[s - from] = length;
      const first = start * N + copy;
      for (let j = 0; j < H; j++) {
        mb.actorInitial[(s - from) * H + j] = this.storedActor[first * H + j] as number;
        mb.criticInitial[(s - from) * H + j] = this.storedCritic[first * H + j] as number;
      }
      for (let t = start; t < start + length; t++, row++) {
        const k = t * N + copy;
        for (let j = 0; j < D; j++) mb.obs[row * D + j] = buffer.observations[k * D + j] as number;
        for (let j = 0; j < A; j++) mb.actions[row * A + j] = buffer.actions[k * A + j] as number;
        mb.oldLogProbs[row] = buffer.logProbs[k] as number;
        mb.advantages[row] = buffer.advantages[k] as number;
        mb.returns[row] = buffer.returns[k] as number;
        mb.oldValues[row] = buffer.values[k] as number;
      }
    }
  }

  getState(): RecurrentPpoAgentState {
    return { network: this.net.getState(), minibatchRng: this.minibatchRng.getState() };
  }

  setState(state: unknown): void {
    const s = state as RecurrentPpoAgentState;
    this.net.setState(s.network);
    this.minibatchRng = Rng.fromState(s.minibatchRng);
  }
}
