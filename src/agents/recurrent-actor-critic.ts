import type { PolicyHead } from '../algorithms/policy-head.js';
import { ConfigError } from '../core/errors.js';
import { Rng, type RngState } from '../core/rng.js';
import type { Box, Discrete } from '../core/spaces.js';
import type { ActOutput } from '../loop/agent.js';
import { categorical, diagGaussian } from '../nn/distributions.js';
import { Adam, clipGradNorm, type AdamState } from '../nn/fast/adam.js';
import { GruMlpNet } from '../nn/fast/gru-mlp.js';
import type { HiddenActivation } from '../nn/fast/mlp.js';
import { GsdeExploration, gsdeLogStd, gsdeLogStdBackward, type GsdeExplorationState } from '../nn/gsde.js';

/** Options of {@link RecurrentActorCritic}. */
export interface RecurrentActorCriticOptions {
  readonly observationSize: number;
  readonly actionSpace: Box | Discrete;
  /** Hidden units of each GRU (actor and critic have their own, as SB3-contrib's `enable_critic_lstm`). */
  readonly hiddenSize: number;
  /** Widths of the MLP layers between each GRU and its linear head (SB3-contrib's `net_arch`); default none. */
  readonly layers?: readonly number[] | undefined;
  /** Activation of those layers (default tanh). */
  readonly activation?: HiddenActivation | undefined;
  /** SB3's `ortho_init` for the MLP layers and heads after the GRUs (default true); false: PyTorch's default draws. */
  readonly orthoInit?: boolean | undefined;
  /** Initial log-std of a Gaussian policy (gSDE: of every entry of its σ matrix). */
  readonly logStdInit: number;
  readonly adamEps: number;
  /** gSDE exploration on a Box action space, with the actor's latent (its last MLP layer, or its GRU state) as the features. */
  readonly useSde?: boolean | undefined;
  /** Steps between gSDE resamplings within a rollout (−1 or 0: only at rollout start). */
  readonly sdeSampleFreq?: number | undefined;
}

/** Checkpointed state of a {@link RecurrentActorCritic}, the hidden states of the acting copies included. */
export interface RecurrentActorCriticState extends Partial<GsdeExplorationState> {
  readonly actor: Float64Array;
  readonly critic: Float64Array;
  readonly logStd: Float64Array;
  readonly optimizers: readonly AdamState[];
  readonly actionRng: RngState;
  readonly actorMemory: Float64Array;
  readonly criticMemory: Float64Array;
}

/** Hidden states of acting copies, [copies × H] for each network. Training and evaluation act with separate ones. */
export interface RecurrentMemory {
  actor: Float64Array;
  critic: Float64Array;
}

/** Outputs of {@link RecurrentActorCritic.forwardSequences}, views valid until the next call. */
export interface RecurrentForward {
  /** [tokens × out] logits or means. */
  readonly policy: Float64Array;
  /** [tokens × D] log-std rows (Gaussian policies). */
  readonly logStd: Float64Array;
  /** [tokens] critic values. */
  readonly values: Float64Array;
}

/**
 * A recurrent actor-critic for recurrent PPO: a GRU actor, optional MLP layers and a linear head
 * (K logits, or D Gaussian means with a state-independent log-std or gSDE over the actor's latent,
 * held fixed in the log-std's gradient as SB3's default) and a GRU critic, its own MLP layers and
 * a linear value head ({@link GruMlpNet} each). While acting it keeps one hidden state per copy for each network;
 * training replays sequences from the hidden states stored at their starts (truncated
 * backpropagation through time). One Adam per parameter block, one joint gradient clip.
 */
export class RecurrentActorCritic {
  readonly discrete: boolean;
  readonly actionSize: number;
  readonly policyOutputSize: number;
  readonly hiddenSize: number;
  private readonly actor: GruMlpNet;
  private readonly critic: GruMlpNet;
  private readonly logStdParam: Float64Array;
  private readonly logStdGrad: Float64Array;
  private readonly optimizers: readonly [Adam, Adam, Adam];
  private actionRng: Rng;
  /** Hidden states of the training copies (the default memory of {@link act}). */
  readonly memory: RecurrentMemory = { actor: new Float64Array(0), critic: new Float64Array(0) };
  private trainLogStd = new Float64Array(0);
  private trainVariance = new Float64Array(0);
  /** gSDE's exploration matrix, or null with a state-independent log-std. */
  private readonly exploration: GsdeExploration | null;
  private scratch = { capacity: 0, head: new Float64Array(0), logp: new Float64Array(0), value: new Float64Array(1), peek: new Float64Array(0), actions: new Int32Array(0) as Int32Array | Float32Array, logProbs: new Float64Array(0), values: new Float64Array(0), logStdRows: new Float64Array(0), variance: new Float64Array(0) };
  private readonly views = new Map<number, ActOutput>();
  private trainTokens = 0;

