import type { PolicyHead } from '../../algorithms/policy-head.js';
import { ConfigError } from '../../core/errors.js';
import { Rng, type RngState } from '../../core/rng.js';
import type { Box, Discrete } from '../../core/spaces.js';
import type { ActOutput, PolicyActor } from '../../loop/agent.js';
import { categorical } from '../../nn/distributions.js';
import { Adam, clipGradNorm, type AdamState } from '../../nn/fast/adam.js';
import { GruSequenceNet } from '../../nn/fast/gru.js';
import { ActorCritic, type ActorCriticOptions, type ActorCriticState } from '../actor-critic.js';

/** What a token policy's training forward gives the losses. */
export interface SequenceForward {
  /** [tokens × out] logits or Gaussian means. */
  readonly policy: Float64Array;
  /** [tokens × D] per-token log-std (Gaussian policies; empty otherwise). */
  readonly logStd: Float64Array;
}

/** Where a policy head's gradients go: [tokens × out] outputs, [tokens × D] log-std, and a [tokens × out] scratch. */
export interface HeadBuffers {
  readonly policy: Float64Array;
  readonly logStd: Float64Array;
  readonly logp: Float64Array;
}

/**
 * The policy a group-rollout agent (GRPO) trains: it acts turn by turn on N copies, and trains on
 * whole episodes laid out back to back. A feed-forward policy ignores the episode boundaries; a
 * recurrent one carries a hidden state per copy while acting and unrolls each episode in training.
 */
export interface TokenPolicy {
  readonly kind: 'mlp' | 'gru';
  readonly discrete: boolean;
  /** Entries per action: 1 (Discrete) or the Box dimension. */
  readonly actionSize: number;
  /** Width of the action head: K logits or D means. */
  readonly policyOutputSize: number;
  readonly params: Float64Array;
  /** Samples (or, when `deterministic`, takes the mode of) actions for `n` copies, from `sampler` or the policy's own stream. */
  act(observations: Float32Array, n: number, deterministic: boolean, sampler?: Rng): ActOutput;
  /** Starts copy `copy` afresh (a recurrent policy zeroes its hidden state; others do nothing). */
  resetMemory(copy: number): void;
  /** Recurrent policies: an actor with hidden states of its own, new at each call (evaluation, viewers). */
  evaluationActor?(): PolicyActor;
  /** Outputs for `tokens` observations forming episodes of `lengths` turns, back to back; kept for {@link backwardSequences}. */
  forwardSequences(observations: Float32Array, lengths: Int32Array, tokens: number): SequenceForward;
  /** The policy head of a forward, as the losses take it (see `ActorCritic.policyHead`). */
  policyHead(out: SequenceForward, actions: ArrayLike<number>, grads: HeadBuffers): PolicyHead;
  /** Backpropagates ∂L/∂outputs (and ∂L/∂log-std) of the last forward into the parameter gradients (overwritten). */
  backwardSequences(tokens: number, gradPolicy: Float64Array, gradLogStd: Float64Array): void;
  /** Clips the gradient norm, takes an Adam step; returns the norm before clipping. */
  applyGradients(maxGradNorm: number, learningRate: number): number;
  setParams(params: ArrayLike<number>): void;
  getState(): TokenPolicyState;
  setState(state: TokenPolicyState): void;
}

/** Checkpointed state of a {@link GruTokenPolicy}. */
export interface GruTokenPolicyState {
  readonly kind: 'gru';
  readonly params: Float64Array;
  readonly optimizer: AdamState;
  readonly actionRng: RngState;
}

/** Checkpointed state of a token policy: an MLP's is its {@link ActorCriticState}. */
export type TokenPolicyState = ActorCriticState | GruTokenPolicyState;

/** The feed-forward token policy: an {@link ActorCritic}'s action head (its value head is never trained). */
export class MlpTokenPolicy implements TokenPolicy {
  readonly kind = 'mlp';
  readonly net: ActorCritic;
  private gradValues = new Float64Array(0);