  constructor(
    readonly options: RecurrentActorCriticOptions,
    rng: Rng,
  ) {
    const { observationSize, actionSpace, hiddenSize } = options;
    this.discrete = actionSpace.kind === 'Discrete';
    if (actionSpace.kind === 'Discrete' && actionSpace.start !== 0) throw new ConfigError(`recurrent policies take Discrete spaces starting at 0, got start ${actionSpace.start}`);
    this.actionSize = this.discrete ? 1 : actionSpace.flatDim;
    this.policyOutputSize = actionSpace.kind === 'Discrete' ? actionSpace.n : actionSpace.flatDim;
    this.hiddenSize = hiddenSize;
    const trunk = { inputSize: observationSize, hiddenSize, layers: options.layers ?? [], activation: options.activation ?? 'tanh' };
    this.actor = new GruMlpNet({ ...trunk, outputSize: this.policyOutputSize });
    this.critic = new GruMlpNet({ ...trunk, outputSize: 1 });
    // SB3's head gains: 0.01 for the action head (a near-uniform start), 1 for the value head.
    const orthogonal = options.orthoInit ?? true;
    this.actor.init(rng.split('actor'), { headGain: 0.01, orthogonal });
    this.critic.init(rng.split('critic'), { headGain: 1, orthogonal });
    const useSde = options.useSde === true;
    if (useSde && this.discrete) throw new ConfigError('useSde (gSDE) needs a continuous (Box) action space');
    this.exploration = useSde ? new GsdeExploration({ latentSize: this.actor.latentSize, actionSize: this.actionSize }, rng.split('sde')) : null;
    this.logStdParam = new Float64Array(this.discrete ? 0 : useSde ? this.actor.latentSize * this.actionSize : this.actionSize).fill(options.logStdInit);
    this.logStdGrad = new Float64Array(this.logStdParam.length);
    const eps = options.adamEps;
    this.optimizers = [new Adam(this.actor.params.length, { eps }), new Adam(this.critic.params.length, { eps }), new Adam(this.logStdParam.length, { eps })];
    this.actionRng = rng.split('actions');
  }

  /** gSDE's noise schedule: a new exploration matrix at every rollout start… */
  startRollout(): void {
    this.exploration?.resample(this.logStdParam);
  }

  /** …and every `sdeSampleFreq` steps within it (SB3 `sde_sample_freq`). */
  afterStep(stepInRollout: number): void {
    this.exploration?.afterStep(stepInRollout, this.options.sdeSampleFreq ?? -1, this.logStdParam);
  }

  /** Number of trainable parameters. */
  get parameterCount(): number {
    return this.actor.params.length + this.critic.params.length + this.logStdParam.length;
  }

  /** Grows `memory` to hold `n` copies (new copies start at zero). */
  private ensureMemory(memory: RecurrentMemory, n: number): void {
    const H = this.hiddenSize;
    if (memory.actor.length >= n * H) return;
    const grow = (old: Float64Array) => {
      const next = new Float64Array(n * H);
      next.set(old);
      return next;
    };
    memory.actor = grow(memory.actor);
    memory.critic = grow(memory.critic);
  }

  private ensure(n: number): void {
    if (this.scratch.capacity >= n) return;
    const K = this.policyOutputSize;
    this.views.clear();
    this.scratch = {
      capacity: n,
      head: new Float64Array(n * K),
      logp: new Float64Array(n * K),
      value: new Float64Array(1),
      peek: new Float64Array(n * this.hiddenSize),
      actions: this.discrete ? new Int32Array(n) : new Float32Array(n * this.actionSize),
      logProbs: new Float64Array(n),
      values: new Float64Array(n),
      logStdRows: new Float64Array(n * this.actionSize),
      variance: new Float64Array(n * this.actionSize),
    };
  }

  /** Acts on `n` copies, advancing their hidden states in `memory`; fills the critic's values too. */
  act(observations: Float32Array, n: number, deterministic: boolean, sampler: Rng = this.actionRng, memory: RecurrentMemory = this.memory): ActOutput {
    this.ensure(n);
    this.ensureMemory(memory, n);
    const K = this.policyOutputSize;
    const A = this.actionSize;
    const s = this.scratch;
    const latent = this.actor.stepCopies(observations, n, memory.actor, s.head);
    this.critic.stepCopies(observations, n, memory.critic, s.values);
    if (this.discrete) {
      categorical.logSoftmax(s.head, n, K, s.logp);
      const actions = s.actions as Int32Array;
      for (let i = 0; i < n; i++) {
        const a = deterministic ? categorical.modeRow(s.logp, i * K, K) : categorical.sampleRow(s.logp, i * K, K, sampler);
        actions[i] = a;
        s.logProbs[i] = s.logp[i * K + a] as number;
      }
    } else {
      const actions = s.actions as Float32Array;
      const gsde = this.exploration;
      if (gsde !== null) gsdeLogStd(gsde.shape, latent, n, this.logStdParam, 0, s.logStdRows, s.variance);
      else for (let i = 0; i < n; i++) for (let j = 0; j < A; j++) s.logStdRows[i * A + j] = this.logStdParam[j] as number;
      for (let i = 0; i < n; i++) {
        if (deterministic) for (let j = 0; j < A; j++) actions[i * A + j] = s.head[i * A + j] as number;
        else if (gsde !== null) gsde.perturb(latent, i, s.head, i * A, actions, i * A);
        else diagGaussian.sampleRow(s.head, s.logStdRows, i * A, A, sampler, actions, i * A);
        s.logProbs[i] = diagGaussian.logProbRow(actions, s.head, s.logStdRows, i * A, A);
      }
    }
    let view = this.views.get(n);
    if (view === undefined) {
      view = { actions: s.actions.subarray(0, n * A), logProbs: s.logProbs.subarray(0, n), values: s.values.subarray(0, n) };
      this.views.set(n, view);
    }
    return view;
  }

  /** The critic's values of `n` observations from the copies' current hidden states, which are left unchanged. */
  peekValues(observations: Float32Array, n: number, out: Float64Array): Float64Array {
    this.ensure(n);
    this.ensureMemory(this.memory, n);
    const { peek } = this.scratch;
    peek.set(this.memory.critic.subarray(0, n * this.hiddenSize));
    this.critic.stepCopies(observations, n, peek, out);
    return out;
  }

  /** Zeroes copy `copy`'s hidden states in `memory` (an episode starts). */
  resetMemory(copy: number, memory: RecurrentMemory = this.memory): void {
    const H = this.hiddenSize;
    this.ensureMemory(memory, copy + 1);
    memory.actor.fill(0, copy * H, (copy + 1) * H);
    memory.critic.fill(0, copy * H, (copy + 1) * H);
  }

  /** Copies the training hidden states of copies 0 … n−1 into `actor` and `critic` from row `row` on. */
  copyMemory(n: number, actor: Float64Array, critic: Float64Array, row: number): void {
    this.ensureMemory(this.memory, n);
    const H = this.hiddenSize;
    for (let k = 0; k < n * H; k++) {
      actor[row * H + k] = this.memory.actor[k] as number;
      critic[row * H + k] = this.memory.critic[k] as number;
    }
  }

  /**
   * Training forward of sequences laid out back to back (`lengths`), each starting from its stored
   * hidden states (`actorInitial`, `criticInitial`: [sequences × H]).
   */
  forwardSequences(observations: Float32Array, lengths: ArrayLike<number>, tokens: number, actorInitial: ArrayLike<number>, criticInitial: ArrayLike<number>): RecurrentForward {
    this.trainTokens = tokens;
    const policy = this.actor.forwardSequences(observations, lengths, tokens, actorInitial);
    const values = this.critic.forwardSequences(observations, lengths, tokens, criticInitial);
    const A = this.actionSize;
    if (this.trainLogStd.length < tokens * A) {
      this.trainLogStd = new Float64Array(tokens * A);
      this.trainVariance = new Float64Array(tokens * A);
    }
    const logStd = this.trainLogStd;
    if (this.exploration !== null) gsdeLogStd(this.exploration.shape, this.actor.lastLatents(), tokens, this.logStdParam, 0, logStd, this.trainVariance);
    else if (!this.discrete) for (let b = 0; b < tokens; b++) for (let j = 0; j < A; j++) logStd[b * A + j] = this.logStdParam[j] as number;
    return { policy, logStd: logStd.subarray(0, this.discrete ? 0 : tokens * A), values };
  }