  constructor(options: ActorCriticOptions, rng: Rng) {
    this.net = new ActorCritic(options, rng);
  }

  get discrete(): boolean {
    return this.net.discrete;
  }
  get actionSize(): number {
    return this.net.actionSize;
  }
  get policyOutputSize(): number {
    return this.net.policyOutputSize;
  }
  get params(): Float64Array {
    return this.net.params;
  }

  act(observations: Float32Array, n: number, deterministic: boolean, sampler?: Rng): ActOutput {
    return this.net.act(observations, n, deterministic, false, sampler);
  }

  resetMemory(): void {}

  forwardSequences(observations: Float32Array, _lengths: Int32Array, tokens: number): SequenceForward {
    return this.net.forwardTrain(observations, tokens);
  }

  policyHead(out: SequenceForward, actions: ArrayLike<number>, grads: HeadBuffers): PolicyHead {
    return this.net.policyHead({ ...out, values: this.gradValues }, actions, grads);
  }

  backwardSequences(tokens: number, gradPolicy: Float64Array, gradLogStd: Float64Array): void {
    if (this.gradValues.length < tokens) this.gradValues = new Float64Array(tokens);
    this.net.backwardTrain(tokens, gradPolicy, gradLogStd, this.gradValues);
  }

  applyGradients(maxGradNorm: number, learningRate: number): number {
    return this.net.applyGradients(maxGradNorm, learningRate);
  }

  setParams(params: ArrayLike<number>): void {
    this.net.setParams(params);
  }

  getState(): ActorCriticState {
    return this.net.getState();
  }

  setState(state: TokenPolicyState): void {
    if ('kind' in state) throw new ConfigError('checkpoint holds a gru token policy, this agent uses an mlp one (policyType)');
    this.net.setState(state);
  }
}

/** Hidden states of acting copies, [copies × H]; replaced by a larger array when more copies act. */
interface GruMemory {
  hidden: Float64Array;
}

/**
 * A recurrent categorical token policy: a GRU over the observations with a linear logits head
 * ({@link GruSequenceNet}), trained by backpropagation through each whole episode. Acting keeps
 * one hidden state per copy, zeroed by {@link resetMemory} at each episode start — the loop's job.
 */
export class GruTokenPolicy implements TokenPolicy {
  readonly kind = 'gru';
  readonly discrete = true;
  readonly actionSize = 1;
  readonly policyOutputSize: number;
  private readonly net: GruSequenceNet;
  private readonly optimizer: Adam;
  private actionRng: Rng;
  private readonly hiddenSize: number;
  private readonly observationSize: number;
  /** Hidden state of each acting copy [copies × H], grown on demand. */
  private readonly memory: GruMemory = { hidden: new Float64Array(0) };
  private act_ = { capacity: 0, logits: new Float64Array(0), logp: new Float64Array(0), actions: new Int32Array(0), logProbs: new Float64Array(0), values: new Float64Array(0) };
  private readonly actViews = new Map<number, ActOutput>();
  private readonly noLogStd = new Float64Array(0);

  constructor(observationSize: number, actionSpace: Box | Discrete, hiddenSize: number, adamEps: number, rng: Rng) {
    if (actionSpace.kind !== 'Discrete') throw new ConfigError(`the gru token policy is categorical: it needs a Discrete action space, got ${actionSpace.kind}; use policyType "mlp" for continuous actions`);
    this.policyOutputSize = actionSpace.n;
    this.hiddenSize = hiddenSize;
    this.observationSize = observationSize;
    this.net = new GruSequenceNet({ inputSize: observationSize, hiddenSize, outputSize: actionSpace.n });
    this.net.init(rng.split('init'));
    this.optimizer = new Adam(this.net.params.length, { eps: adamEps });
    this.actionRng = rng.split('actions');
  }

  get params(): Float64Array {
    return this.net.params;
  }

  act(observations: Float32Array, n: number, deterministic: boolean, sampler: Rng = this.actionRng, memory: GruMemory = this.memory): ActOutput {
    const H = this.hiddenSize;
    const K = this.policyOutputSize;
    const D = this.observationSize;
    if (memory.hidden.length < n * H) {
      const grown = new Float64Array(n * H);
      grown.set(memory.hidden);
      memory.hidden = grown;
    }
    const a = this.ensureActBuffers(n);
    for (let i = 0; i < n; i++) this.net.step(observations, i * D, memory.hidden, i * H, a.logits, i * K);
    categorical.logSoftmax(a.logits, n, K, a.logp);
    for (let i = 0; i < n; i++) {
      const action = deterministic ? categorical.modeRow(a.logp, i * K, K) : categorical.sampleRow(a.logp, i * K, K, sampler);
      a.actions[i] = action;
      a.logProbs[i] = a.logp[i * K + action] as number;
    }
    return this.actView(n);
  }

  /** Exact-length views of the act buffers, cached per `n` so acting allocates nothing. */
  private actView(n: number): ActOutput {
    let view = this.actViews.get(n);
    if (view === undefined) {
      const a = this.act_;
      view = { actions: a.actions.subarray(0, n), logProbs: a.logProbs.subarray(0, n), values: a.values.subarray(0, n) };
      this.actViews.set(n, view);
    }
    return view;
  }

  private ensureActBuffers(n: number) {
    if (this.act_.capacity < n) {
      this.actViews.clear();
      const K = this.policyOutputSize;
      this.act_ = { capacity: n, logits: new Float64Array(n * K), logp: new Float64Array(n * K), actions: new Int32Array(n), logProbs: new Float64Array(n), values: new Float64Array(n) };
    }
    return this.act_;
  }

  resetMemory(copy: number, memory: GruMemory = this.memory): void {
    const H = this.hiddenSize;
    if ((copy + 1) * H <= memory.hidden.length) memory.hidden.fill(0, copy * H, (copy + 1) * H);
  }

  /** An actor on the same network with hidden states of its own, new at each call (evaluation, viewers). */
  evaluationActor(): PolicyActor {
    const memory: GruMemory = { hidden: new Float64Array(0) };
    return {
      act: (observations, n, deterministic, sampler) => this.act(observations, n, deterministic, sampler, memory),
      resetMemory: (copy) => this.resetMemory(copy, memory),
    };
  }

  forwardSequences(observations: Float32Array, lengths: Int32Array, tokens: number): SequenceForward {
    return { policy: this.net.forwardSequences(observations, lengths, tokens), logStd: this.noLogStd };
  }

  policyHead(out: SequenceForward, actions: ArrayLike<number>, grads: HeadBuffers): PolicyHead {
    return { kind: 'categorical', numActions: this.policyOutputSize, logits: out.policy, actions, gradLogits: grads.policy, scratchLogp: grads.logp };
  }

  backwardSequences(_tokens: number, gradPolicy: Float64Array): void {
    this.net.backwardSequences(gradPolicy);
  }

  applyGradients(maxGradNorm: number, learningRate: number): number {
    const norm = clipGradNorm(this.net.grads, maxGradNorm);
    this.optimizer.step(this.net.params, this.net.grads, learningRate);
    return norm;
  }

  setParams(params: ArrayLike<number>): void {
    if (params.length !== this.net.params.length) throw new ConfigError(`expected ${this.net.params.length} parameters, got ${params.length}: the gru policy's size differs`);
    this.net.params.set(params);
  }

  getState(): GruTokenPolicyState {
    return { kind: 'gru', params: this.net.params.slice(), optimizer: this.optimizer.getState(), actionRng: this.actionRng.getState() };
  }

  setState(state: TokenPolicyState): void {
    if (!('kind' in state)) throw new ConfigError('checkpoint holds an mlp token policy, this agent uses a gru one (policyType)');
    this.setParams(state.params);
    this.optimizer.setState(state.optimizer);
    this.actionRng = Rng.fromState(state.actionRng);
  }
}