  /** The policy head of a training forward, with where its gradients go (as `ActorCritic.policyHead`). */
  policyHead(out: RecurrentForward, actions: ArrayLike<number>, grads: { readonly policy: Float64Array; readonly logStd: Float64Array; readonly logp: Float64Array }): PolicyHead {
    return this.discrete
      ? { kind: 'categorical', numActions: this.policyOutputSize, logits: out.policy, actions, gradLogits: grads.policy, scratchLogp: grads.logp }
      : { kind: 'gaussian', actionDim: this.actionSize, mean: out.policy, logStd: out.logStd, actions, gradMean: grads.policy, gradLogStd: grads.logStd };
  }

  /** Backpropagates through time ∂L/∂outputs, ∂L/∂(log-std rows) and ∂L/∂values of the last forward. */
  backwardSequences(gradPolicy: Float64Array, gradLogStd: Float64Array, gradValues: Float64Array): void {
    this.actor.backwardSequences(gradPolicy, this.trainTokens);
    this.critic.backwardSequences(gradValues, this.trainTokens);
    const A = this.actionSize;
    this.logStdGrad.fill(0);
    if (this.exploration !== null) gsdeLogStdBackward(this.exploration.shape, this.actor.lastLatents(), this.trainTokens, this.logStdParam, this.trainVariance, gradLogStd, this.logStdGrad, null);
    else if (!this.discrete) for (let b = 0; b < this.trainTokens; b++) for (let j = 0; j < A; j++) this.logStdGrad[j] = (this.logStdGrad[j] as number) + (gradLogStd[b * A + j] as number);
  }

  /** Clips the joint gradient norm and takes the Adam steps; returns the norm before clipping. */
  applyGradients(maxGradNorm: number, learningRate: number): number {
    const norm = clipGradNorm([this.actor.grads, this.critic.grads, this.logStdGrad], maxGradNorm);
    this.optimizers[0].step(this.actor.params, this.actor.grads, learningRate);
    this.optimizers[1].step(this.critic.params, this.critic.grads, learningRate);
    if (this.logStdParam.length > 0) this.optimizers[2].step(this.logStdParam, this.logStdGrad, learningRate);
    return norm;
  }

  /** Every parameter, actor then critic then log-std (for tests and exports). */
  parameters(): Float64Array {
    const out = new Float64Array(this.parameterCount);
    out.set(this.actor.params);
    out.set(this.critic.params, this.actor.params.length);
    out.set(this.logStdParam, this.actor.params.length + this.critic.params.length);
    return out;
  }

  /** The parameter blocks and their gradients (actor, critic, log-std), views into the live arrays. */
  blocks(): readonly { readonly params: Float64Array; readonly grads: Float64Array }[] {
    return [
      { params: this.actor.params, grads: this.actor.grads },
      { params: this.critic.params, grads: this.critic.grads },
      { params: this.logStdParam, grads: this.logStdGrad },
    ];
  }

  getState(): RecurrentActorCriticState {
    return {
      actor: this.actor.params.slice(),
      critic: this.critic.params.slice(),
      logStd: this.logStdParam.slice(),
      optimizers: this.optimizers.map((o) => o.getState()),
      actionRng: this.actionRng.getState(),
      actorMemory: this.memory.actor.slice(),
      criticMemory: this.memory.critic.slice(),
      ...this.exploration?.getState(),
    };
  }

  setState(state: RecurrentActorCriticState): void {
    if (state.actor.length !== this.actor.params.length || state.critic.length !== this.critic.params.length) throw new ConfigError('checkpoint holds a recurrent policy of another size');
    this.actor.params.set(state.actor);
    this.critic.params.set(state.critic);
    this.logStdParam.set(state.logStd);
    state.optimizers.forEach((o, i) => this.optimizers[i]?.setState(o));
    this.actionRng = Rng.fromState(state.actionRng);
    this.memory.actor = state.actorMemory.slice();
    this.memory.critic = state.criticMemory.slice();
    if (this.exploration !== null) {
      if (state.noiseRng === undefined || state.explorationMatrix === undefined) throw new ConfigError('checkpoint holds a recurrent policy without gSDE, the network uses gSDE');
      this.exploration.setState({ noiseRng: state.noiseRng, explorationMatrix: state.explorationMatrix });
    }
  }
}
